// Choosing a plan (保険プランの選び方): the quote form (industry, size, the record sets held, security measures), then
// the plans around the recommended one, a chart of the scenarios against the plans' limits (inline SVG drawn here),
// the scenarios and every step of their arithmetic, and the prevention recommendations. All figures come from
// `POST /v1/quotes`; the page only lays them out. The steps carry both languages, so switching language redraws.
import { $, $$, api, el, frame, jst, jstDay, lang, num, onLang, problemText, refuseRole, replace, requireLogin, table, translator, Unreachable, vocabLabel, vocabulary, word, yen } from './common.js';

const INDUSTRIES = [
  'retail_ecommerce', 'finance', 'insurance', 'healthcare', 'education', 'public_sector', 'telecom', 'it_services',
  'manufacturing', 'hospitality', 'real_estate', 'professional_services', 'other',
];
const MEASURES = ['encryptionAtRest', 'mfa', 'edr', 'staffTraining', 'accessReviews'];

const T = {
  ja: {
    title: '保険プランの見積り',
    intro: '会社の規模・業種と、保有する個人情報の種類と件数から、必要な補償額を試算します。保険料は含みません。',
    industry: '業種',
    employees: '従業員数',
    annualRevenueJpy: '年間売上高（円）',
    insuredId: '契約者ID（任意）',
    insuredIdHint: '指定すると、その契約者の自己診断と研修記録を対策の欄に使います。',
    recordSets: '保有している個人情報',
    recordSetsHelp: '顧客名簿・会員データ・従業員データなど、まとまりごとに項目と人数を入力してください。',
    setLabel: '名称（任意）',
    setPersons: '人数',
    setItems: '含まれる項目',
    setTitle: (i) => `データ${i + 1}`,
    addSet: 'データを追加',
    removeSet: 'このデータを削除',
    measures: 'セキュリティ対策',
    measuresHelp: '「自己診断に従う」を選ぶと、登録済みの自己診断と研修記録から判断します。',
    fromAssessment: '自己診断に従う',
    yes: '実施している',
    no: '実施していない',
    submit: '見積る',
    submitting: '計算中…',
    resultTitle: '推奨プラン',
    recommended: (l, r) => `推奨：賠償責任の支払限度額 ${l}、事故対応費用の支払限度額 ${r}`,
    planCols: ['プラン', '賠償責任の限度額', '事故対応費用の限度額', '深刻なシナリオで補償されない額', '理由'],
    position: { lower: '一段低いプラン', recommended: '推奨プラン', higher: '一段高いプラン' },
    chartTitle: 'シナリオとプランの比較',
    chartHelp: '棒はシナリオごとの見込み額、横線は各プランの限度額です（縦軸は対数目盛）。',
    liabilityChart: '損害賠償',
    responseChart: '事故対応費用',
    chartLabel: (what) => `${what}：シナリオごとの見込み額と各プランの限度額`,
    scenario: { typical: '通常', severe: '深刻' },
    scenariosTitle: 'シナリオ',
    scenarioCols: ['データ', 'シナリオ', '漏えい人数', '重大度', '損害賠償', '事故対応費用', '合計'],
    arithmeticTitle: '計算の内訳',
    sizingTitle: 'プランの決め方',
    generalTitle: '前提',
    preventionTitle: '再発防止・予防のご提案',
    noRecommendations: '入力された対策はすべて実施済みです。',
    measureSource: { request: '入力', self_assessment: '自己診断', training_records: '研修記録', not_stated: '未回答' },
    measureCols: ['対策', '状況', '根拠'],
    done: '実施',
    missing: '未実施',
    required: '入力してください。',
    badInt: '0以上の整数で入力してください。',
    needItem: '少なくとも1項目を選んでください。',
    fixErrors: '入力内容を確認してください。',
    unreachable: 'サーバーに接続できません。通信環境を確認して、もう一度お試しください。',
    yenShort: (n) => shortYenJa(n),
    industries: {
      retail_ecommerce: '小売・通販', finance: '銀行・金融', insurance: '保険', healthcare: '医療・介護', education: '教育',
      public_sector: '官公庁・自治体', telecom: '通信', it_services: '情報サービス', manufacturing: '製造', hospitality: '宿泊・旅行',
      real_estate: '不動産', professional_services: '士業・専門サービス', other: 'その他',
    },
    measureNames: {
      encryptionAtRest: '保存データの暗号化', mfa: '多要素認証', edr: 'EDR（エンドポイントの検知・対応）', staffTraining: '従業員教育', accessReviews: 'アクセス権の定期見直し',
    },
    groups: { basic: '基本情報', attributes: '属性情報', physical: '身体的特徴・健康', genetic: '遺伝情報', behavioural: '行動情報' },
    recordsTitle: '自己診断と研修記録',
    recordsHelp: 'ここでの回答と研修記録は、見積りで「自己診断に従う」とした対策に使われます。1年以内の研修記録があれば従業員教育は実施済みとみなします。',
    assessmentTitle: 'セキュリティ自己診断',
    assessmentNotes: 'メモ（任意）',
    saveAssessment: '自己診断を保存',
    assessmentNone: 'まだ回答していません。',
    assessmentSaved: (a) => `${jst(a.answeredAt)} に回答済み（第${a.version}版）。`,
    trainingTitle: '従業員の研修記録',
    trainingPerson: '受講者',
    trainingCourse: '研修名',
    trainingDate: '受講日',
    addTraining: '研修記録を追加',
    trainingCols: ['受講者', '研修名', '受講日'],
    noTraining: 'まだ研修記録はありません。',
    trainingAdded: '研修記録を追加しました。',
  },
  en: {
    title: 'Choosing a plan',
    intro: 'From the size and industry of the company and the kind and amount of personal data it holds, the cover it needs. Premiums are not included.',
    industry: 'Industry',
    employees: 'Employees',
    annualRevenueJpy: 'Annual revenue (yen)',
    insuredId: 'Insured id (optional)',
    insuredIdHint: 'When given, that insured’s self-assessment and training records fill the measures.',
    recordSets: 'Personal data held',
    recordSetsHelp: 'One entry per set of records (customers, members, employees…): its data items and how many persons.',
    setLabel: 'Name (optional)',
    setPersons: 'Persons',
    setItems: 'Data items',
    setTitle: (i) => `Record set ${i + 1}`,
    addSet: 'Add a record set',
    removeSet: 'Remove this record set',
    measures: 'Security measures',
    measuresHelp: '“As in the self-assessment” takes the answer from the saved self-assessment and training records.',
    fromAssessment: 'As in the self-assessment',
    yes: 'In place',
    no: 'Not in place',
    submit: 'Get the quote',
    submitting: 'Calculating…',
    resultTitle: 'Recommended plan',
    recommended: (l, r) => `Recommended: liability limit ${l}, response-cost limit ${r}`,
    planCols: ['Plan', 'Liability limit', 'Response-cost limit', 'Uncovered in the severe scenario', 'Why'],
    position: { lower: 'One step lower', recommended: 'Recommended', higher: 'One step higher' },
    chartTitle: 'Scenarios against the plans',
    chartHelp: 'Bars are each scenario’s expected amount, lines each plan’s limit (logarithmic scale).',
    liabilityChart: 'Liability',
    responseChart: 'Response costs',
    chartLabel: (what) => `${what}: each scenario’s expected amount and each plan’s limit`,
    scenario: { typical: 'Typical', severe: 'Severe' },
    scenariosTitle: 'Scenarios',
    scenarioCols: ['Record set', 'Scenario', 'Leaked persons', 'Severity', 'Liability', 'Response costs', 'Total'],
    arithmeticTitle: 'The arithmetic',
    sizingTitle: 'How the plan is sized',
    generalTitle: 'Assumptions',
    preventionTitle: 'Prevention recommendations',
    noRecommendations: 'Every measure asked about is in place.',
    measureSource: { request: 'as entered', self_assessment: 'self-assessment', training_records: 'training records', not_stated: 'not answered' },
    measureCols: ['Measure', 'Status', 'From'],
    done: 'In place',
    missing: 'Missing',
    required: 'Please fill this in.',
    badInt: 'A whole number, 0 or more.',
    needItem: 'Choose at least one item.',
    fixErrors: 'Please check the form.',
    unreachable: 'The server cannot be reached. Check the connection and try again.',
    yenShort: (n) => shortYenEn(n),
    industries: {
      retail_ecommerce: 'Retail and e-commerce', finance: 'Banking and finance', insurance: 'Insurance', healthcare: 'Healthcare', education: 'Education',
      public_sector: 'Public sector', telecom: 'Telecommunications', it_services: 'IT services', manufacturing: 'Manufacturing', hospitality: 'Hospitality and travel',
      real_estate: 'Real estate', professional_services: 'Professional services', other: 'Other',
    },
    measureNames: {
      encryptionAtRest: 'Encryption of stored data', mfa: 'Multi-factor authentication', edr: 'Endpoint detection and response (EDR)', staffTraining: 'Staff training', accessReviews: 'Regular access reviews',
    },
    groups: { basic: 'Basic information', attributes: 'Attributes', physical: 'Body and health', genetic: 'Genetic data', behavioural: 'Behaviour' },
    recordsTitle: 'Self-assessment and training records',
    recordsHelp: 'These answers and records fill the measures a quote leaves “as in the self-assessment”. A course in the last year counts as staff training.',
    assessmentTitle: 'Security self-assessment',
    assessmentNotes: 'Notes (optional)',
    saveAssessment: 'Save the self-assessment',
    assessmentNone: 'Not answered yet.',
    assessmentSaved: (a) => `Answered ${jst(a.answeredAt)} (version ${a.version}).`,
    trainingTitle: 'Staff training records',
    trainingPerson: 'Who',
    trainingCourse: 'Course',
    trainingDate: 'Completed on',
    addTraining: 'Add a training record',
    trainingCols: ['Who', 'Course', 'Completed on'],
    noTraining: 'No training recorded yet.',
    trainingAdded: 'Training record added.',
  },
};
const t = translator(T);

