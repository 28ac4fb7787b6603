import { describe, expect, it } from 'vitest';
import {
  applyCoverageOverride,
  assessCoverage,
  COVERAGE_REASONS,
  coverageDecisionOf,
  EXCLUSIONS,
  IncidentReportSchema,
  PolicySchema,
  type CoverageCircumstances,
} from '../../domain/index.js';
import { samplePolicy, samplePolicyBody } from './fixtures.js';

// Period: 2026-04-01 00:00 JST (2026-03-31T15:00Z) to 2027-04-01 00:00 JST; retroactive date 2024-04-01 00:00 JST.
const policy = samplePolicy();
const none: CoverageCircumstances = {};
const OCCURRED = '2026-11-18T00:00:00+09:00';

describe('assessCoverage: policy period and retroactive date', () => {
  it.each([
    ['discovery at the very start of the period', '2026-04-01T00:00:00+09:00', OCCURRED.replace('11-18', '03-01'), 'covered', []],
    ['discovery a second before the period', '2026-03-31T23:59:59+09:00', '2026-03-01T00:00:00+09:00', 'denied', ['outside_policy_period']],
    ['discovery on the last day of the period', '2027-03-31T12:00:00+09:00', OCCURRED, 'covered', []],
    ['discovery in the last second of the period', '2027-03-31T23:59:59+09:00', OCCURRED, 'covered', []],
    ['discovery exactly at periodEnd', '2027-04-01T00:00:00+09:00', OCCURRED, 'denied', ['outside_policy_period']],
    ['occurrence exactly at the retroactive date', '2026-11-20T09:00:00+09:00', '2024-04-01T00:00:00+09:00', 'covered', []],
    ['occurrence a second before the retroactive date', '2026-11-20T09:00:00+09:00', '2024-03-31T23:59:59+09:00', 'denied', ['before_retroactive_date']],
    ['both outside the period and before the retroactive date', '2027-05-01T00:00:00+09:00', '2020-01-01T00:00:00+09:00', 'denied', ['outside_policy_period', 'before_retroactive_date']],
  ] as const)('%s → %s', (_what, discoveredAt, occurredAt, decision, reasons) => {
    const a = assessCoverage(policy, { discoveredAt, occurredAt, circumstances: none });
    expect(a.decision).toBe(decision);
    expect(a.reasons).toEqual(reasons);
    expect(a.explanations.length).toBeGreaterThan(0);
  });

  it.each([undefined, null])('occurrence unknown (%s) → provisional with occurrence_unknown', (occurredAt) => {
    const a = assessCoverage(policy, { discoveredAt: '2026-11-20T09:00:00+09:00', occurredAt, circumstances: none });
    expect(a.decision).toBe('provisional');
    expect(a.reasons).toEqual(['occurrence_unknown']);
    expect(a.facts.occurredAt).toBe('unknown');
  });

  it('a denial outranks an unknown occurrence', () => {
    const a = assessCoverage(policy, { discoveredAt: '2027-04-01T00:00:00+09:00', circumstances: none });
    expect(a.decision).toBe('denied');
    expect(a.reasons).toEqual(['outside_policy_period']);
  });

  it('states the facts it rests on', () => {
    const a = assessCoverage(policy, { discoveredAt: '2027-04-01T00:00:00+09:00', occurredAt: OCCURRED, circumstances: none });
    expect(a.facts).toMatchObject({
      discoveredAt: '2027-03-31T15:00:00.000Z',
      discoveredAtJst: '2027-04-01 00:00 JST',
      periodEnd: '2027-03-31T15:00:00.000Z',
    });
    expect(a.explanations[0]).toContain('2027-04-01 00:00 JST');
  });
});

describe('assessCoverage: exclusions', () => {
  it.each([
    ['directedByInsuredOfficers', 'directed_by_insured_officers'],
    ['warOrRiot', 'war_or_riot'],
    ['naturalCatastrophe', 'natural_catastrophe'],
    ['knownBeforeInception', 'known_before_inception'],
    ['terrorism', 'terrorism'],
  ] as const)('%s denies with %s', (flag, reason) => {
    const a = assessCoverage(policy, {
      discoveredAt: '2026-11-20T09:00:00+09:00',
      occurredAt: OCCURRED,
      circumstances: { [flag]: true },
    });
    expect(a.decision).toBe('denied');
    expect(a.reasons).toEqual([reason]);
    expect(a.facts[flag]).toBe('yes');
    expect(a.liability.decision).toBe('denied');
  });

  it('lists every exclusion that applies, each with its own code', () => {
    const a = assessCoverage(policy, {
      discoveredAt: '2026-11-20T09:00:00+09:00',
      circumstances: { warOrRiot: true, naturalCatastrophe: true },
    });
    expect(a.decision).toBe('denied');
    expect(a.reasons).toEqual(['war_or_riot', 'natural_catastrophe']);
  });

  it("an employee's own wrongdoing is covered (only officers' direction is excluded)", () => {
    const a = assessCoverage(policy, {
      discoveredAt: '2026-11-20T09:00:00+09:00',
      occurredAt: OCCURRED,
      circumstances: { directedByInsuredOfficers: false },
    });
    expect(a.decision).toBe('covered');
  });

  it.each([
    ['contractualLiability', 'contractual_liability'],
    ['bodilyInjuryOrPropertyDamage', 'bodily_injury_or_property_damage'],
  ] as const)('%s denies liability only (%s), response costs stay covered', (flag, reason) => {
    const a = assessCoverage(policy, {
      discoveredAt: '2026-11-20T09:00:00+09:00',
      occurredAt: OCCURRED,
      circumstances: { [flag]: true },
    });
    expect(a.decision).toBe('covered');
    expect(a.liability).toMatchObject({ decision: 'denied', reasons: [reason] });
  });

  it('liability is claims-made: a claim after periodEnd is not covered', () => {
    const base = { discoveredAt: '2026-11-20T09:00:00+09:00', occurredAt: OCCURRED, circumstances: none };
    expect(assessCoverage(policy, { ...base, claimMadeAt: '2027-03-31T23:59:59+09:00' }).liability.decision).toBe('covered');
    const late = assessCoverage(policy, { ...base, claimMadeAt: '2027-04-01T00:00:00+09:00' });
    expect(late.decision).toBe('covered');
    expect(late.liability).toMatchObject({ decision: 'denied', reasons: ['claim_outside_policy_period'] });
  });
});

