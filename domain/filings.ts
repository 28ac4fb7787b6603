/**
 * Filings as documents (domain.md section 8a): one draft per obligation whose audience is `regulator` and one per
 * persons notice, its items prefilled from the case and completed by the insured and the handler.
 *
 * Pure: the case workflow drafts with it to number the versions (every change of an item's text is a new version),
 * and the API drafts with it to answer and render a filing from the case's read model, so the two never disagree.
 * Edited items are given as texts; an edited item keeps its text (`source: "edited"`), every other item follows the
 * facts. An item without an answer is listed in `missing`; a final APPI report is `ready` only when all nine items
 * are answered, every other filing is ready with "調査中" ("under investigation", a phased filing) in the items still
 * missing.
 */
import { PREVENTION_MEASURE_LABELS, PREVENTION_STATUS_LABELS, planProgress, type PreventionMeasure } from './prevention-plan.js';
import { groupDigits } from './format.js';
import { formatJst } from './time.js';
import { DATA_ITEMS, type Audience, type DataItemInfo, type ObligationKind, type ObligationStatus, type Regime } from './vocabulary.js';

export type FilingLanguage = 'ja' | 'en';

/** JP-APPI report to the PPC (個人情報保護法施行規則 第8条第1項), in this order. */
export const APPI_REPORT_ITEMS = [
  'overview',
  'dataItems',
  'personsCount',
  'cause',
  'secondaryDamage',
  'responseToPersons',
  'publicAnnouncement',
  'preventionMeasures',
  'otherMatters',
] as const;
/** GDPR Art. 33(3). */
export const GDPR_ART33_ITEMS = ['nature', 'categoriesOfData', 'approxSubjects', 'approxRecords', 'contactPoint', 'likelyConsequences', 'measures'] as const;
/** APPI notice to persons: the report's items that concern the person, and an enquiry desk. */
export const APPI_NOTICE_ITEMS = ['overview', 'dataItems', 'cause', 'secondaryDamage', 'enquiryDesk'] as const;
/** GDPR Art. 34 (and the regimes that ask for the same: nature, contact, consequences, measures). */
export const GDPR_ART34_ITEMS = ['nature', 'contactPoint', 'likelyConsequences', 'measures'] as const;
/** California Civil Code 1798.82(d): the prescribed headings (used for every US state's notice). */
export const US_NOTICE_ITEMS = ['whatHappened', 'whatInformation', 'whatWeAreDoing', 'whatYouCanDo', 'forMoreInformation'] as const;
/** Other regulators (US attorneys general, PDPC, OAIC, PIPC): what every one of them asks. */
export const GENERIC_REPORT_ITEMS = ['overview', 'categoriesOfData', 'approxSubjects', 'cause', 'measures', 'contactPoint'] as const;

export const FILING_ITEM_CODES = [
  ...new Set([...APPI_REPORT_ITEMS, ...GDPR_ART33_ITEMS, ...APPI_NOTICE_ITEMS, ...GDPR_ART34_ITEMS, ...US_NOTICE_ITEMS, ...GENERIC_REPORT_ITEMS]),
] as [string, ...string[]];
export type FilingItemCode = (typeof FILING_ITEM_CODES)[number];

export const FILING_TEMPLATES = ['appi-report', 'gdpr-art33', 'generic-report', 'appi-notice', 'gdpr-art34', 'us-notice'] as const;
export type FilingTemplate = (typeof FILING_TEMPLATES)[number];

const TEMPLATE_ITEMS: Record<FilingTemplate, readonly string[]> = {
  'appi-report': APPI_REPORT_ITEMS,
  'gdpr-art33': GDPR_ART33_ITEMS,
  'generic-report': GENERIC_REPORT_ITEMS,
  'appi-notice': APPI_NOTICE_ITEMS,
  'gdpr-art34': GDPR_ART34_ITEMS,
  'us-notice': US_NOTICE_ITEMS,
};

