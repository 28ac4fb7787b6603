/**
 * The handler's desk through the real API and a real worker: notes (internal ones never reach an insured), documents
 * (typed by content, sealed at rest, nothing left behind by a refused or broken upload, tenant isolation), evidence
 * that names a document, the policy's usage, and a reopen of a case whose run has ended.
 */
import { readdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CASE_SETTINGS } from '../../workflows/contract.js';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { until } from '../support/wait.js';

const MAX = 64 * 1024;
let stack: Stack;
let caseId: string;
let policyNumber: string;
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n', 'latin1'), Buffer.alloc(2000, 0x20), Buffer.from('\n%%EOF\n')]);

beforeAll(async () => {
  // A closed or denied case rests for a millisecond only here: its run ends at once, as a case from before resting would.
  stack = await startStack({ env: { DOCUMENT_MAX_BYTES: String(MAX) }, caseSettings: { ...DEFAULT_CASE_SETTINGS, reopenRetentionMs: 1 } });
  policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
  const created = await as(stack, 'insured-ins-001')('POST', '/v1/cases', reportBody(policyNumber));
  expect(created.status, created.text).toBe(201);
  caseId = created.json.caseId;
  await until(() => as(stack, 'handler')('GET', `/v1/cases/${caseId}`), (r) => r.json?.status === 'response', 30_000);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const documentFiles = async (id: string) => readdir(join(stack.dataDir, 'blobs', 'cases', id, 'documents')).catch(() => [] as string[]);

function upload(who: string, body: Buffer, headers: Record<string, string> = {}) {
  return fetch(`${stack.url}/v1/cases/${caseId}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.keys[who]}`, 'content-type': 'application/pdf', 'x-file-name': encodeURIComponent('請求書 2026-12.pdf'), ...headers },
    body: new Uint8Array(body),
  });
}

describe('notes', () => {
  it('keeps internal notes from the insured, in the notes and on the timeline', async () => {
    const handler = as(stack, 'handler');
    const insured = as(stack, 'insured-ins-001');
    const internal = await handler('POST', `/v1/cases/${caseId}/notes`, { text: '内部メモ：再保険者に報告予定', visibility: 'internal' });
    expect(internal.status, internal.text).toBe(201);
    expect(internal.json).toMatchObject({ noteId: 'N1', visibility: 'internal', by: 'handler' });
    const shared = await insured('POST', `/v1/cases/${caseId}/notes`, { text: 'The forensic invoice follows.', visibility: 'shared' });
    expect(shared.status, shared.text).toBe(201);

    expect((await insured('POST', `/v1/cases/${caseId}/notes`, { text: 'x', visibility: 'internal' })).status).toBe(403);
    expect((await as(stack, 'ops')('POST', `/v1/cases/${caseId}/notes`, { text: 'x', visibility: 'shared' })).status).toBe(403);
    expect((await as(stack, 'insured-ins-002')('POST', `/v1/cases/${caseId}/notes`, { text: 'x', visibility: 'shared' })).status).toBe(404);
    expect((await as(stack, 'insured-ins-002')('GET', `/v1/cases/${caseId}/notes`)).status).toBe(404);
    const tooLong = await handler('POST', `/v1/cases/${caseId}/notes`, { text: 'あ'.repeat(2001), visibility: 'shared' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.headers.get('content-type')).toContain('application/problem+json');

    const forHandler = await handler('GET', `/v1/cases/${caseId}/notes`);
    expect(forHandler.json.notes.map((n: { noteId: string }) => n.noteId)).toEqual(['N1', 'N2']);
    const forInsured = await insured('GET', `/v1/cases/${caseId}/notes`);
    expect(forInsured.json.notes.map((n: { noteId: string }) => n.noteId)).toEqual(['N2']);
    const timeline = await insured('GET', `/v1/cases/${caseId}/timeline`);
    expect(timeline.text).not.toContain('内部メモ');
    expect(timeline.text).not.toContain('N1');
    expect(timeline.text).toContain('shared note N2');
    expect((await insured('GET', `/v1/cases/${caseId}`)).text).not.toContain('内部メモ');
  });

  it('answers a repeated Idempotency-Key with the note it made, and a key reused for other words with a 409', async () => {
    const handler = as(stack, 'handler');
    const key = { 'idempotency-key': uniqueId('note-key') };
    const first = await handler('POST', `/v1/cases/${caseId}/notes`, { text: '同じキーのメモ', visibility: 'internal' }, key);
    expect(first.status, first.text).toBe(201);
    const again = await handler('POST', `/v1/cases/${caseId}/notes`, { text: '同じキーのメモ', visibility: 'internal' }, key);
    expect(again.status, again.text).toBe(201);
    expect(again.json.noteId).toBe(first.json.noteId);
    const other = await handler('POST', `/v1/cases/${caseId}/notes`, { text: '別の内容', visibility: 'internal' }, key);
    expect(other.status, other.text).toBe(409);
    expect(other.json).toMatchObject({ code: 'idempotency_conflict' });
    const notes = await handler('GET', `/v1/cases/${caseId}/notes`);
    expect(notes.json.notes.filter((n: { text: string }) => n.text === '別の内容')).toEqual([]);
  });
});

describe('who may upload comes before what the body is', () => {
  it('a JSON-typed document without a key is a 401, and an undeclared method with a broken JSON body a 405', async () => {
    const path = `${stack.url}/v1/cases/${caseId}/documents`;
    const anonymous = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '""' });
    expect(anonymous.status).toBe(401);
    const broken = await fetch(path, { method: 'PATCH', headers: { authorization: `Bearer ${stack.keys.handler}`, 'content-type': 'application/json' }, body: '{"x": ' });
    expect(broken.status).toBe(405);
    const anonymousCase = await fetch(`${stack.url}/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x": ' });
    expect(anonymousCase.status).toBe(401);
    const knownCase = await fetch(`${stack.url}/v1/cases`, { method: 'POST', headers: { authorization: `Bearer ${stack.keys.handler}`, 'content-type': 'application/json' }, body: '{"x": ' });
    expect(knownCase.status).toBe(400);
    expect(((await knownCase.json()) as { code: string }).code).toBe('malformed_json');
    // A document may be JSON: it reaches the upload unread and is judged by its content.
    const json = await fetch(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.keys.handler}`, 'content-type': 'application/json', 'x-file-name': 'data.json' },
      body: '{"not": "a document type we keep"}',
    });
    expect(json.status).toBe(415);
  });
});

