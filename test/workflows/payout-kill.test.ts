/**
 * Exactly-once when the worker dies mid-payout: the real worker (`main/worker.ts`) runs in a child process against the
 * run's dev server; the API, sandbox and SMTP sink run here (test/support/stack.ts without its in-process worker).
 * The sandbox's payment endpoint is told to take the payment and hold its answer; once the payment is recorded the
 * worker is SIGKILLed, the fault cleared and a new worker started. The money activities' heartbeat time-out (10 s)
 * lets the retry come in seconds, and the payment key makes it find the payment the dead attempt made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { until } from '../support/wait.js';
import { WorkerProcesses } from '../support/worker-process.js';

let stack: Stack;
const workers = new WorkerProcesses(() => stack);

beforeAll(async () => {
  stack = await startStack({ inProcessWorker: false, sandboxTiming: { holdMs: 20_000 } });
  await workers.start();
});
afterAll(async () => {
  await workers.stopAll();
  await stack?.stop();
});

describe('a payout when the worker is killed', () => {
  it('pays once: the retry after the kill gets back the payment the dead attempt made', { timeout: 90_000 }, async () => {
    const started = Date.now();
    const admin = as(stack, 'admin');
    const insured = as(stack, 'insured-ins-001');
    const handler = as(stack, 'handler');
    const policyNumber = uniqueId('PL');
    expect((await admin('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
    const created = await insured('POST', '/v1/cases', reportBody(policyNumber), { 'idempotency-key': uniqueId('k') });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const caseId: string = created.json.caseId;

    // Vendors acknowledged and invoiced, so no other call meets the payment fault; then the insured's own cost.
    await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json?.vendors?.length === 2 && r.json.settlement.lines.length >= 2,
      30_000,
      'vendor invoices',
    );
    const costs = await insured('POST', `/v1/cases/${caseId}/actions/submit-costs`, {
      items: [{ category: 'notification', amountJpy: 300, evidenceRef: 'postage-001' }],
    });
    expect(costs.status, JSON.stringify(costs.json)).toBe(200);
    await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json.settlement.lines.length >= 3 && r.json.settlement.payableJpy > 0,
      30_000,
      'payable lines',
    );

    stack.sandbox.setFaults({ rate: 1, modes: ['timeout'], seed: 11 });
    const approval = await handler('POST', `/v1/cases/${caseId}/actions/approve-payout`, {});
    expect(approval.status, JSON.stringify(approval.json)).toBe(200);
    if (approval.json.payouts.at(-1).status === 'awaiting_supervisor') {
      const byBoss = await as(stack, 'supervisor')('POST', `/v1/cases/${caseId}/actions/approve-payout`, {});
      expect(byBoss.status, JSON.stringify(byBoss.json)).toBe(200);
    }

    // The sandbox has paid and holds its answer: the worker dies between the call and its completion.
    const recorded = await until(
      () => stack.sandbox.payments().filter((p) => p.caseId === caseId),
      (ps) => ps.length > 0,
      30_000,
      'the payment at the sandbox',
    );
    const killedAt = await workers.killAndReplace();

    const paid = await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json.payouts.length > 0 && r.json.payouts.every((p: { status: string }) => p.status === 'paid'),
      45_000,
      'the payout paid',
    );
    const payments = stack.sandbox.payments().filter((p) => p.caseId === caseId);
    const payout = paid.json.payouts[0];
    console.log(
      `[payout-kill] paid ${paid.json.settlement.paidJpy} JPY as ${payout.paymentId}, ${Date.now() - killedAt} ms after the kill; ` +
        `sandbox payments for the case ${payments.length}; test ${Date.now() - started} ms`,
    );
    expect(paid.json.payouts).toHaveLength(1);
    expect(payments).toHaveLength(1);
    expect(payments[0]!.payoutId).toBe(payout.payoutId);
    expect(payments[0]!.idempotencyKey).toBe(`payout:${payout.payoutId}`);
    expect(payments[0]!.paymentId).toBe(recorded[0]!.paymentId);
    expect(payments[0]!.amountJpy).toBe(paid.json.settlement.paidJpy);
    expect(payments[0]!.amountJpy).toBe(payout.grantedJpy);
    expect(payout.paymentId).toBe(payments[0]!.paymentId);
  });
});
