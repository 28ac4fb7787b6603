/**
 * Credit-monitoring enrolment codes (domain.md 8b): one per affected person, single use, printed in the notice when the
 * case offers credit monitoring. The same self-verifying layout as apology codes (lib/apology-codes.ts: campaign, the
 * person's position in the sealed list, a MAC under the apology secret), with the MAC keyed to enrolment, so an
 * apology code is never an enrolment code and the other way round. No personal data: only a campaign number and an
 * index.
 */
import {
  APOLOGY_CODE_MAX_INPUT,
  makeApologyCode,
  verifyApologyCode,
  type ApologyCodeCheck,
  type ParsedApologyCode,
} from './apology-codes.js';

export const ENROLMENT_CODE_MAX_INPUT = APOLOGY_CODE_MAX_INPUT;
export type EnrolmentCodeCheck = ApologyCodeCheck;
export type ParsedEnrolmentCode = ParsedApologyCode;

const PURPOSE = 'credit-monitoring-enrolment' as const;

/** The enrolment code of person `index` in campaign `campaignNo` of case `caseId`. Deterministic: a retry gives the same. */
export function makeEnrolmentCode(secret: Buffer, caseId: string, campaignNo: number, index: number): string {
  return makeApologyCode(secret, caseId, campaignNo, index, PURPOSE);
}

/** Whether `input` is an enrolment code this case issued (`malformed`, or `not_issued`: forged, mistyped, an apology code). */
export function verifyEnrolmentCode(secret: Buffer, caseId: string, input: string): EnrolmentCodeCheck {
  return verifyApologyCode(secret, caseId, input, PURPOSE);
}
