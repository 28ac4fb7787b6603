import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyRatio,
  COST_CATEGORIES,
  computeSettlement,
  emptyLedger,
  grantDraw,
  isLiabilityCategory,
  requiredApprover,
  type CostCategory,
  type DrawGrant,
  type PaidLedger,
  type PeriodUsage,
  type Policy,
  type SettlementConsent,
  type SettlementInput,
  type SettlementItem,
} from '../../domain/index.js';
import { samplePolicy } from './fixtures.js';

const nothingPaid = () => ({ incident: emptyLedger(), period: emptyLedger() });
const item = (lineId: string, category: CostCategory, amountJpy: number, extra: Partial<SettlementItem> = {}): SettlementItem => ({
  lineId,
  category,
  amountJpy,
  evidenceRef: `inv-${lineId}`,
  ...extra,
});

describe('computeSettlement: worked lines', () => {
  const policy = samplePolicy();

  it('caps at the sub-limit, holds what lacks consent, pays 0 for an uncovered category', () => {
    const s = computeSettlement({
      policy,
      consents: [],
      items: [
        item('l1', 'forensic_investigation', 12_000_000),
        item('l2', 'apology_payment', 600_000, { persons: 1200 }),
        item('l3', 'notification', 120_000),
      ],
      paid: nothingPaid(),
    });
    expect(s.lines.map((l) => [l.lineId, l.status, l.payableJpy, l.reasons])).toEqual([
      ['l1', 'payable', 10_000_000, ['capped_by_sub_limit']],
      ['l2', 'held', 0, ['consent_missing']],
      ['l3', 'payable', 0, ['not_covered_category']],
    ]);
    expect(s.payableJpy).toBe(10_000_000);
    expect(s.heldJpy).toBe(600_000);
    expect(s.lines[0]!.steps.map((st) => st.step)).toEqual([
      'evidence',
      'payout_ratio',
      'sub_limit',
      'incident_limit',
      'period_limit',
    ]);
    expect(s.lines[1]!.steps[0]!.explanation).toContain('consent');
  });

  it("applies a consent's limit and the per-victim cap", () => {
    const consents: SettlementConsent[] = [{ category: 'apology_payment', limitJpy: 400_000 }];
    const s = computeSettlement({
      policy,
      consents,
      items: [item('a', 'apology_payment', 1_000_000, { persons: 1_000 })],
      paid: nothingPaid(),
    });
    expect(s.lines[0]).toMatchObject({ payableJpy: 400_000, reasons: ['capped_by_consent_limit'] });
    const unlimited = computeSettlement({
      policy,
      consents: [{ category: 'apology_payment' }],
      items: [item('a', 'apology_payment', 1_000_000, { persons: 1_000 })],
      paid: nothingPaid(),
    });
    expect(unlimited.lines[0]).toMatchObject({ payableJpy: 500_000, reasons: ['capped_by_per_victim_cap'] });
  });

  it('holds apology payments that do not say how many persons were paid', () => {
    const s = computeSettlement({
      policy,
      consents: [{ category: 'apology_payment' }],
      items: [item('a', 'apology_payment', 10_000)],
      paid: nothingPaid(),
    });
    expect(s.lines[0]).toMatchObject({ status: 'held', reasons: ['persons_missing'], payableJpy: 0 });
  });

  it('pays the evidenced amount when it is less than the claim', () => {
    const s = computeSettlement({
      policy,
      consents: [],
      items: [item('f', 'forensic_investigation', 2_000_000, { evidencedJpy: 1_500_000 })],
      paid: nothingPaid(),
    });
    expect(s.lines[0]).toMatchObject({ payableJpy: 1_500_000, reasons: ['evidence_short'] });
  });

  it.each([
    [1_000_001, 0.9, 900_000],
    [100, 0.57, 57],
    [999, 0.9, 899],
    [10_000_000_000, 0.9, 9_000_000_000],
    [7, 1, 7],
  ])('payout ratio: %i × %s = %i (integer, rounded down)', (amount, ratio, expected) => {
    expect(applyRatio(amount, ratio)).toBe(expected);
  });

  it('shares sub-limits and the period limit with earlier payouts, in line order', () => {
    const paid = nothingPaid();
    paid.period = { responseJpy: 49_500_000, liabilityJpy: 0, byCategory: { forensic_investigation: 9_800_000 } };
    const s = computeSettlement({
      policy,
      consents: [{ category: 'apology_payment' }],
      items: [item('f1', 'forensic_investigation', 150_000), item('f2', 'forensic_investigation', 150_000), item('a', 'apology_payment', 500_000, { persons: 10_000 })],
      paid,
    });
    expect(s.lines.map((l) => l.payableJpy)).toEqual([150_000, 50_000, 300_000]);
    expect(s.lines[1]!.reasons).toEqual(['capped_by_sub_limit']);
    expect(s.lines[2]!.reasons).toEqual(['capped_by_period_limit']);
    expect(s.remaining.periodResponseJpy).toBe(0);
  });

  it('takes the liability deductible once per incident, before the payout ratio', () => {
    const p = samplePolicy({
      liability: { perClaimLimitJpy: 10_000_000, periodLimitJpy: 10_000_000, deductibleJpy: 500_000 },
      categories: {
        liability_damages: { limitJpy: 10_000_000, payoutRatio: 0.9, consentRequired: true },
        litigation_costs: { limitJpy: 10_000_000, payoutRatio: 1, consentRequired: false },
      },
    });
    const consents: SettlementConsent[] = [{ category: 'liability_damages' }];
    const first = computeSettlement({
      policy: p,
      consents,
      items: [item('d1', 'liability_damages', 300_000), item('d2', 'liability_damages', 1_000_000), item('c', 'litigation_costs', 100_000)],
      paid: nothingPaid(),
    });
    expect(first.lines.map((l) => l.payableJpy)).toEqual([0, 720_000, 100_000]);
    expect(first.deductibleAppliedJpy).toBe(500_000);
    expect(first.liabilityJpy).toBe(820_000);
    const second = computeSettlement({
      policy: p,
      consents,
      items: [item('d3', 'liability_damages', 1_000_000)],
      paid: {
        incident: { ...emptyLedger(), liabilityJpy: 820_000, deductibleAppliedJpy: 500_000 },
        period: { ...emptyLedger(), liabilityJpy: 820_000 },
      },
    });
    expect(second.lines[0]!.payableJpy).toBe(900_000);
    expect(second.deductibleAppliedJpy).toBe(0);
  });

  it('response costs carry no deductible', () => {
    const p = samplePolicy({ liability: { perClaimLimitJpy: 1, periodLimitJpy: 1, deductibleJpy: 1_000_000 } });
    const s = computeSettlement({ policy: p, consents: [], items: [item('f', 'forensic_investigation', 100)], paid: nothingPaid() });
    expect(s.payableJpy).toBe(100);
  });
});

