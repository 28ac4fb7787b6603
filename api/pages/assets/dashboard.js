// Operations dashboard: counts, a chart of cases over time, deadlines, SLA breaches and the filtered case list.
// Polls every few seconds with If-None-Match. When the API cannot be reached the page says so and marks every
// figure as stale (greyed, with the time it was last known good) until a poll succeeds again. Japanese or English.
import {
  $,
  $$,
  Unreachable,
  api,
  badge,
  count,
  countdown,
  el,
  etagCache,
  frame,
  fromJstLocal,
  jst,
  jstDay,
  jstShortDay,
  jstTime,
  lang,
  niceTicks,
  num,
  onLang,
  problemText,
  refuseRole,
  replace,
  requireLogin,
  startCountdowns,
  table,
  translateStatic,
  translator,
  vocabLabel,
  vocabulary,
  word,
  yen,
} from './common.js';

const T = {
  ja: {
    title: '運用ダッシュボード',
    loading: '読み込み中…',
    hCounts: '件数',
    hStatus: '状況別',
    hSeverity: '重大度別',
    hChart: (days) => `日別の報告件数（日本時間・直近${days}日）`,
    hOverdue: '期限を過ぎた義務',
    hDue: '24時間以内の期限',
    hSla: '委託先の対応期限超過',
    hCases: '事故の一覧',
    total: '総件数',
    open: '対応中',
    due24: '24時間以内に期限',
    overdue: '期限超過',
    slaBreaches: '委託先の期限超過',
    chartTitle: (n, days) => `直近${days}日に報告された事故 ${count(n, 'case')}`,
    chartAll: (n) => `全${count(n, 'case')}。`,
    chartRecent: (n) => `最近報告された${count(n, 'case')}から集計。`,
    dlCols: ['事故番号', '状況', '重大度', '次の期限', '残り', '担当者'],
    nothingOverdue: '期限を過ぎたものはありません。',
    nothingDue: '24時間以内の期限はありません。',
    slaLine: (n) => `委託先が受諾期限を守らなかった事故: ${count(n, 'case')}`,
    slaCols: ['事故番号', '状況', '超過', '担当者', '報告日時'],
    noBreach: '最近の事故に期限超過はありません。',
    caseCols: ['事故番号', '被保険者', '概要', '状況', '重大度', '保険証券番号', '報告日時', '次の期限', '残り', '担当者', '期限超過', '委託先超過'],
    noMatch: '条件に合う事故はありません。',
    page: (n) => `${n}ページ`,
    prev: '← 前へ',
    next: '次へ →',
    fStatus: '状況',
    fSeverity: '重大度',
    fInsured: '被保険者ID',
    fPolicy: '保険証券番号',
    fDue: '次の期限がこれより前（日本時間）',
    fOverdue: '期限超過',
    fAssigned: '担当者',
    fSize: '1ページの件数',
    any: 'すべて',
    overdueOnly: '期限超過のみ',
    notOverdue: '期限内のみ',
    apply: '絞り込む',
    clear: 'クリア',
    badFilter: 'この条件では絞り込めません。',
    live: (time) => `最新 · ${time} に更新`,
    reconnectingSince: (n, time) => `再接続中… サーバーに接続できません（${n}回目）。下の数値は ${time} 時点のもので、最新でない可能性があります。`,
    reconnecting: (n) => `再接続中… サーバーに接続できません（${n}回目）。`,
    notRefreshed: (m, time) => `更新できません: ${m}。下の数値は ${time ?? '—'} 時点のものです。`,
    pager: '一覧のページ',
    hWork: 'あなたの作業',
    regulatorNotice: '監督機関への通知',
    workLine: (n, late) => `対応待ち ${count(n, 'item')}${late ? `（うち期限超過 ${count(late, 'item')}）` : ''}。期限の近い順です。`,
    workCols: ['事故番号', '作業', '内容', '期限（日本時間）', '残り', '担当者', ''],
    noWork: 'いま対応が必要な作業はありません。',
    overdueMark: '期限超過',
    escalated: '上長に督促済み',
    noDue: '期限なし',
    unassigned: '未割当',
    workTruncated: '対象の事故が多いため、一部のみ表示しています。',
    hConsultations: '受付待ちの相談（事故相談窓口）',
    consultationCols: ['相談番号', '被保険者', '保険証券番号', '受付期限（日本時間）', '残り', ''],
    noConsultations: '受付待ちの相談はありません。',
    acknowledge: '受付確認',
  },
  en: {
    title: 'Operations dashboard',
    loading: 'Loading…',
    hCounts: 'Counts',
    hStatus: 'By status',
    hSeverity: 'By severity',
    hChart: (days) => `Cases reported per day (JST), last ${days} days`,
    hOverdue: 'Overdue obligations',
    hDue: 'Deadlines in the next 24 hours',
    hSla: 'Vendor SLA breaches',
    hCases: 'Cases',
    total: 'Cases in total',
    open: 'Open',
    due24: 'Due in 24 h',
    overdue: 'Overdue',
    slaBreaches: 'Vendor SLA breaches',
    chartTitle: (n, days) => `${count(n, 'case')} reported in the last ${days} days`,
    chartAll: (n) => `${count(n, 'case')}.`,
    chartRecent: (n) => `From the ${count(n, 'case')} most recently reported.`,
    dlCols: ['Case', 'Status', 'Severity', 'Next deadline', 'Clock', 'Assigned'],
    nothingOverdue: 'Nothing overdue.',
    nothingDue: 'Nothing due in the next 24 hours.',
    slaLine: (n) => `${count(n, 'case')} where a panel vendor missed its acknowledgement SLA.`,
    slaCols: ['Case', 'Status', 'Breaches', 'Assigned', 'Reported'],
    noBreach: 'No breaches among the recent cases.',
    caseCols: ['Case', 'Insured', 'Summary', 'Status', 'Severity', 'Policy', 'Reported', 'Next deadline', 'Clock', 'Assigned', 'Overdue', 'SLA'],
    noMatch: 'No case matches these filters.',
    page: (n) => `Page ${n}`,
    prev: '← Previous',
    next: 'Next →',
    fStatus: 'Status',
    fSeverity: 'Severity',
    fInsured: 'Insured id',
    fPolicy: 'Policy number',
    fDue: 'Next deadline before (JST)',
    fOverdue: 'Overdue',
    fAssigned: 'Assigned to',
    fSize: 'Per page',
    any: 'any',
    overdueOnly: 'overdue only',
    notOverdue: 'not overdue',
    apply: 'Apply filters',
    clear: 'Clear',
    badFilter: 'The list could not be filtered this way.',
    live: (time) => `Live · last refreshed ${time}`,
    reconnectingSince: (n, time) => `Reconnecting… the API is unreachable (attempt ${n}). Figures below are from ${time} and may be out of date.`,
    reconnecting: (n) => `Reconnecting… the API is unreachable (attempt ${n}).`,
    notRefreshed: (m, time) => `Not refreshed: ${m}. Figures below are from ${time ?? 'nowhere yet'}.`,
    pager: 'Case list pages',
    hWork: 'Your work queue',
    regulatorNotice: 'Notification to the regulator',
    workLine: (n, late) => `${count(n, 'item')} waiting on you${late ? `, ${count(late, 'item')} overdue` : ''}; most urgent first.`,
    workCols: ['Case', 'Task', 'Details', 'Due (JST)', 'Clock', 'Assigned', ''],
    noWork: 'Nothing waits on you right now.',
    overdueMark: 'Overdue',
    escalated: 'Escalated to supervisors',
    noDue: 'no due time',
    unassigned: 'unassigned',
    workTruncated: 'Too many open cases: the queue shows part of them.',
    hConsultations: 'Consultations waiting (24-hour desk)',
    consultationCols: ['Consultation', 'Insured', 'Policy', 'Acknowledge by (JST)', 'Clock', ''],
    noConsultations: 'No consultation is waiting.',
    acknowledge: 'Acknowledge',
  },
};
const t = translator(T);
const raw = (v) => el('span', { translate: 'no' }, v);

