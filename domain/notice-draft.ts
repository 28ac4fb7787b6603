/**
 * The notice to persons as a versioned draft (rule `noticeDrafts`, domain.md 8a "Notices to persons"): one draft per
 * notice language, its parts prefilled from the case and edited by the handler or the insured, approved by counsel
 * (or a handler on counsel's behalf) version by version. `approve-notice` then sends exactly the approved version.
 *
 * Pure, like the filings: the case workflow drafts with it to number the versions (a change of any part, from the
 * facts or an edit, is a new version) and the API drafts with it to preview and to freeze the approved version, so the
 * two never disagree. The parts follow the APPI items that concern the person and California's headings. The prefill
 * reads only facts that settle early (what leaked, the cause, the contact): notification progress is not in it, so a
 * draft does not move on while its notices go out.
 */
import { causeWords, dataItemWords, secondaryDamageText, type FilingFacts, type FilingLanguage } from './filings.js';
import { jstDate } from './time.js';

export type NoticeDraftLanguage = FilingLanguage;

export const NOTICE_PARTS = ['subject', 'opening', 'whatHappened', 'dataItems', 'whatWeAreDoing', 'whatYouCanDo', 'enquiryDesk'] as const;
export type NoticePart = (typeof NOTICE_PARTS)[number];

export const NOTICE_PART_LABELS: Record<NoticePart, { ja: string; en: string }> = {
  subject: { ja: '件名', en: 'Subject' },
  opening: { ja: 'お詫び', en: 'Apology' },
  whatHappened: { ja: '事案の概要', en: 'What happened' },
  dataItems: { ja: '漏洩した（またはそのおそれがある）個人情報の項目', en: 'What information was involved' },
  whatWeAreDoing: { ja: '当社の対応', en: 'What we are doing' },
  whatYouCanDo: { ja: 'お客様にお願いしたいこと', en: 'What you can do' },
  enquiryDesk: { ja: 'お問い合わせ窓口', en: 'For more information' },
};

/** Limits of an edited part: plain text (parts are printed into an e-mail's HTML part, pages and letters). */
export const NOTICE_LIMITS = {
  maxSubjectChars: 200,
  maxPartChars: 4000,
} as const;

export function isNoticePart(code: string): code is NoticePart {
  return (NOTICE_PARTS as readonly string[]).includes(code);
}

export interface NoticeDraftPart {
  label: string;
  value: string;
  source: 'case' | 'edited';
}

export interface NoticeDraft {
  language: NoticeDraftLanguage;
  /** In NOTICE_PARTS' order. */
  parts: Record<NoticePart, NoticeDraftPart>;
}

/** What the notice is drafted from: the case view's fields it reads (the view itself fits). */
export type NoticeFacts = Pick<FilingFacts, 'caseId' | 'insuredName' | 'description' | 'discoveredAt' | 'occurredAt' | 'cause' | 'dataItems' | 'contact'> & {
  /** Once a call centre is engaged (rule `engageVendor`), the enquiry desk is its line, not the reporter's own. */
  services?: { callCenter?: { phone: string | null } };
};

function caseValue(part: NoticePart, f: NoticeFacts, lang: NoticeDraftLanguage): string {
  const ja = lang === 'ja';
  const who = f.insuredName ?? (ja ? '当社' : 'We');
  switch (part) {
    case 'subject':
      return ja ? `【重要】個人情報漏洩に関するお詫びとお知らせ（${who}）` : `Important: apology and notice about your personal information (${who})`;
    case 'opening':
      return ja
        ? `このたび、${who}が管理するお客様の個人情報が外部に漏洩した、またはそのおそれがあることが判明いたしました。多大なるご迷惑とご心配をおかけしますことを、心より深くお詫び申し上げます。`
        : `We are writing to tell you that personal information about you held by ${who} has been, or may have been, leaked. We sincerely apologise for the concern and inconvenience this causes you.`;
    case 'whatHappened': {
      const lines = ja
        ? [`${jstDate(f.discoveredAt)}、${causeWords(f.cause, lang)}により個人情報が漏洩した、またはそのおそれがあることが判明しました。`]
        : [`On ${jstDate(f.discoveredAt)} we found that personal information had been, or may have been, leaked (${causeWords(f.cause, lang)}).`];
      if (f.occurredAt) lines.push(ja ? `発生日: ${jstDate(f.occurredAt)}` : `Date of the breach: ${jstDate(f.occurredAt)}`);
      if (f.description?.trim()) lines.push(f.description.trim());
      return lines.join('\n');
    }
    case 'dataItems':
      return f.dataItems.length > 0 ? dataItemWords(f.dataItems, lang) : ja ? '調査中' : 'Under investigation';
    case 'whatWeAreDoing':
      return ja
        ? '原因と影響範囲の調査を進めており、講じる措置は決まり次第お知らせいたします。'
        : 'We are investigating the cause and extent of the incident and will tell you about further measures as they are decided.';
    case 'whatYouCanDo':
      return `${secondaryDamageText(f.dataItems, lang)}${
        ja
          ? '本件に便乗した不審な電話・メール・郵便物にご注意ください。当社からパスワードやカード番号をお尋ねすることはありません。'
          : ' Please be alert to suspicious calls, e-mails or letters that mention this incident. We will never ask you for passwords or card numbers.'
      }`;
    case 'enquiryDesk': {
      const callCenter = f.services?.callCenter?.phone;
      const how = callCenter ? callCenter : f.contact ? [f.contact.phone, f.contact.email].filter(Boolean).join(' / ') : '';
      const desk = ja ? `${who} お客様相談窓口${how ? `（${how}）` : ''}` : `${who} customer enquiry desk${how ? ` (${how})` : ''}`;
      return `${desk}\n${ja ? '管理番号' : 'Reference'}: ${f.caseId}`;
    }
  }
}

