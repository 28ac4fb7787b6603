/**
 * Follow-up waves, returned letters and 公表 on the real stack: a second list uploaded after notices went out becomes
 * wave 2, de-duplicated at upload against wave 1; the print vendor (the sandbox) reports returned letters by signed
 * webhook, which makes persons unreachable and the case ask for substitute measures; `record-announcement` with an
 * enquiry desk meets them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { until } from '../support/wait.js';
import type { Json } from '../support/json.js';
import { approveNotice } from '../support/notice-approval.js';

let stack: Stack;
let caseId: string;
const HEADER = 'name,email,postal_address,language';
const FIRST = [
  '山田 太郎,taro@example.jp,,ja',
  '佐藤 花子,hanako@example.jp,,ja',
  'John Smith,john@example.com,,en',
  '鈴木 一郎,,東京都港区芝公園4-2-8,ja',
  '高橋 次郎,,大阪府大阪市北区1-1-1,ja',
];
// Two of the first wave again (an address written otherwise, a name with a space the first list did not have), and two new.
const SECOND = ['山田 太郎,TARO@example.jp,,ja', '鈴木一郎,,東京都港区芝公園４－２－８,ja', '田中 三郎,saburo@example.jp,,ja', '伊藤 四郎,,福岡県福岡市中央区2-2-2,ja'];

const csv = (rows: string[]) => [HEADER, ...rows].join('\n');
const insured = () => as(stack, 'insured-ins-001');
const handler = () => as(stack, 'handler');
const read = () => handler()('GET', `/v1/cases/${caseId}`);

beforeAll(async () => {
  stack = await startStack();
  const policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
  const created = await insured()('POST', '/v1/cases', reportBody(policyNumber, { affectedPersons: 7 }));
  expect(created.status, created.text).toBe(201);
  caseId = created.json.caseId;
  await until(read, (r) => r.json?.status === 'response', 30_000, 'the case in response');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('notification waves through the API', () => {
  it('notifies the first list, then a second list as wave 2 without the persons of wave 1', async () => {
    const first = await insured()('PUT', `/v1/cases/${caseId}/affected-persons`, csv(FIRST), { 'content-type': 'text/csv' });
    expect(first.status, first.text).toBe(200);
    expect(first.json.ref).toMatchObject({ accepted: 5, withoutEmail: 2 });
    expect(first.json.ref.duplicatesRemoved).toBeUndefined();
    expect((await approveNotice(handler(), caseId)).status).toBe(200);
    const done = await until(read, (r) => r.json.notifications.status === 'done', 60_000, 'wave 1 notified');
    expect(done.json.notifications.waves).toEqual([expect.objectContaining({ wave: 1, total: 5, sent: 3, letters: 2, duplicatesRemoved: 0, status: 'done' })]);

    const second = await insured()('PUT', `/v1/cases/${caseId}/affected-persons`, csv(SECOND), { 'content-type': 'text/csv' });
    expect(second.status, second.text).toBe(200);
    expect(second.json.ref).toMatchObject({ accepted: 2, duplicatesRemoved: 2, duplicates: 0, rejected: 0 });
    expect(second.json.case.notifications.waves).toHaveLength(2);
    const both = await until(read, (r) => r.json.notifications.status === 'done' && r.json.notifications.waves?.[1]?.status === 'done', 60_000, 'wave 2 notified');
    expect(both.json.notifications).toMatchObject({ total: 7, sent: 4, letters: 3, failed: 0, unreachable: 0, status: 'done' });
    expect(both.json.notifications.waves[1]).toMatchObject({ wave: 2, total: 2, sent: 1, letters: 1, duplicatesRemoved: 2 });
    const persons = (both.json.obligations as Json[]).filter((o: Json) => o.audience === 'persons');
    expect(persons.length).toBeGreaterThan(0);
    expect(persons.every((o: Json) => o.status === 'done')).toBe(true);
    // The notices went to the new persons only: wave 2's one e-mail is Saburo's.
    const to = stack.smtp.messages.flatMap((m) => (m.to && !Array.isArray(m.to) ? m.to.value.map((a) => a.address) : []));
    expect(to.filter((a) => a === 'taro@example.jp')).toHaveLength(1);
    expect(to.filter((a) => a === 'saburo@example.jp')).toHaveLength(1);
    // An insured reads the same waves, in Japanese, with the wave's words on the timeline.
    const timeline = await insured()('GET', `/v1/cases/${caseId}/timeline`, undefined, { 'accept-language': 'ja' });
    expect(timeline.text).toContain('第2次の対象者リストを添付：2人（以前の通知対象と重複2人');
  });

  it('counts letters the print vendor returns as unreachable and asks for substitute measures until an announcement and a desk are recorded', async () => {
    const batch = stack.sandbox.letters().find((b) => b.caseId === caseId && b.batchId.startsWith(`${caseId}-1-`));
    expect(batch, 'wave 1 sent letters').toBeDefined();
    const res = await fetch(`${stack.sandbox.url}/_control/letters/${batch!.vendorId}/${batch!.batchId}/returned`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1 }),
    });
    expect(res.status).toBe(202);
    const unreachable = await until(read, (r) => r.json.notifications.unreachable === 1, 30_000, 'the returned letter counted');
    expect(unreachable.json.notifications.waves[0]).toMatchObject({ wave: 1, lettersReturned: 1 });
    expect(unreachable.json.substituteMeasures).toMatchObject({ status: 'pending', unreachable: 1, missing: ['announcement', 'enquiry_desk'] });

    const path = `/v1/cases/${caseId}/actions/record-announcement`;
    const now = new Date().toISOString();
    expect((await as(stack, 'ops')('POST', path, { publishedAt: now, channel: 'website' })).status).toBe(403);
    expect((await as(stack, 'supervisor')('POST', path, { publishedAt: now, channel: 'website' })).status).toBe(403);
    expect((await as(stack, 'insured-ins-002')('POST', path, { publishedAt: now, channel: 'website' })).status).toBe(404);
    for (const bad of [
      { publishedAt: now, channel: 'billboard' },
      { publishedAt: now, channel: 'website', url: 'javascript:alert(1)' },
      { publishedAt: now, channel: 'website', enquiryDesk: { phone: '0120\n000', hours: '24h' } },
      { publishedAt: now, channel: 'website', extra: true },
    ]) {
      const r = await insured()('POST', path, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    const future = await insured()('POST', path, { publishedAt: new Date(Date.now() + 86_400_000).toISOString(), channel: 'website' });
    expect(future.status).toBe(422);

    const announced = await insured()('POST', path, { publishedAt: now, channel: 'website', url: 'https://example.jp/oshirase' });
    expect(announced.status, announced.text).toBe(200);
    expect(announced.json.substituteMeasures).toMatchObject({ status: 'pending', missing: ['enquiry_desk'] });
    const desk = await handler()('POST', path, { publishedAt: now, channel: 'press', enquiryDesk: { phone: '0120-000-000', hours: '平日 9:00-18:00' } });
    expect(desk.status, desk.text).toBe(200);
    expect((desk.json.announcements as { channel: string }[]).map((a) => a.channel)).toEqual(['website', 'press']);
    expect(desk.json.enquiryDesk).toMatchObject({ phone: '0120-000-000', hours: '平日 9:00-18:00' });
    expect(desk.json.substituteMeasures).toMatchObject({ status: 'done', missing: [] });
    const forInsured = await insured()('GET', `/v1/cases/${caseId}`);
    expect(forInsured.json.substituteMeasures).toMatchObject({ status: 'done' });
    const timeline = await insured()('GET', `/v1/cases/${caseId}/timeline`, undefined, { 'accept-language': 'en' });
    expect(timeline.text).toContain('1 letters returned undelivered');
    expect(timeline.text).toContain('substitute measures in place: announcement and enquiry desk recorded');
  });
});