const POLL_MS = Number(new URLSearchParams(location.search).get('poll')) || 4000;
const CHART_DAYS = 14;
const CHART_PAGES = 3;
const OPEN = new Set(['reported', 'triage', 'response', 'settlement']);

const me = requireLogin();
frame(me, '/ui/dashboard');
/** The desk opens on the queue: handlers and supervisors see what waits on them first. */
const hasQueue = ['handler', 'supervisor'].includes(me.role);
let vocab;
const get = etagCache();

let lastGood = null;
let failures = 0;
let filters = {};
let pageTokens = [undefined];
let pageIndex = 0;
let nextToken = null;
let timer;

function caseLink(id) {
  return el('a', { href: `/ui/cases/${encodeURIComponent(id)}`, translate: 'no' }, id);
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function expect(r, what) {
  if (r.ok) return r.data;
  const err = new Error(`${what}: ${problemText(r.problem) || `HTTP ${r.status}`}`);
  err.response = r;
  throw err;
}

// ---- rendering ---------------------------------------------------------------------------------------------------

function renderTiles(s) {
  const open = s.byStatus.reported + s.byStatus.triage + s.byStatus.response + s.byStatus.settlement;
  const tile = (id, label, value, cls = '') =>
    el('div', { class: `tile ${cls}` }, el('span', { class: 'tile-value', id, dataset: { testid: id } }, num(value)), el('span', { class: 'tile-label' }, label));
  replace(
    $('#tiles'),
    tile('count-total', t('total'), s.total),
    tile('count-open', t('open'), open),
    tile('count-due', t('due24'), s.dueNext24h, s.dueNext24h > 0 ? 'warn' : ''),
    tile('count-overdue', t('overdue'), s.overdue, s.overdue > 0 ? 'alert' : ''),
    tile('count-sla', t('slaBreaches'), s.vendorSlaBreaches, s.vendorSlaBreaches > 0 ? 'alert' : ''),
  );
}

/** Set through the CSSOM, which the CSP allows, rather than a style attribute. */
function widthOf(node, fraction) {
  node.style.width = `${Math.round(fraction * 100)}%`;
  return node;
}

function bars(counts, kind) {
  const max = Math.max(1, ...Object.values(counts));
  return el(
    'dl',
    { class: 'bars' },
    Object.entries(counts).map(([k, v]) => [
      el('dt', {}, badge(kind, k)),
      el(
        'dd',
        {},
        widthOf(el('span', { class: `bar ${kind}-${k}` }), v / max),
        el('span', { class: 'bar-value', dataset: { testid: `${kind}-${k}` } }, num(v)),
      ),
    ]),
  );
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, ...children) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  for (const c of children) n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return n;
}

