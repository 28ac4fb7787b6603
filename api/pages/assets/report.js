// Incident report for insured companies (handlers may file too): the contract's fields in Japanese or English, data
// items grouped as the seed article groups them, hints while typing, the server's field errors beside their fields,
// then the affected-person CSV with upload progress and its row errors, and the insured's own cases.
import {
  $,
  $$,
  api,
  askForHelp,
  badge,
  countdown,
  el,
  etagCache,
  frame,
  fromJstLocal,
  jst,
  lang,
  num,
  onLang,
  problemText,
  refuseRole,
  replace,
  requireLogin,
  session,
  startCountdowns,
  table,
  toJstLocal,
  translator,
  Unreachable,
  vocabLabel,
  vocabulary,
  word,
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
    submitting: '送信中…',
    submitted: '報告済み',
    fileAnother: '別の事故を報告',
    filedTitle: '報告を受け付けました',
    uploadTitle: '影響を受けた方の一覧（CSV）',
    uploadHelp: 'CSV（UTF-8、または Excel の「CSV（コンマ区切り）」の Shift_JIS）。1行目は見出し: name（氏名）, email（メールアドレス）, postal_address（住所）, language（言語: ja または en）。メールアドレスか住所のどちらかが必要です。',
    csvFile: 'CSV ファイル',
    upload: 'アップロード',
    uploadProgress: 'アップロードの進み具合',
    myCases: '報告済みの事故',
    groups: { basic: '基本情報', attributes: '属性情報', physical: '身体的特徴・健康', genetic: '遺伝情報', behavioural: '行動情報' },
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
    unreachable: 'サーバーに接続できません。通信環境を確認して、もう一度お試しください。',
    httpStatus: (status) => `サーバーがエラーを返しました（HTTP ${status}）。`,
    // Problem codes the report page can receive (POST /v1/cases, PUT …/affected-persons); others show the server's text.
    problems: {
      validation: '入力内容を確認してください。',
      malformed_json: '送信内容を読み取れませんでした。ページを再読み込みしてください。',
      unsupported_media_type: '送信形式が正しくありません。ページを再読み込みしてください。',
      payload_too_large: (p) => (p.limit ? `ファイルが大きすぎます（上限 ${num(p.limit)} バイト）。` : '送信内容が大きすぎます。'),
      unauthenticated: 'ログインの有効期限が切れました。もう一度ログインしてください。',
      forbidden: 'この操作を行う権限がありません。',
      not_found: '事故が見つかりません。',
      unknown_policy: 'この保険証券番号は登録されていません。番号をご確認ください。',
      idempotency_conflict: (p) =>
        p.caseId
          ? `このフォームからは、別の内容の報告がすでに事故番号 ${p.caseId} として受け付けられています。「報告済みの事故」をご確認ください。`
          : 'このフォームからは、別の内容の報告がすでに受け付けられています。「報告済みの事故」をご確認ください。',
      wrong_state: 'この事故では、一覧をアップロードできない状態です（終了済み、または前の一覧で通知を送付済み）。',
      conflict: 'ほかの操作と重なりました。もう一度お試しください。',
      rate_limited: '短時間に操作が集中しました。1分ほど待ってから、もう一度お試しください。',
      unavailable: 'システムが一時的に利用できません。少し待ってから、もう一度お試しください。',
      command_pending: '受け付けましたが、事故への反映を待っています。少し待ってから事故の詳細をご確認ください。',
      request_timeout: '送信に時間がかかりすぎました。通信環境を確認して、もう一度お試しください。',
      internal: 'システムエラーが発生しました。お問い合わせの際は、要求IDをお伝えください。',
      persons_rejected: 'どの行も登録できませんでした。下の不備をご確認ください。',
    },
    // `persons_rejected` with a `reason`: the whole file was refused.
    personsReasons: {
      too_many_rows: (p) => `行数が上限（${num(p.limit)}行）を超えています。ファイルを分けてアップロードしてください。`,
      line_too_long: (p) => `${p.row ?? '?'}行目が長すぎます（上限 ${num(p.limit)} バイト）。改行が抜けていないかご確認ください。`,
      missing_columns: '見出し行（1行目）に name（氏名）の列と、email（メールアドレス）または postal_address（住所）の列が必要です。',
    },
    // `not_csv`: why the file's text could not be read, by rule.
    fileRules: {
      encoding: 'UTF-8 でも Shift_JIS でもない文字があるか、2つの文字コードが混在しています。Excel で「CSV UTF-8（コンマ区切り）」として保存し直してください。',
      invalid_quote: 'ダブルクォート（"）で始まらないセルの中にダブルクォートがあります。セル全体を " で囲み、中の " は "" と2つ重ねてください。',
      text_after_quote: '" で囲んだセルの閉じる " のあとに文字があります。',
      unclosed_quote: 'この行で始まる " が閉じられていません。',
      inconsistent_columns: '列の数が見出し行と合いません。',
      line_too_long: '行が長すぎます。改行が抜けていないかご確認ください。',
      duplicate_column: '見出し行に同じ列が2回あります。',
      empty: 'ファイルが空か、見出し行がありません。',
      malformed: 'CSV として読み取れません。',
    },
    where: (row, column) => (row === undefined ? '' : `${row}行目${column ? `（${column}の列）` : ''}: `),
    rowReasons: {
      required: '入力が必要です',
      too_long: '長すぎます',
      invalid_email: 'メールアドレスの形式が正しくありません',
      email_or_address_required: 'メールアドレスか住所のどちらかが必要です',
      invalid_language: '言語は ja か en で指定してください',
      too_many_columns: '見出し行より列が多くなっています',
      line_too_long: '行が長すぎます',
    },
    columns: { name: '氏名', email: 'メールアドレス', postal_address: '住所', language: '言語' },
    fieldCodes: {
      unknown_policy: 'この保険証券番号は登録されていません。',
      future_date: '未来の日時は指定できません。',
      too_small: '入力が足りないか、値が小さすぎます。',
      too_big: '長すぎるか、値が大きすぎます。',
      invalid_format: '形式が正しくありません。',
      invalid_value: '選択肢にない値です。',
      invalid_type: '値の種類が正しくありません。',
      unrecognized_key: '不明な項目です。',
    },
    requestId: '要求ID',
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
    submitting: 'Filing…',
    submitted: 'Filed',
    fileAnother: 'File another incident',
    filedTitle: 'Report received',
    uploadTitle: 'Affected persons (CSV)',
    uploadHelp: 'CSV in UTF-8 (or Shift_JIS, as Japanese Excel saves “CSV (Comma delimited)”) with a header row: name, email, postal_address, language (ja or en). Each row needs an e-mail or a postal address.',
    csvFile: 'CSV file',
    upload: 'Upload',
    uploadProgress: 'Upload progress',
    myCases: 'Your cases',
    groups: { basic: 'Basic information', attributes: 'Attributes', physical: 'Physical characteristics and health', genetic: 'Genetic information', behavioural: 'Behaviour' },
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
    unreachable: 'The server cannot be reached. Check the connection and try again.',
    httpStatus: (status) => `The server answered with an error (HTTP ${status}).`,
    problems: {
      validation: 'Please check the fields marked below.',
      malformed_json: 'The server could not read the request. Reload the page.',
      unsupported_media_type: 'The request was sent in the wrong format. Reload the page.',
      payload_too_large: (p) => (p.limit ? `The file is too large (at most ${num(p.limit)} bytes).` : 'The request is too large.'),
      unauthenticated: 'Your sign-in has expired. Please sign in again.',
      forbidden: 'You are not allowed to do this.',
      not_found: 'The case cannot be found.',
      unknown_policy: 'This policy number is not registered. Please check it.',
      idempotency_conflict: (p) =>
        p.caseId
          ? `A different report was already filed from this form, as case ${p.caseId}. Check Your cases below.`
          : 'A different report was already filed from this form. Check Your cases below.',
      wrong_state: 'A list can no longer be uploaded to this case (it is closed, or notices were sent from an earlier list).',
      conflict: 'This clashed with another change. Please try again.',
      rate_limited: 'Too many requests in a short time. Wait a minute and try again.',
      unavailable: 'The system is briefly unavailable. Wait a moment and try again.',
      command_pending: 'Received, but the case has not taken it in yet. Check the case in a moment.',
      request_timeout: 'Sending took too long. Check the connection and try again.',
      internal: 'Something went wrong on our side. Quote the request ID when you contact us.',
      persons_rejected: 'No row of the list could be accepted. See the problems below.',
    },
    personsReasons: {
      too_many_rows: (p) => `The list has more than ${num(p.limit)} rows. Split it into several files.`,
      line_too_long: (p) => `Row ${p.row ?? '?'} is too long (at most ${num(p.limit)} bytes). Is a line break missing?`,
      missing_columns: 'The header row (row 1) needs a name column and an email or postal_address column.',
    },
    fileRules: {
      encoding: 'Some text is neither UTF-8 nor Shift_JIS, or the file mixes the two. Save it again from Excel as “CSV UTF-8 (Comma delimited)”.',
      invalid_quote: 'A double quote (") inside a cell that does not start with one. Quote the whole cell and double the quote: "a ""b"" c".',
      text_after_quote: 'Text follows the closing quote of a quoted cell.',
      unclosed_quote: 'A double quote opened in this row is never closed.',
      inconsistent_columns: 'This row has another number of columns than the header row.',
      line_too_long: 'This row is far too long. Is a line break missing?',
      duplicate_column: 'The header row names a column twice.',
      empty: 'The file is empty or has no header row.',
      malformed: 'The file cannot be read as CSV.',
    },
    where: (row, column) => (row === undefined ? '' : `Row ${row}${column ? `, column ${column}` : ''}: `),
    rowReasons: {
      required: 'Required',
      too_long: 'Too long',
      invalid_email: 'Not an e-mail address',
      email_or_address_required: 'Needs an e-mail or a postal address',
      invalid_language: 'Language must be ja or en',
      too_many_columns: 'More columns than the header row',
      line_too_long: 'Row too long',
    },
    columns: { name: 'name', email: 'email', postal_address: 'postal_address', language: 'language' },
    fieldCodes: {
      unknown_policy: 'This policy number is not registered.',
      future_date: 'Cannot be in the future.',
      too_small: 'Missing, or too small.',
      too_big: 'Too long, or too large.',
      invalid_format: 'Not in the expected format.',
      invalid_value: 'Not one of the choices.',
      invalid_type: 'Not the expected kind of value.',
      unrecognized_key: 'Unknown field.',
    },
    requestId: 'Request ID',
  },
};

