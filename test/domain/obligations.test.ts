import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  substituteMeasureObligation,
  addDays,
  addHours,
  CAUSES,
  computeObligations,
  DATA_ITEM_CODES,
  deadlinesPassed,
  nextClockAt,
  mergeObligations,
  nextDeadline,
  nextOpenObligation,
  personsNotifiedAtFrom,
  recordFiling,
  refreshObligationStatuses,
  regimeApplicability,
  REGIME_RULES,
  REGIMES,
  remindersDue,
  RESIDENCY_KEYS,
  toMs,
  type Obligation,
  type ObligationFacts,
  type Regime,
} from '../../domain/index.js';
import { AWARE, baseFacts } from './fixtures.js';

const ids = (obs: Obligation[]): string[] => obs.map((o) => o.id).sort();
const byId = (obs: Obligation[], id: string): Obligation => {
  const o = obs.find((x) => x.id === id);
  if (!o) throw new Error(`no obligation ${id} in ${ids(obs).join(', ')}`);
  return o;
};
const applies = (facts: ObligationFacts, regime: Regime) =>
  regimeApplicability(facts).find((r) => r.regime === regime)!;

describe('regime applicability (domain.md section 5)', () => {
  it.each<[string, Partial<ObligationFacts>, Regime, boolean, string[]]>([
    // JP-APPI ④: "more than 1,000" is 1,001 and up.
    ['APPI: exactly 1,000 persons, ordinary data, misdelivery', { affectedPersons: 1_000 }, 'JP-APPI', false, []],
    ['APPI: 1,001 persons', { affectedPersons: 1_001 }, 'JP-APPI', true, ['over_1000_persons']],
    ['APPI ①: one person, medical history', { affectedPersons: 1, dataItems: ['name', 'medical_history'] }, 'JP-APPI', true, ['sensitive_data']],
    ['APPI ②: one person, card number', { affectedPersons: 1, dataItems: ['credit_card'] }, 'JP-APPI', true, ['financial_risk']],
    ['APPI ②: one person, online credentials', { affectedPersons: 1, dataItems: ['online_credentials'] }, 'JP-APPI', true, ['financial_risk']],
    ['APPI ③: one person, external attack', { affectedPersons: 1, cause: 'external_attack' }, 'JP-APPI', true, ['wrongful_purpose']],
    ['APPI ③: web skimming', { affectedPersons: 1, cause: 'web_skimming' }, 'JP-APPI', true, ['wrongful_purpose']],
    ['APPI ③: device theft', { affectedPersons: 1, cause: 'device_theft' }, 'JP-APPI', true, ['wrongful_purpose']],
    ['APPI ③: malicious insider', { affectedPersons: 1, cause: 'insider_malicious' }, 'JP-APPI', true, ['wrongful_purpose']],
    ['APPI: device loss is not ③', { affectedPersons: 1, cause: 'device_loss' }, 'JP-APPI', false, []],
    ['APPI: findings rule out a wrongful purpose', { affectedPersons: 1, cause: 'external_attack', wrongfulPurpose: false }, 'JP-APPI', false, []],
    ['APPI: findings establish a wrongful purpose', { affectedPersons: 1, cause: 'other', wrongfulPurpose: true }, 'JP-APPI', true, ['wrongful_purpose']],
    ['APPI: all four at once', { affectedPersons: 5_000, cause: 'external_attack', dataItems: ['religion', 'credit_card'] }, 'JP-APPI', true, ['sensitive_data', 'financial_risk', 'wrongful_purpose', 'over_1000_persons']],
    ['APPI: all data strongly encrypted (triggers met, exempt)', { affectedPersons: 50_000, dataItems: ['religion'], cause: 'external_attack', encrypted: true }, 'JP-APPI', false, ['sensitive_data', 'wrongful_purpose', 'over_1000_persons']],
    ['APPI: no Japanese residency needed', { affectedPersons: 1_001, residency: { 'US-CA': 1_001 } }, 'JP-APPI', true, ['over_1000_persons']],
    ['GDPR: no EU residents', { residency: { JP: 100 } }, 'EU-GDPR', false, []],
    ['GDPR: EU key present with 0', { residency: { EU: 0 } }, 'EU-GDPR', false, []],
    ['GDPR: one EU resident', { residency: { EU: 1 } }, 'EU-GDPR', true, ['residents_affected']],
    ['US-CA: no Californians', { residency: { 'US-NY': 3 } }, 'US-CA', false, []],
    ['US-CA: one Californian', { residency: { 'US-CA': 1 } }, 'US-CA', true, ['residents_affected']],
    ['US-NY: one New Yorker', { residency: { 'US-NY': 1 } }, 'US-NY', true, ['residents_affected']],
    ['US-TX: one Texan', { residency: { 'US-TX': 1 } }, 'US-TX', true, ['residents_affected']],
    ['SG: 499 persons, ordinary data', { affectedPersons: 499, residency: { SG: 10 } }, 'SG-PDPA', false, ['residents_affected']],
    ['SG: 500 persons', { affectedPersons: 500, residency: { SG: 10 } }, 'SG-PDPA', true, ['residents_affected', 'at_least_500_persons']],
    ['SG: significant harm from one person', { affectedPersons: 1, residency: { SG: 1 }, dataItems: ['credit_card'] }, 'SG-PDPA', true, ['residents_affected', 'significant_harm']],
    ['SG: no Singapore residents', { affectedPersons: 5_000, residency: { JP: 5_000 } }, 'SG-PDPA', false, []],
    ['AU: ordinary data', { residency: { AU: 3 } }, 'AU-NDB', false, ['residents_affected']],
    ['AU: income (x=2)', { residency: { AU: 1 }, dataItems: ['name', 'income'] }, 'AU-NDB', true, ['residents_affected', 'likely_serious_harm']],
    ['AU: passport (y=2)', { residency: { AU: 1 }, dataItems: ['passport_number'] }, 'AU-NDB', true, ['residents_affected', 'likely_serious_harm']],
    ['AU: card number', { residency: { AU: 1 }, dataItems: ['credit_card'] }, 'AU-NDB', true, ['residents_affected', 'likely_serious_harm']],
    ['AU: no Australians', { residency: { JP: 3 }, dataItems: ['religion'] }, 'AU-NDB', false, []],
    ['KR: one Korean resident', { residency: { KR: 1 } }, 'KR-PIPA', true, ['residents_affected']],
    ['KR: none', { residency: { OTHER: 1 } }, 'KR-PIPA', false, []],
  ])('%s', (_what, patch, regime, yes, triggers) => {
    const a = applies(baseFacts(patch), regime);
    expect(a.applies).toBe(yes);
    expect(a.triggers).toEqual(triggers);
    expect(a.reasons.length).toBeGreaterThan(0);
    const obs = computeObligations(baseFacts(patch)).filter((o) => o.regime === regime);
    expect(obs.length > 0).toBe(yes);
  });

  it('explains an encryption exemption', () => {
    const a = applies(baseFacts({ dataItems: ['religion'], encrypted: true }), 'JP-APPI');
    expect(a.exemptions).toEqual(['all_encrypted']);
    expect(a.reasons.join(' ')).toMatch(/Exempt: all leaked data was strongly encrypted/);
  });

  it('lists every regime of the table, applying or not', () => {
    expect(regimeApplicability(baseFacts()).map((r) => r.regime)).toEqual([...REGIMES]);
    for (const rule of REGIME_RULES) {
      expect(rule.source.length).toBeGreaterThan(0);
      for (const ob of rule.obligations) expect(ob.source.length).toBeGreaterThan(0);
    }
  });
});

