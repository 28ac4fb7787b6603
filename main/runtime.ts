/**
 * Wiring shared by the process entries and the tests: the files the embedded default keeps under DATA_DIR, and the
 * worker built over real dependencies.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DefaultLogger, GracefulShutdownPeriodExpiredError, Worker, bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import type { Config } from './config.js';
import { createWorkerConnection, clientConnectionOptions, connectWithRetry } from './temporal.js';
import { developmentVendors, loadVendors, panelOf, writeVendorsFile, type VendorEntry } from './vendors.js';
import { createActivities } from '../activities/index.js';
import { createFileJournal } from '../activities/notices.js';
import { createMailer } from '../activities/email/mailer.js';
import { createPaymentClient, createVendorClient } from '../activities/vendors/client.js';
import { createBlobStore, type BlobStore } from '../storage/blob-store.js';
import { parseKeyring, type Keyring } from '../storage/crypto.js';
import { dataConverterFor } from '../lib/payload-codec.js';
import { loadPrincipals, writeDevelopmentPrincipals, type PrincipalDirectory } from '../api/principals.js';
import type { Directory } from '../activities/index.js';
import { parseTrustedKeys, publicKeysOf } from '../api/command-signer.js';
import type { TrustedKey } from '../workflows/contract.js';

export const WORKFLOWS_PATH = resolve(import.meta.dirname, '../workflows/index.ts');

export interface Secrets {
  personsKeyring: Keyring;
  apologySecret: Buffer;
  /** As configured or generated, for the payload codec. */
  payloadCodecKeys: string;
  /** The API's command-signing keyring (absent on a worker given only COMMAND_TRUSTED_KEYS). */
  commandSigningKeys?: string;
  /** The public keys workers trust for the API's signatures. */
  trustedKeys: TrustedKey[];
  /** The embedded Temporal UI's codec credential (`ensureUiCodecToken`), outside production only. */
  uiCodecToken?: string;
}

/**
 * The embedded default's credential for its own Temporal UI, which calls the codec endpoint without a token: a random
 * path segment (`/codec/ui/<token>`), kept in `keys.json` (mode 0600) beside the development keys. Only `npm start`
 * with the embedded dev server writes it; the API accepts it outside production only, and only from the UI's origin.
 */
export function ensureUiCodecToken(dataDir: string): string {
  const file = join(dataDir, 'keys.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const current = stored['uiCodecToken'];
  if (typeof current === 'string' && current.length >= 32) return current;
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, JSON.stringify({ ...stored, uiCodecToken: token }, null, 2), { mode: 0o600 });
  return token;
}

function storedUiCodecToken(config: Config): string | undefined {
  if (config.NODE_ENV === 'production') return undefined;
  const file = join(config.dataDir, 'keys.json');
  if (!existsSync(file)) return undefined;
  const token = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)['uiCodecToken'];
  return typeof token === 'string' && token.length >= 32 ? token : undefined;
}

export interface RuntimeFiles {
  principalsFile: string;
  vendorsFile: string;
  keysFile: string | undefined;
  created: string[];
}

/** A development command-signing key (see api/command-signer.ts). */
function signingKeyString(): string {
  return `c1:${randomBytes(32).toString('hex')}`;
}

function keyringString(): string {
  return `k1:${randomBytes(32).toString('base64')}`;
}

/**
 * Resolves the principals, vendors and key files; in the embedded default, writes development ones on first start
 * (mode 0600) and keeps them, so keys and encrypted lists stay valid across restarts.
 */
