/**
 * Regulatory clocks. Which regimes apply to an incident, why, and what is due to whom by when.
 *
 * The rules are data (`REGIME_RULES`): a change in a regime is an edit of that table, each entry citing its source.
 * The code below only evaluates conditions and clocks. All times are UTC; explanations render them in JST.
 */
import { addHours, describeSpan, earliest, formatJst, fractionBetween, toMs, toUtcIso } from './time.js';
import { groupDigits } from './format.js';
import {
  WRONGFUL_PURPOSE_CAUSES,
  summariseDataItems,
  type AnnouncementChannel,
  type Audience,
  type Cause,
  type DataItem,
  type ObligationExemption,
  type ObligationKind,
  type ObligationStatus,
  type ObligationTrigger,
  type Regime,
  type ResidencyKey,
} from './vocabulary.js';
import type { Residency } from './vocabulary-schemas.js';

/** Product decisions on the clocks (domain.md section 5). */
export const OBLIGATION_PARAMETERS = {
  /** Remind when 80 % of the time from the clock's start to the deadline has passed. */
  reminderFraction: 0.8,
  /** APPI 速報 "promptly (about 3-5 days)": due at 5 days, reminded at 3 (not at 80 %). */
  appiPreliminaryDays: 5,
  appiPreliminaryReminderDays: 3,
  /** APPI 確報: 30 days, 60 when a wrongful purpose (③) is involved (PPC rules Art. 8(2)). */
  appiFinalDays: 30,
  appiFinalWrongfulPurposeDays: 60,
  /** "Promptly, as the situation allows": tracked as a target, never shown as a legal deadline. */
  appiPersonsTargetDays: 30,
  /** APPI ④ "more than 1,000": 1,001 persons and up. */
  appiPersonsThreshold: 1_000,
  /** GDPR Art. 34 "without undue delay": tracked as a target equal to the Art. 33 clock. */
  gdprPersonsTargetHours: 72,
  /** "As soon as practicable" (SG persons, AU OAIC statement and persons) as a target. */
  asSoonAsPracticableTargetDays: 30,
  /** SG persons notice: targeted at the same time as the PDPC notice. */
  sgPersonsTargetDays: 3,
} as const;

const P = OBLIGATION_PARAMETERS;

/** A fact about the incident that a rule can test. Conditions are data so that rules stay a table. */
export type Condition =
  | { kind: 'sensitive' }
  | { kind: 'financial_risk' }
  | { kind: 'wrongful_purpose' }
  | { kind: 'unique_id' }
  /** EP x >= 2 or y >= 2, or sensitive data (domain.md's "high risk" / "likely serious harm" proxy). */
  | { kind: 'high_risk' }
  | { kind: 'cause'; causes: readonly Cause[] }
  /** A count of persons: all affected persons, or those resident in one place. */
  | { kind: 'persons'; of: 'all' | ResidencyKey; atLeast?: number; moreThan?: number }
  | { kind: 'all_encrypted' }
  | { kind: 'any'; of: readonly Condition[] };

export interface TriggerRule {
  code: ObligationTrigger;
  when: Condition;
  label: string;
}

export interface ExemptionRule {
  code: ObligationExemption;
  when: Condition;
  label: string;
}

export type ClockAnchor = 'awareness' | 'notifiable_decision' | 'persons_notice';

export interface Clock {
  /** `persons_notice`: the recorded notice to persons under the same regime, else that notice's due time. */
  from: ClockAnchor;
  days?: number;
  hours?: number;
}

export interface ObligationRule {
  audience: Audience;
  kind: ObligationKind;
  what: string;
  clock: Clock;
  /** A longer clock when one of the regime's triggers is met (APPI ③ final report). */
  longerClock?: { trigger: ObligationTrigger; clock: Clock };
  /** Replaces the 80 % reminder. */
  remindAfter?: { days?: number; hours?: number };
  legalDeadline: boolean;
  /** Further conditions, any of which must hold, on top of the regime's. */
  triggers?: readonly TriggerRule[];
  exemptions?: readonly ExemptionRule[];
  source: string;
}

export interface RegimeRule {
  regime: Regime;
  name: string;
  authority: string;
  /** All must hold (jurisdiction). */
  requires: readonly TriggerRule[];
  /** At least one must hold when the list is not empty. */
  triggers: readonly TriggerRule[];
  exemptions: readonly ExemptionRule[];
  obligations: readonly ObligationRule[];
  source: string;
}

const residents = (key: ResidencyKey, where: string): TriggerRule => ({
  code: 'residents_affected',
  when: { kind: 'persons', of: key, atLeast: 1 },
  label: `residents of ${where} affected`,
});

const SENSITIVE: TriggerRule = {
  code: 'sensitive_data',
  when: { kind: 'sensitive' },
  label: 'sensitive data (要配慮個人情報)',
};
const FINANCIAL: TriggerRule = {
  code: 'financial_risk',
  when: { kind: 'financial_risk' },
  label: 'data usable for financial damage (財産的被害のおそれ)',
};
const ALL_ENCRYPTED: ExemptionRule = {
  code: 'all_encrypted',
  when: { kind: 'all_encrypted' },
  label: 'all leaked data was strongly encrypted',
};

