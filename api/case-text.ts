/**
 * The texts a case records and its rules produce, in the reader's language. The case writes them in English as it
 * happens (timeline summaries by `record()` in workflows/case/*.ts; severity reasons, coverage explanations and
 * facts, obligation explanations and settlement steps by the pure rules in domain/*.ts, stored in the view). English
 * stays the record; a Japanese reader gets each text read back into its template (the engine of
 * `text-templates.ts`, as `problem-text.ts` does for refusals) and written again from its Japanese twin.
 *
 * Parameters carry their kind: a code (`status`, `cause`, `category`...) is worded, a JST time (`jst`) and an ISO time
 * (`iso`) are written the Japanese way, `text` is itself read back through these tables, and a vocabulary kind
 * (`label`, `regime`, `why`...) only matches a value of its table (so the reading is exact, never a guess).
 * Anything else (ids, counts, the free text people and vendors send: reasons, error messages, vendor names) is
 * carried as it came. A text no template fits is returned as recorded.
 */
import {
  COST_CATEGORY_LABELS,
  type AnnouncementChannel,
  DATA_ITEMS,
  EXCLUSIONS,
  FINDINGS_CONCERN_TEXT,
  FINDINGS_PROBLEM_TEXT,
  LIABILITY_EXCLUSIONS,
  PREVENTION_MEASURE_LABELS,
  PREVENTION_STATUS_LABELS,
  REGIME_RULES,
  SEVERITY_BANDS,
  type CaseStatus,
  type Cause,
  type CoverageDecision,
  type CoverageReason,
  type FindingsConcern,
  type FindingsProblem,
  type ObligationTrigger,
  type ResidencyKey,
  type SettlementReason,
  type Severity,
  type VendorRole,
} from '../domain/index.js';
import type { CaseView, TimelineEntry } from '../workflows/contract.js';
import { FINDINGS_JA_TEXT, type ProblemLanguage } from './problem-text.js';
import { compileTemplate, fillTemplate, type CompiledTemplate, type TemplateParams, type Words } from './text-templates.js';

export type CaseTextLanguage = ProblemLanguage;

// ---- vocabularies: the English the rules write, and its Japanese -------------------------------------------------

// Typed by the domain's code lists, so a new code without Japanese is a compile error.
const STATUS: Record<CaseStatus, string> = {
  reported: '受付', triage: '初期評価', response: '対応中', settlement: '精算中', closed: '終了', denied: '支払対象外', withdrawn: '取下げ',
};
const SEVERITY: Record<Severity, string> = { low: '低', medium: '中', high: '高', critical: '重大' };
const DECISION: Record<CoverageDecision, string> = { covered: '補償対象', provisional: '暫定', denied: '補償対象外' };
const CAUSE: Record<Cause, string> = {
  device_loss: '端末・媒体の紛失', device_theft: '端末・媒体の盗難', misdelivery: '誤送付・誤送信', misconfiguration: '設定ミス',
  external_attack: '外部からの不正アクセス', insider_malicious: '内部者の不正', insider_negligent: '内部者の過失',
  vendor_breach: '委託先での漏えい', web_skimming: 'ウェブスキミング', other: 'その他',
};
const REASON: Record<CoverageReason | SettlementReason | 'category_limit_exhausted' | 'period_limit_exhausted', string> = {
  outside_policy_period: '保険期間外', before_retroactive_date: '遡及日より前', known_before_inception: '保険期間開始前から認識',
  directed_by_insured_officers: '役員の指示による', war_or_riot: '戦争・暴動', natural_catastrophe: '自然災害',
  occurrence_unknown: '発生日時が不明', claim_outside_policy_period: '請求が保険期間外', contractual_liability: '契約による加重責任',
  bodily_injury_or_property_damage: '身体障害・財物損壊', terrorism: 'テロ行為', not_covered_category: '補償対象外の費用項目',
  consent_missing: '事前の同意なし', persons_missing: '人数の記載なし', evidence_missing: '証憑なし', evidence_short: '証憑の金額不足',
  payout_ratio_applied: '支払割合を適用', deductible_applied: '免責金額を適用', capped_by_sub_limit: '費用項目の限度額まで',
  capped_by_consent_limit: '同意した上限まで', capped_by_per_victim_cap: '1人あたりの上限まで', capped_by_incident_limit: '1事故の限度額まで',
  capped_by_period_limit: '保険期間中の限度額まで', category_limit_exhausted: '費用項目の限度額を使い切り', period_limit_exhausted: '保険期間の限度額を使い切り',
};
const VENDOR_ROLE: Record<VendorRole, string> = {
  forensics: 'フォレンジック調査', counsel: '弁護士', call_center: 'コールセンター', public_relations: '広報',
  credit_monitoring: 'クレジットモニタリング', print_and_mail: '印刷・郵送', recurrence_prevention: '再発防止',
};
/** A document's media type (storage/documents.ts `DOCUMENT_TYPES`) in words, as the desk names it. */
const MEDIA_TYPE: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/png': 'PNG画像',
  'image/jpeg': 'JPEG画像',
  'image/tiff': 'TIFF画像',
  'image/webp': 'WebP画像',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'ワード文書',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'エクセル表',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'パワーポイント資料',
  'message/rfc822': 'メール',
};
const EVENT_TYPE: Record<string, string> = {
  acknowledged: '受諾', findings: '調査結果', advice: '助言', invoice: '請求書', letters_mailed: '郵送完了', letters_returned: '郵便の返送',
  enquiries_reported: '問い合わせ件数の報告',
};
/** Where a 公表 was made (`record-announcement`). */
const CHANNEL: Record<AnnouncementChannel, string> = { website: 'ウェブサイト', press: '報道発表', other: 'その他の方法' };
const TRIGGER: Record<ObligationTrigger, string> = {
  sensitive_data: '要配慮個人情報', financial_risk: '財産的被害のおそれ', wrongful_purpose: '不正の目的のおそれ', over_1000_persons: '1,000人超',
  residents_affected: '居住者が影響', high_risk: '高いリスク', over_500_residents: '居住者500人超', at_least_250_residents: '居住者250人以上',
  at_least_500_persons: '500人以上', significant_harm: '重大な被害のおそれ', likely_serious_harm: '深刻な被害のおそれ',
  at_least_1000_persons: '1,000人以上', unique_id: '固有識別情報', hacking: '不正アクセス',
};
const CATEGORY: Record<string, string> = Object.fromEntries(Object.entries(COST_CATEGORY_LABELS).map(([k, v]) => [k, v.labelJa]));
const RESIDENCY: Record<ResidencyKey, string> = {
  JP: '日本', EU: 'EU・欧州経済領域', 'US-CA': 'カリフォルニア州', 'US-NY': 'ニューヨーク州', 'US-TX': 'テキサス州', SG: 'シンガポール', AU: 'オーストラリア', KR: '韓国', OTHER: 'その他の地域',
};

/** What `SEVERITY_BANDS.byPersons[].why` says, in Japanese. */
export const SEVERITY_WHY_JA: Record<string, string> = {
  'a mass breach: public attention and a large call-centre load': '大規模な漏えい：社会の注目とコールセンターの大きな負荷',
  'tens of thousands of notices and enquiries': '数万件の通知と問い合わせ',
  'more than 1,000 persons: reportable under APPI on count alone': '1,000人超：人数だけでAPPIの報告対象',
  'up to 1,000 persons': '1,000人以下',
};
const SEVERITY_DATA_JA: Record<string, string> = {
  'sensitive data (要配慮個人情報)': '要配慮個人情報',
  'financial-risk data': '財産的被害のおそれがある情報',
  'sensitive data (要配慮個人情報) and financial-risk data': '要配慮個人情報と財産的被害のおそれがある情報',
};