describe('assessCoverage: terrorism (戦争やテロ), unless the policy extends cover to it', () => {
  const base = { discoveredAt: '2026-11-20T09:00:00+09:00', occurredAt: OCCURRED };
  const covering = samplePolicy({ coversTerrorism: true });

  it.each<[string, boolean | undefined, CoverageCircumstances, 'covered' | 'denied', string[]]>([
    ['no terrorism, policy silent', undefined, {}, 'covered', []],
    ['terrorism, policy silent (defaults to no cover)', undefined, { terrorism: true }, 'denied', ['terrorism']],
    ['terrorism, policy says no', false, { terrorism: true }, 'denied', ['terrorism']],
    ['terrorism, policy covers terrorism', true, { terrorism: true }, 'covered', []],
    ['terrorism explicitly false, policy covers terrorism', true, { terrorism: false }, 'covered', []],
    ['terrorism and riot, policy covers terrorism: the riot still denies', true, { terrorism: true, warOrRiot: true }, 'denied', ['war_or_riot']],
    ['terrorism and riot, no terrorism cover: both, in the letter order', false, { terrorism: true, warOrRiot: true }, 'denied', ['war_or_riot', 'terrorism']],
    ['terrorism and a catastrophe, no cover', undefined, { naturalCatastrophe: true, terrorism: true }, 'denied', ['terrorism', 'natural_catastrophe']],
  ])('%s', (_what, coversTerrorism, circumstances, decision, reasons) => {
    const p = coversTerrorism === undefined ? { ...policy, coversTerrorism: undefined } : { ...policy, coversTerrorism };
    const a = assessCoverage(p, { ...base, circumstances });
    expect(a.decision).toBe(decision);
    expect(a.reasons).toEqual(reasons);
    expect(a.grounds.map((g) => g.reason)).toEqual(reasons);
    expect(a.facts.terrorism).toBe(circumstances.terrorism ? 'yes' : 'no');
    expect(a.facts.coversTerrorism).toBe(coversTerrorism ? 'yes' : 'no');
    expect(a.liability.decision).toBe(decision);
  });

  it('names the exclusion and the fact it rests on; says so when the policy buys it back', () => {
    const denied = assessCoverage(policy, { ...base, circumstances: { terrorism: true } });
    expect(denied.explanations).toContain('Excluded: terrorism (テロ行為); the policy does not extend cover to terrorism.');
    expect(denied.grounds).toEqual([
      {
        reason: 'terrorism',
        explanation: 'Excluded: terrorism (テロ行為); the policy does not extend cover to terrorism.',
        facts: ['terrorism: yes', 'coversTerrorism: no'],
      },
    ]);
    const covered = assessCoverage(covering, { ...base, circumstances: { terrorism: true } });
    expect(covered.explanations.join(' ')).toContain('the policy extends cover to terrorism: not excluded');
  });

  it('is an exclusion of the whole incident, listed right after war and riot', () => {
    const flags = EXCLUSIONS.map((e) => e.flag);
    expect(flags.indexOf('terrorism')).toBe(flags.indexOf('warOrRiot') + 1);
    expect(COVERAGE_REASONS).toContain('terrorism');
    // Codes are only ever appended.
    expect(COVERAGE_REASONS.slice(0, 10)).toEqual([
      'outside_policy_period',
      'before_retroactive_date',
      'known_before_inception',
      'directed_by_insured_officers',
      'war_or_riot',
      'natural_catastrophe',
      'occurrence_unknown',
      'claim_outside_policy_period',
      'contractual_liability',
      'bodily_injury_or_property_damage',
    ]);
  });

  it.each<[string, Record<string, unknown>, boolean | undefined, boolean]>([
    ['policy without the field: parsed as no terrorism cover', {}, false, true],
    ['policy with coversTerrorism true', { coversTerrorism: true }, true, true],
    ['policy with coversTerrorism false', { coversTerrorism: false }, false, true],
    ['policy with coversTerrorism as a string', { coversTerrorism: 'yes' }, undefined, false],
  ])('PolicySchema: %s', (_what, patch, parsed, ok) => {
    const res = PolicySchema.safeParse({ ...samplePolicyInput(), ...patch });
    expect(res.success).toBe(ok);
    if (res.success) expect(res.data.coversTerrorism).toBe(parsed);
  });

  it.each<[string, Record<string, unknown> | undefined, boolean | undefined, boolean]>([
    ['circumstances omitted: terrorism false', undefined, false, true],
    ['circumstances without terrorism: false', { warOrRiot: false }, false, true],
    ['terrorism true', { terrorism: true }, true, true],
    ['terrorism not a boolean', { terrorism: 1 }, undefined, false],
  ])('IncidentReportSchema circumstances: %s', (_what, circumstances, parsed, ok) => {
    const res = IncidentReportSchema.safeParse({ ...reportInput, ...(circumstances ? { circumstances } : {}) });
    expect(res.success).toBe(ok);
    if (res.success) expect(res.data.circumstances.terrorism).toBe(parsed);
  });
});

