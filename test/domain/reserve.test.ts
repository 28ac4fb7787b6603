import { describe, expect, it } from 'vitest';
import { COST_CATEGORIES, computeExposure, computeReserve, RESERVE_ASSUMPTIONS } from '../../domain/index.js';
import { samplePolicy } from './fixtures.js';

const fullPolicy = samplePolicy({
  liability: { perClaimLimitJpy: 100_000_000, periodLimitJpy: 100_000_000, deductibleJpy: 0 },
  categories: Object.fromEntries(
    COST_CATEGORIES.map((c) => [
      c,
      {
        limitJpy: 30_000_000,
        payoutRatio: 1,
        consentRequired: false,
        ...(c === 'apology_payment' ? { perVictimCapJpy: 1_000 } : {}),
      },
    ]),
  ),
});

describe('computeReserve', () => {
  const exposure = computeExposure({ dataItems: ['name', 'address', 'credit_card'], persons: 10_000, socialResponsibility: 1 });

  it('estimates each category from its named assumption', () => {
    const r = computeReserve({ policy: fullPolicy, affectedPersons: 10_000, exposure, severity: 'high', systems: 3 });
    expect(r.byCategory).toMatchObject({
      notification: 10_000 * RESERVE_ASSUMPTIONS.letterPerPersonJpy.value,
      apology_payment: 10_000 * 1_000,
      forensic_investigation: 3 * RESERVE_ASSUMPTIONS.forensicsPerSystemJpy.value,
      call_center: RESERVE_ASSUMPTIONS.callCenterBySeverity.value.high,
      public_relations: RESERVE_ASSUMPTIONS.publicRelationsBySeverity.value.high,
      legal_counsel: RESERVE_ASSUMPTIONS.legalCounselBySeverity.value.high,
      liability_damages: Math.floor(780_000_000 * RESERVE_ASSUMPTIONS.liabilityClaimRate.value),
      credit_monitoring: 0,
    });
    expect(Object.keys(r.byCategory).sort()).toEqual([...COST_CATEGORIES].sort());
    expect(r.totalJpy).toBe(Object.values(r.byCategory).reduce((a, b) => a + b, 0));
    expect(r.totalJpy).toBe(r.responseJpy + r.liabilityJpy);
    expect(r.assumptions.map((a) => a.name)).toEqual(
      expect.arrayContaining(['letterPerPersonJpy', 'forensicsPerSystemJpy', 'liabilityClaimRate', 'severity']),
    );
    for (const a of r.assumptions) expect(a.explanation.length).toBeGreaterThan(0);
  });

  it('reserves nothing for categories the policy does not cover, and applies ratio and sub-limits', () => {
    const policy = samplePolicy({
      categories: {
        notification: { limitJpy: 50_000, payoutRatio: 1, consentRequired: false },
        forensic_investigation: { limitJpy: 10_000_000, payoutRatio: 0.9, consentRequired: false },
      },
    });
    const r = computeReserve({ policy, affectedPersons: 1_000, exposure, severity: 'low' });
    expect(r.byCategory.notification).toBe(50_000);
    expect(r.byCategory.forensic_investigation).toBe(540_000);
    expect(r.byCategory.call_center).toBe(0);
    expect(r.lines.find((l) => l.category === 'legal_counsel')!.explanation).toContain('not covered');
  });

  it('stays within the per-incident response-cost limit', () => {
    const policy = { ...fullPolicy, responseCosts: { perIncidentLimitJpy: 5_000_000, periodLimitJpy: 50_000_000 } };
    const r = computeReserve({ policy, affectedPersons: 100_000, exposure, severity: 'critical' });
    expect(r.responseJpy).toBe(5_000_000);
  });

  it('uses a default system count by severity until forensics counts them', () => {
    const r = computeReserve({ policy: fullPolicy, affectedPersons: 10, exposure, severity: 'critical' });
    expect(r.byCategory.forensic_investigation).toBe(
      RESERVE_ASSUMPTIONS.defaultSystemsBySeverity.value.critical * RESERVE_ASSUMPTIONS.forensicsPerSystemJpy.value,
    );
  });
});
