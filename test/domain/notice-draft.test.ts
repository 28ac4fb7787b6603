import { describe, expect, it } from 'vitest';
import {
  ApprovedNoticeSchema,
  NOTICE_LIMITS,
  NOTICE_PARTS,
  NOTICE_PART_LABELS,
  NoticeDraftEditBodySchema,
  draftNotice,
  noticeDocument,
  noticeDraftCanonical,
  type NoticeFacts,
} from '../../domain/index.js';

function facts(over: Partial<NoticeFacts> = {}): NoticeFacts {
  return {
    caseId: 'c-1200',
    insuredName: '株式会社サンプル',
    description: '営業用ノートPCを電車内に置き忘れ、顧客名簿が保存されていた。',
    discoveredAt: '2026-11-20T00:00:00.000Z',
    occurredAt: null,
    cause: 'device_loss',
    dataItems: ['name', 'address', 'phone'],
    contact: { name: '山田 太郎', email: 'yamada@example.co.jp', phone: '+81-3-0000-0000' },
    ...over,
  };
}

describe('notice drafts', () => {
  it('prefills every part from the case, in Japanese and in English, in the parts order', () => {
    for (const lang of ['ja', 'en'] as const) {
      const d = draftNotice(facts(), lang);
      expect(Object.keys(d.parts)).toEqual([...NOTICE_PARTS]);
      for (const p of NOTICE_PARTS) {
        expect(d.parts[p].label).toBe(NOTICE_PART_LABELS[p][lang]);
        expect(d.parts[p].source).toBe('case');
        expect(d.parts[p].value.trim().length, `${lang} ${p}`).toBeGreaterThan(0);
      }
    }
    const ja = draftNotice(facts(), 'ja').parts;
    expect(ja.subject.value).toBe('【重要】個人情報漏洩に関するお詫びとお知らせ（株式会社サンプル）');
    expect(ja.whatHappened.value).toContain('2026-11-20');
    expect(ja.whatHappened.value).toContain('端末・記録媒体の紛失');
    expect(ja.whatHappened.value).toContain('営業用ノートPC');
    expect(ja.dataItems.value).toBe('氏名、住所、電話番号');
    expect(ja.enquiryDesk.value).toContain('+81-3-0000-0000');
    expect(ja.enquiryDesk.value).toContain('c-1200');
    const en = draftNotice(facts(), 'en').parts;
    expect(en.dataItems.value).toBe('Name, Address, Phone number');
    expect(en.whatHappened.value).toContain('loss of a device or storage medium');
  });

  it.each([
    ['financial items warn of fraudulent use', ['name', 'credit_card'], '不正利用'],
    ['without them, phishing', ['name', 'email'], 'フィッシング'],
  ])('words what persons can do from the data items: %s', (_n, dataItems, expected) => {
    expect(draftNotice(facts({ dataItems }), 'ja').parts.whatYouCanDo.value).toContain(expected);
  });

  it('keeps an edited part as edited and lets the others follow the facts', () => {
    const d = draftNotice(facts({ dataItems: ['name', 'email'] }), 'ja', { whatWeAreDoing: '外部の専門機関と調査を進めています。' });
    expect(d.parts.whatWeAreDoing).toEqual({ label: '当社の対応', value: '外部の専門機関と調査を進めています。', source: 'edited' });
    expect(d.parts.dataItems).toMatchObject({ source: 'case', value: '氏名、メールアドレス' });
  });

  it('stands for a version by its canonical form: a change of a fact or an edit changes it, the same inputs do not', () => {
    const base = noticeDraftCanonical(draftNotice(facts(), 'ja'));
    expect(noticeDraftCanonical(draftNotice(facts(), 'ja'))).toBe(base);
    expect(noticeDraftCanonical(draftNotice(facts({ dataItems: ['name'] }), 'ja'))).not.toBe(base);
    expect(noticeDraftCanonical(draftNotice(facts(), 'ja', { opening: 'お詫び申し上げます。' }))).not.toBe(base);
    expect(noticeDraftCanonical(draftNotice(facts(), 'en'))).not.toBe(base);
  });

  it('prints the person’s notice with exactly the draft’s words, the name and the apology code', () => {
    const d = draftNotice(facts(), 'ja', { whatWeAreDoing: '専門機関と調査しています。' });
    const doc = noticeDocument(d, { recipientName: '佐藤 花子', insuredName: '株式会社サンプル', apologyCode: 'ABCD-EFGH' });
    expect(doc.subject).toBe(d.parts.subject.value);
    const texts = doc.blocks.map((b) => b.text);
    expect(texts[0]).toBe('佐藤 花子 様');
    for (const p of NOTICE_PARTS.filter((x) => x !== 'subject')) expect(texts).toContain(d.parts[p].value);
    expect(texts.some((t) => t.endsWith('\nABCD-EFGH'))).toBe(true);
    expect(noticeDocument(d, { recipientName: 'x' }).blocks.some((b) => b.text.includes('ABCD'))).toBe(false);
  });

  it('prints the call centre as the enquiry desk once one is engaged: in the draft, or added to a text approved before', () => {
    const withDesk = draftNotice(facts({ services: { callCenter: { phone: '0120-000-111' } } }), 'ja');
    expect(withDesk.parts.enquiryDesk.value).toContain('0120-000-111');
    expect(withDesk.parts.enquiryDesk.value).not.toContain('+81-3-0000-0000');
    expect(noticeDraftCanonical(withDesk)).not.toBe(noticeDraftCanonical(draftNotice(facts(), 'ja')));
    // Approved before the call centre was engaged: its number is added once, under the approved words.
    const before = draftNotice(facts(), 'ja');
    const desk = (d: typeof before, phone?: string) => noticeDocument(d, { recipientName: 'x', ...(phone ? { callCenterPhone: phone } : {}) }).blocks.find((b, i, all) => all[i - 1]?.text === d.parts.enquiryDesk.label)!.text;
    expect(desk(before, '0120-000-111')).toBe(`${before.parts.enquiryDesk.value}\nコールセンター: 0120-000-111`);
    expect(desk(withDesk, '0120-000-111')).toBe(withDesk.parts.enquiryDesk.value);
    expect(desk(before)).toBe(before.parts.enquiryDesk.value);
    expect(desk(draftNotice(facts(), 'en'), '0120-000-111')).toContain('Call centre: 0120-000-111');
  });

  it.each([
    ['ja', 'クレジットモニタリングのご案内'],
    ['en', 'Credit monitoring for you'],
  ] as const)('prints the credit-monitoring offer with the person’s enrolment code (%s), and none without a code', (lang, heading) => {
    const d = draftNotice(facts({ dataItems: ['name', 'credit_card'] }), lang);
    const texts = noticeDocument(d, { recipientName: 'x', enrolmentCode: 'CM-1234-5678' }).blocks.map((b) => b.text);
    expect(texts).toContain(heading);
    expect(texts.some((t) => t.endsWith('\nCM-1234-5678'))).toBe(true);
    expect(noticeDocument(d, { recipientName: 'x' }).blocks.map((b) => b.text)).not.toContain(heading);
  });

  it.each([
    ['a part text', { parts: { whatWeAreDoing: '調査中です。' } }, true],
    ['a part back to the case', { parts: { whatWeAreDoing: null } }, true],
    ['a subject', { parts: { subject: 'お詫びとお知らせ' } }, true],
    ['no part', { parts: {} }, false],
    ['an unknown part', { parts: { signature: 'x' } }, false],
    ['HTML', { parts: { opening: '<b>お詫び</b>' } }, false],
    ['an entity', { parts: { opening: 'お詫び&amp;' } }, false],
    ['a control character', { parts: { opening: 'a\u0007b' } }, false],
    ['a subject on two lines', { parts: { subject: 'a\nb' } }, false],
    ['a subject too long', { parts: { subject: 'あ'.repeat(NOTICE_LIMITS.maxSubjectChars + 1) } }, false],
    ['a part too long', { parts: { opening: 'あ'.repeat(NOTICE_LIMITS.maxPartChars + 1) } }, false],
    ['a part at the limit', { parts: { opening: 'あ'.repeat(NOTICE_LIMITS.maxPartChars) } }, true],
    ['an empty part', { parts: { opening: '   ' } }, false],
    ['another key', { parts: { opening: 'x' }, extra: 1 }, false],
  ])('edit body: %s', (_n, body, ok) => {
    expect(NoticeDraftEditBodySchema.safeParse(body).success).toBe(ok);
  });

  it('reads back a frozen approved document, and nothing else', () => {
    const draft = draftNotice(facts(), 'en');
    expect(ApprovedNoticeSchema.safeParse({ caseId: 'c-1', language: 'en', version: 2, draft }).success).toBe(true);
    expect(ApprovedNoticeSchema.safeParse({ caseId: 'c-1', language: 'en', version: 2, draft: { ...draft, parts: { subject: draft.parts.subject } } }).success).toBe(false);
    expect(ApprovedNoticeSchema.safeParse({ caseId: 'c-1', language: 'fr', version: 2, draft }).success).toBe(false);
  });
});