/** Item labels per language; the JP-APPI report's are the rule's own words (domain.md 8a). */
export const FILING_ITEM_LABELS: Record<string, { ja: string; en: string }> = {
  overview: { ja: '概要', en: 'Overview' },
  dataItems: { ja: '漏えい等が発生し、又は発生したおそれがある個人データの項目', en: 'Personal data items concerned' },
  personsCount: { ja: '本人の数', en: 'Number of persons' },
  cause: { ja: '原因', en: 'Cause' },
  secondaryDamage: { ja: '二次被害又はそのおそれの有無及びその内容', en: 'Secondary damage or its risk' },
  responseToPersons: { ja: '本人への対応の実施状況', en: 'Response to the persons' },
  publicAnnouncement: { ja: '公表の実施状況', en: 'Public announcement' },
  preventionMeasures: { ja: '再発防止のための措置', en: 'Measures to prevent recurrence' },
  otherMatters: { ja: 'その他参考となる事項', en: 'Other matters for reference' },
  enquiryDesk: { ja: 'お問い合わせ窓口', en: 'Enquiry desk' },
  nature: { ja: '侵害の性質', en: 'Nature of the breach' },
  categoriesOfData: { ja: '個人データの種類', en: 'Categories of personal data' },
  approxSubjects: { ja: 'データ主体のおおよその数', en: 'Approximate number of data subjects' },
  approxRecords: { ja: '個人データ記録のおおよその数', en: 'Approximate number of personal data records' },
  contactPoint: { ja: '連絡窓口', en: 'Contact point (DPO or other)' },
  likelyConsequences: { ja: '想定される結果', en: 'Likely consequences' },
  measures: { ja: '講じた又は講じる予定の措置', en: 'Measures taken or proposed' },
  whatHappened: { ja: '発生した事象', en: 'What Happened' },
  whatInformation: { ja: '対象となった情報', en: 'What Information Was Involved' },
  whatWeAreDoing: { ja: '当社の対応', en: 'What We Are Doing' },
  whatYouCanDo: { ja: 'お客様にできること', en: 'What You Can Do' },
  forMoreInformation: { ja: 'お問い合わせ', en: 'For More Information' },
};

/** Filing titles by template and kind, per language. */
const TITLES: Record<FilingTemplate, { ja: string; en: string }> = {
  'appi-report': { ja: '個人データの漏えい等の報告', en: 'Report of a personal data breach (APPI)' },
  'gdpr-art33': { ja: '個人データ侵害の監督機関への通知（GDPR第33条）', en: 'Notification of a personal data breach to the supervisory authority (GDPR Art. 33)' },
  'generic-report': { ja: '規制当局への報告', en: 'Report of a data breach to the regulator' },
  'appi-notice': { ja: '個人データの漏えい等に関するお知らせとお詫び', en: 'Notice of a personal data breach (APPI)' },
  'gdpr-art34': { ja: '個人データ侵害に関するお知らせ（GDPR第34条）', en: 'Communication of a personal data breach (GDPR Art. 34)' },
  'us-notice': { ja: 'データ侵害に関するお知らせ', en: 'Notice of Data Breach' },
};

const KIND_LABELS: Record<ObligationKind, { ja: string; en: string }> = {
  preliminary: { ja: '速報', en: 'preliminary' },
  final: { ja: '確報', en: 'final' },
  notice: { ja: '通知', en: 'notice' },
  assessment: { ja: '評価', en: 'assessment' },
};

/** Causes in Japanese for filings to the PPC (the e-mail labels live with the renderer, outside domain/). */
const CAUSE_WORDS: Record<string, { ja: string; en: string }> = {
  device_loss: { ja: '端末・記録媒体の紛失', en: 'loss of a device or storage medium' },
  device_theft: { ja: '端末・記録媒体の盗難', en: 'theft of a device or storage medium' },
  misdelivery: { ja: '誤送付・誤送信', en: 'mail or e-mail sent to the wrong recipient' },
  misconfiguration: { ja: 'システムの設定誤り', en: 'a system configured incorrectly' },
  external_attack: { ja: '外部からの不正アクセス', en: 'unauthorised access from outside (cyber-attack)' },
  insider_malicious: { ja: '内部者による不正な持ち出し', en: 'wrongful taking of data by an insider' },
  insider_negligent: { ja: '従業員等の過失', en: 'a mistake by a member of staff' },
  vendor_breach: { ja: '業務委託先における漏えい', en: 'a leak at a contractor' },
  web_skimming: { ja: 'ウェブサイトの改ざんによる入力情報の窃取（ウェブスキミング）', en: 'tampering with a website to capture what was entered (web skimming)' },
  other: { ja: 'その他', en: 'other' },
};

