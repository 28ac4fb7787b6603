/**
 * The call centre on the real stack: the insured asks for one (`engage-vendor`), the sandbox call centre acknowledges
 * with its line and reports its enquiries by signed webhook, the case shows them (`services.callCenter`), the notices
 * print its number, its invoice becomes a `call_center` cost line, and `GET /v1/cases/{caseId}/faq` answers its FAQ in
 * each language, to the case's readers only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { until } from '../support/wait.js';
import { approveNotice } from '../support/notice-approval.js';

let stack: Stack;
let caseId: string;
const insured = () => as(stack, 'insured-ins-001');
const handler = () => as(stack, 'handler');
const read = () => handler()('GET', `/v1/cases/${caseId}`);

beforeAll(async () => {
  stack = await startStack({ sandboxTiming: { enquiriesDelayMs: 200 } });
  const policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
  const created = await insured()('POST', '/v1/cases', reportBody(policyNumber, { affectedPersons: 3, dataItems: ['name', 'email', 'credit_card'] }));
  expect(created.status, created.text).toBe(201);
  caseId = created.json.caseId;
  await until(read, (r) => r.json?.status === 'response', 30_000, 'the case in response');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the call centre through the API', () => {
  it('is engaged on the insured’s request, reports its enquiries, prints on the notices and invoices a cost line', async () => {
    const bad = await insured()('POST', `/v1/cases/${caseId}/actions/engage-vendor`, { role: 'call_centre', reason: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(bad.json)).toContain('/role');
    const stranger = await as(stack, 'insured-ins-002')('POST', `/v1/cases/${caseId}/actions/engage-vendor`, { role: 'call_center', reason: 'x' });
    expect(stranger.status).toBe(404);

    const engaged = await insured()('POST', `/v1/cases/${caseId}/actions/engage-vendor`, { role: 'call_center', reason: 'customers call the shop' }, { 'idempotency-key': uniqueId('k') });
    expect(engaged.status, engaged.text).toBe(200);
    const counted = await until(read, (r) => (r.json.services?.callCenter?.enquiries ?? 0) > 0, 30_000, 'enquiries reported');
    const again = await insured()('POST', `/v1/cases/${caseId}/actions/engage-vendor`, { role: 'call_center', reason: 'again' });
    expect([again.status, again.json.code]).toEqual([409, 'duplicate']);
    expect(counted.json.services.callCenter).toMatchObject({ vendorId: 'callcenter-a', phone: '0120-000-111' });
    expect(counted.json.vendors.find((e: { role: string }) => e.role === 'call_center')).toMatchObject({ status: 'acknowledged', engagedBy: 'insured-ins-001' });
    // The insured reads its own call centre too.
    const own = await insured()('GET', `/v1/cases/${caseId}`);
    expect(own.json.services.callCenter.vendorId).toBe('callcenter-a');
    const line = await until(read, (r) => r.json.settlement.lines.some((l: { category: string }) => l.category === 'call_center'), 30_000, 'the call centre invoiced');
    expect(line.json.settlement.lines.find((l: { category: string }) => l.category === 'call_center')).toMatchObject({ status: 'payable' });
    const timeline = await handler()('GET', `/v1/cases/${caseId}/timeline`, undefined, { 'accept-language': 'ja' });
    expect(JSON.stringify(timeline.json)).toContain('コールセンター callcenter-a の問い合わせ累計');

    // The notices name the insured's enquiry desk with the call centre's number.
    stack.smtp.clear();
    const list = 'name,email,postal_address,language\n佐藤 花子,hanako@example.jp,,ja\nJohn Smith,john@example.com,,en\n';
    expect((await insured()('PUT', `/v1/cases/${caseId}/affected-persons`, list, { 'content-type': 'text/csv' })).status).toBe(200);
    expect((await approveNotice(handler(), caseId, 'ja')).status).toBe(200);
    await until(read, (r) => r.json.notifications.status === 'done', 60_000, 'notices sent');
    const notices = stack.smtp.messages.filter((m) => m.text?.includes(caseId));
    expect(notices.length).toBeGreaterThanOrEqual(2);
    for (const m of notices) {
      expect(m.text).toContain('0120-000-111');
      expect(m.text).not.toContain('+81-3-0000-0000');
    }
  });

  it('answers the FAQ in Japanese and English to the case’s readers, with the call centre’s number', async () => {
    const ja = await insured()('GET', `/v1/cases/${caseId}/faq`);
    expect(ja.status, ja.text).toBe(200);
    expect(ja.json).toMatchObject({ caseId, lang: 'ja', callCenter: { vendorId: 'callcenter-a', phone: '0120-000-111' } });
    expect(ja.json.entries.map((e: { topic: string }) => e.topic)).toEqual(['what_happened', 'what_leaked', 'what_to_do', 'contact']);
    expect(ja.json.entries[2].answer).toContain('利用明細');
    expect(ja.json.entries[3].answer).toContain('0120-000-111');
    expect(JSON.stringify(ja.json)).not.toContain('Sales laptop');
    const en = await as(stack, 'ops')('GET', `/v1/cases/${caseId}/faq?lang=en`);
    expect(en.status).toBe(200);
    expect(en.json.entries[0].question).toBe('What happened?');
    const fr = await handler()('GET', `/v1/cases/${caseId}/faq?lang=fr`);
    expect(fr.status).toBe(400);
    expect(fr.headers.get('content-type')).toContain('application/problem+json');
    expect((await as(stack, 'insured-ins-002')('GET', `/v1/cases/${caseId}/faq`)).status).toBe(404);
    expect((await handler()('GET', `/v1/cases/C${'Z'.repeat(26)}/faq`)).status).toBe(404);
  });

  it('documents the FAQ and the action in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${stack.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/v1/cases/{caseId}/faq']!.get!.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '503']));
    expect(doc.paths['/v1/cases/{caseId}/actions/engage-vendor']?.post).toBeDefined();
  });
});