export async function prepareRuntimeFiles(config: Config, opts: { sandboxUrl?: string } = {}): Promise<RuntimeFiles> {
  mkdirSync(config.dataDir, { recursive: true });
  const created: string[] = [];
  const principalsFile = config.PRINCIPALS_FILE ? resolve(config.PRINCIPALS_FILE) : join(config.dataDir, 'principals.json');
  if (!existsSync(principalsFile)) {
    if (config.PRINCIPALS_FILE) throw new Error(`PRINCIPALS_FILE ${principalsFile} does not exist`);
    await writeDevelopmentPrincipals(principalsFile);
    created.push(principalsFile);
  }
  const vendorsFile = config.VENDORS_FILE ? resolve(config.VENDORS_FILE) : join(config.dataDir, 'vendors.json');
  if (!existsSync(vendorsFile)) {
    if (config.VENDORS_FILE) throw new Error(`VENDORS_FILE ${vendorsFile} does not exist`);
    writeVendorsFile(vendorsFile, developmentVendors(opts.sandboxUrl ?? `http://127.0.0.1:${config.SANDBOX_PORT}`));
    created.push(vendorsFile);
  }
  let keysFile: string | undefined;
  if (!config.PERSONS_ENCRYPTION_KEYS || !config.APOLOGY_CODE_SECRET || !config.PAYLOAD_CODEC_KEYS || !(config.COMMAND_SIGNING_KEYS || config.COMMAND_TRUSTED_KEYS)) {
    keysFile = join(config.dataDir, 'keys.json');
    if (!existsSync(keysFile)) {
      writeFileSync(
        keysFile,
        JSON.stringify(
          {
            personsEncryptionKeys: keyringString(),
            apologyCodeSecret: randomBytes(32).toString('base64'),
            payloadCodecKeys: keyringString(),
            commandSigningKeys: signingKeyString(),
          },
          null,
          2,
        ),
        { mode: 0o600 },
      );
      created.push(keysFile);
    } else {
      // A data folder from before command signatures: add the signing key, keep everything else as it is.
      const stored = JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, string>;
      if (!stored.commandSigningKeys) {
        writeFileSync(keysFile, JSON.stringify({ ...stored, commandSigningKeys: signingKeyString() }, null, 2), { mode: 0o600 });
      }
    }
  }
  return { principalsFile, vendorsFile, keysFile, created };
}

export function loadSecrets(config: Config, files: RuntimeFiles): Secrets {
  const stored = files.keysFile
    ? (JSON.parse(readFileSync(files.keysFile, 'utf8')) as Record<string, string>)
    : ({} as Record<string, string>);
  const persons = config.PERSONS_ENCRYPTION_KEYS ?? stored.personsEncryptionKeys;
  const apology = config.APOLOGY_CODE_SECRET ?? stored.apologyCodeSecret;
  const payload = config.PAYLOAD_CODEC_KEYS ?? stored.payloadCodecKeys;
  const signing = config.COMMAND_SIGNING_KEYS ?? (config.COMMAND_TRUSTED_KEYS ? undefined : stored.commandSigningKeys);
  if (!persons || !apology || !payload) throw new Error('encryption keys are missing (see README, Configuration)');
  const uiCodecToken = storedUiCodecToken(config);
  if (!signing && !config.COMMAND_TRUSTED_KEYS) throw new Error('command signing keys are missing (see README, Configuration)');
  return {
    personsKeyring: parseKeyring(persons),
    apologySecret: Buffer.from(apology, 'base64'),
    payloadCodecKeys: payload,
    ...(signing ? { commandSigningKeys: signing } : {}),
    trustedKeys: config.COMMAND_TRUSTED_KEYS ? parseTrustedKeys(config.COMMAND_TRUSTED_KEYS) : publicKeysOf(signing!),
    ...(uiCodecToken ? { uiCodecToken } : {}),
  };
}

export function blobStoreFor(config: Config): BlobStore {
  if (config.BLOB_STORE === 's3') {
    return createBlobStore({
      kind: 's3',
      endpoint: config.S3_ENDPOINT!,
      region: config.S3_REGION,
      bucket: config.S3_BUCKET!,
      accessKeyId: config.S3_ACCESS_KEY_ID!,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY!,
      forcePathStyle: true,
    });
  }
  return createBlobStore({ kind: 'file', dir: config.BLOB_DIR ? resolve(config.BLOB_DIR) : join(config.dataDir, 'blobs') });
}

/** Principals' e-mail addresses for the worker, from the same file (re-read when it changes) the API uses. */
export function mailDirectory(principals: PrincipalDirectory): Directory {
  const withEmail = (p: { name: string; email?: string }) => (p.email ? [{ name: p.name, email: p.email }] : []);
  return {
    emailOf: (name) => {
      const p = principals.byName(name);
      return p ? withEmail(p)[0] : undefined;
    },
    withRole: (role) => principals.list().filter((p) => p.role === role).flatMap(withEmail),
  };
}

/**
 * A worker's stop (SIGTERM, SIGINT, `shutdown()`): it stops polling at once and finishes the workflow tasks it holds
 * (milliseconds); activities still running after `graceMs` are cancelled (their attempt fails and Temporal retries
 * it on the next worker, so activities stay idempotent); after `forceMs` it gives up on whatever ignores the
 * cancellation and `done` rejects with GracefulShutdownPeriodExpiredError. Short, so that `npm start` is gone within
 * 10 s of Ctrl-C (main/start.ts) and an orchestrator's stop never reaches its SIGKILL.
 */
