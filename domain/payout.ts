/**
 * Payout arithmetic: what each submitted cost line pays under the policy, step by step, in integer yen rounded down.
 *
 * Line order matters: sub-limits, consent limits, the deductible and the incident and period limits are consumed in
 * the order the lines come, after what earlier payouts already consumed (`paid`). The policy-period figures must
 * come from the policy's single ledger so that two cases paying at once cannot overspend a period limit.
 */
import { formatPercent, formatYen, groupDigits } from './format.js';
import type { Policy } from './schemas.js';
import { COST_CATEGORIES, isLiabilityCategory, type CostCategory, type Role, type SettlementReason } from './vocabulary.js';

/**
 * Deliberate order (see the note in the report / README): the deductible comes off the evidenced loss before the
 * payout ratio and the limits, as in the Japanese wording 「(損害額 − 免責金額) × 縮小支払割合、支払限度額を限度」.
 * Limits then cap what is actually paid.
 */
export const SETTLEMENT_STEPS = [
  'evidence',
  'deductible',
  'payout_ratio',
  'sub_limit',
  'consent_limit',
  'per_victim_cap',
  'incident_limit',
  'period_limit',
] as const;
export type SettlementStep = (typeof SETTLEMENT_STEPS)[number] | 'category' | 'consent' | 'persons' | 'evidence_ref';

/** Ratios are applied in basis points with integer arithmetic so that 0.57 × 100 is 57, not 56. */
export function applyRatio(amountJpy: number, ratio: number): number {
  const bp = Math.round(ratio * 10_000);
  const n = Math.floor(amountJpy) * bp;
  return (n - (n % 10_000)) / 10_000;
}

export interface SettlementConsent {
  category: CostCategory;
  /** Caps the category for this incident. Several consents in one category add up; one without a limit lifts the cap. */
  limitJpy?: number;
  vendorId?: string;
}

export interface SettlementItem {
  lineId: string;
  category: CostCategory;
  amountJpy: number;
  evidenceRef: string;
  /** Apology payments: persons actually paid. */
  persons?: number;
  /** What the evidence supports, when a handler found less than claimed; defaults to the claim. */
  evidencedJpy?: number;
}

export interface PaidLedger {
  responseJpy: number;
  liabilityJpy: number;
  byCategory: Partial<Record<CostCategory, number>>;
  /** Deductible already borne by the insured in this incident. */
  deductibleAppliedJpy?: number;
}

export interface SettlementInput {
  policy: Pick<Policy, 'categories' | 'liability' | 'responseCosts'>;
  consents: readonly SettlementConsent[];
  items: readonly SettlementItem[];
  /** Already paid: in this incident (all earlier payouts of the case) and in the policy period (all cases). */
  paid: { incident: PaidLedger; period: PaidLedger };
}

export interface SettlementStepRecord {
  step: SettlementStep;
  beforeJpy: number;
  afterJpy: number;
  explanation: string;
}

export interface SettlementLine {
  lineId: string;
  category: CostCategory;
  claimedJpy: number;
  payableJpy: number;
  status: 'payable' | 'held';
  reasons: SettlementReason[];
  steps: SettlementStepRecord[];
}

export interface Settlement {
  lines: SettlementLine[];
  payableJpy: number;
  responseJpy: number;
  liabilityJpy: number;
  byCategory: Record<CostCategory, number>;
  /** Deductible borne by the insured in this settlement (add to `paid.incident.deductibleAppliedJpy`). */
  deductibleAppliedJpy: number;
  heldJpy: number;
  /** What remains of each aggregate limit after this settlement. */
  remaining: {
    incidentResponseJpy: number;
    periodResponseJpy: number;
    incidentLiabilityJpy: number;
    periodLiabilityJpy: number;
  };
}

const nonNeg = (n: number | undefined): number => Math.max(0, Math.floor(n ?? 0));

export function emptyLedger(): PaidLedger {
  return { responseJpy: 0, liabilityJpy: 0, byCategory: {}, deductibleAppliedJpy: 0 };
}

