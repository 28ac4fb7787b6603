import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer, temporalBinaries, type DevServer } from '../../main/temporal.js';
import { freePort } from '../support/ports.js';
import { startHarness } from './harness.js';
import { patchIdsOf } from './scenario-kit.js';
import { actors, caseInput, policyRecord, report, testSigner, uniqueId } from '../support/fixtures.js';
import { runCaseCommand } from '../../api/case-commands.js';
import { drawUpdate, policyLedger, policyQuery, putPolicyUpdate, usageQuery } from '../../workflows/policy-ledger.js';
import { LEDGER_MEMO } from '../../workflows/policy-ledger-contract.js';
import { RULEBOOK_PATCH } from '../../workflows/case/rules.js';
import type { Action } from '../../domain/index.js';
import {
  CASE_WORKFLOW_TYPE,
  DEFAULT_CASE_SETTINGS,
  caseWorkflowId,
  policyWorkflowId,
  readModelFromMemo,
  timelineFromReadModel,
  timelineQuery,
  viewQuery,
  type Actor,
  type CaseCommand,
} from '../../workflows/contract.js';

// A server of its own that suggests continue-as-new after 60 history events, so a case crosses several runs in a
// few commands and we can see that everything it knows crosses with it.

/** A command as the API sends it: signed for the case, issued at the workflow's time (time skips here). */
async function signedCommand(caseId: string, cmd: CaseCommand): Promise<CaseCommand> {
  return { ...cmd, proof: testSigner.proof('command', caseId, cmd, new Date(await env.currentTimeMs()).toISOString()) };
}
let dir: string;
let server: DevServer;
let env: TestWorkflowEnvironment;
let h: Awaited<ReturnType<typeof startHarness>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'breach-claims-can-'));
  server = await startDevServer({
    cli: temporalBinaries({ TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH: undefined }).cli,
    port: await freePort(),
    namespace: 'default',
    dbFile: join(dir, 'temporal.db'),
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': '60' },
  });
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  h = await startHarness(env);
});
afterAll(async () => {
  await h?.stop();
  await env?.teardown();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('incidentCase over continue-as-new', () => {
  it('carries the case, its timeline and its clocks into the next run', async () => {
    const policy = policyRecord(uniqueId('PL'));
    await h.registerPolicy(policy);
    const caseId = uniqueId('C');
    const handle = await env.client.workflow.start(CASE_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [caseInput(caseId, policy, { report: report(policy.policyNumber) })],
    });
    const firstRunId = handle.firstExecutionRunId;
    const latest = env.client.workflow.getHandle(caseWorkflowId(caseId));
    const act = async (commandId: string, action: Action, actor: Actor, body: unknown) =>
      runCaseCommand(env.client, latest, await signedCommand(caseId, { commandId, action, request: { actor, body } }), { waitMs: 15_000, checkMs: 5_000 });
    for (let i = 0; i < 12; i++) {
      await act(`costs-${i}`, 'submit-costs', actors.insured, {
        items: [{ category: 'forensic_investigation', amountJpy: 1000 + i, evidenceRef: `inv-${i}` }],
      });
    }
    await act('assign-1', 'assign', actors.handler, { assignee: 'handler' });
    const description = await latest.describe();
    expect(description.runId).not.toBe(firstRunId);
    expect(description.status.name).toBe('RUNNING');
    const view = await latest.query(viewQuery);
    expect(view.settlement.lines).toHaveLength(12);
    expect(view.assignedTo).toBe('handler');
    expect(view.obligations.length).toBeGreaterThan(0);
    expect(view.obligations.every((o) => o.status === 'pending')).toBe(true);
    const timeline = await latest.query(timelineQuery);
    expect(timeline.filter((t) => t.type === 'costs')).toHaveLength(12);
    // The read model crossed with the runs: the memo holds the same case and its whole timeline.
    const model = readModelFromMemo((await latest.describe()).memo)!;
    expect(model.view).toEqual(view);
    expect(timelineFromReadModel(model)).toEqual(timeline);
    // The outcomes of earlier commands crossed too: a retry of the first one, sent runs ago, is answered, not rerun.
    expect((await act('costs-0', 'submit-costs', actors.insured, { items: [{ category: 'forensic_investigation', amountJpy: 1000, evidenceRef: 'inv-0' }] })).settlement.lines).toHaveLength(12);
    // Intake ran once: the case acknowledged the insured and engaged the panel only in its first run.
    expect(h.seen.emails.filter((e) => e.caseId === caseId && e.purpose === 'acknowledgement')).toHaveLength(1);
    expect(h.seen.dispatches.filter((d) => d.caseId === caseId)).toHaveLength(2);
  });

  it('continues as new at its own history bound, before Temporal suggests it, and answers old command ids', async () => {
    const policy = policyRecord(uniqueId('PL'));
    await h.registerPolicy(policy);
    const caseId = uniqueId('C');
    const bound = 25; // below the server's suggestion at 60 events, so only the bound can end a run here
    const first = await env.client.workflow.start(CASE_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [caseInput(caseId, policy, { report: report(policy.policyNumber), settings: { ...DEFAULT_CASE_SETTINGS, runHistoryEvents: bound } })],
    });
    const latest = env.client.workflow.getHandle(caseWorkflowId(caseId));
    const costs = (i: number): CaseCommand => ({
      commandId: `bound-${i}`,
      action: 'submit-costs',
      request: { actor: actors.insured, body: { items: [{ category: 'forensic_investigation', amountJpy: 2000 + i, evidenceRef: `b-${i}` }] } },
    });
    const run = async (cmd: CaseCommand) => runCaseCommand(env.client, latest, await signedCommand(caseId, cmd), { waitMs: 15_000, checkMs: 5_000 });
    for (let i = 0; i < 12; i++) await run(costs(i));

    // Intake alone passes both thresholds, so look at the second run: it starts small, and only the bound can end it
    // before 60 events.
    const firstRun = await env.client.workflow.getHandle(caseWorkflowId(caseId), first.firstExecutionRunId).fetchHistory();
    const secondRunId = firstRun.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    expect(secondRunId).toBeTruthy();
    const events = (await env.client.workflow.getHandle(caseWorkflowId(caseId), secondRunId!).fetchHistory()).events ?? [];
    expect(events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    expect(events.length).toBeGreaterThanOrEqual(bound);
    // The task that continued as new was not one the server had suggested it in (it suggests at 60 events): the run's
    // own bound ended it. (Counting events cannot say this: the server counts the rulebook's marker and upsert too.)
    const lastTaskStarted = events.filter((e) => e.workflowTaskStartedEventAttributes).at(-1);
    expect(lastTaskStarted?.workflowTaskStartedEventAttributes?.suggestContinueAsNew ?? false).toBe(false);
    // The run follows the rulebook: its one marker brings the bound, and older runs (which never had the bound, nor
    // the rulebook) replay unchanged.
    const patchIds = patchIdsOf({ events });
    expect(patchIds.join(' ')).toContain(RULEBOOK_PATCH);
    expect(patchIds.join(' ')).not.toContain('bounded-run-history');
    expect((await latest.describe()).runId).not.toBe(first.firstExecutionRunId);
    expect((await latest.query(viewQuery)).settlement.lines).toHaveLength(12);
    expect((await run(costs(0))).settlement.lines).toHaveLength(12);
  });

  it('continues a policy ledger as new at its history bound, carrying terms, usage and grants', async () => {
    const policy = policyRecord(uniqueId('PL'));
    const ledger = await env.client.workflow.start(policyLedger, {
      workflowId: policyWorkflowId(policy.policyNumber),
      taskQueue: h.taskQueue,
      args: [{ policyNumber: policy.policyNumber, runEvents: 20 }],
    });
    const latest = env.client.workflow.getHandle<typeof policyLedger>(policyWorkflowId(policy.policyNumber));
    const draw = { caseId: 'C-1', payoutId: 'C-1-P1', lines: [{ lineId: 'l1', category: 'forensic_investigation' as const, amountJpy: 100_000 }] };
    await latest.executeUpdate(putPolicyUpdate, { args: [policy] });
    const first = await latest.executeUpdate(drawUpdate, { args: [draw] });
    for (let i = 0; i < 10; i++) await latest.executeUpdate(putPolicyUpdate, { args: [policy] });
    expect((await latest.describe()).runId).not.toBe(ledger.firstExecutionRunId);
    // Ended by the bound (20), not by the server's suggestion (60).
    const firstRun = (await env.client.workflow.getHandle(policyWorkflowId(policy.policyNumber), ledger.firstExecutionRunId).fetchHistory()).events ?? [];
    expect(firstRun.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    expect(firstRun.length).toBeLessThan(40);
    expect((await latest.query(policyQuery)).version).toBe(11);
    expect(await latest.query(usageQuery)).toMatchObject({ responseJpy: 100_000 });
    // The read model went over with the run: the policy and usage read without a worker.
    const memo = (await latest.describe()).memo ?? {};
    expect(memo[LEDGER_MEMO.policy]).toMatchObject({ version: 11, policy: { policyNumber: policy.policyNumber } });
    expect(memo[LEDGER_MEMO.usage]).toMatchObject({ responseJpy: 100_000 });
    // The same payout asks again in a later run: it gets its grant back, and nothing is drawn twice.
    expect(await latest.executeUpdate(drawUpdate, { args: [draw] })).toEqual(first);
    expect(await latest.query(usageQuery)).toMatchObject({ responseJpy: 100_000 });
  });
});
