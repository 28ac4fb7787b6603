/**
 * What every handler shares: the dependencies the process wires in, the clock, the change counter behind the
 * polling caches, and small helpers over the Temporal client.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../main/config.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { Keyring } from '../storage/crypto.js';
import type { PolicyRecord } from '../domain/schemas.js';
import {
  caseWorkflowId,
  timelineQuery,
  viewQuery,
  type CaseResult,
  type CaseSettings,
  type CaseView,
  type TimelineEntry,
} from '../workflows/contract.js';
import type { Principal, PrincipalDirectory } from './principals.js';
import { HttpProblem } from './problem.js';
import type { JWTVerifyGetKey } from 'jose';
import type { PayloadCodec } from '@temporalio/common';

export interface VendorCredentials {
  vendorId: string;
  role: string;
  name: string;
  /** Webhook secrets; more than one while a rotation is under way. */
  secrets: string[];
}

export interface ApiDeps {
  config: Config;
  temporal: { client: Client; namespace: string; taskQueue: string };
  principals: PrincipalDirectory;
  blobStore: BlobStore;
  keyring: Keyring;
  vendors: VendorCredentials[];
  logger: Logger;
  now?: () => Date;
  caseSettings?: CaseSettings;
  /** Prometheus text appended to `/metrics` (the in-process worker's SDK metrics). */
  extraMetrics?: () => Promise<string>;
  limits?: {
    /** Largest affected-person CSV accepted; default 256 MiB. */
    uploadMaxBytes?: number;
    /** Most rows in one affected-person CSV; default 1,000,000 (the storage layer's). */
    uploadMaxRows?: number;
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
  };
  /** A JWKS to verify OIDC tokens against, instead of fetching `OIDC_JWKS_URL` (tests, custom key sources). */
  oidcKeySet?: JWTVerifyGetKey;
  /** Payload encryption, for the codec endpoint the Temporal UI calls (`/codec/encode`, `/codec/decode`). */
  payloadCodec?: PayloadCodec;
  /** Browser origins allowed to call the codec endpoint (the Temporal UI's). */
  codecOrigins?: string[];
  /** The worker's apology-code secret, to verify codes at redemption; without it the apology-code routes answer 503. */
  apologySecret?: Buffer;
}

export const DEFAULT_UPLOAD_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Bumped whenever this process changes a case. The polling caches compare it before any backend call; timers in the
 * workflows change cases too, which the caches' short TTL covers (and other API instances, which do not share it).
 */
export class ChangeCounter {
  value = 0;
  private readonly cases = new Map<string, number>();

  /** Something changed; with a case id, that case (its cached reads are then stale). */
  bump(caseId?: string): void {
    this.value += 1;
    if (caseId === undefined) return;
    if (this.cases.size > 100_000) this.cases.clear();
    this.cases.set(caseId, (this.cases.get(caseId) ?? 0) + 1);
  }

  /** How often this process changed the case: a cached read of an older count is stale. */
  ofCase(caseId: string): number {
    return this.cases.get(caseId) ?? 0;
  }
}

interface CacheEntry {
  counter: number;
  expiresAt: number;
  etag: string;
  body: string;
}

