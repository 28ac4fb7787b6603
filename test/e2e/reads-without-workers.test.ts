/**
 * Reads never wait on a worker (issue 12): with the case's read model in its memo and the lists in visibility, a case,
 * its timeline, the case list and the dashboard summary are answered while no worker runs at all; a command sent
 * meanwhile is recorded and answered once a worker is back.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { loadSecrets, prepareRuntimeFiles, startWorker, type RunningWorker } from '../../main/runtime.js';
import type { CaseView, TimelineEntry } from '../../workflows/contract.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { as, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let caseId: string;
let policyNumber: string;

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  // A short command wait, so the command sent while no worker runs answers its 503 quickly.
  stack = await startStack({ env: { COMMAND_WAIT_MS: '1500' } });
  const admin = as(stack, 'admin');
  policyNumber = uniqueId('PL-RW');
  expect((await admin('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBeLessThan(300);
  const filed = await as(stack, 'insured-ins-001')('POST', '/v1/cases', reportBody(policyNumber));
  expect(filed.status, JSON.stringify(filed.json)).toBe(201);
  caseId = (filed.json as CaseView).caseId;
  // Let the case get going: counsel and forensics dispatched, and the case in the list.
  await until(() => as(stack, 'handler')('GET', `/v1/cases/${caseId}`), (r) => ((r.json as CaseView).vendors ?? []).length === 2, 60_000, 'vendors dispatched');
  await until(
    () => as(stack, 'ops')('GET', `/v1/cases?pageSize=100&insuredId=ins-001`),
    (r) => JSON.stringify(r.json).includes(caseId),
    30_000,
    'the case in the list',
  );
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('with every worker down', () => {
  it('answers the case, its timeline, the list and the summary; a command is recorded and applied once a worker is back', async () => {
    const handler = as(stack, 'handler');
    const before = await handler('GET', `/v1/cases/${caseId}`);
    await stack.worker!.shutdown();
    stack.worker = undefined;

    const view = await handler('GET', `/v1/cases/${caseId}`);
    expect(view.status).toBe(200);
    expect((view.json as CaseView).caseId).toBe(caseId);
    expect((view.json as CaseView).version).toBeGreaterThanOrEqual((before.json as CaseView).version!);
    expect(view.headers.get('etag')).toBe(`"${caseId}.v${(view.json as CaseView).version}"`);
    expect((await handler('GET', `/v1/cases/${caseId}`, undefined, { 'if-none-match': view.headers.get('etag')! })).status).toBe(304);

    const timeline = await as(stack, 'insured-ins-001')('GET', `/v1/cases/${caseId}/timeline`);
    expect(timeline.status).toBe(200);
    expect((timeline.json as TimelineEntry[]).map((e) => e.type)).toEqual(expect.arrayContaining(['reported', 'status']));

    const list = await as(stack, 'ops')('GET', `/v1/cases?pageSize=100&insuredId=ins-001`);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.json)).toContain(caseId);
    expect((await as(stack, 'ops')('GET', '/v1/dashboard/summary')).status).toBe(200);

    // A case filed while no worker runs has no view in its memo yet (intake writes only the request's hash and the
    // stamp): another API instance, which did not file it, reads its first view from the start event.
    const filed = await as(stack, 'insured-ins-001')('POST', '/v1/cases', reportBody(policyNumber));
    expect(filed.status, filed.text).toBe(201);
    const fresh = filed.json as CaseView;
    const other = await stack.anotherApi();
    const readB = await fetch(`${other.url}/v1/cases/${fresh.caseId}`, { headers: { authorization: `Bearer ${stack.keys.handler}` } });
    expect(readB.status).toBe(200);
    expect(readB.headers.get('etag')).toBe(`"${fresh.caseId}.v0"`);
    const viewB = (await readB.json()) as CaseView;
    expect(viewB).toMatchObject({ caseId: fresh.caseId, status: 'response', version: 0, policyNumber });
    expect(viewB.obligations).toEqual(fresh.obligations);
    const listB = await fetch(`${other.url}/v1/cases?pageSize=100&insuredId=ins-001`, { headers: { authorization: `Bearer ${stack.keys.ops}` } });
    expect(listB.status).toBe(200);
    expect(JSON.stringify(await listB.json())).toContain(fresh.caseId);

    // A command while no worker runs: durable, answered 503 command_pending, applied when a worker comes back.
    const assign = () => handler('POST', `/v1/cases/${caseId}/actions/assign`, { assignee: 'supervisor' }, { 'idempotency-key': 'rw-1' });
    const pending = await assign();
    expect(pending.status).toBe(503);
    expect((pending.json as { code: string }).code).toBe('command_pending');
    // Another insured still cannot see the case, with no worker to ask either.
    expect((await as(stack, 'insured-ins-002')('GET', `/v1/cases/${caseId}`)).status).toBe(404);

    const files = await prepareRuntimeFiles(stack.config, { sandboxUrl: stack.config.VENDOR_BASE_URL! });
    const worker: RunningWorker = await startWorker(stack.config, {
      files,
      secrets: loadSecrets(stack.config, files),
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    stack.worker = worker;
    const applied = await until(assign, (r) => r.status === 200, 60_000, 'the command applied');
    expect((applied.json as CaseView).assignedTo).toBe('supervisor');
  }, 120_000);
});
