/**
 * A worker killed while intake's dispatches are in flight: the real worker (`main/worker.ts`) runs in a child process
 * against the run's dev server; the API, sandbox and SMTP sink run here (test/support/stack.ts without its in-process
 * worker). The sandbox takes the dispatches and holds its answers; once one is recorded the worker is SIGKILLed, the
 * fault cleared and a new worker started. The case's activities heartbeat while in flight (a 10 s heartbeat time-out,
 * workflows/case/activities.ts), so the new worker retries the dead attempts well inside their start-to-close minute,
 * and the dispatch ids make the retries find the dispatches already received.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { until } from '../support/wait.js';
import { caseWorkflowId } from '../../workflows/contract.js';
import { WorkerProcesses } from '../support/worker-process.js';

let stack: Stack;
let connection: Connection;
let client: Client;
const workers = new WorkerProcesses(() => stack);

beforeAll(async () => {
  stack = await startStack({ inProcessWorker: false, sandboxTiming: { holdMs: 20_000 } });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  await workers.start();
});
afterAll(async () => {
  await workers.stopAll();
  await connection?.close();
  await stack?.stop();
});

describe('intake when the worker is killed during its dispatches', () => {
  it('engages counsel and forensics once, retried before the start-to-close time-out', { timeout: 90_000 }, async () => {
    const admin = as(stack, 'admin');
    const insured = as(stack, 'insured-ins-001');
    const handler = as(stack, 'handler');
    const policyNumber = uniqueId('PL');
    expect((await admin('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);

    stack.sandbox.setFaults({ rate: 1, modes: ['timeout'], seed: 5 });
    const created = await insured('POST', '/v1/cases', reportBody(policyNumber), { 'idempotency-key': uniqueId('k') });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const caseId: string = created.json.caseId;
    await until(
      () => stack.sandbox.dispatches().filter((d) => d.caseId === caseId),
      (ds) => ds.length > 0,
      30_000,
      'a dispatch at the sandbox',
    );
    const killedAt = await workers.killAndReplace();

    // Both dispatch activities completed within 45 s of the kill: a retry that waited for the start-to-close minute
    // would not make it. (The view is no proof: the vendors' acknowledgements reach it while the dispatches still
    // wait for their answers.)
    const dispatchesDone = async () => {
      const events = (await client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory()).events ?? [];
      const dispatches = new Set(
        events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'dispatchVendor').map((e) => String(e.eventId)),
      );
      return events.filter((e) => dispatches.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId))).length;
    };
    await until(dispatchesDone, (n) => n === 2, 45_000, 'both dispatch activities completed');
    console.log(`[dispatch-kill] both dispatches completed ${Date.now() - killedAt} ms after the kill`);
    const engaged = await handler('GET', `/v1/cases/${caseId}`);
    expect(engaged.json.vendors.map((e: { role: string }) => e.role)).toEqual(['counsel', 'forensics']);
    const received = stack.sandbox.dispatches().filter((d) => d.caseId === caseId);
    expect(received.map((d) => d.role).sort()).toEqual(['counsel', 'forensics']);
    expect(new Set(received.map((d) => d.dispatchId)).size).toBe(2);
  });
});
