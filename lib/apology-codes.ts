/**
 * Apology (voucher) codes that verify themselves: the code carries which campaign and which person of the sealed
 * list it was issued to, plus an HMAC over (case, campaign, index) under the apology secret. The API can therefore
 * check a code with the secret alone, without reading the person list, and the code holds no personal data: only a
 * campaign number and a position in the list.
 *
 * Layout: 20 symbols of a 32-letter alphabet without look-alikes (no I, O, 0, 1), i.e. 100 bits, shown in groups of
 * four (`ASAA-BKB9-52LT-JHA4-B5EW`):
 *
 *   campaignNo: 6 bits (1..63) | index: 24 bits (0..16,777,215) | MAC: 70 bits (HMAC-SHA256, truncated)
 *
 * Forging a code for a given case and person means guessing 70 bits. Input is read leniently (case, spaces,
 * hyphens, full-width characters), and every spelling of one code has a single canonical form, which is what a
 * redemption ledger must key on.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const APOLOGY_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const SYMBOLS = 20;
const CAMPAIGN_BITS = 6n;
const INDEX_BITS = 24n;
const MAC_BITS = 70n;
export const MAX_APOLOGY_CAMPAIGN_NO = 2 ** Number(CAMPAIGN_BITS) - 1;
export const MAX_APOLOGY_INDEX = 2 ** Number(INDEX_BITS) - 1;
/** The longest text worth parsing: the grouped form with generous room for spaces. */
export const APOLOGY_CODE_MAX_INPUT = 64;

const DECODE = new Map([...APOLOGY_CODE_ALPHABET].map((c, i) => [c, BigInt(i)]));
// Separators people type or paste: spaces, ASCII and Japanese hyphens, dashes and the long-vowel mark.
const SEPARATORS = /[\s\-‐‑‒–—―−ー－_.]/g;

export interface ApologyCodeFields {
  campaignNo: number;
  /** The person's position in the sealed affected-person list of the campaign. */
  index: number;
}

export interface ParsedApologyCode extends ApologyCodeFields {
  /** The grouped upper-case form; every spelling of one code has the same. */
  canonical: string;
}

export type ApologyCodeCheck =
  | ({ valid: true } & ParsedApologyCode)
  | { valid: false; reason: 'malformed' | 'not_issued' };

function assertSecret(secret: Buffer): void {
  // An empty key would make every code computable by anyone.
  if (!Buffer.isBuffer(secret) || secret.length < 16) throw new RangeError('apology code secret must be at least 16 bytes');
}

/** What a code is for: its MAC is keyed to it, so a code of one kind is never valid as another (lib/enrolment-codes.ts). */
export type CodePurpose = 'apology-code' | 'credit-monitoring-enrolment';

function macBits(secret: Buffer, caseId: string, campaignNo: number, index: number, purpose: CodePurpose): bigint {
  const digest = createHmac('sha256', secret).update(`breach-claims/${purpose}/v1\u0000${caseId}\u0000${campaignNo}\u0000${index}`).digest();
  // The first 72 bits, less the 2 lowest.
  return BigInt(`0x${digest.subarray(0, 9).toString('hex')}`) >> 2n;
}

function group(symbols: string): string {
  return symbols.match(/.{4}/g)!.join('-');
}

/** The code of person `index` in campaign `campaignNo` of case `caseId`. Deterministic: a retry gives the same. */
export function makeApologyCode(secret: Buffer, caseId: string, campaignNo: number, index: number, purpose: CodePurpose = 'apology-code'): string {
  assertSecret(secret);
  if (!Number.isInteger(campaignNo) || campaignNo < 1 || campaignNo > MAX_APOLOGY_CAMPAIGN_NO) {
    throw new RangeError(`campaignNo must be an integer in 1..${MAX_APOLOGY_CAMPAIGN_NO}`);
  }
  if (!Number.isInteger(index) || index < 0 || index > MAX_APOLOGY_INDEX) {
    throw new RangeError(`index must be an integer in 0..${MAX_APOLOGY_INDEX}`);
  }
  let value =
    (BigInt(campaignNo) << (INDEX_BITS + MAC_BITS)) | (BigInt(index) << MAC_BITS) | macBits(secret, caseId, campaignNo, index, purpose);
  let symbols = '';
  for (let i = 0; i < SYMBOLS; i++) {
    symbols = APOLOGY_CODE_ALPHABET[Number(value & 31n)]! + symbols;
    value >>= 5n;
  }
  return group(symbols);
}

/**
 * Reads a code's campaign and index without checking its MAC (that needs the secret: see `verifyApologyCode`).
 * Undefined when the text is not shaped like a code.
 */
export function parseApologyCode(input: string): ParsedApologyCode | undefined {
  if (typeof input !== 'string' || input.length === 0 || input.length > APOLOGY_CODE_MAX_INPUT) return undefined;
  const symbols = input.normalize('NFKC').toUpperCase().replace(SEPARATORS, '');
  if (symbols.length !== SYMBOLS) return undefined;
  let value = 0n;
  for (const c of symbols) {
    const v = DECODE.get(c);
    if (v === undefined) return undefined;
    value = (value << 5n) | v;
  }
  const campaignNo = Number(value >> (INDEX_BITS + MAC_BITS));
  const index = Number((value >> MAC_BITS) & ((1n << INDEX_BITS) - 1n));
  if (campaignNo < 1) return undefined;
  return { campaignNo, index, canonical: group(symbols) };
}

/**
 * Whether `input` is a code issued for case `caseId`: `malformed` when it is not shaped like one, `not_issued`
 * when its MAC is not the one this case's campaign and index give (forged, mistyped, or another case's).
 */
export function verifyApologyCode(secret: Buffer, caseId: string, input: string, purpose: CodePurpose = 'apology-code'): ApologyCodeCheck {
  assertSecret(secret);
  const parsed = parseApologyCode(input);
  if (!parsed) return { valid: false, reason: 'malformed' };
  const expected = Buffer.from(makeApologyCode(secret, caseId, parsed.campaignNo, parsed.index, purpose));
  const given = Buffer.from(parsed.canonical);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { valid: false, reason: 'not_issued' };
  return { valid: true, ...parsed };
}
