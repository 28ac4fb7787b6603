/**
 * One long-lived workflow per policy: the policy's current terms and the period limits every case of the policy
 * draws on. Draws are Updates, which a workflow runs one at a time, so two cases paying at once can never overspend
 * a period limit; no second database is needed (README, "Where state lives").
 */
import { allHandlersFinished, condition, continueAsNew, makeContinueAsNewFunc, patched, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { grantDraw } from '../domain/rules.js';
import type { PolicyRecord } from '../domain/schemas.js';
import {
  LEDGER_MEMO,
  drawUpdate,
  policyQuery,
  putPolicyUpdate,
  usageQuery,
  type DrawRequest,
  type LedgerInput,
  type LedgerState,
  type PeriodUsage,
  type PolicyLedgerWorkflow,
} from './policy-ledger-contract.js';

// The contract used to live here; re-exported so existing imports keep working (new code imports the contract).
export { drawUpdate, policyQuery, putPolicyUpdate, usageQuery } from './policy-ledger-contract.js';
export type { DrawGrant, DrawLine, DrawRequest, LedgerInput, LedgerState, PeriodUsage } from './policy-ledger-contract.js';

function emptyUsage(): PeriodUsage {
  return { responseJpy: 0, liabilityJpy: 0, byCategory: {} };
}

/** Events after which a ledger run continues as new (each Update adds about five). */
export const LEDGER_RUN_EVENTS = 500;
const BOUNDED_LEDGER_PATCH = 'bounded-ledger-history';
/** From this patch on the ledger keeps its policy and usage in its memo (`LEDGER_MEMO`). */
const LEDGER_MEMO_PATCH = 'ledger-read-model';

export async function policyLedger(input: LedgerInput): Promise<void> {
  const state: LedgerState = input.state ?? { policy: null, version: 0, usage: emptyUsage(), grants: {} };
  const readModel = patched(LEDGER_MEMO_PATCH);
  /** Upserts the memo fields that differ from what the memo holds (the run's start memo, then each upsert). */
  const publish = () => {
    if (!readModel) return;
    const fields: Record<string, unknown> = { [LEDGER_MEMO.policy]: { policy: state.policy, version: state.version }, [LEDGER_MEMO.usage]: state.usage };
    const held = workflowInfo().memo ?? {};
    const changed = Object.fromEntries(Object.entries(fields).filter(([key, value]) => JSON.stringify(held[key]) !== JSON.stringify(value)));
    if (Object.keys(changed).length > 0) upsertMemo(changed);
  };
  // A ledger that continued as new from a run before the read model writes its memo now.
  if (state.policy) publish();

  setHandler(policyQuery, () => ({ policy: state.policy, version: state.version }));
  setHandler(usageQuery, () => state.usage);

  setHandler(
    putPolicyUpdate,
    (policy) => {
      const created = state.policy === null;
      state.policy = policy;
      state.version += 1;
      publish();
      return { policy, version: state.version, created };
    },
    {
      validator: (policy: PolicyRecord) => {
        if (policy.policyNumber !== input.policyNumber) {
          throw new Error(`invalid: policy number ${policy.policyNumber} does not match ${input.policyNumber}`);
        }
      },
    },
  );

  setHandler(
    drawUpdate,
    (request) => {
      // A repeated payout id gets its earlier grant back from grantDraw, with the usage unchanged.
      const { grant, usage } = grantDraw(state.policy!, state.usage, request, state.grants);
      state.usage = usage;
      state.grants[request.payoutId] = grant;
      publish();
      return grant;
    },
    {
      validator: (request: DrawRequest) => {
        if (!state.policy) throw new Error(`not_found: policy ${input.policyNumber} is not registered`);
        if (request.lines.some((l) => !Number.isInteger(l.amountJpy) || l.amountJpy < 0)) {
          throw new Error('invalid: amounts must be non-negative integer yen');
        }
      },
    },
  );

  // A run ends when Temporal suggests it or, for runs started since the patch, at LEDGER_RUN_EVENTS: workers keep no
  // workflow cache, so every draw and every read replays the run, and a busy policy must not make that slow.
  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= (input.runEvents ?? LEDGER_RUN_EVENTS));
  if (!workflowInfo().continueAsNewSuggested && !patched(BOUNDED_LEDGER_PATCH)) {
    await condition(() => workflowInfo().continueAsNewSuggested);
  }
  await condition(allHandlersFinished);
  const next = { policyNumber: input.policyNumber, state, ...(input.runEvents !== undefined ? { runEvents: input.runEvents } : {}) };
  // The next run starts with this run's memo, so the policy stays readable between the two.
  if (readModel) await makeContinueAsNewFunc<typeof policyLedger>({ memo: workflowInfo().memo })(next);
  await continueAsNew<typeof policyLedger>(next);
}

policyLedger satisfies PolicyLedgerWorkflow;
