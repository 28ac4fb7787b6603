/**
 * The chaos soak, short: a few cases through the embedded stack run as processes (own Temporal dev server, API and
 * worker as child processes, sandbox vendors failing 30 % of calls), with the worker SIGKILLed once mid-run. Same
 * driver and checks as `bench/chaos.ts`; the Temporal restart is left to the long run.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, runChaos } from '../../bench/lib/chaos-driver.js';

describe('chaos soak (short)', () => {
  it('closes every case with one payment per payout and one notice per person despite a worker SIGKILL', { timeout: 240_000 }, async () => {
    const lines: string[] = [];
    const report = await runChaos({
      seed: 42,
      cases: 4,
      minutes: 3,
      concurrency: 4,
      // Late acknowledgements would only add waiting here; the long run has them.
      faults: { rate: 0.3, modes: ['5xx', 'timeout'] },
      kills: { firstAfterMs: 4_000, minGapMs: 1_000_000, maxGapMs: 1_000_000, max: 1 },
      temporalRestart: null,
      personsPerCase: [3, 5],
      log: (l) => lines.push(l),
    });
    const text = formatReport(report);
    console.log(`${lines.join('\n')}\n${text}`);
    expect(report.figures.kills, text).toBe(1);
    expect(report.failures, text).toEqual([]);
    expect(report.figures.closed).toBe(4);
    expect(report.figures.payouts.maxPerPayoutId).toBeLessThanOrEqual(1);
    expect(report.figures.notices.missing).toBe(0);
    expect(report.figures.stuck).toEqual([]);
    expect(report.figures.failed).toEqual([]);
    // Every history of the run (cases, campaigns, ledgers) replays on today's code: the check that caught
    // sdk-rust #943/#1146 in the long run, kept here so that it runs on every change.
    expect(report.figures.replayed).toBeGreaterThanOrEqual(4 + 4 + 1);
    expect(report.figures.replayFailures, text).toEqual([]);
    expect(report.ok, text).toBe(true);
  });
});
