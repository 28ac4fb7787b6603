/**
 * E-mail rendering: a pure function from a message description to subject, text and HTML. No I/O and no clock:
 * every time comes in as an ISO-8601 string with an offset and is shown in JST.
 */
import { toHtml, toText, type Block, type EmailDocument } from './document.js';
import { formatJpy, formatJst, formatJstDate, formatSpan, minutesBetween, oneLine } from './format.js';
import {
  AUDIENCE_LABELS,
  CAUSE_LABELS,
  COST_CATEGORY_LABELS,
  COVERAGE_DECISION_LABELS,
  COVERAGE_FACT_LABELS,
  DATA_ITEM_LABELS,
  DENIAL_REASON_EXPLANATIONS,
  DENIAL_REASON_LABELS,
  FACT_VALUE_LABELS,
  NEXT_STEP_LABELS,
  PREVENTION_MEASURE_LABELS,
  PREVENTION_STATUS_LABELS,
  OBLIGATION_KIND_LABELS,
  REGIME_LABELS,
  ROLE_LABELS,
  SECONDARY_DAMAGE_LABELS,
  SEVERITY_LABELS,
  looseLabel,
  strictLabel,
  type Language,
} from './labels.js';
import type { CostCategory } from '../../domain/vocabulary.js';
import { creditMonitoringOfferText, noticeDocument, type NoticeDraft } from '../../domain/notice-draft.js';

export type { Language } from './labels.js';
export { UnknownCodeError } from './labels.js';
export { formatJst, formatJpy } from './format.js';

export interface ContactDesk {
  /** The desk's name, or with `ofInsured` the insured's name (the message then says "its customer enquiry desk"). */
  name: string;
  ofInsured?: boolean;
  /** The desk is the call centre the case engaged: its number is printed on an approved text too. */
  callCenter?: boolean;
  phone?: string;
  email?: string;
  hours?: string;
}

export interface PersonContact {
  name: string;
  phone?: string;
  email?: string;
}

/** One regulatory obligation as a message shows it. `target` marks a product target that is not a legal deadline. */
export interface DeadlineItem {
  regime: string;
  kind: string;
  dueAt: string;
  audience?: string;
  target?: boolean;
}

interface Base {
  language: Language;
}

/** Apology and notice to one affected person (APPI items always; GDPR Art. 34 and California when the regimes say). */
export interface PersonNotice extends Base {
  kind: 'person_notice';
  recipientName: string;
  insuredName: string;
  caseRef: string;
  incidentOverview: string;
  /** Contract data-item codes. */
  dataItems: string[];
  /** Contract cause code. */
  cause: string;
  /** A `secondaryDamageRisk` code of domain/vocabulary.ts (worded from SECONDARY_DAMAGE_LABELS), or text. */
  secondaryDamageRisk: string;
  contactDesk: ContactDesk;
  /** Regimes whose notice rules apply to this person, e.g. `EU-GDPR`, `US-CA`. */
  regimes: string[];
  apologyCode?: string;
  /** Credit monitoring is offered: the person's single-use enrolment code (lib/enrolment-codes.ts). */
  enrolmentCode?: string;
  measures?: string;
  /** GDPR Art. 34 "likely consequences"; falls back to `secondaryDamageRisk`. */
  likelyConsequences?: string;
  /** GDPR contact point (DPO) when it is not the contact desk. */
  dataProtectionContact?: ContactDesk;
  occurredAt?: string;
  discoveredAt?: string;
  issuedAt?: string;
  /**
   * The approved notice draft (rule `noticeDrafts`): the e-mail says exactly its words (domain's `noticeDocument`),
   * with the person's name and apology code; the built-in text above is not used.
   */
  approvedDraft?: NoticeDraft;
}

export interface InsuredAck extends Base {
  kind: 'insured_ack';
  recipientName: string;
  insuredName: string;
  caseId: string;
  receivedAt: string;
  handler: PersonContact | null;
  /** Codes of NEXT_STEP_LABELS (worded in the message's language); any other text is shown as it is. */
  nextSteps: string[];
  deadlines: DeadlineItem[];
  caseUrl?: string;
}

export interface HandlerAssignment extends Base {
  kind: 'handler_assignment';
  recipientName: string;
  caseId: string;
  insuredName: string;
  policyNumber: string;
  severity: string;
  assignedAt: string;
  assignedBy?: string;
  affectedPersons?: number;
  nextDeadline?: DeadlineItem;
  caseUrl?: string;
}

/**
 * To the claims team: a new case was filed and waits for someone to take it. Not an assignment: nobody is assigned
 * yet, and the assignment e-mail follows the `assign` command.
 */
export interface NewCaseFiled extends Base {
  kind: 'new_case';
  recipientName: string;
  caseId: string;
  insuredName: string;
  policyNumber: string;
  severity: string;
  reportedAt: string;
  /** Contract coverage decision at intake. */
  coverage: string;
  affectedPersons?: number;
  nextDeadline?: DeadlineItem;
  caseUrl?: string;
}

export interface DeadlineReminder extends Base {
  kind: 'deadline_reminder';
  recipientName: string;
  caseId: string;
  regime: string;
  obligationKind: string;
  audience?: string;
  dueAt: string;
  /** The instant the reminder is written for; the remaining time is `dueAt - asOf`. */
  asOf: string;
  target?: boolean;
  caseUrl?: string;
}

export interface Escalation extends Base {
  kind: 'escalation';
  recipientName: string;
  recipientRole: 'handler' | 'supervisor' | 'insured';
  caseId: string;
  regime: string;
  obligationKind: string;
  audience?: string;
  dueAt: string;
  asOf: string;
  assignee?: string | null;
  caseUrl?: string;
}

