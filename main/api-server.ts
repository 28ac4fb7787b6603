import { createServer, type Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { Client } from '@temporalio/client';
import type { Config } from './config.js';
import { clientConnectionOptions, connectWithRetry } from './temporal.js';
import { blobStoreFor, type RuntimeFiles, type Secrets } from './runtime.js';
import { livePanel, loadVendors } from './vendors.js';
import { answerClientError, buildApp } from '../api/app.js';
import { loadPrincipals } from '../api/principals.js';
import { createEncryptionCodec, dataConverterFor } from '../lib/payload-codec.js';
import { parseKeyring } from '../storage/crypto.js';
import { DEFAULT_CASE_SETTINGS, type CaseSettings } from '../workflows/contract.js';
import { commandSigner } from '../api/command-signer.js';

export interface RunningApi {
  server: Server;
  url: string;
  client: Client;
  /**
   * Stops taking requests (the listening socket closes at once), lets requests in flight finish for up to `graceMs`
   * (10 s by default) while closing each keep-alive connection as soon as it is idle, then cuts what is left and
   * closes the Temporal connection.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
}

/** The API process's listener over `buildApp`; graceful close: stop accepting, finish requests, then disconnect. */
export async function startApiServer(
  config: Config,
  opts: { files: RuntimeFiles; secrets: Secrets; logger?: Logger; caseSettings?: CaseSettings },
): Promise<RunningApi> {
  const logger = opts.logger ?? pino({ level: config.LOG_LEVEL });
  const connection = await connectWithRetry(clientConnectionOptions(config));
  const payloadKeys = parseKeyring(opts.secrets.payloadCodecKeys);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(payloadKeys) });
  const principals = loadPrincipals(opts.files.principalsFile, {
    onReloadError: (err) => logger.error({ err: err.message }, 'principals file reload failed; keeping the last good list'),
  });
  // The embedded Temporal UI's own page (main/start.ts binds it to 127.0.0.1).
  const uiOrigins = [`http://127.0.0.1:${config.TEMPORAL_UI_PORT}`, `http://localhost:${config.TEMPORAL_UI_PORT}`];
  const app = buildApp({
    config,
    temporal: { client, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE },
    principals,
    blobStore: blobStoreFor(config),
    keyring: opts.secrets.personsKeyring,
    vendors: loadVendors(opts.files.vendorsFile).map((v) => ({ vendorId: v.vendorId, role: v.role, name: v.name, secrets: v.secrets })),
    panel: livePanel(opts.files.vendorsFile, (err) => logger.error({ err: err.message }, 'vendors file reload failed; keeping the last good panel')),
    logger,
    limits: { uploadMaxBytes: config.UPLOAD_MAX_BYTES, documentMaxBytes: config.DOCUMENT_MAX_BYTES, uploadMaxRows: config.UPLOAD_MAX_ROWS, commandWaitMs: config.COMMAND_WAIT_MS, searchIndex: { warm: true, maxCases: config.SEARCH_INDEX_MAX_CASES } },
    caseSettings: opts.caseSettings ?? { ...DEFAULT_CASE_SETTINGS, vendorAckSlaMs: config.VENDOR_ACK_SLA_MS },
    payloadCodec: createEncryptionCodec(payloadKeys),
    codecOrigins: [...uiOrigins, ...(config.CODEC_CORS_ORIGINS ?? [])],
    ...(opts.secrets.uiCodecToken ? { uiCodec: { token: opts.secrets.uiCodecToken, origins: uiOrigins } } : {}),
    apologySecret: opts.secrets.apologySecret,
    signer: commandSigner(requireSigningKeys(opts.secrets.commandSigningKeys)),
  });
  // Slow clients are cut off rather than holding sockets forever: headers within HEADERS_TIMEOUT_MS, the whole request
  // within REQUEST_TIMEOUT_MS, checked often enough for the shorter of the two to mean what it says.
  const server = createServer(
    { connectionsCheckingInterval: Math.max(250, Math.min(30_000, Math.floor(Math.min(config.HEADERS_TIMEOUT_MS, config.REQUEST_TIMEOUT_MS) / 4))) },
    app,
  );
  server.requestTimeout = config.REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(config.HEADERS_TIMEOUT_MS, config.REQUEST_TIMEOUT_MS);
  // What Node refuses before Express sees a request (headers too large, timeouts, bad framing), as problem+json too.
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return {
    server,
    client,
    url: `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`,
    async close(closeOpts = {}) {
      await new Promise<void>((resolve) => {
        // A connection whose response just ended is idle: close it rather than wait for the client's keep-alive.
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        const force = setTimeout(() => server.closeAllConnections(), closeOpts.graceMs ?? 10_000);
        server.close(() => {
          clearInterval(idle);
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      await connection.close();
    },
  };
}

/** The API signs every command; a process given only the public keys (COMMAND_TRUSTED_KEYS) can be a worker, not the API. */
function requireSigningKeys(keys: string | undefined): string {
  if (!keys) throw new Error('COMMAND_SIGNING_KEYS is required by the API (COMMAND_TRUSTED_KEYS is for workers)');
  return keys;
}