/** What an answer "not yet known" says; accepted in every filing but a final APPI report. */
export const PENDING_ANSWER: Record<FilingLanguage, string> = { ja: '調査中', en: 'Under investigation; to follow in phases.' };

/** Limits of an edited item: plain text, no markup (items are printed into HTML and PDF documents). */
export const FILING_LIMITS = {
  maxItemChars: 4000,
  /** Items of one filing that one edit may change. */
  maxItemsPerEdit: 16,
} as const;

/** What a draft is made from: the case view's fields it reads (structural, so domain/ needs no workflow type). */
export interface FilingFacts {
  caseId: string;
  insuredName?: string;
  description?: string;
  discoveredAt: string;
  occurredAt: string | null;
  cause: string;
  dataItems: readonly string[];
  affectedPersons: number;
  obligations: readonly FilingObligation[];
  counselAdvice: readonly { at: string; advice: string }[];
  contact?: { name: string; email: string; phone?: string };
  notice: { approved: boolean; approvedAt?: string };
  notifications: { total: number; sent: number; failed: number; letters: number; status: string };
  /** Findings recorded on the case (a handler's `record-findings`, a vendor's confirmed findings). */
  findingsLog?: readonly { at: string; by: string; note?: string }[];
  /** The recurrence-prevention plan (domain/prevention-plan.ts), when the case keeps one. */
  services?: { preventionPlan?: readonly PlanLine[] };
}

/** A measure of the plan as a filing words it. */
export type PlanLine = Pick<PreventionMeasure, 'measure' | 'owner' | 'dueAt' | 'status'>;

export interface FilingObligation {
  id: string;
  regime: Regime;
  audience: Audience;
  kind: ObligationKind;
  status: ObligationStatus;
  dueAt: string;
  filedAt?: string;
}

export type FilingStatus = 'draft' | 'ready' | 'filed';

export interface FilingItem {
  label: string;
  value: string;
  source: 'case' | 'edited';
}

export interface FilingDraft {
  filingId: string;
  obligationId: string;
  regime: Regime;
  audience: Audience;
  kind: ObligationKind;
  template: FilingTemplate;
  language: FilingLanguage;
  title: string;
  dueAt: string;
  /** `draft` or `ready` from the items; `filed` is the case's word (the obligation done with this filing). */
  status: Exclude<FilingStatus, 'filed'>;
  missing: string[];
  /** In the template's order. */
  items: Record<string, FilingItem>;
}

/** `JP-APPI.regulator.preliminary`: stable across recomputation, like the obligation id it follows. */
export function filingIdOf(o: Pick<FilingObligation, 'regime' | 'audience' | 'kind'>): string {
  return `${o.regime}.${o.audience}.${o.kind}`;
}

export const FILING_ID_PATTERN = /^[A-Z]{2}-[A-Z]{2,5}\.(regulator|persons)\.(preliminary|final|notice|assessment)$/;

export function filingTemplate(regime: Regime, audience: Audience): FilingTemplate {
  if (audience === 'regulator') return regime === 'JP-APPI' ? 'appi-report' : regime === 'EU-GDPR' ? 'gdpr-art33' : 'generic-report';
  if (regime === 'JP-APPI') return 'appi-notice';
  return regime.startsWith('US-') ? 'us-notice' : 'gdpr-art34';
}

/** The PPC reads Japanese; every other regulator and notice here is drafted in English (persons get their own language). */
export function filingLanguage(regime: Regime): FilingLanguage {
  return regime === 'JP-APPI' ? 'ja' : 'en';
}

/** Only a final APPI report must answer every item; every other filing may be phased. */
export function answersRequired(o: Pick<FilingObligation, 'regime' | 'kind'>): boolean {
  return o.regime === 'JP-APPI' && o.kind === 'final';
}

function info(code: string): DataItemInfo | undefined {
  return (DATA_ITEMS as Record<string, DataItemInfo>)[code];
}

/** The data items in the filing's language (Japanese for the PPC). Unknown codes stay as they are. */
export function dataItemWords(items: readonly string[], lang: FilingLanguage): string {
  return items.map((i) => (lang === 'ja' ? (info(i)?.labelJa ?? i) : (info(i)?.label ?? i))).join(lang === 'ja' ? '、' : ', ');
}

