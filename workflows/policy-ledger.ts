/**
 * One long-lived workflow per policy: the policy's current terms and the period limits every case of the policy
 * draws on. Draws are Updates, which a workflow runs one at a time, so two cases paying at once can never overspend
 * a period limit; no second database is needed (README, "Where state lives").
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CostCategory, PolicyRecord } from '../domain/index.js';
import { isLiabilityCategory } from '../domain/index.js';

export interface DrawLine {
  lineId: string;
  category: CostCategory;
  amountJpy: number;
}

export interface DrawRequest {
  caseId: string;
  payoutId: string;
  lines: DrawLine[];
}

export interface DrawGrant {
  payoutId: string;
  lines: { lineId: string; requestedJpy: number; grantedJpy: number; reason?: string }[];
  grantedJpy: number;
}

export interface PeriodUsage {
  responseJpy: number;
  liabilityJpy: number;
  byCategory: Partial<Record<CostCategory, number>>;
}

export interface LedgerState {
  policy: PolicyRecord | null;
  version: number;
  usage: PeriodUsage;
  /** Grants by payout id: a retried draw answers the grant it got the first time. */
  grants: Record<string, DrawGrant>;
}

export interface LedgerInput {
  policyNumber: string;
  state?: LedgerState;
  /** Events after which a run continues as new; default `LEDGER_RUN_EVENTS` (tests set it low). */
  runEvents?: number;
}

export const putPolicyUpdate = defineUpdate<{ policy: PolicyRecord; version: number; created: boolean }, [PolicyRecord]>(
  'put-policy',
);
export const drawUpdate = defineUpdate<DrawGrant, [DrawRequest]>('draw');
export const policyQuery = defineQuery<{ policy: PolicyRecord | null; version: number }>('policy');
export const usageQuery = defineQuery<PeriodUsage>('usage');

function emptyUsage(): PeriodUsage {
  return { responseJpy: 0, liabilityJpy: 0, byCategory: {} };
}

/** Pure: what a draw may have of what is left in the period. Lines are served in order. */
export function grantDraw(policy: PolicyRecord, usage: PeriodUsage, request: DrawRequest): { grant: DrawGrant; usage: PeriodUsage } {
  const next: PeriodUsage = { ...usage, byCategory: { ...usage.byCategory } };
  const lines = request.lines.map((line) => {
    const terms = policy.categories[line.category];
    const liability = isLiabilityCategory(line.category);
    const periodLimit = liability ? policy.liability.periodLimitJpy : policy.responseCosts.periodLimitJpy;
    const periodUsed = liability ? next.liabilityJpy : next.responseJpy;
    const categoryUsed = next.byCategory[line.category] ?? 0;
    const categoryLeft = terms ? Math.max(0, terms.limitJpy - categoryUsed) : 0;
    const periodLeft = Math.max(0, periodLimit - periodUsed);
    const granted = Math.max(0, Math.min(Math.floor(line.amountJpy), categoryLeft, periodLeft));
    let reason: string | undefined;
    if (!terms) reason = 'not_covered_category';
    else if (granted < line.amountJpy) reason = categoryLeft <= periodLeft ? 'category_limit_exhausted' : 'period_limit_exhausted';
    next.byCategory[line.category] = categoryUsed + granted;
    if (liability) next.liabilityJpy += granted;
    else next.responseJpy += granted;
    return { lineId: line.lineId, requestedJpy: line.amountJpy, grantedJpy: granted, ...(reason ? { reason } : {}) };
  });
  const grant = { payoutId: request.payoutId, lines, grantedJpy: lines.reduce((s, l) => s + l.grantedJpy, 0) };
  return { grant, usage: next };
}

/** Events after which a ledger run continues as new (each Update adds about five). */
export const LEDGER_RUN_EVENTS = 500;
const BOUNDED_LEDGER_PATCH = 'bounded-ledger-history';

export async function policyLedger(input: LedgerInput): Promise<void> {
  const state: LedgerState = input.state ?? { policy: null, version: 0, usage: emptyUsage(), grants: {} };

  setHandler(policyQuery, () => ({ policy: state.policy, version: state.version }));
  setHandler(usageQuery, () => state.usage);

  setHandler(
    putPolicyUpdate,
    (policy) => {
      const created = state.policy === null;
      state.policy = policy;
      state.version += 1;
      return { policy, version: state.version, created };
    },
    {
      validator: (policy) => {
        if (policy.policyNumber !== input.policyNumber) {
          throw new Error(`invalid: policy number ${policy.policyNumber} does not match ${input.policyNumber}`);
        }
      },
    },
  );

  setHandler(
    drawUpdate,
    (request) => {
      const earlier = state.grants[request.payoutId];
      if (earlier) return earlier;
      const { grant, usage } = grantDraw(state.policy!, state.usage, request);
      state.usage = usage;
      state.grants[request.payoutId] = grant;
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
  await continueAsNew<typeof policyLedger>({
    policyNumber: input.policyNumber,
    state,
    ...(input.runEvents !== undefined ? { runEvents: input.runEvents } : {}),
  });
}
