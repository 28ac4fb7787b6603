/**
 * The consultation desk over HTTP on the real product (startStack: real worker, real activities, the run's dev server
 * with visibility): opening with strict validation, tenancy, the list from visibility, the work queue's
 * `consultation_ack`, the commands, and a conversion whose case runs the APPI preliminary clock from the awareness
 * time given in the consultation. The contact stays out of the API's log, the list and the search attributes.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSULTATION_LIMITS } from '../../domain/index.js';
import { consultationWorkflowId } from '../../workflows/consultation-contract.js';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import type { Json } from '../support/json.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CONTACT = { name: '総務 次郎', email: 'jiro.soumu@example.co.jp', phone: '03-2222-3333', language: 'ja' as const };

let stack: Stack;
let policyNumber: string;
const apiLog: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      apiLog.push(chunk.toString('utf8'));
      done();
    },
  });
  stack = await startStack({ logger: pino({ level: 'trace' }, sink) });
  policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

const insured = () => as(stack, 'insured-ins-001');
const other = () => as(stack, 'insured-ins-002');
const handler = () => as(stack, 'handler');

function body(overrides: Record<string, unknown> = {}) {
  return { policyNumber, summary: '会員サイトで不審なログインが続いています。', awareAt: new Date(Date.now() - 20 * HOUR).toISOString(), contact: CONTACT, ...overrides };
}

async function openOne(overrides: Record<string, unknown> = {}): Promise<Json> {
  const res = await insured()('POST', '/v1/consultations', body(overrides));
  expect(res.status, res.text).toBe(201);
  return res.json;
}

/** Visibility lags a moment behind a start or a change. */
async function listed(f: ReturnType<typeof as>, query: string, want: (ids: string[]) => boolean): Promise<Json[]> {
  let items: Json[] = [];
  for (let i = 0; i < 60; i++) {
    const res = await f('GET', `/v1/consultations${query}`);
    expect(res.status, res.text).toBe(200);
    items = res.json.items as Json[];
    if (want(items.map((x) => x.consultationId as string))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return items;
}

describe('POST /v1/consultations', () => {
  it('opens a consultation: 201 with its id, open, and the acknowledgement due in 1 hour', async () => {
    const before = Date.now();
    const res = await insured()('POST', '/v1/consultations', body());
    expect(res.status, res.text).toBe(201);
    expect(Object.keys(res.json as object).sort()).toEqual(['ackDueAt', 'consultationId', 'status']);
    expect(res.json.status).toBe('open');
    expect(res.headers.get('location')).toBe(`/v1/consultations/${res.json.consultationId as string}`);
    const due = Date.parse(res.json.ackDueAt as string);
    expect(due).toBeGreaterThanOrEqual(before + HOUR - 1000);
    expect(due).toBeLessThanOrEqual(Date.now() + HOUR + 1000);
    // Read at once, from the memo the start wrote.
    const read = await insured()('GET', `/v1/consultations/${res.json.consultationId as string}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ status: 'open', policyNumber, contact: CONTACT, escalatedAt: null, advice: [] });
  });

  it('validates strictly: problem+json with the JSON pointer of each field, in Japanese on request', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ summary: undefined }, '/summary'],
      [{ summary: 'x'.repeat(CONSULTATION_LIMITS.maxSummaryChars + 1) }, '/summary'],
      [{ summary: 'bell\u0007' }, '/summary'],
      [{ awareAt: 'yesterday' }, '/awareAt'],
      [{ awareAt: new Date(Date.now() + DAY).toISOString() }, '/awareAt'],
      [{ contact: { ...CONTACT, email: 'not-an-address' } }, '/contact/email'],
      [{ contact: { ...CONTACT, name: 'x'.repeat(201) } }, '/contact/name'],
      [{ role: 'admin' }, '/role'],
      [{ policyNumber: '../etc' }, '/policyNumber'],
    ];
    for (const [overrides, path] of cases) {
      const res = await insured()('POST', '/v1/consultations', body(overrides), { 'accept-language': 'ja' });
      expect(res.status, `${path}: ${res.text}`).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('content-language')).toBe('ja');
      expect(res.json.code).toBe('validation');
      expect((res.json.errors as { path: string }[]).map((e) => e.path), path).toContain(path);
    }
    // Another insured's policy answers like an unknown one.
    const foreign = await other()('POST', '/v1/consultations', body());
    expect([foreign.status, foreign.json.code]).toEqual([422, 'unknown_policy']);
    // Only an insured opens one.
    expect((await handler()('POST', '/v1/consultations', body())).status).toBe(403);
  });

  it('with the same Idempotency-Key opens nothing new', async () => {
    const key = uniqueId('idem');
    const a = await insured()('POST', '/v1/consultations', body(), { 'idempotency-key': key });
    const b = await insured()('POST', '/v1/consultations', body(), { 'idempotency-key': key });
    expect([a.status, b.status]).toEqual([201, 200]);
    expect(b.json.consultationId).toBe(a.json.consultationId);
  });
});

describe('reads and tenancy', () => {
  it("another insured's consultation is a missing one; the list shows an insured its own only, without contacts", async () => {
    const { consultationId } = (await openOne()) as { consultationId: string };
    const missing = await other()('GET', `/v1/consultations/${consultationId}`);
    expect([missing.status, missing.json.code]).toEqual([404, 'not_found']);
    expect((await other()('GET', '/v1/consultations/QZZZZZZZZZZZZZZZZZZZZZZZZZZ')).status).toBe(404);
    expect((await handler()('GET', `/v1/consultations/${consultationId}`)).json.contact).toEqual(CONTACT);
    expect((await as(stack, 'ops')('GET', `/v1/consultations/${consultationId}`)).status).toBe(200);

    const mine = await listed(insured(), '?status=open', (ids) => ids.includes(consultationId));
    expect(mine.map((x) => x.consultationId as string)).toContain(consultationId);
    expect(mine.every((x) => x.insuredId === 'ins-001')).toBe(true);
    const item = mine.find((x) => x.consultationId === consultationId)!;
    expect(item).toMatchObject({ status: 'open', policyNumber, href: `/v1/consultations/${consultationId}` });
    expect(JSON.stringify(mine)).not.toContain(CONTACT.email);
    const theirs = await listed(other(), '', () => true);
    expect(theirs.map((x) => x.consultationId as string)).not.toContain(consultationId);
    const all = await listed(handler(), '?status=open', (ids) => ids.includes(consultationId));
    expect(all.map((x) => x.consultationId as string)).toContain(consultationId);
    expect((await handler()('GET', '/v1/consultations?status=pending')).status).toBe(400);
    expect((await handler()('GET', '/v1/consultations?insuredId=ins-002')).status).toBe(400);

    // The contact is in no search attribute and no log line of the API.
    const d = await stack.api.client.workflow.getHandle(consultationWorkflowId(consultationId)).describe();
    expect(JSON.stringify(d.raw.workflowExecutionInfo?.searchAttributes ?? {})).not.toContain('soumu');
    expect(Buffer.from(JSON.stringify(d.raw.workflowExecutionInfo?.searchAttributes ?? {})).toString()).not.toContain(CONTACT.name);
    const log = apiLog.join('');
    for (const pii of [CONTACT.name, CONTACT.email, CONTACT.phone]) expect(log).not.toContain(pii);
  });

  it('puts a consultation waiting for an acknowledgement in the work queue with its due time', async () => {
    const { consultationId, ackDueAt } = (await openOne()) as { consultationId: string; ackDueAt: string };
    let item: Json = undefined;
    for (let i = 0; i < 60 && !item; i++) {
      const res = await handler()('GET', '/v1/work');
      expect(res.status, res.text).toBe(200);
      item = (res.json as unknown as Json[]).find((x) => x.consultationId === consultationId);
      if (!item) await new Promise((r) => setTimeout(r, 250));
    }
    expect(item).toMatchObject({ task: 'consultation_ack', dueAt: ackDueAt, overdue: false, escalated: false, href: `/v1/consultations/${consultationId}` });
    const ack = await handler()('POST', `/v1/consultations/${consultationId}/actions/acknowledge`, {});
    expect(ack.status, ack.text).toBe(200);
    let gone = false;
    for (let i = 0; i < 60 && !gone; i++) {
      const res = await as(stack, 'supervisor')('GET', '/v1/work');
      gone = !(res.json as unknown as Json[]).some((x) => x.consultationId === consultationId);
      if (!gone) await new Promise((r) => setTimeout(r, 250));
    }
    expect(gone).toBe(true);
  });
});

describe('commands', () => {
  it('acknowledge, advise, refuse what the state does not allow, and convert into a case aware from the time given', { timeout: 60_000 }, async () => {
    const awareAt = new Date(Date.now() - 30 * HOUR).toISOString().replace(/\.\d{3}Z$/, '.000Z');
    const { consultationId } = (await openOne({ awareAt })) as { consultationId: string };
    const act = (who: ReturnType<typeof as>, action: string, b: unknown, headers: Record<string, string> = {}) =>
      who('POST', `/v1/consultations/${consultationId}/actions/${action}`, b, headers);

    expect((await act(insured(), 'acknowledge', {})).status).toBe(403);
    const early = await act(handler(), 'advise', { text: 'ログを保全してください' }, { 'accept-language': 'ja' });
    expect([early.status, early.json.code]).toEqual([409, 'wrong_state']);
    expect(early.json.detail).toBe('相談はまだ受付確認されていません。先に受付確認してください');
    const ack = await act(handler(), 'acknowledge', {});
    expect(ack.status, ack.text).toBe(200);
    expect(ack.json).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'handler' });
    const twice = await act(as(stack, 'supervisor'), 'acknowledge', {});
    expect([twice.status, twice.json.code]).toEqual([409, 'nothing_to_do']);
    expect((await act(handler(), 'advise', { text: '' })).status).toBe(400);
    expect((await act(handler(), 'advise', { text: 'x'.repeat(CONSULTATION_LIMITS.maxAdviceChars + 1) })).json.errors).toEqual([
      expect.objectContaining({ path: '/text' }),
    ]);
    const advised = await act(handler(), 'advise', { text: 'ログを保全し、影響範囲を確認してください。' });
    expect(advised.status, advised.text).toBe(200);
    expect(advised.json).toMatchObject({ status: 'advised', advice: [expect.objectContaining({ by: 'handler' })] });

    const report = { ...reportBody(policyNumber), discoveredAt: undefined, occurredAt: new Date(Date.parse(awareAt) - DAY).toISOString() };
    const wrongPolicy = await act(handler(), 'convert', { ...report, policyNumber: 'PL-OTHER-1' });
    expect([wrongPolicy.status, wrongPolicy.json.code]).toEqual([422, 'consultation_mismatch']);
    expect((wrongPolicy.json.errors as { path: string }[])[0]!.path).toBe('/policyNumber');
    const badReport = await act(handler(), 'convert', { ...report, affectedPersons: -1 });
    expect(badReport.status).toBe(400);
    expect((badReport.json.errors as { path: string }[]).map((e) => e.path)).toContain('/affectedPersons');

    const converted = await act(handler(), 'convert', report);
    expect(converted.status, converted.text).toBe(201);
    const caseId = converted.json.caseId as string;
    expect(converted.headers.get('location')).toBe(`/v1/cases/${caseId}`);
    const preliminary = (converted.json.obligations as Json[]).find((o) => o.regime === 'JP-APPI' && o.kind === 'preliminary');
    expect(preliminary?.dueAt).toBe(new Date(Date.parse(awareAt) + 5 * DAY).toISOString());
    // The case, read back: aware from the consultation's awareness, not from the conversion.
    const read = await handler()('GET', `/v1/cases/${caseId}`);
    expect(read.status).toBe(200);
    expect((read.json.obligations as Json[]).find((o) => o.regime === 'JP-APPI' && o.kind === 'preliminary')?.dueAt).toBe(preliminary?.dueAt);
    // The insured sees its new case.
    expect((await insured()('GET', `/v1/cases/${caseId}`)).status).toBe(200);

    const after = await handler()('GET', `/v1/consultations/${consultationId}`);
    expect(after.json).toMatchObject({ status: 'converted', caseId, convertedBy: 'handler' });
    // Repeated: the same case, not a second one.
    const again = await act(handler(), 'convert', report);
    expect([again.status, again.json.caseId]).toEqual([200, caseId]);
    const closed = await act(handler(), 'close', { reason: 'late' });
    expect([closed.status, closed.json.code]).toEqual([409, 'wrong_state']);
  });

  it('closes a consultation with a reason; it takes nothing afterwards', async () => {
    const { consultationId } = (await openOne()) as { consultationId: string };
    const close = await as(stack, 'supervisor')('POST', `/v1/consultations/${consultationId}/actions/close`, { reason: '漏洩の事実なし。助言のみで解決。' });
    expect(close.status, close.text).toBe(200);
    expect(close.json).toMatchObject({ status: 'closed', closeReason: '漏洩の事実なし。助言のみで解決。', acknowledgedBy: 'supervisor' });
    const ack = await handler()('POST', `/v1/consultations/${consultationId}/actions/acknowledge`, {});
    expect([ack.status, ack.json.code]).toEqual([409, 'wrong_state']);
    const closedList = await listed(insured(), '?status=closed', (ids) => ids.includes(consultationId));
    expect(closedList.map((x) => x.consultationId as string)).toContain(consultationId);
  });
});
