/** Case ids and request hashes: what makes a retried or racing case creation land on the same case. */
import { createHash, randomBytes } from 'node:crypto';
import type { IncidentReport } from '../domain/schemas.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * With an idempotency key the case id is a function of who asks and the key, so a retry (or a racing duplicate)
 * lands on the same workflow id and Temporal itself refuses the second start. 130 bits keep collisions out of reach.
 */
export function caseIdFor(scope: string, key: string | undefined, now: Date): string {
  if (key !== undefined) {
    const digest = createHash('sha256').update(`${scope}\u0000${key}`, 'utf8').digest();
    return `C${base32(digest.subarray(0, 17)).slice(0, 26)}`;
  }
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  return `C${day}-${base32(randomBytes(10))}`;
}

/** JSON with object keys sorted, so equal bodies hash equally however the client ordered them. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hashes the parsed report: two bodies that differ only in key order or time-zone notation are the same request. */
export function requestHash(report: IncidentReport): string {
  return createHash('sha256').update(canonicalJson(report)).digest('hex');
}
