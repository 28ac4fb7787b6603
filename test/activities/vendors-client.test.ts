import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  VendorRequestError,
  createPaymentClient,
  createVendorClient,
  type Letter,
  type PaymentClient,
  type VendorClient,
} from '../../activities/vendors/client.js';
import { startSandbox, type VendorSandbox } from '../../sandbox/vendor-service.js';
import { startWebhookReceiver } from '../sandbox/webhook-receiver.js';

const VENDORS = [
  { vendorId: 'vnd-forensic-1', role: 'forensics' as const, secret: 'whsec_forensic' },
  { vendorId: 'vnd-counsel-1', role: 'counsel' as const, secret: 'whsec_counsel' },
  { vendorId: 'vnd-print-1', role: 'print_and_mail' as const, secret: 'whsec_print' },
];

let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let sandbox: VendorSandbox;
let vendors: VendorClient;
let payments: PaymentClient;
let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

beforeAll(async () => {
  receiver = await startWebhookReceiver(Object.fromEntries(VENDORS.map((v) => [v.vendorId, v.secret])));
  sandbox = await startSandbox({
    vendors: VENDORS,
    webhookUrl: receiver.urlFor,
    seed: 42,
    timing: { ackDelayMs: 30, findingsDelayMs: 50, invoiceDelayMs: 50, lettersDelayMs: 30, holdMs: 1_500, webhookRetryMs: 20 },
  });
  vendors = createVendorClient({ baseUrl: () => sandbox.url, timeoutMs: 2_000, retries: 3, backoffMs: 10 });
  payments = createPaymentClient({ baseUrl: sandbox.url, timeoutMs: 2_000, retries: 3, backoffMs: 10 });
});

afterEach(() => sandbox.setFaults({ rate: 0, modes: [] }));

afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
});

