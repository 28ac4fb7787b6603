/**
 * Initial reserve (支払備金) at triage: a response-cost estimate plus a liability estimate, by cost category, with
 * every assumption named so a handler can see and challenge it. Recomputed when forensics changes the facts.
 */
import type { Exposure } from './exposure.js';
import { formatPercent, formatYen, groupDigits } from './format.js';
import { applyRatio } from './payout.js';
import type { Policy } from './schemas.js';
import { COST_CATEGORIES, isLiabilityCategory, type CostCategory, type Severity } from './vocabulary.js';

/** Product decisions behind the reserve (domain.md section 4, "Reserve"). */
export const RESERVE_ASSUMPTIONS = {
  letterPerPersonJpy: {
    value: 100,
    explanation: 'Writing, printing and posting one letter (詫び状作成・通信費), about 100 円 each.',
  },
  defaultApologyPerPersonJpy: {
    value: 500,
    explanation: "Apology money per person when the policy sets no per-victim cap (500 円 is one major insurer's cap).",
  },
  forensicsPerSystemJpy: {
    value: 600_000,
    explanation: 'Forensics per affected system: the middle of the market range of 200,000-1,000,000 円 per server.',
  },
  defaultSystemsBySeverity: {
    value: { low: 1, medium: 1, high: 2, critical: 4 } satisfies Record<Severity, number>,
    explanation: 'Systems to examine when forensics has not counted them yet, by severity band.',
  },
  callCenterBySeverity: {
    value: { low: 0, medium: 1_500_000, high: 5_000_000, critical: 20_000_000 } satisfies Record<Severity, number>,
    explanation:
      'Outsourced enquiry desk (コールセンター) for up to 90 days, by severity band; a low case is answered by the insured.',
  },
  publicRelationsBySeverity: {
    value: { low: 0, medium: 0, high: 3_000_000, critical: 10_000_000 } satisfies Record<Severity, number>,
    explanation: 'Press conference, apology adverts and reputation measures, by severity band; none below high.',
  },
  legalCounselBySeverity: {
    value: { low: 500_000, medium: 1_000_000, high: 3_000_000, critical: 8_000_000 } satisfies Record<Severity, number>,
    explanation: 'Breach counsel from the first day (privilege over forensics, notice review, filings), by severity band.',
  },
  liabilityClaimRate: {
    value: 0.0002,
    explanation:
      "Share of victims expected to claim damages: about 0.02 % ever sued in JNSA's data (courts awarded 5,000-30,000 円 per person).",
  },
} as const;

/**
 * Categories with no triage estimate: credit monitoring, recurrence prevention and litigation costs depend on
 * decisions not yet taken; they enter the reserve when consented or claimed.
 */
export const NOT_ESTIMATED_AT_TRIAGE: readonly CostCategory[] = [
  'credit_monitoring',
  'recurrence_prevention',
  'litigation_costs',
];

export interface ReserveInput {
  policy: Pick<Policy, 'categories' | 'liability' | 'responseCosts'>;
  affectedPersons: number;
  exposure: Pick<Exposure, 'totalJpy' | 'perPersonJpy'>;
  severity: Severity;
  /** Systems affected, once forensics knows; otherwise a default by severity. */
  systems?: number;
}

export interface ReserveLine {
  category: CostCategory;
  estimateJpy: number;
  reserveJpy: number;
  explanation: string;
}

export interface Reserve {
  totalJpy: number;
  responseJpy: number;
  liabilityJpy: number;
  /** Every category, zero included, so the shape never changes between recomputations. */
  byCategory: Record<CostCategory, number>;
  lines: ReserveLine[];
  assumptions: { name: string; value: number | string; explanation: string }[];
}

