// Shared by every page: the session (API key in sessionStorage only), API calls, DOM building, formatting in JST.
// Pages build the DOM with textContent only, never innerHTML with data, so nothing the API returns can run.

const KEY = 'bc.key';
const ME = 'bc.me';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  me: () => {
    try {
      return JSON.parse(sessionStorage.getItem(ME) ?? 'null');
    } catch {
      return null;
    }
  },
  set(key, me) {
    sessionStorage.setItem(KEY, key);
    sessionStorage.setItem(ME, JSON.stringify(me));
  },
  clear() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ME);
  },
};

/** Thrown when the API cannot be reached at all (network down, server gone). */
export class Unreachable extends Error {}

/**
 * One API call. Answers `{ status, ok, data, problem, etag }`; a problem+json body lands in `problem`. Throws
 * `Unreachable` on network failure and on 502/503/504, which mean "try again" rather than "this is the answer".
 */
export async function api(path, { method = 'GET', body, headers = {}, etag, key = session.key(), relogin = true } = {}) {
  const h = { Accept: 'application/json', 'Accept-Language': lang(), ...headers };
  if (key) h.Authorization = `Bearer ${key}`;
  if (etag) h['If-None-Match'] = etag;
  let payload;
  if (body !== undefined) {
    h['Content-Type'] ??= 'application/json';
    // A file (upload) goes as its bytes; anything else but a string as JSON.
    payload = typeof body === 'string' || body instanceof Blob || body instanceof ArrayBuffer ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload, cache: 'no-store' });
  } catch (err) {
    throw new Unreachable(err instanceof Error ? err.message : String(err));
  }
  if (res.status === 502 || res.status === 503 || res.status === 504) throw new Unreachable(`HTTP ${res.status}`);
  const out = { status: res.status, ok: res.ok, data: undefined, problem: undefined, etag: res.headers.get('ETag'), headers: res.headers };
  const text = res.status === 304 ? '' : await res.text();
  if (text) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { title: 'Unreadable answer', detail: text.slice(0, 200) };
    }
    if (res.ok) out.data = parsed;
    else out.problem = parsed;
  }
  // A key that stopped working (revoked, rotated) sends the user back to sign in.
  if (res.status === 401 && relogin && key) toLogin();
  return out;
}

/** GETs that remember the last ETag and body per URL, so polling costs a 304 while nothing changed. */
export function etagCache() {
  const seen = new Map();
  return async function get(path) {
    const prev = seen.get(path);
    const r = await api(path, prev ? { etag: prev.etag } : {});
    if (r.status === 304 && prev) return { ...r, ok: true, data: prev.data, notModified: true };
    if (r.ok && r.etag) seen.set(path, { etag: r.etag, data: r.data });
    return r;
  };
}

export function problemText(p) {
  if (!p) return '';
  const head = p.detail ?? p.title ?? `HTTP ${p.status}`;
  return p.code && p.code !== 'validation' ? `${head} (${p.code})` : head;
}

export function toLogin() {
  const next = location.pathname + location.search;
  location.assign(`/?next=${encodeURIComponent(next)}`);
}

/** The signed-in principal, or a redirect to the login page. */
export function requireLogin() {
  const me = session.me();
  if (!session.key() || !me) {
    toLogin();
    throw new Error('not signed in');
  }
  return me;
}

// ---- DOM ---------------------------------------------------------------------------------------------------------

/** `el('a', { href: '/x', class: 'y' }, 'text', child)`; attributes starting with "on" are refused (CSP anyway). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) throw new Error('no inline handlers');
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (v === true) node.setAttribute(k, '');
    else node.setAttribute(k, String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/** A table with a header row; `rows` are arrays of cells (strings or nodes). */
/** With `stack`, a phone shows each row as a card, every cell under its column's name (data-label, see app.css). */
export function table(headers, rows, { caption, empty = 'None', stack = false } = {}) {
  if (rows.length === 0) return el('p', { class: 'empty' }, empty);
  return el(
    'div',
    { class: `table-wrap${stack ? ' stack' : ''}` },
    el(
      'table',
      {},
      caption ? el('caption', {}, caption) : null,
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { dataset: headers[i] ? { label: headers[i] } : {} }, c))))),
    ),
  );
}

// ---- language ----------------------------------------------------------------------------------------------------

const LANG_KEY = 'bc.lang';
export const LANGS = ['ja', 'en'];