/** The fixed explanations of the exclusions (domain/coverage.ts `EXCLUSIONS`, `LIABILITY_EXCLUSIONS`), in Japanese. */
export const EXCLUSION_JA: Record<string, string> = {
  "Excluded: the leak was directed by the insured's officers (故意, intent of the policyholder or insured). An employee's own wrongdoing would be covered.":
    '免責：漏えいは被保険者の役員の指示によるものです（保険契約者・被保険者の故意）。従業員自身の不正であれば補償対象です。',
  'Excluded: war, invasion, riot or labour dispute (戦争・暴動・労働争議).': '免責：戦争・侵略・暴動・労働争議。',
  'Excluded: terrorism (テロ行為); the policy does not extend cover to terrorism.': '免責：テロ行為。この契約はテロ行為を補償対象に含めていません。',
  'Terrorism (テロ行為) is involved, but the policy extends cover to terrorism: not excluded.':
    'テロ行為が関係していますが、この契約はテロ行為も補償するため免責になりません。',
  'Excluded: earthquake, eruption, tsunami, flood or storm surge (地震・噴火・津波・洪水・高潮).': '免責：地震・噴火・津波・洪水・高潮。',
  'Excluded: the insured knew of the circumstances before inception (保険期間開始前に認識していた事由).':
    '免責：被保険者が保険期間の開始前にこの事由を認識していました。',
  'Liability excluded: liability added by contract beyond the law (契約により加重された責任).': '賠償責任の免責：契約により法律上の責任を超えて加重された責任。',
  'Liability excluded: bodily injury or property damage (身体の障害・財物の損壊).': '賠償責任の免責：身体の障害・財物の損壊。',
};

/** The facts the coverage rests on (`key: value` in `coverage.facts`), by key. */
const FACT_KEY: Record<string, string> = {
  discoveredAt: '発見日時', discoveredAtJst: '発見日時（日本時間）', occurredAt: '発生日時', occurredAtJst: '発生日時（日本時間）',
  periodStart: '保険期間の開始', periodEnd: '保険期間の終了', retroactiveDate: '遡及日',
  directedByInsuredOfficers: '役員の指示', warOrRiot: '戦争・暴動', terrorism: 'テロ行為', naturalCatastrophe: '自然災害',
  knownBeforeInception: '保険期間開始前からの認識', contractualLiability: '契約による加重責任', bodilyInjuryOrPropertyDamage: '身体障害・財物損壊',
  coversTerrorism: 'テロ行為の補償',
};
const FACT_VALUE: Record<string, string> = { yes: 'あり', no: 'なし', unknown: '不明' };

export const FINDINGS_CONCERN_JA: Record<FindingsConcern, string> = {
  lowers_persons: '事案の対象者数より少ない',
  moves_occurrence: '事案の発生日と異なる',
  lifts_duty: '法令上の義務が適用されなくなる',
};

/** What an e-mail of the case is for (`queueEmail(c, purpose, ...)`: the part before the first `:`). */
export const MAIL_PURPOSE_JA: Record<string, string> = {
  acknowledgement: '受付のお知らせ',
  denial: '支払対象外のお知らせ',
  'new-case': '新しい事案のお知らせ',
  assignment: '担当割当のお知らせ',
  escalation: '期限超過のエスカレーション',
  'payout-approval': '支払承認の依頼',
  payout: '支払のお知らせ',
  reminder: '期限のリマインダー',
  'coverage-escalation': '補償判断の期限超過',
  'prevention-reminder': '再発防止策の期限のリマインダー',
};

/** Why a signal is not trusted (workflows/case/trust.ts `WHY`). */
const DISTRUST_JA: Record<string, string> = {
  'it carries no signature of the API': 'APIの署名がありません',
  'it is signed with a key neither the case nor the worker trusts': '事案もワーカーも信頼していない鍵で署名されています',
  'its signature does not match (altered, or signed for another case)': '署名が一致しません（改ざん、または別の事案向けの署名）',
  'it was issued too long ago (a replay)': '発行が古すぎます（再送攻撃のおそれ）',
  'it was issued in the future': '発行日時が未来です',
};

/**
 * The regimes' own words (domain/obligations.ts `REGIME_RULES`: names, authorities, what each obligation is, the
 * labels of requirements, triggers and exemptions), in Japanese. A test walks the table so none is missing.
 */
export const REGIME_WORDS_JA: Record<string, string> = {
  // names and authorities
  'Japan APPI (個人情報保護法 Art. 26)': '個人情報保護法（第26条）',
  'Personal Information Protection Commission (PPC, 個人情報保護委員会)': '個人情報保護委員会（PPC）',
  'EU/EEA GDPR': 'EU・欧州経済領域 の GDPR',
  'the lead supervisory authority': '主監督機関',
  'California Civil Code 1798.82': 'カリフォルニア州民法典 1798.82条',
  'California Attorney General': 'カリフォルニア州司法長官',
  'New York General Business Law 899-aa': 'ニューヨーク州一般事業法 899-aa条',
  'NY Attorney General, Department of State and State Police': 'ニューヨーク州司法長官・州務省・州警察',
  'Texas Business and Commerce Code 521.053': 'テキサス州事業商業法 521.053条',
  'Texas Attorney General': 'テキサス州司法長官',
  'Singapore PDPA Part 6A': 'シンガポール PDPA（データ侵害の通知の部）',
  'Personal Data Protection Commission (PDPC)': 'シンガポール個人情報保護委員会',
  'Australia Notifiable Data Breaches scheme (Privacy Act Part IIIC)': 'オーストラリア NDB 制度（プライバシー法の漏えい通知制度）',
  'Office of the Australian Information Commissioner (OAIC)': 'オーストラリア情報コミッショナー事務局',
  'Korea PIPA Art. 34': '韓国 PIPA（第34条）',
  'PIPC / KISA': '韓国個人情報保護委員会／韓国インターネット振興院',
  // what each obligation is
  'preliminary report to the PPC (速報)': '個人情報保護委員会への速報',
  'final report to the PPC (確報)': '個人情報保護委員会への確報',
  'notice to the affected persons (本人通知); if impossible, public notice and an enquiry desk (代替措置)':
    '本人への通知（困難な場合は公表と問い合わせ窓口の設置による代替措置）',
  'notification to the supervisory authority (Art. 33); may be phased, a late one must give reasons':
    '監督機関への通知（第33条）。段階的な通知も可、遅れた場合は理由を示す',
  'communication to the data subjects (Art. 34) "without undue delay"': 'データ主体への連絡（第34条）「不当な遅滞なく」',
  '"Notice of Data Breach" to California residents, with the statutory headings': 'カリフォルニア州居住者への法定見出し付きの漏えい通知',
  'sample copy of the notice to the Attorney General': '司法長官への通知文の写しの提出',
  'notice to New York residents': 'ニューヨーク州居住者への通知',
  'notice to the AG, Department of State and State Police, at the time residents are notified': '居住者への通知と同時に、司法長官・州務省・州警察へ通知',
  'notice to Texas residents': 'テキサス州居住者への通知',
  'notice to the Texas Attorney General (online form)': 'テキサス州司法長官への通知（オンラインフォーム）',
  'assessment of whether the breach is notifiable': '通知対象の漏えいかどうかの評価',
  'notification to the PDPC': 'シンガポール個人情報保護委員会への通知',
  'notice to the affected individuals "as soon as practicable"': '影響を受けた個人への通知「実務上可能な限り速やかに」',
  'assessment of the suspected eligible data breach': '通知対象の疑いがある漏えいの評価',
  'statement to the OAIC "as soon as practicable"': 'オーストラリア情報コミッショナー事務局への報告書「実務上可能な限り速やかに」',
  'notice to the data subjects': '情報主体への通知',
  'report to the PIPC or KISA': '韓国個人情報保護委員会または韓国インターネット振興院への報告',
  // labels of requirements, triggers and exemptions
  'residents of the EU/EEA affected': 'EU・欧州経済領域 の居住者が影響を受けた',
  'residents of California affected': 'カリフォルニア州の居住者が影響を受けた',
  'residents of New York affected': 'ニューヨーク州の居住者が影響を受けた',
  'residents of Texas affected': 'テキサス州の居住者が影響を受けた',
  'residents of Singapore affected': 'シンガポールの居住者が影響を受けた',
  'residents of Australia affected': 'オーストラリアの居住者が影響を受けた',
  'residents of Korea affected': '韓国の居住者が影響を受けた',
  'sensitive data (要配慮個人情報)': '要配慮個人情報',
  'data usable for financial damage (財産的被害のおそれ)': '財産的被害のおそれがある情報',
  'all leaked data was strongly encrypted': '漏えいしたデータはすべて高度に暗号化されていた',
  '① sensitive data (要配慮個人情報), from one person': '① 要配慮個人情報（1人から）',
  '② risk of financial damage (財産的被害), from one person': '② 財産的被害のおそれ（1人から）',
  '③ possible wrongful purpose (不正の目的: unauthorised access, theft, skimming), from one person':
    '③ 不正の目的のおそれ（不正アクセス・盗難・スキミング等、1人から）',
  '④ more than 1,000 persons (1,000人を超える)': '④ 1,000人を超える',
  'all leaked data was strongly encrypted (高度な暗号化), PPC FAQ Q6-16': '漏えいしたデータはすべて高度な暗号化がされていた（PPC FAQ Q6-16）',
  'high risk: EP x >= 2 or y >= 2, or sensitive data': '高いリスク：EP の精神的苦痛か経済的損失のレベルが2以上、または要配慮情報',
  'all leaked data was encrypted (Art. 34(3)(a))': '漏えいしたデータはすべて暗号化されていた（第34条3項a）',
  'more than 500 California residents': 'カリフォルニア州居住者500人超',
  '250 or more Texas residents': 'テキサス州居住者250人以上',
  '500 or more affected individuals': '影響を受けた個人が500人以上',
  'significant harm likely (sensitive or financial-risk data)': '重大な被害のおそれ（要配慮情報または財産的被害のおそれがある情報）',
  'serious harm likely: sensitive or financial-risk data, or EP x >= 2 or y >= 2': '深刻な被害のおそれ：要配慮情報・財産的被害のおそれがある情報、または EP の精神的苦痛か経済的損失のレベルが2以上',
  '1,000 or more data subjects': '情報主体が1,000人以上',
  'unique identification data (고유식별정보: passport, licence, ID numbers)': '固有識別情報（旅券・免許証・各種番号）',
  'leak through hacking': 'ハッキングによる漏えい',
};