/** 1億円, 3,000万円, 50万円: how Japanese writes round amounts. */
function shortYenJa(n) {
  if (n >= 1e8) return `${num(Math.round((n / 1e8) * 10) / 10)}億円`;
  if (n >= 1e4) return `${num(Math.round(n / 1e4))}万円`;
  return `${num(n)}円`;
}
function shortYenEn(n) {
  if (n >= 1e9) return `¥${num(Math.round((n / 1e9) * 10) / 10)}bn`;
  if (n >= 1e6) return `¥${num(Math.round((n / 1e6) * 10) / 10)}m`;
  if (n >= 1e3) return `¥${num(Math.round(n / 1e3))}k`;
  return `¥${num(n)}`;
}

const me = requireLogin();
frame(me, '/ui/quote');
let vocab;
let lastQuote = null;
let setCount = 0;

// ---- the form ------------------------------------------------------------------------------------------------------

function recordSetBlock() {
  const i = setCount++;
  const block = el(
    'fieldset',
    { class: 'record-set', dataset: { set: String(i) } },
    el('legend', { dataset: { setTitle: '' } }),
    el(
      'div',
      { class: 'grid-2' },
      el(
        'div',
        { class: 'field' },
        el('label', { for: `set-${i}-label`, dataset: { i18n: 'setLabel' } }),
        el('input', { id: `set-${i}-label`, name: 'label', maxlength: 100, autocomplete: 'off', 'aria-describedby': `err-set-${i}-label` }),
        el('span', { class: 'field-error', id: `err-set-${i}-label`, dataset: { pathSuffix: 'label' } }),
      ),
      el(
        'div',
        { class: 'field' },
        el('label', { for: `set-${i}-persons`, dataset: { i18n: 'setPersons' } }),
        el('input', { id: `set-${i}-persons`, name: 'persons', type: 'number', min: 0, step: 1, inputmode: 'numeric', required: true, 'aria-describedby': `err-set-${i}-persons` }),
        el('span', { class: 'field-error', id: `err-set-${i}-persons`, dataset: { pathSuffix: 'persons' } }),
      ),
    ),
    el(
      'fieldset',
      { class: 'data-items' },
      el('legend', { dataset: { i18n: 'setItems' } }),
      el(
        'div',
        { class: 'item-groups' },
        vocab.dataItemGroups.map((g) =>
          el(
            'fieldset',
            { class: 'item-group' },
            el('legend', { dataset: { groupLabel: g } }),
            vocab.dataItems
              .filter((d) => d.group === g)
              .map((d) => el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'dataItems', value: d.code }), ' ', el('span', { dataset: { item: d.code } }))),
          ),
        ),
      ),
      el('span', { class: 'field-error', dataset: { pathSuffix: 'dataItems' } }),
    ),
    el('div', { class: 'buttons' }, el('button', { type: 'button', class: 'secondary remove-set', dataset: { i18n: 'removeSet' } })),
  );
  block.querySelector('.remove-set').addEventListener('click', () => {
    if ($$('.record-set').length > 1) block.remove();
    translate();
  });
  return block;
}

