import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeQuote,
  DATA_ITEM_CODES,
  QUOTE_INDUSTRIES,
  QuoteRequestSchema,
  resolveMeasures,
  SECURITY_MEASURES,
  STANDARD_LIMITS_JPY,
  type DataItem,
  type Measures,
  type QuoteInput,
} from '../../domain/index.js';

const NONE: Measures = { encryptionAtRest: false, mfa: false, edr: false, staffTraining: false, accessReviews: false };
const ALL: Measures = { encryptionAtRest: true, mfa: true, edr: true, staffTraining: true, accessReviews: true };
const M = 1_000_000;

interface Row {
  name: string;
  input: QuoteInput;
  typical: { leaked: number; severity: string; perPerson: number; liability: number; response: number };
  severe: { leaked: number; severity: string; perPerson: number; liability: number; response: number };
  plans: [position: string, liabilityLimit: number, responseLimit: number, uncovered: number][];
}

// Every figure below is worked by hand from domain.md 8c, the JNSA formula and the reserve's assumptions.
const ROWS: Row[] = [
  {
    name: 'a small shop with names and e-mail addresses',
    input: { industry: 'retail_ecommerce', employees: 50, annualRevenueJpy: 500 * M, recordSets: [{ dataItems: ['name', 'email'], persons: 1_000 }], measures: NONE },
    // 100 leak; low; 500 × (1 + 1) × 3 = 3,000 per person; 3,000 × 100 × 0.02 % = 60.
    // Response: forensics 600,000 × 1 + counsel 500,000 + letters 100 × 100 + apology 500 × 100 = 1,160,000.
    typical: { leaked: 100, severity: 'low', perPerson: 3_000, liability: 60, response: 1_160_000 },
    // 1,000 leak; low raised by the attack to medium; 3,000 × 1,000 × 1 % = 30,000.
    // Response: 600,000 + 1,000,000 + 100,000 + 500,000 + call centre 1,500,000 = 3,700,000.
    severe: { leaked: 1_000, severity: 'medium', perPerson: 3_000, liability: 30_000, response: 3_700_000 },
    plans: [
      ['recommended', 10 * M, 10 * M, 0],
      ['higher', 30 * M, 30 * M, 0],
    ],
  },
  {
    name: 'a card issuer with 100,000 customers (social responsibility 2)',
    input: {
      industry: 'finance',
      employees: 300,
      annualRevenueJpy: 20_000 * M,
      recordSets: [{ dataItems: ['name', 'address', 'credit_card'], persons: 100_000 }],
      measures: NONE,
    },
    // 500 × (10^0 + 5^2) × 6 × 2 = 156,000 per person.
    // Typical: 10,000 leak, high raised to critical by card data; 156,000 × 10,000 × 0.02 % = 312,000;
    // 2,400,000 + 8,000,000 + 1,000,000 + 5,000,000 + 20,000,000 + 10,000,000 = 46,400,000.
    typical: { leaked: 10_000, severity: 'critical', perPerson: 156_000, liability: 312_000, response: 46_400_000 },
    // Severe: 100,000 leak; 156,000 × 100,000 × 1 % = 156,000,000;
    // 2,400,000 + 8,000,000 + 10,000,000 + 50,000,000 + 20,000,000 + 10,000,000 = 100,400,000.
    severe: { leaked: 100_000, severity: 'critical', perPerson: 156_000, liability: 156_000_000, response: 100_400_000 },
    plans: [
      ['lower', 100 * M, 100 * M, 56_000_000 + 400_000],
      ['recommended', 300 * M, 300 * M, 0],
      ['higher', 500 * M, 500 * M, 0],
    ],
  },
  {
    name: 'a hospital group above the largest standard limit',
    input: {
      industry: 'healthcare',
      employees: 5_000,
      annualRevenueJpy: 100_000 * M,
      recordSets: [{ dataItems: ['name', 'address', 'medical_record'], persons: 1_000_000 }],
      measures: ALL,
    },
    // 500 × (10^2 + 5^0) × 6 × 2 = 606,000 per person.
    // Typical: 100,000 leak, critical; 606,000 × 100,000 × 0.02 % = 12,120,000;
    // 2,400,000 + 8,000,000 + 10,000,000 + 50,000,000 + 20,000,000 + 10,000,000 = 100,400,000.
    typical: { leaked: 100_000, severity: 'critical', perPerson: 606_000, liability: 12_120_000, response: 100_400_000 },
    // Severe: 606,000 × 1,000,000 × 1 % = 6,060,000,000; 2,400,000 + 8,000,000 + 100,000,000 + 500,000,000 + 30,000,000.
    severe: { leaked: 1_000_000, severity: 'critical', perPerson: 606_000, liability: 6_060 * M, response: 640_400_000 },
    plans: [
      ['lower', 500 * M, 500 * M, 5_560 * M + 140_400_000],
      ['recommended', 1_000 * M, 1_000 * M, 5_060 * M],
    ],
  },
  {
    name: 'a manufacturer with 1,000 or more employees (social responsibility 2), an odd count rounded up',
    input: { industry: 'manufacturing', employees: 1_000, annualRevenueJpy: 0, recordSets: [{ dataItems: ['email'], persons: 15 }], measures: NONE },
    // 2 leak (1.5 rounded up); 500 × 2 × 1 × 2 = 2,000; 2,000 × 2 × 0.02 % = 0.8 → 0.
    // 600,000 + 500,000 + 200 + 1,000 = 1,101,200.
    typical: { leaked: 2, severity: 'low', perPerson: 2_000, liability: 0, response: 1_101_200 },
    // 15 leak; low raised to medium; 2,000 × 15 × 1 % = 300; 600,000 + 1,000,000 + 1,500 + 7,500 + 1,500,000.
    severe: { leaked: 15, severity: 'medium', perPerson: 2_000, liability: 300, response: 3_109_000 },
    plans: [
      ['recommended', 10 * M, 10 * M, 0],
      ['higher', 30 * M, 30 * M, 0],
    ],
  },
];