export const REGIME_RULES: readonly RegimeRule[] = [
  {
    regime: 'JP-APPI',
    name: 'Japan APPI (個人情報保護法 Art. 26)',
    authority: 'Personal Information Protection Commission (PPC, 個人情報保護委員会)',
    // The insured is a Japanese business: APPI binds it whatever the residence of the persons.
    requires: [],
    triggers: [
      { ...SENSITIVE, label: '① sensitive data (要配慮個人情報), from one person' },
      { ...FINANCIAL, label: '② risk of financial damage (財産的被害), from one person' },
      {
        code: 'wrongful_purpose',
        when: { kind: 'wrongful_purpose' },
        label: '③ possible wrongful purpose (不正の目的: unauthorised access, theft, skimming), from one person',
      },
      {
        code: 'over_1000_persons',
        when: { kind: 'persons', of: 'all', moreThan: P.appiPersonsThreshold },
        label: '④ more than 1,000 persons (1,000人を超える)',
      },
    ],
    exemptions: [{ ...ALL_ENCRYPTED, label: 'all leaked data was strongly encrypted (高度な暗号化), PPC FAQ Q6-16' }],
    obligations: [
      {
        audience: 'regulator',
        kind: 'preliminary',
        what: 'preliminary report to the PPC (速報)',
        clock: { from: 'awareness', days: P.appiPreliminaryDays },
        remindAfter: { days: P.appiPreliminaryReminderDays },
        legalDeadline: true,
        source: 'APPI Art. 26(1); PPC rules Art. 8(1) "promptly", about 3-5 days (PPC guidelines 3-5-3-3; businesslawyers.jp/practices/1433)',
      },
      {
        audience: 'regulator',
        kind: 'final',
        what: 'final report to the PPC (確報)',
        clock: { from: 'awareness', days: P.appiFinalDays },
        longerClock: { trigger: 'wrongful_purpose', clock: { from: 'awareness', days: P.appiFinalWrongfulPurposeDays } },
        legalDeadline: true,
        source: 'PPC rules Art. 8(2): 30 days, 60 days for ③ (businesslawyers.jp/practices/1434; mclaw.jp)',
      },
      {
        audience: 'persons',
        kind: 'notice',
        what: 'notice to the affected persons (本人通知); if impossible, public notice and an enquiry desk (代替措置)',
        clock: { from: 'awareness', days: P.appiPersonsTargetDays },
        legalDeadline: false,
        source: 'APPI Art. 26(2) "promptly, as the situation allows"; PPC FAQ Q6-33',
      },
    ],
    source: 'APPI Art. 26; PPC rules Arts. 7-10; PPC FAQ Q6-33, Q17-29, Q3-4-1 (ppc.go.jp); 2024 amendment (mclaw.jp)',
  },
  {
    regime: 'EU-GDPR',
    name: 'EU/EEA GDPR',
    authority: 'the lead supervisory authority',
    requires: [residents('EU', 'the EU/EEA')],
    triggers: [],
    exemptions: [],
    obligations: [
      {
        audience: 'regulator',
        kind: 'notice',
        what: 'notification to the supervisory authority (Art. 33); may be phased, a late one must give reasons',
        clock: { from: 'awareness', hours: 72 },
        legalDeadline: true,
        source: 'GDPR Art. 33(1), (4) (gdprhub.eu; EDPB Guidelines 9/2022)',
      },
      {
        audience: 'persons',
        kind: 'notice',
        what: 'communication to the data subjects (Art. 34) "without undue delay"',
        clock: { from: 'awareness', hours: P.gdprPersonsTargetHours },
        legalDeadline: false,
        triggers: [
          {
            code: 'high_risk',
            when: { kind: 'high_risk' },
            label: 'high risk: EP x >= 2 or y >= 2, or sensitive data',
          },
        ],
        exemptions: [{ ...ALL_ENCRYPTED, label: 'all leaked data was encrypted (Art. 34(3)(a))' }],
        source: 'GDPR Art. 34(1), (3) (gdprhub.eu; EDPB Guidelines 9/2022)',
      },
    ],
    source: 'GDPR Arts. 33-34',
  },
  {
    regime: 'US-CA',
    name: 'California Civil Code 1798.82',
    authority: 'California Attorney General',
    requires: [residents('US-CA', 'California')],
    triggers: [],
    exemptions: [],
    obligations: [
      {
        audience: 'persons',
        kind: 'notice',
        what: '"Notice of Data Breach" to California residents, with the statutory headings',
        clock: { from: 'awareness', days: 30 },
        legalDeadline: true,
        source: 'Cal. Civ. Code 1798.82(a) as amended by SB 446 (2026): 30 days of discovery (lcwlegal.com)',
      },
      {
        audience: 'regulator',
        kind: 'notice',
        what: 'sample copy of the notice to the Attorney General',
        clock: { from: 'persons_notice', days: 15 },
        legalDeadline: true,
        triggers: [
          {
            code: 'over_500_residents',
            when: { kind: 'persons', of: 'US-CA', moreThan: 500 },
            label: 'more than 500 California residents',
          },
        ],
        source: 'Cal. Civ. Code 1798.82(f) as amended by SB 446: within 15 days of notifying residents (lcwlegal.com)',
      },
    ],
    source: 'Cal. Civ. Code 1798.82; SB 446 (lcwlegal.com)',
  },
  {
    regime: 'US-NY',
    name: 'New York General Business Law 899-aa',
    authority: 'NY Attorney General, Department of State and State Police',
    requires: [residents('US-NY', 'New York')],
    triggers: [],
    exemptions: [],
    obligations: [
      {
        audience: 'persons',
        kind: 'notice',
        what: 'notice to New York residents',
        clock: { from: 'awareness', days: 30 },
        legalDeadline: true,
        source: 'NY GBL 899-aa(2) as amended by S2659B: 30 days of discovery (orrick.com, mcdonaldhopkins.com)',
      },
      {
        audience: 'regulator',
        kind: 'notice',
        what: 'notice to the AG, Department of State and State Police, at the time residents are notified',
        clock: { from: 'persons_notice', days: 0 },
        legalDeadline: true,
        source: 'NY GBL 899-aa(8)(a) (orrick.com, mcdonaldhopkins.com)',
      },
    ],
    source: 'NY GBL 899-aa; S2659B',
  },
  {
    regime: 'US-TX',
    name: 'Texas Business and Commerce Code 521.053',
    authority: 'Texas Attorney General',
    requires: [residents('US-TX', 'Texas')],
    triggers: [],
    exemptions: [],
    obligations: [
      {
        audience: 'persons',
        kind: 'notice',
        what: 'notice to Texas residents',
        clock: { from: 'awareness', days: 60 },
        legalDeadline: true,
        source: 'Tex. Bus. & Com. Code 521.053(b): 60 days (dwt.com)',
      },
      {
        audience: 'regulator',
        kind: 'notice',
        what: 'notice to the Texas Attorney General (online form)',
        clock: { from: 'awareness', days: 30 },
        legalDeadline: true,
        triggers: [
          {
            code: 'at_least_250_residents',
            when: { kind: 'persons', of: 'US-TX', atLeast: 250 },
            label: '250 or more Texas residents',
          },
        ],
        source: 'Tex. Bus. & Com. Code 521.053(i) as amended by SB 768: 30 days (dwt.com)',
      },
    ],
    source: 'Tex. Bus. & Com. Code 521.053; SB 768 (dwt.com)',
  },
  {
    regime: 'SG-PDPA',
    name: 'Singapore PDPA Part 6A',
    authority: 'Personal Data Protection Commission (PDPC)',
    requires: [residents('SG', 'Singapore')],
    triggers: [
      {
        code: 'at_least_500_persons',
        // The statute counts every affected individual, not only those in Singapore.
        when: { kind: 'persons', of: 'all', atLeast: 500 },
        label: '500 or more affected individuals',
      },
      {
        code: 'significant_harm',
        when: { kind: 'any', of: [{ kind: 'sensitive' }, { kind: 'financial_risk' }] },
        label: 'significant harm likely (sensitive or financial-risk data)',
      },
    ],
    exemptions: [],
    obligations: [
      {
        audience: 'regulator',
        kind: 'assessment',
        what: 'assessment of whether the breach is notifiable',
        clock: { from: 'awareness', days: 30 },
        legalDeadline: true,
        source: 'PDPA s 26C(3)(b); Personal Data Protection (Notification of Data Breaches) Regulations 2021',
      },
      {
        audience: 'regulator',
        kind: 'notice',
        what: 'notification to the PDPC',
        clock: { from: 'notifiable_decision', days: 3 },
        legalDeadline: true,
        source: 'PDPA s 26D(1): 3 calendar days after assessing the breach notifiable',
      },
      {
        audience: 'persons',
        kind: 'notice',
        what: 'notice to the affected individuals "as soon as practicable"',
        clock: { from: 'notifiable_decision', days: P.sgPersonsTargetDays },
        legalDeadline: false,
        triggers: [
          {
            code: 'significant_harm',
            when: { kind: 'any', of: [{ kind: 'sensitive' }, { kind: 'financial_risk' }] },
            label: 'significant harm likely (sensitive or financial-risk data)',
          },
        ],
        source: 'PDPA s 26D(2)',
      },
    ],
    source: 'PDPA Part 6A (ss 26A-26E); practitioner guides',
  },
  {
    regime: 'AU-NDB',
    name: 'Australia Notifiable Data Breaches scheme (Privacy Act Part IIIC)',
    authority: 'Office of the Australian Information Commissioner (OAIC)',
    requires: [residents('AU', 'Australia')],
    triggers: [
      {
        code: 'likely_serious_harm',
        when: { kind: 'any', of: [{ kind: 'financial_risk' }, { kind: 'high_risk' }] },
        label: 'serious harm likely: sensitive or financial-risk data, or EP x >= 2 or y >= 2',
      },
    ],
    exemptions: [],
    obligations: [
      {
        audience: 'regulator',
        kind: 'assessment',
        what: 'assessment of the suspected eligible data breach',
        clock: { from: 'awareness', days: 30 },
        legalDeadline: true,
        source: 'Privacy Act 1988 s 26WH(2): within 30 days',
      },
      {
        audience: 'regulator',
        kind: 'notice',
        what: 'statement to the OAIC "as soon as practicable"',
        clock: { from: 'awareness', days: P.asSoonAsPracticableTargetDays },
        legalDeadline: false,
        source: 'Privacy Act 1988 s 26WK',
      },
      {
        audience: 'persons',
        kind: 'notice',
        what: 'notice to the affected individuals "as soon as practicable"',
        clock: { from: 'awareness', days: P.asSoonAsPracticableTargetDays },
        legalDeadline: false,
        source: 'Privacy Act 1988 s 26WL',
      },
    ],
    source: 'Privacy Act 1988 Part IIIC; practitioner guides',
  },
  {
    regime: 'KR-PIPA',
    name: 'Korea PIPA Art. 34',
    authority: 'PIPC / KISA',
    requires: [residents('KR', 'Korea')],
    triggers: [],
    exemptions: [],
    obligations: [
      {
        audience: 'persons',
        kind: 'notice',
        what: 'notice to the data subjects',
        clock: { from: 'awareness', hours: 72 },
        legalDeadline: true,
        source: 'PIPA Art. 34(1); Enforcement Decree Art. 39 (dlapiperdataprotection.com)',
      },
      {
        audience: 'regulator',
        kind: 'notice',
        what: 'report to the PIPC or KISA',
        clock: { from: 'awareness', hours: 72 },
        legalDeadline: true,
        triggers: [
          {
            code: 'at_least_1000_persons',
            // The decree counts data subjects, not Korean residents only.
            when: { kind: 'persons', of: 'all', atLeast: 1_000 },
            label: '1,000 or more data subjects',
          },
          SENSITIVE,
          {
            code: 'unique_id',
            when: { kind: 'unique_id' },
            label: 'unique identification data (고유식별정보: passport, licence, ID numbers)',
          },
          {
            code: 'hacking',
            when: { kind: 'cause', causes: ['external_attack', 'web_skimming'] },
            label: 'leak through hacking',
          },
        ],
        source: 'PIPA Art. 34(3); Enforcement Decree Art. 40 (dlapiperdataprotection.com)',
      },
    ],
    source: 'PIPA Art. 34 (dlapiperdataprotection.com)',
  },
];

