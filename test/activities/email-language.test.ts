/**
 * Every e-mail template, in Japanese and in English, through a real SMTP server and parsed back: each arrives in the
 * language it was written for (HTML `lang`, `Content-Language`), and a Japanese one has no English word in it outside
 * the allowed list (test/support/language-scan.ts), an English one no Japanese but the names it carries.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { createMailer, messageIdFor, type Mailer } from '../../activities/email/mailer.js';
import { renderEmail, type EmailKind, type EmailMessage, type Language } from '../../activities/email/render.js';
import { assessCoverage, IncidentReportSchema } from '../../domain/index.js';
import { samplePolicy } from '../domain/fixtures.js';
import { reportBody } from '../support/fixtures.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { hasJapanese, htmlText, japaneseIn, strayLatinWords } from '../support/language-scan.js';

const DOMAIN = 'mail.example.jp';

/** What a message carries from data (names, the insured's own words): written in the reader's language here. */
const DATA = {
  ja: {
    person: '山田 花子',
    contact: '山田 太郎',
    insured: '株式会社サンプル',
    handler: '佐藤 一郎',
    supervisor: '鈴木 部長',
    vendor: 'サンプル広報株式会社',
    overview: '営業担当者が顧客名簿を保存したノートパソコンを電車内に置き忘れました。',
    measures: '端末の遠隔消去を実施し、全社員に持ち出し手順を再周知しました。',
    override: '発生日が遡及日より前であることを調査報告書で確認したため。',
    hours: '平日 9時から18時',
  },
  en: {
    person: 'Hanako Yamada',
    contact: 'Taro Yamada',
    insured: 'Sample Co., Ltd.',
    handler: 'Ichiro Sato',
    supervisor: 'Jiro Suzuki',
    vendor: 'PR Partners KK',
    overview: 'A sales laptop holding a customer list was left on a train.',
    measures: 'The laptop was wiped remotely and every employee has been reminded of the rules for taking devices out.',
    override: 'The investigation report dates the leak before the retroactive date.',
    hours: 'weekdays 9:00 to 18:00',
  },
} as const;

type Data = (typeof DATA)[Language];

const at = {
  received: '2026-11-20T00:10:00Z',
  due: '2026-11-25T00:00:00Z',
  gdprDue: '2026-11-23T00:00:00Z',
  asOf: '2026-11-23T21:00:00Z',
  decided: '2026-12-01T01:00:00Z',
  paid: '2026-12-10T03:00:00Z',
};

const deadlines = [
  { regime: 'JP-APPI', kind: 'preliminary', audience: 'regulator', dueAt: at.due },
  { regime: 'EU-GDPR', kind: 'preliminary', audience: 'regulator', dueAt: at.gdprDue },
  { regime: 'JP-APPI', kind: 'notice', audience: 'persons', dueAt: '2026-12-20T00:00:00Z', target: true },
];

/** The grounds the rules give for a letter that denies on every ground at once (so every explanation is worded). */
const allGrounds = assessCoverage(samplePolicy({ categories: {} }), {
  discoveredAt: '2028-11-20T09:00:00+09:00',
  occurredAt: '2020-11-18T00:00:00+09:00',
  circumstances: { terrorism: true, warOrRiot: true, naturalCatastrophe: true, knownBeforeInception: true, directedByInsuredOfficers: true },
}).grounds;

function personNotice(language: Language, d: Data, extra: Partial<Extract<EmailMessage, { kind: 'person_notice' }>> = {}): EmailMessage {
  return {
    kind: 'person_notice',
    language,
    recipientName: d.person,
    insuredName: d.insured,
    caseRef: 'case-0042',
    incidentOverview: d.overview,
    dataItems: ['name', 'address', 'phone', 'online_credentials', 'credit_card'],
    cause: 'device_loss',
    secondaryDamageRisk: 'phishing',
    contactDesk: { name: d.insured, ofInsured: true, phone: '0120-000-000', email: 'desk@example.co.jp', hours: d.hours },
    regimes: ['JP-APPI'],
    occurredAt: '2026-11-18T00:00:00+09:00',
    discoveredAt: '2026-11-20T09:00:00+09:00',
    issuedAt: at.decided,
    ...extra,
  };
}