describe('computeQuote, worked examples', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const q = computeQuote(row.input);
      const [typical, severe] = q.scenarios;
      for (const [got, want] of [
        [typical!, row.typical],
        [severe!, row.severe],
      ] as const) {
        expect({
          leaked: got.leakedPersons,
          severity: got.severity,
          perPerson: got.perPersonJpy,
          liability: got.liabilityJpy,
          response: got.responseCostsJpy,
        }).toEqual(want);
      }
      expect(q.plans.map((p) => [p.position, p.liabilityLimitJpy, p.responseCostLimitJpy, p.uncoveredInSevereJpy])).toEqual(row.plans);
      expect(q.plans.filter((p) => p.recommended)).toHaveLength(1);
    });
  }

  it('sizes the plan by the worst record set, per limit', () => {
    const q = computeQuote({
      industry: 'retail_ecommerce',
      employees: 50,
      annualRevenueJpy: 500 * M,
      recordSets: [
        { dataItems: ['name', 'email'], persons: 1_000 },
        { dataItems: ['name', 'address', 'credit_card'], persons: 100_000 },
      ],
      measures: NONE,
    });
    expect(q.scenarios.map((s) => [s.name, s.recordSet])).toEqual([
      ['typical', 0],
      ['severe', 0],
      ['typical', 1],
      ['severe', 1],
    ]);
    expect(q.sizing).toMatchObject({ liabilityRecordSet: 1, responseRecordSet: 1, liabilityJpy: 78_000_000, responseCostsJpy: 100_400_000 });
    expect(q.plans.find((p) => p.recommended)).toMatchObject({ liabilityLimitJpy: 100 * M, responseCostLimitJpy: 300 * M });
  });

  it('names what a lower plan leaves uncovered, with its share of revenue, in both languages', () => {
    const q = computeQuote(ROWS[1]!.input);
    const lower = q.plans.find((p) => p.position === 'lower')!;
    expect(lower.reasons.map((r) => r.code)).toEqual(['leaves_uncovered', 'share_of_revenue']);
    expect(lower.reasons[0]!.text.en).toContain('56,400,000 円');
    expect(lower.reasons[0]!.text.ja).toContain('56,400,000円');
    expect(lower.reasons[1]!.params['share']).toBe('0.282 %');
    const top = computeQuote(ROWS[2]!.input).plans.find((p) => p.recommended)!;
    expect(top.reasons.map((r) => r.code)).toContain('above_standard_limits');
  });

  it('turns each missing measure into a prevention recommendation, in both languages', () => {
    const q = computeQuote({ ...ROWS[0]!.input, measures: { ...ALL, mfa: false, accessReviews: false } });
    expect(q.preventionRecommendations.map((r) => r.measure)).toEqual(['mfa', 'accessReviews']);
    for (const r of q.preventionRecommendations) {
      expect(r.text.en.length).toBeGreaterThan(20);
      expect(r.text.ja).toMatch(/[ぁ-んァ-ン一-龥]/);
    }
    expect(computeQuote({ ...ROWS[0]!.input, measures: ALL }).preventionRecommendations).toEqual([]);
  });

  it('shows the arithmetic of every figure in both languages', () => {
    const q = computeQuote(ROWS[1]!.input);
    const severe = q.scenarios[1]!;
    const byCode = Object.fromEntries(severe.steps.map((s) => [s.code, s]));
    expect(byCode['jnsa_per_person']!.text.en).toBe('JNSA per person = 500 × (10^0 + 5^2) × 6 × 2 × 1 = 156,000 円 (rounded down).');
    expect(byCode['liability']!.text.ja).toBe('損害賠償 = 156,000円 × 100,000人 × 請求率 1 % = 156,000,000円（切り捨て）');
    expect(byCode['response.apology_payment']!.amountJpy).toBe(50_000_000);
    expect(byCode['response_total']!.text.en).toBe(
      'Response costs = 2,400,000 + 8,000,000 + 10,000,000 + 50,000,000 + 20,000,000 + 10,000,000 = 100,400,000 円.',
    );
    expect(q.sizing.steps.map((s) => s.code)).toEqual(['sizing', 'liability_limit', 'response_limit']);
    expect(q.steps[0]!.text.en).toContain('Banking and finance');
  });
});