export interface ObligationFacts {
  /** Awareness (= the report's discoveredAt). */
  awareAt: string;
  dataItems: readonly DataItem[];
  affectedPersons: number;
  residency: Residency;
  cause: Cause;
  encrypted: boolean;
  /** Defaults from the cause (WRONGFUL_PURPOSE_CAUSES); forensics may confirm or rule it out. */
  wrongfulPurpose?: boolean;
  /** SG: when the breach was assessed notifiable; defaults to awareness (decided at triage). */
  notifiableDecidedAt?: string | null;
  /** When persons were notified per regime, for clocks that run from that notice (US-CA AG, US-NY). */
  personsNotifiedAt?: Partial<Record<Regime, string>>;
}

export interface ComputeObligationsOptions {
  rules?: readonly RegimeRule[];
  reminderFraction?: number;
}

export interface Obligation {
  /** Stable across recomputation: `regime:audience:kind`. */
  id: string;
  regime: Regime;
  audience: Audience;
  kind: ObligationKind;
  what: string;
  startsAt: string;
  dueAt: string;
  dueAtJst: string;
  remindAt: string;
  status: ObligationStatus;
  triggers: ObligationTrigger[];
  legalDeadline: boolean;
  explanation: string;
  source: string;
  filedAt?: string;
  reference?: string;
  notRequiredReason?: string;
  /** False once recomputed facts no longer trigger it; it stays listed until someone records it not required. */
  stillApplies?: boolean;
  /** Set once the reminder went out (the case's clock), so that it goes out once. */
  reminded?: boolean;
  /** When the deadline passed unmet; kept after a late filing, so the file shows it was late. */
  missedAt?: string;
}

