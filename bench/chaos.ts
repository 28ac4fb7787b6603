/**
 * Chaos soak: drives cases from report to close through the embedded stack while the worker is SIGKILLed at seeded
 * moments, the Temporal dev server restarts once and the sandbox vendors fail 30 % of calls; then checks payments per
 * payout id, notices per person, obligations and workflow statuses. Exit code 1 when a check fails.
 *
 *   npx tsx bench/chaos.ts --seed 1 --cases 100 --minutes 10
 *
 * Options: --seed N, --cases N, --minutes N (bound on driving; checks take a minute more), --concurrency N,
 * --no-restart (skip the Temporal restart), --fault-rate 0.3, --kill-gap 40-90 (seconds between worker SIGKILLs),
 * --keep (keep the data folder), --json (the figures as JSON too), --cluster (on a real Temporal cluster on PostgreSQL,
 * main/cluster.ts: the restart then kills its history service and, 15-25 s later, PostgreSQL).
 */
import { parseArgs } from 'node:util';
import { formatReport, runChaos } from './lib/chaos-driver.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    cases: { type: 'string', default: '100' },
    minutes: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '25' },
    'fault-rate': { type: 'string', default: '0.3' },
    'no-restart': { type: 'boolean', default: false },
    'kill-gap': { type: 'string', default: '40-90' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    cluster: { type: 'boolean', default: false },
  },
});

const minutes = Number(values.minutes);
const [minGapS, maxGapS] = values['kill-gap'].split('-').map(Number);
if (!(minGapS! > 0 && maxGapS! >= minGapS!)) throw new Error('--kill-gap takes MIN-MAX seconds, e.g. 40-90');
const report = await runChaos({
  seed: Number(values.seed),
  cases: Number(values.cases),
  minutes,
  concurrency: Number(values.concurrency),
  faults: { rate: Number(values['fault-rate']), modes: ['5xx', 'timeout', 'slow_ack'] },
  kills: { firstAfterMs: 20_000, minGapMs: minGapS! * 1000, maxGapMs: maxGapS! * 1000, max: 1_000 },
  // On a cluster two kills follow (history, then PostgreSQL 15-25 s later): early enough that both fall inside a short run.
  temporalRestart: values['no-restart']
    ? null
    : values.cluster
      ? { afterMinMs: 20_000, afterMaxMs: 35_000 }
      : { afterMinMs: 45_000, afterMaxMs: Math.max(60_000, minutes * 60_000 * 0.3) },
  keepDataDir: values.keep,
  cluster: values.cluster,
});
console.log(formatReport(report));
if (values.json) console.log(JSON.stringify(report.figures, null, 2));
process.exit(report.ok ? 0 : 1);