describe('resolveMeasures', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  const cases: [string, Parameters<typeof resolveMeasures>, Partial<Measures>, Record<string, string>][] = [
    ['nothing stated: all missing', [undefined, undefined, [], now], NONE, { mfa: 'not_stated', staffTraining: 'not_stated' }],
    ['the request wins over the assessment', [{ mfa: false }, { mfa: true, edr: true }, [], now], { mfa: false, edr: true }, { mfa: 'request', edr: 'self_assessment' }],
    ['a course within the year is training', [undefined, { staffTraining: false }, ['2026-03-01T00:00:00Z'], now], { staffTraining: true }, { staffTraining: 'training_records' }],
    ['a course over a year ago is not', [undefined, { staffTraining: false }, ['2025-11-01T00:00:00Z'], now], { staffTraining: false }, { staffTraining: 'self_assessment' }],
    ['a future course date is not', [undefined, undefined, ['2027-01-01T00:00:00Z'], now], { staffTraining: false }, { staffTraining: 'not_stated' }],
    ['the request may deny training on record', [{ staffTraining: false }, undefined, ['2026-11-01T00:00:00Z'], now], { staffTraining: false }, { staffTraining: 'request' }],
  ];
  for (const [name, args, measures, sources] of cases) {
    it(name, () => {
      const got = resolveMeasures(...args);
      expect(got.measures).toMatchObject(measures);
      expect(got.sources).toMatchObject(sources);
      expect(Object.keys(got.measures).sort()).toEqual([...SECURITY_MEASURES].sort());
    });
  }
});

describe('QuoteRequestSchema', () => {
  const valid = { industry: 'retail_ecommerce', employees: 10, annualRevenueJpy: 1, recordSets: [{ dataItems: ['name'], persons: 1 }] };
  const bad: [string, unknown, string][] = [
    ['an unknown industry', { ...valid, industry: 'piracy' }, '/industry'],
    ['an unknown data item', { ...valid, recordSets: [{ dataItems: ['shoe_size'], persons: 1 }] }, '/recordSets/0/dataItems/0'],
    ['a repeated data item', { ...valid, recordSets: [{ dataItems: ['name', 'name'], persons: 1 }] }, '/recordSets/0/dataItems'],
    ['more persons than the bound', { ...valid, recordSets: [{ dataItems: ['name'], persons: 100_000_001 }] }, '/recordSets/0/persons'],
    ['a fractional count', { ...valid, employees: 1.5 }, '/employees'],
    ['revenue beyond the bound', { ...valid, annualRevenueJpy: 1e16 }, '/annualRevenueJpy'],
    ['too many record sets', { ...valid, recordSets: Array.from({ length: 21 }, () => ({ dataItems: ['name'], persons: 1 })) }, '/recordSets'],
    ['a label too long', { ...valid, recordSets: [{ label: 'x'.repeat(101), dataItems: ['name'], persons: 1 }] }, '/recordSets/0/label'],
    ['an unknown measure', { ...valid, measures: { firewall: true } }, '/measures'],
    ['an unknown field', { ...valid, premium: 1 }, ''],
  ];
  for (const [name, body, path] of bad) {
    it(`refuses ${name}`, () => {
      const r = QuoteRequestSchema.safeParse(body);
      expect(r.success).toBe(false);
      expect(r.error!.issues.map((i) => `/${i.path.join('/')}`.replace(/\/$/, ''))).toContain(path);
    });
  }
  it('takes a valid body', () => expect(QuoteRequestSchema.safeParse(valid).success).toBe(true));
});