/** Drafts the notice in one language: case values, edited texts over them. */
export function draftNotice(f: NoticeFacts, language: NoticeDraftLanguage, edits: Readonly<Partial<Record<string, string>>> = {}): NoticeDraft {
  const parts = {} as Record<NoticePart, NoticeDraftPart>;
  for (const part of NOTICE_PARTS) {
    const label = NOTICE_PART_LABELS[part][language];
    const edited = edits[part];
    parts[part] = edited !== undefined ? { label, value: edited, source: 'edited' } : { label, value: caseValue(part, f, language), source: 'case' };
  }
  return { language, parts };
}

/** What a version stands for, canonically (the workflow hashes it): each part's code, source and value, in order. */
export function noticeDraftCanonical(d: NoticeDraft): string {
  return JSON.stringify([d.language, NOTICE_PARTS.map((p) => [p, d.parts[p].source, d.parts[p].value])]);
}

/** A notice as blocks (the shape of activities/email/document.ts), so every medium prints the same words. */
export type NoticeBlock = { t: 'heading'; text: string } | { t: 'para'; text: string };

export interface NoticeDocument {
  language: NoticeDraftLanguage;
  subject: string;
  title: string;
  blocks: NoticeBlock[];
}

/**
 * The notice one person receives from an approved (or previewed) draft: the salutation, every part under its heading,
 * the apology code when there is one, and the sign-off. Nothing else is added: the words are the draft's.
 */
/**
 * The approved text as a person reads it. Besides the parts counsel approved, what the case adds per person or after
 * the approval: the apology code, the credit-monitoring enrolment code (rule `creditMonitoring`), and the call centre's
 * number when one was engaged after the text was approved (the >1,000-notice rule engages it as the campaign starts).
 */
export function noticeDocument(
  d: NoticeDraft,
  who: { recipientName: string; insuredName?: string; apologyCode?: string; enrolmentCode?: string; callCenterPhone?: string },
): NoticeDocument {
  const ja = d.language === 'ja';
  const blocks: NoticeBlock[] = [{ t: 'para', text: ja ? `${who.recipientName} 様` : `Dear ${who.recipientName},` }, { t: 'para', text: d.parts.opening.value }];
  for (const part of ['whatHappened', 'dataItems', 'whatWeAreDoing', 'whatYouCanDo'] as const) {
    blocks.push({ t: 'heading', text: d.parts[part].label }, { t: 'para', text: d.parts[part].value });
  }
  if (who.apologyCode) {
    blocks.push({
      t: 'para',
      text: ja
        ? `お詫びのしるしとしてご用意したお品をお受け取りいただくためのコードです（お一人様一回限り有効）。\n${who.apologyCode}`
        : `As a token of our apology we have prepared a gift for you. Use this personal code to claim it (valid once, for you only):\n${who.apologyCode}`,
    });
  }
  if (who.enrolmentCode) {
    blocks.push(
      { t: 'heading', text: ja ? 'クレジットモニタリングのご案内' : 'Credit monitoring for you' },
      { t: 'para', text: creditMonitoringOfferText(d.language, who.enrolmentCode) },
    );
  }
  const desk = d.parts.enquiryDesk.value;
  const phone = who.callCenterPhone && !desk.includes(who.callCenterPhone) ? `\n${ja ? 'コールセンター' : 'Call centre'}: ${who.callCenterPhone}` : '';
  blocks.push({ t: 'heading', text: d.parts.enquiryDesk.label }, { t: 'para', text: `${desk}${phone}` });
  blocks.push({ t: 'para', text: ja ? '重ねて深くお詫び申し上げます。' : 'Once again, we sincerely apologise.' });
  if (who.insuredName) blocks.push({ t: 'para', text: who.insuredName });
  return { language: d.language, subject: d.parts.subject.value, title: d.parts.subject.value, blocks };
}

/** The credit-monitoring offer with a person's enrolment code (the notice as drafted and as rendered say the same). */
export function creditMonitoringOfferText(language: NoticeDraftLanguage, enrolmentCode: string): string {
  return language === 'ja'
    ? `漏洩した情報には金銭的な被害につながるおそれのある項目が含まれるため、不正利用を監視するクレジットモニタリングを無料でご利用いただけます。お申し込みには次のお申込コードをお使いください（お一人様一回限り有効）。\n${enrolmentCode}`
    : `Because the information involved could be used for financial fraud, we offer you credit monitoring free of charge. To enrol, use this personal enrolment code (valid once, for you only):\n${enrolmentCode}`;
}

/** The frozen text of an approved version, as the API keeps it in the blob store and the campaign reads it back. */
export interface ApprovedNotice {
  caseId: string;
  language: NoticeDraftLanguage;
  version: number;
  draft: NoticeDraft;
}

/** The persons-notice filing that follows the approved notice (in Japanese, the language of the APPI notice). */
export const NOTICE_FILING_ID = 'JP-APPI.persons.notice';

/** Which part of the approved notice answers which item of the persons-notice filing (the cause stays the case's). */
export const NOTICE_PARTS_IN_FILING = {
  overview: 'whatHappened',
  dataItems: 'dataItems',
  secondaryDamage: 'whatYouCanDo',
  enquiryDesk: 'enquiryDesk',
} as const satisfies Record<string, NoticePart>;

/** The filing items the approved notice answers, in its words (a filing edit of the same item stays over them). */
export function noticeFilingTexts(d: NoticeDraft): Record<string, string> {
  return Object.fromEntries(Object.entries(NOTICE_PARTS_IN_FILING).map(([item, part]) => [item, d.parts[part].value]));
}
