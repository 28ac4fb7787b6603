import { describe, expect, it } from 'vitest';
import { grantDraw, policyUsage, type PeriodUsage } from '../../domain/index.js';
import { samplePolicy } from './fixtures.js';

const policy = samplePolicy({
  liability: { perClaimLimitJpy: 50_000_000, periodLimitJpy: 50_000_000, deductibleJpy: 0 },
  responseCosts: { perIncidentLimitJpy: 10_000_000, periodLimitJpy: 10_000_000 },
  categories: {
    notification: { limitJpy: 3_000_000, payoutRatio: 1, consentRequired: false },
    forensic_investigation: { limitJpy: 8_000_000, payoutRatio: 1, consentRequired: false },
    liability_damages: { limitJpy: 60_000_000, payoutRatio: 1, consentRequired: false },
  },
});

const used = (u: Partial<PeriodUsage>): PeriodUsage => ({ responseJpy: 0, liabilityJpy: 0, byCategory: {}, ...u });

describe('policyUsage', () => {
  const rows: { name: string; usage: PeriodUsage; expect: Record<string, [number, number]> }[] = [
    {
      name: 'nothing paid: every limit whole (a category capped by its period limit)',
      usage: used({}),
      expect: { liability: [0, 50_000_000], responseCosts: [0, 10_000_000], notification: [0, 3_000_000], forensic_investigation: [0, 8_000_000], liability_damages: [0, 50_000_000] },
    },
    {
      name: 'a category paid in part',
      usage: used({ responseJpy: 1_000_000, byCategory: { notification: 1_000_000 } }),
      expect: { responseCosts: [1_000_000, 9_000_000], notification: [1_000_000, 2_000_000], forensic_investigation: [0, 8_000_000] },
    },
    {
      name: 'the period limit nearly spent caps the other categories',
      usage: used({ responseJpy: 9_500_000, byCategory: { forensic_investigation: 8_000_000, notification: 1_500_000 } }),
      expect: { responseCosts: [9_500_000, 500_000], notification: [1_500_000, 500_000], forensic_investigation: [8_000_000, 0] },
    },
    {
      name: 'overspent figures never go negative',
      usage: used({ liabilityJpy: 70_000_000, byCategory: { liability_damages: 70_000_000 } }),
      expect: { liability: [70_000_000, 0], liability_damages: [70_000_000, 0], responseCosts: [0, 10_000_000] },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const u = policyUsage(policy, row.usage);
      for (const [key, [paid, remaining]] of Object.entries(row.expect)) {
        const got = key === 'liability' ? u.liability : key === 'responseCosts' ? u.responseCosts : u.categories[key as 'notification'];
        expect(got, key).toEqual({ paidJpy: paid, remainingJpy: remaining });
      }
    });
  }

  it('lists only categories the policy covers', () => {
    expect(Object.keys(policyUsage(policy).categories).sort()).toEqual(['forensic_investigation', 'liability_damages', 'notification']);
  });

  it('a category remainder is exactly what a draw could still have', () => {
    const usage = used({ responseJpy: 9_000_000, byCategory: { forensic_investigation: 7_000_000, notification: 2_000_000 } });
    const left = policyUsage(policy, usage).categories.notification!.remainingJpy;
    const { grant } = grantDraw(policy, usage, { payoutId: 'P1', caseId: 'c', lines: [{ lineId: 'L1', category: 'notification', amountJpy: 5_000_000 }] });
    expect(grant.lines[0]!.grantedJpy).toBe(left);
  });
});