/** A cause code in words of the language (Japanese for the PPC and for notices in Japanese). */
export function causeWords(cause: string, lang: FilingLanguage): string {
  return CAUSE_WORDS[cause]?.[lang] ?? cause;
}

function persons(n: number, lang: FilingLanguage): string {
  return lang === 'ja' ? `${groupDigits(n)}人` : `${groupDigits(n)}`;
}

function when(iso: string): string {
  return formatJst(iso);
}

/** Secondary damage from the data items' financial-risk and sensitive flags (domain.md 8a). */
export function secondaryDamageText(items: readonly string[], lang: FilingLanguage): string {
  const financial = items.filter((i) => info(i)?.financialRisk);
  const sensitive = items.filter((i) => info(i)?.sensitive);
  const parts: string[] = [];
  if (financial.length > 0) {
    parts.push(
      lang === 'ja'
        ? `財産的被害のおそれがある項目（${dataItemWords(financial, lang)}）が含まれるため、不正利用等の二次被害のおそれがあります。`
        : `Items usable for money (${dataItemWords(financial, lang)}) are involved: there is a risk of fraudulent use.`,
    );
  } else {
    parts.push(
      lang === 'ja'
        ? '財産的被害のおそれがある項目は含まれていません。現時点で二次被害は確認されていませんが、フィッシング・なりすまし等のおそれがあります。'
        : 'No item usable for money is involved. No secondary damage is known so far; there is a risk of phishing and impersonation.',
    );
  }
  if (sensitive.length > 0) {
    parts.push(
      lang === 'ja'
        ? `要配慮個人情報（${dataItemWords(sensitive, lang)}）が含まれます。`
        : `Special categories of data (${dataItemWords(sensitive, lang)}) are involved.`,
    );
  }
  return parts.join(lang === 'ja' ? '' : ' ');
}

/**
 * The response to the persons so far (item 6), from the notice and the notification progress. A seam: notification
 * waves (another track) will give more than today's single campaign; this function takes the view as it is.
 */
export function personsResponseText(f: FilingFacts, lang: FilingLanguage): string | undefined {
  const n = f.notifications;
  if (!f.notice.approved) return undefined;
  const email = Math.max(n.sent - n.letters, 0);
  if (lang === 'ja') {
    const done = n.status === 'done' || n.status === 'completed' ? '通知を完了しました。' : '通知を実施中です。';
    return `${f.notice.approvedAt ? `${when(f.notice.approvedAt)}に` : ''}本人への通知を開始し、${groupDigits(n.total)}人中${groupDigits(n.sent)}人に送付しました（電子メール${groupDigits(email)}人、書面${groupDigits(n.letters)}人、不達${groupDigits(n.failed)}人）。${done}`;
  }
  return `Notices to the persons started${f.notice.approvedAt ? ` ${when(f.notice.approvedAt)}` : ''}: ${groupDigits(n.sent)} of ${groupDigits(n.total)} sent (${groupDigits(email)} by e-mail, ${groupDigits(n.letters)} by letter, ${groupDigits(n.failed)} failed).`;
}

/**
 * The public announcement so far (item 7). A seam: the case records no announcement yet (`record-announcement` is
 * built in another track); until it does, this answers nothing and the item waits for the insured's words.
 */
export function publicAnnouncementText(_f: FilingFacts, _lang: FilingLanguage): string | undefined {
  return undefined;
}

/** The plan's progress and its measures, one line each (item 8), or nothing when the case keeps no plan yet. */
export function preventionPlanText(plan: readonly PlanLine[] | undefined, lang: FilingLanguage): string[] {
  if (!plan || plan.length === 0) return [];
  const { done, total } = planProgress(plan);
  const head = lang === 'ja' ? `再発防止計画（${total}件中${done}件実施済み）:` : `Recurrence-prevention plan (${done} of ${total} measures done):`;
  const lines = plan.map((m) => {
    const what = PREVENTION_MEASURE_LABELS[m.measure][lang];
    const status = PREVENTION_STATUS_LABELS[m.status][lang];
    return lang === 'ja' ? `・${what}（担当: ${m.owner}、期限: ${when(m.dueAt)}、状況: ${status}）` : `- ${what} (owner: ${m.owner}, due ${when(m.dueAt)}, ${status})`;
  });
  return [head, ...lines];
}

