/**
 * Wording tables for e-mails: every contract code a message may mention, in Japanese and English.
 * Keyed by the codes of contract.md so a renamed code fails the type check or the lookup, never the reader.
 */
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
