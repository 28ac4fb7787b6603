/**
 * The describe a case's readers share (api/case-reads.ts `describeCaseModel`): a case whose first task has written its
 * view is described once per TTL however often it is polled; one still waiting for that task is answered with the view
 * intake computed and kept for `FIRST_TASK_TTL_MS` only, so its pollers see what the task wrote (the vendors engaged)
 * a moment after it is there, not a TTL later. A fake client counts the describes; the memos are the product's own.
 * Expiry is the entry's: the test moves it into the past instead of waiting, so nothing depends on timing.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { CaseReadCache, FIRST_TASK_TTL_MS, describeCaseModel } from '../../api/case-reads.js';
import { ChangeCounter } from '../../api/changes.js';
import type { ApiContext } from '../../api/context.js';
import { firstView } from '../../api/first-view.js';
import { rememberFirstView } from '../../api/start-view.js';
import { caseWorkflowId, startMemo, viewMemoParts } from '../../workflows/contract.js';
import { caseInput, policyRecord, uniqueId } from '../support/fixtures.js';

function fakeContext(memo: () => Record<string, unknown>): { ctx: ApiContext; describes: () => number } {
  let describes = 0;
  const description = () => ({ memo: memo(), status: { name: 'RUNNING' } }) as unknown as WorkflowExecutionDescription;
  const client = {
    withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
    workflow: {
      getHandle: () => ({
        describe: () => {
          describes += 1;
          return Promise.resolve(description());
        },
      }),
    },
  };
  const ctx = {
    deps: { limits: { pollCacheTtlMs: 60_000 } },
    client,
    changes: new ChangeCounter(),
    caseReads: new CaseReadCache(),
    log: pino({ level: 'silent' }),
  } as unknown as ApiContext;
  return { ctx, describes: () => describes };
}

describe('describeCaseModel: one describe per case and TTL, but none kept before the first task wrote the view', () => {
  const caseId = uniqueId('C');
  const input = caseInput(caseId, policyRecord('PL-DESCRIBE-1'));
  const first = firstView(input)!;
  const started = startMemo(input.requestHash, input.reportedAt);
  // What the first task writes; `assignedTo` tells it from the view intake computed (nobody is assigned at filing).
  const written = { ...started, ...viewMemoParts({ ...first, assignedTo: 'handler', version: 0, updatedAt: input.reportedAt }) };

  it('keeps a case waiting for its first task for a moment only, answering the view intake computed', async () => {
    rememberFirstView(caseWorkflowId(caseId), first);
    const { ctx, describes } = fakeContext(() => started);
    const before = Date.now();
    for (let i = 0; i < 3; i++) expect((await describeCaseModel(ctx, caseId)).model?.view?.caseId).toBe(caseId);
    expect(describes()).toBe(1);
    const entry = ctx.caseReads.described.get(caseId)!;
    expect(entry.expiresAt - before).toBeLessThanOrEqual(FIRST_TASK_TTL_MS + (Date.now() - before));
    entry.expiresAt = Date.now() - 1;
    await describeCaseModel(ctx, caseId);
    expect(describes()).toBe(2);
  });

  it('keeps a case whose memo holds its view for the TTL', async () => {
    const { ctx, describes } = fakeContext(() => written);
    for (let i = 0; i < 3; i++) expect((await describeCaseModel(ctx, caseId)).model?.view?.assignedTo).toBe('handler');
    expect(describes()).toBe(1);
  });

  it('sees the first task’s view once the short keep is over, and keeps that for the TTL', async () => {
    rememberFirstView(caseWorkflowId(caseId), first);
    let memo = started;
    const { ctx } = fakeContext(() => memo);
    expect((await describeCaseModel(ctx, caseId)).model?.view?.assignedTo).toBeNull();
    memo = written;
    ctx.caseReads.described.get(caseId)!.expiresAt = Date.now() - 1;
    const before = Date.now();
    expect((await describeCaseModel(ctx, caseId)).model?.view?.assignedTo).toBe('handler');
    expect(ctx.caseReads.described.get(caseId)!.expiresAt - before).toBeGreaterThanOrEqual(60_000);
  });
});
