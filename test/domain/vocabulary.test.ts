import { describe, expect, it } from 'vitest';
import {
  ACTION_SCHEMAS,
  ACTIONS,
  PREVENTION_MEASURES,
  PREVENTION_MEASURE_STATUSES,
  ApprovePayoutBodySchema,
  COST_CATEGORIES,
  CostItemSchema,
  DATA_ITEMS,
  DecideCoverageBodySchema,
  IncidentReportSchema,
  PolicySchema,
  RecordFilingBodySchema,
  RecordFindingsBodySchema,
  ResidencySchema,
  ROLES,
  VENDOR_ROLES,
  checkReportAgainstNow,
  formatJst,
  secondaryDamageRisk,
  addDays,
  addHours,
  type DataItem,
} from '../../domain/index.js';
import { samplePolicy } from './fixtures.js';

// contract.md's data-item table, transcribed independently of the implementation: code, x, y, S, F.
const CONTRACT_ITEMS: [DataItem, number, number, boolean, boolean][] = [
  ['name', 1, 1, false, false],
  ['address', 1, 1, false, false],
  ['birth_date', 1, 1, false, false],
  ['sex', 1, 1, false, false],
  ['phone', 1, 1, false, false],
  ['email', 1, 1, false, false],
  ['bank_name', 1, 1, false, false],
  ['employee_number', 1, 1, false, false],
  ['id_document_number', 1, 1, false, false],
  ['workplace', 1, 1, false, false],
  ['education', 1, 1, false, false],
  ['family_structure', 1, 1, false, false],
  ['passport_number', 1, 2, false, false],
  ['purchase_history', 1, 2, false, false],
  ['browsing_or_location_history', 1, 2, false, false],
  ['online_credentials', 1, 2, false, true],
  ['bank_account_with_pin', 1, 3, false, true],
  ['credit_card', 1, 3, false, true],
  ['health_checkup', 2, 1, true, false],
  ['medical_history', 2, 1, true, false],
  ['biometric', 2, 1, false, false],
  ['race', 2, 1, true, false],
  ['nationality', 2, 1, false, false],
  ['preferences', 2, 1, false, false],
  ['grades', 2, 1, false, false],
  ['email_contents', 2, 1, false, false],
  ['income', 2, 2, false, false],
  ['assets_or_debts', 2, 2, false, false],
  ['will', 2, 3, false, false],
  ['political_views', 3, 1, true, false],
  ['religion', 3, 1, true, false],
  ['family_register_origin', 3, 1, true, false],
  ['medical_record', 3, 1, true, false],
  ['genetic', 3, 1, true, false],
  ['disability', 3, 1, true, false],
  ['sexual_life', 3, 1, false, false],
  ['criminal_record', 3, 3, true, false],
  ['credit_blacklist', 3, 3, false, true],
];

