import { describe, expect, it } from 'vitest';
import {
  APPI_REPORT_ITEMS,
  FilingEditBodySchema,
  FILING_ITEM_LABELS,
  FILING_LIMITS,
  GDPR_ART33_ITEMS,
  PENDING_ANSWER,
  draftFiling,
  draftFilings,
  filingIdOf,
  secondaryDamageText,
  type FilingFacts,
  type FilingObligation,
} from '../../domain/index.js';

const obligation = (regime: FilingObligation['regime'], audience: FilingObligation['audience'], kind: FilingObligation['kind']): FilingObligation => ({
  id: `${regime}:${audience}:${kind}`,
  regime,
  audience,
  kind,
  status: 'pending',
  dueAt: '2026-11-25T00:00:00.000Z',
});

const PRELIMINARY = obligation('JP-APPI', 'regulator', 'preliminary');
const FINAL = obligation('JP-APPI', 'regulator', 'final');
const NOTICE = obligation('JP-APPI', 'persons', 'notice');
const GDPR = obligation('EU-GDPR', 'regulator', 'notice');

/** A 1,200-person Japanese case, as reported: nothing found yet, no advice, no notices. */
function japaneseCase(over: Partial<FilingFacts> = {}): FilingFacts {
  return {
    caseId: 'c-1200',
    insuredName: '株式会社サンプル',
    description: '営業用ノートPCを電車内に置き忘れ、顧客名簿が保存されていた。',
    discoveredAt: '2026-11-20T00:00:00.000Z',
    occurredAt: null,
    cause: 'device_loss',
    dataItems: ['name', 'address', 'phone'],
    affectedPersons: 1200,
    obligations: [PRELIMINARY, FINAL, NOTICE],
    counselAdvice: [],
    contact: { name: '山田 太郎', email: 'yamada@example.co.jp', phone: '+81-3-0000-0000' },
    notice: { approved: false },
    notifications: { total: 0, sent: 0, failed: 0, letters: 0, status: 'not_started' },
    ...over,
  };
}

