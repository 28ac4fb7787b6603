/**
 * Wording tables for e-mails: every contract code a message may mention, in Japanese and English.
 * Keyed by the codes of contract.md so a renamed code fails the type check or the lookup, never the reader.
 */
import { PREVENTION_MEASURE_LABELS as MEASURES, PREVENTION_STATUS_LABELS as STATUSES } from '../../domain/prevention-plan.js';

export type Language = 'ja' | 'en';

export interface Label {
  readonly ja: string;
  readonly en: string;
}

export const DATA_ITEM_LABELS: Readonly<Record<string, Label>> = {
  name: { ja: '氏名', en: 'Name' },
  address: { ja: '住所', en: 'Postal address' },
  birth_date: { ja: '生年月日', en: 'Date of birth' },
  sex: { ja: '性別', en: 'Sex' },
  phone: { ja: '電話番号', en: 'Telephone number' },
  email: { ja: 'メールアドレス', en: 'E-mail address' },
  bank_name: { ja: '金融機関名', en: 'Name of your bank' },
  employee_number: { ja: '従業員番号', en: 'Employee number' },
  id_document_number: { ja: '健康保険証・運転免許証等の番号', en: 'Health-insurance card, driving licence or other ID number' },
  workplace: { ja: '勤務先', en: 'Workplace' },
  education: { ja: '学歴', en: 'Education' },
  family_structure: { ja: '家族構成', en: 'Family structure' },
  passport_number: { ja: '旅券（パスポート）番号', en: 'Passport number' },
  purchase_history: { ja: '購買履歴', en: 'Purchase history' },
  browsing_or_location_history: { ja: '閲覧履歴・位置情報', en: 'Browsing or location history' },
  online_credentials: { ja: 'ID・パスワード等の認証情報', en: 'Online account IDs and passwords' },
  bank_account_with_pin: { ja: '口座番号および暗証番号', en: 'Bank account number with PIN' },
  credit_card: { ja: 'クレジットカード番号および有効期限', en: 'Credit card number and expiry date' },
  health_checkup: { ja: '健康診断の結果', en: 'Health check-up results' },
  medical_history: { ja: '病歴', en: 'Medical history' },
  biometric: { ja: '指紋等の生体情報', en: 'Fingerprints or other biometric data' },
  race: { ja: '人種', en: 'Race' },
  nationality: { ja: '国籍', en: 'Nationality' },
  preferences: { ja: '趣味・嗜好', en: 'Personal preferences' },
  grades: { ja: '成績', en: 'Grades' },
  email_contents: { ja: '電子メールの内容', en: 'Contents of e-mails' },
  income: { ja: '収入', en: 'Income' },
  assets_or_debts: { ja: '資産・負債', en: 'Assets or debts' },
  will: { ja: '遺言', en: 'Will' },
  political_views: { ja: '政治的見解', en: 'Political views' },
  religion: { ja: '信条・宗教', en: 'Creed or religion' },
  family_register_origin: { ja: '本籍地', en: 'Registered domicile (honseki)' },
  medical_record: { ja: '診療記録', en: 'Medical records' },
  genetic: { ja: '遺伝情報', en: 'Genetic data' },
  disability: { ja: '障害に関する情報', en: 'Information about disabilities' },
  sexual_life: { ja: '性生活に関する情報', en: 'Information about sexual life' },
  criminal_record: { ja: '犯罪歴', en: 'Criminal record' },
  credit_blacklist: { ja: '信用情報（事故情報）', en: 'Adverse credit records' },
};

export const CAUSE_LABELS: Readonly<Record<string, Label>> = {
  device_loss: { ja: '端末・記録媒体の紛失', en: 'Loss of a device or storage medium' },
  device_theft: { ja: '端末・記録媒体の盗難', en: 'Theft of a device or storage medium' },
  misdelivery: { ja: '誤送付・誤送信', en: 'Mail or e-mail sent to the wrong recipient' },
  misconfiguration: { ja: 'システムの設定誤り', en: 'A system was configured incorrectly' },
  external_attack: { ja: '外部からの不正アクセス', en: 'Unauthorised access from outside (cyber-attack)' },
  insider_malicious: { ja: '内部者による不正な持ち出し', en: 'Wrongful taking of data by an insider' },
  insider_negligent: { ja: '従業員等の過失', en: 'A mistake by a member of staff' },
  vendor_breach: { ja: '業務委託先における漏洩', en: 'A leak at one of our contractors' },
  web_skimming: {
    ja: 'ウェブサイトの改ざんによる入力情報の窃取（ウェブスキミング）',
    en: 'Tampering with our website to capture what was entered (web skimming)',
  },
  other: { ja: 'その他', en: 'Other' },
};

