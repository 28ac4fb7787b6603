// Operations dashboard: counts, a chart of cases over time, deadlines, SLA breaches and the filtered case list.
// Polls every few seconds with If-None-Match. When the API cannot be reached the page says so and marks every
// figure as stale (greyed, with the time it was last known good) until a poll succeeds again.
import {
  $,
  $$,
  Unreachable,
  badge,
  countdown,
  el,
  etagCache,
  frame,
  fromJstLocal,
  jst,
  jstDay,
  jstTime,
  num,
  problemText,
  refuseRole,
  replace,
  requireLogin,
  startCountdowns,
  table,
  vocabulary,
} from './common.js';

const POLL_MS = Number(new URLSearchParams(location.search).get('poll')) || 4000;
const CHART_DAYS = 14;
const CHART_PAGES = 3;
const OPEN = new Set(['reported', 'triage', 'response', 'settlement']);

const me = requireLogin();
frame(me, '/ui/dashboard');
const get = etagCache();

let lastGood = null;
let failures = 0;
let filters = {};
let pageTokens = [undefined];
let pageIndex = 0;
let nextToken = null;
let timer;

function caseLink(id) {
  return el('a', { href: `/ui/cases/${encodeURIComponent(id)}` }, id);
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
    tile('count-total', 'Cases in total', s.total),
    tile('count-open', 'Open', open),
    tile('count-due', 'Due in 24 h', s.dueNext24h, s.dueNext24h > 0 ? 'warn' : ''),
    tile('count-overdue', 'Overdue', s.overdue, s.overdue > 0 ? 'alert' : ''),
    tile('count-sla', 'Vendor SLA breaches', s.vendorSlaBreaches, s.vendorSlaBreaches > 0 ? 'alert' : ''),
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
  const max = Math.max(1, ...counts.values());
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
  chart.append(svg('title', { id: 'chart-title' }, `${total} cases reported in the last ${CHART_DAYS} days`));
  for (const t of [0, Math.ceil(max / 2), max]) {
    chart.append(svg('line', { x1: pad.l, x2: W - pad.r, y1: y(t), y2: y(t), class: 'grid' }));
    chart.append(svg('text', { x: pad.l - 6, y: y(t) + 4, 'text-anchor': 'end', class: 'axis' }, t));
  }
  days.forEach((d, i) => {
    const v = counts.get(d);
    const x = pad.l + i * bw + 3;
    const rect = svg('rect', { x, y: y(v), width: Math.max(2, bw - 6), height: y(0) - y(v), class: 'bar-rect', rx: 2 });
    rect.append(svg('title', {}, `${d}: ${v}`));
    chart.append(rect);
    if (v > 0) chart.append(svg('text', { x: x + (bw - 6) / 2, y: y(v) - 3, 'text-anchor': 'middle', class: 'value' }, v));
    if ((days.length - 1 - i) % 2 === 0) {
      chart.append(svg('text', { x: x + (bw - 6) / 2, y: H - 10, 'text-anchor': 'middle', class: 'axis' }, d.slice(5)));
    }
  });
  replace(
    $('#chart'),
    chart,
    el('p', { class: 'muted small' }, complete ? `${total} cases.` : `From the ${items.length} most recently reported cases.`),
  );
}

function deadlineRows(items) {
  return items.map((c) => [caseLink(c.caseId), badge('status', c.status), badge('severity', c.severity), jst(c.nextDeadline), countdown(c.nextDeadline), c.assignedTo ?? '—']);
}

function renderDeadlines(overdue, due) {
  const now = Date.now();
  const heads = ['Case', 'Status', 'Severity', 'Next deadline', 'Clock', 'Assigned'];
  const overdueOpen = overdue.filter((c) => OPEN.has(c.status));
  const soon = due.filter((c) => OPEN.has(c.status) && c.nextDeadline && new Date(c.nextDeadline).getTime() >= now);
  replace($('#overdue'), table(heads, deadlineRows(overdueOpen), { empty: 'Nothing overdue.' }));
  replace($('#due'), table(heads, deadlineRows(soon), { empty: 'Nothing due in the next 24 hours.' }));
}

