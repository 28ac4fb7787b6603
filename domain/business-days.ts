/**
 * Japanese business days, for the insurer's own service levels (not the regulators' clocks, which count calendar
 * days). A business day is a JST calendar day that is neither a Saturday, a Sunday nor a national holiday
 * (祝日, 振替休日 and 国民の休日) as `@holiday-jp/holiday_jp` lists them: the holiday_jp project's data set, kept from
 * the Cabinet Office's published list and released when the list changes (it covers 1970 to 2050; beyond the list
 * only weekends are skipped).
 *
 * Pure (the time is an argument): workflow code calls it to set the coverage timer, the API to show the same due time.
 */
import holidays from '@holiday-jp/holiday_jp/lib/holidays.js';
import { fromMs, toMs } from './time.js';

const DAY_MS = 86_400_000;
const JST_OFFSET_MS = 9 * 3_600_000;

/** Product decision (docs/domain.md): coverage is decided within this many Japanese business days of the report. */
export const COVERAGE_DECISION_BUSINESS_DAYS = 2;

const HOLIDAYS: Readonly<Record<string, unknown>> = holidays;

/** `YYYY-MM-DD` of the JST calendar day that starts at `dayStartMs` (a JST midnight, as UTC milliseconds). */
function jstDate(dayStartMs: number): string {
  return new Date(dayStartMs + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The UTC instant of the JST midnight that begins the JST day holding `ms`. */
function jstDayStart(ms: number): number {
  return Math.floor((ms + JST_OFFSET_MS) / DAY_MS) * DAY_MS - JST_OFFSET_MS;
}

/** Whether the JST day holding `iso` is a Japanese business day. */
export function isJapaneseBusinessDay(iso: string): boolean {
  const start = jstDayStart(toMs(iso));
  const weekday = new Date(start + JST_OFFSET_MS).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !(jstDate(start) in HOLIDAYS);
}

/**
 * The end of the `days`-th Japanese business day after the JST day of `fromIso` (that day itself is not counted, so
 * a report on a Friday afternoon, a weekend or a holiday is due at the end of the second business day that follows
 * it), as the UTC instant of the following JST midnight (24:00 JST = 15:00 UTC). `days` of 0 gives the end of the
 * report's own day.
 */
export function addJapaneseBusinessDays(fromIso: string, days: number): string {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`business days must be a whole number >= 0: ${days}`);
  let day = jstDayStart(toMs(fromIso));
  for (let counted = 0; counted < days; ) {
    day += DAY_MS;
    if (isJapaneseBusinessDay(fromMs(day))) counted++;
  }
  return fromMs(day + DAY_MS);
}

/** When the coverage decision of a case reported at `reportedAt` is due (UTC ISO). */
export function coverageDecisionDueAt(reportedAt: string): string {
  return addJapaneseBusinessDays(reportedAt, COVERAGE_DECISION_BUSINESS_DAYS);
}