const me = requireLogin();
frame(me, '/ui/report');
const get = etagCache();
let vocab;
let filedCase = null;
// One key per incident: kept across retries of the same report (a lost answer, a fixed field), so the server files it
// once; a new one only when the insured starts another report ("file another incident").
let idempotencyKey = crypto.randomUUID();
let filing = false;
let lastErrors = [];
// What the line above the form says: null, { key } (a message of the page), { unreachable }, { text } (a script
// error's own words), or { problem, status } (the server's answer).
let formProblem = null;
let lastUpload = null;

const t = translator(T);

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
  for (const n of $$('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  for (const n of $$('[data-i18n-label]')) n.setAttribute('aria-label', t(n.dataset.i18nLabel));
  for (const n of $$('[data-group-label]')) n.textContent = t('groups')[n.dataset.groupLabel];
  for (const n of $$('[data-item]')) {
    n.textContent = vocabLabel(vocab.dataItems, n.dataset.item);
  }
  for (const n of $$('[data-cause]')) n.textContent = word('cause', n.dataset.cause);
  for (const n of $$('[data-residency]')) n.textContent = t('residencyKeys')[n.dataset.residency] ?? n.dataset.residency;
  document.title = `${t('title')} · breach-claims`;
  hints();
  renderFormProblem(showErrors(lastErrors).unplaced);
  renderFiled();
  renderUpload();
  void refreshCases(true);
}

// ---- the server's problems in the page's language ------------------------------------------------------------------

const columnLabel = (column) => t('columns')[column] ?? column;

/** A problem+json answer in the page's language: known codes from the table, any other as the server worded it. */
function problemMessage(p, status) {
  if (!p || typeof p !== 'object') return t('httpStatus')(status);
  if (p.code === 'persons_rejected' && p.reason) return personsRefusal(p);
  const known = t('problems')[p.code];
  if (known === undefined) return problemText(p) || t('httpStatus')(status);
  const text = typeof known === 'function' ? known(p) : known;
  return p.code === 'internal' && p.requestId ? `${text} (${t('requestId')}: ${p.requestId})` : text;
}

/** A refused affected-person file: the reason, or for `not_csv` the rule, with the row and column it names. */
function personsRefusal(p) {
  const reason = t('personsReasons')[p.reason];
  if (reason) return typeof reason === 'function' ? reason(p) : reason;
  const rule = t('fileRules')[p.rule];
  if (!rule) return problemText(p);
  return `${t('where')(p.row, p.column ? columnLabel(p.column) : undefined)}${rule}`;
}

/** A server field error (`errors[]`) by its code; the server's own words when the page has none. */
function fieldMessage(e) {
  if (e.code === 'custom' && e.path === '/occurredAt') return t('afterDiscovery');
  return t('fieldCodes')[e.code] ?? e.message;
}

function renderFormProblem(unplaced = []) {
  const p = formProblem;
  const head = !p ? '' : p.key ? t(p.key) : p.unreachable ? t('unreachable') : p.text ?? problemMessage(p.problem, p.status);
  $('#form-problem').textContent = [head, ...unplaced].filter(Boolean).join(' · ');
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
    // The insured's e-mails (acknowledgement, decisions, payouts) come in the language the report was filed in.
    contact: { name: s('contactName'), email: s('contactEmail'), ...(s('contactPhone') ? { phone: s('contactPhone') } : {}), language: lang() },
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
    const message = e.key ? t(e.key) : fieldMessage(e);
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

function setSubmit(key) {
  const button = $('#submit-report');
  button.dataset.i18n = key;
  button.textContent = t(key);
}

/** The filed report stays on screen as sent, every control disabled, until the insured files another. */
function lockReport(locked) {
  for (const c of $('#report').elements) c.disabled = locked;
}

async function submit(ev) {
  ev.preventDefault();
  // One filing per report: a second press, or Enter in a field, while it is being filed or once it is, files nothing.
  if (filing || filedCase) return;
  const body = readReport();
  const local = clientErrors(body);
  if (local.length) {
    const { unplaced, first } = showErrors(local);
    formProblem = { key: 'fixErrors' };
    renderFormProblem(unplaced);
    first?.focus();
    return;
  }
  showErrors([]);
  formProblem = null;
  renderFormProblem();
  const form = $('#report');
  filing = true;
  $('#submit-report').disabled = true;
  setSubmit('submitting');
  form.setAttribute('aria-busy', 'true');
  try {
    const r = await api('/v1/cases', { method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKey } });
    if (r.ok) {
      filedCase = r.data;
      lastUpload = null;
      lockReport(true);
      setSubmit('submitted');
      renderFiled();
      renderUpload();
      $('#filed').hidden = false;
      $('#h-filed').setAttribute('tabindex', '-1');
      $('#h-filed').focus();
      void refreshCases(true);
      return;
    }
    const { unplaced, first } = showErrors(r.problem?.errors ?? []);
    formProblem = { problem: r.problem, status: r.status };
    renderFormProblem(unplaced);
    first?.focus();
  } catch (err) {
    // Unreachable, or the answer was lost: the same key again files the same case at most once.
    formProblem = err instanceof Unreachable ? { unreachable: true } : { text: String(err?.message ?? err) };
    renderFormProblem();
  } finally {
    filing = false;
    form.removeAttribute('aria-busy');
    if (!filedCase) {
      $('#submit-report').disabled = false;
      setSubmit('submit');
    }
  }
}

/** Starts a new report: an empty form (discovery defaults to now), a fresh Idempotency-Key, no filed case shown. */
function fileAnother() {
  filedCase = null;
  lastUpload = null;
  idempotencyKey = crypto.randomUUID();
  lockReport(false);
  $('#report').reset();
  $('#upload').reset();
  $('#discoveredAt').value = toJstLocal(Date.now());
  $('#discoveredAt').max = toJstLocal(Date.now() + 5 * 60_000);
  showErrors([]);
  formProblem = null;
  renderFormProblem();
  setSubmit('submit');
  setProgress(0);
  renderUpload();
  replace($('#filed-summary'));
  $('#filed').hidden = true;
  hints();
  $('#policyNumber').focus();
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
  const { ok, data, problem, status: httpStatus, unreachable } = lastUpload;
  status.className = ok ? 'ok' : 'problem';
  status.textContent = ok ? t('uploaded')(data.ref) : unreachable ? t('unreachable') : problemMessage(problem, httpStatus);
  const rows = (ok ? data.errors : problem?.rows) ?? [];
  const count = (ok ? data.errorCount : problem?.errorCount) ?? rows.length;
  // In Japanese the column's heading as a Japanese sheet names it, with the CSV name the row error uses.
  const column = (c) => (!c ? '—' : lang() === 'ja' && t('columns')[c] ? `${t('columns')[c]}（${c}）` : c);
  replace(
    errors,
    rows.length
      ? [
          el('h4', {}, `${t('rowErrors')} (${num(count)})`),
          table(
            [t('row'), t('column'), t('reason')],
            rows.map((e) => [String(e.row), column(e.column), t('rowReasons')[e.reason] ?? e.reason]),
          ),
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
    lastUpload = ok ? { ok, data: json } : { ok, problem: json, status: xhr.status };
    if (ok && json.case) filedCase = json.case;
    renderUpload();
    renderFiled();
  });
  xhr.addEventListener('error', () => {
    button.disabled = false;
    lastUpload = { ok: false, unreachable: true };
    renderUpload();
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
          { empty: t('noCases'), stack: true },
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
  // Beside "file an incident": the consultation desk, for an insured not sure yet that it has one.
  const help = askForHelp(me);
  if (help) $('.page-head').append(help);
  buildDataItems();
  $('#discoveredAt').value = toJstLocal(Date.now());
  $('#discoveredAt').max = toJstLocal(Date.now() + 5 * 60_000);
  onLang(translate);
  $('#report').addEventListener('input', hints);
  $('#report').addEventListener('change', hints);
  $('#report').addEventListener('submit', submit);
  $('#file-another').addEventListener('click', fileAnother);
  $('#upload').addEventListener('submit', upload);
  startCountdowns();
  translate();
}

void init();
