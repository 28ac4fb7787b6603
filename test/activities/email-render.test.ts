import { describe, expect, it } from 'vitest';
import { DATA_ITEM_LABELS, CAUSE_LABELS, COST_CATEGORY_LABELS, DENIAL_REASON_LABELS } from '../../activities/email/labels.js';
import {
  formatJpy,
  formatJst,
  renderEmail,
  UnknownCodeError,
  type DenialLetter,
  type EmailMessage,
  type PayoutApprovalRequest,
  type PersonNotice,
} from '../../activities/email/render.js';
import { assessCoverage, COST_CATEGORIES, COVERAGE_REASONS } from '../../domain/index.js';
import { samplePolicy } from '../domain/fixtures.js';


function personNotice(overrides: Partial<PersonNotice> = {}): PersonNotice {
  return {
    kind: 'person_notice',
    language: 'ja',
    recipientName: '山田 花子',
    insuredName: '株式会社サンプル',
    caseRef: 'CASE-2026-0042',
    incidentOverview: '2026年11月18日、営業担当者が顧客名簿を保存したノートパソコンを電車内に置き忘れました。',
    dataItems: ['name', 'address', 'phone'],
    cause: 'device_loss',
    secondaryDamageRisk: '現時点で不正利用は確認されていません。',
    contactDesk: { name: '個人情報お問い合わせ窓口', phone: '0120-000-000', email: 'desk@example.co.jp', hours: '平日 9:00-18:00' },
    regimes: ['JP-APPI'],
    ...overrides,
  };
}

/** One message of every kind, in both languages, for rendering checks that must hold across the board. */
function everyKind(language: 'ja' | 'en'): EmailMessage[] {
  return [
    personNotice({ language }),
    {
      kind: 'insured_ack',
      language,
      recipientName: '山田 太郎',
      insuredName: '株式会社サンプル',
      caseId: 'case-0042',
      receivedAt: '2026-11-20T00:00:00Z',
      handler: { name: '佐藤 一郎', phone: '03-0000-0001', email: 'sato@insurer.example' },
      nextSteps: ['Forensic firm dispatched', 'Breach counsel engaged'],
      deadlines: [
        { regime: 'JP-APPI', kind: 'preliminary', audience: 'regulator', dueAt: '2026-11-25T00:00:00Z' },
        { regime: 'EU-GDPR', kind: 'preliminary', audience: 'regulator', dueAt: '2026-11-23T00:00:00Z' },
        { regime: 'JP-APPI', kind: 'notice', audience: 'persons', dueAt: '2026-12-20T00:00:00Z', target: true },
      ],
    },
    {
      kind: 'handler_assignment',
      language,
      recipientName: '佐藤 一郎',
      caseId: 'case-0042',
      insuredName: '株式会社サンプル',
      policyNumber: 'PL-2026-000123',
      severity: 'high',
      assignedAt: '2026-11-20T00:30:00Z',
      affectedPersons: 1200,
      nextDeadline: { regime: 'EU-GDPR', kind: 'preliminary', dueAt: '2026-11-23T00:00:00Z' },
    },
    {
      kind: 'deadline_reminder',
      language,
      recipientName: '佐藤 一郎',
      caseId: 'case-0042',
      regime: 'JP-APPI',
      obligationKind: 'preliminary',
      audience: 'regulator',
      dueAt: '2026-11-25T00:00:00Z',
      asOf: '2026-11-23T21:00:00Z',
    },
    {
      kind: 'escalation',
      language,
      recipientName: '鈴木 部長',
      recipientRole: 'supervisor',
      caseId: 'case-0042',
      regime: 'EU-GDPR',
      obligationKind: 'preliminary',
      audience: 'regulator',
      dueAt: '2026-11-23T00:00:00Z',
      asOf: '2026-11-23T02:30:00Z',
      assignee: null,
    },
    {
      kind: 'consent_request',
      language,
      recipientName: '佐藤 一郎',
      caseId: 'case-0042',
      category: 'public_relations',
      amountJpy: 3_500_000,
      vendor: { name: 'PR Partners KK', panel: false },
    },
    {
      kind: 'denial_letter',
      language,
      recipientName: '山田 太郎',
      insuredName: '株式会社サンプル',
      caseId: 'case-0042',
      policyNumber: 'PL-2026-000123',
      decidedAt: '2026-12-01T01:00:00Z',
      reasons: [
        {
          code: 'before_retroactive_date',
          explanation: 'The leak occurred before the retroactive date of the policy.',
          facts: ['Forensics dated the intrusion to 2024-02-10.', 'Retroactive date: 2024-04-01.'],
        },
      ],
      handler: { name: '佐藤 一郎', email: 'sato@insurer.example' },
    },
    {
      kind: 'payout_notice',
      language,
      recipientName: '山田 太郎',
      insuredName: '株式会社サンプル',
      caseId: 'case-0042',
      policyNumber: 'PL-2026-000123',
      amountJpy: 1_234_000,
      paidAt: '2026-12-10T03:00:00Z',
      lines: [
        { category: 'forensic_investigation', claimedJpy: 1_000_000, payableJpy: 1_000_000 },
        { category: 'apology_payment', claimedJpy: 300_000, payableJpy: 234_000, note: 'per-victim cap' },
      ],
    },
    payoutApproval({ language }),
  ];
}

