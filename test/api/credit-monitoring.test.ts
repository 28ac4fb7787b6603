/**
 * Credit monitoring on the real stack: a card-data case's notices carry an enrolment code per person (by SMTP); the
 * codes taken from the received notices enrol through the API, once each; the case counts them and a
 * `credit_monitoring` cost line cites the count as its evidence.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApologyCode } from '../../lib/apology-codes.js';
import { makeEnrolmentCode, verifyEnrolmentCode } from '../../lib/enrolment-codes.js';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { until } from '../support/wait.js';
import { approveNotice, approveNoticeDraft } from '../support/notice-approval.js';

const CODE_LINE = /^((?:[A-HJ-NP-Z2-9]{4}-){4}[A-HJ-NP-Z2-9]{4})$/m;
const PERSONS = ['alice', 'bob', 'carol'];

let stack: Stack;
let caseId: string;
let plainCaseId: string;
let secret: Buffer;
const codes = new Map<string, string>();

const categories = {
  ...policyBody().categories,
  credit_monitoring: { limitJpy: 3_000_000, payoutRatio: 1.0, consentRequired: false },
};

beforeAll(async () => {
  stack = await startStack();
  secret = Buffer.from((JSON.parse(await readFile(join(stack.dataDir, 'keys.json'), 'utf8')) as { apologyCodeSecret: string }).apologyCodeSecret, 'base64');
  const insured = as(stack, 'insured-ins-001');
  const handler = as(stack, 'handler');
  const policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody({ categories }))).status).toBe(201);
  const created = await insured('POST', '/v1/cases', reportBody(policyNumber, { affectedPersons: PERSONS.length, dataItems: ['name', 'email', 'credit_card'], residency: { JP: PERSONS.length } }));
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  caseId = created.json.caseId;
  const plain = await insured('POST', '/v1/cases', reportBody(policyNumber, { affectedPersons: 2, dataItems: ['name', 'email'], residency: { JP: 2 } }));
  plainCaseId = plain.json.caseId;

  const csv = ['name,email,postal_address,language', ...PERSONS.map((p, i) => `${p},${p}@example.jp,,${i % 2 ? 'en' : 'ja'}`)].join('\n');
  expect((await insured('PUT', `/v1/cases/${caseId}/affected-persons`, csv, { 'content-type': 'text/csv' })).status).toBe(200);
  // Counsel approves the notice in both languages (each person gets the text of its own), then the handler sends it.
  await approveNoticeDraft(handler, caseId, 'en');
  expect((await approveNotice(handler, caseId, 'ja')).status).toBe(200);
  await until(
    () => handler('GET', `/v1/cases/${caseId}`),
    (r) => r.json.notifications.status === 'done',
    60_000,
  );
  for (const m of stack.smtp.messages) {
    const to = m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined;
    const code = m.text?.match(CODE_LINE)?.[1];
    if (to && code && PERSONS.includes(to.split('@')[0]!)) codes.set(to.split('@')[0]!, code);
  }
  expect([...codes.keys()].sort()).toEqual([...PERSONS].sort());
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const enrol = (who: string, code: string, headers: Record<string, string> = {}, target = caseId) =>
  as(stack, who)('POST', `/v1/cases/${target}/credit-monitoring/enrolments`, { code }, headers);

describe('credit-monitoring enrolments through the API', () => {
  it('every notice offers credit monitoring with its own enrolment code (in Japanese and English)', () => {
    expect(new Set(codes.values()).size).toBe(PERSONS.length);
    for (const c of codes.values()) expect(verifyEnrolmentCode(secret, caseId, c)).toMatchObject({ valid: true, campaignNo: 1 });
    const texts = stack.smtp.messages.filter((m) => m.text && CODE_LINE.test(m.text)).map((m) => m.text!);
    expect(texts.some((t) => t.includes('クレジットモニタリング'))).toBe(true);
    expect(texts.some((t) => t.includes('credit monitoring'))).toBe(true);
  });

  it('enrols once: 201, then 409 already_enrolled with the first time; a retry with its Idempotency-Key gets its answer', async () => {
    const code = codes.get('alice')!;
    const first = await enrol('handler', code, { 'idempotency-key': 'enrol-alice-1' });
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    expect(first.json).toEqual({ enrolled: true, enrolledAt: expect.any(String), enrolments: 1 });
    const again = await enrol('supervisor', code.toLowerCase().replace(/-/g, ' '));
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ code: 'already_enrolled', enrolledAt: first.json.enrolledAt });
    const retried = await enrol('handler', code, { 'idempotency-key': 'enrol-alice-1' });
    expect(retried.status).toBe(200);
    expect(retried.json).toEqual({ enrolled: true, enrolledAt: first.json.enrolledAt, enrolments: 1 });
  });

  it('refuses the insured (its claim is what the count evidences), an apology code, a mistyped code and a case that offers none', async () => {
    expect((await enrol('insured-ins-001', codes.get('bob')!)).status).toBe(403);
    const apology = await enrol('handler', makeApologyCode(secret, caseId, 1, 1));
    expect(apology.status).toBe(422);
    expect(apology.json.code).toBe('enrolment_code_invalid');
    expect((await enrol('handler', 'not a code')).status).toBe(400);
    const otherCampaign = await enrol('handler', makeEnrolmentCode(secret, caseId, 2, 0));
    expect(otherCampaign.status).toBe(422);
    const none = await enrol('handler', makeEnrolmentCode(secret, plainCaseId, 1, 0), {}, plainCaseId);
    expect(none.status).toBe(409);
    expect(none.json.code).toBe('credit_monitoring_not_offered');
  });

  it('the case counts the enrolments and cites them as the evidence of the credit_monitoring line', async () => {
    const bob = await enrol('handler', codes.get('bob')!);
    expect(bob.status, JSON.stringify(bob.json)).toBe(201);
    expect(bob.json.enrolments).toBe(2);
    const insured = as(stack, 'insured-ins-001');
    const submitted = await insured('POST', `/v1/cases/${caseId}/actions/submit-costs`, {
      items: [{ category: 'credit_monitoring', amountJpy: 60_000, evidenceRef: 'cm-invoice-7' }],
    });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(200);
    const line = submitted.json.settlement.lines.find((l: { category: string }) => l.category === 'credit_monitoring');
    expect(line).toMatchObject({ status: 'payable', payableJpy: 60_000, evidenceRef: 'cm-invoice-7; 2 credit-monitoring enrolments counted on the case' });
    // The insured reads the count on its own case.
    expect(submitted.json.services.creditMonitoring).toMatchObject({ offered: true, enrolled: 2, items: ['credit_card'], campaigns: [1] });
  });
});