function renderSla(items, summary) {
  const breached = items.filter((c) => c.vendorSlaBreaches > 0);
  replace(
    $('#sla'),
    el('p', {}, `${num(summary.vendorSlaBreaches)} cases where a panel vendor missed its acknowledgement SLA.`),
    table(
      ['Case', 'Status', 'Breaches', 'Assigned', 'Reported'],
      breached.map((c) => [caseLink(c.caseId), badge('status', c.status), num(c.vendorSlaBreaches), c.assignedTo ?? '—', jst(c.reportedAt)]),
      { empty: 'No breaches among the recent cases.' },
    ),
  );
}

function renderCases(page) {
  replace(
    $('#cases'),
    table(
      ['Case', 'Status', 'Severity', 'Insured', 'Policy', 'Reported', 'Next deadline', 'Clock', 'Assigned', 'Overdue', 'SLA'],
      page.items.map((c) => [
        caseLink(c.caseId),
        badge('status', c.status),
        badge('severity', c.severity),
        c.insuredId ?? '—',
        c.policyNumber ?? '—',
        jst(c.reportedAt),
        jst(c.nextDeadline),
        OPEN.has(c.status) ? countdown(c.nextDeadline) : '—',
        c.assignedTo ?? '—',
        c.overdue ? el('strong', { class: 'late' }, `${c.overdueObligations}`) : '0',
        num(c.vendorSlaBreaches),
      ]),
      { empty: 'No case matches these filters.' },
    ),
  );
  nextToken = page.nextPageToken;
  $('#next').disabled = !nextToken;
  $('#prev').disabled = pageIndex === 0;
  $('#page-no').textContent = `Page ${pageIndex + 1}`;
}

// ---- polling -----------------------------------------------------------------------------------------------------

function setConn(state, text) {
  const c = $('#conn');
  c.textContent = text;
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
    const [summary, list, overdue, due, recent] = await Promise.all([
      get('/v1/dashboard/summary').then((r) => expect(r, 'summary')),
      get(`/v1/cases${query({ ...filters, pageToken: pageTokens[pageIndex] })}`),
      get(`/v1/cases${query({ overdue: 'true', pageSize: 100 })}`).then((r) => expect(r, 'overdue cases')),
      get(`/v1/cases${query({ dueBefore, pageSize: 100 })}`).then((r) => expect(r, 'due cases')),
      chartItems(),
    ]);
    renderTiles(summary);
    replace($('#by-status'), bars(summary.byStatus, 'status'));
    replace($('#by-severity'), bars(summary.bySeverity, 'severity'));
    renderChart(recent.items, recent.complete);
    renderDeadlines(overdue.items, due.items);
    renderSla(recent.items, summary);
    showFilterProblem(list);
    if (list.ok) renderCases(list.data);
    lastGood = new Date();
    failures = 0;
    setConn('fresh', `Live · last refreshed ${jstTime(lastGood)}`);
  } catch (err) {
    if (err instanceof Unreachable || err instanceof TypeError) {
      failures += 1;
      setConn(
        'stale',
        lastGood
          ? `Reconnecting… the API is unreachable (attempt ${failures}). Figures below are from ${jstTime(lastGood)} and may be out of date.`
          : `Reconnecting… the API is unreachable (attempt ${failures}).`,
      );
    } else {
      failures += 1;
      setConn('stale', `Not refreshed: ${err.message}. Figures below are from ${lastGood ? jstTime(lastGood) : 'nowhere yet'}.`);
    }
  }
  // Retry sooner while reconnecting, but never hammer.
  timer = setTimeout(refresh, failures > 0 ? Math.min(POLL_MS, 2000 * failures) : POLL_MS);
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
  replace($('#cases'), el('p', { class: 'empty' }, 'The list could not be filtered this way.'));
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
  if (refuseRole(me, ['ops', 'handler', 'supervisor', 'admin'], 'Operations dashboard')) return;
  try {
    const v = await vocabulary();
    for (const s of v.statuses) $('#f-status').append(el('option', { value: s }, s));
    for (const s of v.severities) $('#f-severity').append(el('option', { value: s }, s));
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
