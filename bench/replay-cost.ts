// What a replay costs the worker: workers keep no workflow cache (WORKER_MAX_CACHED_WORKFLOWS=0), so every workflow
// task replays its run from the first event, and this is the price of each task of a case of that length.
//
//   npx tsx bench/replay-cost.ts [history.json ...] [--times 20]
//
// Replays each history (default: the newest golden history of each scenario in test/workflows/golden) `--times` times on today's
// workflow bundle and prints milliseconds per replay and per event, in wall time and in this process's CPU time (the
// worker's own cost, less disturbed by whatever else the machine runs).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflows } from '../main/runtime.js';
import { newestGoldens } from './lib/goldens.js';

const { values, positionals } = parseArgs({ options: { times: { type: 'string', default: '20' } }, allowPositionals: true });
const times = Number(values.times);
const files = positionals.length > 0 ? positionals : newestGoldens();
const workflowBundle = await bundleWorkflows();

for (const file of files) {
  const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
  const events = history.events?.length ?? 0;
  const runs = (n: number) => Array.from({ length: n }, (_, i) => ({ workflowId: `replay-${i}`, history }));
  for await (const r of Worker.runReplayHistories({ workflowBundle }, runs(1))) if (r.error) throw r.error;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for await (const r of Worker.runReplayHistories({ workflowBundle }, runs(times))) if (r.error) throw r.error;
  const cpu = process.cpuUsage(cpu0);
  const ms = (performance.now() - t0) / times;
  const cpuMs = (cpu.user + cpu.system) / 1000 / times;
  console.log(
    `${file.split('/').pop()}: ${events} events, ${ms.toFixed(1)} ms per replay (${cpuMs.toFixed(1)} ms CPU), ${(ms / Math.max(events, 1)).toFixed(2)} ms per event`,
  );
}
