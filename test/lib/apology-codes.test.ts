import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  APOLOGY_CODE_ALPHABET,
  MAX_APOLOGY_CAMPAIGN_NO,
  MAX_APOLOGY_INDEX,
  makeApologyCode,
  parseApologyCode,
  verifyApologyCode,
} from '../../lib/apology-codes.js';

const SECRET = randomBytes(32);
const CASE = 'C01JTESTCASE00000000000001';
const SHAPE = /^[A-HJ-NP-Z2-9]{4}(?:-[A-HJ-NP-Z2-9]{4}){4}$/;

/** Changes one symbol of the code (at a position of the MAC unless told otherwise) to another of the alphabet. */
function tamper(code: string, at = code.length - 1): string {
  const c = code[at]!;
  const other = APOLOGY_CODE_ALPHABET[(APOLOGY_CODE_ALPHABET.indexOf(c) + 1) % APOLOGY_CODE_ALPHABET.length]!;
  return code.slice(0, at) + other + code.slice(at + 1);
}

/** A code from raw fields, laid out as lib/apology-codes.ts documents: 6 bits campaign, 24 bits index, 70 bits MAC. */
function raw(campaignNo: number, index: number, mac: bigint): string {
  let v = (BigInt(campaignNo) << 94n) | (BigInt(index) << 70n) | mac;
  let out = '';
  for (let i = 0; i < 20; i++) {
    out = APOLOGY_CODE_ALPHABET[Number(v & 31n)]! + out;
    v >>= 5n;
  }
  return out.match(/.{4}/g)!.join('-');
}
const macOf = (code: string): bigint => {
  let v = 0n;
  for (const c of code.replace(/-/g, '')) v = (v << 5n) | BigInt(APOLOGY_CODE_ALPHABET.indexOf(c));
  return v & ((1n << 70n) - 1n);
};

describe('apology codes', () => {
  const code = makeApologyCode(SECRET, CASE, 1, 41);

  it('are grouped for people, hold only a campaign and an index, and come out the same every time', () => {
    expect(code).toMatch(SHAPE);
    expect(makeApologyCode(SECRET, CASE, 1, 41)).toBe(code);
    expect(parseApologyCode(code)).toEqual({ campaignNo: 1, index: 41, canonical: code });
    expect(makeApologyCode(randomBytes(32), CASE, 1, 41)).not.toBe(code);
  });

  it.each<[string, () => string, string, ReturnType<typeof verifyApologyCode>]>([
    ['valid', () => code, CASE, { valid: true, campaignNo: 1, index: 41, canonical: code }],
    ['valid, typed in lower case without hyphens', () => code.toLowerCase().replace(/-/g, ''), CASE, { valid: true, campaignNo: 1, index: 41, canonical: code }],
    ['valid, full-width with spaces and Japanese dashes', () => ` ${code.replace(/-/g, 'ー')} `.replace(/[A-Z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)), CASE, { valid: true, campaignNo: 1, index: 41, canonical: code }],
    ['tampered MAC', () => tamper(code), CASE, { valid: false, reason: 'not_issued' }],
    ['tampered index (another person’s place with this MAC)', () => tamper(code, 6), CASE, { valid: false, reason: 'not_issued' }],
    ['another case', () => code, 'C01JOTHERCASE0000000000001', { valid: false, reason: 'not_issued' }],
    ['another campaign', () => makeApologyCode(SECRET, CASE, 2, 41), CASE, { valid: true, campaignNo: 2, index: 41, canonical: makeApologyCode(SECRET, CASE, 2, 41) }],
    ['another campaign’s number with this MAC', () => raw(2, 41, macOf(code)), CASE, { valid: false, reason: 'not_issued' }],
    ['another person’s index with this MAC', () => raw(1, 42, macOf(code)), CASE, { valid: false, reason: 'not_issued' }],
    ['malformed: too short', () => code.slice(0, -1), CASE, { valid: false, reason: 'malformed' }],
    ['malformed: too long', () => `${code}A`, CASE, { valid: false, reason: 'malformed' }],
    ['malformed: a look-alike outside the alphabet', () => `O${code.slice(1)}`, CASE, { valid: false, reason: 'malformed' }],
    ['malformed: the old 12-symbol format', () => 'ABCD-EFGH-JK23', CASE, { valid: false, reason: 'malformed' }],
    ['malformed: campaign 0', () => raw(0, 41, macOf(code)), CASE, { valid: false, reason: 'malformed' }],
    ['malformed: empty', () => '', CASE, { valid: false, reason: 'malformed' }],
    ['malformed: huge', () => code.repeat(1000), CASE, { valid: false, reason: 'malformed' }],
  ])('%s', (_name, input, caseId, want) => {
    expect(verifyApologyCode(SECRET, caseId, input())).toEqual(want);
  });

  it('the layout is the documented one', () => {
    expect(raw(1, 41, macOf(code))).toBe(code);
    expect(parseApologyCode(raw(3, 123_456, 0n))).toMatchObject({ campaignNo: 3, index: 123_456 });
  });

  it('covers the whole range and refuses what is outside it', () => {
    for (const [c, i] of [
      [1, 0],
      [MAX_APOLOGY_CAMPAIGN_NO, MAX_APOLOGY_INDEX],
      [7, 999_999],
    ] as const) {
      const made = makeApologyCode(SECRET, CASE, c, i);
      expect(verifyApologyCode(SECRET, CASE, made)).toMatchObject({ valid: true, campaignNo: c, index: i });
    }
    expect(MAX_APOLOGY_INDEX).toBeGreaterThanOrEqual(1_000_000);
    for (const [c, i] of [
      [0, 0],
      [MAX_APOLOGY_CAMPAIGN_NO + 1, 0],
      [1, -1],
      [1, MAX_APOLOGY_INDEX + 1],
      [1, 1.5],
    ] as const) {
      expect(() => makeApologyCode(SECRET, CASE, c, i), `${c}/${i}`).toThrow(RangeError);
    }
    expect(() => makeApologyCode(Buffer.alloc(0), CASE, 1, 0)).toThrow(RangeError);
    expect(() => verifyApologyCode(Buffer.alloc(8), CASE, code)).toThrow(RangeError);
  });

  it('are unique over 100,000 persons, and each verifies as its own', () => {
    const seen = new Set<string>();
    const macs = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const c = makeApologyCode(SECRET, CASE, 1, i);
      seen.add(c);
      macs.add(c.replace(/-/g, '').slice(6));
      if (i % 9973 === 0) expect(verifyApologyCode(SECRET, CASE, c)).toMatchObject({ valid: true, index: i });
    }
    expect(seen.size).toBe(100_000);
    // The MAC part alone is unique too (70 bits: a collision among 1e5 would be a broken HMAC).
    expect(macs.size).toBe(100_000);
  });
});