function buildForm() {
  replace($('#industry'), INDUSTRIES.map((c) => el('option', { value: c, dataset: { industry: c } })));
  replace(
    $('#measures'),
    MEASURES.map((m) =>
      el(
        'div',
        { class: 'field' },
        el('label', { for: `m-${m}`, dataset: { measure: m } }),
        el(
          'select',
          { id: `m-${m}`, name: m, 'aria-describedby': `err-m-${m}` },
          el('option', { value: '', dataset: { i18n: 'fromAssessment' } }),
          el('option', { value: 'yes', dataset: { i18n: 'yes' } }),
          el('option', { value: 'no', dataset: { i18n: 'no' } }),
        ),
        el('span', { class: 'field-error', id: `err-m-${m}`, dataset: { path: `/measures/${m}` } }),
      ),
    ),
  );
  $('#record-sets').append(recordSetBlock());
  if (me.role !== 'insured') $('#insured-field').hidden = false;
}

function translate() {
  for (const n of $$('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  for (const n of $$('[data-group-label]')) n.textContent = t('groups')[n.dataset.groupLabel];
  for (const n of $$('[data-item]')) n.textContent = vocabLabel(vocab.dataItems, n.dataset.item);
  for (const n of $$('[data-industry]')) n.textContent = t('industries')[n.dataset.industry];
  for (const n of $$('[data-measure]')) n.textContent = t('measureNames')[n.dataset.measure];
  $$('.record-set').forEach((b, i) => {
    b.querySelector('[data-set-title]').textContent = t('setTitle')(i);
    // Server errors name `/recordSets/<index>/...`: the index is the block's place now, not its creation order.
    for (const e of b.querySelectorAll('[data-path-suffix]')) e.dataset.path = `/recordSets/${i}/${e.dataset.pathSuffix}`;
  });
  const rev = Number($('#annualRevenueJpy').value);
  $('#hint-revenue').textContent = $('#annualRevenueJpy').value && Number.isFinite(rev) ? yen(rev) : '';
  if (lastQuote) renderQuote(lastQuote);
  renderRecords();
}

function readForm() {
  const body = {
    industry: $('#industry').value,
    employees: $('#employees').value === '' ? undefined : Number($('#employees').value),
    annualRevenueJpy: $('#annualRevenueJpy').value === '' ? undefined : Number($('#annualRevenueJpy').value),
    recordSets: $$('.record-set').map((b) => {
      const label = b.querySelector('[name=label]').value.trim();
      const persons = b.querySelector('[name=persons]').value;
      return {
        ...(label ? { label } : {}),
        dataItems: [...b.querySelectorAll('[name=dataItems]:checked')].map((c) => c.value),
        persons: persons === '' ? undefined : Number(persons),
      };
    }),
  };
  const measures = {};
  for (const m of MEASURES) {
    const v = $(`#m-${m}`).value;
    if (v) measures[m] = v === 'yes';
  }
  if (Object.keys(measures).length) body.measures = measures;
  const insuredId = $('#insuredId').value.trim();
  if (me.role !== 'insured' && insuredId) body.insuredId = insuredId;
  return body;
}

function clientErrors(b) {
  const errors = [];
  const whole = (v) => Number.isInteger(v) && v >= 0;
  if (b.employees === undefined) errors.push({ path: '/employees', message: t('required') });
  else if (!whole(b.employees) || b.employees < 1) errors.push({ path: '/employees', message: t('badInt') });
  if (b.annualRevenueJpy === undefined) errors.push({ path: '/annualRevenueJpy', message: t('required') });
  else if (!whole(b.annualRevenueJpy)) errors.push({ path: '/annualRevenueJpy', message: t('badInt') });
  b.recordSets.forEach((s, i) => {
    if (s.persons === undefined) errors.push({ path: `/recordSets/${i}/persons`, message: t('required') });
    else if (!whole(s.persons)) errors.push({ path: `/recordSets/${i}/persons`, message: t('badInt') });
    if (s.dataItems.length === 0) errors.push({ path: `/recordSets/${i}/dataItems`, message: t('needItem') });
  });
  return errors;
}

/** Each error beside the field whose data-path it names, or its nearest parent; the rest at the form's head. */
function showErrors(errors, form = $('#quote-form'), problem = $('#form-problem')) {
  for (const n of $$('.field-error', form)) n.textContent = '';
  for (const n of $$('[aria-invalid]', form)) n.removeAttribute('aria-invalid');
  const unplaced = [];
  for (const e of errors) {
    let path = e.path;
    let target = null;
    while (path && !(target = form.querySelector(`.field-error[data-path="${CSS.escape(path)}"]`))) path = path.replace(/\/[^/]*$/, '');
    if (!target) {
      unplaced.push(e.message);
      continue;
    }
    target.textContent = target.textContent ? `${target.textContent} ${e.message}` : e.message;
    const input = target.closest('.field, fieldset')?.querySelector('input, select');
    input?.setAttribute('aria-invalid', 'true');
  }
  problem.textContent = errors.length ? [t('fixErrors'), ...unplaced].join(' ') : '';
}

async function submit(ev) {
  ev.preventDefault();
  const body = readForm();
  const local = clientErrors(body);
  showErrors(local);
  if (local.length) return;
  const button = $('#submit-quote');
  button.disabled = true;
  button.textContent = t('submitting');
  try {
    const r = await api('/v1/quotes', { method: 'POST', body });
    if (!r.ok) {
      const errors = (r.problem?.errors ?? []).map((e) => ({ path: e.path, message: e.message }));
      showErrors(errors);
      if (!errors.length) $('#form-problem').textContent = problemText(r.problem);
      return;
    }
    lastQuote = r.data;
    history.replaceState(null, '', `/ui/quote?quote=${encodeURIComponent(r.data.quoteId)}`);
    renderQuote(r.data);
    $('#result').scrollIntoView({ block: 'start' });
  } catch (err) {
    if (err instanceof Unreachable) $('#form-problem').textContent = t('unreachable');
    else throw err;
  } finally {
    button.disabled = false;
    button.textContent = t('submit');
  }
}

// ---- the result ----------------------------------------------------------------------------------------------------

const text = (w) => w?.[lang()] ?? w?.en ?? '';

function setName(q, i) {
  const label = q.request.recordSets[i]?.label;
  if (!label) return t('setTitle')(i);
  return lang() === 'ja' ? `${t('setTitle')(i)}（${label}）` : `${t('setTitle')(i)} (${label})`;
}

function renderQuote(q) {
  $('#result').hidden = false;
  const rec = q.plans.find((p) => p.recommended);
  $('#recommendation').textContent = t('recommended')(yen(rec.liabilityLimitJpy), yen(rec.responseCostLimitJpy));
  replace(
    $('#plans'),
    table(
      t('planCols'),
      q.plans.map((p) => [
        el('span', { class: p.recommended ? 'plan-recommended' : '' }, t('position')[p.position]),
        yen(p.liabilityLimitJpy),
        yen(p.responseCostLimitJpy),
        yen(p.uncoveredInSevereJpy),
        el('ul', { class: 'reasons' }, p.reasons.map((r) => el('li', {}, text(r.text)))),
      ]),
      { stack: true },
    ),
  );
  for (const row of $$('#plans tbody tr')) if (row.querySelector('.plan-recommended')) row.classList.add('recommended-row');
  replace($('#charts'), chart(q, 'liability'), chart(q, 'response'));
  replace(
    $('#scenarios'),
    table(
      t('scenarioCols'),
      q.scenarios.map((s) => [setName(q, s.recordSet), t('scenario')[s.name], num(s.leakedPersons), word('severity', s.severity), yen(s.liabilityJpy), yen(s.responseCostsJpy), yen(s.totalJpy)]),
      { stack: true },
    ),
  );
  replace(
    $('#arithmetic'),
    el('details', { open: true }, el('summary', {}, t('sizingTitle')), el('ol', { class: 'steps' }, q.sizing.steps.map((s) => el('li', {}, text(s.text))))),
    q.scenarios.map((s) =>
      el('details', {}, el('summary', {}, `${setName(q, s.recordSet)} · ${t('scenario')[s.name]}: ${yen(s.totalJpy)}`), el('ol', { class: 'steps' }, s.steps.map((x) => el('li', {}, text(x.text))))),
    ),
    el('details', {}, el('summary', {}, t('generalTitle')), el('ol', { class: 'steps' }, q.steps.map((s) => el('li', {}, text(s.text))))),
  );
  replace(
    $('#prevention'),
    table(
      t('measureCols'),
      MEASURES.map((m) => [t('measureNames')[m], q.measures[m] ? t('done') : t('missing'), t('measureSource')[q.measureSources[m]]]),
      { stack: true },
    ),
    q.preventionRecommendations.length
      ? el('ul', { class: 'recommendations' }, q.preventionRecommendations.map((r) => el('li', { dataset: { measure: r.measure } }, el('strong', {}, text(r.label)), ' ', text(r.text))))
      : el('p', { class: 'empty' }, t('noRecommendations')),
  );
}

// ---- the chart -----------------------------------------------------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, ...children) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  for (const c of children) n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return n;
}

/**
 * One limit's chart: a bar per scenario (its amount for this limit) and a line per plan at its limit, on a log scale
 * from the decade below the smallest figure to the decade above the largest, so ¥60 and ¥1bn both show.
 */
function chart(q, kind) {
  const amount = (s) => (kind === 'liability' ? s.liabilityJpy : s.responseCostsJpy);
  const limit = (p) => (kind === 'liability' ? p.liabilityLimitJpy : p.responseCostLimitJpy);
  const values = [...q.scenarios.map(amount), ...q.plans.map(limit)].filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.max(1, Math.min(...values, 1e6))));
  const hi = Math.ceil(Math.log10(Math.max(...values, 10)));
  const W = 640;
  const H = 300;
  // Room for the axis labels at the phone's larger type (app.css doubles chart text below 640 px).
  const left = 124;
  const right = 124;
  const top = 20;
  const bottom = 66;
  const y = (v) => top + (H - top - bottom) * (1 - (Math.log10(Math.max(v, 10 ** lo)) - lo) / Math.max(1, hi - lo));
  const title = kind === 'liability' ? t('liabilityChart') : t('responseChart');
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart quote-chart', role: 'img', 'aria-label': t('chartLabel')(title), 'data-kind': kind });
  root.append(svg('title', {}, t('chartLabel')(title)));
  for (let d = lo; d <= hi; d++) {
    root.append(svg('line', { class: 'grid', x1: left, x2: W - right, y1: y(10 ** d), y2: y(10 ** d) }));
    root.append(svg('text', { class: 'axis', x: left - 6, y: y(10 ** d) + 4, 'text-anchor': 'end' }, t('yenShort')(10 ** d)));
  }
  const n = q.scenarios.length;
  const slot = (W - left - right) / n;
  const barW = Math.min(48, slot * 0.6);
  q.scenarios.forEach((s, i) => {
    const x = left + slot * i + (slot - barW) / 2;
    const v = amount(s);
    const yTop = y(Math.max(v, 10 ** lo));
    root.append(
      svg(
        'rect',
        { class: `bar-rect scenario-${s.name}`, x, y: yTop, width: barW, height: Math.max(0, H - bottom - yTop), 'data-scenario': s.name, 'data-amount': v },
        svg('title', {}, `${setName(q, s.recordSet)} · ${t('scenario')[s.name]}: ${yen(v)}`),
      ),
    );
    root.append(svg('text', { class: 'axis', x: x + barW / 2, y: H - bottom + 26, 'text-anchor': 'middle' }, lang() === 'ja' ? `データ${s.recordSet + 1}` : `Set ${s.recordSet + 1}`));
    root.append(svg('text', { class: 'axis', x: x + barW / 2, y: H - bottom + 54, 'text-anchor': 'middle' }, t('scenario')[s.name]));
  });
  // A line per plan at its limit, in the plans' order; the labels pushed apart where limits lie close (or equal).
  for (const p of q.plans) {
    const ly = y(limit(p));
    root.append(svg('line', { class: `limit limit-${p.position}`, x1: left, x2: W - right, y1: ly, y2: ly, 'data-limit': limit(p) }));
  }
  let prev = Infinity;
  for (const p of [...q.plans].sort((a, b) => limit(a) - limit(b))) {
    const at = Math.min(y(limit(p)) + 6, prev - 24);
    prev = at;
    root.append(svg('text', { class: `limit-label limit-${p.position}`, x: W - right + 6, y: at }, t('yenShort')(limit(p))));
  }
  const wrap = el('figure', { class: 'quote-chart-wrap' }, root, el('figcaption', { class: 'muted small' }, title, ' — ', q.plans.map((p) => `${t('position')[p.position]} ${yen(limit(p))}`).join(' / ')));
  return wrap;
}