describe('documents', () => {
  let documentId: string;

  it('stores a document typed by its content, sealed, and lists and serves it to those who may see the case', async () => {
    const res = await upload('insured-ins-001', PDF, { 'content-type': 'application/octet-stream' });
    const ref = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(ref)).toBe(201);
    expect(ref).toMatchObject({ name: '請求書 2026-12.pdf', contentType: 'application/pdf', size: PDF.length, by: 'insured-ins-001' });
    documentId = ref.documentId as string;
    expect(res.headers.get('location')).toBe(`/v1/cases/${caseId}/documents/${documentId}`);
    const files = await documentFiles(caseId);
    expect(files).toHaveLength(1);
    const sealed = await readFile(join(stack.dataDir, 'blobs', 'cases', caseId, 'documents', files[0]!));
    expect(sealed.includes(Buffer.from('%PDF'))).toBe(false);

    const list = await as(stack, 'ops')('GET', `/v1/cases/${caseId}/documents`);
    expect(list.json.documents).toEqual([expect.objectContaining({ documentId, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    const down = await fetch(`${stack.url}/v1/cases/${caseId}/documents/${documentId}`, { headers: { authorization: `Bearer ${stack.keys['handler']}` } });
    expect(down.status).toBe(200);
    expect(down.headers.get('content-type')).toBe('application/pdf');
    expect(down.headers.get('content-disposition')).toContain(encodeURIComponent('請求書 2026-12.pdf'));
    expect(Buffer.from(await down.arrayBuffer()).equals(PDF)).toBe(true);

    const stranger = as(stack, 'insured-ins-002');
    expect((await stranger('GET', `/v1/cases/${caseId}/documents`)).status).toBe(404);
    expect((await stranger('GET', `/v1/cases/${caseId}/documents/${documentId}`)).status).toBe(404);
    expect((await upload('insured-ins-002', PDF)).status).toBe(404);
    expect((await as(stack, 'handler')('GET', `/v1/cases/${caseId}/documents/D${'0'.repeat(24)}`)).status).toBe(404);
    expect((await as(stack, 'handler')('GET', `/v1/cases/${caseId}/documents/not-a-document-id`)).status).toBe(400);
  });

  it('refuses a type by content, a body over the limit and an upload cut off, leaving nothing behind', async () => {
    const before = await documentFiles(caseId);
    const exe = await upload('handler', Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(500)]), { 'content-type': 'application/pdf' });
    expect(exe.status).toBe(415);
    expect(exe.headers.get('content-type')).toContain('application/problem+json');
    const text = await upload('handler', Buffer.from('just text, named like a PDF'));
    expect(text.status).toBe(415);
    const big = await upload('handler', Buffer.concat([PDF, Buffer.alloc(MAX)]));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe('payload_too_large');
    // Chunked, so no Content-Length gives it away: the limit is counted on the stream.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${stack.url}/v1/cases/${caseId}/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.keys['handler']}`, 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' },
      });
      req.on('response', (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(PDF);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(8 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);
    // Cut off half way: Content-Length promises more than comes, then the connection goes.
    await new Promise<void>((resolve) => {
      const req = request(`${stack.url}/v1/cases/${caseId}/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.keys['handler']}`, 'content-type': 'application/pdf', 'content-length': String(MAX - 1) },
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(PDF, () => setTimeout(() => req.destroy(), 300));
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await documentFiles(caseId)).toEqual(before);
    expect((await as(stack, 'handler')('GET', `/v1/cases/${caseId}/documents`)).json.documents).toHaveLength(1);
  });

  it('takes an evidenceRef that names a document of the case, and refuses one that looks like a document but is none', async () => {
    const insured = as(stack, 'insured-ins-001');
    const missing = await insured('POST', `/v1/cases/${caseId}/actions/submit-costs`, {
      items: [{ category: 'forensic_investigation', amountJpy: 50_000, evidenceRef: `D${'1'.repeat(24)}` }],
    });
    expect(missing.status).toBe(422);
    expect(missing.json.code).toBe('invalid');
    const ok = await insured('POST', `/v1/cases/${caseId}/actions/submit-costs`, {
      items: [{ category: 'forensic_investigation', amountJpy: 50_000, evidenceRef: documentId }],
    });
    expect(ok.status, ok.text).toBe(200);
  });
});

describe('money made visible', () => {
  it('answers the policy with its usage, and the case view with its reserve history for the insurer only', async () => {
    const policy = await as(stack, 'handler')('GET', `/v1/policies/${policyNumber}`);
    expect(policy.status).toBe(200);
    const body = policyBody() as { liability: { periodLimitJpy: number }; responseCosts: { periodLimitJpy: number } };
    expect(policy.json.usage).toMatchObject({
      liability: { paidJpy: 0, remainingJpy: body.liability.periodLimitJpy },
      responseCosts: { paidJpy: 0, remainingJpy: body.responseCosts.periodLimitJpy },
    });
    expect(Object.keys(policy.json.usage.categories as Record<string, unknown>).length).toBeGreaterThan(0);
    const view = await as(stack, 'handler')('GET', `/v1/cases/${caseId}`);
    expect(view.json.reserve.history[0]).toMatchObject({ why: 'triage', actor: 'system', totalJpy: expect.any(Number) });
    const insuredView = await as(stack, 'insured-ins-001')('GET', `/v1/cases/${caseId}`);
    expect(insuredView.json.reserve).toBeUndefined();
  });
});

describe('reopen', () => {
  it('answers 409 not_reopenable for a denied case whose run has ended, in both languages', async () => {
    const circumstances = { naturalCatastrophe: true, warOrRiot: false, directedByInsuredOfficers: false, knownBeforeInception: false };
    const created = await as(stack, 'insured-ins-001')('POST', '/v1/cases', reportBody(policyNumber, { circumstances }));
    const denied = created.json.caseId as string;
    const supervisor = as(stack, 'supervisor');
    await until(() => supervisor('GET', `/v1/cases/${denied}`), (r) => r.json?.status === 'denied', 30_000);
    // The run has ended once an upload finds no running case (409), where a resting one would read the body (415).
    await until(
      () => supervisor('POST', `/v1/cases/${denied}/documents`, 'not a document', { 'content-type': 'text/plain' }),
      (r) => r.status === 409,
      30_000,
    );
    const en = await supervisor('POST', `/v1/cases/${denied}/actions/reopen`, { reason: 'new facts' });
    expect(en.status, en.text).toBe(409);
    expect(en.json.code).toBe('not_reopenable');
    const ja = await supervisor('POST', `/v1/cases/${denied}/actions/reopen`, { reason: 'new facts' }, { 'accept-language': 'ja' });
    expect(ja.json).toMatchObject({ code: 'not_reopenable', title: '事案を再開できません' });
    expect((await as(stack, 'handler')('POST', `/v1/cases/${denied}/actions/reopen`, { reason: 'x' })).status).toBe(403);
    expect((await as(stack, 'insured-ins-002')('POST', `/v1/cases/${denied}/actions/reopen`, { reason: 'x' })).status).toBe(403);
  });
});
