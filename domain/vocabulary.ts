/**
 * The public vocabulary of breach-claims (see contract.md): every code here is part of the contract. Extend, never
 * rename or drop.
 */

/**
 * How the seed article (個人情報とは) groups personal information: 基本情報 basic contact and identity data,
 * 属性 a person's attributes and circumstances, 身体的特徴 the body (biometrics, and here also health data, which
 * describes the body), 遺伝 genetic data, 行動 what the person does (purchases, browsing, location, correspondence).
 */
export const DATA_ITEM_GROUPS = ['basic', 'attributes', 'physical', 'genetic', 'behavioural'] as const;
export type DataItemGroup = (typeof DATA_ITEM_GROUPS)[number];

export interface DataItemInfo {
  /** Emotional-harm level on JNSA's EP diagram (1-3). */
  readonly x: 1 | 2 | 3;
  /** Economic-loss level on JNSA's EP diagram (1-3). */
  readonly y: 1 | 2 | 3;
  /** 要配慮個人情報 (APPI Art. 2(3)); also GDPR Art. 9 special categories for our purposes. */
  readonly sensitive: boolean;
  /** Usable for money: triggers APPI ② (財産的被害のおそれ) and SG "significant harm". */
  readonly financialRisk: boolean;
  readonly group: DataItemGroup;
  /** A unique national identifier (KR-PIPA 고유식별정보: passport, licence, registration numbers). */
  readonly uniqueId: boolean;
  readonly label: string;
  readonly labelJa: string;
}

function item(
  x: 1 | 2 | 3,
  y: 1 | 2 | 3,
  group: DataItemGroup,
  label: string,
  labelJa: string,
  flags: { sensitive?: boolean; financialRisk?: boolean; uniqueId?: boolean } = {},
): DataItemInfo {
  return {
    x,
    y,
    sensitive: flags.sensitive ?? false,
    financialRisk: flags.financialRisk ?? false,
    group,
    uniqueId: flags.uniqueId ?? false,
    label,
    labelJa,
  };
}

/** EP cells and flags exactly as in contract.md (source: JNSA 2003 EP diagram and its 2017 annex). */
export const DATA_ITEMS = {
  name: item(1, 1, 'basic', 'Name', '氏名'),
  address: item(1, 1, 'basic', 'Address', '住所'),
  birth_date: item(1, 1, 'basic', 'Date of birth', '生年月日'),
  sex: item(1, 1, 'basic', 'Sex', '性別'),
  phone: item(1, 1, 'basic', 'Phone number', '電話番号'),
  email: item(1, 1, 'basic', 'E-mail address', 'メールアドレス'),
  bank_name: item(1, 1, 'basic', 'Bank name', '銀行名'),
  employee_number: item(1, 1, 'basic', 'Employee number', '社員番号'),
  id_document_number: item(1, 1, 'basic', 'Health-insurance or licence number', '保険証・免許証番号', { uniqueId: true }),
  workplace: item(1, 1, 'attributes', 'Workplace', '勤務先'),
  education: item(1, 1, 'attributes', 'Education', '学歴'),
  family_structure: item(1, 1, 'attributes', 'Family structure', '家族構成'),
  passport_number: item(1, 2, 'basic', 'Passport number', '旅券番号', { uniqueId: true }),
  purchase_history: item(1, 2, 'behavioural', 'Purchase history', '購買履歴'),
  browsing_or_location_history: item(1, 2, 'behavioural', 'Browsing or location history', '閲覧履歴・位置情報'),
  online_credentials: item(1, 2, 'basic', 'Online account and password', 'ID・パスワード', { financialRisk: true }),
  bank_account_with_pin: item(1, 3, 'basic', 'Bank account number with PIN', '口座番号・暗証番号', {
    financialRisk: true,
  }),
  credit_card: item(1, 3, 'basic', 'Credit-card number with expiry', 'クレジットカード番号・有効期限', {
    financialRisk: true,
  }),
  health_checkup: item(2, 1, 'physical', 'Health-check results', '健康診断結果', { sensitive: true }),
  medical_history: item(2, 1, 'physical', 'Medical or pregnancy history', '病歴・妊娠歴', { sensitive: true }),
  biometric: item(2, 1, 'physical', 'Fingerprints, face or other biometrics', '指紋・顔写真等の生体情報'),
  race: item(2, 1, 'attributes', 'Race', '人種', { sensitive: true }),
  nationality: item(2, 1, 'attributes', 'Nationality', '国籍'),
  preferences: item(2, 1, 'behavioural', 'Preferences', '趣味・嗜好'),
  grades: item(2, 1, 'attributes', 'Grades', '成績'),
  email_contents: item(2, 1, 'behavioural', 'E-mail contents', 'メール本文'),
  income: item(2, 2, 'attributes', 'Income', '年収'),
  assets_or_debts: item(2, 2, 'attributes', 'Assets, balances or debts', '資産・残高・負債'),
  will: item(2, 3, 'attributes', 'Will', '遺言書'),
  political_views: item(3, 1, 'attributes', 'Political views', '政治的見解', { sensitive: true }),
  religion: item(3, 1, 'attributes', 'Creed or religion', '信条・宗教', { sensitive: true }),
  family_register_origin: item(3, 1, 'attributes', 'Family register origin (本籍)', '本籍', { sensitive: true }),
  medical_record: item(3, 1, 'physical', 'Medical records', 'カルテ', { sensitive: true }),
  genetic: item(3, 1, 'genetic', 'Genetic data', '遺伝情報', { sensitive: true }),
  disability: item(3, 1, 'physical', 'Disabilities', '障害', { sensitive: true }),
  sexual_life: item(3, 1, 'attributes', 'Sexual life', '性生活'),
  criminal_record: item(3, 3, 'attributes', 'Criminal record', '犯罪歴', { sensitive: true }),
  credit_blacklist: item(3, 3, 'attributes', 'Credit black-list', '信用情報（ブラックリスト）', {
    financialRisk: true,
  }),
} as const satisfies Record<string, DataItemInfo>;