/** Small LRU of computed poll answers, keyed by who may see what and the normalised query. */
export class PollCache {
  private readonly entries = new Map<string, CacheEntry>();
  constructor(private readonly max = 500) {}
  get(key: string): CacheEntry | undefined {
    const e = this.entries.get(key);
    if (e) {
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e;
  }
  set(key: string, entry: CacheEntry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

export interface ApiContext {
  deps: ApiDeps;
  client: Client;
  taskQueue: string;
  now: () => Date;
  changes: ChangeCounter;
  pollCache: PollCache;
  /** Policies read for intake, briefly kept (see `policyForIntake` in policies.ts). */
  policyCache: Map<string, { at: number; value: { policy: PolicyRecord; version: number } }>;
  log: Logger;
}

export function createContext(deps: ApiDeps): ApiContext {
  return {
    deps,
    client: deps.temporal.client,
    taskQueue: deps.temporal.taskQueue,
    now: deps.now ?? (() => new Date()),
    changes: new ChangeCounter(),
    pollCache: new PollCache(),
    policyCache: new Map(),
    log: deps.logger,
  };
}

export function strongEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  // Weak comparison (RFC 9110 13.1.2) for If-None-Match: a W/ prefix on the client's copy still matches.
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * Answers a polled JSON resource with a strong ETag. When this process changed nothing since the cached answer
 * and its TTL has not run out, a matching `If-None-Match` is a 304 before any backend call.
 */
/**
 * One call per key at a time: callers that ask while `start()` runs for that key share its promise, and the next
 * caller after it settles starts afresh.
 */
export function shareInFlight<T>(inFlight: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
  let pending = inFlight.get(key);
  if (!pending) {
    pending = start().finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

type Computed = { counter: number; expiresAt: number; etag: string; body: string };
const inFlightByApp = new WeakMap<ApiContext, Map<string, Promise<Computed>>>();

export async function servePollable(
  ctx: ApiContext,
  req: Request,
  res: Response,
  key: string,
  compute: () => Promise<unknown>,
): Promise<void> {
  res.set('Cache-Control', 'private, no-cache');
  res.set('Vary', 'Authorization');
  const ttl = ctx.deps.limits?.pollCacheTtlMs ?? 2000;
  const inm = req.headers['if-none-match'];
  const nowMs = Date.now();
  let entry = ctx.pollCache.get(key);
  if (!entry || entry.counter !== ctx.changes.value || entry.expiresAt <= nowMs) {
    // One computation per key at a time: when the entry expires under 50 pollers, they all wait for the same
    // backend call instead of each making their own.
    let inFlight = inFlightByApp.get(ctx);
    if (!inFlight) inFlightByApp.set(ctx, (inFlight = new Map()));
    entry = await shareInFlight(inFlight, key, async () => {
      const counter = ctx.changes.value;
      const body = JSON.stringify(await compute());
      const fresh = { counter, expiresAt: Date.now() + ttl, etag: strongEtag(body), body };
      ctx.pollCache.set(key, fresh);
      return fresh;
    });
  }
  res.set('ETag', entry.etag);
  if (etagMatches(inm, entry.etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).type('application/json').send(entry.body);
}

export function caseHandle(ctx: ApiContext, caseId: string) {
  return ctx.client.workflow.getHandle(caseWorkflowId(caseId));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Queries the case view. A case started a moment ago may not have run its first workflow task yet; with
 * `retryForMs` the query is retried until it answers (a missing workflow is never retried). A closed case whose
 * query fails is read from its result (see `closedCaseResult`).
 */
export function queryView(ctx: ApiContext, caseId: string, retryForMs = 0): Promise<CaseView> {
  return queryCase(ctx, caseId, retryForMs, (handle) => sharedViewQuery(ctx, handle), (closed) => closed.view);
}

/**
 * One read of a case by query, retried for `retryForMs` (a missing workflow is never retried); a closed case whose
 * query fails is answered from its result.
 */
async function queryCase<T>(
  ctx: ApiContext,
  caseId: string,
  retryForMs: number,
  query: (handle: ReturnType<typeof caseHandle>) => Promise<T>,
  fromResult: (closed: CaseResult) => T | undefined,
): Promise<T> {
  const handle = caseHandle(ctx, caseId);
  const deadline = Date.now() + retryForMs;
  let delay = 50;
  for (;;) {
    try {
      return await query(handle);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw err;
      const closed = await closedCaseResult(ctx, caseId);
      const answer = closed ? fromResult(closed) : undefined;
      if (answer !== undefined) return answer;
      if (Date.now() >= deadline) throw err;
      await sleep(delay);
      delay = Math.min(delay * 2, 500);
    }
  }
}

const caseReads = new WeakMap<ApiContext, Map<string, { version: number; expiresAt: number; value: unknown }>>();
const caseReadsInFlight = new WeakMap<ApiContext, Map<string, Promise<unknown>>>();

/**
 * A read of one case (its view, its timeline) that pollers share: answered from memory for `limits.pollCacheTtlMs`
 * (default 2 s) unless this process has changed the case since, like the lists and the summary. Every read of a
 * case is a replay on a worker (no workflow cache), and a case desk polls; a command through this process is seen
 * by the next read at once, a timer or another instance's change within the TTL.
 */
export async function readCaseShared<T>(ctx: ApiContext, what: string, caseId: string, read: () => Promise<T>): Promise<T> {
  const ttl = ctx.deps.limits?.pollCacheTtlMs ?? 2000;
  if (ttl <= 0) return read();
  let cache = caseReads.get(ctx);
  if (!cache) caseReads.set(ctx, (cache = new Map()));
  let inFlight = caseReadsInFlight.get(ctx);
  if (!inFlight) caseReadsInFlight.set(ctx, (inFlight = new Map()));
  const key = `${what}|${caseId}`;
  const version = ctx.changes.ofCase(caseId);
  const hit = cache.get(key);
  if (hit && hit.version === version && hit.expiresAt > Date.now()) return hit.value as T;
  const store = cache;
  // Keyed by version too: a read that started before a change must not answer a caller who came after it.
  return shareInFlight(inFlight as Map<string, Promise<T>>, `${key}|${version}`, async () => {
    const value = await read();
    if (store.size > 10_000) store.clear();
    store.set(key, { version, expiresAt: Date.now() + ttl, value });
    return value;
  });
}

/**
 * Concurrent reads of one case's view share one query: a query replays the case on a worker (which keeps no cache,
 * see WORKER_MAX_CACHED_WORKFLOWS), and a page of pollers must not queue that replay once each.
 */
const viewsInFlight = new Map<string, Promise<CaseView>>();

function sharedViewQuery(ctx: ApiContext, handle: ReturnType<typeof caseHandle>): Promise<CaseView> {
  return shareInFlight(viewsInFlight, handle.workflowId, () => boundedQuery(ctx, () => handle.query(viewQuery)));
}

/**
 * How long one query attempt may take. Without a workflow cache a query that meets a workflow task in flight can wait
 * for that task's time-out before it is answered; a fresh attempt is usually answered at once, so the callers retry
 * rather than wait.
 */
const QUERY_ATTEMPT_MS = 3_000;

export function boundedQuery<T>(ctx: ApiContext, query: () => Promise<T>): Promise<T> {
  return ctx.client.withDeadline(Date.now() + QUERY_ATTEMPT_MS, query);
}

/** The case timeline by query, or from the result of a closed case whose query fails. */
export function queryTimeline(ctx: ApiContext, caseId: string, retryForMs = 10_000): Promise<TimelineEntry[]> {
  return queryCase(ctx, caseId, retryForMs, (handle) => boundedQuery(ctx, () => handle.query(timelineQuery)), (closed) => closed.timeline);
}

/**
 * The result of a completed case, which carries its final view and timeline; undefined while it runs or when it
 * cannot be read. A query of a closed case replays its whole history on a worker, and a history the SDK cannot
 * replay (sdk-rust #1146, after a worker crash) would otherwise leave a closed case unreadable for good.
 */
export async function closedCaseResult(ctx: ApiContext, caseId: string): Promise<CaseResult | undefined> {
  const handle = caseHandle(ctx, caseId);
  try {
    if ((await handle.describe()).status.name !== 'COMPLETED') return undefined;
    return (await handle.result()) as CaseResult;
  } catch {
    return undefined;
  }
}

/** Another insured's case is indistinguishable from a missing one. */
export function assertMayRead(principal: Principal, view: Pick<CaseView, 'insuredId' | 'caseId'>): void {
  if (principal.role === 'insured' && principal.insuredId !== view.insuredId) {
    throw new HttpProblem(404, 'not_found', `case ${view.caseId} not found`);
  }
}

export function actorOf(p: Principal) {
  return {
    name: p.name,
    role: p.role,
    ...(p.insuredId !== undefined ? { insuredId: p.insuredId } : {}),
    ...(p.authorityLimitJpy !== undefined ? { authorityLimitJpy: p.authorityLimitJpy } : {}),
  };
}

export function idempotencyKey(req: Request): string | undefined {
  const v = req.headers['idempotency-key'];
  if (v === undefined) return undefined;
  const key = Array.isArray(v) ? v[0] : v;
  if (key === undefined || key.length === 0 || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new HttpProblem(400, 'validation', 'Idempotency-Key must be 1-200 visible ASCII characters', [
      { path: '/Idempotency-Key', message: '1-200 visible ASCII characters', code: 'invalid_format', in: 'header' },
    ]);
  }
  return key;
}
