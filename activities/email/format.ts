import type { Language } from './labels.js';

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
// Without an explicit offset Date.parse reads the time in the process's zone, so the same input would render
// differently on differently configured workers.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function parseIso(iso: string): number {
  const ms = ISO_WITH_OFFSET.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 date-time with an offset: ${JSON.stringify(iso)}`);
  return ms;
}

function jstParts(iso: string) {
  const d = new Date(parseIso(iso) + JST_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth(),
    day: d.getUTCDate(),
    hh: String(d.getUTCHours()).padStart(2, '0'),
    mm: String(d.getUTCMinutes()).padStart(2, '0'),
  };
}

/** `2026年11月25日 09:00 (JST)` or `25 Nov 2026 09:00 JST`. */
export function formatJst(iso: string, lang: Language): string {
  const p = jstParts(iso);
  return lang === 'ja'
    ? `${p.year}年${p.month + 1}月${p.day}日 ${p.hh}:${p.mm} (JST)`
    : `${p.day} ${MONTHS_EN[p.month]} ${p.year} ${p.hh}:${p.mm} JST`;
}

/** The calendar date in Japan, for facts known only to the day (when a leak occurred). */
export function formatJstDate(iso: string, lang: Language): string {
  const p = jstParts(iso);
  return lang === 'ja' ? `${p.year}年${p.month + 1}月${p.day}日` : `${p.day} ${MONTHS_EN[p.month]} ${p.year}`;
}

/** Minutes between two instants, `to - from`, truncated toward zero. */
export function minutesBetween(fromIso: string, toIso: string): number {
  return Math.trunc((parseIso(toIso) - parseIso(fromIso)) / 60_000);
}

/** A non-negative span such as `2日 3時間` / `2 days 3 hours`; minutes only once under a day. */
export function formatSpan(totalMinutes: number, lang: Language): string {
  const m = Math.abs(Math.trunc(totalMinutes));
  const days = Math.floor(m / 1440);
  const hours = Math.floor((m % 1440) / 60);
  const minutes = m % 60;
  const parts: string[] = [];
  if (lang === 'ja') {
    if (days) parts.push(`${days}日`);
    if (hours) parts.push(`${hours}時間`);
    if (!days && (minutes || parts.length === 0)) parts.push(`${minutes}分`);
    return parts.join(' ');
  }
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (days) parts.push(unit(days, 'day'));
  if (hours) parts.push(unit(hours, 'hour'));
  if (!days && (minutes || parts.length === 0)) parts.push(unit(minutes, 'minute'));
  return parts.join(' ');
}

/** Integer yen: `1,234,567円` / `JPY 1,234,567`. */
export function formatJpy(amount: number, lang: Language): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amounts are integer yen, got ${amount}`);
  const grouped = Math.abs(amount)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = amount < 0 ? '-' : '';
  return lang === 'ja' ? `${sign}${grouped}円` : `${sign}JPY ${grouped}`;
}

/** Header values must stay on one line: a CR or LF from data would start a new header. */
export function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

export { escapeHtml } from '../../lib/email-document.js';