export function computeReserve(input: ReserveInput): Reserve {
  const A = RESERVE_ASSUMPTIONS;
  const persons = Math.max(0, Math.floor(input.affectedPersons));
  const sev = input.severity;
  const systems = input.systems ?? A.defaultSystemsBySeverity.value[sev];
  const apologyTerms = input.policy.categories.apology_payment;
  const apologyPerPerson = apologyTerms?.perVictimCapJpy ?? A.defaultApologyPerPersonJpy.value;

  const estimates: Record<CostCategory, { jpy: number; why: string }> = {
    forensic_investigation: {
      jpy: A.forensicsPerSystemJpy.value * systems,
      why: `${formatYen(A.forensicsPerSystemJpy.value)} × ${systems} system${systems === 1 ? '' : 's'}${input.systems === undefined ? ` (default for ${sev})` : ''}`,
    },
    legal_counsel: { jpy: A.legalCounselBySeverity.value[sev], why: `severity ${sev}` },
    notification: {
      jpy: A.letterPerPersonJpy.value * persons,
      why: `${formatYen(A.letterPerPersonJpy.value)} × ${groupDigits(persons)} persons`,
    },
    apology_payment: {
      jpy: apologyPerPerson * persons,
      why: `${formatYen(apologyPerPerson)} × ${groupDigits(persons)} persons${apologyTerms?.perVictimCapJpy === undefined ? ' (no per-victim cap in the policy: default)' : " (the policy's per-victim cap)"}`,
    },
    call_center: { jpy: A.callCenterBySeverity.value[sev], why: `severity ${sev}` },
    public_relations: { jpy: A.publicRelationsBySeverity.value[sev], why: `severity ${sev}` },
    credit_monitoring: { jpy: 0, why: 'not estimated at triage' },
    recurrence_prevention: { jpy: 0, why: 'not estimated at triage' },
    liability_damages: {
      jpy: Math.floor(input.exposure.totalJpy * A.liabilityClaimRate.value),
      why: `JNSA exposure ${formatYen(input.exposure.totalJpy)} × claim rate ${formatPercent(A.liabilityClaimRate.value)}`,
    },
    litigation_costs: { jpy: 0, why: 'not estimated at triage' },
  };

  const byCategory = Object.fromEntries(COST_CATEGORIES.map((c) => [c, 0])) as Record<CostCategory, number>;
  const lines: ReserveLine[] = [];
  let responseLeft = Math.min(input.policy.responseCosts.perIncidentLimitJpy, input.policy.responseCosts.periodLimitJpy);
  let liabilityLeft = Math.min(input.policy.liability.perClaimLimitJpy, input.policy.liability.periodLimitJpy);
  let deductibleLeft = input.policy.liability.deductibleJpy;

  // Same arithmetic as a payout line, so the reserve is what the insurer would pay if the estimate held.
  for (const category of COST_CATEGORIES) {
    const est = estimates[category];
    const terms = input.policy.categories[category];
    const notes = [`estimate ${formatYen(est.jpy)}: ${est.why}`];
    let amount = est.jpy;
    if (!terms) {
      amount = 0;
      if (est.jpy > 0) notes.push('not covered by the policy: no reserve');
    } else {
      if (isLiabilityCategory(category) && amount > 0 && deductibleLeft > 0) {
        const d = Math.min(deductibleLeft, amount);
        deductibleLeft -= d;
        amount -= d;
        notes.push(`less deductible ${formatYen(d)}`);
      }
      if (terms.payoutRatio < 1 && amount > 0) {
        amount = applyRatio(amount, terms.payoutRatio);
        notes.push(`× payout ratio ${formatPercent(terms.payoutRatio)}`);
      }
      if (amount > terms.limitJpy) {
        amount = terms.limitJpy;
        notes.push(`capped at the sub-limit ${formatYen(terms.limitJpy)}`);
      }
      const left = isLiabilityCategory(category) ? liabilityLeft : responseLeft;
      if (amount > left) {
        amount = left;
        notes.push(`capped by the ${isLiabilityCategory(category) ? 'liability' : 'response-cost'} limit left`);
      }
      if (isLiabilityCategory(category)) liabilityLeft -= amount;
      else responseLeft -= amount;
    }
    byCategory[category] = amount;
    lines.push({ category, estimateJpy: est.jpy, reserveJpy: amount, explanation: `${notes.join('; ')} → ${formatYen(amount)}` });
  }

  const liabilityJpy = COST_CATEGORIES.filter(isLiabilityCategory).reduce((s, c) => s + byCategory[c], 0);
  const responseJpy = COST_CATEGORIES.filter((c) => !isLiabilityCategory(c)).reduce((s, c) => s + byCategory[c], 0);

  const assumptions: Reserve['assumptions'] = [
    { name: 'severity', value: sev, explanation: 'Severity band used for the band-based figures.' },
    { name: 'letterPerPersonJpy', value: A.letterPerPersonJpy.value, explanation: A.letterPerPersonJpy.explanation },
    {
      name: 'apologyPerPersonJpy',
      value: apologyPerPerson,
      explanation:
        apologyTerms?.perVictimCapJpy === undefined
          ? A.defaultApologyPerPersonJpy.explanation
          : "The policy's per-victim cap on apology payments × persons.",
    },
    { name: 'forensicsPerSystemJpy', value: A.forensicsPerSystemJpy.value, explanation: A.forensicsPerSystemJpy.explanation },
    {
      name: 'systems',
      value: systems,
      explanation: input.systems === undefined ? A.defaultSystemsBySeverity.explanation : 'Systems counted by forensics.',
    },
    { name: 'callCenterJpy', value: A.callCenterBySeverity.value[sev], explanation: A.callCenterBySeverity.explanation },
    { name: 'publicRelationsJpy', value: A.publicRelationsBySeverity.value[sev], explanation: A.publicRelationsBySeverity.explanation },
    { name: 'legalCounselJpy', value: A.legalCounselBySeverity.value[sev], explanation: A.legalCounselBySeverity.explanation },
    { name: 'liabilityClaimRate', value: A.liabilityClaimRate.value, explanation: A.liabilityClaimRate.explanation },
    {
      name: 'notEstimated',
      value: NOT_ESTIMATED_AT_TRIAGE.join(', '),
      explanation: 'Depend on decisions not yet taken; reserved when consented or claimed.',
    },
  ];

  return { totalJpy: responseJpy + liabilityJpy, responseJpy, liabilityJpy, byCategory, lines, assumptions };
}
