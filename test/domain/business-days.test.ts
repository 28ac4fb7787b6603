import { describe, expect, it } from 'vitest';
import { addJapaneseBusinessDays, coverageDecisionDueAt, isJapaneseBusinessDay } from '../../domain/index.js';

// Due: the end of the second Japanese business day after the JST day of the report (24:00 JST = 15:00 UTC).
const COVERAGE_DUE: [label: string, reportedAt: string, dueAt: string][] = [
  ['a Monday: Tuesday and Wednesday count', '2026-11-30T01:00:00.000Z', '2026-12-02T15:00:00.000Z'],
  ['a Friday afternoon: the weekend is skipped', '2026-11-27T08:00:00.000Z', '2026-12-01T15:00:00.000Z'],
  ['a Friday given with its +09:00 offset', '2026-11-27T17:00:00+09:00', '2026-12-01T15:00:00.000Z'],
  ['a Saturday: counting starts on Monday', '2026-11-28T03:00:00.000Z', '2026-12-01T15:00:00.000Z'],
  ['a national holiday (勤労感謝の日, Monday 23 Nov 2026)', '2026-11-23T01:00:00.000Z', '2026-11-25T15:00:00.000Z'],
  ['the eve of a holiday (Sunday 22 Nov 2026): the Monday holiday is skipped', '2026-11-22T01:00:00.000Z', '2026-11-25T15:00:00.000Z'],
  ['Golden Week 2026: 1 May, then 7 May after 3-6 May (6 May a substitute holiday)', '2026-04-30T01:00:00.000Z', '2026-05-07T15:00:00.000Z'],
  ['Golden Week 2026, reported on 昭和の日 (29 Apr)', '2026-04-29T05:00:00.000Z', '2026-05-01T15:00:00.000Z'],
  ['New Year: 31 Dec counts, 1 Jan and the weekend do not', '2026-12-30T03:00:00.000Z', '2027-01-04T15:00:00.000Z'],
  ['reported on New Year’s Day 2027 (a Friday)', '2027-01-01T00:30:00.000Z', '2027-01-05T15:00:00.000Z'],
  ['Silver Week 2026: 21-23 Sep (国民の休日 on the 22nd)', '2026-09-18T02:00:00.000Z', '2026-09-25T15:00:00.000Z'],
  ['JST boundary: 23:59:59 JST Thursday is Thursday', '2026-11-26T14:59:59.999Z', '2026-11-30T15:00:00.000Z'],
  ['JST boundary: 00:00 JST Friday is Friday, though still Thursday in UTC', '2026-11-26T15:00:00.000Z', '2026-12-01T15:00:00.000Z'],
  ['JST boundary: 08:59 JST Saturday is Saturday, though Friday in UTC', '2026-11-27T23:59:00.000Z', '2026-12-01T15:00:00.000Z'],
];

describe('coverageDecisionDueAt: two Japanese business days after the report', () => {
  it.each(COVERAGE_DUE)('%s', (_label, reportedAt, dueAt) => {
    expect(coverageDecisionDueAt(reportedAt)).toBe(dueAt);
  });
});

describe('isJapaneseBusinessDay', () => {
  it.each([
    ['2026-05-06T03:00:00.000Z', false], // 振替休日 (for 3 May)
    ['2026-05-07T03:00:00.000Z', true],
    ['2026-09-22T03:00:00.000Z', false], // 国民の休日
    ['2026-11-28T03:00:00.000Z', false], // Saturday
    ['2026-11-29T14:59:00.000Z', false], // Sunday 23:59 JST
    ['2026-11-29T15:00:00.000Z', true], // Monday 00:00 JST
    ['2027-01-01T03:00:00.000Z', false],
  ] as const)('%s: %s', (iso, expected) => {
    expect(isJapaneseBusinessDay(iso)).toBe(expected);
  });
});

describe('addJapaneseBusinessDays', () => {
  it('0 days is the end of the report’s own JST day', () => {
    expect(addJapaneseBusinessDays('2026-11-28T03:00:00.000Z', 0)).toBe('2026-11-28T15:00:00.000Z');
  });
  it('refuses a negative or fractional count', () => {
    expect(() => addJapaneseBusinessDays('2026-11-28T03:00:00.000Z', -1)).toThrow(RangeError);
    expect(() => addJapaneseBusinessDays('2026-11-28T03:00:00.000Z', 1.5)).toThrow(RangeError);
  });
});
