// Incident report for insured companies (handlers may file too): the contract's fields in Japanese or English, data
// items grouped as the seed article groups them, hints while typing, the server's field errors beside their fields,
// then the affected-person CSV with upload progress and its row errors, and the insured's own cases.
import {
  $,
  $$,
  api,
  badge,
  countdown,
  el,
  etagCache,
  frame,
  fromJstLocal,
  jst,
  num,
  problemText,
  refuseRole,
  replace,
  requireLogin,
  session,
  startCountdowns,
  table,
  toJstLocal,
  vocabulary,
} from './common.js';

const T = {
  ja: {
    title: '個人情報漏えい事故の報告',
    intro: '事故の概要をご報告ください。日時は日本時間で入力します。報告後、影響を受けた方の一覧（CSV）をアップロードできます。',
    policyNumber: '保険証券番号',
    cause: '原因',
    discoveredAt: '事故を知った日時（日本時間）',
    occurredAt: '事故が発生した日時（日本時間・不明なら空欄）',
    occurredAtHint: '不明な場合、補償の判断は暫定となります。',
    description: '事故の内容',
    dataItems: '漏えいした個人情報の項目',
    affectedPersons: '影響を受けた人数',
    encrypted: '漏えいしたデータはすべて高度な暗号化がされていた',
    residency: '居住地別の人数（分かる範囲で）',
    circumstances: '事故の状況',
    naturalCatastrophe: '地震・噴火・洪水・津波などの自然災害による',
    warOrRiot: '戦争・暴動などによる',
    terrorism: 'テロ行為による',
    directedByInsuredOfficers: '役員の指示による',
    knownBeforeInception: '保険期間の開始前から知っていた',
    contact: 'ご担当者の連絡先',
    contactName: '氏名',
    contactEmail: 'メールアドレス',
    contactPhone: '電話番号（任意）',
    submit: '報告する',
    filedTitle: '報告を受け付けました',
    uploadTitle: '影響を受けた方の一覧（CSV）',
    uploadHelp: 'UTF-8 の CSV。1行目は見出し: name, email, postal_address, language（ja または en）。メールアドレスか住所のどちらかが必要です。',
    csvFile: 'CSV ファイル',
    upload: 'アップロード',
    myCases: '報告済みの事故',
    groups: { basic: '基本情報', attributes: '属性情報', physical: '身体的特徴・健康', genetic: '遺伝情報', behavioural: '行動情報' },
    causes: {
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
    residencyKeys: { JP: '日本', EU: 'EU', 'US-CA': '米国カリフォルニア州', 'US-NY': '米国ニューヨーク州', 'US-TX': '米国テキサス州', SG: 'シンガポール', AU: 'オーストラリア', KR: '韓国', OTHER: 'その他' },
    hintWrongful: '不正の目的によるおそれがあるため、人数にかかわらず個人情報保護委員会への報告が必要になる見込みです。',
    hintSensitive: '要配慮個人情報が含まれるため、1人分でも報告対象になる見込みです。',
    hintFinancial: '財産的被害のおそれがある情報が含まれます（報告対象）。',
    hintOver1000: '1,000人を超えるため、個人情報保護委員会への報告が必要になる見込みです。',
    hintResidency: (sum, n) => `居住地別の合計（${sum}人）が影響人数（${n}人）を超えています。`,
    required: '入力してください。',
    needItem: '少なくとも1項目を選んでください。',
    badInt: '0以上の整数で入力してください。',
    badEmail: 'メールアドレスの形式が正しくありません。',
    future: '未来の日時は指定できません。',
    afterDiscovery: '発生日時は事故を知った日時より前にしてください。',
    fixErrors: '入力内容を確認してください。',
    filed: (id) => `事故番号 ${id} として受け付けました。`,
    openCase: '事故の詳細を開く',
    uploading: 'アップロード中…',
    uploaded: (r) => `${r.total}行中 ${r.accepted}件を登録しました（メールあり ${r.withEmail}、郵送 ${r.withoutEmail}、重複 ${r.duplicates}、不備 ${r.rejected}）。`,
    rowErrors: '不備のある行',
    row: '行',
    column: '列',
    reason: '理由',
    chooseFile: 'CSV ファイルを選んでください。',
    caseCols: ['事故番号', '状況', '重大度', '報告日時', '次の期限', ''],
    noCases: 'まだ報告はありません。',
  },
  en: {
    title: 'Report a personal-data breach',
    intro: 'Tell us what happened. Times are Japan time (JST). After filing you can upload the list of affected persons (CSV).',
    policyNumber: 'Policy number',
    cause: 'Cause',
    discoveredAt: 'When you became aware (JST)',
    occurredAt: 'When it happened (JST; leave empty if unknown)',
    occurredAtHint: 'If unknown, the coverage decision stays provisional.',
    description: 'What happened',
    dataItems: 'Personal data involved',
    affectedPersons: 'Persons affected',
    encrypted: 'All leaked data was strongly encrypted',
    residency: 'Persons by residence (as far as known)',
    circumstances: 'Circumstances',
    naturalCatastrophe: 'Caused by a natural catastrophe (earthquake, eruption, flood, tsunami)',
    warOrRiot: 'Caused by war or riot',
    terrorism: 'Caused by terrorism',
    directedByInsuredOfficers: 'Directed by the insured’s officers',
    knownBeforeInception: 'Known before the policy began',
    contact: 'Contact person',
    contactName: 'Name',
    contactEmail: 'E-mail',
    contactPhone: 'Phone (optional)',
    submit: 'File the report',
    filedTitle: 'Report received',
    uploadTitle: 'Affected persons (CSV)',
    uploadHelp: 'UTF-8 CSV with a header row: name, email, postal_address, language (ja or en). Each row needs an e-mail or a postal address.',
    csvFile: 'CSV file',
    upload: 'Upload',
    myCases: 'Your cases',
    groups: { basic: 'Basic information', attributes: 'Attributes', physical: 'Physical characteristics and health', genetic: 'Genetic information', behavioural: 'Behaviour' },
    causes: {
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
    residencyKeys: { JP: 'Japan', EU: 'EU', 'US-CA': 'California', 'US-NY': 'New York', 'US-TX': 'Texas', SG: 'Singapore', AU: 'Australia', KR: 'Korea', OTHER: 'Other' },
    hintWrongful: 'A wrongful purpose is possible: a report to the PPC is likely required whatever the number of persons.',
    hintSensitive: 'Sensitive (要配慮) data is involved: a report is likely required even for one person.',
    hintFinancial: 'Data usable for financial harm is involved (reportable).',
    hintOver1000: 'Over 1,000 persons: a report to the PPC is likely required.',
    hintResidency: (sum, n) => `Residency counts add up to ${sum}, more than the ${n} persons affected.`,
    required: 'Required.',
    needItem: 'Choose at least one item.',
    badInt: 'A whole number, 0 or more.',
    badEmail: 'Not an e-mail address.',
    future: 'Cannot be in the future.',
    afterDiscovery: 'Must be before the time you became aware.',
    fixErrors: 'Please check the fields marked below.',
    filed: (id) => `Filed as case ${id}.`,
    openCase: 'Open the case',
    uploading: 'Uploading…',
    uploaded: (r) => `${r.accepted} of ${r.total} rows accepted (${r.withEmail} by e-mail, ${r.withoutEmail} by post, ${r.duplicates} duplicates, ${r.rejected} rejected).`,
    rowErrors: 'Rows with problems',
    row: 'Row',
    column: 'Column',
    reason: 'Reason',
    chooseFile: 'Choose a CSV file.',
    caseCols: ['Case', 'Status', 'Severity', 'Reported', 'Next deadline', ''],
    noCases: 'No case filed yet.',
  },
};

const me = requireLogin();
frame(me, '/ui/report');
const get = etagCache();
let lang = sessionStorage.getItem('bc.lang') === 'en' ? 'en' : 'ja';
let vocab;
let filedCase = null;
let idempotencyKey = crypto.randomUUID();
let lastErrors = [];
let lastUpload = null;

const t = (k) => T[lang][k];

// ---- building and translating ------------------------------------------------------------------------------------

function buildDataItems() {
  const groups = $('#item-groups');
  replace(
    groups,
    vocab.dataItemGroups.map((g) =>
      el(
        'fieldset',
        { class: 'item-group', dataset: { group: g } },
        el('legend', { dataset: { groupLabel: g } }),
        vocab.dataItems
          .filter((i) => i.group === g)
          .map((i) =>
            el(
              'label',
              { class: 'check' },
              el('input', { type: 'checkbox', name: 'dataItems', value: i.code }),
              ' ',
              el('span', { dataset: { item: i.code } }),
              i.sensitive ? el('span', { class: 'flag', title: '要配慮個人情報 / sensitive' }, 'S') : null,
              i.financialRisk ? el('span', { class: 'flag', title: '財産的被害 / financial risk' }, 'F') : null,
            ),
          ),
      ),
    ),
  );
  replace(
    $('#residency'),
    vocab.residencyKeys.map((k) =>
      el(
        'div',
        { class: 'field small-field' },
        el('label', { for: `res-${k}`, dataset: { residency: k } }),
        el('input', { id: `res-${k}`, name: `residency.${k}`, type: 'number', min: 0, step: 1, inputmode: 'numeric', 'aria-describedby': `err-res-${k}` }),
        el('span', { class: 'field-error', id: `err-res-${k}`, dataset: { path: `/residency/${k}` } }),
      ),
    ),
  );
  replace($('#cause'), vocab.causes.map((c) => el('option', { value: c.code, dataset: { cause: c.code } })));
}

function translate() {
  document.documentElement.lang = lang;
  sessionStorage.setItem('bc.lang', lang);
  for (const n of $$('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  for (const n of $$('[data-group-label]')) n.textContent = `${t('groups')[n.dataset.groupLabel]} (${T[lang === 'ja' ? 'en' : 'ja'].groups[n.dataset.groupLabel]})`;
  for (const n of $$('[data-item]')) {
    const i = vocab.dataItems.find((x) => x.code === n.dataset.item);
    n.textContent = lang === 'ja' ? i.labelJa : i.label;
  }
  for (const n of $$('[data-cause]')) n.textContent = t('causes')[n.dataset.cause] ?? n.dataset.cause;
  for (const n of $$('[data-residency]')) n.textContent = t('residencyKeys')[n.dataset.residency] ?? n.dataset.residency;
  for (const b of $$('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  document.title = `${t('title')} · breach-claims`;
  hints();
  if (lastErrors.length) showErrors(lastErrors);
  renderFiled();
  renderUpload();
  void refreshCases(true);
}

// ---- hints and validation ----------------------------------------------------------------------------------------

function checkedItems() {
  return $$('input[name=dataItems]:checked').map((i) => i.value);
}

function hints() {
  const cause = vocab.causes.find((c) => c.code === $('#cause').value);
  $('#hint-cause').textContent = cause?.wrongfulPurpose ? t('hintWrongful') : '';
  const items = checkedItems().map((c) => vocab.dataItems.find((i) => i.code === c));
  const h = [];
  if (items.some((i) => i.sensitive)) h.push(t('hintSensitive'));
  if (items.some((i) => i.financialRisk)) h.push(t('hintFinancial'));
  $('#hint-dataItems').textContent = h.join(' ');
  const n = Number($('#affectedPersons').value);
  $('#hint-affectedPersons').textContent = n > 1000 ? t('hintOver1000') : '';
  const sum = vocab.residencyKeys.reduce((s, k) => s + (Number($(`#res-${k}`).value) || 0), 0);
  $('#hint-residency').textContent = $('#affectedPersons').value !== '' && sum > n ? t('hintResidency')(num(sum), num(n)) : '';
}

function readReport() {
  const f = new FormData($('#report'));
  const s = (k) => String(f.get(k) ?? '').trim();
  const residency = {};
  for (const k of vocab.residencyKeys) {
    const v = s(`residency.${k}`);
    if (v !== '') residency[k] = Number(v);
  }
  const body = {
    policyNumber: s('policyNumber'),
    discoveredAt: fromJstLocal(s('discoveredAt')),
    occurredAt: fromJstLocal(s('occurredAt')),
    cause: s('cause'),
    description: s('description'),
    dataItems: checkedItems(),
    affectedPersons: s('affectedPersons') === '' ? undefined : Number(s('affectedPersons')),
    residency,
    encrypted: f.get('encrypted') === 'on',
    circumstances: {
      naturalCatastrophe: f.get('naturalCatastrophe') === 'on',
      warOrRiot: f.get('warOrRiot') === 'on',
      terrorism: f.get('terrorism') === 'on',
      directedByInsuredOfficers: f.get('directedByInsuredOfficers') === 'on',
      knownBeforeInception: f.get('knownBeforeInception') === 'on',
    },
    contact: { name: s('contactName'), email: s('contactEmail'), ...(s('contactPhone') ? { phone: s('contactPhone') } : {}) },
  };
  if (body.occurredAt === undefined) delete body.occurredAt;
  return body;
}

/** The checks a browser can make alone; the server makes them all again and more (the policy, for one). */
function clientErrors(b) {
  const e = [];
  const need = (path, v) => {
    if (v === undefined || v === '') e.push({ path, key: 'required' });
  };
  need('/policyNumber', b.policyNumber);
  need('/discoveredAt', b.discoveredAt);
  need('/description', b.description);
  need('/contact/name', b.contact.name);
  need('/contact/email', b.contact.email);
  if (b.dataItems.length === 0) e.push({ path: '/dataItems', key: 'needItem' });
  if (b.affectedPersons === undefined) e.push({ path: '/affectedPersons', key: 'required' });
  else if (!Number.isInteger(b.affectedPersons) || b.affectedPersons < 0) e.push({ path: '/affectedPersons', key: 'badInt' });
  for (const [k, v] of Object.entries(b.residency)) if (!Number.isInteger(v) || v < 0) e.push({ path: `/residency/${k}`, key: 'badInt' });
  if (b.contact.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(b.contact.email)) e.push({ path: '/contact/email', key: 'badEmail' });
  const soon = Date.now() + 5 * 60_000;
  if (b.discoveredAt && new Date(b.discoveredAt).getTime() > soon) e.push({ path: '/discoveredAt', key: 'future' });
  if (b.occurredAt && b.discoveredAt && new Date(b.occurredAt) > new Date(b.discoveredAt)) e.push({ path: '/occurredAt', key: 'afterDiscovery' });
  return e;
}

/** Puts each error beside its field: the slot whose data-path is the error's path, or the nearest parent's. */
function showErrors(errors) {
  lastErrors = errors;
  const form = $('#report');
  for (const s of $$('.field-error', form)) s.textContent = '';
  for (const i of $$('[aria-invalid]', form)) i.removeAttribute('aria-invalid');
  const unplaced = [];
  let first;
  for (const e of errors) {
    const message = e.key ? t(e.key) : e.message;
    let path = e.path;
    let slot;
    while (path && !(slot = form.querySelector(`.field-error[data-path="${CSS.escape(path)}"]`))) path = path.replace(/\/[^/]*$/, '');
    if (!slot) {
      unplaced.push(`${e.path || '(body)'}: ${message}`);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    const input = slot.id ? form.querySelector(`[aria-describedby~="${slot.id}"]`) : null;
    if (input) input.setAttribute('aria-invalid', 'true');
    first ??= input ?? slot.closest('fieldset')?.querySelector('input');
  }
  return { unplaced, first };
}

// ---- filing ------------------------------------------------------------------------------------------------------

async function submit(ev) {
  ev.preventDefault();
  const problem = $('#form-problem');
  problem.textContent = '';
  const body = readReport();
  const local = clientErrors(body);
  if (local.length) {
    const { first } = showErrors(local);
    problem.textContent = t('fixErrors');
    first?.focus();
    return;
  }
  showErrors([]);
  const button = $('#submit-report');
  button.disabled = true;
  try {
    const r = await api('/v1/cases', { method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKey } });
    if (r.ok) {
      filedCase = r.data;
      lastUpload = null;
      idempotencyKey = crypto.randomUUID();
      renderFiled();
      renderUpload();
      $('#filed').hidden = false;
      $('#h-filed').setAttribute('tabindex', '-1');
      $('#h-filed').focus();
      void refreshCases(true);
      return;
    }
    const { unplaced, first } = showErrors(r.problem?.errors ?? []);
    problem.textContent = [problemText(r.problem) || `HTTP ${r.status}`, ...unplaced].join(' · ');
    first?.focus();
  } catch (err) {
    problem.textContent = `${err.message}`;
  } finally {
    button.disabled = false;
  }
}

function renderFiled() {
  if (!filedCase) return;
  replace(
    $('#filed-summary'),
    t('filed')(filedCase.caseId),
    ' ',
    badge('status', filedCase.status),
    ' ',
    badge('severity', filedCase.severity),
    ' ',
    el('a', { href: `/ui/cases/${encodeURIComponent(filedCase.caseId)}`, dataset: { testid: 'filed-case-link' } }, t('openCase')),
  );
}

// ---- CSV upload --------------------------------------------------------------------------------------------------

function setProgress(p) {
  $('#upload-progress').value = p;
  $('#upload-percent').textContent = `${p}%`;
}

function renderUpload() {
  const status = $('#upload-status');
  const errors = $('#upload-errors');
  if (!lastUpload) {
    status.textContent = '';
    errors.replaceChildren();
    return;
  }
  const { ok, data, problem } = lastUpload;
  status.className = ok ? 'ok' : 'problem';
  status.textContent = ok ? t('uploaded')(data.ref) : problemText(problem);
  const rows = (ok ? data.errors : problem?.rows) ?? [];
  const count = (ok ? data.errorCount : problem?.errorCount) ?? rows.length;
  replace(
    errors,
    rows.length
      ? [
          el('h4', {}, `${t('rowErrors')} (${num(count)})`),
          table([t('row'), t('column'), t('reason')], rows.map((e) => [String(e.row), e.column ?? '—', e.reason])),
        ]
      : null,
  );
}

function upload(ev) {
  ev.preventDefault();
  const file = $('#csv').files?.[0];
  const status = $('#upload-status');
  if (!file || !filedCase) {
    status.className = 'problem';
    status.textContent = t('chooseFile');
    $('#csv').focus();
    return;
  }
  const button = $('#upload button');
  button.disabled = true;
  setProgress(0);
  status.className = '';
  status.textContent = t('uploading');
  $('#upload-errors').replaceChildren();
  // XMLHttpRequest rather than fetch: only it reports upload progress.
  const xhr = new XMLHttpRequest();
  xhr.open('PUT', `/v1/cases/${encodeURIComponent(filedCase.caseId)}/affected-persons`);
  xhr.setRequestHeader('Authorization', `Bearer ${session.key()}`);
  xhr.setRequestHeader('Content-Type', 'text/csv');
  xhr.setRequestHeader('Accept', 'application/json');
  xhr.upload.addEventListener('progress', (e) => {
    if (e.lengthComputable) setProgress(Math.round((e.loaded / e.total) * 100));
  });
  xhr.addEventListener('load', () => {
    button.disabled = false;
    let json = null;
    try {
      json = JSON.parse(xhr.responseText);
    } catch {
      json = { detail: xhr.responseText.slice(0, 200) };
    }
    const ok = xhr.status >= 200 && xhr.status < 300;
    if (ok) setProgress(100);
    lastUpload = ok ? { ok, data: json } : { ok, problem: json };
    if (ok && json.case) filedCase = json.case;
    renderUpload();
    renderFiled();
  });
  xhr.addEventListener('error', () => {
    button.disabled = false;
    status.className = 'problem';
    status.textContent = 'The API cannot be reached; try again.';
  });
  xhr.send(file);
}

// ---- own cases ---------------------------------------------------------------------------------------------------

let casesTimer;
async function refreshCases(force = false) {
  clearTimeout(casesTimer);
  try {
    const r = await get('/v1/cases?pageSize=25');
    if (r.ok && (force || !r.notModified)) {
      const [cCase, cStatus, cSeverity, cReported, cDeadline] = t('caseCols');
      replace(
        $('#my-cases'),
        table(
          [cCase, cStatus, cSeverity, cReported, cDeadline, ''],
          r.data.items.map((c) => [
            el('a', { href: `/ui/cases/${encodeURIComponent(c.caseId)}` }, c.caseId),
            badge('status', c.status),
            badge('severity', c.severity),
            jst(c.reportedAt),
            jst(c.nextDeadline),
            c.nextDeadline && ['reported', 'triage', 'response', 'settlement'].includes(c.status) ? countdown(c.nextDeadline) : '',
          ]),
          { empty: t('noCases') },
        ),
      );
    }
  } catch {
    // Shown again on the next poll; the list is secondary on this page.
  }
  casesTimer = setTimeout(() => void refreshCases(), 5000);
}

async function init() {
  if (refuseRole(me, ['insured', 'handler'], 'Incident report')) return;
  vocab = await vocabulary();
  buildDataItems();
  $('#discoveredAt').value = toJstLocal(Date.now());
  $('#discoveredAt').max = toJstLocal(Date.now() + 5 * 60_000);
  for (const b of $$('[data-lang]')) {
    b.addEventListener('click', () => {
      lang = b.dataset.lang;
      translate();
    });
  }
  $('#report').addEventListener('input', hints);
  $('#report').addEventListener('change', hints);
  $('#report').addEventListener('submit', submit);
  $('#upload').addEventListener('submit', upload);
  startCountdowns();
  translate();
}

void init();