// ---- the insured's self-assessment and training records ------------------------------------------------------------

let assessment = null;
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** A JST day: 2026年11月10日 / 10 Nov 2026. */
function dayWords(ymd) {
  const [y, m, d] = ymd.split('-').map(Number);
  return lang() === 'ja' ? `${y}年${m}月${d}日` : `${d} ${MONTHS_EN[m - 1]} ${y}`;
}
let trainingRecords = [];
// Written out in full: test/browser/endpoints.test.ts checks every API path of the pages against the OpenAPI document.
const assessmentPath = () => `/v1/insureds/${encodeURIComponent(me.insuredId)}/self-assessment`;
const trainingPath = () => `/v1/insureds/${encodeURIComponent(me.insuredId)}/training`;

function renderRecords() {
  if (me.role !== 'insured') return;
  $('#assessment-status').textContent = assessment ? t('assessmentSaved')(assessment) : t('assessmentNone');
  replace(
    $('#training-list'),
    table(
      t('trainingCols'),
      trainingRecords.map((r) => [el('span', { translate: 'no' }, r.person), r.course, dayWords(jstDay(r.completedAt))]),
      { empty: t('noTraining'), stack: true },
    ),
  );
}

async function loadRecords() {
  const [a, tr] = await Promise.all([api(assessmentPath()), api(trainingPath())]);
  if (a.ok) {
    assessment = a.data.assessment;
    for (const m of MEASURES) $(`#a-${m}`).checked = assessment?.answers?.[m] === true;
    $('#assessment-notes').value = assessment?.notes ?? '';
  }
  if (tr.ok) trainingRecords = tr.data.records;
  renderRecords();
}