/** Bars per JST day from the cases' reportedAt; drawn as inline SVG (no library, no canvas). */
function renderChart(items, complete) {
  const days = [];
  const today = Date.now();
  for (let i = CHART_DAYS - 1; i >= 0; i -= 1) days.push(jstDay(new Date(today - i * 86_400_000).toISOString()));
  const counts = new Map(days.map((d) => [d, 0]));
  for (const c of items) {
    if (!c.reportedAt) continue;
    const d = jstDay(c.reportedAt);
    if (counts.has(d)) counts.set(d, counts.get(d) + 1);
  }
  const W = 700;
  const H = 200;
  const pad = { l: 32, r: 8, t: 12, b: 28 };
  const ticks = niceTicks(Math.max(1, ...counts.values()), 4);
  const max = ticks[ticks.length - 1];
  const bw = (W - pad.l - pad.r) / days.length;
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const chart = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-labelledby': 'chart-title',
    class: 'chart',
    preserveAspectRatio: 'xMidYMid meet',
  });
  chart.append(svg('title', { id: 'chart-title' }, t('chartTitle')(total, CHART_DAYS)));
  // Whole-number ticks from 0 up, in steps of 1, 2 or 5 × 10ⁿ, the top one at or above the highest bar.
  for (const tick of ticks) {
    chart.append(svg('line', { x1: pad.l, x2: W - pad.r, y1: y(tick), y2: y(tick), class: 'grid' }));
    chart.append(svg('text', { x: pad.l - 6, y: y(tick) + 4, 'text-anchor': 'end', class: 'axis tick' }, num(tick)));
  }
  days.forEach((d, i) => {
    const v = counts.get(d);
    const x = pad.l + i * bw + 3;
    const rect = svg('rect', { x, y: y(v), width: Math.max(2, bw - 6), height: y(0) - y(v), class: 'bar-rect', rx: 2 });
    rect.append(svg('title', {}, `${jstShortDay(d)}: ${count(v, 'case')}`));
    chart.append(rect);
    if (v > 0) chart.append(svg('text', { x: x + (bw - 6) / 2, y: y(v) - 3, 'text-anchor': 'middle', class: 'value' }, v));
    if ((days.length - 1 - i) % 2 === 0) {
      chart.append(svg('text', { x: x + (bw - 6) / 2, y: H - 10, 'text-anchor': 'middle', class: 'axis day' }, jstShortDay(d)));
    }
  });
  replace(
    $('#chart'),
    chart,
    el('p', { class: 'muted small' }, complete ? t('chartAll')(total) : t('chartRecent')(items.length)),
  );
}