export function computeSettlement(input: SettlementInput): Settlement {
  const { policy, consents, items, paid } = input;
  const byCategory = Object.fromEntries(COST_CATEGORIES.map((c) => [c, 0])) as Record<CostCategory, number>;
  let responseJpy = 0;
  let liabilityJpy = 0;
  let heldJpy = 0;
  // An earlier liability payout means the deductible was taken then, even if the ledger does not say how much.
  let deductibleLeft =
    nonNeg(paid.incident.liabilityJpy) > 0 && paid.incident.deductibleAppliedJpy === undefined
      ? 0
      : Math.max(0, nonNeg(policy.liability.deductibleJpy) - nonNeg(paid.incident.deductibleAppliedJpy));
  let deductibleAppliedJpy = 0;

  const left = () => ({
    incidentResponseJpy: Math.max(0, policy.responseCosts.perIncidentLimitJpy - nonNeg(paid.incident.responseJpy) - responseJpy),
    periodResponseJpy: Math.max(0, policy.responseCosts.periodLimitJpy - nonNeg(paid.period.responseJpy) - responseJpy),
    incidentLiabilityJpy: Math.max(0, policy.liability.perClaimLimitJpy - nonNeg(paid.incident.liabilityJpy) - liabilityJpy),
    periodLiabilityJpy: Math.max(0, policy.liability.periodLimitJpy - nonNeg(paid.period.liabilityJpy) - liabilityJpy),
  });

  const lines = items.map((item): SettlementLine => {
    const category = item.category;
    const claimed = nonNeg(item.amountJpy);
    const steps: SettlementStepRecord[] = [];
    const reasons: SettlementReason[] = [];
    const base = { lineId: item.lineId, category, claimedJpy: claimed };
    const held = (reason: SettlementReason, step: SettlementStep, explanation: string): SettlementLine => {
      heldJpy += claimed;
      return {
        ...base,
        payableJpy: 0,
        status: 'held',
        reasons: [reason],
        steps: [{ step, beforeJpy: claimed, afterJpy: 0, explanation }],
      };
    };

    const terms = policy.categories[category];
    if (!terms) {
      return {
        ...base,
        payableJpy: 0,
        status: 'payable',
        reasons: ['not_covered_category'],
        steps: [
          { step: 'category', beforeJpy: claimed, afterJpy: 0, explanation: `The policy does not cover ${category}: nothing payable.` },
        ],
      };
    }
    const categoryConsents = consents.filter((c) => c.category === category);
    if (terms.consentRequired && categoryConsents.length === 0) {
      return held(
        'consent_missing',
        'consent',
        `Held: ${category} needs the insurer's prior written consent (事前の書面による同意), and none is recorded.`,
      );
    }
    if (item.evidenceRef.trim().length === 0) {
      return held('evidence_missing', 'evidence_ref', 'Held: no evidence reference (invoice, receipt or count).');
    }
    const cap = category === 'apology_payment' ? terms.perVictimCapJpy : undefined;
    if (cap !== undefined && item.persons === undefined) {
      return held(
        'persons_missing',
        'persons',
        `Held: apology payments are capped at ${formatYen(cap)} per victim; the number of persons paid is missing.`,
      );
    }

    let amount = claimed;
    const step = (name: SettlementStep, after: number, reason: SettlementReason | null, explanation: string): void => {
      const next = Math.max(0, Math.min(amount, Math.floor(after)));
      steps.push({ step: name, beforeJpy: amount, afterJpy: next, explanation });
      if (reason !== null && next < amount) reasons.push(reason);
      amount = next;
    };

    const evidenced = item.evidencedJpy === undefined ? claimed : nonNeg(item.evidencedJpy);
    step(
      'evidence',
      Math.min(claimed, evidenced),
      'evidence_short',
      evidenced < claimed
        ? `Evidence supports ${formatYen(evidenced)} of the ${formatYen(claimed)} claimed.`
        : `Claimed ${formatYen(claimed)}, evidenced (${item.evidenceRef}).`,
    );

    const liability = isLiabilityCategory(category);
    if (liability) {
      const d = Math.min(deductibleLeft, amount);
      step(
        'deductible',
        amount - d,
        'deductible_applied',
        d > 0
          ? `Deductible (免責金額) ${formatYen(d)} borne by the insured; ${formatYen(deductibleLeft - d)} of it left for this incident.`
          : 'No deductible left for this incident.',
      );
      deductibleLeft -= d;
      deductibleAppliedJpy += d;
    }

    step(
      'payout_ratio',
      applyRatio(amount, terms.payoutRatio),
      'payout_ratio_applied',
      `Payout ratio (縮小支払割合) ${formatPercent(terms.payoutRatio)}, rounded down.`,
    );

    const subLeft = Math.max(0, terms.limitJpy - nonNeg(paid.period.byCategory[category]) - byCategory[category]);
    step(
      'sub_limit',
      subLeft,
      'capped_by_sub_limit',
      `Sub-limit for ${category} ${formatYen(terms.limitJpy)}; ${formatYen(subLeft)} unused in this policy period.`,
    );

    if (categoryConsents.length > 0 && categoryConsents.every((c) => c.limitJpy !== undefined)) {
      const consented = categoryConsents.reduce((s, c) => s + nonNeg(c.limitJpy), 0);
      const consentLeft = Math.max(0, consented - nonNeg(paid.incident.byCategory[category]) - byCategory[category]);
      step(
        'consent_limit',
        consentLeft,
        'capped_by_consent_limit',
        `Consented up to ${formatYen(consented)} for ${category}; ${formatYen(consentLeft)} of it unused.`,
      );
    }

    if (cap !== undefined) {
      const persons = nonNeg(item.persons);
      step(
        'per_victim_cap',
        cap * persons,
        'capped_by_per_victim_cap',
        `Per-victim cap ${formatYen(cap)} × ${groupDigits(persons)} persons paid = ${formatYen(cap * persons)}.`,
      );
    }

    const l = left();
    const kind = liability ? 'liability' : 'response-cost';
    const incidentLeft = liability ? l.incidentLiabilityJpy : l.incidentResponseJpy;
    const periodLeft = liability ? l.periodLiabilityJpy : l.periodResponseJpy;
    step(
      'incident_limit',
      incidentLeft,
      'capped_by_incident_limit',
      `${liability ? 'Per-claim' : 'Per-incident'} ${kind} limit: ${formatYen(incidentLeft)} unused.`,
    );
    step('period_limit', periodLeft, 'capped_by_period_limit', `Policy-period ${kind} limit: ${formatYen(periodLeft)} unused.`);

    if (liability) liabilityJpy += amount;
    else responseJpy += amount;
    byCategory[category] += amount;
    return { ...base, payableJpy: amount, status: 'payable', reasons, steps };
  });

  return {
    lines,
    payableJpy: responseJpy + liabilityJpy,
    responseJpy,
    liabilityJpy,
    byCategory,
    deductibleAppliedJpy,
    heldJpy,
    remaining: left(),
  };
}