/** Every kind (a new kind is a compile error until it is here), some in several shapes. */
const TEMPLATES: Record<EmailKind, Array<[shape: string, build: (language: Language, d: Data) => EmailMessage]>> = {
  person_notice: [
    ['APPI, phishing risk', (l, d) => personNotice(l, d)],
    ['APPI, financial risk, apology code, measures', (l, d) => personNotice(l, d, { secondaryDamageRisk: 'financial', apologyCode: 'ASAA-BKB9-52LT-JHA4-B5EW', measures: d.measures })],
    ['GDPR and California', (l, d) => personNotice(l, d, { regimes: ['JP-APPI', 'EU-GDPR', 'US-CA'], occurredAt: undefined })],
    ['financial risk, credit monitoring offered with an enrolment code', (l, d) => personNotice(l, d, { secondaryDamageRisk: 'financial', enrolmentCode: 'ZY3W-V9TS-RQ4N-ML7J-HG2E' })],
    ['California, credit monitoring and apology codes', (l, d) => personNotice(l, d, { regimes: ['US-CA'], enrolmentCode: 'ZY3W-V9TS-RQ4N-ML7J-HG2E', apologyCode: 'ASAA-BKB9-52LT-JHA4-B5EW' })],
  ],
  prevention_reminder: (['planned', 'in_progress'] as const).map((status) => [
    `a measure ${status}, a week before its due date`,
    (language: Language, d: Data): EmailMessage => ({
      kind: 'prevention_reminder',
      language,
      recipientName: d.contact,
      caseId: 'case-0042',
      measure: 'access_control',
      owner: language === 'ja' ? '情報システム部' : 'IT department',
      dueAt: at.due,
      asOf: '2026-11-18T00:00:00Z',
      status,
      caseUrl: 'https://claims.example.jp/ui/cases/case-0042',
    }),
  ]),
  insured_ack: [
    [
      'no handler yet, next steps as the case sends them',
      (language, d) => ({
        kind: 'insured_ack',
        language,
        recipientName: d.contact,
        insuredName: d.insured,
        caseId: 'case-0042',
        receivedAt: at.received,
        handler: null,
        nextSteps: ['vendors_engaged', 'upload_persons', 'keep_evidence'],
        deadlines,
        caseUrl: 'https://claims.example.jp/ui/cases/case-0042',
      }),
    ],
    [
      'with a handler',
      (language, d) => ({
        kind: 'insured_ack',
        language,
        recipientName: d.contact,
        insuredName: d.insured,
        caseId: 'case-0042',
        receivedAt: at.received,
        handler: { name: d.handler, phone: '03-0000-0001', email: 'sato@insurer.example' },
        nextSteps: [],
        deadlines: [],
      }),
    ],
  ],
  new_case: [
    [
      'to the claims team at filing',
      (language) => ({
        kind: 'new_case',
        language,
        recipientName: '',
        caseId: 'case-0042',
        insuredName: DATA[language].insured,
        policyNumber: 'PL-2026-000123',
        severity: 'high',
        reportedAt: at.received,
        coverage: 'provisional',
        affectedPersons: 1200,
        nextDeadline: deadlines[1],
      }),
    ],
  ],
  handler_assignment: [
    [
      'assigned by a supervisor',
      (language, d) => ({
        kind: 'handler_assignment',
        language,
        recipientName: d.handler,
        caseId: 'case-0042',
        insuredName: d.insured,
        policyNumber: 'PL-2026-000123',
        severity: 'critical',
        assignedAt: at.received,
        assignedBy: d.supervisor,
        affectedPersons: 1200,
        nextDeadline: deadlines[0],
        caseUrl: 'https://claims.example.jp/ui/cases/case-0042',
      }),
    ],
  ],
  deadline_reminder: [
    [
      'a product target',
      (language, d) => ({
        kind: 'deadline_reminder',
        language,
        recipientName: d.handler,
        caseId: 'case-0042',
        regime: 'JP-APPI',
        obligationKind: 'notice',
        audience: 'persons',
        dueAt: at.due,
        asOf: at.asOf,
        target: true,
      }),
    ],
  ],
  escalation: (['handler', 'supervisor', 'insured'] as const).map((recipientRole) => [
    `to the ${recipientRole}`,
    (language: Language, d: Data): EmailMessage => ({
      kind: 'escalation',
      language,
      recipientName: recipientRole === 'insured' ? d.contact : '',
      recipientRole,
      caseId: 'case-0042',
      regime: 'EU-GDPR',
      obligationKind: 'preliminary',
      audience: 'regulator',
      dueAt: at.gdprDue,
      asOf: at.asOf,
      assignee: recipientRole === 'handler' ? null : d.handler,
    }),
  ]),
  coverage_escalation: [
    [
      'occurrence unknown, nobody assigned',
      (language) => ({
        kind: 'coverage_escalation',
        language,
        recipientName: '',
        caseId: 'case-0042',
        reportedAt: at.received,
        decideBy: at.gdprDue,
        asOf: at.asOf,
        assignee: null,
        reasons: ['occurrence_unknown'],
        caseUrl: 'https://claims.example.jp/ui/cases/case-0042',
      }),
    ],
    [
      'assigned, without open reasons',
      (language, d) => ({
        kind: 'coverage_escalation',
        language,
        recipientName: d.supervisor,
        caseId: 'case-0042',
        reportedAt: at.received,
        decideBy: at.gdprDue,
        asOf: at.asOf,
        assignee: d.handler,
        reasons: [],
      }),
    ],
  ],
  consultation_escalation: [
    [
      'not acknowledged within the hour, awareness given',
      (language, d) => ({
        kind: 'consultation_escalation',
        language,
        recipientName: '',
        consultationId: 'Q20261120-ABCDEFGH',
        insuredName: d.insured,
        policyNumber: 'PL-2026-000123',
        openedAt: at.received,
        ackDueAt: '2026-11-20T01:10:00Z',
        asOf: '2026-11-20T01:10:00Z',
        awareAt: '2026-11-19T23:00:00Z',
        consultationUrl: 'https://claims.example.jp/ui/consultations/Q20261120-ABCDEFGH',
      }),
    ],
    [
      'to a named supervisor, no awareness given',
      (language, d) => ({
        kind: 'consultation_escalation',
        language,
        recipientName: d.supervisor,
        consultationId: 'Q20261120-ABCDEFGH',
        insuredName: d.insured,
        policyNumber: 'PL-2026-000123',
        openedAt: at.received,
        ackDueAt: '2026-11-20T01:10:00Z',
        asOf: '2026-11-20T01:40:00Z',
      }),
    ],
  ],
  consent_request: [
    [
      'a vendor outside the panel',
      (language, d) => ({
        kind: 'consent_request',
        language,
        recipientName: d.handler,
        caseId: 'case-0042',
        category: 'public_relations',
        amountJpy: 3_500_000,
        vendor: { name: d.vendor, panel: false },
        requestedBy: d.contact,
        requestedAt: at.received,
      }),
    ],
  ],
  denial_letter: [
    [
      'on every ground the rules give',
      (language, d) => ({
        kind: 'denial_letter',
        language,
        recipientName: d.contact,
        insuredName: d.insured,
        caseId: 'case-0042',
        policyNumber: 'PL-2026-000123',
        decidedAt: at.decided,
        reasons: allGrounds.map((g) => ({ code: g.reason, explanation: g.explanation, facts: g.facts })),
        handler: null,
      }),
    ],
    [
      "on a handler's decision",
      (language, d) => ({
        kind: 'denial_letter',
        language,
        recipientName: d.contact,
        insuredName: d.insured,
        caseId: 'case-0042',
        policyNumber: 'PL-2026-000123',
        decidedAt: at.decided,
        reasons: [{ code: 'handler_decision', explanation: d.override, facts: [`decidedBy: ${d.handler}`, `decidedAt: ${at.decided}`] }],
        handler: { name: d.handler, email: 'sato@insurer.example' },
      }),
    ],
  ],
  payout_notice: [
    [
      'two lines',
      (language, d) => ({
        kind: 'payout_notice',
        language,
        recipientName: d.contact,
        insuredName: d.insured,
        caseId: 'case-0042',
        policyNumber: 'PL-2026-000123',
        amountJpy: 1_234_000,
        paidAt: at.paid,
        lines: [
          { category: 'forensic_investigation', claimedJpy: 1_000_000, payableJpy: 1_000_000 },
          { category: 'apology_payment', claimedJpy: 300_000, payableJpy: 234_000 },
        ],
        handler: { name: d.handler },
      }),
    ],
  ],
  payout_approval_request: [
    [
      'over the requester authority',
      (language, d) => ({
        kind: 'payout_approval_request',
        language,
        recipientName: d.supervisor,
        caseId: 'case-0042',
        payoutId: 'case-0042-P1',
        amountJpy: 12_345_678,
        requestedBy: d.handler,
        requestedAt: at.paid,
        authorityLimitJpy: 5_000_000,
        lines: [
          { category: 'forensic_investigation', payableJpy: 8_000_000 },
          { category: 'apology_payment', payableJpy: 4_345_678 },
        ],
        insuredName: d.insured,
        policyNumber: 'PL-2026-000123',
        caseUrl: 'https://claims.example.jp/ui/cases/case-0042',
      }),
    ],
  ],
};