describe('computeQuote, properties', () => {
  const itemsArb = fc.uniqueArray(fc.constantFrom(...DATA_ITEM_CODES), { minLength: 1, maxLength: 6 });
  const setArb = fc.record({ dataItems: itemsArb, persons: fc.integer({ min: 0, max: 100_000_000 }) });
  const measuresArb = fc.record(Object.fromEntries(SECURITY_MEASURES.map((m) => [m, fc.boolean()])) as Record<keyof Measures, fc.Arbitrary<boolean>>);
  const inputArb: fc.Arbitrary<QuoteInput> = fc.record({
    industry: fc.constantFrom(...QUOTE_INDUSTRIES),
    employees: fc.integer({ min: 1, max: 10_000_000 }),
    annualRevenueJpy: fc.integer({ min: 0, max: 1e15 }),
    recordSets: fc.array(setArb, { minLength: 1, maxLength: 4 }),
    measures: measuresArb,
  });
  const top = STANDARD_LIMITS_JPY[STANDARD_LIMITS_JPY.length - 1]!;
  const recommended = (input: QuoteInput) => computeQuote(input).plans.find((p) => p.recommended)!;

  it('the recommended plan covers every severe scenario, up to the largest standard limit', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const q = computeQuote(input);
        const plan = q.plans.find((p) => p.recommended)!;
        for (const s of q.scenarios.filter((x) => x.name === 'severe')) {
          expect(plan.liabilityLimitJpy).toBeGreaterThanOrEqual(Math.min(s.liabilityJpy, top));
          expect(plan.responseCostLimitJpy).toBeGreaterThanOrEqual(Math.min(s.responseCostsJpy, top));
        }
        // ... and is the smallest that does: the next lower standard limit would not.
        const li = STANDARD_LIMITS_JPY.indexOf(plan.liabilityLimitJpy as (typeof STANDARD_LIMITS_JPY)[number]);
        if (li > 0) expect(q.sizing.liabilityJpy).toBeGreaterThan(STANDARD_LIMITS_JPY[li - 1]!);
      }),
      { numRuns: 300 },
    );
  });

  it('more persons or more data items never lower the recommendation', () => {
    fc.assert(
      fc.property(inputArb, fc.nat({ max: 3 }), fc.integer({ min: 0, max: 50_000_000 }), itemsArb, (input, at, more, extra) => {
        const i = at % input.recordSets.length;
        const base = recommended(input);
        const grow = (f: (s: QuoteInput['recordSets'][number]) => QuoteInput['recordSets'][number]): QuoteInput => ({
          ...input,
          recordSets: input.recordSets.map((s, j) => (j === i ? f(s) : s)),
        });
        const morePersons = recommended(grow((s) => ({ ...s, persons: Math.min(100_000_000, s.persons + more) })));
        const moreItems = recommended(grow((s) => ({ ...s, dataItems: [...new Set<DataItem>([...s.dataItems, ...extra])] })));
        for (const bigger of [morePersons, moreItems]) {
          expect(bigger.liabilityLimitJpy).toBeGreaterThanOrEqual(base.liabilityLimitJpy);
          expect(bigger.responseCostLimitJpy).toBeGreaterThanOrEqual(base.responseCostLimitJpy);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the arithmetic adds up, in integer yen', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const q = computeQuote(input);
        for (const s of q.scenarios) {
          const parts = Object.values(s.responseCosts);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(s.responseCostsJpy);
          const stepped = s.steps.filter((x) => x.code.startsWith('response.')).map((x) => x.amountJpy!);
          expect(stepped).toEqual(parts);
          expect(s.totalJpy).toBe(s.liabilityJpy + s.responseCostsJpy);
          const rate = BigInt(s.name === 'severe' ? 10_000 : 200);
          expect(BigInt(s.liabilityJpy)).toBe((BigInt(s.perPersonJpy) * BigInt(s.leakedPersons) * rate) / 1_000_000n);
          expect(s.leakedPersons).toBe(s.name === 'severe' ? s.persons : Math.ceil(s.persons / 10));
          for (const n of [s.liabilityJpy, s.responseCostsJpy, s.perPersonJpy, ...parts]) expect(Number.isSafeInteger(n)).toBe(true);
        }
        for (const p of q.plans) {
          expect(p.uncoveredLiabilityJpy).toBe(Math.max(0, q.sizing.liabilityJpy - p.liabilityLimitJpy));
          expect(p.uncoveredResponseCostsJpy).toBe(Math.max(0, q.sizing.responseCostsJpy - p.responseCostLimitJpy));
          expect(p.uncoveredInSevereJpy).toBe(p.uncoveredLiabilityJpy + p.uncoveredResponseCostsJpy);
        }
        expect(q.preventionRecommendations.map((r) => r.measure)).toEqual(SECURITY_MEASURES.filter((m) => !input.measures[m]));
      }),
      { numRuns: 300 },
    );
  });
});