// ---- kinds of parameter ------------------------------------------------------------------------------------------

type Kind =
  | 'status' | 'severity' | 'decision' | 'cause' | 'category' | 'reasons' | 'vendorRole' | 'eventType' | 'mediaType' | 'trigger' | 'residency' | 'channel'
  | 'jst' | 'iso' | 'period' | 'span' | 'yen' | 'text' | 'changes' | 'findingsProblems' | 'concerns' | 'distrust'
  | 'dataItems' | 'mailPurpose' | 'dispatchId' | 'severityWhy' | 'severityData' | 'regime' | 'audience' | 'evidence' | 'anchor' | 'factKey' | 'factValue' | 'sentence'
  | 'measures' | 'measureStatus';

/** Kinds whose value is one of a closed list: the template only matches such a value (its English, longest first). */
const CLOSED: Partial<Record<Kind, () => string[]>> = {
  status: () => Object.keys(STATUS),
  severity: () => Object.keys(SEVERITY),
  decision: () => Object.keys(DECISION),
  cause: () => Object.keys(CAUSE),
  vendorRole: () => Object.keys(VENDOR_ROLE),
  eventType: () => Object.keys(EVENT_TYPE),
  mediaType: () => Object.keys(MEDIA_TYPE),
  channel: () => Object.keys(CHANNEL),
  distrust: () => Object.keys(DISTRUST_JA),
  severityWhy: () => Object.keys(SEVERITY_WHY_JA),
  severityData: () => Object.keys(SEVERITY_DATA_JA),
  regime: () => Object.keys(REGIME_WORDS_JA),
  factKey: () => Object.keys(FACT_KEY),
  sentence: () => Object.keys(EXCLUSION_JA),
  measureStatus: () => Object.keys(PREVENTION_STATUS_LABELS),
};
const JST_RE = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} JST';
const PATTERN: Partial<Record<Kind, string>> = {
  jst: JST_RE,
  period: `${JST_RE} – ${JST_RE}`,
  yen: '-?[\\d,]+ 円',
  span: '\\d+ (?:hours?|days?)',
};

interface CaseTemplate extends Words {
  kinds?: Record<string, Kind>;
}

const t = (en: string, ja: string, kinds?: Record<string, Kind>): CaseTemplate => ({ en, ja, ...(kinds ? { kinds } : {}) });

/**
 * Timeline summaries, one per `record()` of workflows/case/*.ts (and the `why` of `setStatus`, `assess`, `deny`,
 * the findings' changes). More specific first: `{x}` matches any text, so a template that is another's prefix goes
 * after it.
 */