const ROWS = (Object.entries(TEMPLATES) as [EmailKind, (typeof TEMPLATES)[EmailKind]][]).flatMap(([kind, shapes]) =>
  (['ja', 'en'] as const).flatMap((language) => shapes.map(([shape, build]) => ({ kind, shape, language, message: build(language, DATA[language]) }))),
);

describe('the language scan', () => {
  it.each([
    ['二次被害：phishing', ['phishing']],
    ['担当者：Claims team', ['Claims', 'team']],
    ['■ 今後の流れ\n・Breach counsel and a forensic firm are being engaged.', ['Breach', 'counsel', 'and', 'a', 'forensic', 'firm', 'are', 'being', 'engaged']],
    ['割当者：system', ['system']],
  ])('flags the English in %j', (text, words) => {
    expect(strayLatinWords(text)).toEqual(words);
  });

  it('allows identifiers, addresses, links, amounts, regime codes and the California headings', () => {
    const text =
      '案件番号：case-0042、証券番号：PL-2026-000123、支払番号：case-0042-P1、コード：ASAA-BKB9-52LT-JHA4-B5EW\n' +
      'メール：desk@example.co.jp、案件画面：https://claims.example.jp/ui/cases/case-0042\n' +
      'JP-APPI 速報（PPC）、EU-GDPR、US-CA、KR-PIPA、2026年11月25日 09:00 (JST)、12,345,678円、ID・パスワード\n' +
      'Notice of Data Breach（個人情報漏洩のお知らせ）、What Happened（発生した事象）';
    expect(strayLatinWords(text)).toEqual([]);
  });

  it('takes data values out only where they are given', () => {
    expect(strayLatinWords('委託先：PR Partners KK')).toEqual(['PR', 'Partners', 'KK']);
    expect(strayLatinWords('委託先：PR Partners KK', { values: ['PR Partners KK'] })).toEqual([]);
  });
});

