import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeApologyCode, verifyApologyCode } from '../../lib/apology-codes.js';
import { makeEnrolmentCode, verifyEnrolmentCode } from '../../lib/enrolment-codes.js';

const SECRET = randomBytes(32);
const CASE = 'C01JTESTCASE00000000000001';
const SHAPE = /^[A-HJ-NP-Z2-9]{4}(?:-[A-HJ-NP-Z2-9]{4}){4}$/;

describe('credit-monitoring enrolment codes', () => {
  it('are shaped like apology codes, deterministic, and verify for their case, campaign and person', () => {
    const code = makeEnrolmentCode(SECRET, CASE, 2, 41);
    expect(code).toMatch(SHAPE);
    expect(makeEnrolmentCode(SECRET, CASE, 2, 41)).toBe(code);
    expect(verifyEnrolmentCode(SECRET, CASE, code.toLowerCase().replace(/-/g, ' '))).toMatchObject({ valid: true, campaignNo: 2, index: 41, canonical: code });
    expect(makeEnrolmentCode(SECRET, CASE, 2, 42)).not.toBe(code);
  });

  it.each([
    ['another case', (c: string) => verifyEnrolmentCode(SECRET, 'C01JOTHERCASE0000000000001', c), 'not_issued'],
    ['another secret', (c: string) => verifyEnrolmentCode(randomBytes(32), CASE, c), 'not_issued'],
    ['not a code', () => verifyEnrolmentCode(SECRET, CASE, 'hello'), 'malformed'],
  ] as const)('refuse a code checked against %s', (_what, check, reason) => {
    expect(check(makeEnrolmentCode(SECRET, CASE, 1, 7))).toEqual({ valid: false, reason });
  });

  it('are never apology codes, nor apology codes enrolment codes', () => {
    const enrolment = makeEnrolmentCode(SECRET, CASE, 1, 7);
    const apology = makeApologyCode(SECRET, CASE, 1, 7);
    expect(enrolment).not.toBe(apology);
    expect(verifyApologyCode(SECRET, CASE, enrolment)).toEqual({ valid: false, reason: 'not_issued' });
    expect(verifyEnrolmentCode(SECRET, CASE, apology)).toEqual({ valid: false, reason: 'not_issued' });
    // Apology codes themselves did not change (the MAC of their purpose is the one they always had).
    expect(verifyApologyCode(SECRET, CASE, apology)).toMatchObject({ valid: true, index: 7 });
  });
});