export const TIMELINE_TEXT = {
  // state.ts: the case's first entry
  reported: t('incident reported', '事故の報告'),
  // coverage-due.ts (before the reminder, whose `{id} due {dueAt}` would match it too)
  coverage_escalated: t(
    'coverage decision due {dueAt} passed undecided: escalated to supervisors',
    '補償判断の期限（{dueAt}）を過ぎても未決のため、上長にエスカレーションしました',
    { dueAt: 'iso' },
  ),
  // services.ts (before the reminder, whose `{id} due {dueAt}` would match its texts too)
  credit_monitoring_offered: t('credit monitoring offered: financial-risk items {items}', 'クレジットモニタリングを提供：財産的被害のおそれがある項目 {items}', { items: 'dataItems' }),
  first_enrolment: t('first credit-monitoring enrolment recorded', 'クレジットモニタリングの最初の申込みを記録'),
  prevention_planned: t('prevention plan: {measures} planned', '再発防止計画：{measures}を計画', { measures: 'measures' }),
  prevention_reminder: t('prevention reminder: {measure} due {dueAt}', '再発防止策のリマインダー：{measure}（期限 {dueAt}）', { measure: 'measures', dueAt: 'iso' }),
  prevention_added: t('prevention measure {measure} added: {status}, due {dueAt}', '再発防止策「{measure}」を追加：{status}、期限 {dueAt}', {
    measure: 'measures',
    status: 'measureStatus',
    dueAt: 'iso',
  }),
  prevention_updated: t('prevention measure {measure} updated: {status}, due {dueAt}', '再発防止策「{measure}」を更新：{status}、期限 {dueAt}', {
    measure: 'measures',
    status: 'measureStatus',
    dueAt: 'iso',
  }),
  // clocks.ts
  reminder: t('{id} due {dueAt}', '{id} の期限：{dueAt}', { dueAt: 'iso' }),
  overdue_deadline: t('{id} passed its deadline unmet', '{id} は期限までに完了しませんでした'),
  overdue_target: t('{id} passed its target unmet', '{id} は目標期限までに完了しませんでした'),
  filing_not_required: t('{id} recorded as not required: {why}', '{id} は不要と記録されました：{why}'),
  filing_version_late: t(
    '{id} filed at {filedAt} (late) as filing {filingId} version {version}, document SHA-256 {sha}',
    '{id} を {filedAt} に提出（期限後）：提出書類 {filingId} 第{version}版、文書のSHA-256 {sha}',
    { filedAt: 'iso' },
  ),
  filing_version: t(
    '{id} filed at {filedAt} as filing {filingId} version {version}, document SHA-256 {sha}',
    '{id} を {filedAt} に提出：提出書類 {filingId} 第{version}版、文書のSHA-256 {sha}',
    { filedAt: 'iso' },
  ),
  filing_late: t('{id} filed at {filedAt} (late)', '{id} を {filedAt} に提出（期限後）', { filedAt: 'iso' }),
  filing: t('{id} filed at {filedAt}', '{id} を {filedAt} に提出', { filedAt: 'iso' }),
  // closing.ts
  reopened: t('case reopened: {reason}', '事案を再開：{reason}'),
  // the handler's desk
  note_shared: t('shared note {id} added', '共有メモ {id} を追加'),
  // filings.ts
  filing_edit: t('filing {filingId} edited ({items}): version {from} → {to}', '提出書類 {filingId} を編集（{items}）：第{from}版 → 第{to}版'),
  document: t('document {id} attached ({type}, {size} bytes)', '書類 {id} を添付（{type}、{size}バイト）', { type: 'mediaType' }),
  // notice-draft.ts
  notice_draft_moved: t(
    'notice draft ({language}) moved on to version {version}: the approval of version {old} no longer applies',
    '通知文の下書き（{language}）が第{version}版に変わったため、第{old}版の承認は無効になりました',
  ),
  notice_draft_edit: t('notice draft ({language}) edited: version {from} → {to}', '通知文の下書き（{language}）を編集：第{from}版 → 第{to}版'),
  notice_draft_approved_behalf: t(
    'notice draft ({language}) version {version} approved on behalf of {who} (document {sha})',
    '通知文の下書き（{language}）第{version}版を{who}の代理で承認（文書 {sha}）',
  ),
  notice_draft_approved: t('notice draft ({language}) version {version} approved (document {sha})', '通知文の下書き（{language}）第{version}版を承認（文書 {sha}）'),
  notice_approval_ignored: t('notice approval ignored: this case keeps no notice drafts', '通知文の承認を無視：この事案は通知文の下書きを持ちません'),
  notice_approval_not_counsel: t("notice approval refused: {vendorId} is not the case's counsel", '通知文の承認を拒否：{vendorId} はこの事案の弁護士ではありません'),
  notice_approval_refused: t('notice approval refused: {why}', '通知文の承認を拒否：{why}'),
  // messages.ts
  email_failed: t('e-mail {purpose} not delivered: {error}', 'メール（{purpose}）を配信できませんでした：{error}', { purpose: 'mailPurpose' }),
  // notification.ts
  notice_approved: t('notice text approved ({language}, {templateVersion})', '通知文を承認（{language}、{templateVersion}）'),
  notice_approved_drafts: t('notice approved ({language}): sends the approved drafts {drafts}', '本人通知を承認（{language}）：承認済みの通知文（{drafts}）を送付'),
  persons_attached: t(
    'affected-person list attached: {accepted} persons ({duplicates} duplicates, {rejected} rejected)',
    '対象者リストを添付：{accepted}人（重複{duplicates}件、不受理{rejected}件）',
  ),
  wave_attached: t(
    'wave {wave} attached: {accepted} persons ({removed} already in earlier waves, {duplicates} duplicates, {rejected} rejected)',
    '第{wave}次の対象者リストを添付：{accepted}人（以前の通知対象と重複{removed}人、重複{duplicates}件、不受理{rejected}件）',
  ),
  announcement_desk: t('announcement recorded ({channel}) with an enquiry desk', '公表を記録（{channel}）、問い合わせ窓口あり', { channel: 'channel' }),
  announcement: t('announcement recorded ({channel})', '公表を記録（{channel}）', { channel: 'channel' }),
  substitute_needed: t('substitute measures needed: {count} persons unreachable', '代替措置が必要：連絡の届かない本人{count}人'),
  substitute_done: t('substitute measures in place: announcement and enquiry desk recorded', '代替措置を実施：公表と問い合わせ窓口を記録'),
  campaign_token: t("campaign progress refused: it does not carry campaign {no}'s token", '通知キャンペーンの進捗を拒否：キャンペーン{no}のトークンがありません'),
  campaign_done: t('campaign {no} done: {sent} e-mails, {letters} letters, {failed} failed', 'キャンペーン{no}完了：メール{sent}通、郵送{letters}通、失敗{failed}件'),
  campaign_started: t('campaign {no} started for {persons} persons', 'キャンペーン{no}を{persons}人に開始'),
  // settlement.ts
  consent_limit: t('consent to {category} up to {limit} JPY', '{category}に{limit}円まで同意', { category: 'category' }),
  consent: t('consent to {category}', '{category}に同意', { category: 'category' }),
  costs_submitted: t('{count} cost item(s) submitted', '費用項目{count}件を提出'),
  payout_by_supervisor: t('payout {id} of {amount} JPY approved by supervisor', '支払 {id}（{amount}円）を上長が承認'),
  payout_approved: t('payout {id} of {amount} JPY approved', '支払 {id}（{amount}円）を承認'),
  payout_over: t("payout {id} of {amount} JPY exceeds {name}'s authority: awaits a supervisor", '支払 {id}（{amount}円）は {name} の権限額を超えるため、上長の承認待ちです'),
  payout_paid_part: t('payout {id} paid {granted} JPY of {requested} requested', '支払 {id}：請求{requested}円のうち{granted}円を支払'),
  payout_paid: t('payout {id} paid {granted} JPY', '支払 {id}：{granted}円を支払'),
  // state.ts (setStatus)
  status: t('{from} → {to}: {why}', '状況 {from} → {to}：{why}', { from: 'status', to: 'status', why: 'text' }),
  // triage.ts
  assessment: t('{why}: severity {severity}, coverage {decision}, {count} obligations', '{why}：重大度「{severity}」、補償「{decision}」、義務{count}件', {
    why: 'text',
    severity: 'severity',
    decision: 'decision',
  }),
  findings_no_change: t('findings recorded (no change)', '調査結果を記録（変更なし）'),
  findings_changes: t('findings: {changes}', '調査結果：{changes}', { changes: 'changes' }),
  coverage_confirmed_forensics: t('coverage confirmed: forensics dated the occurrence', '補償を確定：フォレンジック調査で発生日が判明'),
  findings_refused: t('findings {id} refused: {problems}', '調査結果 {id} を拒否：{problems}', { problems: 'findingsProblems' }),
  findings_held: t('findings {id} held for a handler: {concerns}', '調査結果 {id} を担当者の確認待ちとして保留：{concerns}', { concerns: 'concerns' }),
  assigned: t('assigned to {assignee}', '{assignee} に割当'),
  coverage_decided: t('coverage decided {decision} (computed {computed}): {reason}', '補償を「{decision}」と判断（算定は「{computed}」）：{reason}', {
    decision: 'decision',
    computed: 'decision',
  }),
  findings_confirmed: t('findings {id} of vendor:{vendorId} confirmed: {reason}', '委託先 {vendorId} の調査結果 {id} を確認：{reason}'),
  findings_discarded: t('findings {id} of vendor:{vendorId} discarded: {reason}', '委託先 {vendorId} の調査結果 {id} を破棄：{reason}'),
  // vendors.ts
  no_vendor: t('no {role} vendor left on the panel: the handler must engage one', 'パネルに{role}の委託先が残っていません。担当者が依頼してください', { role: 'vendorRole' }),
  dispatched: t('{role} {name} ({vendorId}) dispatched', '{role}を {name}（{vendorId}）に依頼', { role: 'vendorRole' }),
  sla_missed: t('{role} {vendorId} missed its acknowledgement SLA: replaced', '{role}の {vendorId} が受諾期限に応答せず、交代', { role: 'vendorRole' }),
  event_ignored: t('{type} event ignored: vendor {vendorId} is not engaged on this case', '{type}の通知を無視：委託先 {vendorId} はこの事案に依頼されていません', {
    type: 'eventType',
  }),
  event_refused: t(
    '{type} event refused: dispatch {dispatchId} is not an engagement of {vendorId} on this case',
    '{type}の通知を拒否：依頼 {dispatchId} はこの事案での {vendorId} への依頼ではありません',
    { type: 'eventType', dispatchId: 'dispatchId' },
  ),
  acknowledged: t('{role} {vendorId} acknowledged', '{role}の {vendorId} が受諾', { role: 'vendorRole' }),
  late_ack: t('late acknowledgement ignored (vendor already replaced)', '遅れた受諾を無視（委託先は交代済み）'),
  counsel_advice: t('counsel advice recorded', '弁護士の助言を記録'),
  invoice_refused: t('invoice {eventId} refused: {category} is not the work of a {role} vendor', '請求書 {eventId} を拒否：{category}は{role}の委託先の業務ではありません', {
    category: 'category',
    role: 'vendorRole',
  }),
  letters_mailed: t('{count} letters mailed', '{count}通を郵送'),
  letters_returned: t('{count} letters returned undelivered', '{count}通が宛先不明などで返送'),
  invoice_added: t('invoice of {amount} JPY added as a cost item', '{amount}円の請求書を費用項目に追加'),
  // vendors.ts (engage-vendor, the call centre)
  engage_requested: t('{role} {vendorId} requested: waits for consent to {category}', '{role}の {vendorId} への依頼を受付：{category}への同意待ち', {
    role: 'vendorRole',
    category: 'category',
  }),
  engage_not_covered: t('{category} is not covered by the policy: invoices of {vendorId} will not be payable', '{category}は契約の補償対象外のため、{vendorId} の請求は支払対象になりません', {
    category: 'category',
  }),
  engage_undecided: t('{role} to be engaged once the panel is loaded: {reason}', '{role}への依頼を受付（委託先パネルの読込後に決定）：{reason}', { role: 'vendorRole' }),
  engage_refused: t('engage-vendor {role} refused: {reason}', '委託先の依頼（{role}）を拒否：{reason}', { role: 'vendorRole' }),
  engage_decided: t('{role} {vendorId} to be engaged: {reason}', '{role}を {vendorId} に依頼することを決定：{reason}', { role: 'vendorRole' }),
  engage_released: t('{role} {vendorId} released: consent to {category} given', '{category}への同意あり：{role}を {vendorId} に依頼', {
    category: 'category',
    role: 'vendorRole',
  }),
  call_center_rule: t('call centre engaged by rule: {count} notices, more than {threshold}', 'コールセンターに依頼：通知{count}件（{threshold}件超）'),
  call_center_line: t('call centre {vendorId} opened line {phone}', 'コールセンター {vendorId} が専用回線 {phone} を開設'),
  enquiries: t('call centre {vendorId} reported {total} enquiries so far', 'コールセンター {vendorId} の問い合わせ累計{total}件'),
  enquiries_ignored: t('enquiries report of {vendorId} ignored: it is not the engaged call centre', '{vendorId} の問い合わせ件数の報告を無視：依頼中のコールセンターではありません'),
  // trust.ts
  untrusted_command: t('command {action} refused: {why}', '操作 {action} を拒否：{why}', { why: 'distrust' }),
  untrusted_event: t('vendor event {type} refused: {why}', '委託先からの通知（{type}）を拒否：{why}', { type: 'eventType', why: 'distrust' }),
  untrusted_not_command: t('a message that is not a command refused: {why}', '操作ではないメッセージを拒否：{why}', { why: 'distrust' }),
  untrusted_not_event: t('a message that is not a vendor event refused: {why}', '委託先からの通知ではないメッセージを拒否：{why}', { why: 'distrust' }),
  untrusted_other: t('{what} refused: {why}', '{what} を拒否：{why}', { why: 'distrust' }),
} satisfies Record<string, CaseTemplate>;