describe('requiredApprover', () => {
  it.each([
    [1_000_000, 'handler', 1_000_000, true, 'handler'],
    [1_000_001, 'handler', 1_000_000, false, 'supervisor'],
    [1_000_001, 'supervisor', 10_000_000, true, 'supervisor'],
    [10_000_001, 'supervisor', 10_000_000, false, 'supervisor'],
    [0, 'handler', 0, true, 'handler'],
    [1, 'ops', 1_000_000_000, false, 'handler'],
    [1, 'insured', 1_000_000_000, false, 'handler'],
  ] as const)('%i by a %s with authority %i → allowed %s, needs %s', (total, role, limit, allowed, needs) => {
    const r = requiredApprover(total, { role, authorityLimitJpy: limit });
    expect(r).toMatchObject({ allowed, needs });
    expect(r.reason.length).toBeGreaterThan(0);
  });
});

// ---- properties ----

const yen = (max: number) => fc.integer({ min: 0, max });
const ratioArb = fc.constantFrom(0.5, 0.57, 0.8, 0.9, 0.95, 1);

const policyArb: fc.Arbitrary<Pick<Policy, 'categories' | 'liability' | 'responseCosts'>> = fc.record({
  categories: fc
    .subarray([...COST_CATEGORIES])
    .chain((cats) =>
      fc.tuple(
        ...cats.map((c) =>
          fc.record({
            limitJpy: yen(20_000_000),
            payoutRatio: ratioArb,
            consentRequired: fc.boolean(),
            perVictimCapJpy: c === 'apology_payment' ? fc.option(fc.constantFrom(500, 1_000), { nil: undefined }) : fc.constant(undefined),
          }).map((t) => [c, t] as const),
        ),
      ),
    )
    .map((entries) => Object.fromEntries(entries) as Policy['categories']),
  liability: fc.record({ perClaimLimitJpy: yen(50_000_000), periodLimitJpy: yen(80_000_000), deductibleJpy: yen(2_000_000) }),
  responseCosts: fc.record({ perIncidentLimitJpy: yen(50_000_000), periodLimitJpy: yen(80_000_000) }),
});

