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
  const stop = () => {
    if (closing) return;
    closing = true;
    api.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