export function obligationId(regime: Regime, audience: Audience, kind: ObligationKind): string {
  return `${regime}:${audience}:${kind}`;
}

interface DerivedFacts {
  raw: ObligationFacts;
  x: number;
  y: number;
  sensitive: boolean;
  financialRisk: boolean;
  uniqueId: boolean;
  wrongfulPurpose: boolean;
}

function derive(facts: ObligationFacts): DerivedFacts {
  const d = summariseDataItems(facts.dataItems);
  return {
    raw: facts,
    ...d,
    wrongfulPurpose: facts.wrongfulPurpose ?? WRONGFUL_PURPOSE_CAUSES.includes(facts.cause),
  };
}

function count(f: DerivedFacts, of: 'all' | ResidencyKey): number {
  return of === 'all' ? f.raw.affectedPersons : (f.raw.residency[of] ?? 0);
}

function holds(c: Condition, f: DerivedFacts): boolean {
  switch (c.kind) {
    case 'sensitive':
      return f.sensitive;
    case 'financial_risk':
      return f.financialRisk;
    case 'wrongful_purpose':
      return f.wrongfulPurpose;
    case 'unique_id':
      return f.uniqueId;
    case 'high_risk':
      return f.x >= 2 || f.y >= 2 || f.sensitive;
    case 'cause':
      return c.causes.includes(f.raw.cause);
    case 'persons': {
      const n = count(f, c.of);
      return (c.atLeast === undefined || n >= c.atLeast) && (c.moreThan === undefined || n > c.moreThan);
    }
    case 'all_encrypted':
      return f.raw.encrypted;
    case 'any':
      return c.of.some((sub) => holds(sub, f));
  }
}