/** The browser's first language we have (what it sends as Accept-Language), Japanese when it prefers neither. */
export function browserLang(list = navigator.languages?.length ? navigator.languages : [navigator.language]) {
  for (const l of list ?? []) {
    const base = String(l).toLowerCase().split('-')[0];
    if (LANGS.includes(base)) return base;
  }
  return 'ja';
}

let currentLang;
/** The page language: the one chosen on any page before (localStorage), else the browser's. */
export function lang() {
  if (currentLang) return currentLang;
  let saved = null;
  try {
    saved = localStorage.getItem(LANG_KEY);
  } catch {
    // Storage blocked: the browser's language, not remembered.
  }
  currentLang = LANGS.includes(saved) ? saved : browserLang();
  document.documentElement.lang = currentLang;
  return currentLang;
}

/** Switches every page to `l`, remembers it, and tells the page (`bc:lang` on document) to redraw. */
export function setLang(l) {
  if (!LANGS.includes(l)) return;
  currentLang = l;
  try {
    localStorage.setItem(LANG_KEY, l);
  } catch {
    // Not remembered; this page still switches.
  }
  document.documentElement.lang = l;
  for (const b of $$('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === l));
  for (const g of $$('.lang[role=group]')) g.setAttribute('aria-label', l === 'ja' ? '言語' : 'Language');
  document.dispatchEvent(new CustomEvent('bc:lang', { detail: l }));
}

/** Runs `redraw` now and whenever the language changes. */
export function onLang(redraw) {
  document.addEventListener('bc:lang', () => redraw(lang()));
}

/**
 * The one table mechanism: a page's table is `{ ja: {...}, en: {...} }`; `t(key)` is the entry in the page language
 * (a string, or a function of the values it words), falling back to the English one and then to the key.
 */
export function translator(table) {
  return (key) => table[lang()]?.[key] ?? table.en?.[key] ?? key;
}

/** Fills `[data-i18n]` elements with their entry in the page's table. */
export function translateStatic(t, root = document) {
  for (const n of $$('[data-i18n]', root)) n.textContent = t(n.dataset.i18n);
  for (const n of $$('[data-i18n-label]', root)) n.setAttribute('aria-label', t(n.dataset.i18nLabel));
}

/** The 日本語 / English switch; it lives in the page header on every page. */
export function langToggle() {
  // Each button names its language in that language, so a reader of either finds it.
  const group = el('div', { class: 'lang', role: 'group', 'aria-label': lang() === 'ja' ? '言語' : 'Language' });
  for (const [code, name] of [['ja', '日本語'], ['en', 'English']]) {
    const b = el('button', { type: 'button', class: 'secondary', dataset: { lang: code }, lang: code, 'aria-pressed': String(lang() === code) }, name);
    b.addEventListener('click', () => setLang(code));
    group.append(b);
  }
  return group;
}

// ---- codes as words ----------------------------------------------------------------------------------------------

/** The product's codes in both languages, by kind. `word(kind, code)`; an unknown code is shown as it is. */
const WORDS = {
  ja: {
    status: { reported: '受付', triage: '初期評価', response: '対応中', settlement: '精算中', closed: '終了', denied: '支払対象外', withdrawn: '取下げ' },
    severity: { low: '低', medium: '中', high: '高', critical: '重大' },
    decision: { covered: '補償対象', provisional: '暫定', denied: '補償対象外' },
    action: {
      assign: '担当者の割当',
      'decide-coverage': '補償の判断',
      consent: '費用の同意',
      'record-findings': '調査結果の記録',
      'approve-notice': '本人通知の承認',
      'record-filing': '報告の記録',
      'submit-costs': '費用の提出',
      'approve-payout': '支払の承認',
      deny: '支払対象外の決定',
      withdraw: '取下げ',
      close: '終了',
      'confirm-findings': '調査結果の確認',
      reopen: '案件の再開',
      'record-announcement': '公表の記録',
      'approve-notice-draft': '通知文の承認（弁護士の代理）',
      'engage-vendor': '委託先への依頼',
      'update-prevention-measure': '再発防止策の更新',
    },
    kind: { preliminary: '速報', final: '確報', notice: '本人への通知', assessment: '評価' },
    audience: { regulator: '監督機関', persons: '本人' },
    obligation: { pending: '未了', done: '完了', overdue: '期限超過', not_required: '不要' },
    filingStatus: { draft: '下書き', ready: '提出可', filed: '提出済' },
    trigger: {
      sensitive_data: '要配慮個人情報',
      financial_risk: '財産的被害のおそれ',
      wrongful_purpose: '不正の目的のおそれ',
      over_1000_persons: '1,000人超',
      residents_affected: '居住者が影響',
      high_risk: '高いリスク',
      over_500_residents: '居住者500人超',
      at_least_250_residents: '居住者250人以上',
      at_least_500_persons: '500人以上',
      significant_harm: '重大な被害のおそれ',
      likely_serious_harm: '深刻な被害のおそれ',
      at_least_1000_persons: '1,000人以上',
      unique_id: '固有識別情報',
      hacking: '不正アクセス',
    },
    vendor: { dispatched: '依頼済み', acknowledged: '受諾', replaced: '交代', failed: '失敗' },
    vendorRole: { forensics: 'フォレンジック調査', counsel: '弁護士', call_center: 'コールセンター', public_relations: '広報', credit_monitoring: 'クレジットモニタリング', recurrence_prevention: '再発防止', print_mail: '印刷・郵送', print_and_mail: '印刷・郵送' },
    line: { payable: '支払可能', held: '保留', paid: '支払済み', approved: '承認済み' },
    payout: { awaiting_supervisor: '上長承認待ち', approved: '承認済み', paid: '支払済み', failed: '失敗' },
    campaign: { not_started: '未開始', sending: '送付中', running: '送付中', done: '完了', completed: '完了', failed: '失敗' },
    role: { insured: '被保険者', handler: '損害担当者', supervisor: '上長', ops: '運用', admin: '管理者', vendor: '委託先' },
    noticeLanguage: { ja: '日本語', en: '英語' },
    channel: { website: 'ウェブサイト', press: '報道発表', other: 'その他の方法' },
    substitutePart: { announcement: '公表', enquiry_desk: '問い合わせ窓口' },
    measure: {
      access_control: 'アクセス制御の強化',
      encryption: 'データの暗号化',
      staff_training: '従業員教育',
      monitoring: '監視体制の強化',
      vendor_management: '委託先管理の強化',
    },
    measureStatus: { planned: '予定', in_progress: '実施中', done: '実施済み' },
    cause: {
      device_loss: '端末・媒体の紛失',
      device_theft: '端末・媒体の盗難',
      misdelivery: '誤送付・誤送信',
      misconfiguration: '設定ミス',
      external_attack: '外部からの不正アクセス',
      insider_malicious: '内部者の不正',
      insider_negligent: '内部者の過失',
      vendor_breach: '委託先での漏えい',
      web_skimming: 'ウェブスキミング',
      other: 'その他',
    },
    reason: {
      outside_policy_period: '保険期間外',
      before_retroactive_date: '遡及日より前',
      known_before_inception: '保険期間開始前から認識',
      directed_by_insured_officers: '役員の指示による',
      war_or_riot: '戦争・暴動',
      natural_catastrophe: '自然災害',
      occurrence_unknown: '発生日時が不明',
      claim_outside_policy_period: '請求が保険期間外',
      contractual_liability: '契約による加重責任',
      bodily_injury_or_property_damage: '身体障害・財物損壊',
      terrorism: 'テロ行為',
      not_covered_category: '補償対象外の費用項目',
      consent_missing: '事前の同意なし',
      persons_missing: '人数の記載なし',
      evidence_missing: '証憑なし',
      evidence_short: '証憑の金額不足',
      payout_ratio_applied: '支払割合を適用',
      deductible_applied: '免責金額を適用',
      capped_by_sub_limit: '費用項目の限度額まで',
      capped_by_consent_limit: '同意した上限まで',
      capped_by_per_victim_cap: '1人あたりの上限まで',
      capped_by_incident_limit: '1事故の限度額まで',
      capped_by_period_limit: '保険期間中の限度額まで',
    },
    block: {
      role: 'この役割では実行できません',
      case_ended: '事故対応は終了しています',
      coverage_denied: '補償対象外と判断されています',
      coverage_not_covered: '補償対象と判断されていません',
      notice_approved: '本人通知は承認済みです',
      awaits_supervisor: '上長の承認待ちの支払があります',
      consent_missing: '同意がないため保留中の項目のみで、支払可能な金額がありません',
      nothing_payable: '支払可能な項目がありません',
      nothing_to_file: '未了の報告はありません',
      nothing_held: '確認待ちの調査結果はありません',
      payout_made: '支払済みのため取下げできません（終了してください）',
      case_not_ended: '再開できるのは終了または不支払の案件だけです',
      obligations_open: '未了の報告・通知があります',
      payout_in_progress: '処理中の支払があります',
      unpaid_lines: '未払いの支払可能な項目があります',
    },
    timeline: {
      reported: '報告', assessment: '評価', assign: '割当', consent: '同意', costs: '費用', counsel: '弁護士の助言', coverage: '補償判断',
      email: 'メール', filing: '報告', findings: '調査結果', notice: '本人通知', notification: '通知', overdue: '期限超過', payout: '支払',
      persons: '対象者一覧', refused: '拒否', reminder: '督促', status: '状況', vendor: '委託先', announcement: '公表',
      reopened: '再開', note: 'メモ', document: '書類', coverage_escalated: '補償判断の督促',
      services: 'サービス', prevention: '再発防止',
    },
    step: {
      category: '費用項目', consent: '同意', persons: '人数', evidence_ref: '証憑', evidence: '証憑', deductible: '免責金額', payout_ratio: '支払割合',
      sub_limit: '項目の限度額', consent_limit: '同意の上限', per_victim_cap: '1人あたりの上限', incident_limit: '1事故の限度額', period_limit: '期間の限度額',
    },
    task: {
      decide_coverage: '補償の判断',
      consent: '費用への同意',
      approve_payout: '支払の承認',
      filing_due: '監督機関への報告',
      vendor_sla_breached: '委託先の受諾期限超過',
      consultation_ack: '相談の受付確認',
    },
    visibility: { internal: '社内のみ', shared: '被保険者と共有' },
    consultation: { open: '受付待ち', acknowledged: '受付済み', advised: '助言済み', closed: '終了', converted: '事故として報告済み' },
    reserveWhy: { triage: '初期評価', 'persons notified': '本人通知の完了', 'recomputed after findings': '調査結果による再計算' },
    docType: {
      'application/pdf': 'PDF',
      'image/png': 'PNG画像',
      'image/jpeg': 'JPEG画像',
      'image/tiff': 'TIFF画像',
      'image/webp': 'WebP画像',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'ワード文書',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'エクセル表',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'パワーポイント資料',
      'message/rfc822': 'メール',
    },
  },
  en: {
    status: { reported: 'Reported', triage: 'Triage', response: 'Response', settlement: 'Settlement', closed: 'Closed', denied: 'Denied', withdrawn: 'Withdrawn' },
    severity: { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' },
    decision: { covered: 'Covered', provisional: 'Provisional', denied: 'Denied' },
    action: {
      assign: 'Assign',
      'decide-coverage': 'Decide coverage',
      consent: 'Consent to costs',
      'record-findings': 'Record findings',
      'approve-notice': 'Approve the notice',
      'record-filing': 'Record a filing',
      'submit-costs': 'Submit costs',
      'approve-payout': 'Approve payout',
      deny: 'Deny the claim',
      withdraw: 'Withdraw',
      close: 'Close the case',
      'confirm-findings': 'Confirm findings',
      reopen: 'Reopen',
      'record-announcement': 'Record an announcement',
      'approve-notice-draft': 'Approve the notice text for counsel',
      'engage-vendor': 'Engage a vendor',
      'update-prevention-measure': 'Update a prevention measure',
    },
    kind: { preliminary: 'Preliminary report', final: 'Final report', notice: 'Notice to persons', assessment: 'Assessment' },
    audience: { regulator: 'Regulator', persons: 'Affected persons' },
    obligation: { pending: 'Pending', done: 'Done', overdue: 'Overdue', not_required: 'Not required' },
    filingStatus: { draft: 'Draft', ready: 'Ready', filed: 'Filed' },
    trigger: {
      sensitive_data: 'Sensitive data',
      financial_risk: 'Risk of financial harm',
      wrongful_purpose: 'Possible wrongful purpose',
      over_1000_persons: 'Over 1,000 persons',
      residents_affected: 'Residents affected',
      high_risk: 'High risk',
      over_500_residents: 'Over 500 residents',
      at_least_250_residents: '250 residents or more',
      at_least_500_persons: '500 persons or more',
      significant_harm: 'Significant harm likely',
      likely_serious_harm: 'Serious harm likely',
      at_least_1000_persons: '1,000 persons or more',
      unique_id: 'Unique identifiers',
      hacking: 'Hacking',
    },
    vendor: { dispatched: 'Dispatched', acknowledged: 'Acknowledged', replaced: 'Replaced', failed: 'Failed' },
    vendorRole: { forensics: 'Forensics', counsel: 'Counsel', call_center: 'Call centre', public_relations: 'Public relations', credit_monitoring: 'Credit monitoring', recurrence_prevention: 'Recurrence prevention', print_mail: 'Print and mail', print_and_mail: 'Print and mail' },
    line: { payable: 'Payable', held: 'Held', paid: 'Paid', approved: 'Approved' },
    payout: { awaiting_supervisor: 'Awaiting a supervisor', approved: 'Approved', paid: 'Paid', failed: 'Failed' },
    campaign: { not_started: 'not started', sending: 'sending', running: 'running', done: 'done', completed: 'done', failed: 'failed' },
    role: { insured: 'insured', handler: 'handler', supervisor: 'supervisor', ops: 'operations', admin: 'administrator', vendor: 'vendor' },
    noticeLanguage: { ja: 'Japanese', en: 'English' },
    channel: { website: 'website', press: 'press release', other: 'other means' },
    substitutePart: { announcement: 'an announcement', enquiry_desk: 'an enquiry desk' },
    measure: {
      access_control: 'Stronger access control',
      encryption: 'Encryption of data',
      staff_training: 'Staff training',
      monitoring: 'Better monitoring',
      vendor_management: 'Stronger vendor management',
    },
    measureStatus: { planned: 'Planned', in_progress: 'In progress', done: 'Done' },
    cause: {
      device_loss: 'Device or media lost',
      device_theft: 'Device or media stolen',
      misdelivery: 'Misdelivery (mail, e-mail, fax)',
      misconfiguration: 'Misconfiguration',
      external_attack: 'External attack',
      insider_malicious: 'Malicious insider',
      insider_negligent: 'Negligent insider',
      vendor_breach: 'Breach at a contractor',
      web_skimming: 'Web skimming',
      other: 'Other',
    },
    reason: {
      outside_policy_period: 'Outside the policy period',
      before_retroactive_date: 'Before the retroactive date',
      known_before_inception: 'Known before inception',
      directed_by_insured_officers: 'Directed by the insured’s officers',
      war_or_riot: 'War or riot',
      natural_catastrophe: 'Natural catastrophe',
      occurrence_unknown: 'Occurrence date unknown',
      claim_outside_policy_period: 'Claim outside the policy period',
      contractual_liability: 'Contractual liability',
      bodily_injury_or_property_damage: 'Bodily injury or property damage',
      terrorism: 'Terrorism',
      not_covered_category: 'Category not covered',
      consent_missing: 'No prior consent',
      persons_missing: 'Number of persons missing',
      evidence_missing: 'No evidence',
      evidence_short: 'Evidence falls short',
      payout_ratio_applied: 'Payout ratio applied',
      deductible_applied: 'Deductible applied',
      capped_by_sub_limit: 'Capped by the category limit',
      capped_by_consent_limit: 'Capped by the consented limit',
      capped_by_per_victim_cap: 'Capped per person',
      capped_by_incident_limit: 'Capped by the incident limit',
      capped_by_period_limit: 'Capped by the period limit',
    },
    block: {
      role: 'Your role may not do this',
      case_ended: 'The case has ended',
      coverage_denied: 'Coverage is denied',
      coverage_not_covered: 'Coverage is not decided as covered',
      notice_approved: 'The notice is already approved',
      awaits_supervisor: 'A payout awaits a supervisor',
      consent_missing: 'Nothing payable: the lines are held for want of consent',
      nothing_payable: 'No payable lines',
      nothing_to_file: 'No filing is open',
      nothing_held: 'No vendor findings are held for confirmation',
      payout_made: 'A payout was made: close the case instead',
      case_not_ended: 'Only a closed or denied case can be reopened',
      obligations_open: 'Filings or notices are still open',
      payout_in_progress: 'A payout is still in progress',
      unpaid_lines: 'Payable lines are not yet paid',
    },
    timeline: {
      reported: 'Reported', assessment: 'Assessment', assign: 'Assignment', consent: 'Consent', costs: 'Costs', counsel: 'Counsel', coverage: 'Coverage',
      email: 'E-mail', filing: 'Filing', findings: 'Findings', notice: 'Notice', notification: 'Notification', overdue: 'Overdue', payout: 'Payout',
      persons: 'Persons list', refused: 'Refused', reminder: 'Reminder', status: 'Status', vendor: 'Vendor', announcement: 'Announcement',
      reopened: 'Reopened', note: 'Note', document: 'Document', coverage_escalated: 'Coverage escalated',
      services: 'Services', prevention: 'Prevention',
    },
    step: {
      category: 'Category', consent: 'Consent', persons: 'Persons', evidence_ref: 'Evidence', evidence: 'Evidence', deductible: 'Deductible', payout_ratio: 'Payout ratio',
      sub_limit: 'Category limit', consent_limit: 'Consented limit', per_victim_cap: 'Per-person cap', incident_limit: 'Incident limit', period_limit: 'Period limit',
    },
    task: {
      decide_coverage: 'Decide coverage',
      consent: 'Consent to costs',
      approve_payout: 'Approve a payout',
      filing_due: 'File with the regulator',
      vendor_sla_breached: 'Vendor missed its SLA',
      consultation_ack: 'Acknowledge a consultation',
    },
    visibility: { internal: 'Internal', shared: 'Shared with the insured' },
    consultation: { open: 'Waiting', acknowledged: 'Acknowledged', advised: 'Advised', closed: 'Closed', converted: 'Reported as an incident' },
    reserveWhy: { triage: 'Triage', 'persons notified': 'Affected persons notified', 'recomputed after findings': 'Recomputed after findings' },
    docType: {
      'application/pdf': 'PDF',
      'image/png': 'PNG image',
      'image/jpeg': 'JPEG image',
      'image/tiff': 'TIFF image',
      'image/webp': 'WebP image',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel workbook',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint deck',
      'message/rfc822': 'E-mail',
    },
  },
};

export function word(kind, code) {
  if (code === undefined || code === null) return '—';
  return WORDS[lang()][kind]?.[code] ?? WORDS.en[kind]?.[code] ?? String(code);
}
/** The kinds `word` knows, for tests. */
export const WORD_KINDS = Object.keys(WORDS.en);

/** A code's label from the vocabulary endpoint's lists (data items, cost categories) in the page language. */
export function vocabLabel(list, code) {
  const hit = list?.find((x) => x.code === code);
  if (!hit) return code;
  return lang() === 'ja' ? hit.labelJa : hit.label;
}

// ---- formatting --------------------------------------------------------------------------------------------------

const numFmt = new Intl.NumberFormat('ja-JP');
/** Yen with separators, the same in both languages: ¥3,705,000. */
export const yen = (n) => (typeof n === 'number' ? `¥${numFmt.format(n)}` : '—');
export const num = (n) => (typeof n === 'number' ? numFmt.format(n) : '—');
/** A file's size: 「512バイト」/ "512 bytes", then KB and MB with one decimal (1 KB = 1,024 bytes). */
export function bytes(n) {
  if (typeof n !== 'number') return '—';
  if (n < 1024) return lang() === 'ja' ? `${numFmt.format(n)}バイト` : `${numFmt.format(n)} ${n === 1 ? 'byte' : 'bytes'}`;
  const [v, unit] = n < 1024 * 1024 ? [n / 1024, 'KB'] : [n / (1024 * 1024), 'MB'];
  return `${v.toFixed(1)} ${unit}`;
}

/** Counted things with the right word: "1 letter", "2 letters"; 「1通」. */
const UNITS = {
  ja: { letter: '通', person: '人', case: '件', row: '行', line: '件', email: '通', duplicate: '件', day: '日', item: '件', enrolment: '件' },
  en: {
    letter: ['letter', 'letters'],
    person: ['person', 'persons'],
    case: ['case', 'cases'],
    row: ['row', 'rows'],
    line: ['line', 'lines'],
    email: ['e-mail', 'e-mails'],
    duplicate: ['duplicate', 'duplicates'],
    day: ['day', 'days'],
    item: ['item', 'items'],
    enrolment: ['enrolment', 'enrolments'],
  },
};
const enPlural = new Intl.PluralRules('en');
export function count(n, unit) {
  const value = typeof n === 'number' ? n : 0;
  if (lang() === 'ja') return `${numFmt.format(value)}${UNITS.ja[unit] ?? ''}`;
  const [one, other] = UNITS.en[unit] ?? [unit, unit];
  return `${numFmt.format(value)} ${enPlural.select(value) === 'one' ? one : other}`;
}

const JST_PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The JST calendar and clock of an instant, as numbers. */
export function jstParts(d) {
  const p = Object.fromEntries(JST_PARTS.formatToParts(d).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), hh: p.hour, mm: p.minute, ss: p.second };
}

/** A date and time in JST: 「2026年11月24日 12:00」 (era-free) or "24 Nov 2026, 12:00 JST". */
export function jst(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = jstParts(d);
  return lang() === 'ja' ? `${p.y}年${p.m}月${p.d}日 ${p.hh}:${p.mm}` : `${p.d} ${MONTHS[p.m - 1]} ${p.y}, ${p.hh}:${p.mm} JST`;
}
/** A clock time in JST with seconds: 「12:00:05」 or "12:00:05 JST". */
export function jstTime(d) {
  const p = jstParts(d);
  return lang() === 'ja' ? `${p.hh}:${p.mm}:${p.ss}` : `${p.hh}:${p.mm}:${p.ss} JST`;
}
/** A JST day, short: 「11/24」 or "24 Nov". */
export function jstShortDay(ymd) {
  const [, m, d] = ymd.split('-').map(Number);
  return lang() === 'ja' ? `${m}/${d}` : `${d} ${MONTHS[m - 1]}`;
}

/** The JST calendar day of an instant, as YYYY-MM-DD. */
export function jstDay(iso) {
  return new Date(new Date(iso).getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

/** A `datetime-local` value read as Japan time, to ISO with +09:00; empty stays undefined. */
export function fromJstLocal(value) {
  if (!value) return undefined;
  const v = value.length === 16 ? `${value}:00` : value;
  return `${v}+09:00`;
}
/** An instant as a `datetime-local` value in Japan time. */
export function toJstLocal(ms) {
  return new Date(ms + 9 * 3_600_000).toISOString().slice(0, 16);
}

export function duration(ms) {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const ja = lang() === 'ja';
  const pad = (x) => String(x).padStart(2, '0');
  if (d > 0) return ja ? `${d}日${h}時間` : `${d} d ${h} h`;
  if (h > 0) return ja ? `${h}時間${pad(m)}分` : `${h} h ${pad(m)} m`;
  return ja ? `${m}分${pad(sec)}秒` : `${m} m ${pad(sec)} s`;
}

/** A countdown element, kept current by `startCountdowns`. */
export function countdown(iso) {
  if (!iso) return el('span', { class: 'muted' }, '—');
  const node = el('span', { class: 'countdown', dataset: { due: iso } });
  paintCountdown(node, Date.now());
  return node;
}

function paintCountdown(node, now) {
  const left = new Date(node.dataset.due).getTime() - now;
  const ja = lang() === 'ja';
  node.textContent = left >= 0 ? (ja ? `あと${duration(left)}` : `in ${duration(left)}`) : ja ? `${duration(left)}超過` : `overdue by ${duration(left)}`;
  node.classList.toggle('late', left < 0);
  node.classList.toggle('soon', left >= 0 && left < 24 * 3_600_000);
}

export function startCountdowns() {
  setInterval(() => {
    const now = Date.now();
    for (const n of $$('.countdown')) paintCountdown(n, now);
  }, 1000);
}

/** A coloured badge for a code (status, severity, …), worded in the page language; the code stays in data-code. */
export function badge(kind, value, wordKind = kind) {
  return el('span', { class: `badge ${kind}-${value ?? 'none'}`, dataset: { code: value ?? '' } }, value ? word(wordKind, value) : '—');
}

/** "Nice" axis ticks from 0 to at least `max`: steps of 1, 2 or 5 × 10ⁿ, at most about `target` of them. */
export function niceTicks(max, target = 5) {
  const top = Math.max(1, Math.ceil(max));
  const raw = top / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag);
  const ticks = [];
  for (let v = 0; v < top + step; v += step) {
    ticks.push(v);
    if (v >= top) break;
  }
  return ticks;
}

// ---- vocabulary and page frame -----------------------------------------------------------------------------------

let vocab;
export async function vocabulary() {
  if (vocab) return vocab;
  const cached = sessionStorage.getItem('bc.vocab');
  if (cached) return (vocab = JSON.parse(cached));
  const r = await api('/v1/vocabulary', { key: null });
  if (!r.ok) throw new Error('vocabulary unavailable');
  sessionStorage.setItem('bc.vocab', JSON.stringify(r.data));
  return (vocab = r.data);
}

const FRAME = {
  ja: {
    dashboard: 'ダッシュボード',
    report: '事故報告',
    consult: '相談する',
    consultHint: 'まだ事故かどうか分からないときは、24時間受付の事故相談窓口にご相談ください。1時間以内に担当者が受け付けます。',
    quote: 'プランの見積り',
    docs: 'API仕様',
    signOut: 'ログアウト',
    skip: '本文へ移動',
    pages: 'ページ',
    cannotUse: (role) => `${word('role', role)}の役割では、このページを利用できません。`,
  },
  en: {
    dashboard: 'Dashboard',
    report: 'Incident report',
    consult: 'Ask for help',
    consultHint: 'Not sure yet whether it is an incident? Ask the 24-hour desk: an on-call handler takes it within an hour.',
    quote: 'Choosing a plan',
    docs: 'API docs',
    signOut: 'Sign out',
    skip: 'Skip to content',
    pages: 'Pages',
    cannotUse: (role) => `The role ${word('role', role)} cannot use this page.`,
  },
};
const ft = translator(FRAME);

const NAV = [
  { href: '/ui/dashboard', key: 'dashboard', roles: ['ops', 'handler', 'supervisor', 'admin'] },
  { href: '/ui/report', key: 'report', roles: ['insured', 'handler'] },
  // The 24-hour consultation desk, beside "file an incident": for when it is not clear yet whether it is one.
  { href: '/ui/consult', key: 'consult', roles: ['insured'] },
  { href: '/ui/quote', key: 'quote', roles: ['insured', 'handler', 'admin'] },
  { href: '/docs', key: 'docs', roles: ['insured', 'ops', 'handler', 'supervisor', 'admin'] },
];

/** The header: product name, links the role may use, the language switch, who is signed in, sign out. */
export function frame(me, current) {
  const top = $('#top');
  const draw = () => {
    const signOut = el('button', { type: 'button', class: 'link' }, ft('signOut'));
    signOut.addEventListener('click', () => {
      // A single sign-on session ends at the API too, not only in this tab.
      if (me.via === 'oidc' && session.key()) {
        fetch('/v1/auth/sso/logout', { method: 'POST', headers: { Authorization: `Bearer ${session.key()}` }, keepalive: true }).catch(() => undefined);
      }
      session.clear();
      location.assign('/');
    });
    replace(
      top,
      el('a', { class: 'skip', href: '#main' }, ft('skip')),
      el('a', { class: 'brand', href: '/', translate: 'no' }, 'breach-claims'),
      el(
        'nav',
        { 'aria-label': ft('pages') },
        NAV.filter((n) => n.roles.includes(me.role)).map((n) =>
          el('a', { href: n.href, ...(n.href === current ? { 'aria-current': 'page' } : {}) }, ft(n.key)),
        ),
      ),
      langToggle(),
      el('span', { class: 'who' }, el('span', { translate: 'no' }, me.name), ` (${word('role', me.role)}`, me.insuredId ? [' · ', el('span', { translate: 'no' }, me.insuredId)] : null, ')'),
      signOut,
    );
  };
  draw();
  document.documentElement.lang = lang();
  onLang(draw);
}

/** A page the role may not use says so rather than showing errors. */
export function refuseRole(me, roles, what) {
  if (roles.includes(me.role)) return false;
  replace($('#main'), el('h1', {}, typeof what === 'function' ? what() : what), el('p', { class: 'problem', role: 'alert' }, ft('cannotUse')(me.role)));
  return true;
}

/** The "相談する / Ask for help" path beside "file an incident": the 24-hour consultation desk (`/ui/consult`). */
export function askForHelp(me) {
  if (me.role !== 'insured') return null;
  const link = el('a', { href: '/ui/consult', class: 'button', id: 'ask-help', 'data-testid': 'ask-help' });
  const hint = el('span', { class: 'small muted', id: 'ask-help-hint' });
  const draw = () => {
    link.textContent = ft('consult');
    hint.textContent = ft('consultHint');
  };
  draw();
  onLang(draw);
  return el('div', { class: 'ask-help' }, link, ' ', hint);
}