export const REGIME_LABELS: Readonly<Record<string, Label>> = {
  'JP-APPI': { ja: '個人情報保護法（日本）', en: 'Act on the Protection of Personal Information (Japan)' },
  'EU-GDPR': { ja: 'EU一般データ保護規則（GDPR）', en: 'EU General Data Protection Regulation (GDPR)' },
  'US-CA': { ja: 'カリフォルニア州民法典 §1798.82', en: 'California Civil Code §1798.82' },
  'US-NY': { ja: 'ニューヨーク州一般事業法 §899-aa', en: 'New York General Business Law §899-aa' },
  'US-TX': { ja: 'テキサス州事業商業法 §521.053', en: 'Texas Business and Commerce Code §521.053' },
  'SG-PDPA': { ja: 'シンガポール個人データ保護法（PDPA）', en: 'Singapore Personal Data Protection Act (PDPA)' },
  'AU-NDB': { ja: 'オーストラリア データ侵害通知制度（NDB）', en: 'Australian Notifiable Data Breaches scheme (NDB)' },
  'KR-PIPA': { ja: '韓国個人情報保護法（PIPA）', en: 'Korean Personal Information Protection Act (PIPA)' },
};

export const OBLIGATION_KIND_LABELS: Readonly<Record<string, Label>> = {
  preliminary: { ja: '速報', en: 'preliminary report' },
  final: { ja: '確報', en: 'final report' },
  notice: { ja: '本人への通知', en: 'notice to affected persons' },
  assessment: { ja: '評価', en: 'assessment' },
};

export const AUDIENCE_LABELS: Readonly<Record<string, Label>> = {
  regulator: { ja: '監督当局', en: 'regulator' },
  persons: { ja: '本人', en: 'affected persons' },
};

export const COST_CATEGORY_LABELS: Readonly<Record<string, Label>> = {
  forensic_investigation: { ja: '原因・被害範囲調査費用', en: 'Forensic investigation' },
  legal_counsel: { ja: '相談費用・弁護士費用', en: 'Legal counsel' },
  notification: { ja: '詫び状作成・通信費用', en: 'Notification (letters and postage)' },
  apology_payment: { ja: '見舞金・見舞品費用', en: 'Apology payments' },
  call_center: { ja: 'コールセンター委託費用', en: 'Call centre' },
  public_relations: { ja: '広告宣伝活動費用・風評被害拡大防止費用', en: 'Public relations' },
  credit_monitoring: { ja: 'クレジットモニタリング費用', en: 'Credit monitoring' },
  recurrence_prevention: { ja: '再発防止費用', en: 'Recurrence prevention' },
  liability_damages: { ja: '法律上の損害賠償金', en: 'Legal damages' },
  litigation_costs: { ja: '争訟費用', en: 'Litigation costs' },
};

export const DENIAL_REASON_LABELS: Readonly<Record<string, Label>> = {
  outside_policy_period: { ja: '保険期間外の事故', en: 'Outside the policy period' },
  before_retroactive_date: { ja: '遡及日より前に発生した事故', en: 'Occurred before the retroactive date' },
  known_before_inception: {
    ja: '保険期間開始前に認識していた事由',
    en: 'Circumstances known before inception',
  },
  directed_by_insured_officers: {
    ja: '保険契約者または被保険者の故意',
    en: "Intentional act directed by the insured's officers",
  },
  war_or_riot: { ja: '戦争・暴動・労働争議等', en: 'War, invasion, riot or labour dispute' },
  terrorism: { ja: 'テロ行為', en: 'Terrorism' },
  natural_catastrophe: { ja: '地震・噴火・津波・洪水・高潮', en: 'Earthquake, eruption, tsunami, flood or storm surge' },
  claim_outside_policy_period: { ja: '保険期間外になされた損害賠償請求', en: 'Claim for damages made outside the policy period' },
  contractual_liability: { ja: '契約により加重された賠償責任', en: 'Liability added by contract' },
  bodily_injury_or_property_damage: { ja: '身体の障害・財物の損壊', en: 'Bodily injury or property damage' },
  category_not_covered: { ja: '補償対象外の費用', en: 'Cost category not covered by the policy' },
  occurrence_unknown: { ja: '発生日未確定', en: 'Date of occurrence unknown' },
  handler_decision: { ja: '担当者による判断', en: "Handler's decision" },
};