/** The fact behind a condition, for explanations. */
function evidence(c: Condition, f: DerivedFacts): string {
  switch (c.kind) {
    case 'persons': {
      const n = count(f, c.of);
      return `${groupDigits(n)} ${c.of === 'all' ? 'affected persons' : `persons resident in ${c.of}`}`;
    }
    case 'cause':
      return `cause ${f.raw.cause}`;
    case 'wrongful_purpose':
      return f.raw.wrongfulPurpose === undefined ? `cause ${f.raw.cause}` : 'per the findings';
    case 'high_risk':
      return `EP x=${f.x}, y=${f.y}${f.sensitive ? ', sensitive data' : ''}`;
    default:
      return '';
  }
}

function describe(rule: TriggerRule | ExemptionRule, f: DerivedFacts): string {
  const e = evidence(rule.when, f);
  return e ? `${rule.label} (${e})` : rule.label;
}

export interface RegimeApplicability {
  regime: Regime;
  name: string;
  authority: string;
  applies: boolean;
  triggers: ObligationTrigger[];
  exemptions: ObligationExemption[];
  reasons: string[];
  source: string;
}

function evaluateRegime(rule: RegimeRule, f: DerivedFacts): RegimeApplicability {
  const base = { regime: rule.regime, name: rule.name, authority: rule.authority, source: rule.source };
  const missing = rule.requires.filter((r) => !holds(r.when, f));
  if (missing.length > 0) {
    return {
      ...base,
      applies: false,
      triggers: [],
      exemptions: [],
      reasons: missing.map((r) => `Does not apply: no ${r.label} (${evidence(r.when, f) || 'none'}).`),
    };
  }
  const met = rule.triggers.filter((t) => holds(t.when, f));
  const required = rule.requires.map((r) => r.code);
  const reasons = rule.requires.map((r) => `In scope: ${describe(r, f)}.`);
  if (rule.triggers.length > 0 && met.length === 0) {
    return {
      ...base,
      applies: false,
      triggers: required,
      exemptions: [],
      reasons: [...reasons, `Does not apply: none of ${rule.triggers.map((t) => t.label).join('; ')}.`],
    };
  }
  reasons.push(...met.map((t) => `Triggered: ${describe(t, f)}.`));
  const exempt = rule.exemptions.filter((e) => holds(e.when, f));
  if (exempt.length > 0) {
    return {
      ...base,
      applies: false,
      triggers: [...required, ...met.map((t) => t.code)],
      exemptions: exempt.map((e) => e.code),
      reasons: [...reasons, ...exempt.map((e) => `Exempt: ${e.label}.`)],
    };
  }
  return {
    ...base,
    applies: true,
    triggers: unique([...required, ...met.map((t) => t.code)]),
    exemptions: [],
    reasons,
  };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** Every regime of the table, with whether it applies and why (including why not). */
export function regimeApplicability(
  facts: ObligationFacts,
  options: Pick<ComputeObligationsOptions, 'rules'> = {},
): RegimeApplicability[] {
  const f = derive(facts);
  return (options.rules ?? REGIME_RULES).map((rule) => evaluateRegime(rule, f));
}

function spanMs(clock: { days?: number; hours?: number }): number {
  return ((clock.days ?? 0) * 24 + (clock.hours ?? 0)) * 3_600_000;
}

const ANCHOR_TEXT: Record<ClockAnchor, string> = {
  awareness: 'awareness',
  notifiable_decision: 'the decision that the breach is notifiable',
  persons_notice: 'the notice to persons',
};

/** Obligations in force for the facts, all `pending`. Pure: the same facts give the same list. */
export function computeObligations(facts: ObligationFacts, options: ComputeObligationsOptions = {}): Obligation[] {
  const f = derive(facts);
  const fraction = options.reminderFraction ?? P.reminderFraction;
  const awareAt = toUtcIso(facts.awareAt);
  const notifiableAt = toUtcIso(facts.notifiableDecidedAt ?? facts.awareAt);
  const out: Obligation[] = [];

  for (const rule of options.rules ?? REGIME_RULES) {
    const regime = evaluateRegime(rule, f);
    if (!regime.applies) continue;
    const dueByKind = new Map<string, string>();
    // Persons notices first: regulator clocks may run from them.
    const ordered = [...rule.obligations].sort(
      (a, b) => Number(a.clock.from === 'persons_notice') - Number(b.clock.from === 'persons_notice'),
    );
    const produced = new Map<ObligationRule, Obligation>();
    for (const ob of ordered) {
      const extra = ob.triggers ?? [];
      const metExtra = extra.filter((t) => holds(t.when, f));
      if (extra.length > 0 && metExtra.length === 0) continue;
      if ((ob.exemptions ?? []).some((e) => holds(e.when, f))) continue;

      const longer = ob.longerClock && regime.triggers.includes(ob.longerClock.trigger) ? ob.longerClock : undefined;
      const clock = longer?.clock ?? ob.clock;
      let anchor: string;
      let anchorText = ANCHOR_TEXT[clock.from];
      let startsAt = awareAt;
      if (clock.from === 'awareness') anchor = awareAt;
      else if (clock.from === 'notifiable_decision') {
        anchor = notifiableAt;
        startsAt = notifiableAt;
        if (facts.notifiableDecidedAt == null) anchorText += ' (taken at triage, i.e. awareness)';
      } else {
        const notified = facts.personsNotifiedAt?.[rule.regime];
        const personsDue = dueByKind.get('persons:notice');
        if (notified !== undefined) {
          anchor = toUtcIso(notified);
          anchorText += ` (sent ${formatJst(notified)})`;
        } else if (personsDue !== undefined) {
          anchor = personsDue;
          anchorText += ' (not sent yet: counted from its deadline)';
        } else anchor = awareAt;
      }
      const dueAt = addHours(anchor, spanMs(clock) / 3_600_000);
      const remindAt = ob.remindAfter
        ? earliest(addHours(startsAt, spanMs(ob.remindAfter) / 3_600_000), dueAt)
        : fractionBetween(startsAt, dueAt, fraction);
      dueByKind.set(`${ob.audience}:${ob.kind}`, dueAt);

      const triggers = unique([...regime.triggers, ...metExtra.map((t) => t.code)]);
      const span =
        clock.hours !== undefined && clock.days === undefined
          ? `${clock.hours} hours`
          : describeSpan(toMs(dueAt) - toMs(anchor));
      const explanation = [
        `${rule.name}: ${ob.what}, to ${ob.audience === 'regulator' ? rule.authority : 'the affected persons'}.`,
        ...regime.reasons,
        ...metExtra.map((t) => `Triggered: ${describe(t, f)}.`),
        `Due ${formatJst(dueAt)}: ${toMs(dueAt) === toMs(anchor) ? 'at the time of' : `${span} after`} ${anchorText}${longer ? ` (longer period because of ${longer.trigger})` : ''}.`,
        ob.legalDeadline ? 'Legal deadline.' : 'Target set by breach-claims, not a legal deadline.',
        `Reminder ${formatJst(remindAt)}.`,
      ].join(' ');

      produced.set(ob, {
        id: obligationId(rule.regime, ob.audience, ob.kind),
        regime: rule.regime,
        audience: ob.audience,
        kind: ob.kind,
        what: ob.what,
        startsAt,
        dueAt,
        dueAtJst: formatJst(dueAt),
        remindAt,
        status: 'pending',
        triggers,
        legalDeadline: ob.legalDeadline,
        explanation,
        source: ob.source,
      });
    }
    // Back to the table's order, which is the order a handler works through them.
    for (const ob of rule.obligations) {
      const o = produced.get(ob);
      if (o) out.push(o);
    }
  }
  return out;
}

/**
 * Folds a recomputation into the obligations already on the case. Statuses and filings stay; a deadline (and its
 * reminder) only ever moves earlier; new obligations are added; one no longer triggered is kept, marked, until a
 * handler records it not required, so nothing silently disappears from the regulator clock.
 */
export function mergeObligations(previous: readonly Obligation[], recomputed: readonly Obligation[]): Obligation[] {
  const prevById = new Map(previous.map((o) => [o.id, o]));
  const seen = new Set<string>();
  const out: Obligation[] = [];
  for (const r of recomputed) {
    seen.add(r.id);
    const p = prevById.get(r.id);
    if (!p) {
      out.push({ ...r, stillApplies: true });
      continue;
    }
    const keptEarlier = toMs(p.dueAt) < toMs(r.dueAt);
    const dueAt = keptEarlier ? p.dueAt : r.dueAt;
    const merged: Obligation = {
      ...r,
      startsAt: keptEarlier ? p.startsAt : r.startsAt,
      dueAt,
      dueAtJst: formatJst(dueAt),
      remindAt: earliest(p.remindAt, r.remindAt),
      status: p.status,
      triggers: unique([...p.triggers, ...r.triggers]),
      legalDeadline: p.legalDeadline || r.legalDeadline,
      explanation: keptEarlier
        ? `${r.explanation} Deadline kept at ${formatJst(p.dueAt)}: a deadline never moves later when the facts change.`
        : r.explanation,
      stillApplies: true,
    };
    if (p.filedAt !== undefined) merged.filedAt = p.filedAt;
    if (p.reference !== undefined) merged.reference = p.reference;
    if (p.notRequiredReason !== undefined) merged.notRequiredReason = p.notRequiredReason;
    if (p.reminded) merged.reminded = true;
    if (p.missedAt !== undefined) merged.missedAt = p.missedAt;
    out.push(merged);
  }
  for (const p of previous) {
    if (seen.has(p.id)) continue;
    const note = ' No longer triggered by the current facts; kept until a handler records it not required.';
    out.push({
      ...p,
      stillApplies: false,
      explanation: p.stillApplies === false ? p.explanation : p.explanation + note,
    });
  }
  return sortObligations(out);
}

export function sortObligations(obligations: readonly Obligation[]): Obligation[] {
  return [...obligations].sort((a, b) => toMs(a.dueAt) - toMs(b.dueAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** `pending` obligations past their deadline become `overdue`; nothing else changes. */
export function refreshObligationStatuses(obligations: readonly Obligation[], nowIso: string): Obligation[] {
  const now = toMs(nowIso);
  return obligations.map((o) => (o.status === 'pending' && toMs(o.dueAt) < now ? { ...o, status: 'overdue' } : o));
}

/** Open and still triggered by the facts: what the clocks (reminders, deadlines, escalations) watch. */
function watched(o: Obligation): boolean {
  return o.stillApplies !== false;
}

/**
 * The earliest deadline still open (pending or overdue) among the obligations the facts still trigger, or null.
 * An overdue one counts: it is still owed, and is the most urgent. One no longer triggered does not.
 */
export function nextDeadline(obligations: readonly Obligation[]): string | null {
  return nextOpenObligation(obligations)?.dueAt ?? null;
}

/** The obligation behind `nextDeadline` (the first in list order among equal deadlines), or undefined. */
export function nextOpenObligation<O extends Obligation>(obligations: readonly O[]): O | undefined {
  let next: O | undefined;
  for (const o of obligations) {
    if ((o.status !== 'pending' && o.status !== 'overdue') || !watched(o)) continue;
    if (next === undefined || toMs(o.dueAt) < toMs(next.dueAt)) next = o;
  }
  return next;
}

/**
 * Obligations whose reminder is due at `nowIso`: pending, still triggered, not reminded yet, reminder time reached.
 * An overdue one is escalated instead (see `deadlinesPassed`), so it is not reminded.
 */
export function remindersDue(obligations: readonly Obligation[], nowIso: string): Obligation[] {
  const now = toMs(nowIso);
  return obligations.filter((o) => o.status === 'pending' && watched(o) && !o.reminded && toMs(o.remindAt) <= now);
}

/**
 * Obligations whose deadline has passed unmet at `nowIso` and that are not yet marked overdue: pending, still
 * triggered, `dueAt <= now` (the deadline instant itself counts as passed, so a timer set for it finds it).
 */
export function deadlinesPassed(obligations: readonly Obligation[], nowIso: string): Obligation[] {
  const now = toMs(nowIso);
  return obligations.filter((o) => o.status === 'pending' && watched(o) && toMs(o.dueAt) <= now);
}

/**
 * When the case's clock must next look at its obligations: the earliest of every pending, still-triggered
 * obligation's reminder (unless already sent) and deadline; undefined when nothing is waiting.
 */
export function nextClockAt(obligations: readonly Obligation[]): string | undefined {
  let next: number | undefined;
  for (const o of obligations) {
    if (o.status !== 'pending' || !watched(o)) continue;
    const times = o.reminded ? [toMs(o.dueAt)] : [toMs(o.remindAt), toMs(o.dueAt)];
    for (const t of times) if (next === undefined || t < next) next = t;
  }
  return next === undefined ? undefined : new Date(next).toISOString();
}

export type FilingInput =
  | { regime: Regime; kind: ObligationKind; audience?: Audience; filedAt: string; reference?: string }
  | { regime: Regime; kind: ObligationKind; audience?: Audience; notRequired: string };

/** Why a filing was refused: no such obligation, several (say which audience), or already filed or waived. */
export const FILING_REFUSALS = ['not_found', 'ambiguous', 'already_done'] as const;
export type FilingRefusal = (typeof FILING_REFUSALS)[number];

export type FilingResult =
  | { ok: true; obligations: Obligation[]; obligation: Obligation }
  | { ok: false; code: FilingRefusal; error: string };

/**
 * Records a filing (done) or a decision not to file (not_required, with its reason: GDPR Art. 33(5)).
 * The obligation is the one of that regime and kind (and audience, when given). Refused, with a code, when there is
 * none (`not_found`), when more than one matches (`ambiguous`: GDPR has a regulator and a persons `notice`, so the
 * filing must say which audience), or when it is already `done` or `not_required` (`already_done`).
 * `filedAt` may carry any offset (or already be UTC); it is stored as canonical UTC.
 */
export function recordFiling(obligations: readonly Obligation[], filing: FilingInput): FilingResult {
  const matches = obligations.filter(
    (o) =>
      o.regime === filing.regime &&
      o.kind === filing.kind &&
      (filing.audience === undefined || o.audience === filing.audience),
  );
  const what = `${filing.regime} ${filing.audience ? `${filing.audience} ` : ''}${filing.kind}`;
  if (matches.length === 0) {
    return { ok: false, code: 'not_found', error: `no ${what} obligation on this case` };
  }
  if (matches.length > 1) {
    return {
      ok: false,
      code: 'ambiguous',
      error: `${filing.regime} has ${matches.length} ${filing.kind} obligations (${matches.map((m) => m.audience).join(', ')}): say which audience`,
    };
  }
  const target = matches[0]!;
  if (target.status === 'done' || target.status === 'not_required') {
    const how =
      target.status === 'done'
        ? `filed${target.filedAt ? ` ${formatJst(target.filedAt)}` : ''}`
        : `recorded not required${target.notRequiredReason ? `: ${target.notRequiredReason}` : ''}`;
    return { ok: false, code: 'already_done', error: `${target.id} is already ${target.status} (${how})` };
  }
  const updated: Obligation =
    'filedAt' in filing
      ? {
          ...target,
          status: 'done',
          filedAt: toUtcIso(filing.filedAt),
          ...(filing.reference !== undefined ? { reference: filing.reference } : {}),
        }
      : { ...target, status: 'not_required', notRequiredReason: filing.notRequired };
  return { ok: true, obligation: updated, obligations: obligations.map((o) => (o.id === target.id ? updated : o)) };
}

/** Persons-notice times already filed on the case, to feed `ObligationFacts.personsNotifiedAt` on recompute. */
export function personsNotifiedAtFrom(obligations: readonly Obligation[]): Partial<Record<Regime, string>> {
  const out: Partial<Record<Regime, string>> = {};
  for (const o of obligations) {
    if (o.audience === 'persons' && o.kind === 'notice' && o.status === 'done' && o.filedAt !== undefined) {
      out[o.regime] = o.filedAt;
    }
  }
  return out;
}

/** Convenience for explanations elsewhere (e.g. the case view). */
export function describeObligation(o: Obligation): string {
  const state =
    o.status === 'done'
      ? `filed ${o.filedAt ? formatJst(o.filedAt) : ''}`.trim()
      : o.status === 'not_required'
        ? `not required: ${o.notRequiredReason ?? ''}`
        : `${o.status}, due ${o.dueAtJst}${o.legalDeadline ? '' : ' (target)'}`;
  return `${o.regime} ${o.audience} ${o.kind}: ${state}`;
}

/** What the substitute-measure rule reads of a case. */
export interface SubstituteMeasureFacts {
  /** Persons the notices did not reach: SMTP rejections, bounces and returned letters, over all waves. */
  unreachable: number;
  announcements: readonly { channel: AnnouncementChannel }[];
  enquiryDesk?: { phone: string; hours: string } | null;
}

/** A substitute measure the case still lacks: a public announcement, an enquiry desk the persons can reach. */
export type SubstituteMeasurePart = 'announcement' | 'enquiry_desk';

/**
 * The APPI substitute-measure duty (代替措置, domain.md 8a; 個人情報保護法施行規則 第10条 and the PPC guidelines): when
 * persons cannot be reached, a public notice (website or press) and an enquiry desk stand in for their notice.
 */
export interface SubstituteMeasureObligation {
  id: 'JP-APPI:public:substitute_measures';
  status: 'pending' | 'done';
  unreachable: number;
  /** What is still to be recorded; empty once done. */
  missing: SubstituteMeasurePart[];
}

/**
 * The substitute-measure obligation of a case, or null when every person was reached (nothing to stand in for).
 * Pending until an announcement and an enquiry desk are both recorded. Pure: the case and its desk read the same rule.
 */
export function substituteMeasureObligation(f: SubstituteMeasureFacts): SubstituteMeasureObligation | null {
  if (f.unreachable <= 0) return null;
  const missing: SubstituteMeasurePart[] = [];
  if (f.announcements.length === 0) missing.push('announcement');
  if (!f.enquiryDesk) missing.push('enquiry_desk');
  return { id: 'JP-APPI:public:substitute_measures', status: missing.length === 0 ? 'done' : 'pending', unreachable: f.unreachable, missing };
}