export interface ConsentRequest extends Base {
  kind: 'consent_request';
  recipientName: string;
  caseId: string;
  /** Contract cost category. */
  category: string;
  amountJpy: number;
  vendor: { name: string; panel: boolean };
  requestedBy?: string;
  requestedAt?: string;
  note?: string;
  caseUrl?: string;
}

export interface DenialReason {
  code: string;
  explanation: string;
  facts: string[];
}

export interface DenialLetter extends Base {
  kind: 'denial_letter';
  recipientName: string;
  insuredName: string;
  caseId: string;
  policyNumber: string;
  decidedAt: string;
  reasons: DenialReason[];
  /** Null while nobody is assigned: the letter names the claims team. */
  handler: PersonContact | null;
}

export interface PayoutLine {
  category: string;
  payableJpy: number;
  claimedJpy?: number;
  note?: string;
}

export interface PayoutNotice extends Base {
  kind: 'payout_notice';
  recipientName: string;
  insuredName: string;
  caseId: string;
  policyNumber: string;
  amountJpy: number;
  lines: PayoutLine[];
  paidAt?: string;
  handler?: PersonContact;
}

/**
 * To a supervisor: a payout the requesting handler approved exceeds that handler's authority limit and waits for a
 * supervisor's approval (domain.md section 3, "Authority"; Guidewire's "pending approval").
 */
export interface PayoutApprovalRequest extends Base {
  kind: 'payout_approval_request';
  recipientName: string;
  caseId: string;
  payoutId: string;
  amountJpy: number;
  /** The handler who asked for the payout. */
  requestedBy: string;
  requestedAt: string;
  /** The requester's authority limit, which `amountJpy` exceeds. */
  authorityLimitJpy: number;
  /** What the payout is made of, one line per cost category. */
  lines: { category: CostCategory; payableJpy: number }[];
  insuredName: string;
  policyNumber: string;
  caseUrl?: string;
}

/**
 * To supervisors: a case's coverage decision passed its due time (two Japanese business days after the report, a
 * product decision) with coverage still provisional and no handler's decision.
 */
export interface CoverageEscalation extends Base {
  kind: 'coverage_escalation';
  recipientName: string;
  caseId: string;
  reportedAt: string;
  decideBy: string;
  asOf: string;
  assignee: string | null;
  /** Coverage reason codes the rules left open (e.g. `occurrence_unknown`). */
  reasons: string[];
  caseUrl?: string;
}

/**
 * To supervisors: a consultation of the 24-hour desk was not acknowledged by an on-call handler within its hour. Names
 * the consultation, never the insured's contact person or what the insured said (personal data stays on the desk).
 */
export interface ConsultationEscalation extends Base {
  kind: 'consultation_escalation';
  recipientName: string;
  consultationId: string;
  insuredName: string;
  policyNumber: string;
  openedAt: string;
  ackDueAt: string;
  asOf: string;
  /** When the insured said it became aware (the regulators' clocks may already run from then). */
  awareAt?: string;
  consultationUrl?: string;
}

/**
 * To the insured's contact: a measure of the recurrence-prevention plan is due soon (product decision: a week before)
 * and is not done yet. Names the measure by code (worded here), its owner as the insured set it, and the due date.
 */
export interface PreventionReminder extends Base {
  kind: 'prevention_reminder';
  recipientName: string;
  caseId: string;
  /** A `PREVENTION_MEASURES` code of domain/vocabulary.ts. */
  measure: string;
  owner: string;
  dueAt: string;
  /** A `PREVENTION_MEASURE_STATUSES` code. */
  status: string;
  asOf: string;
  caseUrl?: string;
}

export type EmailMessage =
  | PreventionReminder
  | ConsultationEscalation
  | CoverageEscalation
  | PersonNotice
  | InsuredAck
  | HandlerAssignment
  | NewCaseFiled
  | DeadlineReminder
  | Escalation
  | ConsentRequest
  | DenialLetter
  | PayoutNotice
  | PayoutApprovalRequest;

export type EmailKind = EmailMessage['kind'];

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function renderEmail(msg: EmailMessage): RenderedEmail {
  const { subject, doc } = compose(msg);
  return { subject: oneLine(subject), text: toText(doc), html: toHtml(doc) };
}

