/**
 * Coverage of an incident under a policy, following the Japanese market wording (tmn-cyber.jp, cyber-protector.com
 * terms, medic-office.co.jp on the retroactive date). Every reason is a contract code with the facts it rests on;
 * a handler's override is recorded beside the computed assessment, never written over it.
 */
import type { Policy } from './schemas.js';
import { formatJst, toMs, toUtcIso } from './time.js';
import type { CoverageDecision, CoverageReason } from './vocabulary.js';

/**
 * The policy period is half-open, [periodStart, periodEnd): a leak discovered at any time on the last day is
 * covered, one discovered exactly at periodEnd belongs to the next period (or to none). Japanese wording ends the
 * period at a stated instant (e.g. 午後4時 of the last day), which is what periodEnd carries, so the instant itself
 * is the first moment without cover.
 */
export const COVERAGE_RULES = {
  periodBoundary: 'half-open: periodStart <= discoveredAt < periodEnd',
  retroactiveBoundary: 'closed: occurredAt >= retroactiveDate',
} as const;

export interface CoverageCircumstances {
  naturalCatastrophe?: boolean;
  warOrRiot?: boolean;
  /** Excluded unless the policy extends cover to terrorism (`coversTerrorism`). */
  terrorism?: boolean;
  directedByInsuredOfficers?: boolean;
  knownBeforeInception?: boolean;
  /** Liability-only exclusions: they deny the liability part, not the response costs. */
  contractualLiability?: boolean;
  bodilyInjuryOrPropertyDamage?: boolean;
}

export interface CoverageFacts {
  discoveredAt: string;
  occurredAt?: string | null;
  circumstances: CoverageCircumstances;
  /** When a person's claim for damages was made (liability is claims-made); unknown or absent: not yet claimed. */
  claimMadeAt?: string | null;
}

/** One ground of the decision: its code, the rule in words, and the facts it rests on (`key: value`, as in `facts`). */
export interface CoverageGround {
  reason: CoverageReason;
  explanation: string;
  facts: string[];
}

export interface CoverageAssessment {
  decision: CoverageDecision;
  reasons: CoverageReason[];
  /** Everything checked, in order, including what passed; not aligned with `reasons` (see `grounds`). */
  explanations: string[];
  facts: Record<string, string>;
  /** One entry per reason, in the order of `reasons`: what a denial letter lists. */
  grounds: CoverageGround[];
  /** Liability (損害賠償責任) may be denied by its own exclusions while response costs stay covered. */
  liability: { decision: CoverageDecision; reasons: CoverageReason[]; explanations: string[] };
}

/** Policy terms that buy an exclusion back (an extension of cover). */
export type CoverageExtension = 'coversTerrorism';

export interface Exclusion {
  flag: keyof CoverageCircumstances;
  reason: CoverageReason;
  explanation: string;
  /** When the policy says true for this term, the circumstance does not deny; `explanation` says so instead. */
  unlessPolicy?: { term: CoverageExtension; explanation: string };
}

/** Exclusions that deny the whole incident, in the order a denial letter lists them. */
export const EXCLUSIONS: readonly Exclusion[] = [
  {
    flag: 'directedByInsuredOfficers',
    reason: 'directed_by_insured_officers',
    explanation:
      "Excluded: the leak was directed by the insured's officers (故意, intent of the policyholder or insured). An employee's own wrongdoing would be covered.",
  },
  {
    flag: 'warOrRiot',
    reason: 'war_or_riot',
    explanation: 'Excluded: war, invasion, riot or labour dispute (戦争・暴動・労働争議).',
  },
  {
    flag: 'terrorism',
    reason: 'terrorism',
    explanation: 'Excluded: terrorism (テロ行為); the policy does not extend cover to terrorism.',
    unlessPolicy: {
      term: 'coversTerrorism',
      explanation: 'Terrorism (テロ行為) is involved, but the policy extends cover to terrorism: not excluded.',
    },
  },
  {
    flag: 'naturalCatastrophe',
    reason: 'natural_catastrophe',
    explanation: 'Excluded: earthquake, eruption, tsunami, flood or storm surge (地震・噴火・津波・洪水・高潮).',
  },
  {
    flag: 'knownBeforeInception',
    reason: 'known_before_inception',
    explanation: 'Excluded: the insured knew of the circumstances before inception (保険期間開始前に認識していた事由).',
  },
];