function deadlineRows(items) {
  return items.map((c) => [caseLink(c.caseId), badge('status', c.status), badge('severity', c.severity), jst(c.nextDeadline), countdown(c.nextDeadline), c.assignedTo ? raw(c.assignedTo) : '—']);
}

function renderDeadlines(overdue, due) {
  const now = Date.now();
  const heads = t('dlCols');
  const overdueOpen = overdue.filter((c) => OPEN.has(c.status));
  const soon = due.filter((c) => OPEN.has(c.status) && c.nextDeadline && new Date(c.nextDeadline).getTime() >= now);
  replace($('#overdue'), table(heads, deadlineRows(overdueOpen), { empty: t('nothingOverdue'), stack: true }));
  replace($('#due'), table(heads, deadlineRows(soon), { empty: t('nothingDue'), stack: true }));
}

function renderSla(items, summary) {
  const breached = items.filter((c) => c.vendorSlaBreaches > 0);
  replace(
    $('#sla'),
    el('p', {}, t('slaLine')(summary.vendorSlaBreaches)),
    table(
      t('slaCols'),
      breached.map((c) => [caseLink(c.caseId), badge('status', c.status), num(c.vendorSlaBreaches), c.assignedTo ? raw(c.assignedTo) : '—', jst(c.reportedAt)]),
      { empty: t('noBreach'), stack: true },
    ),
  );
}

function renderCases(page) {
  replace(
    $('#cases'),
    table(
      t('caseCols'),
      page.items.map((c) => [
        caseLink(c.caseId),
        el('span', { class: 'insured' }, c.insuredName ? raw(c.insuredName) : '—', c.insuredId ? [el('br'), el('span', { class: 'muted small' }, raw(c.insuredId))] : null),
        c.summary ? el('span', { class: 'case-summary', translate: 'no', dataset: { testid: 'case-summary' } }, c.summary) : '—',
        badge('status', c.status),
        badge('severity', c.severity),
        c.policyNumber ? raw(c.policyNumber) : '—',
        jst(c.reportedAt),
        jst(c.nextDeadline),
        OPEN.has(c.status) ? countdown(c.nextDeadline) : '—',
        c.assignedTo ? raw(c.assignedTo) : '—',
        c.overdue ? el('strong', { class: 'late' }, `${c.overdueObligations}`) : '0',
        num(c.vendorSlaBreaches),
      ]),
      { empty: t('noMatch'), stack: true },
    ),
  );
  nextToken = page.nextPageToken;
  $('#next').disabled = !nextToken;
  $('#prev').disabled = pageIndex === 0;
  $('#page-no').textContent = t('page')(pageIndex + 1);
}

/** What a queue item is about, in words: the reasons, category, filing, vendor or payout it names. */
function workDetail(item) {
  const d = item.detail ?? '';
  switch (item.task) {
    case 'decide_coverage':
      return d ? d.split(',').map((r) => word('reason', r)).join(lang() === 'ja' ? '、' : ', ') : '—';
    case 'consent':
      return vocabLabel(vocab?.costCategories, d);
    case 'filing_due': {
      // Always to a regulator: its "notice" is the regulator's notification, not the notice to persons.
      const [regime, kind] = d.split(':');
      return [raw(regime), ' ', kind === 'notice' ? t('regulatorNotice') : word('kind', kind)];
    }
    case 'vendor_sla_breached': {
      const [role, vendorId] = d.split(':');
      return [word('vendorRole', role), ' ', raw(vendorId ?? '')];
    }
    case 'approve_payout':
      return [raw(d), ' ', el('span', { class: 'num' }, yen(item.amountJpy))];
    default:
      return d ? raw(d) : '—';
  }
}