describe('vendor client against the sandbox', () => {
  it('dispatches a forensic firm, which acknowledges, reports findings and invoices through signed webhooks', async () => {
    const dispatchId = unique('dsp');
    const receipt = await vendors.forensics.dispatch({
      vendorId: 'vnd-forensic-1',
      dispatchId,
      caseId: 'case-1',
      brief: { cause: 'external_attack', dataItems: ['name', 'credit_card'], affectedPersons: 1200 },
    });
    expect(receipt).toEqual({ dispatchId, accepted: true, replayed: false });

    const ack = await receiver.waitFor((w) => w.event?.type === 'acknowledged' && w.event.eventId.includes(dispatchId));
    expect(ack).toMatchObject({ vendorId: 'vnd-forensic-1', verified: true, eventId: ack.event?.eventId });
    expect(ack.event).toMatchObject({ dispatchId, caseId: 'case-1' });

    const findings = await receiver.waitFor((w) => w.event?.type === 'findings' && w.event.dispatchId === dispatchId);
    expect(findings.verified).toBe(true);
    expect(findings.event).toMatchObject({
      findings: { affectedPersons: 1200, cause: 'external_attack', wrongfulPurpose: true, dataItems: ['name', 'credit_card'] },
    });
    const invoice = await receiver.waitFor((w) => w.event?.type === 'invoice' && w.event.dispatchId === dispatchId);
    expect(invoice.verified).toBe(true);
    expect(invoice.event).toMatchObject({ category: 'forensic_investigation' });
    // Acknowledged, then findings, then the invoice: the order a handler expects to read them in.
    const order = receiver.received.filter((w) => w.event && 'dispatchId' in w.event && w.event.dispatchId === dispatchId);
    expect(order.map((w) => w.event?.type)).toEqual(['acknowledged', 'findings', 'invoice']);
  });

  it('sends counsel advice through the counsel adapter chosen at run time', async () => {
    const dispatchId = unique('dsp');
    await vendors.adapter('counsel').dispatch({ vendorId: 'vnd-counsel-1', dispatchId, caseId: 'case-2', brief: {} });
    const advice = await receiver.waitFor((w) => w.event?.type === 'advice' && w.event.dispatchId === dispatchId);
    expect(advice.verified).toBe(true);
  });

  it('records one dispatch however often it is sent with one key', async () => {
    const dispatchId = unique('dsp');
    const input = { vendorId: 'vnd-forensic-1', dispatchId, caseId: 'case-3', role: 'forensics' as const, brief: {} };
    const [a, b] = await Promise.all([vendors.dispatch(input), vendors.dispatch(input)]);
    const c = await vendors.dispatch(input);
    expect([a, b, c].filter((r) => r.replayed)).toHaveLength(2);
    expect(sandbox.dispatches().filter((d) => d.dispatchId === dispatchId)).toHaveLength(1);
  });

  it('retries a 5xx and then gives up with a retryable error', async () => {
    sandbox.setFaults({ rate: 1, modes: ['5xx'] });
    const before = sandbox.state().requests;
    const dispatchId = unique('dsp');
    const err = await vendors
      .dispatch({ vendorId: 'vnd-forensic-1', dispatchId, caseId: 'case-4', role: 'forensics', brief: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorRequestError);
    expect(err).toMatchObject({ retryable: true, status: 503, attempts: 4 });
    expect(sandbox.state().requests - before).toBe(4);
    expect(sandbox.dispatches().some((d) => d.dispatchId === dispatchId)).toBe(false);
  });

  it('gets through a half-failing vendor with a seed, paying each payout once', async () => {
    sandbox.setFaults({ rate: 0.5, modes: ['5xx'], seed: 7 });
    const client = createPaymentClient({ baseUrl: sandbox.url, retries: 8, backoffMs: 5 });
    const before = sandbox.state().faultsInjected['5xx'];
    const ids = Array.from({ length: 5 }, () => unique('payout'));
    for (const payoutId of ids) {
      const paid = await client.pay({ payoutId, caseId: 'case-5', amountJpy: 100_000, payee: { insuredId: 'ins-001' } });
      expect(paid).toMatchObject({ payoutId, amountJpy: 100_000, status: 'paid' });
    }
    expect(sandbox.state().faultsInjected['5xx'] - before).toBeGreaterThan(0);
    const listed = sandbox.payments().filter((p) => ids.includes(p.payoutId));
    expect(listed).toHaveLength(5);
  });

  it('after a time-out, the retry with the same key returns the payment that was made, and only one is listed', async () => {
    sandbox.setFaults({ rate: 1, modes: ['timeout'] });
    const impatient = createPaymentClient({ baseUrl: sandbox.url, timeoutMs: 200, retries: 1, backoffMs: 10 });
    const payoutId = unique('payout');
    const input = { payoutId, caseId: 'case-6', amountJpy: 250_000, payee: { insuredId: 'ins-001' } };

    const err = await impatient.pay(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorRequestError);
    expect(err).toMatchObject({ retryable: true, status: null, attempts: 2 });
    expect((err as Error).message).toMatch(/timed out/);

    sandbox.setFaults({ rate: 0, modes: [] });
    const paid = await payments.pay(input);
    expect(paid).toMatchObject({ payoutId, amountJpy: 250_000, status: 'paid', replayed: true });

    const res = await fetch(`${sandbox.url}/v1/payments`);
    const body = (await res.json()) as { payments: Array<{ payoutId: string; paymentId: string }> };
    const mine = body.payments.filter((p) => p.payoutId === payoutId);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.paymentId).toBe(paid.paymentId);
  });

  it('refuses a payout sent again under another key, without paying it twice', async () => {
    const payoutId = unique('payout');
    const input = { payoutId, caseId: 'case-7', amountJpy: 1_000, payee: { insuredId: 'ins-001' } };
    await payments.pay(input);
    const res = await fetch(`${sandbox.url}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'another-key' },
      body: JSON.stringify(input),
    });
    expect(res.status).toBe(409);
    expect(sandbox.payments().filter((p) => p.payoutId === payoutId)).toHaveLength(1);
  });

  it('turns a 4xx into a non-retryable error without retrying', async () => {
    const before = sandbox.state().requests;
    const err = await vendors
      .dispatch({ vendorId: 'vnd-nobody', dispatchId: unique('dsp'), caseId: 'case-8', role: 'forensics', brief: {} })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'VendorRequestError', retryable: false, status: 404, attempts: 1 });
    expect((err as VendorRequestError).problemType).toContain('unknown_vendor');
    expect(sandbox.state().requests - before).toBe(1);

    const mismatch = await vendors
      .dispatch({ vendorId: 'vnd-counsel-1', dispatchId: unique('dsp'), caseId: 'case-8', role: 'forensics', brief: {} })
      .catch((e: unknown) => e);
    expect(mismatch).toMatchObject({ retryable: false, status: 422 });
  });

  it('gives up with a retryable error when nothing listens', async () => {
    const dead = createVendorClient({ baseUrl: 'http://127.0.0.1:9', retries: 1, backoffMs: 1, timeoutMs: 500 });
    const err = await dead
      .dispatch({ vendorId: 'v', dispatchId: 'd', caseId: 'c', role: 'forensics', brief: {} })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: true, status: null, attempts: 2 });
  });

  it('rejects an answer that does not match the contract as non-retryable', async () => {
    const lying: typeof fetch = () =>
      Promise.resolve(
        new Response(JSON.stringify({ paymentId: 'p', payoutId: 'someone-else', amountJpy: 1, status: 'paid', paidAt: new Date().toISOString() }), {
          status: 201,
          headers: { 'content-type': 'application/json' },
        }),
      );
    const client = createPaymentClient({ baseUrl: 'http://unused.invalid', fetch: lying });
    const err = await client.pay({ payoutId: 'mine', caseId: 'c', amountJpy: 1, payee: { insuredId: 'i' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false, status: 201 });

    const garbled: typeof fetch = () => Promise.resolve(new Response('{"dispatchId": 3}', { status: 202 }));
    const vendorsGarbled = createVendorClient({ baseUrl: 'http://unused.invalid', fetch: garbled });
    await expect(
      vendorsGarbled.dispatch({ vendorId: 'v', dispatchId: 'd', caseId: 'c', role: 'forensics', brief: {} }),
    ).rejects.toMatchObject({ retryable: false });
  });

  it('sends a letters batch to print-and-mail, which records it and reports it mailed', async () => {
    const batchId = unique('batch');
    const letters: Letter[] = [
      { personId: 'p-0001', language: 'ja' },
      { personId: 'p-0002', language: 'ja' },
      { personId: 'p-0003', language: 'en' },
    ];
    const receipt = await vendors.print_and_mail.sendLetters({ vendorId: 'vnd-print-1', batchId, caseId: 'case-9', letters });
    expect(receipt).toEqual({ batchId, accepted: 3, replayed: false });
    const again = await vendors.sendLetters({ vendorId: 'vnd-print-1', batchId, caseId: 'case-9', letters });
    expect(again.replayed).toBe(true);

    const recorded = sandbox.letters().filter((b) => b.batchId === batchId);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.letters).toEqual(letters);
    const mailed = await receiver.waitFor((w) => w.event?.type === 'letters_mailed' && w.event.batchId === batchId);
    expect(mailed).toMatchObject({ verified: true, event: { count: 3, caseId: 'case-9' } });
  });
});
