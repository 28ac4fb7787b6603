/** The API process: the public HTTP API and pages. Stateless; run as many as you like behind a load balancer. */
import { loadConfig, ConfigError } from './config.js';
import { loadSecrets, prepareRuntimeFiles } from './runtime.js';
import { startApiServer, type RunningApi } from './api-server.js';

let api: RunningApi | undefined;
let closing = false;

// SIGTERM/SIGINT: stop taking requests, finish those in flight (see RunningApi.close), exit. Under `npm start` also
// when the supervisor disappears (its IPC channel closes), so that no API outlives it.
function stop(why: string): void {
  if (closing) return;
  closing = true;
  if (!api) {
    console.log(`[api] stopped before listening (${why})`);
    process.exit(0);
  }
  const started = Date.now();
  console.log(`[api] closing (${why})`);
  api.close().then(
    () => {
      console.log(`[api] stopped in ${Date.now() - started} ms`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error('[api] failed while closing:', err);
      process.exit(1);
    },
  );
}

// Before anything else, so that a stop during start-up is not missed.
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
if (process.channel) process.once('disconnect', () => stop('supervisor gone'));

async function main(): Promise<void> {
  const config = loadConfig();
  const files = await prepareRuntimeFiles(config);
  api = await startApiServer(config, { files, secrets: loadSecrets(config, files) });
  console.log(`[api] listening on ${api.url}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