export interface Approver {
  role: Role;
  authorityLimitJpy?: number;
}

/**
 * Who may approve a payout total (Guidewire's "pending approval"): a handler within its authority limit; above it,
 * a supervisor whose own limit covers it. Other roles never approve payouts.
 */
export function requiredApprover(
  totalJpy: number,
  approver: Approver,
): { allowed: boolean; needs: 'handler' | 'supervisor'; reason: string } {
  const limit = nonNeg(approver.authorityLimitJpy);
  const total = nonNeg(totalJpy);
  const within = total <= limit;
  if (approver.role !== 'handler' && approver.role !== 'supervisor') {
    return { allowed: false, needs: 'handler', reason: `A ${approver.role} may not approve payouts.` };
  }
  if (approver.role === 'handler') {
    return within
      ? { allowed: true, needs: 'handler', reason: `${formatYen(total)} is within the handler's authority of ${formatYen(limit)}.` }
      : {
          allowed: false,
          needs: 'supervisor',
          reason: `${formatYen(total)} exceeds the handler's authority of ${formatYen(limit)}: pending a supervisor's approval.`,
        };
  }
  return within
    ? { allowed: true, needs: 'supervisor', reason: `${formatYen(total)} is within the supervisor's authority of ${formatYen(limit)}.` }
    : {
        allowed: false,
        needs: 'supervisor',
        reason: `${formatYen(total)} exceeds this supervisor's authority of ${formatYen(limit)}: a supervisor with a higher limit must approve.`,
      };
}

/** One cost line of a payout, as it draws on the policy's period limits. */
export interface DrawLine {
  lineId: string;
  category: CostCategory;
  amountJpy: number;
}

/** A payout asking the policy ledger for its share of what is left in the period. */
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

/** What the policy period has used so far, across all cases of the policy. */
export interface PeriodUsage {
  responseJpy: number;
  liabilityJpy: number;
  byCategory: Partial<Record<CostCategory, number>>;
}

/**
 * Pure: what a draw may have of what is left in the period. Lines are served in order, each up to what is left of
 * its category's sub-limit and of the period limit it counts against (liability or response costs); a category the
 * policy does not cover gets nothing. A draw whose payout id is in `earlier` gets its earlier grant back and uses
 * nothing (a retried draw never draws twice). `usage` and `earlier` are not modified.
 */
export function grantDraw(
  policy: Pick<Policy, 'categories' | 'liability' | 'responseCosts'>,
  usage: PeriodUsage,
  request: DrawRequest,
  earlier: Readonly<Record<string, DrawGrant>> = {},
): { grant: DrawGrant; usage: PeriodUsage } {
  const repeated = earlier[request.payoutId];
  if (repeated) return { grant: repeated, usage };
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