const samplePolicyInput = () => samplePolicyBody({ categories: {} });

const reportInput = {
  policyNumber: 'PL-2026-000123',
  discoveredAt: '2026-11-20T09:00:00+09:00',
  cause: 'external_attack',
  description: 'Ransomware group claiming a political motive.',
  dataItems: ['name'],
  affectedPersons: 10,
  contact: { name: '山田 太郎', email: 'yamada@example.co.jp' },
};

describe('assessCoverage: grounds, one per reason, for the denial letter', () => {
  it.each<[string, Parameters<typeof assessCoverage>[1], string[], string[][]]>([
    ['covered: none', { discoveredAt: '2026-11-20T09:00:00+09:00', occurredAt: OCCURRED, circumstances: none }, [], []],
    [
      'outside the period',
      { discoveredAt: '2027-04-01T00:00:00+09:00', occurredAt: OCCURRED, circumstances: none },
      ['outside_policy_period'],
      [['discoveredAtJst: 2027-04-01 00:00 JST', 'discoveredAt: 2027-03-31T15:00:00.000Z', 'periodStart: 2026-03-31T15:00:00.000Z', 'periodEnd: 2027-03-31T15:00:00.000Z']],
    ],
    [
      'before the retroactive date, and war',
      { discoveredAt: '2026-11-20T09:00:00+09:00', occurredAt: '2024-01-01T00:00:00+09:00', circumstances: { warOrRiot: true } },
      ['before_retroactive_date', 'war_or_riot'],
      [['occurredAtJst: 2024-01-01 00:00 JST', 'occurredAt: 2023-12-31T15:00:00.000Z', 'retroactiveDate: 2024-03-31T15:00:00.000Z'], ['warOrRiot: yes']],
    ],
    [
      'provisional: occurrence unknown',
      { discoveredAt: '2026-11-20T09:00:00+09:00', circumstances: none },
      ['occurrence_unknown'],
      [['occurredAt: unknown', 'retroactiveDate: 2024-03-31T15:00:00.000Z']],
    ],
  ])('%s', (_what, facts, reasons, groundFacts) => {
    const a = assessCoverage(policy, facts);
    expect(a.reasons).toEqual(reasons);
    expect(a.grounds.map((g) => g.reason)).toEqual(reasons);
    expect(a.grounds.map((g) => g.facts)).toEqual(groundFacts);
    for (const g of a.grounds) expect(a.explanations).toContain(g.explanation);
  });
});

describe('coverage overrides', () => {
  const computed = assessCoverage(policy, {
    discoveredAt: '2027-04-01T00:00:00+09:00',
    occurredAt: OCCURRED,
    circumstances: none,
  });

  it('keeps the computed assessment and records the override beside it', () => {
    const before = structuredClone(computed);
    const d = applyCoverageOverride(computed, {
      decision: 'covered',
      reason: 'Discovered at 00:00 on renewal; renewal policy continues cover',
      by: 'supervisor-1',
      at: '2027-04-02T10:00:00+09:00',
    });
    expect(d.computed).toEqual(before);
    expect(computed).toEqual(before);
    expect(d.override).toMatchObject({ decision: 'covered', by: 'supervisor-1', at: '2027-04-02T01:00:00.000Z' });
    expect(d.effective).toMatchObject({ decision: 'covered', source: 'override', reasons: ['outside_policy_period'] });
    expect(d.effective.explanation).toContain('overriding the computed denied (outside_policy_period)');
  });

  it('a record without override shows the computed decision as effective', () => {
    expect(coverageDecisionOf(computed).effective).toMatchObject({ decision: 'denied', source: 'computed' });
  });

  it('refuses an override without a reason', () => {
    expect(() => applyCoverageOverride(computed, { decision: 'covered', reason: ' ', by: 'h', at: '2027-04-02T00:00:00Z' })).toThrow();
  });
});
