import { describe, expect, it } from 'vitest';
import { applyCoverageOverride, assessCoverage, coverageDecisionOf, type CoverageCircumstances } from '../../domain/index.js';
import { samplePolicy } from './fixtures.js';

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