export type DataItem = keyof typeof DATA_ITEMS;
export const DATA_ITEM_CODES = Object.keys(DATA_ITEMS) as [DataItem, ...DataItem[]];

/**
 * The secondary damage a notice warns affected persons of (APPI notice item 4): financial loss when any leaked item
 * carries the financial-risk flag (card, account with PIN, credentials, credit black-list), otherwise phishing and
 * impersonation. Unknown codes carry no flag.
 */
export function secondaryDamageRisk(items: readonly string[]): 'financial' | 'phishing' {
  return items.some((i) => (DATA_ITEMS as Record<string, DataItemInfo>)[i]?.financialRisk === true) ? 'financial' : 'phishing';
}

export const CAUSES = [
  'device_loss',
  'device_theft',
  'misdelivery',
  'misconfiguration',
  'external_attack',
  'insider_malicious',
  'insider_negligent',
  'vendor_breach',
  'web_skimming',
  'other',
] as const;
export type Cause = (typeof CAUSES)[number];

/** APPI ③ 不正の目的をもって行われたおそれ (PPC rules Art. 7(3); skimming/phishing added 2024-04, mclaw.jp). */
export const WRONGFUL_PURPOSE_CAUSES: readonly Cause[] = [
  'device_theft',
  'external_attack',
  'insider_malicious',
  'web_skimming',
];

export const RESIDENCY_KEYS = ['JP', 'EU', 'US-CA', 'US-NY', 'US-TX', 'SG', 'AU', 'KR', 'OTHER'] as const;
export type ResidencyKey = (typeof RESIDENCY_KEYS)[number];

export const REGIMES = ['JP-APPI', 'EU-GDPR', 'US-CA', 'US-NY', 'US-TX', 'SG-PDPA', 'AU-NDB', 'KR-PIPA'] as const;
export type Regime = (typeof REGIMES)[number];