export const LIABILITY_EXCLUSIONS: readonly {
  flag: keyof CoverageCircumstances;
  reason: CoverageReason;
  explanation: string;
}[] = [
  {
    flag: 'contractualLiability',
    reason: 'contractual_liability',
    explanation: 'Liability excluded: liability added by contract beyond the law (契約により加重された責任).',
  },
  {
    flag: 'bodilyInjuryOrPropertyDamage',
    reason: 'bodily_injury_or_property_damage',
    explanation: 'Liability excluded: bodily injury or property damage (身体の障害・財物の損壊).',
  },
];

const flagText = (v: boolean | undefined): string => (v ? 'yes' : 'no');

const EXTENSIONS: readonly CoverageExtension[] = ['coversTerrorism'];

export function assessCoverage(
  policy: Pick<Policy, 'periodStart' | 'periodEnd' | 'retroactiveDate' | 'coversTerrorism'>,
  facts: CoverageFacts,
): CoverageAssessment {
  const reasons: CoverageReason[] = [];
  const grounds: CoverageGround[] = [];
  const explanations: string[] = [];
  const discovered = toMs(facts.discoveredAt);
  const start = toMs(policy.periodStart);
  const end = toMs(policy.periodEnd);
  const occurredAt = facts.occurredAt ?? null;

  const record: Record<string, string> = {
    discoveredAt: toUtcIso(facts.discoveredAt),
    discoveredAtJst: formatJst(facts.discoveredAt),
    occurredAt: occurredAt === null ? 'unknown' : toUtcIso(occurredAt),
    periodStart: toUtcIso(policy.periodStart),
    periodEnd: toUtcIso(policy.periodEnd),
    retroactiveDate: toUtcIso(policy.retroactiveDate),
  };
  if (occurredAt !== null) record.occurredAtJst = formatJst(occurredAt);
  for (const e of [...EXCLUSIONS, ...LIABILITY_EXCLUSIONS]) record[e.flag] = flagText(facts.circumstances[e.flag]);
  for (const term of EXTENSIONS) record[term] = flagText(policy[term]);
  const factsOf = (...keys: string[]): string[] =>
    keys.filter((k) => record[k] !== undefined).map((k) => `${k}: ${record[k]}`);

  const period = `${formatJst(policy.periodStart)} – ${formatJst(policy.periodEnd)}`;
  if (discovered < start || discovered >= end) {
    reasons.push('outside_policy_period');
    const explanation = `Denied: discovered ${formatJst(facts.discoveredAt)}, outside the policy period ${period} (the period end itself is not covered).`;
    explanations.push(explanation);
    grounds.push({
      reason: 'outside_policy_period',
      explanation,
      facts: factsOf('discoveredAtJst', 'discoveredAt', 'periodStart', 'periodEnd'),
    });
  } else {
    explanations.push(`Discovered ${formatJst(facts.discoveredAt)}, within the policy period ${period}.`);
  }

  let occurrenceUnknown: string | null = null;
  if (occurredAt === null) {
    occurrenceUnknown = `Occurrence date unknown: coverage stays provisional until forensics dates the leak on or after the retroactive date ${formatJst(policy.retroactiveDate)}.`;
    explanations.push(occurrenceUnknown);
  } else if (toMs(occurredAt) < toMs(policy.retroactiveDate)) {
    reasons.push('before_retroactive_date');
    const explanation = `Denied: the leak occurred ${formatJst(occurredAt)}, before the retroactive date ${formatJst(policy.retroactiveDate)} (遡及日).`;
    explanations.push(explanation);
    grounds.push({
      reason: 'before_retroactive_date',
      explanation,
      facts: factsOf('occurredAtJst', 'occurredAt', 'retroactiveDate'),
    });
  } else {
    explanations.push(
      `Occurred ${formatJst(occurredAt)}, on or after the retroactive date ${formatJst(policy.retroactiveDate)}.`,
    );
  }

  for (const e of EXCLUSIONS) {
    if (!facts.circumstances[e.flag]) continue;
    if (e.unlessPolicy && policy[e.unlessPolicy.term] === true) {
      explanations.push(e.unlessPolicy.explanation);
      continue;
    }
    reasons.push(e.reason);
    explanations.push(e.explanation);
    grounds.push({
      reason: e.reason,
      explanation: e.explanation,
      facts: factsOf(e.flag, ...(e.unlessPolicy ? [e.unlessPolicy.term] : [])),
    });
  }

  let decision: CoverageDecision;
  if (reasons.length > 0) decision = 'denied';
  else if (occurrenceUnknown !== null) {
    decision = 'provisional';
    reasons.push('occurrence_unknown');
    grounds.push({ reason: 'occurrence_unknown', explanation: occurrenceUnknown, facts: factsOf('occurredAt', 'retroactiveDate') });
  } else decision = 'covered';
  explanations.push(
    decision === 'covered'
      ? 'Covered: no exclusion applies.'
      : decision === 'provisional'
        ? 'Provisional: no exclusion applies so far.'
        : `Denied on ${reasons.length} ground${reasons.length === 1 ? '' : 's'}: ${reasons.join(', ')}.`,
  );

  return {
    decision,
    reasons,
    explanations,
    facts: record,
    grounds,
    liability: assessLiability(policy, facts, decision, reasons),
  };
}