function payoutApproval(overrides: Partial<PayoutApprovalRequest> = {}): PayoutApprovalRequest {
  return {
    kind: 'payout_approval_request',
    language: 'ja',
    recipientName: '鈴木 部長',
    caseId: 'case-0042',
    payoutId: 'case-0042-P1',
    amountJpy: 12_345_678,
    requestedBy: '佐藤 一郎',
    // 2026-12-09 18:30 JST
    requestedAt: '2026-12-09T09:30:00Z',
    authorityLimitJpy: 5_000_000,
    lines: [
      { category: 'forensic_investigation', payableJpy: 8_000_000 },
      { category: 'apology_payment', payableJpy: 4_345_678 },
    ],
    insuredName: '株式会社サンプル',
    policyNumber: 'PL-2026-000123',
    ...overrides,
  };
}

const CONTRACT_DATA_ITEMS = [
  'name', 'address', 'birth_date', 'sex', 'phone', 'email', 'bank_name', 'employee_number', 'id_document_number',
  'workplace', 'education', 'family_structure', 'passport_number', 'purchase_history', 'browsing_or_location_history',
  'online_credentials', 'bank_account_with_pin', 'credit_card', 'health_checkup', 'medical_history', 'biometric', 'race',
  'nationality', 'preferences', 'grades', 'email_contents', 'income', 'assets_or_debts', 'will', 'political_views',
  'religion', 'family_register_origin', 'medical_record', 'genetic', 'disability', 'sexual_life', 'criminal_record',
  'credit_blacklist',
];
const CONTRACT_CAUSES = [
  'device_loss', 'device_theft', 'misdelivery', 'misconfiguration', 'external_attack', 'insider_malicious',
  'insider_negligent', 'vendor_breach', 'web_skimming', 'other',
];

describe('formatting', () => {
  it('shows UTC instants in JST in both languages', () => {
    expect(formatJst('2026-11-25T00:00:00Z', 'ja')).toBe('2026年11月25日 09:00 (JST)');
    expect(formatJst('2026-11-25T00:00:00Z', 'en')).toBe('25 Nov 2026 09:00 JST');
    expect(formatJst('2026-12-31T23:30:00+09:00', 'ja')).toBe('2026年12月31日 23:30 (JST)');
    expect(formatJst('2026-12-31T15:00:00Z', 'en')).toBe('1 Jan 2027 00:00 JST');
  });

  it('refuses times without an offset, which would depend on the worker time zone', () => {
    expect(() => formatJst('2026-11-25T09:00:00', 'ja')).toThrow(RangeError);
    expect(() => formatJst('yesterday', 'en')).toThrow(RangeError);
  });

  it('formats integer yen and refuses fractions', () => {
    expect(formatJpy(1234567, 'ja')).toBe('1,234,567円');
    expect(formatJpy(500, 'en')).toBe('JPY 500');
    expect(() => formatJpy(1.5, 'ja')).toThrow(RangeError);
  });
});