export const AUDIENCES = ['regulator', 'persons'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const OBLIGATION_KINDS = ['preliminary', 'final', 'notice', 'assessment'] as const;
export type ObligationKind = (typeof OBLIGATION_KINDS)[number];

export const OBLIGATION_STATUSES = ['pending', 'done', 'overdue', 'not_required'] as const;
export type ObligationStatus = (typeof OBLIGATION_STATUSES)[number];

/** JP-APPI trigger codes (contract). */
export const JPI_TRIGGERS = ['sensitive_data', 'financial_risk', 'wrongful_purpose', 'over_1000_persons'] as const;
export type JpiTrigger = (typeof JPI_TRIGGERS)[number];

/** Trigger codes of every regime: the JP-APPI ones plus those the other regimes need. */
export const OBLIGATION_TRIGGERS = [
  ...JPI_TRIGGERS,
  'residents_affected',
  'high_risk',
  'over_500_residents',
  'at_least_250_residents',
  'at_least_500_persons',
  'significant_harm',
  'likely_serious_harm',
  'at_least_1000_persons',
  'unique_id',
  'hacking',
] as const;
export type ObligationTrigger = (typeof OBLIGATION_TRIGGERS)[number];

/** Why a regime or one of its obligations is exempt although triggered. */
export const OBLIGATION_EXEMPTIONS = ['all_encrypted'] as const;
export type ObligationExemption = (typeof OBLIGATION_EXEMPTIONS)[number];

export const COST_CATEGORIES = [
  'forensic_investigation',
  'legal_counsel',
  'notification',
  'apology_payment',
  'call_center',
  'public_relations',
  'credit_monitoring',
  'recurrence_prevention',
  'liability_damages',
  'litigation_costs',
] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

/** Categories that draw on the liability limits and carry the deductible; all others are response costs. */
export const LIABILITY_CATEGORIES: readonly CostCategory[] = ['liability_damages', 'litigation_costs'];
export function isLiabilityCategory(category: CostCategory): boolean {
  return LIABILITY_CATEGORIES.includes(category);
}

export const COST_CATEGORY_LABELS: Record<CostCategory, { label: string; labelJa: string }> = {
  forensic_investigation: { label: 'Forensic investigation', labelJa: '原因・被害範囲調査費用' },
  legal_counsel: { label: 'Legal counsel', labelJa: '相談費用・弁護士費用' },
  notification: { label: 'Notification', labelJa: '詫び状作成・通信費' },
  apology_payment: { label: 'Apology payment', labelJa: '見舞金・金券・見舞品' },
  call_center: { label: 'Call centre', labelJa: 'コールセンター委託費用' },
  public_relations: { label: 'Public relations', labelJa: '広告宣伝活動費用・風評被害拡大防止費用' },
  credit_monitoring: { label: 'Credit monitoring', labelJa: 'クレジットモニタリング費用' },
  recurrence_prevention: { label: 'Recurrence prevention', labelJa: '再発防止費用' },
  liability_damages: { label: 'Liability damages', labelJa: '法律上の損害賠償金' },
  litigation_costs: { label: 'Litigation costs', labelJa: '争訟費用' },
};

export const COVERAGE_DECISIONS = ['covered', 'provisional', 'denied'] as const;
export type CoverageDecision = (typeof COVERAGE_DECISIONS)[number];

/**
 * The first seven are the contract's. The next three concern liability only (claims-made trigger, liability assumed
 * by contract, bodily injury / property damage): they deny liability without denying the response costs.
 * `terrorism` (戦争やテロ in the market wording) denies the whole incident unless the policy extends cover to it
 * (`coversTerrorism`); it is appended, not placed beside `war_or_riot`, because codes are only ever added at the end.
 */
export const COVERAGE_REASONS = [
  'outside_policy_period',
  'before_retroactive_date',
  'known_before_inception',
  'directed_by_insured_officers',
  'war_or_riot',
  'natural_catastrophe',
  'occurrence_unknown',
  'claim_outside_policy_period',
  'contractual_liability',
  'bodily_injury_or_property_damage',
  'terrorism',
] as const;
export type CoverageReason = (typeof COVERAGE_REASONS)[number];

/** Why a settlement line is held or reduced. */
export const SETTLEMENT_REASONS = [
  'not_covered_category',
  'consent_missing',
  'persons_missing',
  'evidence_missing',
  'evidence_short',
  'payout_ratio_applied',
  'deductible_applied',
  'capped_by_sub_limit',
  'capped_by_consent_limit',
  'capped_by_per_victim_cap',
  'capped_by_incident_limit',
  'capped_by_period_limit',
] as const;
export type SettlementReason = (typeof SETTLEMENT_REASONS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CASE_STATUSES = ['reported', 'triage', 'response', 'settlement', 'closed', 'denied', 'withdrawn'] as const;
/** The statuses a case ends in: it takes no command after them. */
export const TERMINAL_STATUSES: readonly (typeof CASE_STATUSES)[number][] = ['closed', 'denied', 'withdrawn'];
/** Ended statuses a supervisor may reopen (`reopen`); a withdrawn case stays withdrawn. */
export const REOPENABLE_STATUSES: readonly (typeof CASE_STATUSES)[number][] = ['closed', 'denied'];

export const NOTE_VISIBILITIES = ['internal', 'shared'] as const;
export type NoteVisibility = (typeof NOTE_VISIBILITIES)[number];
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const ROLES = ['insured', 'handler', 'supervisor', 'ops', 'admin', 'vendor'] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  'assign',
  'decide-coverage',
  'consent',
  'record-findings',
  'approve-notice',
  'record-filing',
  'submit-costs',
  'approve-payout',
  'deny',
  'withdraw',
  'close',
  'confirm-findings',
  'reopen',
  'record-announcement',
  'approve-notice-draft',
  'engage-vendor',
  'update-prevention-measure',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Measures of a recurrence-prevention plan (再発防止策, domain.md 8b): access control, encryption, staff training and
 * monitoring as the domain names them, and the management of outsourced vendors (委託先管理) for vendor breaches.
 */
export const PREVENTION_MEASURES = ['access_control', 'encryption', 'staff_training', 'monitoring', 'vendor_management'] as const;
export type PreventionMeasureCode = (typeof PREVENTION_MEASURES)[number];

/** Where a measure of the plan stands. */
export const PREVENTION_MEASURE_STATUSES = ['planned', 'in_progress', 'done'] as const;
export type PreventionMeasureStatus = (typeof PREVENTION_MEASURE_STATUSES)[number];

/** Where a 公表 (public announcement) was made. */
export const ANNOUNCEMENT_CHANNELS = ['website', 'press', 'other'] as const;
export type AnnouncementChannel = (typeof ANNOUNCEMENT_CHANNELS)[number];

export const VENDOR_ROLES = [
  'forensics',
  'counsel',
  'call_center',
  'print_and_mail',
  'credit_monitoring',
  'public_relations',
  'recurrence_prevention',
] as const;
export type VendorRole = (typeof VENDOR_ROLES)[number];

/** The roles `engage-vendor` names (the contract's words: `print_mail` is the panel's `print_and_mail`). */
export const ENGAGE_ROLES = [
  'call_center',
  'public_relations',
  'credit_monitoring',
  'recurrence_prevention',
  'forensics',
  'counsel',
  'print_mail',
] as const;
export type EngageRole = (typeof ENGAGE_ROLES)[number];

export const NOTICE_LANGUAGES = ['ja', 'en'] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];

/** Aggregate facts about a set of leaked items: the highest EP cell and whether any item carries each flag. */
export function summariseDataItems(items: readonly DataItem[]): {
  x: number;
  y: number;
  sensitive: boolean;
  financialRisk: boolean;
  uniqueId: boolean;
} {
  let x = 0;
  let y = 0;
  let sensitive = false;
  let financialRisk = false;
  let uniqueId = false;
  for (const code of items) {
    const info: DataItemInfo = DATA_ITEMS[code];
    x = Math.max(x, info.x);
    y = Math.max(y, info.y);
    sensitive ||= info.sensitive;
    financialRisk ||= info.financialRisk;
    uniqueId ||= info.uniqueId;
  }
  return { x, y, sensitive, financialRisk, uniqueId };
}