/**
 * What each reason means, in the letter's language. The rules' own explanations (domain/coverage.ts) are written for
 * the claims team in English; a letter in Japanese says the same thing in Japanese from this table.
 */
export const DENIAL_REASON_EXPLANATIONS: Readonly<Record<string, Label>> = {
  outside_policy_period: {
    ja: '事故を発見された日時が保険期間外であるため、本保険契約の対象となりません（保険期間の末日の時刻ちょうどは含みません）。',
    en: 'The leak was discovered outside the policy period (the moment the period ends is not covered).',
  },
  before_retroactive_date: {
    ja: '漏洩が保険契約の遡及日より前に発生しているため、本保険契約の対象となりません。',
    en: 'The leak occurred before the retroactive date of the policy.',
  },
  known_before_inception: {
    ja: '保険期間の開始前に、この事故につながる事由を認識されていたため、本保険契約の対象となりません。',
    en: 'The insured knew of the circumstances before the policy incepted.',
  },
  directed_by_insured_officers: {
    ja: '漏洩が保険契約者または被保険者の役員の指示（故意）によるものであるため、本保険契約の対象となりません。従業員個人の不正行為であれば対象となります。',
    en: "The leak was directed by the insured's officers. An employee's own wrongdoing would be covered.",
  },
  war_or_riot: {
    ja: '戦争・侵略・暴動・労働争議等に起因する事故は、本保険契約の対象外です。',
    en: 'Losses caused by war, invasion, riot or labour dispute are excluded.',
  },
  terrorism: {
    ja: 'テロ行為に起因する事故は、本保険契約の対象外です（テロ行為を補償する特約が付帯されていません）。',
    en: 'Losses caused by terrorism are excluded; the policy does not extend cover to terrorism.',
  },
  natural_catastrophe: {
    ja: '地震・噴火・津波・洪水・高潮に起因する事故は、本保険契約の対象外です。',
    en: 'Losses caused by earthquake, eruption, tsunami, flood or storm surge are excluded.',
  },
  occurrence_unknown: {
    ja: '漏洩の発生日が確定していないため、調査により遡及日以降の発生と確認されるまで、補償の判断は暫定となります。',
    en: 'The date of the leak is not known: the decision stays provisional until the investigation dates it on or after the retroactive date.',
  },
};

/** The facts a coverage decision rests on (the keys of domain/coverage.ts `facts`). */
export const COVERAGE_FACT_LABELS: Readonly<Record<string, Label>> = {
  discoveredAt: { ja: '発見日時', en: 'Discovered' },
  discoveredAtJst: { ja: '発見日時（日本時間）', en: 'Discovered (Japan time)' },
  occurredAt: { ja: '発生日時', en: 'Occurred' },
  occurredAtJst: { ja: '発生日時（日本時間）', en: 'Occurred (Japan time)' },
  periodStart: { ja: '保険期間の始期', en: 'Policy period starts' },
  periodEnd: { ja: '保険期間の終期', en: 'Policy period ends' },
  retroactiveDate: { ja: '遡及日', en: 'Retroactive date' },
  directedByInsuredOfficers: { ja: '役員の指示による漏洩', en: "Directed by the insured's officers" },
  warOrRiot: { ja: '戦争・暴動等', en: 'War or riot' },
  terrorism: { ja: 'テロ行為', en: 'Terrorism' },
  naturalCatastrophe: { ja: '自然災害', en: 'Natural catastrophe' },
  knownBeforeInception: { ja: '保険期間開始前の認識', en: 'Known before inception' },
  contractualLiability: { ja: '契約により加重された責任', en: 'Contractual liability' },
  bodilyInjuryOrPropertyDamage: { ja: '身体の障害・財物の損壊', en: 'Bodily injury or property damage' },
  coversTerrorism: { ja: 'テロ行為補償特約', en: 'Policy covers terrorism' },
  decidedBy: { ja: '判断者', en: 'Decided by' },
  decidedAt: { ja: '判断日時', en: 'Decided at' },
};

