/**
 * One leak, from the report to the last yen paid: the insurer's clock (triage, coverage, consent, costs, payout)
 * and the regulators' clocks (one deadline per obligation, reminders, escalation when missed) in one durable
 * workflow. The work is laid out by track in `case/` (triage, vendors, clocks, notification, settlement, closing),
 * each a plain module over one `CaseContext`; this function wires their handlers, runs the main loop and continues
 * as new.
 *
 * Handlers only change state and queue work; the main loop performs the work (e-mails, dispatches, payouts) so a
 * command's answer never waits on a vendor, and a crash between two steps resumes from recorded state.
 */
import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, log, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow';
import { REOPENABLE_STATUSES } from '../domain/rules.js';
import { REOPEN_RETENTION_MS, type Actor, type CaseInput, type CaseResult } from './contract.js';
import { checkClocks, nextWake } from './case/clocks.js';
import { checkCoverageDue } from './case/coverage-due.js';
import { receiveParked, registerCommands } from './case/commands.js';
import { intake } from './case/intake.js';
import { registerLegacyUpdates } from './case/legacy-updates.js';
import { flushOutbox } from './case/messages.js';
import { maybeStartCampaign, registerCampaignProgress } from './case/notification.js';
import { publishCase, timelineAtStart, writtenAtStart } from './case/read-model.js';
import { caseRules, changeApplies } from './case/rules.js';
import { executePayouts } from './case/settlement.js';
import { checkPreventionReminders } from './case/services.js';
import { isTerminal, openContext, type CaseContext } from './case/state.js';
import { settleParked } from './case/trust.js';
import { checkVendorSlas, registerVendorEvents } from './case/vendors.js';
import { engageRequested } from './case/engagements.js';

/**
 * Events after which a run continues as new even when Temporal does not suggest it yet. Workers keep no workflow cache
 * (see WORKER_MAX_CACHED_WORKFLOWS), so every task and query replays the run: this keeps that to a fraction of a
 * second. Behind a patch (`boundedRun`), because runs older than the bound would otherwise replay into a
 * continue-as-new they never made.
 */
const RUN_HISTORY_EVENTS = 1_000;

export async function incidentCase(input: CaseInput): Promise<CaseResult> {
  const c = openContext(input, caseRules(), { written: writtenAtStart(), timelineEntries: timelineAtStart() });
  registerLegacyUpdates(c);
  registerCommands(c);
  registerVendorEvents(c);
  registerCampaignProgress(c);

  if (!input.state) await intake(c);
  const continueNow = await mainLoop(c);

  await condition(allHandlersFinished);
  if (continueNow) {
    // The next run starts with this run's read model, so the case stays readable between the two.
    if (c.rules.readModel) await makeContinueAsNewFunc<typeof incidentCase>({ memo: workflowInfo().memo })({ ...input, state: c.s });
    await continueAsNew<typeof incidentCase>({ ...input, state: c.s });
  }
  await flushOutbox(c);
  const { v } = c;
  log.info('case ended', { caseId: v.caseId, status: v.status });
  if (!isTerminal(v.status)) throw ApplicationFailure.nonRetryable(`case ended in ${v.status}`, 'CaseStateError');
  return { caseId: v.caseId, status: v.status, view: v, timeline: c.s.timeline };
}

/** Each track's step in turn, then sleep until a handler changes something or a clock is due. True: continue as new. */
async function mainLoop(c: CaseContext): Promise<boolean> {
  for (;;) {
    // A change made while a pass awaits (a command that arrives during a payment, findings during a dispatch) runs
    // another pass. Before the change `lateChange`, `dirty` was cleared after the pass, which left such a change
    // waiting for the next clock: a notice approved during a payment started its campaign days later. Now it is
    // cleared before the pass, so the sleep at its end returns at once. Asked per pass, not per run: every step is
    // idempotent, so a run from before the change switches between two passes, without waiting to continue as new.
    const lateChangeWakes = changeApplies(c, 'lateChange');
    if (lateChangeWakes) c.dirty = false;
    publishCase(c);
    await flushOutbox(c);
    if (isTerminal(c.v.status)) {
      const after = await rest(c);
      if (after !== 'reopened') return after === 'continue';
    }
    await settleParked(c, receiveParked);
    checkClocks(c);
    checkCoverageDue(c);
    checkPreventionReminders(c);
    await checkVendorSlas(c);
    await engageRequested(c);
    await maybeStartCampaign(c);
    await executePayouts(c);
    await flushOutbox(c);
    publishCase(c);
    // Ended while this pass ran: the top of the loop ends the run or rests it (publishing again writes nothing new).
    if (isTerminal(c.v.status)) continue;
    if (shouldContinueAsNew(c)) return true;
    if (!lateChangeWakes) c.dirty = false;
    const wake = nextWake(c);
    if (wake === undefined) await condition(() => c.dirty);
    else await condition(() => c.dirty, Math.max(1, wake - Date.now()));
  }
}

/**
 * A case that ended. Runs with the `reopenable` rule keep a closed or denied case running, with no clocks and no work,
 * for the retention period (`reopenRetentionMs`), so that a supervisor's `reopen` finds a live case; notes and
 * documents may still be added meanwhile. Withdrawn cases, and runs without the rule, end at once as before.
 */
async function rest(c: CaseContext): Promise<'end' | 'continue' | 'reopened'> {
  if (!c.rules.reopenable || !REOPENABLE_STATUSES.includes(c.v.status)) return 'end';
  c.s.restingSince ??= new Date(Date.now()).toISOString();
  const until = Date.parse(c.s.restingSince) + (c.input.settings.reopenRetentionMs ?? REOPEN_RETENTION_MS);
  for (;;) {
    const lateChangeWakes = changeApplies(c, 'lateChange');
    if (lateChangeWakes) c.dirty = false;
    publishCase(c);
    await flushOutbox(c);
    if (!isTerminal(c.v.status)) return 'reopened';
    if (shouldContinueAsNew(c)) return 'continue';
    const left = until - Date.now();
    if (left <= 0) return 'end';
    if (!lateChangeWakes) c.dirty = false;
    await condition(() => c.dirty, left);
  }
}

function shouldContinueAsNew(c: CaseContext): boolean {
  const info = workflowInfo();
  const bound = c.input.settings.runHistoryEvents ?? RUN_HISTORY_EVENTS;
  return info.continueAsNewSuggested || (info.historyLength >= bound && changeApplies(c, 'boundedRun'));
}

export type { Actor, CaseResult };
