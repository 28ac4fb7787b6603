/** The API process: the public HTTP API and pages. Stateless; run as many as you like behind a load balancer. */
import { loadConfig, ConfigError } from './config.js';
import { loadSecrets, prepareRuntimeFiles } from './runtime.js';
import { startApiServer } from './api-server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const files = await prepareRuntimeFiles(config);
  const api = await startApiServer(config, { files, secrets: loadSecrets(config, files) });
  console.log(`[api] listening on ${api.url}`);
  let closing = false;
  // SIGTERM/SIGINT: stop taking requests, finish those in flight (see RunningApi.close), exit. Under `npm start` also
  // when the supervisor disappears (its IPC channel closes), so that no API outlives it.
  const stop = (why: string) => {
    if (closing) return;
    closing = true;
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
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (process.channel) process.once('disconnect', () => stop('supervisor gone'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
