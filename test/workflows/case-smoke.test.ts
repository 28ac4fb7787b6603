import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnv } from '../support/temporal-env.js';
import { startHarness } from './harness.js';
import { caseInput, policyRecord, uniqueId } from '../support/fixtures.js';
import { caseWorkflowId, viewQuery, CASE_WORKFLOW_TYPE } from '../../workflows/contract.js';

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

describe('incidentCase', () => {
  it('opens a covered case and reminds the handler of the APPI preliminary report after 3 days', async () => {
    const policy = policyRecord(uniqueId('PL'), {}, await env.currentTimeMs());
    await h.registerPolicy(policy);
    const caseId = uniqueId('C');
    const handle = await env.client.workflow.start(CASE_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [caseInput(caseId, policy, { reportedAt: new Date(await nowOf(env)).toISOString() })],
    });
    const view = await handle.query(viewQuery);
    expect(view.status).toBe('response');
    expect(view.coverage.decision).toBe('covered');
    const prelim = view.obligations.find((o) => o.id.startsWith('JP-APPI') && o.kind === 'preliminary');
    expect(prelim?.triggers).toContain('over_1000_persons');
    expect(h.seen.emails.some((e) => e.purpose.startsWith('reminder:'))).toBe(false);
    await env.sleep('3 days');
    await env.sleep('1 minute');
    expect(h.seen.emails.filter((e) => e.purpose.startsWith('reminder:') && e.purpose.includes('JP-APPI'))).toHaveLength(1);
  });
});

async function nowOf(e: TestWorkflowEnvironment): Promise<number> {
  return e.currentTimeMs();
}