function compose(msg: EmailMessage): { subject: string; doc: EmailDocument } {
  switch (msg.kind) {
    case 'person_notice':
      return personNotice(msg);
    case 'insured_ack':
      return insuredAck(msg);
    case 'handler_assignment':
      return handlerAssignment(msg);
    case 'new_case':
      return newCaseFiled(msg);
    case 'deadline_reminder':
      return deadlineReminder(msg);
    case 'escalation':
      return escalation(msg);
    case 'consent_request':
      return consentRequest(msg);
    case 'denial_letter':
      return denialLetter(msg);
    case 'payout_notice':
      return payoutNotice(msg);
    case 'payout_approval_request':
      return payoutApprovalRequest(msg);
    case 'coverage_escalation':
      return coverageEscalation(msg);
    case 'consultation_escalation':
      return consultationEscalation(msg);
    case 'prevention_reminder':
      return preventionReminder(msg);
    default: {
      const unknown: never = msg;
      throw new TypeError(`unknown e-mail kind: ${JSON.stringify((unknown as { kind?: unknown }).kind)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// shared pieces

const h = (text: string): Block => ({ t: 'heading', text });
const p = (text: string): Block => ({ t: 'para', text });
const list = (items: readonly string[]): Block => ({ t: 'list', items });
const fields = (rows: ReadonlyArray<readonly [string, string | undefined | null]>): Block => ({
  t: 'fields',
  rows: rows.filter((r): r is readonly [string, string] => typeof r[1] === 'string' && r[1] !== ''),
});

function dear(name: string, lang: Language): Block {
  return p(lang === 'ja' ? `${name} 様` : `Dear ${name},`);
}

/** Internal mail: a message to a role whose recipient has no name in the directory is addressed to whoever reads it. */
function dearStaff(name: string, lang: Language): Block {
  if (!name.trim()) return p(lang === 'ja' ? 'ご担当者様' : 'Hello,');
  return dear(name, lang);
}

function deskName(desk: ContactDesk, lang: Language): string {
  if (!desk.ofInsured) return desk.name;
  return lang === 'ja' ? `${desk.name} お客様相談窓口` : `${desk.name} customer enquiry desk`;
}

function deskRows(desk: ContactDesk, lang: Language): Array<readonly [string, string | undefined]> {
  const ja = lang === 'ja';
  return [
    [ja ? '窓口' : 'Contact', deskName(desk, lang)],
    [ja ? '電話' : 'Telephone', desk.phone],
    [ja ? 'メール' : 'E-mail', desk.email],
    [ja ? '受付時間' : 'Hours', desk.hours],
  ];
}

function personRows(person: PersonContact, lang: Language): Array<readonly [string, string | undefined]> {
  const ja = lang === 'ja';
  return [
    [ja ? '担当者' : 'Handler', person.name],
    [ja ? '電話' : 'Telephone', person.phone],
    [ja ? 'メール' : 'E-mail', person.email],
  ];
}

function regimeLabel(regime: string, lang: Language): string {
  const label = looseLabel(REGIME_LABELS, regime, lang);
  if (label === regime) return regime;
  return lang === 'ja' ? `${regime}（${label}）` : `${regime} (${label})`;
}

function obligationLabel(regime: string, kind: string, audience: string | undefined, lang: Language): string {
  const kindLabel = looseLabel(OBLIGATION_KIND_LABELS, kind, lang);
  const aud = audience ? looseLabel(AUDIENCE_LABELS, audience, lang) : undefined;
  if (lang === 'ja') return `${regime} ${kindLabel}${aud ? `（${aud}）` : ''}`;
  return `${regime} ${kindLabel}${aud ? ` (${aud})` : ''}`;
}

function deadlineLine(d: DeadlineItem, lang: Language): string {
  const what = obligationLabel(d.regime, d.kind, d.audience, lang);
  const when = formatJst(d.dueAt, lang);
  if (d.target) return lang === 'ja' ? `${what}：${when}（目標。法定期限ではありません）` : `${what}: ${when} (target, not a legal deadline)`;
  return lang === 'ja' ? `${what}：${when}` : `${what}: ${when}`;
}

function caseLink(url: string | undefined, lang: Language): Block[] {
  if (!url) return [];
  return [fields([[lang === 'ja' ? '案件画面' : 'Case', url]])];
}

// ---------------------------------------------------------------------------------------------------------------
// person_notice

const CA_HEADINGS = {
  title: { en: 'Notice of Data Breach', ja: '個人情報漏洩のお知らせ' },
  happened: { en: 'What Happened', ja: '発生した事象' },
  involved: { en: 'What Information Was Involved', ja: '対象となった情報' },
  doing: { en: 'What We Are Doing', ja: '当社の対応' },
  youCanDo: { en: 'What You Can Do', ja: 'お客様にお願いしたいこと' },
  moreInfo: { en: 'For More Information', ja: 'お問い合わせ先' },
} as const;

// California prescribes the English title and headings; a Japanese notice keeps them and adds a translation.
function caHeading(key: keyof typeof CA_HEADINGS, lang: Language): string {
  const entry = CA_HEADINGS[key];
  return lang === 'ja' ? `${entry.en}（${entry.ja}）` : entry.en;
}

function personNotice(m: PersonNotice): { subject: string; doc: EmailDocument } {
  if (m.approvedDraft) {
    const d = noticeDocument(m.approvedDraft, {
      recipientName: m.recipientName,
      insuredName: m.insuredName,
      ...(m.apologyCode ? { apologyCode: m.apologyCode } : {}),
      ...(m.enrolmentCode ? { enrolmentCode: m.enrolmentCode } : {}),
      ...(m.contactDesk.callCenter && m.contactDesk.phone ? { callCenterPhone: m.contactDesk.phone } : {}),
    });
    return { subject: d.subject, doc: { language: d.language, title: d.title, blocks: d.blocks } };
  }
  const lang = m.language;
  const ja = lang === 'ja';
  const gdpr = m.regimes.includes('EU-GDPR');
  const california = m.regimes.includes('US-CA');

  const items = m.dataItems.map((code) => strictLabel(DATA_ITEM_LABELS, 'data item', code, lang));
  const cause = strictLabel(CAUSE_LABELS, 'cause', m.cause, lang);
  const risk = looseLabel(SECONDARY_DAMAGE_LABELS, m.secondaryDamageRisk, lang);
  const measures =
    m.measures ??
    (ja
      ? '原因と影響範囲の調査を進めており、講じる措置は決まり次第お知らせいたします。'
      : 'We are investigating the cause and extent of the incident and will tell you about further measures as they are decided.');
  const advice = ja
    ? '本件に便乗した不審な電話・メール・郵便物にご注意ください。当社からパスワードやカード番号をお尋ねすることはありません。'
    : 'Please be alert to suspicious calls, e-mails or letters that mention this incident. We will never ask you for passwords or card numbers.';
  const desk = fields([...deskRows(m.contactDesk, lang), [ja ? '管理番号' : 'Reference', m.caseRef]]);
  const apology: Block[] = m.apologyCode
    ? [
        p(
          ja
            ? `お詫びのしるしとしてご用意したお品をお受け取りいただくためのコードです（お一人様一回限り有効）。\n${m.apologyCode}`
            : `As a token of our apology we have prepared a gift for you. Use this personal code to claim it (valid once, for you only):\n${m.apologyCode}`,
        ),
      ]
    : [];
  const monitoring: Block[] = m.enrolmentCode
    ? [
        h(ja ? 'クレジットモニタリングのご案内' : 'Credit monitoring for you'),
        p(creditMonitoringOfferText(lang, m.enrolmentCode)),
      ]
    : [];
  const dates: Array<readonly [string, string | undefined]> = [
    [ja ? '発生日' : 'Date of the breach', m.occurredAt ? formatJstDate(m.occurredAt, lang) : california ? (ja ? '調査中' : 'under investigation') : undefined],
    [ja ? '判明日' : 'Date discovered', m.discoveredAt ? formatJstDate(m.discoveredAt, lang) : undefined],
  ];

  const title = california ? (ja ? caHeading('title', lang) : CA_HEADINGS.title.en) : ja ? '個人情報漏洩に関するお詫びとお知らせ' : 'Apology and notice about a leak of your personal information';

  const blocks: Block[] = [
    dear(m.recipientName, lang),
    p(
      ja
        ? `このたび、${m.insuredName}が管理する${m.recipientName}様の個人情報が外部に漏洩した、またはそのおそれがあることが判明いたしました。多大なるご迷惑とご心配をおかけしますことを、心より深くお詫び申し上げます。本件の概要と当社の対応について、下記のとおりお知らせいたします。`
        : `We are writing to tell you that personal information about you held by ${m.insuredName} has been, or may have been, leaked. We sincerely apologise for the concern and inconvenience this causes you. This notice explains what happened and what we are doing about it.`,
    ),
  ];

  if (california) {
    blocks.push(
      h(caHeading('happened', lang)),
      p(m.incidentOverview),
      fields([[ja ? '原因' : 'Cause', cause], ...dates]),
      h(caHeading('involved', lang)),
      list(items),
      h(caHeading('doing', lang)),
      p(measures),
      h(caHeading('youCanDo', lang)),
      fields([[ja ? '二次被害またはそのおそれ' : 'Risk of secondary damage', risk]]),
      p(advice),
      ...monitoring,
      ...apology,
      h(caHeading('moreInfo', lang)),
      desk,
    );
  } else {
    blocks.push(
      h(ja ? '事案の概要' : 'What happened'),
      p(m.incidentOverview),
      ...(dates.some(([, v]) => v) ? [fields(dates)] : []),
      h(ja ? '漏洩した（またはそのおそれがある）個人情報の項目' : 'Personal information involved'),
      list(items),
      h(ja ? '原因' : 'Cause'),
      p(cause),
      h(ja ? '二次被害またはそのおそれの有無及びその内容' : 'Risk of secondary damage'),
      p(risk),
      p(advice),
      ...(m.measures ? [h(ja ? '当社の対応' : 'What we are doing'), p(m.measures)] : []),
      ...monitoring,
      ...apology,
      h(ja ? 'お問い合わせ窓口' : 'Contact desk'),
      desk,
    );
  }

  if (gdpr) {
    const dpo = m.dataProtectionContact ?? m.contactDesk;
    const dpoText = [deskName(dpo, lang), dpo.phone, dpo.email].filter(Boolean).join(' / ');
    blocks.push(
      h(ja ? 'EU一般データ保護規則（GDPR）第34条に基づくお知らせ' : 'Information under Article 34 of the EU General Data Protection Regulation (GDPR)'),
      fields([
        [
          ja ? '個人データ侵害の性質' : 'Nature of the personal data breach',
          ja ? `${m.incidentOverview}（対象となった情報：${items.join('、')}）` : `${m.incidentOverview} (information involved: ${items.join(', ')})`,
        ],
        [ja ? '連絡先（データ保護責任者またはその他の窓口）' : 'Contact point (Data Protection Officer or other contact)', dpoText],
        [ja ? '想定される結果' : 'Likely consequences', m.likelyConsequences ?? risk],
        [ja ? '講じた措置および講じる予定の措置' : 'Measures taken or proposed', measures],
      ]),
    );
  }

  blocks.push(
    p(ja ? '重ねて深くお詫び申し上げます。' : 'Once again, we sincerely apologise.'),
    p([m.issuedAt ? formatJstDate(m.issuedAt, lang) : undefined, m.insuredName].filter(Boolean).join('\n')),
  );

  const subject = california
    ? ja
      ? `【重要】Notice of Data Breach（個人情報漏洩に関するお詫びとお知らせ）${m.insuredName}`
      : `Notice of Data Breach - ${m.insuredName}`
    : ja
      ? `【重要】個人情報漏洩に関するお詫びとお知らせ（${m.insuredName}）`
      : `Important: apology and notice about your personal information (${m.insuredName})`;
  return { subject, doc: { language: lang, title, blocks } };
}

// ---------------------------------------------------------------------------------------------------------------
// insured_ack

function insuredAck(m: InsuredAck): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const blocks: Block[] = [
    dear(m.recipientName, lang),
    p(
      ja
        ? `${m.insuredName}様からの事故のご報告を受け付けました。以下の案件番号でお問い合わせください。`
        : `We have received the incident report from ${m.insuredName}. Please quote the case number below in any correspondence.`,
    ),
    fields([
      [ja ? '案件番号' : 'Case number', m.caseId],
      [ja ? '受付日時' : 'Received at', formatJst(m.receivedAt, lang)],
    ]),
    h(ja ? '担当者' : 'Your handler'),
    m.handler
      ? fields(personRows(m.handler, lang))
      : p(ja ? '担当者は決まり次第ご連絡いたします。' : 'We will tell you who your handler is as soon as one is assigned.'),
  ];
  if (m.nextSteps.length) blocks.push(h(ja ? '今後の流れ' : 'Next steps'), list(m.nextSteps.map((step) => looseLabel(NEXT_STEP_LABELS, step, lang))));
  blocks.push(h(ja ? '法令上の期限（日本時間）' : 'Regulatory deadlines (Japan time)'));
  blocks.push(
    m.deadlines.length
      ? list(m.deadlines.map((d) => deadlineLine(d, lang)))
      : p(ja ? '現時点で該当する届出期限はありません。' : 'No regulatory deadline applies at this point.'),
  );
  blocks.push(
    p(
      ja
        ? '期限は「知った」時点（ご報告の発見日時）から計算しています。事実関係が判明するにつれて早まることがあります。'
        : 'Deadlines run from when your organisation became aware of the leak; they may move earlier as facts emerge, never later.',
    ),
    ...caseLink(m.caseUrl, lang),
  );
  const subject = ja ? `【受付】事故報告受付のお知らせ（案件番号：${m.caseId}）` : `Incident report received (case ${m.caseId})`;
  return { subject, doc: { language: lang, title: ja ? '事故報告受付のお知らせ' : 'Incident report received', blocks } };
}

// ---------------------------------------------------------------------------------------------------------------
// handler_assignment

function handlerAssignment(m: HandlerAssignment): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const blocks: Block[] = [
    dearStaff(m.recipientName, lang),
    p(ja ? '次の案件の担当に割り当てられました。' : 'You have been assigned the following case.'),
    fields([
      [ja ? '案件番号' : 'Case', m.caseId],
      [ja ? '被保険者' : 'Insured', m.insuredName],
      [ja ? '証券番号' : 'Policy', m.policyNumber],
      [ja ? '重大度' : 'Severity', looseLabel(SEVERITY_LABELS, m.severity, lang)],
      [ja ? '影響人数' : 'Affected persons', m.affectedPersons !== undefined ? m.affectedPersons.toLocaleString('en-US') : undefined],
      [ja ? '割当日時' : 'Assigned at', formatJst(m.assignedAt, lang)],
      [ja ? '割当者' : 'Assigned by', m.assignedBy],
      [ja ? '直近の期限' : 'Next deadline', m.nextDeadline ? deadlineLine(m.nextDeadline, lang) : undefined],
    ]),
    ...caseLink(m.caseUrl, lang),
  ];
  const subject = ja ? `【担当割当】案件 ${m.caseId}（${m.insuredName}）` : `Case assigned to you: ${m.caseId} (${m.insuredName})`;
  return { subject, doc: { language: lang, title: ja ? '案件担当のお知らせ' : 'Case assignment', blocks } };
}

// ---------------------------------------------------------------------------------------------------------------
// new_case

function newCaseFiled(m: NewCaseFiled): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const blocks: Block[] = [
    dearStaff(m.recipientName, lang),
    p(
      ja
        ? '新しい事故報告が届きました。担当者はまだ決まっていません。案件画面から担当者を割り当ててください。'
        : 'A new incident has been reported. Nobody is assigned to it yet: please assign a handler on the case.',
    ),
    fields([
      [ja ? '案件番号' : 'Case', m.caseId],
      [ja ? '被保険者' : 'Insured', m.insuredName],
      [ja ? '証券番号' : 'Policy', m.policyNumber],
      [ja ? '重大度' : 'Severity', looseLabel(SEVERITY_LABELS, m.severity, lang)],
      [ja ? '補償判断' : 'Coverage', looseLabel(COVERAGE_DECISION_LABELS, m.coverage, lang)],
      [ja ? '影響人数' : 'Affected persons', m.affectedPersons !== undefined ? m.affectedPersons.toLocaleString('en-US') : undefined],
      [ja ? '受付日時' : 'Reported at', formatJst(m.reportedAt, lang)],
      [ja ? '担当者' : 'Assignee', ja ? '未割当' : 'unassigned'],
      [ja ? '直近の期限' : 'Next deadline', m.nextDeadline ? deadlineLine(m.nextDeadline, lang) : undefined],
    ]),
    ...caseLink(m.caseUrl, lang),
  ];
  const subject = ja ? `【新規事故報告】案件 ${m.caseId}（${m.insuredName}）` : `New case filed: ${m.caseId} (${m.insuredName})`;
  return { subject, doc: { language: lang, title: ja ? '新規事故報告のお知らせ' : 'New case filed', blocks } };
}

// ---------------------------------------------------------------------------------------------------------------
// deadline_reminder

function deadlineReminder(m: DeadlineReminder): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const left = minutesBetween(m.asOf, m.dueAt);
  const what = obligationLabel(m.regime, m.obligationKind, m.audience, lang);
  const remaining =
    left >= 0
      ? ja
        ? `残り ${formatSpan(left, lang)}`
        : `${formatSpan(left, lang)} left`
      : ja
        ? `${formatSpan(left, lang)} 超過`
        : `${formatSpan(left, lang)} overdue`;
  const blocks: Block[] = [
    dearStaff(m.recipientName, lang),
    p(ja ? `案件 ${m.caseId} の次の期限が近づいています。` : `A deadline on case ${m.caseId} is approaching.`),
    fields([
      [ja ? '対象' : 'Obligation', what],
      [ja ? '根拠' : 'Regime', regimeLabel(m.regime, lang)],
      [ja ? '期限' : 'Due', formatJst(m.dueAt, lang)],
      [ja ? '残り時間' : 'Remaining', ja ? `${remaining}（${formatJst(m.asOf, lang)} 時点）` : `${remaining} (as of ${formatJst(m.asOf, lang)})`],
    ]),
    ...(m.target ? [p(ja ? 'これは社内目標であり、法定期限ではありません。' : 'This is an internal target, not a legal deadline.')] : []),
    ...caseLink(m.caseUrl, lang),
  ];
  const subject = ja
    ? `【期限通知】${m.caseId}：${what} ${formatJst(m.dueAt, lang)} まで`
    : `Deadline reminder: ${m.caseId} ${what} due ${formatJst(m.dueAt, lang)}`;
  return { subject, doc: { language: lang, title: ja ? '期限のお知らせ' : 'Deadline reminder', blocks } };
}

// ---------------------------------------------------------------------------------------------------------------
// prevention_reminder

function preventionReminder(m: PreventionReminder): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const what = strictLabel(PREVENTION_MEASURE_LABELS, 'prevention measure', m.measure, lang);
  const status = strictLabel(PREVENTION_STATUS_LABELS, 'prevention measure status', m.status, lang);
  const left = minutesBetween(m.asOf, m.dueAt);
  const remaining = left >= 0 ? (ja ? `残り ${formatSpan(left, lang)}` : `${formatSpan(left, lang)} left`) : ja ? `${formatSpan(left, lang)} 超過` : `${formatSpan(left, lang)} overdue`;
  const blocks: Block[] = [
    dear(m.recipientName, lang),
    p(
      ja
        ? `案件 ${m.caseId} の再発防止策のうち、次の措置の期限が近づいています。進捗は規制当局への確報（再発防止のための措置）に記載されます。実施状況を案件画面でご更新ください。`
        : `A measure of the recurrence-prevention plan of case ${m.caseId} is due soon. Its progress goes into the final report to the regulator (measures to prevent recurrence); please update its status on the case.`,
    ),
    fields([
      [ja ? '措置' : 'Measure', what],
      [ja ? '担当' : 'Owner', m.owner],
      [ja ? '状況' : 'Status', status],
      [ja ? '期限' : 'Due', formatJst(m.dueAt, lang)],
      [ja ? '残り時間' : 'Remaining', ja ? `${remaining}（${formatJst(m.asOf, lang)} 時点）` : `${remaining} (as of ${formatJst(m.asOf, lang)})`],
    ]),
    ...caseLink(m.caseUrl, lang),
  ];
  const subject = ja ? `【再発防止策の期限】${m.caseId}：${what} ${formatJst(m.dueAt, lang)} まで` : `Prevention measure due: ${m.caseId} ${what} by ${formatJst(m.dueAt, lang)}`;
  return { subject, doc: { language: lang, title: ja ? '再発防止策の期限のお知らせ' : 'Prevention measure due', blocks } };
}

// ---------------------------------------------------------------------------------------------------------------
// escalation

function escalation(m: Escalation): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const over = Math.max(0, -minutesBetween(m.asOf, m.dueAt));
  const what = obligationLabel(m.regime, m.obligationKind, m.audience, lang);
  const intro = ja
    ? {
        handler: `担当案件 ${m.caseId} の期限が過ぎています。至急対応してください。`,
        supervisor: `案件 ${m.caseId} の期限が過ぎたため、上席者としてお知らせします。`,
        insured: `案件 ${m.caseId} について、以下の期限が過ぎています。担当者と至急ご対応をご相談ください。`,
      }[m.recipientRole]
    : {
        handler: `A deadline on your case ${m.caseId} has passed unmet. Please act now.`,
        supervisor: `A deadline on case ${m.caseId} has passed unmet; you are informed as supervisor.`,
        insured: `A deadline on case ${m.caseId} has passed. Please contact your handler urgently.`,
      }[m.recipientRole];
  const blocks: Block[] = [
    dearStaff(m.recipientName, lang),
    p(intro),
    fields([
      [ja ? '対象' : 'Obligation', what],
      [ja ? '根拠' : 'Regime', regimeLabel(m.regime, lang)],
      [ja ? '期限' : 'Was due', formatJst(m.dueAt, lang)],
      [ja ? '超過時間' : 'Overdue by', formatSpan(over, lang)],
      [ja ? '担当者' : 'Assignee', m.assignee === undefined ? undefined : (m.assignee ?? (ja ? '未割当' : 'unassigned'))],
      [ja ? '宛先の立場' : 'Sent to you as', looseLabel(ROLE_LABELS, m.recipientRole, lang)],
    ]),
    p(
      ja
        ? '期限後の届出には遅延の理由の説明が求められる場合があります（GDPR第33条第1項など）。'
        : 'A late filing may need to state the reasons for the delay (for example GDPR Art. 33(1)).',
    ),
    ...caseLink(m.caseUrl, lang),
  ];
  const subject = ja
    ? `【至急・期限超過】${m.caseId}：${what}`
    : `URGENT - overdue: ${m.caseId} ${what}`;
  return { subject, doc: { language: lang, title: ja ? '期限超過のお知らせ' : 'Overdue obligation', blocks } };
}

// ---------------------------------------------------------------------------------------------------------------
// consent_request

function consentRequest(m: ConsentRequest): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const category = looseLabel(COST_CATEGORY_LABELS, m.category, lang);
  const amount = formatJpy(m.amountJpy, lang);
  const blocks: Block[] = [
    dearStaff(m.recipientName, lang),
    p(
      ja
        ? `案件 ${m.caseId} について、次の費用の事前同意が求められています。同意があるまで、この費用は支払対象として計上されません。`
        : `Prior written consent is requested for the following cost on case ${m.caseId}. Until consent is given the cost does not count towards the settlement.`,
    ),
    fields([
      [ja ? '費用項目' : 'Cost category', category],
      [ja ? '金額' : 'Amount', amount],
      [ja ? '委託先' : 'Vendor', m.vendor.name],
      [ja ? 'パネル委託先' : 'Panel vendor', m.vendor.panel ? (ja ? 'はい' : 'yes') : ja ? 'いいえ（パネル外）' : 'no (outside the panel)'],
      [ja ? '依頼者' : 'Requested by', m.requestedBy],
      [ja ? '依頼日時' : 'Requested at', m.requestedAt ? formatJst(m.requestedAt, lang) : undefined],
      [ja ? '備考' : 'Note', m.note],
    ]),
    ...caseLink(m.caseUrl, lang),
  ];
  const subject = ja ? `【同意依頼】${m.caseId}：${category} ${amount}` : `Consent requested: ${m.caseId} ${category} ${amount}`;
  return { subject, doc: { language: lang, title: ja ? '費用の事前同意のお願い' : 'Request for prior consent', blocks } };
}

// ---------------------------------------------------------------------------------------------------------------
// denial_letter

function denialLetter(m: DenialLetter): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const blocks: Block[] = [
    dear(m.recipientName, lang),
    p(
      ja
        ? `${m.insuredName}様からご報告いただいた事故（案件番号 ${m.caseId}）につきまして、保険契約の内容に照らして慎重に検討いたしました結果、誠に恐縮ながら、下記の理由により保険金をお支払いすることができません。`
        : `We have carefully reviewed the incident reported by ${m.insuredName} (case ${m.caseId}) against the terms of the policy. We regret to inform you that we are unable to pay under the policy, for the reasons below.`,
    ),
    fields([
      [ja ? '証券番号' : 'Policy number', m.policyNumber],
      [ja ? '案件番号' : 'Case number', m.caseId],
      [ja ? '判断日' : 'Decided on', formatJstDate(m.decidedAt, lang)],
    ]),
  ];
  m.reasons.forEach((r, i) => {
    const label = looseLabel(DENIAL_REASON_LABELS, r.code, lang);
    blocks.push(h(ja ? `理由${i + 1}：${label}` : `Reason ${i + 1}: ${label}`));
    blocks.push(p(denialExplanation(r, lang)));
    if (r.facts.length) blocks.push(p(ja ? '判断の根拠とした事実：' : 'Facts this rests on:'), list(r.facts.map((f) => coverageFact(f, lang))));
  });
  blocks.push(
    p(
      ja
        ? 'この判断の前提となる事実に誤りや新たな事実がある場合は、下記担当者までお知らせください。改めて検討いたします。'
        : 'If any fact above is wrong, or there are facts we have not considered, please tell your handler and we will review the decision.',
    ),
    h(ja ? 'お問い合わせ' : 'Contact'),
    m.handler ? fields(personRows(m.handler, lang)) : p(ja ? '保険金サービス担当（担当者は決まり次第ご連絡いたします）' : 'The claims team (we will tell you who your handler is once one is assigned)'),
  );
  const subject = ja
    ? `保険金お支払いに関するご通知（証券番号：${m.policyNumber}、案件番号：${m.caseId}）`
    : `Decision on your claim: not payable (policy ${m.policyNumber}, case ${m.caseId})`;
  return { subject, doc: { language: lang, title: ja ? '保険金お支払いに関するご通知' : 'Decision on your claim', blocks } };
}

/**
 * The rules explain themselves in English for the claims team (domain/coverage.ts); a letter in another language
 * says what the reason means from DENIAL_REASON_EXPLANATIONS. A handler's own reason (an override) is the handler's
 * words and is shown as written.
 */
function denialExplanation(r: DenialReason, lang: Language): string {
  if (lang === 'en' || !Object.hasOwn(DENIAL_REASON_EXPLANATIONS, r.code)) return r.explanation;
  return DENIAL_REASON_EXPLANATIONS[r.code]![lang];
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A fact as the rules write it, `key: value`, with the key worded and an instant shown in JST; other text as it is. */
function coverageFact(fact: string, lang: Language): string {
  const at = fact.indexOf(': ');
  if (at < 0) return fact;
  const key = fact.slice(0, at);
  const value = fact.slice(at + 2);
  const label = looseLabel(COVERAGE_FACT_LABELS, key, lang);
  if (label === key) return fact;
  const shown = ISO_INSTANT.test(value) ? formatJst(value, lang) : looseLabel(FACT_VALUE_LABELS, value, lang);
  return lang === 'ja' ? `${label}：${shown}` : `${label}: ${shown}`;
}

// ---------------------------------------------------------------------------------------------------------------
// payout_notice

function payoutNotice(m: PayoutNotice): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const amount = formatJpy(m.amountJpy, lang);
  const blocks: Block[] = [
    dear(m.recipientName, lang),
    p(
      ja
        ? `案件番号 ${m.caseId} につきまして、下記のとおり保険金をお支払いいたします。`
        : `We are paying the following amount under policy ${m.policyNumber} for case ${m.caseId}.`,
    ),
    fields([
      [ja ? '証券番号' : 'Policy number', m.policyNumber],
      [ja ? '被保険者' : 'Insured', m.insuredName],
      [ja ? 'お支払額' : 'Amount paid', amount],
      [ja ? 'お支払日' : 'Paid on', m.paidAt ? formatJstDate(m.paidAt, lang) : undefined],
    ]),
    h(ja ? '内訳' : 'Breakdown'),
    {
      t: 'table',
      head: ja ? ['費用項目', 'ご請求額', 'お支払額', '備考'] : ['Category', 'Claimed', 'Paid', 'Note'],
      rows: m.lines.map((l) => [
        looseLabel(COST_CATEGORY_LABELS, l.category, lang),
        l.claimedJpy !== undefined ? formatJpy(l.claimedJpy, lang) : '-',
        formatJpy(l.payableJpy, lang),
        l.note ?? '',
      ]),
    },
    ...(m.handler ? [h(ja ? 'お問い合わせ' : 'Contact'), fields(personRows(m.handler, lang))] : []),
  ];
  const subject = ja ? `保険金お支払いのご案内（案件番号：${m.caseId}）${amount}` : `Claim payment: ${amount} (case ${m.caseId})`;
  return { subject, doc: { language: lang, title: ja ? '保険金お支払いのご案内' : 'Claim payment', blocks } };
}

// ---------------------------------------------------------------------------------------------------------------
// payout_approval_request

function payoutApprovalRequest(m: PayoutApprovalRequest): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const amount = formatJpy(m.amountJpy, lang);
  const limit = formatJpy(m.authorityLimitJpy, lang);
  const blocks: Block[] = [
    dearStaff(m.recipientName, lang),
    p(
      ja
        ? `案件 ${m.caseId} の保険金支払（${amount}）は、依頼者（${m.requestedBy}）の支払権限額（${limit}）を超えるため、上席者の承認をお待ちしています。内容をご確認のうえ、案件画面から承認をお願いいたします。承認があるまで、この支払は実行されません。`
        : `The payout of ${amount} on case ${m.caseId} exceeds the authority limit of ${m.requestedBy} (${limit}) and awaits a supervisor's approval. Please review it and approve it on the case. Nothing is paid until it is approved.`,
    ),
    fields([
      [ja ? '案件番号' : 'Case', m.caseId],
      [ja ? '支払番号' : 'Payout', m.payoutId],
      [ja ? '被保険者' : 'Insured', m.insuredName],
      [ja ? '証券番号' : 'Policy number', m.policyNumber],
      [ja ? '支払額' : 'Amount', amount],
      [ja ? '依頼者' : 'Requested by', m.requestedBy],
      [ja ? '依頼者の支払権限額' : "Requester's authority limit", limit],
      [ja ? '権限超過額' : 'Above the limit by', formatJpy(Math.max(0, m.amountJpy - m.authorityLimitJpy), lang)],
      [ja ? '依頼日時' : 'Requested at', formatJst(m.requestedAt, lang)],
    ]),
    h(ja ? '内訳' : 'Breakdown'),
    {
      t: 'table',
      head: ja ? ['費用項目', '支払額'] : ['Category', 'Amount'],
      rows: m.lines.map((l) => [looseLabel(COST_CATEGORY_LABELS, l.category, lang), formatJpy(l.payableJpy, lang)]),
    },
    ...caseLink(m.caseUrl, lang),
  ];
  const subject = ja
    ? `【支払承認依頼】${m.caseId}：${amount}（${m.insuredName}）`
    : `Payout approval requested: ${m.caseId} ${amount} (${m.insuredName})`;
  return { subject, doc: { language: lang, title: ja ? '保険金支払の承認のお願い' : 'Payout approval requested', blocks } };
}

// ---------------------------------------------------------------------------------------------------------------
// coverage_escalation

function coverageEscalation(m: CoverageEscalation): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const over = Math.max(0, -minutesBetween(m.asOf, m.decideBy));
  const blocks: Block[] = [
    dearStaff(m.recipientName, lang),
    p(
      ja
        ? `案件 ${m.caseId} の有無責判断（保険金支払対象かどうかの判断）が、報告から2営業日の期限を過ぎても未了です。上席者として担当者の状況を確認し、判断を行ってください。`
        : `The coverage decision on case ${m.caseId} is still open two Japanese business days after the report, past its due time. As supervisor, please check with the handler and decide coverage.`,
    ),
    fields([
      [ja ? '案件番号' : 'Case', m.caseId],
      [ja ? '報告日時' : 'Reported', formatJst(m.reportedAt, lang)],
      [ja ? '判断期限' : 'Decision was due', formatJst(m.decideBy, lang)],
      [ja ? '超過時間' : 'Overdue by', formatSpan(over, lang)],
      [ja ? '担当者' : 'Assignee', m.assignee ?? (ja ? '未割当' : 'unassigned')],
      [ja ? '未確定の理由' : 'Open because of', m.reasons.map((r) => looseLabel(DENIAL_REASON_LABELS, r, lang)).join(ja ? '、' : ', ') || undefined],
    ]),
    p(ja ? '期限は土日・祝日を除く営業日で数えています。' : 'The due time counts Japanese business days (weekends and national holidays excluded).'),
    ...caseLink(m.caseUrl, lang),
  ];
  const subject = ja ? `【有無責判断の期限超過】${m.caseId}` : `Coverage decision overdue: ${m.caseId}`;
  return { subject, doc: { language: lang, title: ja ? '有無責判断の期限超過' : 'Coverage decision overdue', blocks } };
}

