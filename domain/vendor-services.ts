/**
 * Engaging vendors beyond the ones triage dispatches (domain.md sections 7 and 8b): which panel vendor an
 * `engage-vendor` gets, whether the insurer's consent must come first, each role's acknowledgement SLA, when the call
 * centre is engaged by rule, and the FAQ it is given. Pure: the case and the API apply the same rules.
 */
import { causeWords, dataItemWords } from './filings.js';
import { formatJst } from './time.js';
import { groupDigits } from './format.js';
import { DATA_ITEMS, type CostCategory, type EngageRole, type DataItemInfo, type NoticeLanguage, type Role, type VendorRole } from './vocabulary.js';

export function vendorRoleOf(role: EngageRole): VendorRole {
  return role === 'print_mail' ? 'print_and_mail' : role;
}

/** The cost category a vendor of each role invoices its work in (what its consent and its cost lines are about). */
export const ROLE_COST_CATEGORY: Readonly<Record<VendorRole, CostCategory>> = {
  forensics: 'forensic_investigation',
  counsel: 'legal_counsel',
  call_center: 'call_center',
  print_and_mail: 'notification',
  credit_monitoring: 'credit_monitoring',
  public_relations: 'public_relations',
  recurrence_prevention: 'recurrence_prevention',
};

/**
 * Product decision: the acknowledgement SLA per role. `base` is the case's setting (1 hour, domain.md section 7, for
 * forensics and counsel; the call centre and print-and-mail are held to it too, since notices wait on them); the
 * others do work planned over days, so a longer SLA in hours.
 */
export const VENDOR_ACK_SLA_HOURS: Readonly<Record<VendorRole, number | 'base'>> = {
  forensics: 'base',
  counsel: 'base',
  call_center: 'base',
  print_and_mail: 'base',
  public_relations: 4,
  credit_monitoring: 24,
  recurrence_prevention: 72,
};

export function ackSlaMs(role: VendorRole, baseMs: number): number {
  const hours = VENDOR_ACK_SLA_HOURS[role];
  return hours === 'base' ? baseMs : hours * 3_600_000;
}

/** Product decision (domain.md 8b): a call centre is engaged by rule when more than this many notices go out. */
export const CALL_CENTER_NOTICE_THRESHOLD = 1_000;

export function callCenterNeeded(noticesToSend: number): boolean {
  return noticesToSend > CALL_CENTER_NOTICE_THRESHOLD;
}

/** What the rule reads of a case (the case view fits). */
export interface EngagementFacts {
  status: string;
  coverage: { decision: 'covered' | 'provisional' | 'denied' };
  vendors: readonly { vendorId: string; role: string; status: string }[];
  consents: readonly { category: string; vendorId?: string }[];
  /** Engagements asked for and not yet dispatched (waiting for consent). */
  vendorRequests?: readonly { vendorId: string; role: string }[];
}

export interface PanelEntry {
  vendorId: string;
  role: VendorRole;
}

/**
 * - `not_required`: the policy asks for no prior consent (or does not list the category);
 * - `given`: a consent for the category (for this vendor, or for any vendor) is already on the case;
 * - `by_engagement`: the insurer's own people engage the vendor, which is their consent;
 * - `awaiting`: the insured asked; the vendor is engaged once a handler consents to the category.
 */
export type EngagementConsent = 'not_required' | 'given' | 'by_engagement' | 'awaiting';

export type EngagementDecision =
  | { ok: true; role: VendorRole; vendorId: string; category: CostCategory; covered: boolean; consent: EngagementConsent }
  | { ok: false; code: 'invalid' | 'duplicate' | 'wrong_state'; reason: string };

const ACTIVE = new Set(['dispatched', 'acknowledged']);

export function consentOnCase(c: Pick<EngagementFacts, 'consents'>, category: string, vendorId: string): boolean {
  return c.consents.some((x) => x.category === category && (x.vendorId === undefined || x.vendorId === vendorId));
}