describe('label tables', () => {
  it('cover every data item and cause of the contract', () => {
    for (const code of CONTRACT_DATA_ITEMS) expect(DATA_ITEM_LABELS[code], code).toBeDefined();
    for (const code of CONTRACT_CAUSES) expect(CAUSE_LABELS[code], code).toBeDefined();
  });

  it('cover every cost category and every coverage reason, in both languages', () => {
    for (const code of COST_CATEGORIES) expect(COST_CATEGORY_LABELS[code], code).toMatchObject({ ja: expect.any(String), en: expect.any(String) });
    for (const code of COVERAGE_REASONS) expect(DENIAL_REASON_LABELS[code], code).toMatchObject({ ja: expect.any(String), en: expect.any(String) });
  });
});

describe.each(['ja', 'en'] as const)('every kind renders (%s)', (language) => {
  it.each(everyKind(language).map((m) => [m.kind, m] as const))('%s', (_kind, msg) => {
    const out = renderEmail(msg);
    expect(out.subject.length).toBeGreaterThan(5);
    expect(out.subject).not.toMatch(/[\r\n]/);
    expect(out.text.length).toBeGreaterThan(50);
    expect(out.html).toMatch(/^<!DOCTYPE html>/);
    expect(out.html).toContain(`<html lang="${language}">`);
    if (language === 'ja') expect(out.text).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    // Pure: the same input always gives the same output.
    expect(renderEmail(msg)).toEqual(out);
  });
});