const itemsArb = fc
  .array(
    fc.record({
      category: fc.constantFrom(...COST_CATEGORIES),
      amountJpy: fc.integer({ min: 1, max: 30_000_000 }),
      persons: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }),
      evidencedJpy: fc.option(fc.integer({ min: 0, max: 30_000_000 }), { nil: undefined }),
    }),
    { maxLength: 12 },
  )
  .map((xs) => xs.map((x, i): SettlementItem => ({ ...x, lineId: `l${i}`, evidenceRef: `ev-${i}` })));

const consentsArb = fc.array(
  fc.record({
    category: fc.constantFrom(...COST_CATEGORIES),
    limitJpy: fc.option(yen(10_000_000), { nil: undefined }),
  }),
  { maxLength: 6 },
);

const ledgerArb: fc.Arbitrary<PaidLedger> = fc.record({
  responseJpy: yen(60_000_000),
  liabilityJpy: yen(60_000_000),
  byCategory: fc.dictionary(fc.constantFrom(...COST_CATEGORIES), yen(15_000_000)),
  deductibleAppliedJpy: fc.option(yen(2_000_000), { nil: undefined }),
});

const inputArb: fc.Arbitrary<SettlementInput> = fc.record({
  policy: policyArb,
  consents: consentsArb,
  items: itemsArb,
  paid: fc.record({ incident: ledgerArb, period: ledgerArb }),
});

const left = (limit: number, ...used: number[]) => Math.max(0, limit - used.reduce((a, b) => a + b, 0));

