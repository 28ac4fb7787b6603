/**
 * A clean stop (issue "Reads that never wait on a worker", item 6): Ctrl-C on `npm start` with 100 open cases stops
 * the API first, then drains the worker, then the Temporal dev server, the mail catcher and the sandbox, in that order;
 * everything is gone within 10 s and the worker never retries a task completion against a server that is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alivePid, startNpmStart, type NpmStart } from '../support/npm-start.js';
import { policyBody, reportBody } from '../support/fixtures.js';
import { until } from '../support/wait.js';

const OPEN_CASES = 100;
const STOP_BOUND_MS = 10_000;

let run: NpmStart;
beforeAll(async () => {
  run = await startNpmStart({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
});
afterAll(async () => {
  await run?.cleanup();
});

async function call(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${run.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, text: await res.text() };
}

describe('npm start stops cleanly', () => {
  it(`on Ctrl-C with ${OPEN_CASES} open cases: api → worker → temporal → mail → sandbox, all gone within 10 s, no retries`, async () => {
    const keys = run.keys();
    const policyNumber = 'PL-CLEAN-STOP-1';
    const put = await call('PUT', `/v1/policies/${policyNumber}`, keys.admin!, policyBody());
    expect(put.status, put.text).toBe(201);

    const filedStarted = Date.now();
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < OPEN_CASES) {
          const i = next++;
          const r = await call('POST', '/v1/cases', keys['insured-ins-001']!, reportBody(policyNumber), { 'idempotency-key': `clean-stop-${i}` });
          statuses.push(r.status);
          if (r.status !== 201) throw new Error(`case ${i}: ${r.status} ${r.text}`);
        }
      }),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(OPEN_CASES);
    console.log(`[clean-stop] ${OPEN_CASES} cases filed in ${Date.now() - filedStarted} ms`);

    const pids = [...new Set([...Object.values(run.runPids()), ...run.processes()])];
    expect(Object.keys(run.runPids()).sort()).toEqual(['api', 'start', 'temporal', 'worker']);
    const beforeStop = run.output().length;

    // Ctrl-C: SIGINT to the whole process group, as a terminal sends it.
    const t0 = performance.now();
    run.signal('SIGINT');
    const exit = await Promise.race([run.exited, new Promise<undefined>((r) => setTimeout(r, STOP_BOUND_MS + 5_000))]);
    const left = await until(
      () => [...new Set([...pids, ...run.processes()])].filter(alivePid),
      (l) => l.length === 0,
      Math.max(0, STOP_BOUND_MS + 5_000 - (performance.now() - t0)),
      undefined,
      50,
    );
    const elapsed = Math.round(performance.now() - t0);
    const stopLog = run.output().slice(beforeStop);
    console.log(`[clean-stop] stopped in ${elapsed} ms with ${OPEN_CASES} open cases\n${stopLog}`);

    expect(exit, `npm start did not exit:\n${stopLog}`).toBeDefined();
    expect(left, 'processes left after the stop').toEqual([]);
    expect(elapsed).toBeLessThan(STOP_BOUND_MS);
    const steps = [...stopLog.matchAll(/^\[stop\] (\w+) stopped/gm)].map((m) => m[1]);
    expect(steps).toEqual(['api', 'worker', 'temporal', 'mail', 'sandbox']);
    expect(stopLog).toContain('[start] stopped');
    expect(stopLog).not.toMatch(/respond_workflow_task_completed|temporal_client::retry|retried \d+ times|will retry/i);
    // The supervisor itself ended with 0; npm relays it (or, Ctrl-C having reached npm too, the signal).
    expect(exit!.code === 0 || exit!.signal === 'SIGINT', JSON.stringify(exit)).toBe(true);
  });
});