/** Values the coverage facts take besides times. */
export const FACT_VALUE_LABELS: Readonly<Record<string, Label>> = {
  yes: { ja: 'あり', en: 'yes' },
  no: { ja: 'なし', en: 'no' },
  unknown: { ja: '不明', en: 'unknown' },
};

/** `secondaryDamageRisk` codes of domain/vocabulary.ts, as a notice to persons words them. */
export const SECONDARY_DAMAGE_LABELS: Readonly<Record<string, Label>> = {
  financial: {
    ja: '漏洩した情報が不正な取引や送金に悪用され、金銭的な被害が生じるおそれがあります。',
    en: 'The information could be misused for fraudulent payments or transfers, causing you financial loss.',
  },
  phishing: {
    ja: '漏洩した情報を悪用した、なりすましや詐欺を目的とする電話・メール・郵便物が届くおそれがあります。',
    en: 'You may receive calls, e-mails or letters that misuse the information to impersonate us or to defraud you.',
  },
};

/** Measures of a recurrence-prevention plan and their statuses (the domain's words, which the filings use too). */
export const PREVENTION_MEASURE_LABELS: Readonly<Record<string, Label>> = MEASURES;
export const PREVENTION_STATUS_LABELS: Readonly<Record<string, Label>> = STATUSES;

/** The steps an acknowledgement lists under "next steps" (codes the case sends). */
export const NEXT_STEP_LABELS: Readonly<Record<string, Label>> = {
  vendors_engaged: {
    ja: 'パネルの弁護士事務所とフォレンジック調査会社に依頼を進めています。',
    en: 'Breach counsel and a forensic firm from the panel are being engaged.',
  },
  upload_persons: {
    ja: '本人への通知を準備するため、影響を受けた方の一覧（CSV）をアップロードしてください。',
    en: 'Upload the list of affected persons (CSV) so that notices can be prepared.',
  },
  keep_evidence: {
    ja: '費用は証憑に基づいてお支払いしますので、請求書・領収書を保管してください。',
    en: 'Keep invoices and receipts: costs are paid against evidence.',
  },
};

export const COVERAGE_DECISION_LABELS: Readonly<Record<string, Label>> = {
  covered: { ja: '補償対象', en: 'covered' },
  provisional: { ja: '暫定（発生日の確認待ち）', en: 'provisional (date of occurrence to be confirmed)' },
  denied: { ja: '補償対象外', en: 'denied' },
};

export const SEVERITY_LABELS: Readonly<Record<string, Label>> = {
  low: { ja: '低', en: 'low' },
  medium: { ja: '中', en: 'medium' },
  high: { ja: '高', en: 'high' },
  critical: { ja: '重大', en: 'critical' },
};

export const ROLE_LABELS: Readonly<Record<string, Label>> = {
  handler: { ja: '担当者', en: 'handler' },
  supervisor: { ja: '上席者', en: 'supervisor' },
  insured: { ja: '被保険者', en: 'insured' },
};

/** Thrown when a notice would have to show a raw code to an affected person: a vocabulary gap to fix, not to hide. */
export class UnknownCodeError extends RangeError {
  constructor(
    readonly table: string,
    readonly code: string,
  ) {
    super(`no ${table} label for code "${code}"`);
    this.name = 'UnknownCodeError';
  }
}

export function strictLabel(table: Readonly<Record<string, Label>>, tableName: string, code: string, lang: Language): string {
  const label = Object.hasOwn(table, code) ? table[code] : undefined;
  if (!label) throw new UnknownCodeError(tableName, code);
  return label[lang];
}

/** For internal mail (handlers, insureds) a code the table lacks is still meaningful to the reader. */
export function looseLabel(table: Readonly<Record<string, Label>>, code: string, lang: Language): string {
  const label = Object.hasOwn(table, code) ? table[code] : undefined;
  return label ? label[lang] : code;
}