/** The `why` of a status change or an assessment, and the changes findings make (each a `text` parameter). */
export const REASON_TEXT = {
  incident_reported: t('incident reported', '事故の報告'),
  reopened: t('reopened: {reason}', '再開：{reason}'),
  coverage_is: t('coverage {decision}', '補償「{decision}」', { decision: 'decision' }),
  coverage_denied_at: t('coverage denied: {reasons}', '補償対象外：{reasons}', { reasons: 'reasons' }),
  coverage_denied_findings: t('coverage denied on findings: {reasons}', '調査結果により補償対象外：{reasons}', { reasons: 'reasons' }),
  coverage_denied_decision: t('coverage denied by decision', '判断により補償対象外'),
  coverage_confirmed: t('coverage confirmed', '補償を確定'),
  costs_submitted: t('costs submitted', '費用の提出'),
  payout_approved: t('payout approved', '支払の承認'),
  triage: t('triage', '初期評価'),
  persons_notified: t('persons notified', '本人への通知'),
  recomputed: t('recomputed after findings', '調査結果による再計算'),
  // the changes findings make (triage.ts `changes`)
  persons_changed: t('persons {from} → {to}', '対象者数 {from} → {to}'),
  data_items_added: t('data items + {items}', '漏えい項目の追加：{items}', { items: 'dataItems' }),
  occurred_at: t('occurred at {at}', '発生日時 {at}', { at: 'iso' }),
  cause_changed: t('cause {from} → {to}', '原因 {from} → {to}', { from: 'cause', to: 'cause' }),
  wrongful_confirmed: t('wrongful purpose confirmed', '不正の目的を確認'),
  wrongful_ruled_out: t('wrongful purpose ruled out', '不正の目的を否定'),
  encrypted: t('data found strongly encrypted', 'データは高度に暗号化されていた'),
  not_encrypted: t('data found not (strongly) encrypted', 'データは（高度に）暗号化されていなかった'),
  residency: t('residency updated', '居住地を更新'),
} satisfies Record<string, CaseTemplate>;

/** Severity reasons (domain/severity.ts `computeSeverity`). */
export const SEVERITY_TEXT = {
  base: t('{persons} affected persons: {severity} ({why}).', '対象者{persons}人：重大度「{severity}」（{why}）。', { severity: 'severity', why: 'severityWhy' }),
  raised_data: t('Raised one band: {what} leaked.', '1段階引上げ：{what}が漏えい。', { what: 'severityData' }),
  raised_cause: t(
    'Raised one band: cause {cause} suggests a wrongful purpose (the data is in hostile hands).',
    '1段階引上げ：原因「{cause}」は不正の目的をうかがわせます（データが悪意ある者の手にあります）。',
    { cause: 'cause' },
  ),
  lowered: t('Lowered one band: all leaked data was strongly encrypted.', '1段階引下げ：漏えいしたデータはすべて高度に暗号化されていました。'),
  kept: t('Kept within the scale: {severity}.', '尺度の範囲内に調整：「{severity}」。', { severity: 'severity' }),
  severity: t('Severity: {severity}.', '重大度：「{severity}」。', { severity: 'severity' }),
} satisfies Record<string, CaseTemplate>;

