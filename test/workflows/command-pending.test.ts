/**
 * A command while no worker runs: the API cannot get the case's answer in time, says so with a 503 `command_pending`,
 * and the command is not lost. When a worker is back, the same request with the same Idempotency-Key answers the
 * outcome, and the case applied the command once. The worker is `main/worker.ts` in a child process, SIGKILLed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { until } from '../support/wait.js';
import { WorkerProcesses } from '../support/worker-process.js';
import { caseWorkflowId, commandSignal } from '../../workflows/contract.js';

let stack: Stack;
const workers = new WorkerProcesses(() => stack);

beforeAll(async () => {
  stack = await startStack({ inProcessWorker: false, env: { COMMAND_WAIT_MS: '2000' } });
  await workers.start();
});
afterAll(async () => {
  await workers.stopAll();
  await stack?.stop();
});

describe('a command while no worker runs', () => {
  it('is answered 503 command_pending, applies once a worker is back, and its retry reads the outcome', { timeout: 120_000 }, async () => {
    const handler = as(stack, 'handler');
    const insured = as(stack, 'insured-ins-001');
    const policyNumber = uniqueId('PL');
    expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
    const created = await insured('POST', '/v1/cases', reportBody(policyNumber), { 'idempotency-key': uniqueId('k') });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const caseId: string = created.json.caseId;
    await until(() => handler('GET', `/v1/cases/${caseId}`), (r) => r.json?.vendors?.length === 2, 30_000, 'vendors engaged');

    await workers.kill(workers.all[0]!);
    const assign = () => handler('POST', `/v1/cases/${caseId}/actions/assign`, { assignee: 'supervisor' }, { 'idempotency-key': 'assign-1' });
    const pending = await assign();
    expect(pending.status, JSON.stringify(pending.json)).toBe(503);
    expect(pending.headers.get('content-type')).toContain('application/problem+json');
    expect(pending.headers.get('retry-after')).toBe('5');
    expect(pending.json).toMatchObject({ status: 503, code: 'command_pending', commandId: 'handler:assign:assign-1' });

    await workers.start();
    const answered = await until(assign, (r) => r.status !== 503, 60_000, 'the command answered');
    expect(answered.status, JSON.stringify(answered.json)).toBe(200);
    expect(answered.json.assignedTo).toBe('supervisor');
    // Once more with the key: the same answer, and still one assignment on the case.
    expect((await assign()).json.assignedTo).toBe('supervisor');
    const timeline = await handler('GET', `/v1/cases/${caseId}/timeline`);
    const assignments = (Array.isArray(timeline.json) ? timeline.json : timeline.json.items).filter((e: { type: string }) => e.type === 'assign');
    expect(assignments, JSON.stringify(assignments)).toHaveLength(1);

    // The command reached the case as a signal before any worker was there to answer it: that is what survived.
    const connection = await Connection.connect({ address: stack.config.TEMPORAL_ADDRESS! });
    try {
      const history = await new Client({ connection }).workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
      const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === commandSignal.name);
      expect(signals.length).toBeGreaterThanOrEqual(1);
    } finally {
      await connection.close();
    }
  });
});