function assessLiability(
  policy: Pick<Policy, 'periodStart' | 'periodEnd'>,
  facts: CoverageFacts,
  incidentDecision: CoverageDecision,
  incidentReasons: readonly CoverageReason[],
): CoverageAssessment['liability'] {
  const reasons: CoverageReason[] = [];
  const explanations: string[] = [];
  if (facts.claimMadeAt != null) {
    const claimed = toMs(facts.claimMadeAt);
    if (claimed < toMs(policy.periodStart) || claimed >= toMs(policy.periodEnd)) {
      reasons.push('claim_outside_policy_period');
      explanations.push(
        `Liability denied: the claim was made ${formatJst(facts.claimMadeAt)}, outside the policy period (liability cover is claims-made).`,
      );
    }
  }
  for (const e of LIABILITY_EXCLUSIONS) {
    if (facts.circumstances[e.flag]) {
      reasons.push(e.reason);
      explanations.push(e.explanation);
    }
  }
  if (incidentDecision === 'denied') {
    return {
      decision: 'denied',
      reasons: [...incidentReasons, ...reasons],
      explanations: ['Liability follows the incident denial.', ...explanations],
    };
  }
  if (reasons.length > 0) return { decision: 'denied', reasons, explanations };
  return {
    decision: incidentDecision,
    reasons: [...incidentReasons],
    explanations: ['Liability follows the incident assessment.'],
  };
}

export interface CoverageOverride {
  decision: 'covered' | 'denied' | 'provisional';
  reason: string;
  by: string;
  at: string;
}

export interface CoverageDecisionRecord {
  computed: CoverageAssessment;
  override: CoverageOverride | null;
  effective: {
    decision: CoverageDecision;
    reasons: CoverageReason[];
    source: 'computed' | 'override';
    explanation: string;
  };
}

/** The computed assessment as a decision record with no override, so that both shapes read the same. */
export function coverageDecisionOf(assessment: CoverageAssessment): CoverageDecisionRecord {
  return {
    computed: assessment,
    override: null,
    effective: {
      decision: assessment.decision,
      reasons: [...assessment.reasons],
      source: 'computed',
      explanation: assessment.explanations[assessment.explanations.length - 1] ?? assessment.decision,
    },
  };
}

/**
 * A handler's override. The computed assessment stays as it was, so the file shows what the rules said, what the
 * handler decided, who, when and why. `reasons` on the effective decision keep the computed codes for the record.
 */
export function applyCoverageOverride(
  assessment: CoverageAssessment,
  override: CoverageOverride,
): CoverageDecisionRecord {
  if (override.reason.trim().length === 0) throw new RangeError('a coverage override needs a reason');
  const at = toUtcIso(override.at);
  const recorded = { ...override, at };
  const computedText =
    assessment.reasons.length > 0 ? `${assessment.decision} (${assessment.reasons.join(', ')})` : assessment.decision;
  return {
    computed: assessment,
    override: recorded,
    effective: {
      decision: override.decision,
      reasons: [...assessment.reasons],
      source: 'override',
      explanation: `${override.by} decided ${override.decision} at ${formatJst(at)}, overriding the computed ${computedText}: ${override.reason}`,
    },
  };
}