describe('obligations and their clocks', () => {
  it('JP-APPI: preliminary at 5 days reminded at 3, final at 30, persons as a 30-day target', () => {
    const obs = computeObligations(baseFacts({ affectedPersons: 1_001 }));
    expect(ids(obs)).toEqual(['JP-APPI:persons:notice', 'JP-APPI:regulator:final', 'JP-APPI:regulator:preliminary']);
    expect(byId(obs, 'JP-APPI:regulator:preliminary')).toMatchObject({
      dueAt: '2026-11-25T00:00:00.000Z',
      dueAtJst: '2026-11-25 09:00 JST',
      remindAt: '2026-11-23T00:00:00.000Z',
      status: 'pending',
      legalDeadline: true,
      triggers: ['over_1000_persons'],
    });
    expect(byId(obs, 'JP-APPI:regulator:final')).toMatchObject({
      dueAt: addDays(AWARE, 30),
      remindAt: addDays(AWARE, 24),
      legalDeadline: true,
    });
    const persons = byId(obs, 'JP-APPI:persons:notice');
    expect(persons).toMatchObject({ dueAt: addDays(AWARE, 30), legalDeadline: false });
    expect(persons.explanation).toContain('not a legal deadline');
  });

  it('JP-APPI: the final report is due at 60 days with a wrongful purpose', () => {
    const obs = computeObligations(baseFacts({ cause: 'external_attack' }));
    const final = byId(obs, 'JP-APPI:regulator:final');
    expect(final.dueAt).toBe(addDays(AWARE, 60));
    expect(final.remindAt).toBe(addDays(AWARE, 48));
    expect(final.explanation).toContain('wrongful_purpose');
    expect(byId(obs, 'JP-APPI:regulator:preliminary').dueAt).toBe(addDays(AWARE, 5));
  });

  it('JP-APPI: 30 days when only ①, ② or ④ hold', () => {
    const obs = computeObligations(baseFacts({ dataItems: ['credit_card', 'religion'], affectedPersons: 2_000 }));
    expect(byId(obs, 'JP-APPI:regulator:final').dueAt).toBe(addDays(AWARE, 30));
  });

  it('EU-GDPR: 72 hours to the authority, persons only when high risk and not encrypted', () => {
    const low = computeObligations(baseFacts({ residency: { EU: 2 } }));
    expect(ids(low)).toEqual(['EU-GDPR:regulator:notice']);
    expect(byId(low, 'EU-GDPR:regulator:notice')).toMatchObject({
      dueAt: addHours(AWARE, 72),
      remindAt: addHours(AWARE, 57.6),
      legalDeadline: true,
    });
    expect(byId(low, 'EU-GDPR:regulator:notice').explanation).toContain('72 hours');
    for (const items of [['income'], ['credit_card'], ['religion'], ['health_checkup']] as const) {
      const high = computeObligations(baseFacts({ residency: { EU: 2 }, dataItems: [...items] }));
      expect(ids(high).filter((i) => i.startsWith('EU'))).toEqual(['EU-GDPR:persons:notice', 'EU-GDPR:regulator:notice']);
      expect(byId(high, 'EU-GDPR:persons:notice').triggers).toContain('high_risk');
    }
    const encrypted = computeObligations(baseFacts({ residency: { EU: 2 }, dataItems: ['religion'], encrypted: true }));
    expect(ids(encrypted)).toEqual(['EU-GDPR:regulator:notice']);
  });

  it.each([
    [500, ['US-CA:persons:notice']],
    [501, ['US-CA:persons:notice', 'US-CA:regulator:notice']],
  ])('US-CA with %i Californians', (ca, expected) => {
    const obs = computeObligations(baseFacts({ residency: { 'US-CA': ca }, affectedPersons: ca }));
    expect(ids(obs).filter((i) => i.startsWith('US-CA'))).toEqual(expected);
    expect(byId(obs, 'US-CA:persons:notice').dueAt).toBe(addDays(AWARE, 30));
    if (ca > 500) {
      const ag = byId(obs, 'US-CA:regulator:notice');
      expect(ag.dueAt).toBe(addDays(AWARE, 45));
      expect(ag.triggers).toContain('over_500_residents');
    }
  });

  it('US-CA: the AG deadline runs 15 days from the notice actually sent', () => {
    const obs = computeObligations(
      baseFacts({ residency: { 'US-CA': 900 }, personsNotifiedAt: { 'US-CA': addDays(AWARE, 10) } }),
    );
    expect(byId(obs, 'US-CA:regulator:notice').dueAt).toBe(addDays(AWARE, 25));
  });

  it('US-NY: persons and regulators within 30 days', () => {
    const obs = computeObligations(baseFacts({ residency: { 'US-NY': 1 } }));
    expect(byId(obs, 'US-NY:persons:notice').dueAt).toBe(addDays(AWARE, 30));
    expect(byId(obs, 'US-NY:regulator:notice').dueAt).toBe(addDays(AWARE, 30));
  });

  it.each([
    [249, ['US-TX:persons:notice']],
    [250, ['US-TX:persons:notice', 'US-TX:regulator:notice']],
  ])('US-TX with %i Texans', (tx, expected) => {
    const obs = computeObligations(baseFacts({ residency: { 'US-TX': tx } }));
    expect(ids(obs).filter((i) => i.startsWith('US-TX'))).toEqual(expected);
    expect(byId(obs, 'US-TX:persons:notice').dueAt).toBe(addDays(AWARE, 60));
    if (tx >= 250) expect(byId(obs, 'US-TX:regulator:notice').dueAt).toBe(addDays(AWARE, 30));
  });

  it('SG-PDPA: PDPC 3 days from the notifiable decision (default awareness), assessment 30 days', () => {
    const at = computeObligations(baseFacts({ affectedPersons: 600, residency: { SG: 20 } }));
    expect(ids(at).filter((i) => i.startsWith('SG'))).toEqual(['SG-PDPA:regulator:assessment', 'SG-PDPA:regulator:notice']);
    expect(byId(at, 'SG-PDPA:regulator:notice').dueAt).toBe(addDays(AWARE, 3));
    expect(byId(at, 'SG-PDPA:regulator:assessment').dueAt).toBe(addDays(AWARE, 30));
    const decided = addDays(AWARE, 4);
    const later = computeObligations(baseFacts({ affectedPersons: 600, residency: { SG: 20 }, notifiableDecidedAt: decided }));
    const pdpc = byId(later, 'SG-PDPA:regulator:notice');
    expect(pdpc.dueAt).toBe(addDays(AWARE, 7));
    expect(pdpc.startsAt).toBe(decided);
    expect(pdpc.remindAt).toBe(addHours(decided, 72 * 0.8));
  });

  it('SG-PDPA: persons notified only when significant harm', () => {
    const obs = computeObligations(baseFacts({ residency: { SG: 1 }, dataItems: ['bank_account_with_pin'] }));
    expect(byId(obs, 'SG-PDPA:persons:notice')).toMatchObject({ legalDeadline: false, triggers: ['residents_affected', 'significant_harm'] });
  });

  it('AU-NDB: assessment within 30 days when serious harm is likely', () => {
    const obs = computeObligations(baseFacts({ residency: { AU: 1 }, dataItems: ['religion'] }));
    expect(byId(obs, 'AU-NDB:regulator:assessment')).toMatchObject({ dueAt: addDays(AWARE, 30), legalDeadline: true });
    expect(byId(obs, 'AU-NDB:regulator:notice').legalDeadline).toBe(false);
    expect(byId(obs, 'AU-NDB:persons:notice').legalDeadline).toBe(false);
  });

  it.each<[string, Partial<ObligationFacts>, boolean, string | null]>([
    ['999 persons, ordinary data', { affectedPersons: 999 }, false, null],
    ['1,000 persons', { affectedPersons: 1_000 }, true, 'at_least_1000_persons'],
    ['sensitive data', { dataItems: ['criminal_record'] }, true, 'sensitive_data'],
    ['a passport number', { dataItems: ['passport_number'] }, true, 'unique_id'],
    ['a licence number', { dataItems: ['id_document_number'] }, true, 'unique_id'],
    ['hacking', { cause: 'external_attack' }, true, 'hacking'],
  ])('KR-PIPA: %s → regulator report %s', (_what, patch, regulator, trigger) => {
    const obs = computeObligations(baseFacts({ residency: { KR: 5 }, ...patch }));
    expect(byId(obs, 'KR-PIPA:persons:notice')).toMatchObject({ dueAt: addHours(AWARE, 72), legalDeadline: true });
    const reg = obs.find((o) => o.id === 'KR-PIPA:regulator:notice');
    expect(reg !== undefined).toBe(regulator);
    if (reg && trigger) {
      expect(reg.triggers).toContain(trigger);
      expect(reg.dueAt).toBe(addHours(AWARE, 72));
    }
  });

  it('reminds at 80 % of every span except the APPI preliminary', () => {
    const obs = computeObligations(
      baseFacts({
        affectedPersons: 5_000,
        cause: 'external_attack',
        dataItems: ['name', 'credit_card', 'religion'],
        residency: { EU: 1, 'US-CA': 600, 'US-NY': 1, 'US-TX': 300, SG: 1, AU: 1, KR: 1 },
      }),
    );
    expect(new Set(obs.map((o) => o.regime))).toEqual(new Set(REGIMES));
    for (const o of obs) {
      const span = toMs(o.dueAt) - toMs(o.startsAt);
      const expected =
        o.id === 'JP-APPI:regulator:preliminary' ? toMs(addDays(AWARE, 3)) : toMs(o.startsAt) + Math.floor(span * 0.8);
      expect(toMs(o.remindAt), o.id).toBe(expected);
      expect(o.dueAt.endsWith('Z')).toBe(true);
      expect(o.explanation.length).toBeGreaterThan(20);
    }
  });

  it('is deterministic', () => {
    const f = baseFacts({ affectedPersons: 1_500, residency: { EU: 3, KR: 2 } });
    expect(computeObligations(f)).toEqual(computeObligations(f));
  });
});

