/**
 * The worker process: polls the task queue for case, campaign, policy-ledger and consultation tasks and runs the activities.
 * Stateless: kill it at any moment and start another; Temporal hands its work to whichever worker polls next.
 *
 * SIGTERM or SIGINT drains it (main/runtime.ts, WORKER_SHUTDOWN): no new polls, the workflow tasks it holds are
 * completed, running activities get a short grace and are then cancelled (Temporal retries them elsewhere), and the
 * process exits 0. Under `npm start` it also drains when its supervisor disappears (the IPC channel closes).
 */
import { loadConfig, ConfigError } from './config.js';
import { loadSecrets, prepareRuntimeFiles, startWorker, type RunningWorker } from './runtime.js';

let running: RunningWorker | undefined;
let draining: Promise<'drained' | 'abandoned'> | undefined;
let stopRequested = false;

function stop(why: string): void {
  if (stopRequested) return;
  stopRequested = true;
  if (!running) {
    console.log(`[worker] stopped before polling (${why})`);
    process.exit(0);
  }
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
}

// Before anything else, so that a stop during start-up (bundling takes seconds) is not missed.
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
if (process.channel) process.once('disconnect', () => stop('supervisor gone'));

async function main(): Promise<void> {
  const config = loadConfig();
  const files = await prepareRuntimeFiles(config);
  running = await startWorker(config, { files, secrets: loadSecrets(config, files) });
  console.log(`[worker] polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_EMBEDDED_PORT}`}`);
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