describe('computeSettlement: invariants (property tests)', () => {
  it('never negative, never above the claim, the evidence or the ratio, and lines add up', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const s = computeSettlement(input);
        expect(s.lines).toHaveLength(input.items.length);
        let sum = 0;
        s.lines.forEach((line, i) => {
          const it = input.items[i]!;
          expect(Number.isInteger(line.payableJpy)).toBe(true);
          expect(line.payableJpy).toBeGreaterThanOrEqual(0);
          expect(line.payableJpy).toBeLessThanOrEqual(it.amountJpy);
          if (it.evidencedJpy !== undefined) expect(line.payableJpy).toBeLessThanOrEqual(it.evidencedJpy);
          const terms = input.policy.categories[it.category];
          if (terms) expect(line.payableJpy).toBeLessThanOrEqual(applyRatio(it.amountJpy, terms.payoutRatio));
          else expect(line.reasons).toEqual(['not_covered_category']);
          if (line.status === 'held') expect(line.payableJpy).toBe(0);
          if (terms?.consentRequired && !input.consents.some((c) => c.category === it.category)) {
            expect(line).toMatchObject({ status: 'held', reasons: ['consent_missing'] });
          }
          if (it.category === 'apology_payment' && terms?.perVictimCapJpy !== undefined && line.status === 'payable') {
            expect(line.payableJpy).toBeLessThanOrEqual(terms.perVictimCapJpy * (it.persons ?? 0));
          }
          for (const st of line.steps) expect(st.afterJpy).toBeLessThanOrEqual(st.beforeJpy);
          sum += line.payableJpy;
        });
        expect(s.payableJpy).toBe(sum);
        expect(s.responseJpy + s.liabilityJpy).toBe(sum);
      }),
      { numRuns: 500 },
    );
  });

  it('never above any limit: sub-limits, consents, incident and period limits, net of earlier payouts', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const s = computeSettlement(input);
        const { policy, paid } = input;
        for (const c of COST_CATEGORIES) {
          const terms = policy.categories[c];
          if (!terms) {
            expect(s.byCategory[c]).toBe(0);
            continue;
          }
          expect(s.byCategory[c]).toBeLessThanOrEqual(left(terms.limitJpy, paid.period.byCategory[c] ?? 0));
          const consents = input.consents.filter((k) => k.category === c);
          if (consents.length > 0 && consents.every((k) => k.limitJpy !== undefined)) {
            const total = consents.reduce((a, k) => a + (k.limitJpy ?? 0), 0);
            expect(s.byCategory[c]).toBeLessThanOrEqual(left(total, paid.incident.byCategory[c] ?? 0));
          }
        }
        expect(s.responseJpy).toBeLessThanOrEqual(left(policy.responseCosts.perIncidentLimitJpy, paid.incident.responseJpy));
        expect(s.responseJpy).toBeLessThanOrEqual(left(policy.responseCosts.periodLimitJpy, paid.period.responseJpy));
        expect(s.liabilityJpy).toBeLessThanOrEqual(left(policy.liability.perClaimLimitJpy, paid.incident.liabilityJpy));
        expect(s.liabilityJpy).toBeLessThanOrEqual(left(policy.liability.periodLimitJpy, paid.period.liabilityJpy));
        expect(s.deductibleAppliedJpy).toBeLessThanOrEqual(policy.liability.deductibleJpy);
        const sumByCategory = COST_CATEGORIES.reduce((a, c) => a + s.byCategory[c], 0);
        expect(sumByCategory).toBe(s.payableJpy);
        const liab = s.lines.filter((l) => isLiabilityCategory(l.category)).reduce((a, l) => a + l.payableJpy, 0);
        expect(liab).toBe(s.liabilityJpy);
      }),
      { numRuns: 500 },
    );
  });

  it('never more for less cost: lowering one claim lowers (or keeps) that line and the total', () => {
    fc.assert(
      fc.property(
        inputArb.filter((i) => i.items.length > 0),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (input, pick, factor) => {
          const idx = pick % input.items.length;
          const original = input.items[idx]!;
          const lowered = { ...original, amountJpy: Math.max(1, Math.floor(original.amountJpy * factor)) };
          const items = input.items.map((x, i) => (i === idx ? lowered : x));
          const before = computeSettlement(input);
          const after = computeSettlement({ ...input, items });
          expect(after.lines[idx]!.payableJpy).toBeLessThanOrEqual(before.lines[idx]!.payableJpy);
          expect(after.payableJpy).toBeLessThanOrEqual(before.payableJpy);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('more already paid never means more paid now', () => {
    fc.assert(
      fc.property(inputArb, yen(5_000_000), yen(5_000_000), (input, extraR, extraL) => {
        const more = {
          ...input,
          paid: {
            incident: input.paid.incident,
            period: {
              ...input.paid.period,
              responseJpy: input.paid.period.responseJpy + extraR,
              liabilityJpy: input.paid.period.liabilityJpy + extraL,
            },
          },
        };
        expect(computeSettlement(more).payableJpy).toBeLessThanOrEqual(computeSettlement(input).payableJpy);
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic and does not mutate its input', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const copy = structuredClone(input);
        const a = computeSettlement(input);
        const b = computeSettlement(structuredClone(input));
        expect(a).toEqual(b);
        expect(input).toEqual(copy);
      }),
      { numRuns: 200 },
    );
  });
});

// ---- the policy ledger's draw (what the `policyLedger` workflow runs for each `draw` Update) ----

describe('grantDraw', () => {
  // Response-cost period limit 12M, liability period limit 3M; notification is not covered.
  const policy = samplePolicy({
    responseCosts: { perIncidentLimitJpy: 50_000_000, periodLimitJpy: 12_000_000 },
    liability: { perClaimLimitJpy: 3_000_000, periodLimitJpy: 3_000_000, deductibleJpy: 0 },
    categories: {
      forensic_investigation: { limitJpy: 10_000_000, payoutRatio: 1.0, consentRequired: false },
      legal_counsel: { limitJpy: 5_000_000, payoutRatio: 1.0, consentRequired: false },
      liability_damages: { limitJpy: 2_000_000, payoutRatio: 1.0, consentRequired: false },
      litigation_costs: { limitJpy: 5_000_000, payoutRatio: 1.0, consentRequired: false },
    },
  });
  const usage = (responseJpy: number, liabilityJpy: number, byCategory: PeriodUsage['byCategory'] = {}): PeriodUsage => ({
    responseJpy,
    liabilityJpy,
    byCategory,
  });
  const earlierGrant: DrawGrant = {
    payoutId: 'C1-P1',
    lines: [{ lineId: 'a', requestedJpy: 4_000_000, grantedJpy: 4_000_000 }],
    grantedJpy: 4_000_000,
  };
  type Line = [category: CostCategory, amountJpy: number];
  type Granted = [grantedJpy: number, reason?: string];

  it.each<{ name: string; before: PeriodUsage; lines: Line[]; earlier?: Record<string, DrawGrant>; granted: Granted[]; after: PeriodUsage }>([
    {
      name: 'within the limits: granted in full',
      before: usage(0, 0),
      lines: [['forensic_investigation', 4_000_000]],
      granted: [[4_000_000]],
      after: usage(4_000_000, 0, { forensic_investigation: 4_000_000 }),
    },
    {
      name: 'partially granted at the period limit',
      before: usage(11_000_000, 0, { forensic_investigation: 6_000_000, legal_counsel: 5_000_000 }),
      lines: [['forensic_investigation', 3_000_000]],
      granted: [[1_000_000, 'period_limit_exhausted']],
      after: usage(12_000_000, 0, { forensic_investigation: 7_000_000, legal_counsel: 5_000_000 }),
    },
    {
      name: 'nothing left in the period: zero granted',
      before: usage(12_000_000, 0, { forensic_investigation: 10_000_000, legal_counsel: 2_000_000 }),
      lines: [['legal_counsel', 1]],
      granted: [[0, 'period_limit_exhausted']],
      after: usage(12_000_000, 0, { forensic_investigation: 10_000_000, legal_counsel: 2_000_000 }),
    },
    {
      name: "partially granted at the category's sub-limit",
      before: usage(9_000_000, 0, { forensic_investigation: 9_000_000 }),
      lines: [['forensic_investigation', 2_000_000]],
      granted: [[1_000_000, 'category_limit_exhausted']],
      after: usage(10_000_000, 0, { forensic_investigation: 10_000_000 }),
    },
    {
      name: 'category and period both exhausted at once: the category is named',
      before: usage(11_000_000, 0, { forensic_investigation: 9_000_000, legal_counsel: 2_000_000 }),
      lines: [['forensic_investigation', 5_000_000]],
      granted: [[1_000_000, 'category_limit_exhausted']],
      after: usage(12_000_000, 0, { forensic_investigation: 10_000_000, legal_counsel: 2_000_000 }),
    },
    {
      name: 'a category the policy does not cover gets nothing, and counts nothing',
      before: usage(0, 0),
      lines: [['notification', 500]],
      granted: [[0, 'not_covered_category']],
      after: usage(0, 0, { notification: 0 }),
    },
    {
      name: 'lines are served in order: the first takes the sub-limit, the second gets the rest',
      before: usage(0, 0),
      lines: [
        ['forensic_investigation', 6_000_000],
        ['forensic_investigation', 6_000_000],
      ],
      granted: [[6_000_000], [4_000_000, 'category_limit_exhausted']],
      after: usage(10_000_000, 0, { forensic_investigation: 10_000_000 }),
    },
    {
      name: 'liability draws on its own period limit, untouched by exhausted response costs',
      before: usage(12_000_000, 0, { forensic_investigation: 10_000_000, legal_counsel: 2_000_000 }),
      lines: [
        ['liability_damages', 2_500_000],
        ['litigation_costs', 2_000_000],
        ['litigation_costs', 10],
      ],
      granted: [[2_000_000, 'category_limit_exhausted'], [1_000_000, 'period_limit_exhausted'], [0, 'period_limit_exhausted']],
      after: usage(12_000_000, 3_000_000, {
        forensic_investigation: 10_000_000,
        legal_counsel: 2_000_000,
        liability_damages: 2_000_000,
        litigation_costs: 1_000_000,
      }),
    },
    {
      name: 'a repeated payout id gets its earlier grant back and draws nothing, whatever it asks now',
      before: usage(4_000_000, 0, { forensic_investigation: 4_000_000 }),
      lines: [['forensic_investigation', 9_000_000]],
      earlier: { 'C1-P1': earlierGrant },
      granted: [[4_000_000]],
      after: usage(4_000_000, 0, { forensic_investigation: 4_000_000 }),
    },
  ])('$name', ({ before, lines, earlier, granted, after }) => {
    const request = { caseId: 'C1', payoutId: 'C1-P1', lines: lines.map(([category, amountJpy], i) => ({ lineId: `l${i}`, category, amountJpy })) };
    const frozen = structuredClone(before);
    const { grant, usage: next } = grantDraw(policy, before, request, earlier);
    expect(grant.lines.map((l) => [l.grantedJpy, ...(l.reason ? [l.reason] : [])])).toEqual(granted);
    expect(grant.grantedJpy).toBe(granted.reduce((s, [g]) => s + g, 0));
    if (earlier) {
      expect(grant).toBe(earlier['C1-P1']);
      expect(next).toBe(before);
    } else {
      expect(grant.payoutId).toBe('C1-P1');
      expect(grant.lines.map((l) => [l.lineId, l.requestedJpy])).toEqual(request.lines.map((l) => [l.lineId, l.amountJpy]));
    }
    expect(next).toEqual(after);
    expect(before).toEqual(frozen); // the usage it was given is not modified
  });

  it('a payout id not among the earlier grants is drawn as new', () => {
    const { grant } = grantDraw(policy, usage(0, 0), { caseId: 'C2', payoutId: 'C2-P1', lines: [{ lineId: 'a', category: 'legal_counsel', amountJpy: 1_000 }] }, { 'C1-P1': earlierGrant });
    expect(grant).toEqual({ payoutId: 'C2-P1', lines: [{ lineId: 'a', requestedJpy: 1_000, grantedJpy: 1_000 }], grantedJpy: 1_000 });
  });

  it('never lets a sequence of draws exceed a sub-limit or a period limit (property)', () => {
    const drawsArb = fc.array(
      fc.array(fc.record({ category: fc.constantFrom(...COST_CATEGORIES), amountJpy: fc.integer({ min: 0, max: 8_000_000 }) }), { maxLength: 6 }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(policyArb, drawsArb, (p, draws) => {
        let u: PeriodUsage = { responseJpy: 0, liabilityJpy: 0, byCategory: {} };
        for (const [n, lines] of draws.entries()) {
          const request = { caseId: 'C', payoutId: `C-P${n}`, lines: lines.map((l, i) => ({ ...l, lineId: `l${i}` })) };
          const { grant, usage: next } = grantDraw(p, u, request);
          for (const [i, l] of grant.lines.entries()) {
            expect(l.grantedJpy).toBeGreaterThanOrEqual(0);
            expect(l.grantedJpy).toBeLessThanOrEqual(request.lines[i]!.amountJpy);
          }
          expect(next.responseJpy + next.liabilityJpy).toBe(u.responseJpy + u.liabilityJpy + grant.grantedJpy);
          u = next;
        }
        expect(u.responseJpy).toBeLessThanOrEqual(p.responseCosts.periodLimitJpy);
        expect(u.liabilityJpy).toBeLessThanOrEqual(p.liability.periodLimitJpy);
        for (const c of COST_CATEGORIES) {
          // An uncovered category has no sub-limit: it never gets anything.
          expect(u.byCategory[c] ?? 0).toBeLessThanOrEqual(p.categories[c]?.limitJpy ?? 0);
        }
      }),
      { numRuns: 200 },
    );
  });
});
