import { describe, expect, it } from 'vitest';
import {
  addDays,
  assessCoverage,
  computeExposure,
  computeObligations,
  computeReserve,
  computeSeverity,
  IncidentReportSchema,
  triage,
  triageFactsFromReport,
  type IncidentReportInput,
  type PolicyRecord,
  type TriageFacts,
} from '../../domain/index.js';
import { samplePolicy } from './fixtures.js';

const policy: PolicyRecord = { ...samplePolicy(), policyNumber: 'PL-2026-000123' };
/** Awareness 2026-11-20 09:00 JST; the case is reported an hour later. */
const DISCOVERED = '2026-11-20T00:00:00.000Z';
const REPORTED = '2026-11-20T01:00:00.000Z';

const report = (patch: Partial<IncidentReportInput> = {}): IncidentReportInput => ({
  policyNumber: policy.policyNumber,
  discoveredAt: '2026-11-20T09:00:00+09:00',
  occurredAt: '2026-11-18T00:00:00+09:00',
  cause: 'device_loss',
  description: 'Sales laptop left on a train; customer list on it.',
  dataItems: ['name', 'address', 'phone'],
  affectedPersons: 1200,
  residency: { JP: 1150, EU: 30, 'US-CA': 20 },
  contact: { name: '山田 太郎', email: 'yamada@example.co.jp' },
  ...patch,
});

const factsOf = (patch: Partial<IncidentReportInput> = {}, reportedAt = REPORTED): TriageFacts =>
  triageFactsFromReport(IncidentReportSchema.parse(report(patch)), reportedAt);

/** The same result composed by hand from the underlying rules: what the workflow and the API each did before. */
function byHand(facts: TriageFacts) {
  const severity = computeSeverity(facts);
  const exposure = computeExposure({ dataItems: facts.dataItems, persons: facts.affectedPersons, socialResponsibility: policy.socialResponsibility });
  return {
    severity,
    exposure,
    reserve: computeReserve({ policy, affectedPersons: facts.affectedPersons, exposure, severity: severity.severity }),
    coverage: assessCoverage(policy, { discoveredAt: facts.discoveredAt, occurredAt: facts.occurredAt, circumstances: facts.circumstances }),
    obligations: computeObligations({
      awareAt: facts.discoveredAt,
      dataItems: facts.dataItems,
      affectedPersons: facts.affectedPersons,
      residency: facts.residency,
      cause: facts.cause,
      encrypted: facts.encrypted,
      wrongfulPurpose: facts.wrongfulPurpose,
      notifiableDecidedAt: facts.notifiableDecidedAt,
      ...(facts.personsNotifiedAt ? { personsNotifiedAt: facts.personsNotifiedAt } : {}),
    }),
  };
}

const CASES: [string, TriageFacts, { severity: string; coverage: string; reasons: string[]; obligations: string[] }][] = [
  [
    "the contract's example: laptop lost, 1,200 persons, some in the EU and California",
    factsOf(),
    {
      severity: 'medium',
      coverage: 'covered',
      reasons: [],
      obligations: ['EU-GDPR:regulator:notice', 'JP-APPI:persons:notice', 'JP-APPI:regulator:final', 'JP-APPI:regulator:preliminary', 'US-CA:persons:notice'],
    },
  ],
  [
    'an attack on card data, 50,000 persons, occurrence unknown',
    factsOf({ cause: 'external_attack', dataItems: ['name', 'credit_card'], affectedPersons: 50_000, residency: { JP: 50_000 }, occurredAt: undefined }),
    {
      severity: 'critical',
      coverage: 'provisional',
      reasons: ['occurrence_unknown'],
      obligations: ['JP-APPI:persons:notice', 'JP-APPI:regulator:final', 'JP-APPI:regulator:preliminary'],
    },
  ],
  [
    'a misdirected e-mail to 3 persons, encrypted attachment',
    factsOf({ cause: 'misdelivery', dataItems: ['email'], affectedPersons: 3, residency: undefined, encrypted: true }),
    { severity: 'low', coverage: 'covered', reasons: [], obligations: [] },
  ],
  [
    'terrorism, no terrorism cover: denied, the regulators\' clocks run all the same',
    factsOf({ cause: 'external_attack', circumstances: { terrorism: true }, residency: { JP: 1200 } }),
    {
      severity: 'high',
      coverage: 'denied',
      reasons: ['terrorism'],
      obligations: ['JP-APPI:persons:notice', 'JP-APPI:regulator:final', 'JP-APPI:regulator:preliminary'],
    },
  ],
  [
    'occurred before the retroactive date',
    factsOf({ occurredAt: '2024-01-01T00:00:00+09:00', affectedPersons: 10, residency: {}, dataItems: ['medical_history'] }),
    { severity: 'medium', coverage: 'denied', reasons: ['before_retroactive_date'], obligations: ['JP-APPI:persons:notice', 'JP-APPI:regulator:final', 'JP-APPI:regulator:preliminary'] },
  ],
  [
    'Singapore residents, 600 persons: the PDPC clock runs from the report (the notifiable decision)',
    factsOf({ affectedPersons: 600, residency: { SG: 600 } }, '2026-11-21T00:00:00Z'),
    { severity: 'low', coverage: 'covered', reasons: [], obligations: ['SG-PDPA:regulator:assessment', 'SG-PDPA:regulator:notice'] },
  ],
  [
    'California notice already sent on day 10: the AG copy is due on day 25',
    { ...factsOf({ affectedPersons: 900, residency: { 'US-CA': 900 } }), personsNotifiedAt: { 'US-CA': addDays(DISCOVERED, 10) } },
    { severity: 'low', coverage: 'covered', reasons: [], obligations: ['US-CA:persons:notice', 'US-CA:regulator:notice'] },
  ],
];

