/**
 * The notice to persons with counsel in the loop, on the real stack: previewed per language, edited with If-Match,
 * approved by counsel through its webhook (the sandbox counsel) and by a handler on counsel's behalf, and sent as
 * approved: the e-mails that arrive at the SMTP sink carry the edited sentences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { until } from '../support/wait.js';
import { dataItemWords } from '../../domain/index.js';

let stack: Stack;
let caseId: string;
const PERSONS = ['nina', 'omar', 'pia', 'quin'];
const insured = () => as(stack, 'insured-ins-001');
const handler = () => as(stack, 'handler');
const preview = (lang: string, who = handler()) => who('GET', `/v1/cases/${caseId}/notice-preview?lang=${lang}`);
const patch = (lang: string, body: unknown, headers: Record<string, string>, who = insured()) => who('PATCH', `/v1/cases/${caseId}/notice-draft?lang=${lang}`, body, headers);

const DATA_ITEMS = ['name', 'email', 'credit_card'];
const SENTENCE_JA = '当社は外部の専門機関とともに原因を調査し、全端末の暗号化を進めています。';
const SENTENCE_EN = 'We are working with outside experts and are encrypting every laptop we use.';

beforeAll(async () => {
  stack = await startStack();
  const policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
  // A card number leaked: financial risk, so the APPI report and the notice to persons are due (and their filings).
  const created = await insured()('POST', '/v1/cases', reportBody(policyNumber, { affectedPersons: PERSONS.length, dataItems: DATA_ITEMS }));
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  caseId = created.json.caseId;
  const csv = ['name,email,postal_address,language', ...PERSONS.map((p, i) => `${p},${p}-${caseId}@example.jp,,${i % 2 ? 'en' : 'ja'}`)].join('\n');
  expect((await insured()('PUT', `/v1/cases/${caseId}/affected-persons`, csv, { 'content-type': 'text/csv' })).status).toBe(200);
  await until(() => preview('en'), (r) => r.status === 200, 30_000, 'notice drafts');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('notice drafts through the API', () => {
  it('previews what a person receives in each language, with an ETag per version; an insured sees only its own', async () => {
    for (const lang of ['ja', 'en']) {
      const r = await preview(lang);
      expect(r.status).toBe(200);
      expect(r.headers.get('etag')).toBe(`"v${r.json.version}"`);
      expect(r.json).toMatchObject({ language: lang, parts: { subject: { source: 'case' }, dataItems: { source: 'case' } } });
      expect(r.json.text).toContain(r.json.parts.whatYouCanDo.value);
      expect(r.json.html).toContain('<!DOCTYPE html>');
      expect(r.json.html).not.toMatch(/<script|<img|<link/i);
    }
    expect((await preview('ja')).json.parts.subject.value).toContain('【重要】');
    expect((await preview('en')).json.parts.dataItems.value).toBe(dataItemWords(DATA_ITEMS, 'en'));
    expect((await preview('ja')).json.parts.whatYouCanDo.value).toContain('不正利用');
    expect((await preview('ja', insured())).status).toBe(200);
    expect((await preview('ja', as(stack, 'insured-ins-002'))).status).toBe(404);
    expect((await preview('fr')).status).toBe(400);
    const etag = (await preview('ja')).headers.get('etag')!;
    expect((await handler()('GET', `/v1/cases/${caseId}/notice-preview?lang=ja`, undefined, { 'if-none-match': etag })).status).toBe(304);
  });

  it('edits need If-Match (428 without, 412 stale), plain text within the limits, an editor role and the own case', async () => {
    const before = await preview('ja');
    const etag = before.headers.get('etag')!;
    const body = { parts: { whatWeAreDoing: SENTENCE_JA } };
    expect((await patch('ja', body, {})).status).toBe(428);
    expect((await patch('ja', body, { 'if-match': `"v${before.json.version + 5}"` })).status).toBe(412);
    const html = await patch('ja', { parts: { whatWeAreDoing: '<script>alert(1)</script>' } }, { 'if-match': etag });
    expect(html.status).toBe(400);
    expect(JSON.stringify(html.json)).toContain('/parts/whatWeAreDoing');
    expect((await patch('ja', { parts: { subject: 'x'.repeat(201) } }, { 'if-match': etag })).status).toBe(400);
    expect((await patch('ja', { parts: { signature: 'x' } }, { 'if-match': etag })).status).toBe(400);
    expect((await patch('ja', body, { 'if-match': etag }, as(stack, 'ops'))).status).toBe(403);
    expect((await patch('ja', body, { 'if-match': etag }, as(stack, 'insured-ins-002'))).status).toBe(404);

    const edited = await patch('ja', body, { 'if-match': etag, 'idempotency-key': `edit-${caseId}` });
    expect(edited.status, JSON.stringify(edited.json)).toBe(200);
    expect(edited.json.version).toBeGreaterThan(before.json.version as number);
    expect(edited.headers.get('etag')).toBe(`"v${edited.json.version}"`);
    expect(edited.json.parts.whatWeAreDoing).toMatchObject({ value: SENTENCE_JA, source: 'edited' });
    expect(edited.json.text).toContain(SENTENCE_JA);
    // The case view keeps the hash, never the text.
    const view = await handler()('GET', `/v1/cases/${caseId}`);
    expect(JSON.stringify(view.json)).not.toContain(SENTENCE_JA);
    expect(view.json.noticeDrafts.find((d: { language: string }) => d.language === 'ja').edited.whatWeAreDoing.chars).toBe([...SENTENCE_JA].length);
    // The old ETag is stale now.
    expect((await patch('ja', { parts: { opening: 'x' } }, { 'if-match': etag })).status).toBe(412);
  });

  it('refuses approve-notice until counsel approved the language’s current version, in Japanese and English', async () => {
    const ja = await handler()('POST', `/v1/cases/${caseId}/actions/approve-notice`, { language: 'ja' }, { 'accept-language': 'ja' });
    expect(ja.status).toBe(409);
    expect(ja.json.code).toBe('notice_draft_not_approved');
    expect(ja.json.title).toBe('通知文が弁護士に承認されていません');
    const en = await handler()('POST', `/v1/cases/${caseId}/actions/approve-notice`, { language: 'ja' });
    expect(en.json.title).toBe('Notice not approved by counsel');
    const stale = await handler()('POST', `/v1/cases/${caseId}/actions/approve-notice-draft`, { language: 'ja', version: 999 });
    expect(stale.status).toBe(412);
    expect((await as(stack, 'insured-ins-001')('POST', `/v1/cases/${caseId}/actions/approve-notice-draft`, { language: 'ja', version: 1 })).status).toBe(403);
  });

  it('counsel approves through its webhook; a handler approves the English on counsel’s behalf; the persons get exactly those texts', async () => {
    // Counsel (the sandbox's counsel vendor on this case) approves the Japanese version it read.
    const view = await until(
      () => handler()('GET', `/v1/cases/${caseId}`),
      (r) => r.json.vendors?.some((e: { role: string }) => e.role === 'counsel'),
      30_000,
    );
    const counsel = view.json.vendors.find((e: { role: string }) => e.role === 'counsel');
    const jaVersion = (await preview('ja')).json.version;
    const sent = await fetch(`${stack.sandbox.url}/_control/counsel/${counsel.vendorId}/${counsel.dispatchId}/notice-approved`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'ja', version: jaVersion }),
    });
    expect(sent.status).toBe(202);
    const approvedJa = await until(() => preview('ja'), (r) => r.json.approved?.version === jaVersion, 30_000, 'counsel approval');
    expect(approvedJa.json.approved.by).toBe(`vendor:${counsel.vendorId}`);

    // The English: edited by the handler, approved by the handler on counsel's behalf.
    const en = await preview('en');
    const editedEn = await patch('en', { parts: { whatWeAreDoing: SENTENCE_EN } }, { 'if-match': en.headers.get('etag')! }, handler());
    expect(editedEn.status).toBe(200);
    const byHandler = await handler()('POST', `/v1/cases/${caseId}/actions/approve-notice-draft`, { language: 'en', version: editedEn.json.version, onBehalfOf: 'Sandbox Counsel' });
    expect(byHandler.status, JSON.stringify(byHandler.json)).toBe(200);
    expect((await preview('en')).json.approved).toMatchObject({ version: editedEn.json.version, by: 'handler', onBehalfOf: 'Sandbox Counsel' });

    // The persons-notice filing follows the approved Japanese notice (a filing edit of an item would stay over it).
    const filing = await until(
      () => handler()('GET', `/v1/cases/${caseId}/filings/JP-APPI.persons.notice`),
      (r) => r.json?.items?.overview?.value === approvedJa.json.parts.whatHappened.value,
      30_000,
      'persons notice filing follows the notice',
    );
    expect(filing.json.items.enquiryDesk.value).toBe(approvedJa.json.parts.enquiryDesk.value);
    expect(filing.json.items.secondaryDamage.value).toBe(approvedJa.json.parts.whatYouCanDo.value);

    const approved = await handler()('POST', `/v1/cases/${caseId}/actions/approve-notice`, { language: 'ja' });
    expect(approved.status, JSON.stringify(approved.json)).toBe(200);
    expect(approved.json.notice.documents.map((d: { language: string }) => d.language).sort()).toEqual(['en', 'ja']);
    await until(() => handler()('GET', `/v1/cases/${caseId}`), (r) => r.json.notifications.status === 'done', 60_000, 'notices sent');

    const mine = stack.smtp.messages.filter((m) => {
      const to = m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined;
      return to?.toLowerCase().endsWith(`-${caseId.toLowerCase()}@example.jp`);
    });
    expect(mine).toHaveLength(PERSONS.length);
    for (const m of mine) {
      const to = (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : '')!;
      const english = PERSONS.indexOf(to.split('-')[0]!) % 2 === 1;
      expect(m.text, to).toContain(english ? SENTENCE_EN : SENTENCE_JA);
      expect(m.html || '', to).toContain(english ? SENTENCE_EN : SENTENCE_JA);
      expect(m.subject).toBe(english ? en.json.parts.subject.value : approvedJa.json.parts.subject.value);
    }
    // Once sent, the draft no longer changes.
    const late = await patch('ja', { parts: { opening: 'x' } }, { 'if-match': `"v${jaVersion}"` });
    expect(late.status).toBe(409);
  });

  it('documents its routes and every status they answer in the OpenAPI document', async () => {
    const doc = (await handler()('GET', '/openapi.json')).json as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/v1/cases/{caseId}/notice-preview']!.get!.responses)).toEqual(expect.arrayContaining(['200', '304', '400', '404']));
    expect(Object.keys(doc.paths['/v1/cases/{caseId}/notice-draft']!.patch!.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '404', '409', '412', '428']));
    expect(Object.keys(doc.paths['/v1/cases/{caseId}/actions/approve-notice-draft']!.post!.responses)).toEqual(expect.arrayContaining(['200', '403', '409', '412']));
  });
});
