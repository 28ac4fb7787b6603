import { z } from 'zod';
import { resolve } from 'node:path';

/**
 * Every setting the processes read, parsed once through one schema. A bad value stops start-up with every bad
 * variable listed; `.env.example` documents each one. Booleans are the words true/false, never "any non-empty string".
 */
const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');
const port = z.coerce.number().int().min(0).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

export const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().default('.data'),

    HOST: z.string().default('127.0.0.1'),
    PORT: port.default(3000),
    PUBLIC_URL: optionalString,
    PRINCIPALS_FILE: optionalString,
    BODY_LIMIT: z.string().default('1mb'),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
    REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
    HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),

    TEMPORAL_ADDRESS: optionalString,
    TEMPORAL_NAMESPACE: z.string().default('default'),
    TEMPORAL_TASK_QUEUE: z.string().default('breach-claims'),
    TEMPORAL_TLS: bool.default(false),
    TEMPORAL_TLS_CERT_PATH: optionalString,
    TEMPORAL_TLS_KEY_PATH: optionalString,
    TEMPORAL_TLS_CA_PATH: optionalString,
    TEMPORAL_TLS_SERVER_NAME: optionalString,
    TEMPORAL_API_KEY: optionalString,
    TEMPORAL_EMBEDDED_PORT: port.default(7233),
    TEMPORAL_UI_PORT: port.default(8233),
    /**
     * What `npm start` embeds without TEMPORAL_ADDRESS: the CLI's dev server on SQLite, or a real cluster on
     * PostgreSQL (main/cluster.ts, settings in deploy/temporal.env; `npm run cluster`).
     */
    TEMPORAL_SERVER: z.enum(['dev', 'cluster']).default('dev'),
    /** Worker and API processes `npm start` runs (the APIs on PORT, PORT+1, ...). */
    WORKERS: z.coerce.number().int().min(1).max(8).default(1),
    API_INSTANCES: z.coerce.number().int().min(1).max(8).default(1),
    TEMPORAL_CLI_PATH: optionalString,
    TEMPORAL_TEST_SERVER_PATH: optionalString,

    SMTP_HOST: optionalString,
    SMTP_PORT: port.default(1025),
    SMTP_SECURE: bool.default(false),
    SMTP_USER: optionalString,
    SMTP_PASS: optionalString,
    SMTP_POOL_CONNECTIONS: z.coerce.number().int().min(1).max(50).default(8),
    MAIL_FROM: z.string().default('breach-claims <noreply@breach-claims.local>'),
    MAIL_DOMAIN: z.string().default('breach-claims.local'),

    SANDBOX_PORT: port.default(4010),
    VENDORS_FILE: optionalString,
    VENDOR_BASE_URL: optionalString,
    PAYMENTS_BASE_URL: optionalString,
    VENDOR_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
    /** domain.md section 7: forensics and counsel acknowledge within an hour or the next panel vendor is engaged. */
    VENDOR_ACK_SLA_MS: z.coerce.number().int().positive().default(3_600_000),

    BLOB_STORE: z.enum(['file', 's3']).default('file'),
    BLOB_DIR: optionalString,
    S3_ENDPOINT: optionalString,
    S3_REGION: z.string().default('us-east-1'),
    S3_BUCKET: optionalString,
    S3_ACCESS_KEY_ID: optionalString,
    S3_SECRET_ACCESS_KEY: optionalString,
    PERSONS_ENCRYPTION_KEYS: optionalString,
    PAYLOAD_CODEC_KEYS: optionalString,
    /** The API's command-signing keys, `kid:seed-hex` pairs, the first signs (workers may take it to trust them all). */
    COMMAND_SIGNING_KEYS: optionalString,
    /** For workers that must not hold the private keys: `kid:public-key-hex` pairs they trust. */
    COMMAND_TRUSTED_KEYS: optionalString,
    CODEC_CORS_ORIGINS: optionalString.transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined)),
    UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(256 * 1024 * 1024),
    DOCUMENT_MAX_BYTES: z.coerce.number().int().positive().default(20 * 1024 * 1024),
    // Apology codes carry the person's list position in 24 bits (lib/apology-codes.ts).
    UPLOAD_MAX_ROWS: z.coerce.number().int().positive().max(16_000_000).default(1_000_000),
    /** How long a command waits for its case's answer before a 503 `command_pending` (the command still applies). */
    COMMAND_WAIT_MS: z.coerce.number().int().positive().max(300_000).default(20_000),
    // The search index of GET /v1/cases?q= holds at most this many cases in each API process (0: no index, every
    // search scans at most 2,000 cases' memos).
    SEARCH_INDEX_MAX_CASES: z.coerce.number().int().nonnegative().max(10_000_000).default(200_000),
    APOLOGY_CODE_SECRET: optionalString,
    NOTICE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
    /**
     * Workflows a worker keeps in memory between tasks (sticky execution). 0 by default: with SDK 1.24.0 a query served
     * from the cache of a worker that restarted, while a task waited on the dead worker's sticky queue, let a task
     * report commands in an order its history does not replay in (found by the chaos soak). Without the cache every task
     * and query rebuilds the case from its history, which continue-as-new keeps short.
     */
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(0),

    OIDC_JWKS_URL: optionalString,
    OIDC_ISSUER: optionalString,
    OIDC_AUDIENCE: optionalString,
    OIDC_ROLE_CLAIM: z.string().default('roles'),
    OIDC_INSURED_CLAIM: z.string().default('insured_id'),
    /** Single sign-on for the pages (authorization code with PKCE, run by the API): the client registered at OIDC_ISSUER. */
    OIDC_CLIENT_ID: optionalString,
    /** Absent: a public client (PKCE only); present: a confidential client (client_secret_basic) with PKCE as well. */
    OIDC_CLIENT_SECRET: optionalString,
    /** Where the provider sends the browser back; default PUBLIC_URL + /v1/auth/sso/callback. */
    OIDC_REDIRECT_URL: optionalString,
    OIDC_SCOPES: z.string().default('openid profile email'),
    /** How long a session handed out by the SSO login lasts. */
    OIDC_SESSION_TTL_MS: z.coerce.number().int().min(60_000).max(86_400_000).default(28_800_000),
  })
  .superRefine((c, ctx) => {
    if (c.TEMPORAL_TLS_CERT_PATH && !c.TEMPORAL_TLS_KEY_PATH) {
      ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_KEY_PATH'], message: 'required with TEMPORAL_TLS_CERT_PATH' });
    }
    if (c.BLOB_STORE === 's3') {
      for (const k of ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
        if (!c[k]) ctx.addIssue({ code: 'custom', path: [k], message: 'required when BLOB_STORE=s3' });
      }
    }
    if (c.OIDC_CLIENT_ID) {
      if (!c.OIDC_ISSUER) ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'required with OIDC_CLIENT_ID' });
      if (!c.OIDC_REDIRECT_URL && !c.PUBLIC_URL) {
        ctx.addIssue({ code: 'custom', path: ['OIDC_REDIRECT_URL'], message: 'required with OIDC_CLIENT_ID (or set PUBLIC_URL)' });
      }
      for (const k of ['OIDC_ISSUER', 'OIDC_REDIRECT_URL'] as const) {
        const v = c[k];
        if (!v) continue;
        let url: URL | undefined;
        try {
          url = new URL(v);
        } catch {
          url = undefined;
        }
        if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
          ctx.addIssue({ code: 'custom', path: [k], message: 'must be an http(s) URL' });
        } else if (c.NODE_ENV === 'production' && url.protocol !== 'https:') {
          ctx.addIssue({ code: 'custom', path: [k], message: 'must be https in production' });
        }
      }
      if (!/(^|\s)openid(\s|$)/.test(c.OIDC_SCOPES)) ctx.addIssue({ code: 'custom', path: ['OIDC_SCOPES'], message: 'must include openid' });
    } else if (c.OIDC_CLIENT_SECRET || c.OIDC_REDIRECT_URL) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_CLIENT_ID'], message: 'required with OIDC_CLIENT_SECRET or OIDC_REDIRECT_URL' });
    }
    if (c.NODE_ENV === 'production' && !c.TEMPORAL_ADDRESS) {
      ctx.addIssue({ code: 'custom', path: ['TEMPORAL_ADDRESS'], message: 'required in production (no embedded server)' });
    }
  });

export type Config = z.infer<typeof ConfigSchema> & {
  /** Absolute data folder. */
  dataDir: string;
  /** True when this process (or its supervisor) runs the Temporal dev server itself. */
  embedded: boolean;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws a ConfigError that lists every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(Object.keys(ConfigSchema.shape).map((k) => [k, env[k]]));
  const parsed = ConfigSchema.safeParse(known);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`));
  }
  const c = parsed.data;
  return { ...c, dataDir: resolve(c.DATA_DIR), embedded: !c.TEMPORAL_ADDRESS };
}

/** The names the schema knows; the docker-compose test checks every variable a service sets against it. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(ConfigSchema.shape);