describe('person_notice', () => {
  it('carries the APPI items in Japanese with the fixed subject', () => {
    const out = renderEmail(personNotice());
    expect(out.subject).toBe('【重要】個人情報漏洩に関するお詫びとお知らせ（株式会社サンプル）');
    for (const part of [out.text, out.html]) {
      expect(part).toContain('山田 花子 様');
      expect(part).toContain('お詫び');
      expect(part).toContain('事案の概要');
      expect(part).toContain('漏洩した（またはそのおそれがある）個人情報の項目');
      expect(part).toContain('氏名');
      expect(part).toContain('住所');
      expect(part).toContain('電話番号');
      expect(part).toContain('原因');
      expect(part).toContain('端末・記録媒体の紛失');
      expect(part).toContain('二次被害');
      expect(part).toContain('現時点で不正利用は確認されていません。');
      expect(part).toContain('お問い合わせ窓口');
      expect(part).toContain('0120-000-000');
      expect(part).toContain('CASE-2026-0042');
    }
    expect(out.text).not.toContain('GDPR');
    expect(out.text).not.toContain('Notice of Data Breach');
  });

  it('adds the GDPR Art. 34 items when the person is covered by the GDPR', () => {
    const out = renderEmail(
      personNotice({
        language: 'en',
        regimes: ['JP-APPI', 'EU-GDPR'],
        dataProtectionContact: { name: 'Data Protection Officer', email: 'dpo@example.co.jp' },
        measures: 'We have revoked remote access and reset all affected passwords.',
      }),
    );
    for (const part of [out.text, out.html]) {
      expect(part).toContain('Article 34');
      expect(part).toContain('Nature of the personal data breach');
      expect(part).toContain('Contact point (Data Protection Officer or other contact)');
      expect(part).toContain('dpo@example.co.jp');
      expect(part).toContain('Likely consequences');
      expect(part).toContain('Measures taken or proposed');
      expect(part).toContain('We have revoked remote access');
    }
  });

  it('states measures even when none were given, because Art. 34 asks for them', () => {
    const out = renderEmail(personNotice({ regimes: ['EU-GDPR'] }));
    expect(out.text).toContain('講じた措置および講じる予定の措置');
    expect(out.text).toContain('原因と影響範囲の調査を進めており');
  });

  it('uses the California title and headings, in order, for California residents', () => {
    const out = renderEmail(personNotice({ language: 'en', regimes: ['US-CA'], occurredAt: '2026-11-18T00:00:00+09:00' }));
    expect(out.subject).toBe('Notice of Data Breach - 株式会社サンプル');
    const headings = ['What Happened', 'What Information Was Involved', 'What We Are Doing', 'What You Can Do', 'For More Information'];
    for (const part of [out.text, out.html]) {
      expect(part.indexOf('Notice of Data Breach')).toBeGreaterThanOrEqual(0);
      const positions = headings.map((hd) => part.indexOf(hd));
      expect(positions.every((pos) => pos > 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
    expect(out.text).toContain('Date of the breach: 18 Nov 2026');
    expect(out.html).toContain('<h1 style="font-size:20px;margin:0 0 16px">Notice of Data Breach</h1>');
  });

  it('keeps the California headings in a Japanese notice, with a translation', () => {
    const out = renderEmail(personNotice({ regimes: ['US-CA'] }));
    expect(out.text).toContain('What Happened（発生した事象）');
    expect(out.text).toContain('発生日：調査中');
  });

  it('has both GDPR and California content when both apply', () => {
    const out = renderEmail(personNotice({ language: 'en', regimes: ['EU-GDPR', 'US-CA'] }));
    expect(out.text).toContain('What Information Was Involved');
    expect(out.text).toContain('Likely consequences');
  });

  it('shows the apology code once', () => {
    const out = renderEmail(personNotice({ apologyCode: 'APL-7Q2M-XK9D' }));
    expect(out.text.split('APL-7Q2M-XK9D')).toHaveLength(2);
    expect(out.html).toContain('APL-7Q2M-XK9D');
  });

  it('escapes every interpolated value in the HTML part', () => {
    const out = renderEmail(
      personNotice({
        recipientName: '<script>alert("x")</script>',
        insuredName: 'A & B "Co" <img src=x onerror=alert(1)>',
        incidentOverview: "it's <b>bold</b>",
        contactDesk: { name: '<a href="javascript:alert(1)">desk</a>' },
      }),
    );
    expect(out.html).not.toContain('<script>');
    expect(out.html).not.toContain('<img');
    expect(out.html).not.toContain('<b>');
    expect(out.html).not.toContain('<a href');
    expect(out.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out.html).toContain('A &amp; B &quot;Co&quot; &lt;img src=x onerror=alert(1)&gt;');
    expect(out.html).toContain('it&#39;s &lt;b&gt;bold&lt;/b&gt;');
    // The text part is not HTML and keeps the value as given.
    expect(out.text).toContain('<script>alert("x")</script> 様');
  });

  it('keeps header injection out of the subject', () => {
    const out = renderEmail(personNotice({ insuredName: 'Evil\r\nBcc: victim@example.com' }));
    expect(out.subject).not.toMatch(/[\r\n]/);
  });

  it('refuses unknown data-item or cause codes rather than show a raw code to a person', () => {
    expect(() => renderEmail(personNotice({ dataItems: ['name', 'shoe_size'] }))).toThrow(UnknownCodeError);
    expect(() => renderEmail(personNotice({ cause: 'aliens' }))).toThrow(/cause/);
  });

  it('renders English labels for data items', () => {
    const out = renderEmail(personNotice({ language: 'en', dataItems: ['credit_card', 'medical_history'] }));
    expect(out.text).toContain('- Credit card number and expiry date');
    expect(out.text).toContain('- Medical history');
  });
});

describe('internal messages', () => {
  const [, ack, assignment, reminder, escalation, consent, denial, payout] = everyKind('ja') as [
    EmailMessage, EmailMessage, EmailMessage, EmailMessage, EmailMessage, EmailMessage, EmailMessage, EmailMessage, EmailMessage,
  ];

  it('insured_ack lists case id, received time, handler and every deadline in JST', () => {
    const out = renderEmail(ack);
    expect(out.subject).toBe('【受付】事故報告受付のお知らせ（案件番号：case-0042）');
    expect(out.text).toContain('案件番号：case-0042');
    expect(out.text).toContain('受付日時：2026年11月20日 09:00 (JST)');
    expect(out.text).toContain('佐藤 一郎');
    expect(out.text).toContain('・JP-APPI 速報（監督当局）：2026年11月25日 09:00 (JST)');
    expect(out.text).toContain('・EU-GDPR 速報（監督当局）：2026年11月23日 09:00 (JST)');
    expect(out.text).toContain('（目標。法定期限ではありません）');
    expect(out.text).toContain('Forensic firm dispatched');
  });

  it('insured_ack without a handler yet says one will follow', () => {
    const out = renderEmail({ ...(ack as Extract<EmailMessage, { kind: 'insured_ack' }>), language: 'en', handler: null, deadlines: [] });
    expect(out.text).toContain('as soon as one is assigned');
    expect(out.text).toContain('No regulatory deadline applies');
  });

  it('handler_assignment names the case, severity and next deadline', () => {
    const out = renderEmail(assignment);
    expect(out.subject).toContain('case-0042');
    expect(out.text).toContain('重大度：高');
    expect(out.text).toContain('影響人数：1,200');
    expect(out.text).toContain('EU-GDPR 速報：2026年11月23日 09:00 (JST)');
  });

  it('deadline_reminder computes the remaining time from asOf', () => {
    const out = renderEmail(reminder);
    expect(out.subject).toBe('【期限通知】case-0042：JP-APPI 速報（監督当局） 2026年11月25日 09:00 (JST) まで');
    expect(out.text).toContain('残り 1日 3時間');
    const en = renderEmail({ ...(reminder as Extract<EmailMessage, { kind: 'deadline_reminder' }>), language: 'en' });
    expect(en.text).toContain('1 day 3 hours left (as of 24 Nov 2026 06:00 JST)');
  });

  it('escalation says how long the obligation is overdue and who it is for', () => {
    const out = renderEmail(escalation);
    expect(out.subject).toBe('【至急・期限超過】case-0042：EU-GDPR 速報（監督当局）');
    expect(out.text).toContain('超過時間：2時間');
    expect(out.text).toContain('担当者：未割当');
    expect(out.text).toContain('上席者');
  });

  it('consent_request shows category, amount and vendor', () => {
    const out = renderEmail(consent);
    expect(out.subject).toBe('【同意依頼】case-0042：広告宣伝活動費用・風評被害拡大防止費用 3,500,000円');
    expect(out.text).toContain('PR Partners KK');
    expect(out.text).toContain('いいえ（パネル外）');
  });

  it('denial_letter names each reason, its explanation and the facts it rests on', () => {
    const out = renderEmail(denial);
    expect(out.subject).toContain('PL-2026-000123');
    expect(out.text).toContain('理由1：遡及日より前に発生した事故');
    // In Japanese the reason is explained from the label tables, not by the rules' English explanation.
    expect(out.text).toContain('漏洩が保険契約の遡及日より前に発生しているため');
    expect(out.text).not.toContain('The leak occurred before the retroactive date');
    expect(out.text).toContain('・Forensics dated the intrusion to 2024-02-10.');
    expect(renderEmail({ ...denial, language: 'en' }).text).toContain('The leak occurred before the retroactive date');
    // Codes are for machines: the letter names the reason in words only.
    expect(out.text).not.toContain('before_retroactive_date');
  });

  it('payout_notice shows the amount and each line', () => {
    const out = renderEmail(payout);
    expect(out.subject).toBe('保険金お支払いのご案内（案件番号：case-0042）1,234,000円');
    expect(out.text).toContain('原因・被害範囲調査費用 | 1,000,000円 | 1,000,000円');
    expect(out.text).toContain('見舞金・見舞品費用 | 300,000円 | 234,000円 | per-victim cap');
    expect(out.html).toContain('<td style="border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top">234,000円</td>');
  });
});

describe('denial_letter: terrorism', () => {
  // The reasons as the rules give them: code, explanation and facts from assessCoverage's grounds.
  const policy = samplePolicy({ categories: {} });

  const grounds = assessCoverage(policy, {
    discoveredAt: '2026-11-20T09:00:00+09:00',
    occurredAt: '2026-11-18T00:00:00+09:00',
    circumstances: { terrorism: true },
  }).grounds;
  const letter = (language: 'ja' | 'en'): DenialLetter => ({
    kind: 'denial_letter',
    language,
    recipientName: '山田 太郎',
    insuredName: '株式会社サンプル',
    caseId: 'case-0042',
    policyNumber: 'PL-2026-000123',
    decidedAt: '2026-12-01T01:00:00Z',
    reasons: grounds.map((g) => ({ code: g.reason, explanation: g.explanation, facts: g.facts })),
    handler: { name: '佐藤 一郎' },
  });

  it.each([
    ['ja', '理由1：テロ行為', 'テロ行為に起因する事故は、本保険契約の対象外です', ['テロ行為：あり', 'テロ行為補償特約：なし']],
    ['en', 'Reason 1: Terrorism', 'Excluded: terrorism (テロ行為); the policy does not extend cover to terrorism.', ['Terrorism: yes', 'Policy covers terrorism: no']],
  ] as const)('names the exclusion (%s)', (language, heading, explanation, facts) => {
    const out = renderEmail(letter(language));
    for (const part of [out.text, out.html]) {
      expect(part).toContain(heading);
      expect(part).toContain(explanation);
      for (const fact of facts) expect(part).toContain(fact);
      expect(part).not.toContain('coversTerrorism');
    }
    expect(grounds.map((g) => g.reason)).toEqual(['terrorism']);
  });
});

describe('payout_approval_request', () => {
  it.each([
    [
      'ja',
      '【支払承認依頼】case-0042：12,345,678円（株式会社サンプル）',
      [
        '鈴木 部長 様',
        '依頼者（佐藤 一郎）の支払権限額（5,000,000円）を超えるため、上席者の承認をお待ちしています',
        '支払番号：case-0042-P1',
        '支払額：12,345,678円',
        '依頼者の支払権限額：5,000,000円',
        '権限超過額：7,345,678円',
        '依頼日時：2026年12月9日 18:30 (JST)',
        '証券番号：PL-2026-000123',
        '原因・被害範囲調査費用 | 8,000,000円',
        '見舞金・見舞品費用 | 4,345,678円',
      ],
    ],
    [
      'en',
      'Payout approval requested: case-0042 JPY 12,345,678 (株式会社サンプル)',
      [
        'Dear 鈴木 部長,',
        "exceeds the authority limit of 佐藤 一郎 (JPY 5,000,000) and awaits a supervisor's approval",
        'Payout: case-0042-P1',
        'Amount: JPY 12,345,678',
        "Requester's authority limit: JPY 5,000,000",
        'Above the limit by: JPY 7,345,678',
        'Requested at: 9 Dec 2026 18:30 JST',
        'Policy number: PL-2026-000123',
        'Forensic investigation | JPY 8,000,000',
        'Apology payments | JPY 4,345,678',
      ],
    ],
  ] as const)('%s: subject, amounts, JST time and category labels', (language, subject, lines) => {
    const out = renderEmail(payoutApproval({ language }));
    expect(out.subject).toBe(subject);
    for (const line of lines) expect(out.text).toContain(line);
    expect(out.html).toContain(language === 'ja' ? '原因・被害範囲調査費用' : 'Forensic investigation');
    expect(out.html).toContain(language === 'ja' ? '2026年12月9日 18:30 (JST)' : '9 Dec 2026 18:30 JST');
  });

  it.each(['ja', 'en'] as const)('shows no raw code and no UTC time (%s)', (language) => {
    const out = renderEmail(
      payoutApproval({ language, lines: COST_CATEGORIES.map((category, i) => ({ category, payableJpy: (i + 1) * 1_000 })) }),
    );
    for (const part of [out.subject, out.text, out.html]) {
      for (const code of COST_CATEGORIES) expect(part).not.toContain(code);
      expect(part).not.toContain('payout_approval_request');
      expect(part).not.toContain('2026-12-09T09:30');
    }
    for (const code of COST_CATEGORIES) expect(out.text).toContain(COST_CATEGORY_LABELS[code]![language]);
    // The English mail has no Japanese wording of its own (the names in it are Japanese).
    if (language === 'en') expect(out.text).not.toMatch(/承認|支払|費用/);
  });

  it('escapes names in the HTML part and keeps the subject on one line', () => {
    const out = renderEmail(payoutApproval({ requestedBy: '<b>x</b>', insuredName: 'Evil\r\nBcc: a@b.example' }));
    expect(out.html).not.toContain('<b>x</b>');
    expect(out.html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(out.subject).not.toMatch(/[\r\n]/);
  });

  it('refuses an amount that is not integer yen', () => {
    expect(() => renderEmail(payoutApproval({ amountJpy: 1.5 }))).toThrow(RangeError);
  });
});
