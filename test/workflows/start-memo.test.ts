/**
 * A case started as `POST /v1/cases` starts it now: with the start memo of two small fields (the request's hash and
 * version 0's stamp, `startMemo`), not with the first view. The case's first task writes every part of its view into
 * the memo, later tasks only what changed, and the history of such a run is kept as a golden
 * (`case-start-memo-open-v11-start`), which replay.test.ts replays beside the goldens of runs started with a first view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { runCaseCommand } from '../../api/case-commands.js';
import { firstView } from '../../api/first-view.js';
import type { Action } from '../../domain/index.js';
import {
  CASE_WORKFLOW_TYPE,
  MEMO_KEYS,
  VIEW_PARTS,
  caseWorkflowId,
  readModelFromMemo,
  startMemo,
  type Actor,
  type CaseView,
} from '../../workflows/contract.js';
import { timeSkippingEnv } from '../support/temporal-env.js';
import { actors, caseInput, policyRecord, report, testSigner, uniqueId } from '../support/fixtures.js';
import { startHarness } from './harness.js';
import { keepGolden } from './scenario-kit.js';

let env: Awaited<ReturnType<typeof timeSkippingEnv>>;
let h: Awaited<ReturnType<typeof startHarness>>;

beforeAll(async () => {
  env = await timeSkippingEnv();
  h = await startHarness(env);
});
afterAll(async () => {
  await h?.stop();
  await env?.stopServer();
});

let commandNo = 0;

async function act(handle: WorkflowHandle, caseId: string, action: Action, actor: Actor, body: unknown): Promise<CaseView> {
  const cmd = { commandId: `start-memo-${++commandNo}`, action, request: { actor, body } };
  const issuedAt = new Date(await env.currentTimeMs()).toISOString();
  return runCaseCommand(env.client, handle, { ...cmd, proof: testSigner.proof('command', caseId, cmd, issuedAt) }, { waitMs: 15_000, checkMs: 5_000 });
}

describe('a case started with the start memo alone', () => {
  it('writes its whole view with its first task, reads as the first view said, and leaves a golden', async () => {
    const now = await env.currentTimeMs();
    const policy = policyRecord(uniqueId('PL'), undefined, now);
    await h.registerPolicy(policy);
    const caseId = uniqueId('C');
    const reportedAt = new Date(now).toISOString();
    const input = caseInput(caseId, policy, {
      report: report(policy.policyNumber, {
        discoveredAt: new Date(now - 3_600_000).toISOString(),
        occurredAt: new Date(now - 3 * 86_400_000).toISOString(),
      }),
      reportedAt,
    });
    const handle = await env.client.workflow.start(CASE_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [input],
      memo: startMemo('start-memo-hash', reportedAt),
    });
    const started = (await handle.describe()).memo ?? {};
    expect(Object.keys(started).sort()).toEqual([MEMO_KEYS.meta, MEMO_KEYS.request].sort());

    const assigned = await act(handle, caseId, 'assign', actors.handler, { assignee: 'handler' });
    expect(assigned.assignedTo).toBe('handler');
    const memo = (await handle.describe()).memo ?? {};
    for (const part of Object.keys(VIEW_PARTS) as (keyof typeof VIEW_PARTS)[]) expect(memo[MEMO_KEYS.part(part)], part).toBeDefined();
    const model = readModelFromMemo(memo)!;
    expect(model.requestHash).toBe('start-memo-hash');
    expect(model.meta.version).toBeGreaterThan(0);
    // What the API answered the intake with (and reads before the first task) is what the case then wrote.
    const first = firstView(input)!;
    expect(model.view).toMatchObject({ caseId, status: first.status, severity: first.severity });
    const duties = (v: CaseView) => v.obligations.map((o) => `${o.regime}:${o.audience}:${o.kind}`);
    expect(duties(model.view!)).toEqual(duties(first));
    await keepGolden(handle, 'case-start-memo-open-v11-start');
  });
});