/** Coverage explanations and facts (domain/coverage.ts `assessCoverage`, `assessLiability`, `applyCoverageOverride`). */
export const COVERAGE_TEXT = {
  exclusion: t('{sentence}', '{sentence}', { sentence: 'sentence' }),
  outside_period: t(
    'Denied: discovered {at}, outside the policy period {period} (the period end itself is not covered).',
    '補償対象外：発見日時 {at} は保険期間 {period} の外です（期間の終了時刻そのものは含みません）。',
    { at: 'jst', period: 'period' },
  ),
  within_period: t('Discovered {at}, within the policy period {period}.', '発見日時 {at} は保険期間 {period} の内です。', { at: 'jst', period: 'period' }),
  occurrence_unknown: t(
    'Occurrence date unknown: coverage stays provisional until forensics dates the leak on or after the retroactive date {at}.',
    '発生日時が不明：フォレンジック調査で遡及日 {at} 以後の発生と判明するまで、補償は暫定です。',
    { at: 'jst' },
  ),
  before_retroactive: t(
    'Denied: the leak occurred {at}, before the retroactive date {retro} (遡及日).',
    '補償対象外：漏えいの発生 {at} は遡及日 {retro} より前です。',
    { at: 'jst', retro: 'jst' },
  ),
  after_retroactive: t('Occurred {at}, on or after the retroactive date {retro}.', '発生日時 {at} は遡及日 {retro} 以後です。', { at: 'jst', retro: 'jst' }),
  covered: t('Covered: no exclusion applies.', '補償対象：該当する免責事由はありません。'),
  provisional: t('Provisional: no exclusion applies so far.', '暫定：現時点で該当する免責事由はありません。'),
  denied_one: t('Denied on 1 ground: {reasons}.', '補償対象外（理由1件）：{reasons}。', { reasons: 'reasons' }),
  denied_many: t('Denied on {count} grounds: {reasons}.', '補償対象外（理由{count}件）：{reasons}。', { reasons: 'reasons' }),
  claim_outside: t(
    'Liability denied: the claim was made {at}, outside the policy period (liability cover is claims-made).',
    '賠償責任は補償対象外：損害賠償請求 {at} は保険期間の外です（賠償責任は請求ベースで補償されます）。',
    { at: 'jst' },
  ),
  liability_denial: t('Liability follows the incident denial.', '賠償責任も事故の判断と同じく補償対象外です。'),
  liability_follows: t('Liability follows the incident assessment.', '賠償責任は事故の判断に従います。'),
  override_reasons: t(
    '{by} decided {decision} at {at}, overriding the computed {computed} ({reasons}): {reason}',
    '{by} が {at} に「{decision}」と判断し、算定結果「{computed}」（{reasons}）を変更：{reason}',
    { decision: 'decision', at: 'jst', computed: 'decision', reasons: 'reasons' },
  ),
  override: t('{by} decided {decision} at {at}, overriding the computed {computed}: {reason}', '{by} が {at} に「{decision}」と判断し、算定結果「{computed}」を変更：{reason}', {
    decision: 'decision',
    at: 'jst',
    computed: 'decision',
  }),
  fact: t('{key}: {value}', '{key}：{value}', { key: 'factKey', value: 'factValue' }),
} satisfies Record<string, CaseTemplate>;

/**
 * The sentences of an obligation's explanation (domain/obligations.ts `computeObligations`), in the order they come;
 * the explanation is read sentence after sentence.
 */
export const OBLIGATION_TEXT = {
  what: t('{name}: {what}, to {audience}.', '{name}：{what}（宛先：{audience}）。', { name: 'regime', what: 'regime', audience: 'audience' }),
  in_scope_evidence: t('In scope: {label} ({evidence}).', '適用範囲：{label}（{evidence}）。', { label: 'regime', evidence: 'evidence' }),
  in_scope: t('In scope: {label}.', '適用範囲：{label}。', { label: 'regime' }),
  triggered_evidence: t('Triggered: {label} ({evidence}).', '該当：{label}（{evidence}）。', { label: 'regime', evidence: 'evidence' }),
  triggered: t('Triggered: {label}.', '該当：{label}。', { label: 'regime' }),
  due_longer: t('Due {at}: {span} after {anchor} (longer period because of {trigger}).', '期限 {at}：{anchor}から{span}後（{trigger}のため長い期間）。', {
    at: 'jst',
    span: 'span',
    anchor: 'anchor',
    trigger: 'trigger',
  }),
  due: t('Due {at}: {span} after {anchor}.', '期限 {at}：{anchor}から{span}後。', { at: 'jst', span: 'span', anchor: 'anchor' }),
  due_at_longer: t('Due {at}: at the time of {anchor} (longer period because of {trigger}).', '期限 {at}：{anchor}と同時（{trigger}のため長い期間）。', {
    at: 'jst',
    anchor: 'anchor',
    trigger: 'trigger',
  }),
  due_at: t('Due {at}: at the time of {anchor}.', '期限 {at}：{anchor}と同時。', { at: 'jst', anchor: 'anchor' }),
  legal: t('Legal deadline.', '法定の期限です。'),
  target: t('Target set by breach-claims, not a legal deadline.', 'breach-claims が定めた目標期限で、法定の期限ではありません。'),
  reminder: t('Reminder {at}.', '督促 {at}。', { at: 'jst' }),
} satisfies Record<string, CaseTemplate>;

/** What an obligation's clock counts from (`ANCHOR_TEXT` and its notes), and the evidence of a condition. */
export const OBLIGATION_PART_TEXT = {
  awareness_triage: t('the decision that the breach is notifiable (taken at triage, i.e. awareness)', '通知対象と判断した時点（初期評価時、つまり認識時）'),
  notifiable: t('the decision that the breach is notifiable', '通知対象と判断した時点'),
  persons_sent: t('the notice to persons (sent {at})', '本人への通知（{at} 送付）', { at: 'jst' }),
  persons_unsent: t('the notice to persons (not sent yet: counted from its deadline)', '本人への通知（未送付のため、その期限から起算）'),
  persons: t('the notice to persons', '本人への通知'),
  awareness: t('awareness', '認識時'),
  persons_all: t('{count} affected persons', '対象者{count}人'),
  persons_resident: t('{count} persons resident in {key}', '{key}の居住者{count}人', { key: 'residency' }),
  cause: t('cause {cause}', '原因「{cause}」', { cause: 'cause' }),
  per_findings: t('per the findings', '調査結果による'),
  ep_sensitive: t('EP x={x}, y={y}, sensitive data', 'EP 精神的苦痛{x}・経済的損失{y}、要配慮情報'),
  ep: t('EP x={x}, y={y}', 'EP 精神的苦痛{x}・経済的損失{y}'),
} satisfies Record<string, CaseTemplate>;

/** The templates of `OBLIGATION_PART_TEXT` that say what a clock counts from. */
const ANCHOR_IDS = ['awareness_triage', 'notifiable', 'persons_sent', 'persons_unsent', 'persons', 'awareness'] as const satisfies readonly (keyof typeof OBLIGATION_PART_TEXT)[];

