import { PolicySchema, type Policy } from '../../domain/index.js';
import type { ObligationFacts } from '../../domain/index.js';

/** The policy as an insurer would send it, before parsing (schema tests feed it with changes). */
export const samplePolicyBody = (overrides: Partial<Record<string, unknown>> = {}): Record<string, unknown> => ({
  insuredId: 'ins-001',
  insuredName: '株式会社サンプル',
  periodStart: '2026-04-01T00:00:00+09:00',
  periodEnd: '2027-04-01T00:00:00+09:00',
  retroactiveDate: '2024-04-01T00:00:00+09:00',
  socialResponsibility: 1,
  liability: { perClaimLimitJpy: 100_000_000, periodLimitJpy: 100_000_000, deductibleJpy: 0 },
  responseCosts: { perIncidentLimitJpy: 50_000_000, periodLimitJpy: 50_000_000 },
  categories: {
    forensic_investigation: { limitJpy: 10_000_000, payoutRatio: 1.0, consentRequired: false },
    apology_payment: { limitJpy: 10_000_000, payoutRatio: 1.0, consentRequired: true, perVictimCapJpy: 500 },
  },
  ...overrides,
});

export const samplePolicy = (overrides: Partial<Record<string, unknown>> = {}): Policy => PolicySchema.parse(samplePolicyBody(overrides));

/** Awareness at 2026-11-20 09:00 JST = 00:00 UTC, as in the contract's example. */
export const AWARE = '2026-11-20T00:00:00.000Z';

export const baseFacts = (overrides: Partial<ObligationFacts> = {}): ObligationFacts => ({
  awareAt: AWARE,
  dataItems: ['name', 'address'],
  affectedPersons: 100,
  residency: {},
  cause: 'misdelivery',
  encrypted: false,
  ...overrides,
});
