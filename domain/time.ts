/**
 * Time arithmetic for the rules engine. Every function takes the time as an argument: this module is imported by
 * workflow code, where reading the clock would break replay.
 *
 * Stored and returned times are ISO-8601 UTC strings in `Date#toISOString()` form (`2026-11-25T00:00:00.000Z`), so
 * that two times compare correctly as plain strings and match what the rest of the system writes.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Japan has no daylight saving time, so JST is a fixed offset. */
const JST_OFFSET_MS = 9 * HOUR_MS;

/** Milliseconds since the epoch; throws on anything that is not a parseable date-time. */
export function toMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 date-time: ${JSON.stringify(iso)}`);
  return ms;
}

export function fromMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** Normalises any ISO-8601 date-time with an offset to the canonical UTC form. */
export function toUtcIso(iso: string): string {
  return fromMs(toMs(iso));
}

/**
 * Calendar days are counted as whole 24-hour spans from the anchor. In UTC and in JST (no DST) that is the same as
 * "the same wall-clock time n days later", which is how the regulators' day counts are read here.
 */
export function addDays(iso: string, days: number): string {
  return fromMs(toMs(iso) + days * DAY_MS);
}

export function addHours(iso: string, hours: number): string {
  return fromMs(toMs(iso) + hours * HOUR_MS);
}

export function addMs(iso: string, ms: number): string {
  return fromMs(toMs(iso) + ms);
}

export function compareIso(a: string, b: string): number {
  return toMs(a) - toMs(b);
}

export function isBefore(a: string, b: string): boolean {
  return toMs(a) < toMs(b);
}

export function earliest(a: string, b: string): string {
  return toMs(a) <= toMs(b) ? toUtcIso(a) : toUtcIso(b);
}

export function latest(a: string, b: string): string {
  return toMs(a) >= toMs(b) ? toUtcIso(a) : toUtcIso(b);
}

/** The instant `fraction` of the way from `start` to `end`, rounded down to the millisecond. */
export function fractionBetween(start: string, end: string, fraction: number): string {
  const s = toMs(start);
  return fromMs(s + Math.floor((toMs(end) - s) * fraction));
}

export function hoursBetween(start: string, end: string): number {
  return (toMs(end) - toMs(start)) / HOUR_MS;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** For people: `2026-11-25 09:00 JST`. Seconds are dropped; deadlines are never set to the second. */
export function formatJst(iso: string): string {
  const d = new Date(toMs(iso) + JST_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} JST`;
}

/** The JST calendar date (`2026-11-25`), e.g. for "discovered on" lines. */
export function jstDate(iso: string): string {
  return formatJst(iso).slice(0, 10);
}

/** A span in words for explanations: `72 hours`, `5 days`. */
export function describeSpan(spanMs: number): string {
  if (spanMs % DAY_MS === 0) {
    const d = spanMs / DAY_MS;
    return `${d} day${d === 1 ? '' : 's'}`;
  }
  const h = Math.round((spanMs / HOUR_MS) * 10) / 10;
  return `${h} hour${h === 1 ? '' : 's'}`;
}

export const TIME_UNITS = { HOUR_MS, DAY_MS, JST_OFFSET_MS } as const;