/** Settlement steps (domain/payout.ts `settle`, and the payment's own step in workflows/case/settlement.ts). */
export const SETTLEMENT_TEXT = {
  not_covered: t('The policy does not cover {category}: nothing payable.', 'この契約は{category}を補償しません。支払可能な額はありません。', { category: 'category' }),
  consent_held: t(
    "Held: {category} needs the insurer's prior written consent (事前の書面による同意), and none is recorded.",
    '保留：{category}には保険会社の事前の書面による同意が必要ですが、記録されていません。',
    { category: 'category' },
  ),
  evidence_held: t('Held: no evidence reference (invoice, receipt or count).', '保留：証憑（請求書・領収書・件数）の参照がありません。'),
  persons_held: t(
    'Held: apology payments are capped at {cap} per victim; the number of persons paid is missing.',
    '保留：見舞金は1人あたり{cap}が上限ですが、支払った人数の記載がありません。',
    { cap: 'yen' },
  ),
  evidence_short: t('Evidence supports {evidenced} of the {claimed} claimed.', '請求額{claimed}のうち、証憑で裏付けられるのは{evidenced}です。', { evidenced: 'yen', claimed: 'yen' }),
  evidenced: t('Claimed {claimed}, evidenced ({ref}).', '請求額{claimed}、証憑あり（{ref}）。', { claimed: 'yen' }),
  deductible: t('Deductible (免責金額) {amount} borne by the insured; {left} of it left for this incident.', '免責金額{amount}を被保険者が負担。この事故の免責金額の残りは{left}です。', {
    amount: 'yen',
    left: 'yen',
  }),
  no_deductible: t('No deductible left for this incident.', 'この事故の免責金額は残っていません。'),
  ratio: t('Payout ratio (縮小支払割合) {ratio} %, rounded down.', '縮小支払割合{ratio}%（円未満切捨て）。'),
  sub_limit: t('Sub-limit for {category} {limit}; {left} unused in this policy period.', '{category}の限度額{limit}。この保険期間の未使用額は{left}です。', {
    category: 'category',
    limit: 'yen',
    left: 'yen',
  }),
  consent_limit: t('Consented up to {consented} for {category}; {left} of it unused.', '{category}は{consented}まで同意済み。そのうち未使用額は{left}です。', {
    consented: 'yen',
    category: 'category',
    left: 'yen',
  }),
  per_victim: t('Per-victim cap {cap} × {persons} persons paid = {total}.', '1人あたりの上限{cap} × 支払人数{persons}人 = {total}。', { cap: 'yen', total: 'yen' }),
  claim_limit: t('Per-claim liability limit: {left} unused.', '1請求あたりの賠償責任の限度額：未使用額{left}。', { left: 'yen' }),
  incident_limit: t('Per-incident response-cost limit: {left} unused.', '1事故あたりの対応費用の限度額：未使用額{left}。', { left: 'yen' }),
  period_liability: t('Policy-period liability limit: {left} unused.', '保険期間中の賠償責任の限度額：未使用額{left}。', { left: 'yen' }),
  period_response: t('Policy-period response-cost limit: {left} unused.', '保険期間中の対応費用の限度額：未使用額{left}。', { left: 'yen' }),
  at_payment: t(
    'the policy period limit shared by all cases of this policy had less left at payment',
    'この契約のすべての事案で共有する保険期間の限度額が、支払時点で不足していました',
  ),
} satisfies Record<string, CaseTemplate>;

/** Every table, by name (for the completeness test and `caseTextTemplates`). */
export const CASE_TEXT_TABLES = {
  timeline: TIMELINE_TEXT,
  reason: REASON_TEXT,
  severity: SEVERITY_TEXT,
  coverage: COVERAGE_TEXT,
  obligation: OBLIGATION_TEXT,
  obligationPart: OBLIGATION_PART_TEXT,
  settlement: SETTLEMENT_TEXT,
} as const;
type TableName = keyof typeof CASE_TEXT_TABLES;

// ---- the engine ----------------------------------------------------------------------------------------------------

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (words: string[]) => `(?:${[...words].sort((a, b) => b.length - a.length).map(escapeRe).join('|')})`;

interface Compiled {
  id: string;
  template: CaseTemplate;
  whole: CompiledTemplate;
  /** The same at the start of a text, ending where a sentence ends (for explanations made of sentences). */
  head: RegExp;
}

function patternOf(kind: Kind | undefined): string | undefined {
  if (!kind) return undefined;
  // What a clock counts from ends a sentence with a sentence of its own ("i.e. awareness"): only its templates match.
  if (kind === 'anchor') {
    const parts = compileTable(OBLIGATION_PART_TEXT, 'obligationPart').filter((c) => (ANCHOR_IDS as readonly string[]).includes(c.id.slice('obligationPart.'.length)));
    return `(?:${parts.map((c) => c.whole.re.source.slice(1, -1).replace(/(?<!\\)\((?!\?)/g, '(?:')).join('|')})`;
  }
  const closed = CLOSED[kind];
  return closed ? alternation(closed()) : PATTERN[kind];
}

function compileTable(table: Record<string, CaseTemplate>, name = ''): Compiled[] {
  return Object.entries(table).map(([key, template]) => {
    const id = `${name}.${key}`;
    const base = compileTemplate(id, template.en);
    let i = 0;
    // Each `([\s\S]+?)` of the engine's pattern narrowed to its kind's pattern where it has one.
    const src = base.re.source.replace(/\(\[\\s\\S\]\+\?\)/g, (group) => {
      const p = patternOf(template.kinds?.[base.names[i++]!]);
      return p ? `(${p})` : group;
    });
    const body = src.slice(1, -1);
    return { id, template, whole: { id, re: new RegExp(`^${body}$`), names: base.names }, head: new RegExp(`^${body}(?= |$)`) };
  });
}

const COMPILED: Record<TableName, Compiled[]> = Object.fromEntries(
  Object.entries(CASE_TEXT_TABLES).map(([name, table]) => [name, compileTable(table as Record<string, CaseTemplate>, name)]),
) as Record<TableName, Compiled[]>;

const word = (table: Readonly<Record<string, string>>, code: string) => (table as Record<string, string | undefined>)[code] ?? code;
const list = (v: string, table: Readonly<Record<string, string>>, sep = ', ') => v.split(sep).map((c) => word(table, c.trim())).join('、');