describe('vocabulary', () => {
  it('lists exactly the contract data items', () => {
    expect(Object.keys(DATA_ITEMS).sort()).toEqual(CONTRACT_ITEMS.map(([c]) => c).sort());
  });

  it.each(CONTRACT_ITEMS)('%s sits at (%i,%i) with sensitive=%s, financialRisk=%s', (code, x, y, s, f) => {
    expect(DATA_ITEMS[code]).toMatchObject({ x, y, sensitive: s, financialRisk: f });
  });

  it.each([
    ['name', 'basic'],
    ['birth_date', 'basic'],
    ['address', 'basic'],
    ['phone', 'basic'],
    ['workplace', 'attributes'],
    ['education', 'attributes'],
    ['family_structure', 'attributes'],
    ['biometric', 'physical'],
    ['genetic', 'genetic'],
    ['purchase_history', 'behavioural'],
    ['browsing_or_location_history', 'behavioural'],
  ] as [DataItem, string][])('groups %s as %s, following the seed article', (code, group) => {
    expect(DATA_ITEMS[code].group).toBe(group);
  });

  it('has the contract roles, actions, vendor roles and cost categories', () => {
    expect(ROLES).toEqual(['insured', 'handler', 'supervisor', 'ops', 'admin', 'vendor']);
    expect(ACTIONS).toHaveLength(17);
    expect(ACTIONS[13]).toBe('record-announcement');
    expect(ACTIONS[14]).toBe('approve-notice-draft');
    expect(ACTIONS[15]).toBe('engage-vendor');
    expect(ACTIONS[16]).toBe('update-prevention-measure');
    expect(Object.keys(ACTION_SCHEMAS).sort()).toEqual([...ACTIONS].sort());
    expect(VENDOR_ROLES).toEqual([
      'forensics',
      'counsel',
      'call_center',
      'print_and_mail',
      'credit_monitoring',
      'public_relations',
      'recurrence_prevention',
    ]);
    expect(COST_CATEGORIES).toHaveLength(10);
    expect(PREVENTION_MEASURES).toEqual(['access_control', 'encryption', 'staff_training', 'monitoring', 'vendor_management']);
    expect(PREVENTION_MEASURE_STATUSES).toEqual(['planned', 'in_progress', 'done']);
  });

  it('accepts a partial residency and refuses unknown keys and negative counts', () => {
    expect(ResidencySchema.safeParse({ JP: 3, 'US-CA': 0 }).success).toBe(true);
    expect(ResidencySchema.safeParse({ FR: 3 }).success).toBe(false);
    expect(ResidencySchema.safeParse({ JP: -1 }).success).toBe(false);
    expect(ResidencySchema.safeParse({ JP: 1.5 }).success).toBe(false);
  });
});

describe('time', () => {
  it('renders JST for people', () => {
    expect(formatJst('2026-11-25T00:00:00Z')).toBe('2026-11-25 09:00 JST');
    expect(formatJst('2026-12-31T15:30:00Z')).toBe('2027-01-01 00:30 JST');
  });
  it('adds days and hours in UTC', () => {
    expect(addDays('2026-11-20T09:00:00+09:00', 5)).toBe('2026-11-25T00:00:00.000Z');
    expect(addHours('2026-11-20T00:00:00Z', 72)).toBe('2026-11-23T00:00:00.000Z');
  });
});

const report = {
  policyNumber: 'PL-2026-000123',
  discoveredAt: '2026-11-20T09:00:00+09:00',
  occurredAt: '2026-11-18T00:00:00+09:00',
  cause: 'device_loss',
  description: 'Sales laptop left on a train; customer list on it.',
  dataItems: ['name', 'address', 'phone'],
  affectedPersons: 1200,
  residency: { JP: 1150, EU: 30, 'US-CA': 20 },
  encrypted: false,
  circumstances: {
    naturalCatastrophe: false,
    warOrRiot: false,
    directedByInsuredOfficers: false,
    knownBeforeInception: false,
  },
  contact: { name: '山田 太郎', email: 'yamada@example.co.jp', phone: '+81-3-0000-0000' },
};