describe('mergeObligations: a deadline never moves later', () => {
  it('keeps the 30-day APPI final when a wrongful purpose is found later, and says so', () => {
    const first = computeObligations(baseFacts({ affectedPersons: 1_001 }));
    const merged = mergeObligations(first, computeObligations(baseFacts({ affectedPersons: 1_001, cause: 'external_attack' })));
    const final = byId(merged, 'JP-APPI:regulator:final');
    expect(final.dueAt).toBe(addDays(AWARE, 30));
    expect(final.triggers).toEqual(expect.arrayContaining(['over_1000_persons', 'wrongful_purpose']));
    expect(final.explanation).toContain('never moves later');
  });

  it('adds obligations that new findings trigger', () => {
    const first = computeObligations(baseFacts({ affectedPersons: 1_000 }));
    expect(first).toEqual([]);
    const merged = mergeObligations(first, computeObligations(baseFacts({ affectedPersons: 1_001 })));
    expect(ids(merged)).toContain('JP-APPI:regulator:preliminary');
  });

  it('keeps statuses and filings, and moves a deadline earlier when facts require it', () => {
    const facts = baseFacts({ residency: { 'US-CA': 900 }, affectedPersons: 900 });
    const filed = recordFiling(computeObligations(facts), {
      regime: 'US-CA',
      kind: 'notice',
      audience: 'persons',
      filedAt: addDays(AWARE, 10),
      reference: 'mail-batch-1',
    });
    if (!filed.ok) throw new Error(filed.error);
    const recomputed = computeObligations({ ...facts, personsNotifiedAt: personsNotifiedAtFrom(filed.obligations) });
    const merged = mergeObligations(filed.obligations, recomputed);
    expect(byId(merged, 'US-CA:persons:notice')).toMatchObject({ status: 'done', reference: 'mail-batch-1' });
    expect(byId(merged, 'US-CA:regulator:notice').dueAt).toBe(addDays(AWARE, 25));
  });

  it('keeps an obligation no longer triggered, marked, rather than dropping it', () => {
    const first = computeObligations(baseFacts({ residency: { 'US-CA': 600 } }));
    const merged = mergeObligations(first, computeObligations(baseFacts({ residency: { 'US-CA': 400 } })));
    expect(byId(merged, 'US-CA:regulator:notice')).toMatchObject({ stillApplies: false, status: 'pending' });
    const again = mergeObligations(merged, computeObligations(baseFacts({ residency: { 'US-CA': 400 } })));
    expect(byId(again, 'US-CA:regulator:notice').explanation).toBe(byId(merged, 'US-CA:regulator:notice').explanation);
  });

  const factsArb: fc.Arbitrary<ObligationFacts> = fc.record({
    awareAt: fc.constant(AWARE),
    dataItems: fc.uniqueArray(fc.constantFrom(...DATA_ITEM_CODES), { minLength: 1, maxLength: 6 }),
    affectedPersons: fc.integer({ min: 0, max: 200_000 }),
    residency: fc.dictionary(fc.constantFrom(...RESIDENCY_KEYS), fc.integer({ min: 0, max: 2_000 })),
    cause: fc.constantFrom(...CAUSES),
    encrypted: fc.boolean(),
    wrongfulPurpose: fc.option(fc.boolean(), { nil: undefined }),
    notifiableDecidedAt: fc.option(fc.integer({ min: 0, max: 20 }).map((d) => addDays(AWARE, d)), { nil: undefined }),
  });

  it('property: after any sequence of recomputations no deadline or reminder is later than before', () => {
    fc.assert(
      fc.property(fc.array(factsArb, { minLength: 1, maxLength: 5 }), (seq) => {
        let current: Obligation[] = [];
        for (const facts of seq) {
          const next = mergeObligations(current, computeObligations(facts));
          for (const before of current) {
            const after = byId(next, before.id);
            expect(toMs(after.dueAt)).toBeLessThanOrEqual(toMs(before.dueAt));
            expect(toMs(after.remindAt)).toBeLessThanOrEqual(toMs(before.remindAt));
            expect(after.status).toBe(before.status);
            expect(toMs(after.remindAt)).toBeLessThanOrEqual(toMs(after.dueAt));
          }
          current = next;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('filings and statuses', () => {
  const obs = computeObligations(baseFacts({ affectedPersons: 1_001, residency: { EU: 1 }, dataItems: ['name', 'religion'] }));

  it('records a filing as done and a decision not to file with its reason', () => {
    const r = recordFiling(obs, { regime: 'JP-APPI', kind: 'preliminary', filedAt: '2026-11-22T10:00:00+09:00' });
    expect(r.ok && r.obligation).toMatchObject({ status: 'done', filedAt: '2026-11-22T01:00:00.000Z' });
    const n = recordFiling(obs, { regime: 'EU-GDPR', kind: 'notice', audience: 'persons', notRequired: 'public notice instead' });
    expect(n.ok && n.obligation).toMatchObject({ status: 'not_required', notRequiredReason: 'public notice instead' });
  });

  it('asks for the audience when a regime has two obligations of that kind', () => {
    const r = recordFiling(obs, { regime: 'EU-GDPR', kind: 'notice', filedAt: AWARE });
    expect(r.ok).toBe(false);
    expect(recordFiling(obs, { regime: 'US-TX', kind: 'notice', filedAt: AWARE }).ok).toBe(false);
  });

  it('marks pending obligations overdue after their deadline', () => {
    const later = refreshObligationStatuses(obs, addDays(AWARE, 4));
    expect(byId(later, 'EU-GDPR:regulator:notice').status).toBe('overdue');
    expect(byId(later, 'JP-APPI:regulator:preliminary').status).toBe('pending');
    expect(refreshObligationStatuses(obs, addHours(AWARE, 72)).every((o) => o.status === 'pending')).toBe(true);
  });
});

describe('recordFiling: refusals carry a code', () => {
  // EU-GDPR has a regulator and a persons `notice`; JP-APPI one of each kind.
  const fresh = computeObligations(baseFacts({ affectedPersons: 1_001, residency: { EU: 1 }, dataItems: ['name', 'religion'] }));
  const done = recordFiling(fresh, { regime: 'JP-APPI', kind: 'preliminary', filedAt: addDays(AWARE, 2) });
  const waived = recordFiling(fresh, { regime: 'EU-GDPR', kind: 'notice', audience: 'persons', notRequired: 'public notice instead' });
  if (!done.ok || !waived.ok) throw new Error('fixture');
  const overdue = refreshObligationStatuses(fresh, addDays(AWARE, 6));
  const both = done.obligations.map((o) => (o.id === 'EU-GDPR:persons:notice' ? waived.obligation : o));

  it.each<[string, Obligation[], Parameters<typeof recordFiling>[1], 'not_found' | 'ambiguous' | 'already_done', RegExp]>([
    ['a regime not on the case', fresh, { regime: 'US-TX', kind: 'notice', filedAt: AWARE }, 'not_found', /no US-TX notice obligation/],
    ['a kind the regime does not have', fresh, { regime: 'EU-GDPR', kind: 'final', filedAt: AWARE }, 'not_found', /no EU-GDPR final/],
    ['an audience the kind does not have', fresh, { regime: 'JP-APPI', kind: 'preliminary', audience: 'persons', filedAt: AWARE }, 'not_found', /no JP-APPI persons preliminary/],
    ['GDPR notice without an audience', fresh, { regime: 'EU-GDPR', kind: 'notice', filedAt: AWARE }, 'ambiguous', /2 notice obligations \(regulator, persons\): say which audience/],
    ['GDPR notice without an audience, one of them already waived', both, { regime: 'EU-GDPR', kind: 'notice', notRequired: 'x' }, 'ambiguous', /say which audience/],
    ['a report already filed', done.obligations, { regime: 'JP-APPI', kind: 'preliminary', filedAt: AWARE }, 'already_done', /JP-APPI:regulator:preliminary is already done \(filed 2026-11-22 09:00 JST\)/],
    ['a notice already recorded not required', waived.obligations, { regime: 'EU-GDPR', kind: 'notice', audience: 'persons', filedAt: AWARE }, 'already_done', /already not_required \(recorded not required: public notice instead\)/],
    ['waiving one already filed', done.obligations, { regime: 'JP-APPI', kind: 'preliminary', notRequired: 'x' }, 'already_done', /already done/],
  ])('refuses %s (%s)', (_what, obligations, filing, code, text) => {
    const r = recordFiling(obligations, filing);
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.error).toMatch(text);
  });

  it.each<[string, Obligation[], Parameters<typeof recordFiling>[1], Partial<Obligation>]>([
    ['a filing with a JST offset', fresh, { regime: 'JP-APPI', kind: 'preliminary', filedAt: '2026-11-22T10:00:00+09:00' }, { id: 'JP-APPI:regulator:preliminary', status: 'done', filedAt: '2026-11-22T01:00:00.000Z' }],
    ['a filing already in UTC', fresh, { regime: 'JP-APPI', kind: 'preliminary', filedAt: '2026-11-22T01:00:00.000Z' }, { status: 'done', filedAt: '2026-11-22T01:00:00.000Z' }],
    ['a filing in UTC without milliseconds, with a reference', fresh, { regime: 'JP-APPI', kind: 'final', filedAt: '2026-12-01T00:00:00Z', reference: 'PPC-123' }, { id: 'JP-APPI:regulator:final', filedAt: '2026-12-01T00:00:00.000Z', reference: 'PPC-123' }],
    ['GDPR regulator notice named by audience', fresh, { regime: 'EU-GDPR', kind: 'notice', audience: 'regulator', filedAt: addHours(AWARE, 70) }, { id: 'EU-GDPR:regulator:notice', status: 'done' }],
    ['a late filing of an overdue report keeps it marked missed', overdue.map((o) => (o.status === 'overdue' ? { ...o, missedAt: addDays(AWARE, 5) } : o)), { regime: 'JP-APPI', kind: 'preliminary', filedAt: addDays(AWARE, 6) }, { status: 'done', missedAt: addDays(AWARE, 5) }],
    ['a decision not to file', fresh, { regime: 'EU-GDPR', kind: 'notice', audience: 'persons', notRequired: 'encrypted backup only' }, { status: 'not_required', notRequiredReason: 'encrypted backup only' }],
  ])('records %s', (_what, obligations, filing, expected) => {
    const r = recordFiling(obligations, filing);
    if (!r.ok) throw new Error(r.error);
    expect(r.obligation).toMatchObject(expected);
    expect(byId(r.obligations, r.obligation.id)).toEqual(r.obligation);
    // Nothing else changes.
    expect(r.obligations.filter((o) => o.id !== r.obligation.id)).toEqual(obligations.filter((o) => o.id !== r.obligation.id));
  });
});

describe('the case clock: next deadline, reminders, deadlines passed, next wake', () => {
  // Three obligations with distinct times: A due day 5 (remind day 3), B due day 10 (remind day 8), C due day 20 (remind day 16).
  const ob = (id: string, remindDay: number, dueDay: number, patch: Partial<Obligation> = {}): Obligation => ({
    id,
    regime: 'JP-APPI',
    audience: 'regulator',
    kind: 'preliminary',
    what: id,
    startsAt: AWARE,
    dueAt: addDays(AWARE, dueDay),
    dueAtJst: '',
    remindAt: addDays(AWARE, remindDay),
    status: 'pending',
    triggers: [],
    legalDeadline: true,
    explanation: '',
    source: '',
    ...patch,
  });
  const A = 'A';
  const B = 'B';
  const C = 'C';

  it.each<[string, Obligation[], string | null]>([
    ['none', [], null],
    ['all pending: the earliest', [ob(C, 16, 20), ob(A, 3, 5), ob(B, 8, 10)], addDays(AWARE, 5)],
    ['an overdue one still counts (it is still owed)', [ob(A, 3, 5, { status: 'overdue' }), ob(B, 8, 10)], addDays(AWARE, 5)],
    ['done and not required do not count', [ob(A, 3, 5, { status: 'done' }), ob(B, 8, 10, { status: 'not_required' }), ob(C, 16, 20)], addDays(AWARE, 20)],
    ['one no longer triggered does not count', [ob(A, 3, 5, { stillApplies: false }), ob(B, 8, 10)], addDays(AWARE, 10)],
    ['nor does an overdue one no longer triggered', [ob(A, 3, 5, { status: 'overdue', stillApplies: false }), ob(B, 8, 10)], addDays(AWARE, 10)],
    ['stillApplies true counts', [ob(A, 3, 5, { stillApplies: true })], addDays(AWARE, 5)],
    ['only closed ones', [ob(A, 3, 5, { status: 'done' })], null],
  ])('nextDeadline: %s', (_what, obligations, expected) => {
    expect(nextDeadline(obligations)).toBe(expected);
    const next = nextOpenObligation(obligations);
    expect(next?.dueAt ?? null).toBe(expected);
    if (next) expect(obligations).toContain(next);
  });

  it.each<[string, Obligation[], number, string[]]>([
    ['before any reminder', [ob(A, 3, 5), ob(B, 8, 10)], 2, []],
    ['at the reminder instant (<=)', [ob(A, 3, 5), ob(B, 8, 10)], 3, [A]],
    ['past two reminders', [ob(A, 3, 5), ob(B, 8, 10)], 9, [A, B]],
    ['already reminded: not again', [ob(A, 3, 5, { reminded: true }), ob(B, 8, 10)], 9, [B]],
    ['overdue: escalated, not reminded', [ob(A, 3, 5, { status: 'overdue' })], 9, []],
    ['done or not required', [ob(A, 3, 5, { status: 'done' }), ob(B, 8, 10, { status: 'not_required' })], 9, []],
    ['no longer triggered', [ob(A, 3, 5, { stillApplies: false })], 9, []],
  ])('remindersDue: %s', (_what, obligations, day, expected) => {
    expect(remindersDue(obligations, addDays(AWARE, day)).map((o) => o.id)).toEqual(expected);
  });

  it.each<[string, Obligation[], string, string[]]>([
    ['a millisecond before the deadline', [ob(A, 3, 5)], addHours(addDays(AWARE, 5), -1 / 3_600_000), []],
    ['at the deadline instant (<=)', [ob(A, 3, 5)], addDays(AWARE, 5), [A]],
    ['after two deadlines', [ob(A, 3, 5), ob(B, 8, 10), ob(C, 16, 20)], addDays(AWARE, 11), [A, B]],
    ['already overdue: not again', [ob(A, 3, 5, { status: 'overdue' }), ob(B, 8, 10)], addDays(AWARE, 11), [B]],
    ['filed or waived', [ob(A, 3, 5, { status: 'done' }), ob(B, 8, 10, { status: 'not_required' })], addDays(AWARE, 11), []],
    ['no longer triggered', [ob(A, 3, 5, { stillApplies: false })], addDays(AWARE, 11), []],
    ['a reminder not yet sent does not matter', [ob(A, 3, 5, { reminded: false })], addDays(AWARE, 6), [A]],
  ])('deadlinesPassed: %s', (_what, obligations, now, expected) => {
    expect(deadlinesPassed(obligations, now).map((o) => o.id)).toEqual(expected);
  });

  it.each<[string, Obligation[], string | undefined]>([
    ['nothing waiting', [], undefined],
    ['the earliest reminder', [ob(B, 8, 10), ob(A, 3, 5)], addDays(AWARE, 3)],
    ['once reminded, its deadline', [ob(A, 3, 5, { reminded: true }), ob(B, 8, 10)], addDays(AWARE, 5)],
    ['an earlier deadline than another reminder', [ob(A, 3, 5, { reminded: true }), ob(B, 4, 10)], addDays(AWARE, 4)],
    ['overdue ones no longer wake the clock', [ob(A, 3, 5, { status: 'overdue', reminded: true }), ob(B, 8, 10)], addDays(AWARE, 8)],
    ['closed ones do not', [ob(A, 3, 5, { status: 'done' }), ob(B, 8, 10, { status: 'not_required' })], undefined],
    ['nor ones no longer triggered', [ob(A, 3, 5, { stillApplies: false }), ob(C, 16, 20)], addDays(AWARE, 16)],
  ])('nextClockAt: %s', (_what, obligations, expected) => {
    expect(nextClockAt(obligations)).toBe(expected);
  });

  it('on computed obligations: GDPR 72 h first; reminders at day 3 for the APPI report and both GDPR notices', () => {
    const obs = computeObligations(baseFacts({ affectedPersons: 1_001, residency: { EU: 1 }, dataItems: ['name', 'religion'] }));
    expect(nextDeadline(obs)).toBe(addHours(AWARE, 72));
    expect(nextClockAt(obs)).toBe(addHours(AWARE, 72 * 0.8));
    expect(remindersDue(obs, addDays(AWARE, 3)).map((o) => o.id).sort()).toEqual([
      'EU-GDPR:persons:notice',
      'EU-GDPR:regulator:notice',
      'JP-APPI:regulator:preliminary',
    ]);
    expect(deadlinesPassed(obs, addHours(AWARE, 72)).map((o) => o.id).sort()).toEqual(['EU-GDPR:persons:notice', 'EU-GDPR:regulator:notice']);
  });

  it('walking the clock: each wake finds work, and the last wake leaves nothing waiting', () => {
    let obs: Obligation[] = computeObligations(baseFacts({ affectedPersons: 1_001, residency: { EU: 1, 'US-CA': 600 } }));
    let wakes = 0;
    for (let at = nextClockAt(obs); at !== undefined; at = nextClockAt(obs)) {
      const remind = new Set(remindersDue(obs, at).map((o) => o.id));
      const passed = new Set(deadlinesPassed(obs, at).map((o) => o.id));
      expect(remind.size + passed.size, at).toBeGreaterThan(0);
      obs = obs.map((o) => ({
        ...o,
        ...(remind.has(o.id) ? { reminded: true } : {}),
        ...(passed.has(o.id) ? { status: 'overdue' as const, missedAt: at } : {}),
      }));
      wakes += 1;
    }
    expect(obs.every((o) => o.status === 'overdue' && o.reminded === true)).toBe(true);
    expect(wakes).toBeLessThanOrEqual(obs.length * 2);
    // All overdue and still owed: the next deadline is the earliest of them.
    expect(nextDeadline(obs)).toBe(addHours(AWARE, 72));
  });

  it('mergeObligations keeps reminded and missedAt', () => {
    const first = computeObligations(baseFacts({ affectedPersons: 1_001 })).map((o) =>
      o.id === 'JP-APPI:regulator:preliminary' ? { ...o, reminded: true, status: 'overdue' as const, missedAt: addDays(AWARE, 5) } : o,
    );
    const merged = mergeObligations(first, computeObligations(baseFacts({ affectedPersons: 2_000 })));
    expect(byId(merged, 'JP-APPI:regulator:preliminary')).toMatchObject({ reminded: true, status: 'overdue', missedAt: addDays(AWARE, 5) });
    expect(byId(merged, 'JP-APPI:regulator:final').reminded).toBeUndefined();
  });
});

describe('US-CA: the Attorney General sample copy runs from the notice to residents', () => {
  // Cal. Civ. Code 1798.82(f): within 15 days of notifying residents, when more than 500 residents.
  const facts = baseFacts({ residency: { 'US-CA': 900 }, affectedPersons: 900 });

  it.each<[string, string | undefined, string]>([
    ['not sent yet: 15 days after the persons deadline (30 + 15)', undefined, addDays(AWARE, 45)],
    ['sent on day 1', addDays(AWARE, 1), addDays(AWARE, 16)],
    ['sent on day 10', addDays(AWARE, 10), addDays(AWARE, 25)],
    ['sent on day 10 in JST', '2026-11-30T09:00:00+09:00', addDays(AWARE, 25)],
    ['sent on the persons deadline (day 30)', addDays(AWARE, 30), addDays(AWARE, 45)],
  ])('%s', (_what, sentAt, agDue) => {
    const obs = computeObligations({ ...facts, ...(sentAt ? { personsNotifiedAt: { 'US-CA': sentAt } } : {}) });
    const ag = byId(obs, 'US-CA:regulator:notice');
    expect(ag.dueAt).toBe(agDue);
    expect(ag.explanation).toContain(sentAt ? 'after the notice to persons (sent' : 'not sent yet');
    // The persons notice itself stays 30 days from awareness.
    expect(byId(obs, 'US-CA:persons:notice').dueAt).toBe(addDays(AWARE, 30));
  });

  it('from a recorded filing: personsNotifiedAtFrom feeds the notice time back, and merging moves the AG deadline earlier', () => {
    const before = computeObligations(facts);
    const filed = recordFiling(before, { regime: 'US-CA', kind: 'notice', audience: 'persons', filedAt: addDays(AWARE, 12) });
    if (!filed.ok) throw new Error(filed.error);
    expect(personsNotifiedAtFrom(filed.obligations)).toEqual({ 'US-CA': addDays(AWARE, 12) });
    const merged = mergeObligations(filed.obligations, computeObligations({ ...facts, personsNotifiedAt: personsNotifiedAtFrom(filed.obligations) }));
    expect(byId(merged, 'US-CA:regulator:notice').dueAt).toBe(addDays(AWARE, 27));
  });

  it('a late notice (day 40) would give day 55, but the merged deadline stays at day 45: deadlines never move later', () => {
    const before = computeObligations(facts);
    const late = computeObligations({ ...facts, personsNotifiedAt: { 'US-CA': addDays(AWARE, 40) } });
    expect(byId(late, 'US-CA:regulator:notice').dueAt).toBe(addDays(AWARE, 55));
    expect(byId(mergeObligations(before, late), 'US-CA:regulator:notice').dueAt).toBe(addDays(AWARE, 45));
  });

  it('personsNotifiedAtFrom takes filed persons notices only', () => {
    const obs = computeObligations(baseFacts({ residency: { 'US-CA': 900, 'US-NY': 3, EU: 2 }, dataItems: ['religion'] }));
    let current = obs;
    for (const f of [
      { regime: 'US-CA', kind: 'notice', audience: 'persons', filedAt: addDays(AWARE, 3) },
      { regime: 'US-NY', kind: 'notice', audience: 'persons', notRequired: 'not reachable; public notice' },
      { regime: 'EU-GDPR', kind: 'notice', audience: 'regulator', filedAt: addDays(AWARE, 2) },
    ] as const) {
      const r = recordFiling(current, f);
      if (!r.ok) throw new Error(r.error);
      current = r.obligations;
    }
    expect(personsNotifiedAtFrom(current)).toEqual({ 'US-CA': addDays(AWARE, 3) });
  });
});

describe('substitute measures (代替措置) when persons cannot be reached', () => {
  const desk = { phone: '0120-000-000', hours: '平日 9:00-18:00' };
  it.each([
    ['everyone reached: no duty', 0, [], null, null],
    ['one unreachable, nothing recorded', 1, [], null, { status: 'pending', missing: ['announcement', 'enquiry_desk'] }],
    ['an announcement without a desk', 3, [{ channel: 'website' }], null, { status: 'pending', missing: ['enquiry_desk'] }],
    ['a desk without an announcement', 3, [], desk, { status: 'pending', missing: ['announcement'] }],
    ['both recorded', 3, [{ channel: 'press' }], desk, { status: 'done', missing: [] }],
  ] as const)('%s', (_name, unreachable, announcements, enquiryDesk, expected) => {
    const duty = substituteMeasureObligation({ unreachable, announcements, enquiryDesk });
    if (expected === null) expect(duty).toBeNull();
    else expect(duty).toEqual({ id: 'JP-APPI:public:substitute_measures', unreachable, ...expected });
  });
});
