import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { until } from '../support/wait.js';
import { approveNotice } from '../support/notice-approval.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});


describe('a case through the HTTP API on the real stack', () => {
  it('goes from report to closed: vendors by webhook, notices by SMTP, one payment', async () => {
    const admin = as(stack, 'admin');
    const insured = as(stack, 'insured-ins-001');
    const other = as(stack, 'insured-ins-002');
    const handler = as(stack, 'handler');
    const policyNumber = uniqueId('PL');

    expect((await admin('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);

    const bad = await insured('POST', '/v1/cases', { ...reportBody(policyNumber), affectedPersons: -3 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.json.errors.map((e: { path: string }) => e.path)).toContain('/affectedPersons');

    const created = await insured('POST', '/v1/cases', reportBody(policyNumber, { affectedPersons: 1500 }), { 'idempotency-key': uniqueId('k') });
    expect(created.status).toBe(201);
    const caseId: string = created.json.caseId;
    expect(created.headers.get('location')).toBe(`/v1/cases/${caseId}`);
    expect(created.json.status).toBe('response');

    expect((await other('GET', `/v1/cases/${caseId}`)).status).toBe(404);

    // The sandbox acknowledges both panel vendors and sends counsel's advice and invoices back by signed webhooks.
    const withVendors = await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json.vendors.length === 2 && r.json.vendors.every((v: { status: string }) => v.status === 'acknowledged') && r.json.counselAdvice.length > 0,
    );
    expect(withVendors.json.vendors.map((v: { role: string }) => v.role)).toEqual(['counsel', 'forensics']);

    const csv = ['name,email,postal_address,language', '佐藤 花子,hanako@example.jp,,ja', 'John Smith,john@example.com,,en', '鈴木 一郎,,東京都千代田区1-1-1,ja', '佐藤 花子,HANAKO@example.jp,,ja', ',nobody@example.jp,,ja'].join('\n');
    const upload = await insured('PUT', `/v1/cases/${caseId}/affected-persons`, csv, { 'content-type': 'text/csv' });
    expect(upload.status).toBe(200);
    expect(upload.json).toMatchObject({ errorCount: 1 });
    expect(JSON.stringify(upload.json)).not.toContain('hanako');

    expect((await handler('POST', `/v1/cases/${caseId}/actions/consent`, { category: 'apology_payment' })).status).toBe(200);
    expect((await approveNotice(handler, caseId)).status).toBe(200);
    const notified = await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json.notifications.status === 'done',
    );
    expect(notified.json.notifications).toMatchObject({ total: 3, sent: 2, letters: 1, failed: 0 });
    const notices = await stack.smtp.waitFor(2, 10_000);
    const subjects = stack.smtp.messages.map((m) => m.subject ?? '');
    expect(subjects.some((s) => s.includes('お詫び'))).toBe(true);
    expect(notices.length).toBeGreaterThanOrEqual(2);
    expect(stack.sandbox.letters().flatMap((b) => b.letters)).toHaveLength(1);
    // The letter went to the print vendor the case engaged for it, so the vendor's confirmation counts.
    const mailed = await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json.notifications.lettersMailed === 1 && r.json.vendors.some((v: { role: string; invoicedJpy: number }) => v.role === 'print_and_mail' && v.invoicedJpy > 0),
    );
    expect(mailed.json.vendors.map((v: { role: string }) => v.role)).toEqual(['counsel', 'forensics', 'print_and_mail']);

    for (const o of notified.json.obligations.filter((x: { status: string }) => x.status === 'pending' || x.status === 'overdue')) {
      const r = await insured('POST', `/v1/cases/${caseId}/actions/record-filing`, {
        regime: o.regime,
        kind: o.kind,
        audience: o.audience,
        filedAt: new Date().toISOString(),
        reference: `REF-${o.regime}-${o.kind}`,
      });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
    }

    const costs = await insured('POST', `/v1/cases/${caseId}/actions/submit-costs`, {
      items: [{ category: 'notification', amountJpy: 300, evidenceRef: 'postage-001' }],
    });
    expect(costs.status).toBe(200);
    const payable = await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json.settlement.lines.length >= 4,
    );
    expect(payable.json.settlement.payableJpy).toBeGreaterThan(0);
    // The sandbox invoices run to millions: over this handler's authority, so a supervisor approves.
    const approval = await handler('POST', `/v1/cases/${caseId}/actions/approve-payout`, {});
    expect(approval.status).toBe(200);
    if (approval.json.payouts.at(-1).status === 'awaiting_supervisor') {
      expect((await as(stack, 'supervisor')('POST', `/v1/cases/${caseId}/actions/approve-payout`, {})).status).toBe(200);
    }
    const paid = await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json.payouts.every((p: { status: string }) => p.status === 'paid'),
    );
    expect(paid.json.settlement.paidJpy).toBe(payable.json.settlement.payableJpy);
    expect(stack.sandbox.payments().filter((p) => p.caseId === caseId)).toHaveLength(1);

    const closed = await handler('POST', `/v1/cases/${caseId}/actions/close`, { reason: 'all paid and filed' });
    expect(closed.status, JSON.stringify(closed.json)).toBe(200);
    expect(closed.json.status).toBe('closed');
    const timeline = await insured('GET', `/v1/cases/${caseId}/timeline`);
    expect(timeline.status).toBe(200);
    expect(JSON.stringify(timeline.json)).not.toContain('is not engaged');
  });
});
