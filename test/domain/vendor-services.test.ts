import { describe, expect, it } from 'vitest';
import {
  CALL_CENTER_NOTICE_THRESHOLD,
  ENGAGE_ROLES,
  EngageVendorBodySchema,
  ROLE_COST_CATEGORY,
  VENDOR_ROLES,
  ackSlaMs,
  callCenterNeeded,
  decideEngagement,
  draftFaq,
  faqFactsOf,
  mayInvoice,
  vendorRoleOf,
  type EngagementFacts,
  type PanelEntry,
  type Role,
} from '../../domain/index.js';

const PANEL: PanelEntry[] = [
  { vendorId: 'counsel-a', role: 'counsel' },
  { vendorId: 'cc-a', role: 'call_center' },
  { vendorId: 'cc-b', role: 'call_center' },
  { vendorId: 'pr-a', role: 'public_relations' },
  { vendorId: 'mon-a', role: 'credit_monitoring' },
  { vendorId: 'prev-a', role: 'recurrence_prevention' },
  { vendorId: 'print-a', role: 'print_and_mail' },
];

const POLICY = {
  categories: {
    call_center: { consentRequired: false },
    public_relations: { consentRequired: true },
    recurrence_prevention: { consentRequired: true },
    notification: { consentRequired: false },
    legal_counsel: { consentRequired: false },
  },
};

function facts(over: Partial<EngagementFacts> = {}): EngagementFacts {
  return { status: 'response', coverage: { decision: 'covered' }, vendors: [], consents: [], ...over };
}

describe('engaging a vendor', () => {
  it('maps the contract’s roles to the panel’s, and each role to the cost category its invoices are in', () => {
    expect(ENGAGE_ROLES.map(vendorRoleOf).sort()).toEqual([...VENDOR_ROLES].sort());
    expect(vendorRoleOf('print_mail')).toBe('print_and_mail');
    for (const role of VENDOR_ROLES) expect(mayInvoice(role, ROLE_COST_CATEGORY[role]), role).toBe(true);
    expect(mayInvoice('recurrence_prevention', 'public_relations')).toBe(false);
  });

  type Row = [string, { role: (typeof ENGAGE_ROLES)[number]; vendorId?: string }, Partial<EngagementFacts>, Role, unknown];
  const ROWS: Row[] = [
    ['the next call centre of the panel, no consent asked', { role: 'call_center' }, {}, 'handler', { ok: true, vendorId: 'cc-a', category: 'call_center', consent: 'not_required', covered: true }],
    ['the call centre the insured asks for, on request', { role: 'call_center' }, {}, 'insured', { ok: true, vendorId: 'cc-a', consent: 'not_required' }],
    ['a named call centre', { role: 'call_center', vendorId: 'cc-b' }, {}, 'handler', { ok: true, vendorId: 'cc-b' }],
    ['the next one after a replaced vendor', { role: 'call_center' }, { vendors: [{ vendorId: 'cc-a', role: 'call_center', status: 'replaced' }] }, 'handler', { ok: true, vendorId: 'cc-b' }],
    ['PR by a handler: the engagement is the consent', { role: 'public_relations' }, {}, 'handler', { ok: true, vendorId: 'pr-a', category: 'public_relations', consent: 'by_engagement' }],
    ['PR asked by the insured waits for consent', { role: 'public_relations' }, {}, 'insured', { ok: true, consent: 'awaiting' }],
    ['PR with a consent on the case', { role: 'public_relations' }, { consents: [{ category: 'public_relations' }] }, 'insured', { ok: true, consent: 'given' }],
    ['a consent for another vendor does not count', { role: 'public_relations' }, { consents: [{ category: 'public_relations', vendorId: 'pr-z' }] }, 'insured', { ok: true, consent: 'awaiting' }],
    ['credit monitoring the policy does not list: engaged, not covered', { role: 'credit_monitoring' }, {}, 'handler', { ok: true, vendorId: 'mon-a', covered: false, consent: 'not_required' }],
    ['recurrence prevention', { role: 'recurrence_prevention' }, {}, 'supervisor', { ok: true, vendorId: 'prev-a', category: 'recurrence_prevention', consent: 'by_engagement' }],
    ['print-and-mail by hand', { role: 'print_mail' }, {}, 'handler', { ok: true, vendorId: 'print-a', category: 'notification' }],
    ['a vendor not on the panel', { role: 'call_center', vendorId: 'cc-z' }, {}, 'handler', { ok: false, code: 'invalid', reason: 'vendor cc-z is not on the panel' }],
    ['a vendor of another role', { role: 'call_center', vendorId: 'pr-a' }, {}, 'handler', { ok: false, code: 'invalid', reason: 'vendor pr-a is a public_relations vendor, not call_center' }],
    ['a role already engaged', { role: 'call_center' }, { vendors: [{ vendorId: 'cc-a', role: 'call_center', status: 'acknowledged' }] }, 'handler', { ok: false, code: 'duplicate' }],
    ['a role already asked for', { role: 'public_relations' }, { vendorRequests: [{ vendorId: 'pr-a', role: 'public_relations' }] }, 'insured', { ok: false, code: 'duplicate' }],
    ['the same vendor again', { role: 'call_center', vendorId: 'cc-a' }, { vendors: [{ vendorId: 'cc-a', role: 'call_center', status: 'dispatched' }] }, 'handler', { ok: false, code: 'duplicate', reason: 'vendor cc-a is already engaged on this case' }],
    ['another vendor of a role engaged, by name', { role: 'call_center', vendorId: 'cc-b' }, { vendors: [{ vendorId: 'cc-a', role: 'call_center', status: 'dispatched' }] }, 'handler', { ok: true, vendorId: 'cc-b' }],
    ['none left on the panel', { role: 'counsel' }, { vendors: [{ vendorId: 'counsel-a', role: 'counsel', status: 'replaced' }] }, 'handler', { ok: false, code: 'wrong_state', reason: 'no counsel vendor left on the panel' }],
    ['coverage denied', { role: 'call_center' }, { coverage: { decision: 'denied' } }, 'handler', { ok: false, code: 'wrong_state', reason: 'coverage is denied' }],
  ];
  it.each(ROWS)('%s', (_name, request, over, role, want) => {
    expect(decideEngagement(request, facts(over), PANEL, POLICY, role)).toMatchObject(want as object);
  });

  it('holds each role to its acknowledgement SLA: the case’s for the urgent ones, hours for the planned ones', () => {
    const base = 3_600_000;
    expect(VENDOR_ROLES.map((r) => [r, ackSlaMs(r, base) / 3_600_000])).toEqual([
      ['forensics', 1],
      ['counsel', 1],
      ['call_center', 1],
      ['print_and_mail', 1],
      ['credit_monitoring', 24],
      ['public_relations', 4],
      ['recurrence_prevention', 72],
    ]);
    expect(ackSlaMs('call_center', 60_000)).toBe(60_000);
  });

  it.each([
    [0, false],
    [1_000, false],
    [1_001, true],
    [50_000, true],
  ])('engages a call centre by rule for %i notices: %s', (n, want) => {
    expect(CALL_CENTER_NOTICE_THRESHOLD).toBe(1_000);
    expect(callCenterNeeded(n)).toBe(want);
  });

  it('takes a body with a role and a reason, and a vendor id of the panel’s form', () => {
    expect(EngageVendorBodySchema.safeParse({ role: 'call_center', reason: 'many notices' }).success).toBe(true);
    expect(EngageVendorBodySchema.safeParse({ role: 'print_mail', vendorId: 'print-a', reason: 'x' }).success).toBe(true);
    expect(EngageVendorBodySchema.safeParse({ role: 'print_and_mail', reason: 'x' }).success).toBe(false);
    expect(EngageVendorBodySchema.safeParse({ role: 'call_center' }).success).toBe(false);
    expect(EngageVendorBodySchema.safeParse({ role: 'call_center', reason: 'x', vendorId: '../etc' }).success).toBe(false);
    expect(EngageVendorBodySchema.safeParse({ role: 'call_center', reason: 'x', extra: 1 }).success).toBe(false);
  });
});