/** Prevention measures (item 8): the plan's progress, then counsel's advice and the findings' notes it came from. */
export function preventionText(f: FilingFacts, lang: FilingLanguage): string | undefined {
  const lines = [
    ...preventionPlanText(f.services?.preventionPlan, lang),
    ...f.counselAdvice.filter((a) => a.advice.trim()).map((a) => (lang === 'ja' ? `弁護士の助言（${when(a.at)}）: ${a.advice.trim()}` : `Counsel's advice (${when(a.at)}): ${a.advice.trim()}`)),
    ...(f.findingsLog ?? []).filter((x) => x.note?.trim()).map((x) => (lang === 'ja' ? `調査結果（${when(x.at)}）: ${x.note!.trim()}` : `Findings (${when(x.at)}): ${x.note!.trim()}`)),
  ];
  return lines.length > 0 ? lines.join('\n') : undefined;
}

function causeText(f: FilingFacts, lang: FilingLanguage): string | undefined {
  const found = (f.findingsLog ?? []).length > 0;
  if (!found) return undefined;
  const notes = (f.findingsLog ?? []).filter((x) => x.note?.trim()).map((x) => x.note!.trim());
  const base = lang === 'ja' ? `${causeWords(f.cause, lang)}（調査により確認）` : `${causeWords(f.cause, lang)} (established by the investigation)`;
  return [base, ...notes].join('\n');
}

function overviewText(f: FilingFacts, lang: FilingLanguage): string {
  const who = f.insuredName ?? (lang === 'ja' ? '当社' : 'The company');
  const occurred = f.occurredAt ? when(f.occurredAt) : lang === 'ja' ? '調査中' : 'under investigation';
  const lines =
    lang === 'ja'
      ? [`${who}は、${when(f.discoveredAt)}、${causeWords(f.cause, lang)}により個人データの漏えい等が発生したおそれがあることを知りました。`, `発生日時: ${occurred}`]
      : [`${who} became aware on ${when(f.discoveredAt)} of a personal data breach (${causeWords(f.cause, lang)}).`, `Occurred: ${occurred}`];
  if (f.description?.trim()) lines.push(lang === 'ja' ? `事案の内容: ${f.description.trim()}` : `What happened: ${f.description.trim()}`);
  return lines.join('\n');
}

function contactText(f: FilingFacts, lang: FilingLanguage): string | undefined {
  if (!f.contact) return undefined;
  const how = [f.contact.phone, f.contact.email].filter(Boolean).join(' / ');
  return lang === 'ja' ? `${f.contact.name}（${how}）` : `${f.contact.name} (${how})`;
}

function otherRegulators(f: FilingFacts, self: FilingObligation, lang: FilingLanguage): string {
  const others = [...new Set(f.obligations.filter((o) => o.audience === 'regulator' && o.regime !== self.regime).map((o) => o.regime))];
  const contact = contactText(f, lang);
  const lines: string[] = [];
  if (contact) lines.push(lang === 'ja' ? `本件の連絡先: ${contact}` : `Contact for this matter: ${contact}`);
  if (others.length > 0) lines.push(lang === 'ja' ? `他の規制当局への報告: ${others.join('、')}` : `Also reported to: ${others.join(', ')}`);
  lines.push(lang === 'ja' ? `事案番号: ${f.caseId}` : `Case reference: ${f.caseId}`);
  return lines.join('\n');
}

function measuresText(f: FilingFacts, lang: FilingLanguage): string | undefined {
  return [personsResponseText(f, lang), preventionText(f, lang)].filter(Boolean).join('\n') || undefined;
}

function consequencesText(f: FilingFacts, lang: FilingLanguage): string {
  return secondaryDamageText(f.dataItems, lang);
}

