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
  const h = { Accept: 'application/json', ...headers };
  if (key) h.Authorization = `Bearer ${key}`;
  if (etag) h['If-None-Match'] = etag;
  let payload;
  if (body !== undefined) {
    h['Content-Type'] ??= 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload, cache: 'no-store' });
  } catch (err) {
    throw new Unreachable(err instanceof Error ? err.message : String(err));
  }
  if (res.status === 502 || res.status === 503 || res.status === 504) throw new Unreachable(`HTTP ${res.status}`);
  const out = { status: res.status, ok: res.ok, data: undefined, problem: undefined, etag: res.headers.get('ETag') };
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
export function table(headers, rows, { caption, empty = 'None' } = {}) {
  if (rows.length === 0) return el('p', { class: 'empty' }, empty);
  return el(
    'div',
    { class: 'table-wrap' },
    el(
      'table',
      {},
      caption ? el('caption', {}, caption) : null,
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))),
    ),
  );
}

// ---- formatting --------------------------------------------------------------------------------------------------

const yenFmt = new Intl.NumberFormat('ja-JP');
export const yen = (n) => (typeof n === 'number' ? `¥${yenFmt.format(n)}` : '—');
export const num = (n) => (typeof n === 'number' ? yenFmt.format(n) : '—');

const jstFmt = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
const jstTimeFmt = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Tokyo',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** "2026-11-25 09:00 JST" */
export function jst(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : `${jstFmt.format(d)} JST`;
}
export const jstTime = (d) => `${jstTimeFmt.format(d)} JST`;

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
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} m`;
  return `${m} m ${String(sec).padStart(2, '0')} s`;
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
  node.textContent = left >= 0 ? `in ${duration(left)}` : `overdue by ${duration(left)}`;
  node.classList.toggle('late', left < 0);
  node.classList.toggle('soon', left >= 0 && left < 24 * 3_600_000);
}

export function startCountdowns() {
  setInterval(() => {
    const now = Date.now();
    for (const n of $$('.countdown')) paintCountdown(n, now);
  }, 1000);
}

export function badge(kind, value) {
  return el('span', { class: `badge ${kind}-${value ?? 'none'}` }, value ?? '—');
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

const NAV = [
  { href: '/ui/dashboard', label: 'Dashboard', roles: ['ops', 'handler', 'supervisor', 'admin'] },
  { href: '/ui/report', label: 'Incident report / 事故報告', roles: ['insured', 'handler'] },
  { href: '/docs', label: 'API docs', roles: ['insured', 'ops', 'handler', 'supervisor', 'admin'] },
];

/** The header: product name, links the role may use, who is signed in, sign out. */
export function frame(me, current) {
  const top = $('#top');
  const signOut = el('button', { type: 'button', class: 'link' }, 'Sign out');
  signOut.addEventListener('click', () => {
    session.clear();
    location.assign('/');
  });
  replace(
    top,
    el('a', { class: 'skip', href: '#main' }, 'Skip to content'),
    el('a', { class: 'brand', href: '/' }, 'breach-claims'),
    el(
      'nav',
      { 'aria-label': 'Pages' },
      NAV.filter((n) => n.roles.includes(me.role)).map((n) =>
        el('a', { href: n.href, ...(n.href === current ? { 'aria-current': 'page' } : {}) }, n.label),
      ),
    ),
    el('span', { class: 'who' }, `${me.name} (${me.role}${me.insuredId ? ` · ${me.insuredId}` : ''})`),
    signOut,
  );
}

/** A page the role may not use says so rather than showing errors. */
export function refuseRole(me, roles, what) {
  if (roles.includes(me.role)) return false;
  replace($('#main'), el('h1', {}, what), el('p', { class: 'problem', role: 'alert' }, `The role ${me.role} cannot use this page.`));
  return true;
}
