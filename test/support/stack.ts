/**
 * The whole product in this test process on the run's shared dev server: real worker with real activities (SMTP into
 * an in-process sink, vendors and payments against the sandbox over HTTP, encrypted blob store), real API over HTTP.
 * Each stack has its own data folder and task queue, so files running side by side never meet.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../main/config.js';
import { loadSecrets, prepareRuntimeFiles, startWorker, type RunningWorker } from '../../main/runtime.js';
import { startApiServer, type RunningApi } from '../../main/api-server.js';
import { loadVendors } from '../../main/vendors.js';
import { startSandbox, type SandboxTiming, type VendorSandbox } from '../../sandbox/vendor-service.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
import { uniqueId } from './fixtures.js';
import type { CaseSettings } from '../../workflows/contract.js';
import type { DevelopmentPrincipal } from '../../api/principals.js';
import type { Json } from './json.js';

export interface Stack {
  url: string;
  config: Config;
  api: RunningApi;
  /** Absent with `inProcessWorker: false`: the test runs `main/worker.ts` itself (see `workerEnv`). */
  worker: RunningWorker | undefined;
  sandbox: VendorSandbox;
  smtp: SmtpSink;
  /** API keys by principal name (admin, ops, handler, supervisor, insured-ins-001, insured-ins-002). */
  keys: Record<string, string>;
  /** A second API process's worth (its own caches) on the same data, Temporal and task queue: as behind a load balancer. */
  anotherApi(): Promise<RunningApi>;
  principalsFile: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startStack(
  opts: {
    sandboxTiming?: Partial<SandboxTiming>;
    caseSettings?: CaseSettings;
    env?: Record<string, string>;
    /** The API's logger (silent by default); the privacy test passes one writing to a buffer. */
    logger?: Logger;
    /** False: no worker in this process; a test that kills workers starts `main/worker.ts` with `workerEnv(stack)`. */
    inProcessWorker?: boolean;
  } = {},
): Promise<Stack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'breach-claims-stack-'));
  const smtp = await startSmtpSink();
  // The sandbox needs the API's URL for webhooks and the API needs the vendors file: start the sandbox first on a
  // free port with a late-bound webhook URL.
  let apiUrl = '';
  const config = loadConfig({
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: uniqueId('tq'),
    PORT: '0',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    ...opts.env,
  });
  const files = await prepareRuntimeFiles(config, { sandboxUrl: 'http://127.0.0.1:1' });
  const vendors = loadVendors(files.vendorsFile);
  const sandbox = await startSandbox({
    port: 0,
    vendors: vendors.map((v) => ({ vendorId: v.vendorId, role: v.role, secret: v.secrets, ...(v.phone ? { phone: v.phone } : {}) })),
    webhookUrl: (vendorId) => `${apiUrl}/v1/webhooks/vendors/${encodeURIComponent(vendorId)}`,
    seed: 7,
    timing: { ackDelayMs: 100, findingsDelayMs: 300, invoiceDelayMs: 300, lettersDelayMs: 100, webhookRetryMs: 200, ...opts.sandboxTiming },
  });
  const wired = { ...config, VENDOR_BASE_URL: sandbox.url, PAYMENTS_BASE_URL: sandbox.url };
  const secrets = loadSecrets(wired, files);
  const worker =
    opts.inProcessWorker === false
      ? undefined
      : await startWorker(wired, {
          files,
          secrets,
          workflowBundle: { codePath: inject('workflowBundlePath') },
        });
  const api = await startApiServer(wired, {
    files,
    secrets,
    logger: opts.logger ?? pino({ level: 'silent' }),
    ...(opts.caseSettings ? { caseSettings: opts.caseSettings } : {}),
  });
  apiUrl = api.url;
  const others: RunningApi[] = [];
  const principals = JSON.parse(await readFile(files.principalsFile, 'utf8')) as DevelopmentPrincipal[];
  return {
    url: api.url,
    config: wired,
    api,
    worker,
    sandbox,
    smtp,
    keys: Object.fromEntries(principals.map((p) => [p.name, p.key])),
    principalsFile: files.principalsFile,
    dataDir,
    async anotherApi() {
      const another = await startApiServer(wired, { files, secrets, logger: opts.logger ?? pino({ level: 'silent' }) });
      others.push(another);
      return another;
    },
    async stop() {
      for (const other of others) await other.close();
      await api.close();
      await worker?.shutdown();
      await sandbox.close();
      await smtp.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The environment that makes `main/worker.ts` the stack's worker: same data folder (keys), task queue and services. */
export function workerEnv(stack: Stack): Record<string, string> {
  const c = stack.config;
  return {
    DATA_DIR: stack.dataDir,
    TEMPORAL_ADDRESS: c.TEMPORAL_ADDRESS!,
    TEMPORAL_TASK_QUEUE: c.TEMPORAL_TASK_QUEUE,
    SMTP_HOST: c.SMTP_HOST ?? '127.0.0.1',
    SMTP_PORT: String(c.SMTP_PORT),
    VENDOR_BASE_URL: c.VENDOR_BASE_URL!,
    PAYMENTS_BASE_URL: c.PAYMENTS_BASE_URL!,
    LOG_LEVEL: 'silent',
  };
}

/** fetch against the stack with a principal's key. */
export function as(stack: Stack, principal: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${stack.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.keys[principal]}`,
        ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json: json as Json, text };
  };
}