/**
 * `engage-vendor`: the vendor (the one named, which must be on the panel in that role, or the next panel vendor of
 * the role the case has not used), its cost category, whether the policy covers it and whether consent gates it.
 * One engagement per role at a time unless a vendor is named; the SLA's fallback replaces vendors, not this.
 */
export function decideEngagement(
  request: { role: EngageRole; vendorId?: string },
  c: EngagementFacts,
  panel: readonly PanelEntry[],
  policy: { categories: Partial<Record<string, { consentRequired: boolean }>> },
  actorRole: Role,
): EngagementDecision {
  const role = vendorRoleOf(request.role);
  if (c.coverage.decision === 'denied') return { ok: false, code: 'wrong_state', reason: 'coverage is denied' };
  const engaged = [...c.vendors, ...(c.vendorRequests ?? []).map((r) => ({ ...r, status: 'dispatched' }))].filter((e) => e.role === role);
  let vendorId = request.vendorId;
  if (vendorId !== undefined) {
    const entry = panel.find((p) => p.vendorId === vendorId);
    if (!entry) return { ok: false, code: 'invalid', reason: `vendor ${vendorId} is not on the panel` };
    if (entry.role !== role) return { ok: false, code: 'invalid', reason: `vendor ${vendorId} is a ${entry.role} vendor, not ${role}` };
    if (engaged.some((e) => e.vendorId === vendorId && ACTIVE.has(e.status))) {
      return { ok: false, code: 'duplicate', reason: `vendor ${vendorId} is already engaged on this case` };
    }
  } else {
    if (engaged.some((e) => ACTIVE.has(e.status))) {
      return { ok: false, code: 'duplicate', reason: `a ${role} vendor is already engaged on this case (name a vendorId to engage another)` };
    }
    const used = new Set(engaged.map((e) => e.vendorId));
    vendorId = panel.find((p) => p.role === role && !used.has(p.vendorId))?.vendorId;
    if (!vendorId) return { ok: false, code: 'wrong_state', reason: `no ${role} vendor left on the panel` };
  }
  const category = ROLE_COST_CATEGORY[role];
  const terms = policy.categories[category];
  const consent: EngagementConsent = !terms?.consentRequired
    ? 'not_required'
    : consentOnCase(c, category, vendorId)
      ? 'given'
      : actorRole === 'insured'
        ? 'awaiting'
        : 'by_engagement';
  return { ok: true, role, vendorId, category, covered: terms !== undefined, consent };
}

// ---- The call centre's FAQ ----

/** What the FAQ is drafted from: facts of the case, never a person's data (structural: the case view fits). */
export interface FaqFacts {
  insuredName?: string;
  discoveredAt: string;
  cause: string;
  dataItems: readonly string[];
  affectedPersons: number;
  consents: readonly { category: string }[];
  /** The apology terms of the policy, when it lists them. */
  apologyPerVictimCapJpy?: number;
  /** The call centre's number, once engaged. */
  phone?: string;
}

export const FAQ_TOPICS = ['what_happened', 'what_leaked', 'what_to_do', 'apology', 'contact'] as const;
export type FaqTopic = (typeof FAQ_TOPICS)[number];

/** The FAQ's facts from a case view and its policy (the case and the API draft the same FAQ). */
export function faqFactsOf(
  view: {
    insuredName?: string;
    discoveredAt: string;
    cause: string;
    dataItems: readonly string[];
    affectedPersons: number;
    consents: readonly { category: string }[];
    services?: { callCenter?: { phone: string | null } };
  },
  policy: { insuredName: string; categories: Partial<Record<string, { perVictimCapJpy?: number }>> },
): FaqFacts {
  const cap = policy.categories['apology_payment']?.perVictimCapJpy;
  const phone = view.services?.callCenter?.phone;
  return {
    insuredName: view.insuredName ?? policy.insuredName,
    discoveredAt: view.discoveredAt,
    cause: view.cause,
    dataItems: view.dataItems,
    affectedPersons: view.affectedPersons,
    consents: view.consents,
    ...(cap ? { apologyPerVictimCapJpy: cap } : {}),
    ...(phone ? { phone } : {}),
  };
}

