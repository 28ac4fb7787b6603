/**
 * What the process hands `buildApp`: the clients, stores, credentials and settings the API runs on. The API reads no
 * configuration of its own; `main/api-server.ts` builds this object.
 */
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import type { BlobStore } from '../storage/blob-store.js';
import type { Keyring } from '../storage/crypto.js';
import type { CaseSettings, PanelVendor } from '../workflows/contract.js';
import type { CommandSigner } from './command-signer.js';
import type { PrincipalDirectory } from './principals.js';
import type { SearchIndexOptions } from './search-index.js';

/** The process settings the API reads, named as in `main/config.ts` (whose `Config` is one). */
export interface ApiConfig {
  BODY_LIMIT: string;
  RATE_LIMIT_PER_MINUTE: number;
  OIDC_JWKS_URL?: string | undefined;
  OIDC_ISSUER?: string | undefined;
  OIDC_AUDIENCE?: string | undefined;
  OIDC_ROLE_CLAIM: string;
  OIDC_INSURED_CLAIM: string;
  /** Single sign-on for the pages (api/sso.ts): on when OIDC_CLIENT_ID and OIDC_ISSUER are set. */
  OIDC_CLIENT_ID?: string | undefined;
  OIDC_CLIENT_SECRET?: string | undefined;
  OIDC_REDIRECT_URL?: string | undefined;
  OIDC_SCOPES?: string | undefined;
  OIDC_SESSION_TTL_MS?: number | undefined;
  PUBLIC_URL?: string | undefined;
}

export interface VendorCredentials {
  vendorId: string;
  role: string;
  name: string;
  /** Webhook secrets; more than one while a rotation is under way. */
  secrets: string[];
}

export interface ApiDeps {
  config: ApiConfig;
  temporal: { client: Client; namespace: string; taskQueue: string };
  principals: PrincipalDirectory;
  blobStore: BlobStore;
  keyring: Keyring;
  vendors: VendorCredentials[];
  logger: Logger;
  now?: () => Date;
  caseSettings?: CaseSettings;
  /**
   * The vendor panel new cases are filed with (it travels in the case's input, so intake dispatches in its first task);
   * without it each case asks the worker for the panel in an activity first.
   */
  panel?: () => PanelVendor[];
  /** Prometheus text appended to `/metrics` (the in-process worker's SDK metrics). */
  extraMetrics?: () => Promise<string>;
  limits?: {
    /** Largest affected-person CSV accepted; default 256 MiB. */
    uploadMaxBytes?: number;
    /** Most rows in one affected-person CSV; default 1,000,000 (the storage layer's). */
    uploadMaxRows?: number;
    /** Largest case document (`POST /v1/cases/{caseId}/documents`); default 20 MiB. */
    documentMaxBytes?: number;
    /** Largest vendor webhook body; default 1 MiB. */
    webhookMaxBytes?: string;
    /** How long a computed dashboard or list page is served from memory; default 2 s. */
    pollCacheTtlMs?: number;
    /** How long intake reuses a policy it read from the ledger; default 5 s (0: always read). */
    policyCacheTtlMs?: number;
    /** How long a new case may take to answer its first query; default 10 s. */
    firstViewTimeoutMs?: number;
    /** How long a command waits for the case's answer before a 503 `command_pending`; default 20 s. */
    commandWaitMs?: number;
    /** How long an on-call handler has to acknowledge a consultation; default 1 hour (tests shorten it). */
    consultationAckMs?: number;
    /** The search index of `GET /v1/cases?q=` (refresh interval, visibility lag allowance, size bound). */
    searchIndex?: SearchIndexOptions;
  };
  /** A JWKS to verify OIDC tokens against, instead of fetching `OIDC_JWKS_URL` (tests, custom key sources). */
  oidcKeySet?: JWTVerifyGetKey;
  /** Payload encryption, for the codec endpoint the Temporal UI calls (`/codec/encode`, `/codec/decode`). */
  payloadCodec?: PayloadCodec;
  /** Browser origins allowed to call the codec endpoint (the Temporal UI's). */
  codecOrigins?: string[];
  /**
   * The embedded default's codec credential for its own Temporal UI, which sends no token: `/codec/ui/<token>` takes
   * `/encode` and `/decode` without a principal, only from `origins` (a request without `Origin` is refused). Set
   * only for local development (`main/api-server.ts`); absent, the path does not exist.
   */
  uiCodec?: { token: string; origins: string[] };
  /** The worker's apology-code secret, to verify codes at redemption; without it the apology-code routes answer 503. */
  apologySecret?: Buffer;
  /** Signs every command and vendor event the API sends a case; a case takes nothing unsigned (workflows/case/trust.ts). */
  signer: CommandSigner;
}