/** The case's answer to one item, or undefined when the case does not know it (yet). */
function caseValue(code: string, f: FilingFacts, o: FilingObligation, lang: FilingLanguage): string | undefined {
  const n = f.affectedPersons;
  switch (code) {
    case 'overview':
    case 'nature':
    case 'whatHappened':
      return overviewText(f, lang);
    case 'dataItems':
    case 'categoriesOfData':
    case 'whatInformation':
      return f.dataItems.length > 0 ? dataItemWords(f.dataItems, lang) : undefined;
    case 'personsCount':
      return n > 0 ? persons(n, lang) : undefined;
    case 'approxSubjects':
      return n > 0 ? (lang === 'ja' ? `約${persons(n, lang)}` : `About ${groupDigits(n)}`) : undefined;
    case 'approxRecords':
      return n > 0 ? (lang === 'ja' ? `約${groupDigits(n)}件（本人1人につき1件）` : `About ${groupDigits(n)} (one per data subject)`) : undefined;
    case 'cause':
      return causeText(f, lang);
    case 'secondaryDamage':
    case 'likelyConsequences':
      return consequencesText(f, lang);
    case 'responseToPersons':
      return personsResponseText(f, lang);
    case 'publicAnnouncement':
      return publicAnnouncementText(f, lang);
    case 'preventionMeasures':
      return preventionText(f, lang);
    case 'measures':
    case 'whatWeAreDoing':
      return measuresText(f, lang);
    case 'whatYouCanDo':
      return secondaryDamageText(f.dataItems, lang) + (lang === 'ja' ? ' 不審な連絡にはご注意ください。' : ' Please be wary of unexpected messages asking for your details.');
    case 'otherMatters':
      return otherRegulators(f, o, lang);
    case 'contactPoint':
    case 'enquiryDesk':
    case 'forMoreInformation':
      return contactText(f, lang);
    default:
      return undefined;
  }
}

/** Drafts one filing for one obligation: case values, edited texts over them, missing items and readiness. */
export function draftFiling(f: FilingFacts, o: FilingObligation, edits: Readonly<Record<string, string>> = {}): FilingDraft {
  const template = filingTemplate(o.regime, o.audience);
  const language = filingLanguage(o.regime);
  const strict = answersRequired(o);
  const items: Record<string, FilingItem> = {};
  const missing: string[] = [];
  for (const code of TEMPLATE_ITEMS[template]) {
    const label = FILING_ITEM_LABELS[code]![language];
    const edited = edits[code];
    if (edited !== undefined) {
      items[code] = { label, value: edited, source: 'edited' };
      continue;
    }
    const value = caseValue(code, f, o, language);
    if (value === undefined || value.trim() === '') {
      missing.push(code);
      items[code] = { label, value: strict ? '' : PENDING_ANSWER[language], source: 'case' };
    } else items[code] = { label, value, source: 'case' };
  }
  // A phased filing is ready with "調査中" answers; a final APPI report only when every item is answered.
  const status = strict ? (missing.length === 0 ? 'ready' : 'draft') : 'ready';
  const kind = KIND_LABELS[o.kind][language];
  return {
    filingId: filingIdOf(o),
    obligationId: o.id,
    regime: o.regime,
    audience: o.audience,
    kind: o.kind,
    template,
    language,
    title: language === 'ja' ? `${TITLES[template].ja}（${kind}）` : `${TITLES[template].en} (${kind})`,
    dueAt: o.dueAt,
    status,
    missing,
    items,
  };
}

/** One draft per obligation whose audience is `regulator` and per persons notice, in the obligations' order. */
export function draftFilings(f: FilingFacts, edits: Readonly<Record<string, Readonly<Record<string, string>>>> = {}): FilingDraft[] {
  return f.obligations.filter(filingApplies).map((o) => draftFiling(f, o, edits[filingIdOf(o)] ?? {}));
}

/** Which obligations get a filing: every regulator obligation and every persons notice. */
export function filingApplies(o: Pick<FilingObligation, 'audience' | 'kind'>): boolean {
  return o.audience === 'regulator' || o.kind === 'notice';
}

/** The items of a draft in their order, for documents. */
export function filingItemOrder(d: Pick<FilingDraft, 'template'>): readonly string[] {
  return TEMPLATE_ITEMS[d.template];
}

/** Whether `code` is an item of this filing (an edit of another item is refused). */
export function isFilingItem(template: FilingTemplate, code: string): boolean {
  return TEMPLATE_ITEMS[template].includes(code);
}