export const WORKER_SHUTDOWN = { graceMs: 2_000, forceMs: 4_000 } as const;

export interface RunningWorker {
  worker: Worker;
  done: Promise<void>;
  /** Stops polling and drains: 'drained', or 'abandoned' when tasks were still running at `WORKER_SHUTDOWN.forceMs`. */
  shutdown(): Promise<'drained' | 'abandoned'>;
}

export async function startWorker(
  config: Config,
  opts: { files: RuntimeFiles; secrets: Secrets; workflowBundle?: WorkflowBundleOption; vendors?: VendorEntry[] },
): Promise<RunningWorker> {
  const connection = await createWorkerConnection(config);
  const clientConnection: Connection = await connectWithRetry(clientConnectionOptions(config));
  const dataConverter = dataConverterFor(parseKeyring(opts.secrets.payloadCodecKeys));
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const vendorsFile = opts.files.vendorsFile;
  const vendors = () => opts.vendors ?? loadVendors(vendorsFile);
  const baseUrls = new Map(vendors().map((v) => [v.vendorId, v.baseUrl]));
  const mailer = createMailer({
    host: config.SMTP_HOST ?? '127.0.0.1',
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    ...(config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASS ?? '' } : {}),
    from: config.MAIL_FROM,
    pool: { maxConnections: config.SMTP_POOL_CONNECTIONS, maxMessages: 1000 },
  });
  const activities = createActivities({
    mailer,
    mailDomain: config.MAIL_DOMAIN,
    directory: mailDirectory(loadPrincipals(opts.files.principalsFile)),
    vendors: createVendorClient({
      baseUrl: (id) => config.VENDOR_BASE_URL ?? baseUrls.get(id) ?? vendors().find((v) => v.vendorId === id)?.baseUrl ?? '',
      timeoutMs: config.VENDOR_TIMEOUT_MS,
    }),
    payments: createPaymentClient({
      baseUrl: config.PAYMENTS_BASE_URL ?? `http://127.0.0.1:${config.SANDBOX_PORT}`,
      timeoutMs: config.VENDOR_TIMEOUT_MS,
    }),
    panel: () => panelOf(vendors()),
    temporal: { client, taskQueue: config.TEMPORAL_TASK_QUEUE },
    persons: { store: blobStoreFor(config), keyring: opts.secrets.personsKeyring },
    journal: createFileJournal(join(config.dataDir, 'journal')),
    apologySecret: opts.secrets.apologySecret,
    noticeConcurrency: config.NOTICE_CONCURRENCY,
    trustedKeys: () => opts.secrets.trustedKeys,
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter,
    workflowBundle: opts.workflowBundle ?? (await bundleWorkflows()),
    activities,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    shutdownGraceTime: WORKER_SHUTDOWN.graceMs,
    shutdownForceTime: WORKER_SHUTDOWN.forceMs,
  });
  const done = worker.run().finally(async () => {
    mailer.close();
    await clientConnection.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
  });
  return {
    worker,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      try {
        await done;
        return 'drained';
      } catch (err) {
        if (err instanceof GracefulShutdownPeriodExpiredError || (err as Error | undefined)?.name === 'GracefulShutdownPeriodExpiredError') return 'abandoned';
        throw err;
      }
    },
  };
}

/**
 * Modules the worker evaluates once in its reusable V8 context and shares across workflows (the SDK's
 * `preloadModules`): pure ones only, holding no per-workflow state and never importing `@temporalio/workflow` (see
 * workflows/preloaded/). Every other module is evaluated afresh for each workflow task, since workers keep no workflow
 * cache: the domain, evaluated per task, was half of a young case's replay (44 ms CPU, 21 ms with its rules preloaded
 * here and its schemas built once per worker by workflows/preloaded/schemas.ts; bench/replay-cost.ts). The SDK
 * deep-freezes what these modules export, so workflow code must never mutate it (copy before sorting), and none may
 * build a zod schema when evaluated (zod changes a schema on its first use, which a frozen one refuses).
 */
export const PRELOADED_WORKFLOW_MODULES = [
  resolve(import.meta.dirname, '../workflows/preloaded/signatures.ts'),
  resolve(import.meta.dirname, '../workflows/preloaded/schemas.ts'),
  resolve(import.meta.dirname, '../domain/rules.ts'),
  'zod',
];

export async function bundleWorkflows(): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, preloadModules: PRELOADED_WORKFLOW_MODULES, logger: new DefaultLogger('WARN') });
}