export interface FaqEntry {
  topic: FaqTopic;
  question: string;
  answer: string;
}

export interface Faq {
  lang: NoticeLanguage;
  entries: FaqEntry[];
}

function financialItems(items: readonly string[]): string[] {
  return items.filter((i) => (DATA_ITEMS as Record<string, DataItemInfo>)[i]?.financialRisk === true);
}

/**
 * The call centre's FAQ in one language: what happened, what leaked, what persons should do, the apology (only once
 * the insurer consented to apology payments), and how to reach the desk. Only the case's facts go in: the cause as a
 * code in words (never the insured's free-text description, which may name persons), the item codes, the count.
 */
export function draftFaq(f: FaqFacts, lang: NoticeLanguage): Faq {
  const ja = lang === 'ja';
  const who = f.insuredName ?? (ja ? '当社' : 'the company');
  const items = dataItemWords(f.dataItems, lang);
  const financial = financialItems(f.dataItems);
  const entries: FaqEntry[] = [
    {
      topic: 'what_happened',
      question: ja ? '何が起きたのですか。' : 'What happened?',
      answer: ja
        ? `${who}は、${formatJst(f.discoveredAt)}、${causeWords(f.cause, lang)}により、お客様の個人情報が漏えいしたおそれがあることを確認しました。対象は${groupDigits(f.affectedPersons)}人です。`
        : `On ${formatJst(f.discoveredAt)}, ${who} found that personal information of its customers may have leaked (${causeWords(f.cause, lang)}). ${groupDigits(f.affectedPersons)} persons are concerned.`,
    },
    {
      topic: 'what_leaked',
      question: ja ? 'どの情報が漏えいしたのですか。' : 'Which information was involved?',
      answer: ja ? `漏えいしたおそれがある項目は、${items}です。` : `The items that may have leaked: ${items}.`,
    },
    {
      topic: 'what_to_do',
      question: ja ? '私は何をすればよいですか。' : 'What should I do?',
      answer:
        financial.length > 0
          ? ja
            ? `${dataItemWords(financial, lang)}が含まれるため、カード会社・金融機関の利用明細をご確認いただき、身に覚えのない取引があればカード会社・金融機関にご連絡ください。`
            : `Because ${dataItemWords(financial, lang)} may be involved, please check your card and bank statements and report any transaction you do not recognise to your card issuer or bank.`
          : ja
            ? '当社を名乗る不審なメール・電話にご注意ください。当社からパスワードや暗証番号をお尋ねすることはありません。'
            : 'Beware of suspicious e-mails or calls in our name. We will never ask for your password or PIN.',
    },
  ];
  const apologyConsented = f.consents.some((x) => x.category === 'apology_payment');
  if (apologyConsented && f.apologyPerVictimCapJpy) {
    entries.push({
      topic: 'apology',
      question: ja ? 'お詫びはありますか。' : 'Is there an apology payment?',
      answer: ja
        ? `お一人につき${groupDigits(f.apologyPerVictimCapJpy)}円相当のお詫びをお届けします。詳しくは個別のお知らせをご覧ください。`
        : `Each person receives an apology worth ${groupDigits(f.apologyPerVictimCapJpy)} yen; see the notice you received for details.`,
    });
  }
  entries.push({
    topic: 'contact',
    question: ja ? '問い合わせ先はどこですか。' : 'Whom can I contact?',
    answer: f.phone
      ? ja
        ? `専用お問い合わせ窓口（電話 ${f.phone}）までご連絡ください。`
        : `Please call the dedicated enquiry desk on ${f.phone}.`
      : ja
        ? 'お知らせに記載の窓口までご連絡ください。'
        : 'Please contact the desk named in the notice you received.',
  });
  return { lang, entries };
}