function buildRecords() {
  if (me.role !== 'insured') return;
  $('#prevention-records').hidden = false;
  replace(
    $('#assessment-answers'),
    MEASURES.map((m) => el('label', { class: 'check' }, el('input', { type: 'checkbox', id: `a-${m}`, name: m }), ' ', el('span', { dataset: { measure: m } }))),
  );
  $('#assessment-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const notes = $('#assessment-notes').value.trim();
    const body = { answers: Object.fromEntries(MEASURES.map((m) => [m, $(`#a-${m}`).checked])), ...(notes ? { notes } : {}) };
    const r = await api(assessmentPath(), { method: 'POST', body });
    showErrors((r.problem?.errors ?? []).map((e) => ({ path: e.path, message: e.message })), $('#assessment-form'), $('#assessment-status'));
    if (r.ok) {
      assessment = r.data;
      renderRecords();
    } else if (!r.problem?.errors?.length) $('#assessment-status').textContent = problemText(r.problem);
  });
  $('#training-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const form = $('#training-form');
    const body = { person: $('#training-person').value.trim(), course: $('#training-course').value.trim(), completedAt: $('#training-date').value };
    const local = Object.entries(body).filter(([, v]) => !v).map(([k]) => ({ path: `/${k}`, message: t('required') }));
    if (local.length) return showErrors(local, form, $('#training-status'));
    body.completedAt = `${body.completedAt}T00:00:00+09:00`;
    const r = await api(trainingPath(), { method: 'POST', body });
    showErrors((r.problem?.errors ?? []).map((e) => ({ path: e.path, message: e.message })), form, $('#training-status'));
    if (r.ok) {
      trainingRecords = [...trainingRecords, r.data];
      form.reset();
      renderRecords();
      $('#training-status').textContent = t('trainingAdded');
    } else if (!r.problem?.errors?.length) $('#training-status').textContent = problemText(r.problem);
  });
}

// ---- start ---------------------------------------------------------------------------------------------------------

async function init() {
  if (refuseRole(me, ['insured', 'handler', 'admin'], () => t('title'))) return;
  vocab = await vocabulary();
  buildForm();
  buildRecords();
  $('#add-set').addEventListener('click', () => {
    if ($$('.record-set').length < 20) $('#record-sets').append(recordSetBlock());
    translate();
  });
  $('#quote-form').addEventListener('submit', submit);
  $('#annualRevenueJpy').addEventListener('input', translate);
  onLang(translate);
  translate();
  if (me.role === 'insured') await loadRecords();
  const id = new URLSearchParams(location.search).get('quote');
  if (id) {
    const r = await api(`/v1/quotes/${encodeURIComponent(id)}`);
    if (r.ok) {
      lastQuote = r.data;
      renderQuote(r.data);
    } else $('#form-problem').textContent = problemText(r.problem);
  }
}

void init();