describe('IncidentReportSchema', () => {
  it("parses the contract's example and normalises times to UTC", () => {
    const r = IncidentReportSchema.parse(report);
    expect(r.discoveredAt).toBe('2026-11-20T00:00:00.000Z');
    expect(r.occurredAt).toBe('2026-11-17T15:00:00.000Z');
  });

  it('defaults circumstances, encryption and residency', () => {
    const { circumstances: _c, encrypted: _e, residency: _r, occurredAt: _o, ...minimal } = report;
    const r = IncidentReportSchema.parse(minimal);
    expect(r.encrypted).toBe(false);
    expect(r.residency).toEqual({});
    expect(r.occurredAt).toBeUndefined();
    expect(r.circumstances).toEqual({
      naturalCatastrophe: false,
      warOrRiot: false,
      directedByInsuredOfficers: false,
      knownBeforeInception: false,
      terrorism: false,
    });
  });

  it.each([
    ['occurrence after discovery', { occurredAt: '2026-11-21T00:00:00+09:00' }, 'occurredAt'],
    ['a time without offset', { discoveredAt: '2026-11-20T09:00:00' }, 'discoveredAt'],
    ['no data items', { dataItems: [] }, 'dataItems'],
    ['a repeated data item', { dataItems: ['name', 'name'] }, 'dataItems'],
    ['an unknown data item', { dataItems: ['shoe_size'] }, 'dataItems'],
    ['negative persons', { affectedPersons: -1 }, 'affectedPersons'],
    ['too many persons', { affectedPersons: 100_000_001 }, 'affectedPersons'],
    ['fractional persons', { affectedPersons: 1.5 }, 'affectedPersons'],
    ['an unknown cause', { cause: 'aliens' }, 'cause'],
    ['an empty description', { description: '' }, 'description'],
    ['a long description', { description: 'x'.repeat(4001) }, 'description'],
    ['a bad e-mail', { contact: { name: 'a', email: 'nope' } }, 'contact'],
    ['an unknown field', { insuredId: 'ins-002' }, ''],
    ['an unknown circumstance', { circumstances: { alien: true } }, 'circumstances'],
  ])('refuses %s', (_what, patch, path) => {
    const res = IncidentReportSchema.safeParse({ ...report, ...patch });
    expect(res.success).toBe(false);
    if (!res.success) expect(res.error.issues.map((i) => String(i.path[0] ?? ''))).toContain(path);
  });

  it('accepts occurrence equal to discovery and 0 or 100,000,000 persons', () => {
    expect(IncidentReportSchema.safeParse({ ...report, occurredAt: report.discoveredAt }).success).toBe(true);
    expect(IncidentReportSchema.safeParse({ ...report, affectedPersons: 0 }).success).toBe(true);
    expect(IncidentReportSchema.safeParse({ ...report, affectedPersons: 100_000_000 }).success).toBe(true);
  });

  it('flags discovery in the future against the given now', () => {
    const r = IncidentReportSchema.parse(report);
    expect(checkReportAgainstNow(r, '2026-11-20T01:00:00Z')).toEqual([]);
    expect(checkReportAgainstNow(r, '2026-11-17T00:00:00Z')).toEqual([
      { path: ['discoveredAt'], message: 'discoveredAt is in the future' },
      { path: ['occurredAt'], message: 'occurredAt is in the future' },
    ]);
  });
});

describe('PolicySchema', () => {
  it('parses the contract example', () => {
    const p = samplePolicy();
    expect(p.periodStart).toBe('2026-03-31T15:00:00.000Z');
    expect(p.categories.apology_payment?.perVictimCapJpy).toBe(500);
  });
  it.each([
    ['period end before start', { periodEnd: '2026-03-01T00:00:00+09:00' }],
    ['period end equal to start', { periodEnd: '2026-04-01T00:00:00+09:00' }],
    ['retroactive date after start', { retroactiveDate: '2026-04-02T00:00:00+09:00' }],
    ['social responsibility 3', { socialResponsibility: 3 }],
    ['payout ratio 0', { categories: { notification: { limitJpy: 1, payoutRatio: 0, consentRequired: false } } }],
    ['payout ratio above 1', { categories: { notification: { limitJpy: 1, payoutRatio: 1.1, consentRequired: false } } }],
    ['an unknown category', { categories: { travel: { limitJpy: 1, payoutRatio: 1, consentRequired: false } } }],
    ['a negative limit', { liability: { perClaimLimitJpy: -1, periodLimitJpy: 0, deductibleJpy: 0 } }],
  ])('refuses %s', (_what, patch) => {
    expect(() => samplePolicy(patch)).toThrow();
  });
  it('accepts a retroactive date equal to the period start', () => {
    expect(samplePolicy({ retroactiveDate: '2026-04-01T00:00:00+09:00' }).retroactiveDate).toBe(
      '2026-03-31T15:00:00.000Z',
    );
  });
  it('is strict', () => {
    const p = samplePolicy();
    expect(PolicySchema.safeParse({ ...p, premium: 1 }).success).toBe(false);
  });
});

