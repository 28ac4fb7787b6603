import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type VendorSandbox } from '../../sandbox/vendor-service.js';
import { mulberry32 } from '../../sandbox/vendor-prng.js';
import { startWebhookReceiver } from './webhook-receiver.js';
import type { Json } from '../support/json.js';

const VENDORS = [
  { vendorId: 'vnd-f', role: 'forensics' as const, secret: ['whsec_new', 'whsec_old'] },
  { vendorId: 'vnd-cc', role: 'call_center' as const, secret: 'whsec_cc', phone: '0120-999-000' },
  { vendorId: 'vnd-rp', role: 'recurrence_prevention' as const, secret: 'whsec_rp' },
  { vendorId: 'vnd-pr', role: 'public_relations' as const, secret: 'whsec_pr' },
  { vendorId: 'vnd-pm', role: 'print_and_mail' as const, secret: 'whsec_pm' },
];
const TIMING = { ackDelayMs: 20, findingsDelayMs: 20, invoiceDelayMs: 20, lettersDelayMs: 20, enquiriesDelayMs: 20, slowAckDelayMs: 600, holdMs: 5_000, webhookRetryMs: 20 };

let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let sandbox: VendorSandbox;
let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}`;

async function post(path: string, body: unknown, key?: string): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const dispatchBody = (dispatchId: string, role = 'forensics') => ({ dispatchId, caseId: 'case-s', role, brief: { affectedPersons: 10 } });

beforeAll(async () => {
  // The receiver knows only the new secret: the sandbox signing with both shows a rotation in progress.
  receiver = await startWebhookReceiver({ 'vnd-f': 'whsec_new', 'vnd-cc': 'whsec_cc', 'vnd-pm': 'whsec_pm', 'vnd-rp': 'whsec_rp', 'vnd-pr': 'whsec_pr' });
  sandbox = await startSandbox({ vendors: VENDORS, webhookUrl: receiver.urlFor, seed: 3, timing: TIMING });
});
afterEach(() => sandbox.setFaults({ rate: 0, modes: [] }));
afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
});

describe('sandbox vendor service', () => {
  it('binds to the loopback address by default', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('requires an Idempotency-Key and a well-formed body', async () => {
    expect((await post('/v1/vendors/vnd-f/dispatches', dispatchBody('x'))).status).toBe(400);
    expect((await post('/v1/payments', { payoutId: 'p', caseId: 'c', amountJpy: 1, payee: { insuredId: 'i' } })).status).toBe(400);
    const bad = await post('/v1/vendors/vnd-f/dispatches', { dispatchId: 'x' }, 'k-bad');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses letters carrying anything but an opaque person id, and says which field without echoing it', async () => {
    const res = await post(
      '/v1/vendors/vnd-pm/letters',
      { batchId: 'b-pii', caseId: 'c', letters: [{ personId: 'p1', language: 'ja', name: '山田 太郎' }] },
      'k-pii',
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain('山田');
    expect(sandbox.letters().some((b) => b.batchId === 'b-pii')).toBe(false);
  });

  it('reports returned letters of a batch by signed webhook when told to, never more than the batch holds', async () => {
    const batchId = unique('b');
    const letters = [{ personId: 'p_1', language: 'ja' }, { personId: 'p_2', language: 'en' }];
    expect((await post('/v1/vendors/vnd-pm/letters', { batchId, caseId: 'case-s', letters }, `k-${batchId}`)).status).toBe(202);
    expect((await post(`/_control/letters/vnd-pm/${batchId}/returned`, { count: 3 })).status).toBe(422);
    expect((await post(`/_control/letters/vnd-pm/nope/returned`, { count: 1 })).status).toBe(404);
    expect((await post(`/_control/letters/vnd-pm/${batchId}/returned`, { count: 0 })).status).toBe(400);
    expect((await post(`/_control/letters/vnd-pm/${batchId}/returned`, { count: 1 })).status).toBe(202);
    const returned = await receiver.waitFor((w) => w.event?.type === 'letters_returned' && w.event.batchId === batchId);
    expect(returned.verified).toBe(true);
    expect(returned.event).toMatchObject({ type: 'letters_returned', caseId: 'case-s', batchId, count: 1 });
  });

  it('plays a call centre: acknowledges with its line, reports growing enquiry totals from the persons briefed, invoices its role', async () => {
    const id = unique('d');
    expect((await post('/v1/vendors/vnd-cc/dispatches', { ...dispatchBody(id, 'call_center'), brief: { affectedPersons: 2_000 } }, `k-${id}`)).status).toBe(202);
    const ack = await receiver.waitFor((w) => w.event?.type === 'acknowledged' && w.event.dispatchId === id);
    expect(ack).toMatchObject({ verified: true, event: { phone: '0120-999-000' } });
    const invoice = await receiver.waitFor((w) => w.event?.type === 'invoice' && w.event.dispatchId === id);
    expect(invoice.event).toMatchObject({ category: 'call_center' });
    const totals = receiver.received
      .filter((w) => w.event?.type === 'enquiries_reported' && w.event.dispatchId === id)
      .map((w) => (w.event as { total: number }).total);
    expect(totals).toHaveLength(2);
    // 1 to 3 per cent of the persons each time, and a total that only grows.
    expect(totals[0]).toBeGreaterThanOrEqual(20);
    expect(totals[0]).toBeLessThanOrEqual(60);
    expect(totals[1]).toBeGreaterThan(totals[0]!);
    // Told to, it reports a given total; only for a call-centre dispatch it has.
    expect((await post(`/_control/enquiries/vnd-cc/${id}`, { total: 500 })).status).toBe(202);
    const told = await receiver.waitFor((w) => w.event?.type === 'enquiries_reported' && w.event.dispatchId === id && w.event.total === 500);
    expect(told.verified).toBe(true);
    expect((await post('/_control/enquiries/vnd-cc/nope', { total: 1 })).status).toBe(404);
    expect((await post(`/_control/enquiries/vnd-cc/${id}`, { total: -1 })).status).toBe(400);
  });

  it('plays recurrence prevention and PR: acknowledged and invoiced in their own categories', async () => {
    for (const [vendorId, role, category] of [
      ['vnd-rp', 'recurrence_prevention', 'recurrence_prevention'],
      ['vnd-pr', 'public_relations', 'public_relations'],
    ] as const) {
      const id = unique('d');
      expect((await post(`/v1/vendors/${vendorId}/dispatches`, dispatchBody(id, role), `k-${id}`)).status).toBe(202);
      const invoice = await receiver.waitFor((w) => w.event?.type === 'invoice' && w.event.dispatchId === id);
      expect(invoice).toMatchObject({ verified: true, event: { category } });
      expect(receiver.received.some((w) => w.event?.type === 'acknowledged' && w.event.dispatchId === id)).toBe(true);
      expect(receiver.received.some((w) => w.event?.type === 'enquiries_reported' && w.event.dispatchId === id)).toBe(false);
    }
    expect((await post('/v1/vendors/vnd-rp/dispatches', dispatchBody(unique('d'), 'call_center'), unique('k'))).status).toBe(422);
  });

  it('acknowledges a role with a longer SLA late by as much more under slow_ack', async () => {
    sandbox.setFaults({ rate: 1, modes: ['slow_ack'] });
    const id = unique('d');
    const sentAt = Date.now();
    await post('/v1/vendors/vnd-pr/dispatches', dispatchBody(id, 'public_relations'), `k-${id}`);
    sandbox.setFaults({ rate: 0, modes: [] });
    // PR has four hours to acknowledge, so its slow acknowledgement comes after four times the base delay.
    await receiver.waitFor((w) => w.event?.type === 'acknowledged' && w.event.dispatchId === id, 8_000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(4 * TIMING.slowAckDelayMs - 20);
  });

  it('refuses letters to a vendor that does not print and mail', async () => {
    const res = await post('/v1/vendors/vnd-f/letters', { batchId: 'b', caseId: 'c', letters: [{ personId: 'p', language: 'ja' }] }, 'k-l');
    expect(res.status).toBe(422);
  });

  it('answers the same key with the same answer, and another body under that key with a 409', async () => {
    const id = unique('d');
    const first = await post('/v1/vendors/vnd-cc/dispatches', dispatchBody(id, 'call_center'), `k-${id}`);
    const again = await post('/v1/vendors/vnd-cc/dispatches', dispatchBody(id, 'call_center'), `k-${id}`);
    expect(first).toMatchObject({ status: 202, body: { dispatchId: id, accepted: true } });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await post('/v1/vendors/vnd-cc/dispatches', { ...dispatchBody(id, 'call_center'), caseId: 'other' }, `k-${id}`);
    expect(other.status).toBe(409);
    const otherKey = await post('/v1/vendors/vnd-cc/dispatches', dispatchBody(id, 'call_center'), `k2-${id}`);
    expect(otherKey.status).toBe(409);
    expect(sandbox.dispatches().filter((d) => d.dispatchId === id)).toHaveLength(1);
  });

  it('answers a new payment 201 and the same key again 200 with the same payment', async () => {
    const body = { payoutId: unique('po'), caseId: 'c', amountJpy: 5_000, payee: { insuredId: 'ins-1' } };
    const first = await post('/v1/payments', body, `k-${body.payoutId}`);
    const again = await post('/v1/payments', body, `k-${body.payoutId}`);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(first.body).toMatchObject({ payoutId: body.payoutId, amountJpy: 5_000, status: 'paid' });
  });

  it('retries a webhook the receiver refuses, with the same event id, signed with a rotating pair of secrets', async () => {
    const id = unique('d');
    receiver.failNext(2, 'vnd-f');
    await post('/v1/vendors/vnd-f/dispatches', dispatchBody(id), `k-${id}`);
    const ack = await receiver.waitFor((w) => w.event?.type === 'acknowledged' && w.event.dispatchId === id);
    expect(ack.verified).toBe(true);
    // The receiver records before it answers, so the sandbox may not have read the 2xx yet.
    await expect
      .poll(() => sandbox.dispatches().find((d) => d.dispatchId === id)?.events[0])
      .toMatchObject({ type: 'acknowledged', status: 'delivered', attempts: 3, eventId: ack.eventId });
  });

  it('gives up on a webhook after the bounded number of attempts', async () => {
    const bounded = await startSandbox({
      vendors: VENDORS,
      webhookUrl: () => 'http://127.0.0.1:9/nowhere',
      timing: { ...TIMING, webhookMaxAttempts: 3, webhookRetryMs: 5 },
    });
    try {
      const res = await fetch(`${bounded.url}/v1/vendors/vnd-cc/dispatches`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
        body: JSON.stringify(dispatchBody('d-gone', 'call_center')),
      });
      expect(res.status).toBe(202);
      await expect.poll(() => bounded.dispatches()[0]?.events[0]?.status, { timeout: 5_000 }).toBe('failed');
      expect(bounded.dispatches()[0]?.events[0]?.attempts).toBe(3);
    } finally {
      await bounded.close();
    }
  });

  it('never acknowledges under no_ack, and acknowledges late under slow_ack', async () => {
    sandbox.setFaults({ rate: 1, modes: ['no_ack'] });
    const silent = unique('d');
    expect((await post('/v1/vendors/vnd-cc/dispatches', dispatchBody(silent, 'call_center'), `k-${silent}`)).status).toBe(202);

    sandbox.setFaults({ rate: 1, modes: ['slow_ack'] });
    const slow = unique('d');
    const sentAt = Date.now();
    await post('/v1/vendors/vnd-cc/dispatches', dispatchBody(slow, 'call_center'), `k-${slow}`);
    await receiver.waitFor((w) => w.event?.type === 'acknowledged' && w.event.dispatchId === slow, 5_000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(TIMING.slowAckDelayMs - 20);

    expect(receiver.received.some((w) => w.event && 'dispatchId' in w.event && w.event.dispatchId === silent)).toBe(false);
    expect(sandbox.dispatches().find((d) => d.dispatchId === silent)).toMatchObject({ ackFault: 'no_ack', events: [] });
  });

  it('holds a timed-out request open but takes its effect once, so a retry with the same key finds it', async () => {
    sandbox.setFaults({ rate: 1, modes: ['timeout'] });
    const body = { payoutId: unique('po'), caseId: 'c', amountJpy: 7_000, payee: { insuredId: 'ins-1' } };
    const held = fetch(`${sandbox.url}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `k-${body.payoutId}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(200),
    });
    await expect(held).rejects.toThrow();
    sandbox.setFaults({ rate: 0, modes: [] });
    const retry = await post('/v1/payments', body, `k-${body.payoutId}`);
    expect(retry.status).toBe(200);
    expect(sandbox.payments().filter((p) => p.payoutId === body.payoutId)).toHaveLength(1);
  });

  it('is steered over HTTP through /_control and draws the same faults for the same seed', async () => {
    const statuses = async () => {
      const out: number[] = [];
      for (let i = 0; i < 12; i++) {
        const id = unique('d');
        out.push((await post('/v1/vendors/vnd-cc/dispatches', dispatchBody(id, 'call_center'), `k-${id}`)).status);
      }
      return out;
    };
    const set = await post('/_control/faults', { rate: 0.5, modes: ['5xx'], seed: 99 });
    expect(set).toMatchObject({ status: 200, body: { faults: { rate: 0.5, modes: ['5xx'], seed: 99 } } });
    const first = await statuses();
    await post('/_control/faults', { rate: 0.5, modes: ['5xx'], seed: 99 });
    const second = await statuses();
    expect(second).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(202);

    expect((await post('/_control/faults', { rate: 2, modes: ['5xx'] })).status).toBe(400);
    const state = (await (await fetch(`${sandbox.url}/_control/state`)).json()) as { faults: unknown; faultsInjected: Record<string, number> };
    expect(state.faults).toMatchObject({ rate: 0.5, seed: 99 });
    expect(state.faultsInjected['5xx']).toBeGreaterThan(0);
  });

  it('closes promptly with a request held open and callbacks pending', async () => {
    const s = await startSandbox({ vendors: VENDORS, webhookUrl: receiver.urlFor, timing: { ...TIMING, holdMs: 60_000, ackDelayMs: 60_000 } });
    await fetch(`${s.url}/v1/vendors/vnd-cc/dispatches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
      body: JSON.stringify(dispatchBody('d-close', 'call_center')),
    });
    s.setFaults({ rate: 1, modes: ['timeout'] });
    const held = fetch(`${s.url}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
      body: JSON.stringify({ payoutId: 'p', caseId: 'c', amountJpy: 1, payee: { insuredId: 'i' } }),
    }).catch(() => 'closed');
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await held).toBe('closed');
  });
});

describe('mulberry32', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const c = mulberry32(2);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
