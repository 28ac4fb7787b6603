/**
 * The worker process: polls the task queue for case, campaign and policy-ledger tasks and runs the activities.
 * Stateless: kill it at any moment and start another; Temporal hands its work to whichever worker polls next.
 */
import { loadConfig, ConfigError } from './config.js';
import { loadSecrets, prepareRuntimeFiles, startWorker } from './runtime.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const files = await prepareRuntimeFiles(config);
  const running = await startWorker(config, { files, secrets: loadSecrets(config, files) });
  console.log(`[worker] polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_EMBEDDED_PORT}`}`);
  const stop = () => void running.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await running.done;
  console.log('[worker] stopped');
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