describe('every template over real SMTP, in the language it is written for', () => {
  let sink: SmtpSink;
  let mailer: Mailer;
  const received = new Map<string, ParsedMail>();

  beforeAll(async () => {
    sink = await startSmtpSink();
    mailer = createMailer({ host: '127.0.0.1', port: sink.port, from: '"保険金サービス" <claims@example.jp>', pool: { maxConnections: 2, maxMessages: 100 } });
    // One send per row, in order: the sink keeps arrival order, so row i is message i.
    for (const [i, row] of ROWS.entries()) {
      const rendered = renderEmail(row.message);
      const messageId = messageIdFor({ caseId: 'case-0042', recipientKey: `row-${i}`, purpose: row.kind, domain: DOMAIN });
      const sent = await mailer.send({ to: `row-${i}@example.jp`, ...rendered, messageId, headers: { 'Content-Language': row.language } });
      expect(sent.status).toBe('sent');
    }
    const mails = await sink.waitFor(ROWS.length);
    for (const mail of mails) received.set(String(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : ''), mail);
  });
  afterAll(async () => {
    mailer.close();
    await sink?.close();
  });
  beforeEach(() => expect(received.size).toBe(ROWS.length));

  const parts = (mail: ParsedMail) => ({ subject: mail.subject ?? '', text: mail.text ?? '', html: htmlText(typeof mail.html === 'string' ? mail.html : '') });

  it('covers every kind in both languages', () => {
    const kinds = new Set(ROWS.map((r) => `${r.kind}/${r.language}`));
    expect(kinds.size).toBe(Object.keys(TEMPLATES).length * 2);
  });

  it.each(ROWS.map((r, i) => [r.kind, r.shape, r.language, i] as const))('%s (%s) in %s', (_kind, _shape, language, i) => {
    const mail = received.get(`row-${i}@example.jp`)!;
    expect(mail).toBeDefined();
    expect(mail.headers.get('content-language')).toBe(language);
    expect(typeof mail.html === 'string' ? mail.html : '').toContain(`<html lang="${language}">`);
    const values = Object.values(DATA[language]);
    for (const [part, text] of Object.entries(parts(mail))) {
      expect(text.trim().length, part).toBeGreaterThan(0);
      if (language === 'ja') {
        expect(hasJapanese(text), `${part} is Japanese`).toBe(true);
        expect(strayLatinWords(text, { values }), `English words in the ${part}`).toEqual([]);
      } else {
        // English renderings name Japanese only where the rules quote the Japanese legal term beside its English.
        const quoted = allGrounds.map((g) => g.explanation);
        expect(japaneseIn(text, { values: [...values, ...quoted] }), `Japanese in the ${part}`).toEqual([]);
      }
    }
  });
});

