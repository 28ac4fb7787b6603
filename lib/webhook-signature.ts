import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed vendor webhooks, shared by the sender (sandbox vendors) and the receiver (the API).
 *
 * `BC-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
 *
 * The timestamp is inside the signed payload so a captured request cannot be replayed outside the tolerance window,
 * and the receiver de-duplicates inside the window by `BC-Event-Id`. A header may carry several `v1=` entries so a
 * sender can sign with both the old and the new secret while a rotation is under way.
 */
export const SIGNATURE_HEADER = 'BC-Signature';
export const EVENT_ID_HEADER = 'BC-Event-Id';
export const DEFAULT_TOLERANCE_SEC = 300;

export type VerifyFailure = 'missing' | 'malformed' | 'expired' | 'mismatch';
export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: VerifyFailure };

export interface VerifyWebhookInput {
  /** One secret, or several while a rotation is under way; any of them may have signed. */
  secret: string | readonly string[];
  header: string | readonly string[] | null | undefined;
  rawBody: Buffer | string;
  nowSec: number;
  toleranceSec?: number;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

function hmacHex(secret: string, timestamp: number, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`, 'utf8');
  // A string body is hashed as its UTF-8 bytes, the same bytes an HTTP client puts on the wire.
  mac.update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody);
  return mac.digest('hex');
}

function usableSecrets(secret: string | readonly string[]): string[] {
  const list = (typeof secret === 'string' ? [secret] : [...secret]).filter((s) => s.length > 0);
  if (list.length === 0) throw new TypeError('webhook secret must not be empty');
  return list;
}

/** Signs with every given secret (one `v1=` each), so a rotation can overlap on the sending side too. */
export function signWebhook(secret: string | readonly string[], rawBody: Buffer | string, nowSec: number): string {
  const t = Math.floor(nowSec);
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError('nowSec must be a non-negative unix time in seconds');
  const parts = [`t=${t}`, ...usableSecrets(secret).map((s) => `v1=${hmacHex(s, t, rawBody)}`)];
  return parts.join(',');
}

function parseHeader(header: string): { timestamp: number; signatures: string[] } | null {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) return null;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !UNIX_SECONDS.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!HEX_SHA256.test(value)) return null;
      signatures.push(value);
    }
    // Other schemes (v0, v2...) are ignored, so a sender can add one before receivers understand it.
  }
  if (timestamp === undefined || signatures.length === 0) return null;
  return { timestamp, signatures };
}

/**
 * Checks a `BC-Signature` header against the raw request body. The body must be the exact bytes received, before
 * any JSON parsing. Timestamps further than `toleranceSec` from `nowSec` in either direction are refused, which
 * also bounds how long the receiver must remember event ids.
 */
export function verifyWebhook(input: VerifyWebhookInput): VerifyResult {
  const { header, rawBody, nowSec, toleranceSec = DEFAULT_TOLERANCE_SEC } = input;
  const secrets = usableSecrets(input.secret);
  const value = Array.isArray(header) ? header.join(',') : (header as string | null | undefined);
  if (value === undefined || value === null || value.trim() === '') return { ok: false, reason: 'missing' };

  const parsed = parseHeader(value);
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (Math.abs(Math.floor(nowSec) - parsed.timestamp) > toleranceSec) return { ok: false, reason: 'expired' };

  const received = parsed.signatures.map((s) => Buffer.from(s, 'hex'));
  let matched = false;
  // Every secret is compared against every signature without stopping early, so timing says nothing about which
  // secret or entry matched.
  for (const secret of secrets) {
    const expected = Buffer.from(hmacHex(secret, parsed.timestamp, rawBody), 'hex');
    for (const candidate of received) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  return matched ? { ok: true, timestamp: parsed.timestamp } : { ok: false, reason: 'mismatch' };
}
