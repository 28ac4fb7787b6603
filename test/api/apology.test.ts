/**
 * Apology codes on the real stack: a campaign with an apology sends each person a code by SMTP; the codes taken
 * from the received notices are checked and redeemed through the API, once.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApologyCode, verifyApologyCode } from '../../lib/apology-codes.js';
import { redactApologyCodeInUrl } from '../../api/apology.js';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { until } from '../support/wait.js';
import { approveNotice } from '../support/notice-approval.js';

const CODE_LINE = /^((?:[A-HJ-NP-Z2-9]{4}-){4}[A-HJ-NP-Z2-9]{4})$/m;
const PERSONS = ['alice', 'bob', 'carol', 'dave', 'erin'];

let stack: Stack;
let caseId: string;
let secret: Buffer;
/** Each person's code, as their notice carried it. */
const codes = new Map<string, string>();


beforeAll(async () => {
  stack = await startStack();
  secret = Buffer.from((JSON.parse(await readFile(join(stack.dataDir, 'keys.json'), 'utf8')) as { apologyCodeSecret: string }).apologyCodeSecret, 'base64');
  const insured = as(stack, 'insured-ins-001');
  const handler = as(stack, 'handler');
  const policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
  const created = await insured('POST', '/v1/cases', reportBody(policyNumber, { affectedPersons: PERSONS.length }));
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  caseId = created.json.caseId;

  const csv = ['name,email,postal_address,language', ...PERSONS.map((p, i) => `${p},${p}@example.jp,,${i % 2 ? 'en' : 'ja'}`)].join('\n');
  expect((await insured('PUT', `/v1/cases/${caseId}/affected-persons`, csv, { 'content-type': 'text/csv' })).status).toBe(200);
  expect((await handler('POST', `/v1/cases/${caseId}/actions/consent`, { category: 'apology_payment' })).status).toBe(200);
  expect((await approveNotice(handler, caseId)).status).toBe(200);
  const done = await until(
    () => handler('GET', `/v1/cases/${caseId}`),
    (r) => r.json.notifications.status === 'done',
    60_000,
  );
  expect(done.json.notifications).toMatchObject({ total: PERSONS.length, sent: PERSONS.length });
  for (const m of stack.smtp.messages) {
    const to = m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined;
    const code = m.text?.match(CODE_LINE)?.[1];
    if (to && code) codes.set(to.split('@')[0]!, code);
  }
  expect([...codes.keys()].sort()).toEqual([...PERSONS].sort());
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const redeem = (who: string, code: string, headers: Record<string, string> = {}) =>
  as(stack, who)('POST', `/v1/cases/${caseId}/apology-codes/redeem`, { code }, headers);
const check = (who: string, code: string) => as(stack, who)('GET', `/v1/cases/${caseId}/apology-codes/${encodeURIComponent(code)}`);

describe('apology codes through the API', () => {
  it('every notice carries its own code, which the lib verifies for this case with the API’s secret', () => {
    expect(new Set(codes.values()).size).toBe(PERSONS.length);
    const indexes = [...codes.values()].map((c) => {
      const v = verifyApologyCode(secret, caseId, c);
      expect(v.valid, c).toBe(true);
      return v.valid ? v.index : -1;
    });
    expect(indexes.sort()).toEqual([0, 1, 2, 3, 4]);
    // The first person of the list (campaign 1, index 0) has the code the lib makes for that place.
    expect([...codes.values()]).toContain(makeApologyCode(secret, caseId, 1, 0));
  });

  it('redeems once: 200, then 409 already_redeemed with the first time, whoever asks and however it is spelt', async () => {
    const code = codes.get('alice')!;
    expect((await check('ops', code)).json).toEqual({ valid: true, redeemed: false });

    const first = await redeem('insured-ins-001', code);
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json).toEqual({ redeemed: true, redeemedAt: expect.any(String) });

    for (const [who, spelling] of [
      ['insured-ins-001', code],
      ['handler', code.toLowerCase()],
      ['supervisor', code.replace(/-/g, ' ')],
    ] as const) {
      const again = await redeem(who, spelling);
      expect(again.status, `${who} ${spelling}`).toBe(409);
      expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(again.json).toMatchObject({ code: 'already_redeemed', status: 409, redeemedAt: first.json.redeemedAt });
    }
    expect((await check('handler', code)).json).toEqual({ valid: true, redeemed: true, redeemedAt: first.json.redeemedAt });
    expect((await check('insured-ins-001', code.toLowerCase())).json).toMatchObject({ redeemed: true });
    // Another person's code is untouched.
    expect((await check('handler', codes.get('bob')!)).json).toEqual({ valid: true, redeemed: false });
  });

  it('of 20 concurrent redemptions of one fresh code exactly one succeeds', async () => {
    const code = codes.get('carol')!;
    const who = ['handler', 'supervisor', 'insured-ins-001'];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => redeem(who[i % who.length]!, code)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const winner = results.find((r) => r.status === 200)!.json.redeemedAt;
    for (const r of results.filter((x) => x.status === 409)) expect(r.json.redeemedAt).toBe(winner);
  });

  it('a retry with the same Idempotency-Key gets its own 200 again; another key gets the 409', async () => {
    const code = codes.get('dave')!;
    const key = uniqueId('idem');
    const first = await redeem('handler', code, { 'idempotency-key': key });
    expect(first.status).toBe(200);
    const retry = await redeem('handler', code, { 'idempotency-key': key });
    expect([retry.status, retry.json]).toEqual([200, first.json]);
    expect((await redeem('supervisor', code, { 'idempotency-key': key })).status).toBe(409);
    expect((await redeem('handler', code, { 'idempotency-key': uniqueId('idem') })).status).toBe(409);
  });

  it('refuses forged, other cases’ and malformed codes, and changes nothing', async () => {
    const real = codes.get('erin')!;
    const forged = real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A');
    const r1 = await redeem('handler', forged);
    expect(r1.status).toBe(422);
    expect(r1.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r1.json.code).toBe('apology_code_invalid');
    // Made with the right secret, for another case.
    const otherCase = makeApologyCode(secret, 'C01JSOMEOTHERCASE000000001', 1, 4);
    expect((await redeem('handler', otherCase)).status).toBe(422);
    // Not shaped like a code, or not a valid body.
    const malformed = await redeem('handler', 'HELLO-WORLD');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ code: 'validation', errors: [{ path: '/code', code: 'invalid_format' }] });
    expect((await as(stack, 'handler')('POST', `/v1/cases/${caseId}/apology-codes/redeem`, { code: real, extra: 1 })).status).toBe(400);
    expect((await as(stack, 'handler')('POST', `/v1/cases/${caseId}/apology-codes/redeem`, {})).status).toBe(400);

    expect((await check('handler', forged)).json).toEqual({ valid: false, redeemed: false });
    expect((await check('handler', 'HELLO')).json).toEqual({ valid: false, redeemed: false });
    // The real code is still good after all that.
    expect((await check('handler', real)).json).toEqual({ valid: true, redeemed: false });
  });

  it('ops may check but not redeem (403); another insured sees no case (404); no key is a 401', async () => {
    const code = codes.get('erin')!;
    const ops = await redeem('ops', code);
    expect([ops.status, ops.json.code]).toEqual([403, 'forbidden']);
    expect((await check('ops', code)).status).toBe(200);

    const other = await redeem('insured-ins-002', code);
    expect([other.status, other.json.code]).toEqual([404, 'not_found']);
    expect((await check('insured-ins-002', code)).status).toBe(404);
    // Nor for a case that does not exist at all.
    expect((await as(stack, 'handler')('POST', `/v1/cases/C${'Z'.repeat(25)}/apology-codes/redeem`, { code })).status).toBe(404);

    const anonymous = await fetch(`${stack.url}/v1/cases/${caseId}/apology-codes/redeem`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    expect(anonymous.status).toBe(401);
    // None of these spent the code.
    expect((await redeem('supervisor', code)).status).toBe(200);
  });

  it('is in /openapi.json with its roles, and access logs do not keep the code', async () => {
    const doc = (await (await fetch(`${stack.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { 'x-roles': string[] }>> };
    expect(doc.paths['/v1/cases/{caseId}/apology-codes/redeem']!['post']!['x-roles']).toEqual(['handler', 'supervisor', 'insured']);
    expect(doc.paths['/v1/cases/{caseId}/apology-codes/{code}']!['get']!['x-roles']).toEqual(['handler', 'supervisor', 'ops', 'insured']);
    expect(redactApologyCodeInUrl('/v1/cases/C1/apology-codes/ABCD-EFGH?x=1')).toBe('/v1/cases/C1/apology-codes/[redacted]?x=1');
    expect(redactApologyCodeInUrl('/v1/cases/C1/apology-codes/redeem')).toBe('/v1/cases/C1/apology-codes/redeem');
  });
});