function renderWork(work) {
  const card = $('#work-card');
  card.hidden = !hasQueue;
  if (!hasQueue || !work) return;
  const items = work.items;
  const late = items.filter((i) => i.overdue).length;
  $('#work-line').textContent = t('workLine')(items.length, late) + (work.truncated ? ` ${t('workTruncated')}` : '');
  const node = table(
    t('workCols'),
    items.map((i) => [
      // A consultation has no case page: its row points at the consultations card below.
      i.task === 'consultation_ack' ? el('a', { href: '#consultations-card', translate: 'no' }, i.consultationId ?? i.caseId) : caseLink(i.caseId),
      el('span', { class: 'task', dataset: { task: i.task } }, word('task', i.task)),
      el('span', {}, workDetail(i)),
      el('span', { dataset: { testid: 'work-due' } }, i.dueAt ? jst(i.dueAt) : t('noDue')),
      i.dueAt ? countdown(i.dueAt) : '—',
      i.assignedTo ? raw(i.assignedTo) : t('unassigned'),
      [
        i.overdue ? el('strong', { class: 'badge late', dataset: { testid: 'work-overdue' } }, t('overdueMark')) : null,
        i.escalated ? [' ', el('span', { class: 'badge decision-provisional' }, t('escalated'))] : null,
      ],
    ]),
    { empty: t('noWork'), stack: true },
  );
  // Each row names its case, task and whether it is late, for styling and tests.
  $$('tbody tr', node).forEach((tr, n) => {
    tr.dataset.case = items[n].caseId;
    tr.dataset.task = items[n].task;
    tr.dataset.overdue = String(items[n].overdue);
    if (items[n].overdue) tr.classList.add('overdue');
  });
  replace($('#work'), node);
}

/** Open consultations of the 24-hour desk, each with its acknowledgement clock and an acknowledge button. */
function renderConsultations(consultations) {
  const card = $('#consultations-card');
  card.hidden = !hasQueue;
  if (!hasQueue || !consultations) return;
  const rows = consultations.map((c) => {
    const button = el('button', { type: 'button', class: 'secondary', dataset: { consultation: c.consultationId } }, t('acknowledge'));
    button.addEventListener('click', () => void acknowledge(c.consultationId, button));
    return [
      el('span', { translate: 'no' }, c.consultationId),
      raw(c.insuredName),
      el('span', { translate: 'no' }, c.policyNumber),
      jst(c.ackDueAt),
      countdown(c.ackDueAt),
      [button, c.escalatedAt ? [' ', el('span', { class: 'badge decision-provisional' }, t('escalated'))] : null],
    ];
  });
  replace($('#consultations'), table(t('consultationCols'), rows, { empty: t('noConsultations'), stack: true }));
}

async function acknowledge(consultationId, button) {
  button.disabled = true;
  $('#consultations-problem').textContent = '';
  try {
    const r = await api(`/v1/consultations/${encodeURIComponent(consultationId)}/actions/acknowledge`, { method: 'POST', body: {} });
    if (!r.ok) $('#consultations-problem').textContent = problemText(r.problem);
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
  }
  await refresh();
}

// ---- polling -----------------------------------------------------------------------------------------------------

let connText = null;
function setConn(state, text) {
  const c = $('#conn');
  connText = text;
  c.textContent = text();
  c.dataset.state = state;
  document.body.classList.toggle('stale', state === 'stale');
  for (const s of $$('.live')) s.setAttribute('aria-busy', state === 'stale' ? 'true' : 'false');
}

async function chartItems() {
  const items = [];
  let token;
  for (let i = 0; i < CHART_PAGES; i += 1) {
    const page = expect(await get(`/v1/cases${query({ pageSize: 100, pageToken: token })}`), 'case list');
    items.push(...page.items);
    token = page.nextPageToken;
    if (!token) return { items, complete: true };
  }
  return { items, complete: false };
}