describe('action bodies', () => {
  it.each([
    ['record-filing', { regime: 'JP-APPI', kind: 'preliminary', filedAt: '2026-11-22T10:00:00+09:00' }, true],
    ['record-filing', { regime: 'EU-GDPR', kind: 'notice', notRequired: 'unlikely to result in a risk' }, true],
    ['record-filing', { regime: 'EU-GDPR', kind: 'notice', filedAt: '2026-11-22T10:00:00Z', notRequired: 'x' }, false],
    ['record-filing', { regime: 'EU-GDPR', kind: 'notice' }, false],
    ['record-filing', { regime: 'FR-CNIL', kind: 'notice', filedAt: '2026-11-22T10:00:00Z' }, false],
    ['assign', { assignee: 'handler-1' }, true],
    ['assign', { assignee: '' }, false],
    ['decide-coverage', { decision: 'covered', reason: 'forensics dated it' }, true],
    ['decide-coverage', { decision: 'provisional', reason: 'x' }, false],
    ['consent', { category: 'apology_payment', limitJpy: 600_000 }, true],
    ['consent', { category: 'apology_payment', limitJpy: -1 }, false],
    ['record-findings', { affectedPersons: 5000 }, true],
    ['record-findings', {}, false],
    ['approve-notice', { language: 'ja' }, true],
    ['approve-notice', { language: 'fr' }, false],
    ['submit-costs', { items: [{ category: 'notification', amountJpy: 100, evidenceRef: 'inv-1' }] }, true],
    ['submit-costs', { items: [] }, false],
    ['approve-payout', {}, true],
    ['approve-payout', { lineIds: ['l1'] }, true],
    ['deny', { reason: 'officers directed it' }, true],
    ['withdraw', { reason: '' }, false],
    ['close', { reason: 'paid', extra: 1 }, false],
  ] as const)('%s %j → valid %s', (action, body, ok) => {
    expect(ACTION_SCHEMAS[action].safeParse(body).success).toBe(ok);
  });

  it.each([
    [{ category: 'notification', amountJpy: 0, evidenceRef: 'a' }, false],
    [{ category: 'notification', amountJpy: 10_000_000_000, evidenceRef: 'a' }, true],
    [{ category: 'notification', amountJpy: 10_000_000_001, evidenceRef: 'a' }, false],
    [{ category: 'notification', amountJpy: 1.5, evidenceRef: 'a' }, false],
    [{ category: 'notification', amountJpy: 1, evidenceRef: '' }, false],
    [{ category: 'notification', amountJpy: 1, evidenceRef: 'x'.repeat(501) }, false],
    [{ category: 'apology_payment', amountJpy: 1, evidenceRef: 'a', persons: -1 }, false],
  ])('cost item %j → valid %s', (item, ok) => {
    expect(CostItemSchema.safeParse(item).success).toBe(ok);
  });

  it('normalises filing times and findings times to UTC', () => {
    const f = RecordFilingBodySchema.parse({ regime: 'JP-APPI', kind: 'final', filedAt: '2026-12-01T09:00:00+09:00' });
    expect(f).toMatchObject({ filedAt: '2026-12-01T00:00:00.000Z' });
    expect(RecordFindingsBodySchema.parse({ occurredAt: '2026-11-01T09:00:00+09:00' }).occurredAt).toBe(
      '2026-11-01T00:00:00.000Z',
    );
    expect(DecideCoverageBodySchema.parse({ decision: 'denied', reason: ' r ' }).reason).toBe('r');
    expect(ApprovePayoutBodySchema.parse({})).toEqual({});
  });
});

describe('secondary damage a notice warns of', () => {
  it.each([
    [['name', 'address'], 'phishing'],
    [['credit_card'], 'financial'],
    [['bank_account_with_pin'], 'financial'],
    [['online_credentials', 'name'], 'financial'],
    [['credit_blacklist'], 'financial'],
    [['medical_history', 'income'], 'phishing'],
    [[], 'phishing'],
    [['not_a_code'], 'phishing'],
  ] as const)('%j → %s', (items, risk) => {
    expect(secondaryDamageRisk(items)).toBe(risk);
  });

  it('follows the financial-risk flag of every data item', () => {
    for (const [code, info] of Object.entries(DATA_ITEMS)) {
      expect(secondaryDamageRisk([code]), code).toBe(info.financialRisk ? 'financial' : 'phishing');
    }
  });
});