describe('the call centre’s FAQ', () => {
  const view = {
    insuredName: '株式会社サンプル',
    description: '山田 太郎 lost a laptop',
    discoveredAt: '2026-11-20T00:00:00.000Z',
    cause: 'device_loss',
    dataItems: ['name', 'address', 'credit_card'],
    affectedPersons: 1_200,
    consents: [] as { category: string }[],
  };
  const policy = { insuredName: '株式会社サンプル', categories: { apology_payment: { perVictimCapJpy: 500 } } };

  it('answers what happened, what leaked, what to do and whom to call, in Japanese and in English', () => {
    const ja = draftFaq(faqFactsOf(view, policy), 'ja');
    expect(ja.entries.map((e) => e.topic)).toEqual(['what_happened', 'what_leaked', 'what_to_do', 'contact']);
    expect(ja.entries[0]!.answer).toBe('株式会社サンプルは、2026-11-20 09:00 JST、端末・記録媒体の紛失により、お客様の個人情報が漏えいしたおそれがあることを確認しました。対象は1,200人です。');
    expect(ja.entries[1]!.answer).toContain('氏名、住所、クレジットカード番号・有効期限');
    expect(ja.entries[2]!.answer).toContain('利用明細');
    const en = draftFaq(faqFactsOf(view, policy), 'en');
    expect(en.lang).toBe('en');
    expect(en.entries[1]!.answer).toBe('The items that may have leaked: Name, Address, Credit-card number with expiry.');
    expect(en.entries[3]!.answer).toBe('Please contact the desk named in the notice you received.');
  });

  it('names the apology once it is consented and the call centre’s number once engaged', () => {
    const engaged = { ...view, consents: [{ category: 'apology_payment' }], services: { callCenter: { phone: '0120-000-111' } } };
    const ja = draftFaq(faqFactsOf(engaged, policy), 'ja');
    expect(ja.entries.map((e) => e.topic)).toEqual(['what_happened', 'what_leaked', 'what_to_do', 'apology', 'contact']);
    expect(ja.entries[3]!.answer).toContain('500円');
    expect(ja.entries[4]!.answer).toBe('専用お問い合わせ窓口（電話 0120-000-111）までご連絡ください。');
  });

  it('warns of phishing when nothing usable for money leaked, and never quotes the insured’s description', () => {
    const faq = draftFaq(faqFactsOf({ ...view, dataItems: ['name', 'email'] }, policy), 'en');
    expect(faq.entries[2]!.answer).toContain('suspicious e-mails');
    expect(JSON.stringify(faq)).not.toContain('山田');
    expect(JSON.stringify(draftFaq(faqFactsOf(view, policy), 'ja'))).not.toContain('山田');
  });
});