async function refresh() {
  clearTimeout(timer);
  try {
    // Rounded to the minute so the URL, and with it the ETag, stays the same between polls.
    const dueBefore = new Date(Math.ceil((Date.now() + 86_400_000) / 60_000) * 60_000).toISOString();
    const [work, summary, list, overdue, due, recent, consultations] = await Promise.all([
      hasQueue ? api('/v1/work').then((r) => ({ items: expect(r, 'work queue'), truncated: r.headers?.get('X-Work-Truncated') === 'true' })) : null,
      get('/v1/dashboard/summary').then((r) => expect(r, 'summary')),
      get(`/v1/cases${query({ ...filters, pageToken: pageTokens[pageIndex] })}`),
      get(`/v1/cases${query({ overdue: 'true', pageSize: 100 })}`).then((r) => expect(r, 'overdue cases')),
      get(`/v1/cases${query({ dueBefore, pageSize: 100 })}`).then((r) => expect(r, 'due cases')),
      chartItems(),
      hasQueue ? api('/v1/consultations?status=open').then((r) => expect(r, 'consultations').items) : null,
    ]);
    last = { work, summary, list, overdue, due, recent, consultations };
    paintAll();
    lastGood = new Date();
    failures = 0;
    setConn('fresh', () => t('live')(jstTime(lastGood)));
  } catch (err) {
    if (err instanceof Unreachable || err instanceof TypeError) {
      failures += 1;
      const n = failures;
      setConn('stale', () => (lastGood ? t('reconnectingSince')(n, jstTime(lastGood)) : t('reconnecting')(n)));
    } else {
      failures += 1;
      setConn('stale', () => t('notRefreshed')(err.message, lastGood ? jstTime(lastGood) : undefined));
    }
  }
  // Retry sooner while reconnecting, but never hammer.
  timer = setTimeout(refresh, failures > 0 ? Math.min(POLL_MS, 2000 * failures) : POLL_MS);
}

/** Draws the last answers; again, in the other language, when the language changes. */
let last = null;
function paintAll() {
  if (!last) return;
  const { work, summary, list, overdue, due, recent, consultations } = last;
  renderWork(work);
  renderConsultations(consultations);
  renderTiles(summary);
  replace($('#by-status'), bars(summary.byStatus, 'status'));
  replace($('#by-severity'), bars(summary.bySeverity, 'severity'));
  renderChart(recent.items, recent.complete);
  renderDeadlines(overdue.items, due.items);
  renderSla(recent.items, summary);
  showFilterProblem(list);
  if (list.ok) renderCases(list.data);
}

function translatePage() {
  translateStatic(t);
  $('#h-chart').textContent = t('hChart')(CHART_DAYS);
  document.title = `${t('title')} · breach-claims`;
  for (const o of $$('#filters option[data-word]')) o.textContent = word(o.dataset.word, o.value);
  $('#page-no').textContent = t('page')(pageIndex + 1);
}

function showFilterProblem(list) {
  for (const s of $$('#filters .field-error')) s.textContent = '';
  $('#filters-problem').textContent = '';
  if (list.ok) return;
  const errs = list.problem?.errors ?? [];
  for (const e of errs) {
    const slot = $(`#filters .field-error[data-path="${CSS.escape(e.path)}"]`);
    if (slot) slot.textContent = e.message;
  }
  $('#filters-problem').textContent = problemText(list.problem);
  replace($('#cases'), el('p', { class: 'empty' }, t('badFilter')));
}

function readFilters() {
  const f = new FormData($('#filters'));
  const out = {};
  for (const [k, v] of f.entries()) {
    const s = String(v).trim();
    if (!s) continue;
    out[k] = k === 'dueBefore' ? fromJstLocal(s) : s;
  }
  return out;
}

async function init() {
  translatePage();
  if (refuseRole(me, ['ops', 'handler', 'supervisor', 'admin'], () => t('title'))) return;
  onLang(() => {
    translatePage();
    paintAll();
    if (connText) $('#conn').textContent = connText();
  });
  try {
    const v = await vocabulary();
    vocab = v;
    for (const s of v.statuses) $('#f-status').append(el('option', { value: s, dataset: { word: 'status' } }, word('status', s)));
    for (const s of v.severities) $('#f-severity').append(el('option', { value: s, dataset: { word: 'severity' } }, word('severity', s)));
  } catch {
    // The filters still work by typing; the vocabulary only fills the menus.
  }
  $('#filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    filters = readFilters();
    pageTokens = [undefined];
    pageIndex = 0;
    void refresh();
  });
  $('#filters').addEventListener('reset', () => {
    filters = {};
    pageTokens = [undefined];
    pageIndex = 0;
    setTimeout(() => void refresh(), 0);
  });
  $('#next').addEventListener('click', () => {
    if (!nextToken) return;
    pageTokens[pageIndex + 1] = nextToken;
    pageIndex += 1;
    void refresh();
  });
  $('#prev').addEventListener('click', () => {
    if (pageIndex === 0) return;
    pageIndex -= 1;
    void refresh();
  });
  startCountdowns();
  await refresh();
}

void init();