describe('filing drafts', () => {
  it('drafts one filing per regulator obligation and per persons notice, and none for other persons duties', () => {
    const facts = japaneseCase({ obligations: [PRELIMINARY, FINAL, NOTICE, GDPR, obligation('AU-NDB', 'persons', 'assessment')] });
    expect(draftFilings(facts).map((d) => d.filingId)).toEqual([
      'JP-APPI.regulator.preliminary',
      'JP-APPI.regulator.final',
      'JP-APPI.persons.notice',
      'EU-GDPR.regulator.notice',
    ]);
  });

  it('a 1,200-person Japanese case: the preliminary report counts 1,200 persons, names the data items in Japanese, and is ready with 調査中', () => {
    const d = draftFiling(japaneseCase(), PRELIMINARY);
    expect(Object.keys(d.items)).toEqual([...APPI_REPORT_ITEMS]);
    expect(d.language).toBe('ja');
    expect(d.items['personsCount']).toEqual({ label: '本人の数', value: '1,200人', source: 'case' });
    expect(d.items['dataItems']!.value).toBe('氏名、住所、電話番号');
    expect(d.items['dataItems']!.label).toBe('漏えい等が発生し、又は発生したおそれがある個人データの項目');
    expect(d.items['overview']!.value).toContain('端末・記録媒体の紛失');
    expect(d.items['cause']!.value).toBe(PENDING_ANSWER.ja);
    expect(d.missing).toEqual(['cause', 'responseToPersons', 'publicAnnouncement', 'preventionMeasures']);
    expect(d.status).toBe('ready');
  });

  it('the final report lists what is missing until findings and prevention measures are recorded, and is ready only when all nine are answered', () => {
    const reported = draftFiling(japaneseCase(), FINAL);
    expect(reported.status).toBe('draft');
    expect(reported.missing).toEqual(['cause', 'responseToPersons', 'publicAnnouncement', 'preventionMeasures']);
    expect(reported.items['cause']!.value).toBe('');

    const found = draftFiling(
      japaneseCase({
        findingsLog: [{ at: '2026-11-22T00:00:00.000Z', by: 'handler', note: 'ノートPCのディスクは暗号化されていなかった。' }],
        counselAdvice: [{ at: '2026-11-23T00:00:00.000Z', advice: '持ち出し端末の全台暗号化と持ち出し記録の運用' }],
        notice: { approved: true, approvedAt: '2026-11-24T00:00:00.000Z' },
        notifications: { total: 1200, sent: 1200, failed: 0, letters: 200, status: 'done' },
      }),
      FINAL,
    );
    expect(found.missing).toEqual(['publicAnnouncement']);
    expect(found.status).toBe('draft');
    expect(found.items['cause']!.value).toContain('ディスクは暗号化されていなかった');
    expect(found.items['preventionMeasures']!.value).toContain('全台暗号化');
    expect(found.items['responseToPersons']!.value).toContain('1,200人中1,200人に送付');

    const complete = draftFiling(
      japaneseCase({ findingsLog: [{ at: '2026-11-22T00:00:00.000Z', by: 'handler' }], counselAdvice: [{ at: '2026-11-23T00:00:00.000Z', advice: '再発防止策' }], notice: { approved: true }, notifications: { total: 1200, sent: 1200, failed: 0, letters: 0, status: 'done' } }),
      FINAL,
      { publicAnnouncement: '2026年11月25日に当社ウェブサイトで公表した。' },
    );
    expect(complete.missing).toEqual([]);
    expect(complete.status).toBe('ready');
    expect(complete.items['publicAnnouncement']).toEqual({ label: '公表の実施状況', value: '2026年11月25日に当社ウェブサイトで公表した。', source: 'edited' });
  });

  it('an edited item keeps its text when the facts change; the others follow the facts', () => {
    const edits = { personsCount: '約1,200人（精査中）' };
    const before = draftFiling(japaneseCase(), PRELIMINARY, edits);
    const after = draftFiling(japaneseCase({ affectedPersons: 1500, dataItems: ['name', 'address', 'phone', 'credit_card'] }), PRELIMINARY, edits);
    expect(after.items['personsCount']).toEqual(before.items['personsCount']);
    expect(after.items['personsCount']!.source).toBe('edited');
    expect(after.items['dataItems']!.value).toBe('氏名、住所、電話番号、クレジットカード番号・有効期限');
    expect(after.items['secondaryDamage']!.value).not.toBe(before.items['secondaryDamage']!.value);
  });

  it.each([
    { items: ['name', 'address'], has: 'フィッシング', not: '不正利用' },
    { items: ['name', 'credit_card'], has: '不正利用', not: 'フィッシング' },
    { items: ['name', 'online_credentials'], has: 'ID・パスワード', not: 'フィッシング' },
    { items: ['name', 'medical_history'], has: '要配慮個人情報（病歴・妊娠歴）', not: '不正利用' },
  ])('secondary damage from the flags of $items', ({ items, has, not }) => {
    const text = secondaryDamageText(items, 'ja');
    expect(text).toContain(has);
    expect(text).not.toContain(not);
  });

  it('GDPR Art. 33 is drafted in English with its seven items and may be phased', () => {
    const d = draftFiling(japaneseCase({ obligations: [GDPR] }), GDPR);
    expect(Object.keys(d.items)).toEqual([...GDPR_ART33_ITEMS]);
    expect(d.language).toBe('en');
    expect(d.items['categoriesOfData']!.value).toBe('Name, Address, Phone number');
    expect(d.items['approxSubjects']!.value).toBe('About 1,200');
    expect(d.items['contactPoint']!.value).toContain('yamada@example.co.jp');
    expect(d.status).toBe('ready');
  });

  it('labels of the nine APPI items are the rule’s Japanese words', () => {
    expect(APPI_REPORT_ITEMS.map((c) => FILING_ITEM_LABELS[c]!.ja)).toEqual([
      '概要',
      '漏えい等が発生し、又は発生したおそれがある個人データの項目',
      '本人の数',
      '原因',
      '二次被害又はそのおそれの有無及びその内容',
      '本人への対応の実施状況',
      '公表の実施状況',
      '再発防止のための措置',
      'その他参考となる事項',
    ]);
    expect(filingIdOf(PRELIMINARY)).toBe('JP-APPI.regulator.preliminary');
  });

  it.each([
    { body: { items: { overview: '概要です' } }, ok: true },
    { body: { items: { overview: null } }, ok: true },
    { body: { items: { overview: '<script>alert(1)</script>' } }, ok: false },
    { body: { items: { overview: '<b>太字</b>' } }, ok: false },
    { body: { items: { overview: 'a &amp; b' } }, ok: false },
    { body: { items: { overview: '1 < 2 and 3 > 2' } }, ok: true },
    { body: { items: { overview: 'x'.repeat(FILING_LIMITS.maxItemChars + 1) } }, ok: false },
    { body: { items: { overview: 'bell\u0007' } }, ok: false },
    { body: { items: { unknownItem: 'x' } }, ok: false },
    { body: { items: {} }, ok: false },
    { body: { items: { overview: 'x' }, extra: 1 }, ok: false },
  ])('edit body $body.items is accepted: $ok', ({ body, ok }) => {
    expect(FilingEditBodySchema.safeParse(body).success).toBe(ok);
  });
});