describe('what the issue found, worded', () => {
  it('words the secondary-damage code in both languages', () => {
    for (const language of ['ja', 'en'] as const) {
      const out = renderEmail(personNotice(language, DATA[language]));
      expect(out.text).not.toContain('phishing');
      expect(out.text).toContain(language === 'ja' ? 'なりすましや詐欺' : 'impersonate us or to defraud you');
    }
  });

  it("words the acknowledgement's next steps in the insured's language", () => {
    const [, build] = TEMPLATES.insured_ack[0]!;
    expect(renderEmail(build('ja', DATA.ja)).text).toContain('・本人への通知を準備するため、影響を受けた方の一覧（CSV）をアップロードしてください。');
    expect(renderEmail(build('en', DATA.en)).text).toContain('- Upload the list of affected persons (CSV) so that notices can be prepared.');
  });

  it("names the insured's customer desk in the notice's language", () => {
    expect(renderEmail(personNotice('ja', DATA.ja)).text).toContain('窓口：株式会社サンプル お客様相談窓口');
    expect(renderEmail(personNotice('en', DATA.en)).text).toContain('Contact: Sample Co., Ltd. customer enquiry desk');
  });

  it('tells the claims team of a new case without calling it an assignment', () => {
    const [, build] = TEMPLATES.new_case[0]!;
    const ja = renderEmail(build('ja', DATA.ja));
    expect(ja.subject).toBe('【新規事故報告】案件 case-0042（株式会社サンプル）');
    expect(ja.text).toContain('ご担当者様');
    expect(ja.text).toContain('担当者：未割当');
    expect(ja.text).not.toContain('割当者');
    expect(renderEmail(build('en', DATA.en)).subject).toBe('New case filed: case-0042 (Sample Co., Ltd.)');
  });
});

describe("where the insured's language comes from", () => {
  const withContact = (contact: Record<string, unknown>) => IncidentReportSchema.safeParse(reportBody('PL-2026-000123', { contact }));
  const base = { name: '山田 太郎', email: 'yamada@example.co.jp' };

  it("is the report contact's optional language; reports without one stay valid (Japanese)", () => {
    expect(withContact(base).success).toBe(true);
    expect(withContact(base).data?.contact.language).toBeUndefined();
    expect(withContact({ ...base, language: 'en' }).data?.contact.language).toBe('en');
  });

  it('takes only the languages e-mails are written in', () => {
    expect(withContact({ ...base, language: 'fr' }).success).toBe(false);
  });
});