describe('triage', () => {
  it.each(CASES)('%s', (_what, facts, expected) => {
    const t = triage(policy, facts);
    expect(t.severity.severity).toBe(expected.severity);
    expect(t.coverage.decision).toBe(expected.coverage);
    expect(t.coverage.reasons).toEqual(expected.reasons);
    expect(t.obligations.map((o) => o.id).sort()).toEqual(expected.obligations);
    expect(t.obligations.every((o) => o.status === 'pending')).toBe(true);
    expect(t.reserve.totalJpy).toBeGreaterThan(0);
    expect(Number.isSafeInteger(t.reserve.totalJpy) && Number.isSafeInteger(t.exposure.totalJpy)).toBe(true);
  });

  it.each(CASES)('equals the underlying rules called one by one: %s', (_what, facts) => {
    expect(triage(policy, facts)).toEqual(byHand(facts));
  });

  it('runs the clocks from the facts it is given', () => {
    const sg = triage(policy, CASES[5]![1]).obligations.find((o) => o.id === 'SG-PDPA:regulator:notice')!;
    expect(sg.startsAt).toBe('2026-11-21T00:00:00.000Z');
    expect(sg.dueAt).toBe('2026-11-24T00:00:00.000Z');
    const ag = triage(policy, CASES[6]![1]).obligations.find((o) => o.id === 'US-CA:regulator:notice')!;
    expect(ag.dueAt).toBe(addDays(DISCOVERED, 25));
    const final = triage(policy, CASES[1]![1]).obligations.find((o) => o.id === 'JP-APPI:regulator:final')!;
    expect(final.dueAt).toBe(addDays(DISCOVERED, 60));
  });

  it('takes a policy with terrorism cover into account', () => {
    const facts = CASES[3]![1];
    expect(triage({ ...policy, coversTerrorism: true }, facts).coverage.decision).toBe('covered');
  });

  it('is pure: the same facts give the same result, and the facts are not changed', () => {
    const facts = CASES[0]![1];
    const copy = structuredClone(facts);
    expect(triage(policy, facts)).toEqual(triage(policy, facts));
    expect(facts).toEqual(copy);
  });
});

describe('triageFactsFromReport', () => {
  it.each<[string, Partial<IncidentReportInput>, Partial<TriageFacts>]>([
    [
      'the example report',
      {},
      {
        occurredAt: '2026-11-17T15:00:00.000Z',
        discoveredAt: DISCOVERED,
        notifiableDecidedAt: REPORTED,
        residency: { JP: 1150, EU: 30, 'US-CA': 20 },
        wrongfulPurpose: false,
        encrypted: false,
      },
    ],
    ['occurrence unknown', { occurredAt: undefined }, { occurredAt: null }],
    ['no residency given', { residency: undefined }, { residency: {} }],
    ['external attack: wrongful purpose', { cause: 'external_attack' }, { wrongfulPurpose: true }],
    ['device theft: wrongful purpose', { cause: 'device_theft' }, { wrongfulPurpose: true }],
    ['web skimming: wrongful purpose', { cause: 'web_skimming' }, { wrongfulPurpose: true }],
    ['insider theft: wrongful purpose', { cause: 'insider_malicious' }, { wrongfulPurpose: true }],
    ['a careless insider: none', { cause: 'insider_negligent' }, { wrongfulPurpose: false }],
    ['encrypted', { encrypted: true }, { encrypted: true }],
    [
      'circumstances defaulted, terrorism included',
      { circumstances: undefined },
      { circumstances: { naturalCatastrophe: false, warOrRiot: false, directedByInsuredOfficers: false, knownBeforeInception: false, terrorism: false } },
    ],
  ])('%s', (_what, patch, expected) => {
    const facts = factsOf(patch);
    expect(facts).toMatchObject(expected);
    expect(facts.personsNotifiedAt).toBeUndefined();
  });

  it('normalises the reported time to UTC', () => {
    expect(factsOf({}, '2026-11-20T10:00:00+09:00').notifiableDecidedAt).toBe(REPORTED);
  });
});