/** `2026-11-24 12:00 JST` → `2026年11月24日 12:00`. */
function jstJa(v: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}) JST$/.exec(v);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日 ${m[4]}` : v;
}

/** An ISO time as the Japanese pages write it, in JST. */
function isoJa(v: string): string {
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(ms)) return v;
  const d = new Date(ms + 9 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** One parameter in Japanese, by its kind; undefined when a value of a closed kind is not in its table. */
function paramJa(kind: Kind | undefined, v: string): string {
  switch (kind) {
    case undefined:
      return v;
    case 'status':
      return word(STATUS, v);
    case 'severity':
      return word(SEVERITY, v);
    case 'decision':
      return word(DECISION, v);
    case 'cause':
      return word(CAUSE, v);
    case 'category':
      return word(CATEGORY, v);
    case 'reasons':
      return list(v, REASON);
    case 'vendorRole':
      return word(VENDOR_ROLE, v);
    case 'eventType':
      return word(EVENT_TYPE, v);
    case 'mediaType':
      return word(MEDIA_TYPE, v);
    case 'channel':
      return word(CHANNEL, v);
    case 'trigger':
      return word(TRIGGER, v);
    case 'residency':
      return word(RESIDENCY, v);
    case 'jst':
      return jstJa(v);
    case 'iso':
      return isoJa(v);
    case 'period':
      return v.split(' – ').map(jstJa).join('～');
    case 'span': {
      const m = /^(\d+) (hour|day)s?$/.exec(v);
      return m ? `${m[1]}${m[2] === 'hour' ? '時間' : '日'}` : v;
    }
    case 'yen':
      return v.replace(/ 円$/, '円');
    case 'text':
      return readJa(['reason', 'timeline'], v) ?? v;
    case 'changes':
      return v.split('; ').map((c) => readJa(['reason'], c) ?? c).join('、');
    case 'findingsProblems': {
      const byText = new Map((Object.entries(FINDINGS_PROBLEM_TEXT) as [FindingsProblem, string][]).map(([k, en]) => [en, FINDINGS_JA_TEXT[k]]));
      return v.split('; ').map((p) => byText.get(p) ?? p).join('、');
    }
    case 'concerns': {
      const byText = new Map((Object.entries(FINDINGS_CONCERN_TEXT) as [FindingsConcern, string][]).map(([k, en]) => [en, FINDINGS_CONCERN_JA[k]]));
      return v.split('; ').map((p) => byText.get(p) ?? p).join('、');
    }
    case 'distrust':
      return word(DISTRUST_JA, v);
    case 'dispatchId':
      return v === '(none)' ? '（なし）' : v;
    case 'mailPurpose': {
      const [head, ...rest] = v.split(':');
      const words = MAIL_PURPOSE_JA[head!];
      return words === undefined ? v : rest.length ? `${words}：${rest.join(':')}` : words;
    }
    case 'dataItems':
      return v
        .split(', ')
        .map((d) => (DATA_ITEMS as Readonly<Record<string, { labelJa: string } | undefined>>)[d]?.labelJa ?? d)
        .join('、');
    case 'severityWhy':
      return word(SEVERITY_WHY_JA, v);
    case 'severityData':
      return word(SEVERITY_DATA_JA, v);
    case 'regime':
      return word(REGIME_WORDS_JA, v);
    case 'audience':
      return v === 'the affected persons' ? '本人' : word(REGIME_WORDS_JA, v);
    case 'evidence':
    case 'anchor':
      return readJa(['obligationPart'], v) ?? v;
    case 'factKey':
      return word(FACT_KEY, v);
    case 'factValue':
      return FACT_VALUE[v] ?? (/ JST$/.test(v) ? jstJa(v) : isoJa(v));
    case 'sentence':
      return word(EXCLUSION_JA, v);
    case 'measures':
      return v
        .split(', ')
        .map((m) => (PREVENTION_MEASURE_LABELS as Readonly<Record<string, { ja: string } | undefined>>)[m]?.ja ?? m)
        .join('、');
    case 'measureStatus':
      return (PREVENTION_STATUS_LABELS as Readonly<Record<string, { ja: string } | undefined>>)[v]?.ja ?? v;
  }
}

/** While `traceTemplates` runs: the `table.id` of every template a reading used, nested ones included. */
let trace: Set<string> | undefined;

function render(c: Compiled, params: TemplateParams): string {
  trace?.add(c.id);
  const ja: TemplateParams = {};
  for (const [name, value] of Object.entries(params)) ja[name] = value === undefined ? value : paramJa(c.template.kinds?.[name], String(value));
  return fillTemplate(c.template.ja, ja);
}

function paramsOf(names: string[], m: RegExpExecArray): TemplateParams {
  const params: TemplateParams = {};
  names.forEach((n, i) => (params[n] = m[i + 1]));
  return params;
}

/** A whole text read through the tables named, in Japanese; undefined when none of their templates wrote it. */
function readJa(tables: TableName[], text: string): string | undefined {
  for (const name of tables) {
    for (const c of COMPILED[name]) {
      const m = c.whole.re.exec(text);
      if (m) return render(c, paramsOf(c.whole.names, m));
    }
  }
  return undefined;
}

/** A text made of sentences, each read through the table; undefined when one of them fits no template. */
function readSentencesJa(table: TableName, text: string): string | undefined {
  const out: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    let hit: string | undefined;
    for (const c of COMPILED[table]) {
      const m = c.head.exec(rest);
      if (!m) continue;
      hit = render(c, paramsOf(c.whole.names, m));
      rest = rest.slice(m[0].length).replace(/^ /, '');
      break;
    }
    if (hit === undefined) return undefined;
    out.push(hit);
  }
  return out.join('');
}

/** Which table a field's texts come from. */
export type CaseTextSource = 'timeline' | 'severity' | 'coverage' | 'obligation' | 'settlement';

/** One recorded text in `lang`: as recorded for English (and for a text no template fits), else its Japanese. */
export function caseText(source: CaseTextSource, text: string, lang: CaseTextLanguage): string {
  if (lang === 'en' || typeof text !== 'string') return text;
  if (source === 'obligation') return readSentencesJa('obligation', text) ?? text;
  return readJa([source], text) ?? text;
}

/** Whether a text is read by a template of the source (for the tests: a text that is not would stay English). */
export function caseTextKnown(source: CaseTextSource, text: string): boolean {
  return source === 'obligation' ? readSentencesJa('obligation', text) !== undefined : readJa([source], text) !== undefined;
}

/** The case view with the texts the case recorded in `lang` (the same object for English; never changed). */
export function localizeView<V extends Partial<CaseView>>(view: V, lang: CaseTextLanguage): V {
  if (lang === 'en') return view;
  const out: Record<string, unknown> = { ...view };
  const many = (source: CaseTextSource, xs: readonly string[] | undefined) => xs?.map((x) => caseText(source, x, lang));
  if (view.severityReasons) out['severityReasons'] = many('severity', view.severityReasons);
  if (view.coverage) {
    const cov = view.coverage;
    out['coverage'] = {
      ...cov,
      explanations: many('coverage', cov.explanations),
      facts: many('coverage', cov.facts),
      ...(cov.grounds
        ? { grounds: cov.grounds.map((g) => ({ ...g, explanation: caseText('coverage', g.explanation, lang), facts: many('coverage', g.facts) })) }
        : {}),
    };
  }
  if (view.obligations) out['obligations'] = view.obligations.map((o) => ({ ...o, explanation: caseText('obligation', o.explanation, lang) }));
  if (view.settlement) {
    out['settlement'] = {
      ...view.settlement,
      lines: view.settlement.lines.map((l) => ({ ...l, steps: l.steps.map((s) => ({ ...s, explanation: caseText('settlement', s.explanation, lang) })) })),
    };
  }
  if (view.payouts) out['payouts'] = view.payouts.map((p) => (p.reason === undefined ? p : { ...p, reason: caseText('timeline', p.reason, lang) }));
  return out as V;
}

/** The timeline with each summary in `lang`. */
export function localizeTimeline(entries: readonly TimelineEntry[], lang: CaseTextLanguage): TimelineEntry[] {
  if (lang === 'en') return [...entries];
  return entries.map((e) => ({ ...e, summary: caseText('timeline', e.summary, lang) }));
}

/** For the tests: the templates (`table.id`) that reading `fn`'s texts used. */
export function traceTemplates(fn: () => void): Set<string> {
  const seen = new Set<string>();
  trace = seen;
  try {
    fn();
  } finally {
    trace = undefined;
  }
  return seen;
}

/** For the tests: every template of every table, by `table.id`. */
export function caseTextTemplates(): Record<string, CaseTemplate> {
  const out: Record<string, CaseTemplate> = {};
  for (const [name, table] of Object.entries(CASE_TEXT_TABLES)) for (const [id, tpl] of Object.entries(table)) out[`${name}.${id}`] = tpl;
  return out;
}

/** For the tests: the English the domain tables hold, which the vocabularies above must all word. */
export const DOMAIN_WORDS = {
  regime: () => REGIME_RULES.flatMap((r) => [r.name, r.authority, ...r.requires.map((x) => x.label), ...r.triggers.map((x) => x.label), ...r.exemptions.map((x) => x.label), ...r.obligations.flatMap((o) => [o.what, ...(o.triggers ?? []).map((x) => x.label), ...(o.exemptions ?? []).map((x) => x.label)])]),
  exclusion: () => [...EXCLUSIONS.flatMap((e) => [e.explanation, ...(e.unlessPolicy ? [e.unlessPolicy.explanation] : [])]), ...LIABILITY_EXCLUSIONS.map((e) => e.explanation)],
  severityWhy: () => SEVERITY_BANDS.byPersons.map((b) => b.why),
};