// ---------------------------------------------------------------------------------------------------------------
// consultation_escalation

function consultationEscalation(m: ConsultationEscalation): { subject: string; doc: EmailDocument } {
  const lang = m.language;
  const ja = lang === 'ja';
  const over = Math.max(0, -minutesBetween(m.asOf, m.ackDueAt));
  const blocks: Block[] = [
    dearStaff(m.recipientName, lang),
    p(
      ja
        ? `事故相談窓口への相談 ${m.consultationId} が、受付から1時間以内に当番の担当者に受け付けられていません。上席者として担当者を手配し、至急被保険者へ折り返してください。`
        : `Consultation ${m.consultationId} to the 24-hour desk has not been acknowledged by an on-call handler within an hour of its opening. As supervisor, please find a handler and call the insured back now.`,
    ),
    fields([
      [ja ? '相談番号' : 'Consultation', m.consultationId],
      [ja ? '被保険者' : 'Insured', m.insuredName],
      [ja ? '証券番号' : 'Policy', m.policyNumber],
      [ja ? '受付日時' : 'Opened', formatJst(m.openedAt, lang)],
      [ja ? '受付期限' : 'Acknowledgement was due', formatJst(m.ackDueAt, lang)],
      [ja ? '超過時間' : 'Overdue by', formatSpan(over, lang)],
      [ja ? '事故を知った日時（申告）' : 'Aware since (as the insured said)', m.awareAt ? formatJst(m.awareAt, lang) : undefined],
    ]),
    p(
      ja
        ? '事案に移行した場合、規制当局への報告期限は申告された「知った」時点から計算されます。'
        : 'If it becomes a case, the regulators\u2019 deadlines run from the awareness time the insured gave.',
    ),
    ...(m.consultationUrl ? [fields([[ja ? '相談画面' : 'Consultation', m.consultationUrl]])] : []),
  ];
  const subject = ja ? `【相談受付の期限超過】${m.consultationId}（${m.insuredName}）` : `Consultation not acknowledged: ${m.consultationId} (${m.insuredName})`;
  return { subject, doc: { language: lang, title: ja ? '相談受付の期限超過' : 'Consultation not acknowledged', blocks } };
}
