import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, type VerifyResult } from '../../lib/webhook-signature.js';
import { createHmac } from 'node:crypto';

const NOW = 1_795_000_000;
const BODY = JSON.stringify({ type: 'acknowledged', eventId: 'evt-1', dispatchId: 'd-1', caseId: 'c-1', at: '2026-11-20T00:00:00Z', note: '漏洩' });
const SECRET = 'whsec_current';
const OLD = 'whsec_previous';

describe('webhook signature', () => {
  const good = signWebhook(SECRET, BODY, NOW);

  it('has the documented format', () => {
    const mac = createHmac('sha256', SECRET).update(`${NOW}.${BODY}`).digest('hex');
    expect(good).toBe(`t=${NOW},v1=${mac}`);
  });

  const cases: Array<{
    name: string;
    secret: string | string[];
    header: string | undefined;
    body?: string | Buffer;
    now?: number;
    want: VerifyResult;
  }> = [
    { name: 'good', secret: SECRET, header: good, want: { ok: true, timestamp: NOW } },
    { name: 'good, body as bytes', secret: SECRET, header: good, body: Buffer.from(BODY, 'utf8'), want: { ok: true, timestamp: NOW } },
    { name: 'tampered body', secret: SECRET, header: good, body: BODY.replace('d-1', 'd-2'), want: { ok: false, reason: 'mismatch' } },
    { name: 'wrong secret', secret: 'whsec_other', header: good, want: { ok: false, reason: 'mismatch' } },
    { name: 'tampered timestamp', secret: SECRET, header: good.replace(`t=${NOW}`, `t=${NOW + 1}`), want: { ok: false, reason: 'mismatch' } },
    { name: 'just inside the window', secret: SECRET, header: good, now: NOW + 300, want: { ok: true, timestamp: NOW } },
    { name: 'expired beyond 5 minutes', secret: SECRET, header: good, now: NOW + 301, want: { ok: false, reason: 'expired' } },
    { name: 'future skew beyond 5 minutes', secret: SECRET, header: good, now: NOW - 301, want: { ok: false, reason: 'expired' } },
    { name: 'missing header', secret: SECRET, header: undefined, want: { ok: false, reason: 'missing' } },
    { name: 'empty header', secret: SECRET, header: '  ', want: { ok: false, reason: 'missing' } },
    { name: 'malformed: no v1', secret: SECRET, header: `t=${NOW}`, want: { ok: false, reason: 'malformed' } },
    { name: 'malformed: no t', secret: SECRET, header: good.split(',')[1], want: { ok: false, reason: 'malformed' } },
    { name: 'malformed: not hex', secret: SECRET, header: `t=${NOW},v1=${'z'.repeat(64)}`, want: { ok: false, reason: 'malformed' } },
    { name: 'malformed: short signature', secret: SECRET, header: `t=${NOW},v1=abcd`, want: { ok: false, reason: 'malformed' } },
    { name: 'malformed: garbage', secret: SECRET, header: 'sha256=deadbeef', want: { ok: false, reason: 'malformed' } },
    { name: 'malformed: two timestamps', secret: SECRET, header: `t=${NOW},${good}`, want: { ok: false, reason: 'malformed' } },
    { name: 'rotated: receiver knows old and new, signed with old', secret: [SECRET, OLD], header: signWebhook(OLD, BODY, NOW), want: { ok: true, timestamp: NOW } },
    { name: 'rotated: receiver knows old and new, signed with new', secret: [OLD, SECRET], header: good, want: { ok: true, timestamp: NOW } },
    { name: 'rotated: sender signs with both, receiver knows new only', secret: SECRET, header: signWebhook([OLD, SECRET], BODY, NOW), want: { ok: true, timestamp: NOW } },
    { name: 'rotated: old secret retired', secret: SECRET, header: signWebhook(OLD, BODY, NOW), want: { ok: false, reason: 'mismatch' } },
    { name: 'unknown scheme ignored beside v1', secret: SECRET, header: `${good},v0=abc`, want: { ok: true, timestamp: NOW } },
  ];

  it.each(cases)('$name', ({ secret, header, body, now, want }) => {
    expect(verifyWebhook({ secret, header, rawBody: body ?? BODY, nowSec: now ?? NOW })).toEqual(want);
  });

  it('honours a custom tolerance', () => {
    expect(verifyWebhook({ secret: SECRET, header: good, rawBody: BODY, nowSec: NOW + 61, toleranceSec: 60 })).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses to sign or verify with no secret', () => {
    expect(() => signWebhook('', BODY, NOW)).toThrow(TypeError);
    expect(() => verifyWebhook({ secret: [], header: good, rawBody: BODY, nowSec: NOW })).toThrow(TypeError);
  });
});
