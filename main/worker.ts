/**
 * The worker process: polls the task queue for case, campaign and policy-ledger tasks and runs the activities.
 * Stateless: kill it at any moment and start another; Temporal hands its work to whichever worker polls next.
 *
 * SIGTERM or SIGINT drains it (main/runtime.ts, WORKER_SHUTDOWN): no new polls, the workflow tasks it holds are
 * completed, running activities get a short grace and are then cancelled (Temporal retries them elsewhere), and the
 * process exits 0. Under `npm start` it also drains when its supervisor disappears (the IPC channel closes).
 */
import { loadConfig, ConfigError } from './config.js';
import { loadSecrets, prepareRuntimeFiles, startWorker } from './runtime.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const files = await prepareRuntimeFiles(config);
  const running = await startWorker(config, { files, secrets: loadSecrets(config, files) });
  console.log(`[worker] polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_EMBEDDED_PORT}`}`);
  let draining: Promise<'drained' | 'abandoned'> | undefined;
  const stop = (why: string) => {
    if (draining) return;
    const started = Date.now();
    console.log(`[worker] draining (${why})`);
    draining = running.shutdown();
    draining.then(
      (outcome) => {
        console.log(`[worker] stopped in ${Date.now() - started} ms${outcome === 'abandoned' ? ' (tasks still running were abandoned; Temporal retries them)' : ''}`);
        process.exit(0);
      },
      (err: unknown) => {
        console.error('[worker] failed while draining:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (process.channel) process.once('disconnect', () => stop('supervisor gone'));
  try {
    await running.done;
  } catch (err) {
    if (draining) return; // the drain reports how it ended
    throw err; // a fatal error: exit 1, and a supervisor restarts the worker
  }
  if (!draining) {
    // Stopped by one of the SDK's other shutdown signals (SIGQUIT, SIGUSR2).
    console.log('[worker] stopped');
    process.exit(0);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
