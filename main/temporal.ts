import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from './config.js';
import { CASE_SEARCH_ATTRIBUTES } from '../workflows/contract.js';

const projectRoot = resolve(import.meta.dirname, '..');

/** Where the pinned binaries live unless the environment names others (see scripts/setup.mjs). */
export function temporalBinaries(config: Pick<Config, 'TEMPORAL_CLI_PATH' | 'TEMPORAL_TEST_SERVER_PATH'>): {
  cli: string;
  testServer: string;
} {
  return {
    cli: config.TEMPORAL_CLI_PATH ?? join(projectRoot, '.tools/temporal/bin/temporal'),
    testServer: config.TEMPORAL_TEST_SERVER_PATH ?? join(projectRoot, '.tools/temporal/bin/temporal-test-server'),
  };
}

function tlsOptions(config: Config): ConnectionOptions['tls'] {
  if (!config.TEMPORAL_TLS && !config.TEMPORAL_TLS_CERT_PATH && !config.TEMPORAL_API_KEY) return undefined;
  return {
    serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME,
    serverRootCACertificate: config.TEMPORAL_TLS_CA_PATH ? readFileSync(config.TEMPORAL_TLS_CA_PATH) : undefined,
    clientCertPair:
      config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH
        ? { crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH), key: readFileSync(config.TEMPORAL_TLS_KEY_PATH) }
        : undefined,
  };
}

export function temporalAddress(config: Config): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_EMBEDDED_PORT}`;
}

/**
 * What one answer from Temporal may weigh. Visibility lists carry every case's memo, which holds its read model
 * (10-15 KB, growing with its timeline), so a page of 100 long cases can pass gRPC's default of 4 MiB.
 */
export const MAX_RECEIVE_MESSAGE_BYTES = 64 * 1024 * 1024;

export function clientConnectionOptions(config: Config): ConnectionOptions {
  return {
    address: temporalAddress(config),
    tls: tlsOptions(config),
    apiKey: config.TEMPORAL_API_KEY,
    channelArgs: { 'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES },
  };
}

export function workerConnectionOptions(config: Config): NativeConnectionOptions {
  return { address: temporalAddress(config), tls: tlsOptions(config), apiKey: config.TEMPORAL_API_KEY };
}

/** Connects, retrying while a freshly started server is still opening its port. */
export async function connectWithRetry(options: ConnectionOptions, timeoutMs = 60_000): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ ...options, connectTimeout: 2_000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${options.address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

export async function createClient(config: Config): Promise<{ client: Client; connection: Connection }> {
  const connection = await connectWithRetry(clientConnectionOptions(config));
  return { connection, client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }) };
}

export async function createWorkerConnection(config: Config): Promise<NativeConnection> {
  return NativeConnection.connect(workerConnectionOptions(config));
}

/**
 * Registers the case list's search attributes when missing. The dev server registers `--search-attribute` flags only
 * when it creates the namespace, so an existing SQLite file from an older version needs this; on a cluster it is the
 * operator's job and may be refused (then we only warn).
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const have = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = CASE_SEARCH_ATTRIBUTES.filter((a) => !have.has(a.name));
  if (missing.length === 0) return [];
  await addSearchAttributes(connection, namespace, missing);
  return missing.map((a) => a.name);
}

/** Registers the given case-list search attributes (all of them by default) without asking which exist. */
export async function addSearchAttributes(
  connection: Connection,
  namespace: string,
  attributes: readonly { name: string; indexedValueType: number }[] = CASE_SEARCH_ATTRIBUTES,
): Promise<void> {
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(attributes.map((a) => [a.name, a.indexedValueType])),
  });
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` on a SQLite file, with the case list's search attributes. */
export async function startDevServer(opts: {
  cli: string;
  port: number;
  uiPort?: number;
  dbFile?: string;
  namespace: string;
  logFile?: string;
  /** Where the Temporal UI asks to decrypt payloads (the API's /codec). */
  uiCodecEndpoint?: string;
  /** `--dynamic-config-value KEY=JSON` entries, e.g. to make a test server suggest continue-as-new early. */
  dynamicConfig?: Record<string, string>;
  /**
   * Its own process group: a terminal's Ctrl-C then reaches only the caller, which stops the server last (after the
   * worker has drained), instead of the server going first and the worker retrying against a closed port.
   */
  ownProcessGroup?: boolean;
  /** The server's process as soon as it is spawned, before it is ready (to stop it if start-up is interrupted). */
  onSpawn?: (child: ChildProcess) => void;
}): Promise<DevServer> {
  if (!existsSync(opts.cli)) {
    throw new Error(`Temporal CLI not found at ${opts.cli}: run \`npm run setup\` or set TEMPORAL_CLI_PATH`);
  }
  if (opts.dbFile) await mkdir(resolve(opts.dbFile, '..'), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    '--sqlite-pragma',
    'journal_mode=WAL',
    ...(opts.dbFile ? ['--db-filename', opts.dbFile] : []),
    ...(opts.uiPort ? ['--ui-port', String(opts.uiPort)] : ['--headless']),
    ...(opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
    // A case's whole memo (its read model, written with the start and carried over by continue-as-new) is a few KiB:
    // above the server's 2 KiB warning threshold, far below its 2 MiB limit (see workflows/contract/read-model.ts).
    ...Object.entries({ 'limit.memoSize.warn': '65536', ...opts.dynamicConfig }).flatMap(([k, v]) => ['--dynamic-config-value', `${k}=${v}`]),
    ...CASE_SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=${a.cliType}`]),
  ];
  const child = spawn(opts.cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownProcessGroup ?? false });
  opts.onSpawn?.(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const address = `127.0.0.1:${opts.port}`;
  const ready = connectWithRetry({ address }, 60_000);
  const early = exited.then((code) => {
    throw new Error(`temporal server exited early (code ${code}):\n${output}`);
  });
  const connection = await Promise.race([ready, early]);
  await ensureSearchAttributes(connection, opts.namespace);
  await connection.close();
  return {
    address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited.catch(() => undefined);
      clearTimeout(timer);
    },
  };
}
