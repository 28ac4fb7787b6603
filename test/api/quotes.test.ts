/**
 * `POST /v1/quotes`, `GET /v1/quotes/{quoteId}` and the prevention records behind them, on the real app over a real
 * file blob store (Temporal is not involved: quotes and prevention records never touch a case).
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import type { ApiDeps } from '../../api/deps.js';
import { computeQuote } from '../../domain/index.js';
import { createFileBlobStore } from '../../storage/blob-store.js';
import { readSealedJson, selfAssessmentKey, trainingKey } from '../../storage/insured-records.js';
import { bearer, FakeTemporal, fakeDeps, KEYS } from './fake-temporal.js';

let app: Express;
let deps: ApiDeps;
let blobDir: string;
const body = {
  industry: 'retail_ecommerce',
  employees: 120,
  annualRevenueJpy: 3_000_000_000,
  recordSets: [{ label: '会員', dataItems: ['name', 'address', 'email', 'credit_card'], persons: 50_000 }],
  measures: { encryptionAtRest: true, mfa: false, edr: false, staffTraining: true, accessReviews: false },
};
const NOW = new Date('2026-12-01T03:00:00Z');

beforeAll(async () => {
  blobDir = await mkdtemp(join(tmpdir(), 'bc-quotes-test-'));
  deps = await fakeDeps(new FakeTemporal(), { now: () => NOW, blobStore: createFileBlobStore(blobDir) });
  app = buildApp(deps);
});

const post = (key: string, path: string, b: unknown, headers: Record<string, string> = {}) =>
  request(app).post(path).set(bearer(key)).set(headers).send(b as object);
const get = (key: string, path: string) => request(app).get(path).set(bearer(key));

describe('POST /v1/quotes', () => {
  it('answers the pure function’s quote, kept and readable again by its owner', async () => {
    const res = await post(KEYS.insured1, '/v1/quotes', body);
    expect(res.status, res.text).toBe(201);
    expect(res.headers['location']).toBe(`/v1/quotes/${res.body.quoteId}`);
    const { measures, ...rest } = body;
    const want = computeQuote({ ...(rest as unknown as Parameters<typeof computeQuote>[0]), measures });
    expect(res.body).toMatchObject({ insuredId: 'ins-001', plans: want.plans, scenarios: want.scenarios, sizing: want.sizing });
    expect(res.body.measureSources).toMatchObject({ mfa: 'request', staffTraining: 'request' });
    expect(res.body.preventionRecommendations.map((r: { measure: string }) => r.measure)).toEqual(['mfa', 'edr', 'accessReviews']);
    expect(res.body.createdBy).toBeUndefined();
    const again = await get(KEYS.insured1, `/v1/quotes/${res.body.quoteId}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    // The insurer's people find it by id; another insured cannot tell it from a missing quote.
    expect((await get(KEYS.handler, `/v1/quotes/${res.body.quoteId}`)).status).toBe(200);
    const foreign = await get(KEYS.insured2, `/v1/quotes/${res.body.quoteId}`);
    const missing = await get(KEYS.insured2, `/v1/quotes/Q${'0'.repeat(24)}`);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'not_found']);
    expect(foreign.body.detail).toBe(missing.body.detail.replace('0'.repeat(24), res.body.quoteId.slice(1)));
  });

  it('keeps quotes sealed under the owner’s tenant', async () => {
    const res = await post(KEYS.insured1, '/v1/quotes', body);
    const roots = await findFiles(blobDir, `${res.body.quoteId}.json.enc`);
    expect(roots.length).toBeGreaterThan(0);
    const raw = await readFile(roots[0]!);
    expect(raw.toString('latin1')).not.toContain('retail_ecommerce');
    expect(roots[0]).toMatch(/insureds\/i[0-9a-f]{32}\/quotes\//);
  });

  it('a retry with the same Idempotency-Key answers the same quote', async () => {
    const a = await post(KEYS.insured1, '/v1/quotes', body, { 'Idempotency-Key': 'quote-retry-1' });
    const b = await post(KEYS.insured1, '/v1/quotes', body, { 'Idempotency-Key': 'quote-retry-1' });
    expect(a.status).toBe(201);
    expect(b.body.quoteId).toBe(a.body.quoteId);
    expect(b.body.createdAt).toBe(a.body.createdAt);
    const other = await post(KEYS.insured1, '/v1/quotes', { ...body, employees: 121 }, { 'Idempotency-Key': 'quote-retry-1' });
    expect([other.status, other.body.code]).toEqual([409, 'idempotency_conflict']);
  });

  it('an insured may not quote for another insured; the insurer’s people may', async () => {
    const res = await post(KEYS.insured1, '/v1/quotes', { ...body, insuredId: 'ins-002' });
    expect([res.status, res.body.code]).toEqual([404, 'not_found']);
    const handler = await post(KEYS.handler, '/v1/quotes', { ...body, insuredId: 'ins-002' });
    expect(handler.status).toBe(201);
    expect(handler.body.insuredId).toBe('ins-002');
    expect((await get(KEYS.insured2, `/v1/quotes/${handler.body.quoteId}`)).status).toBe(200);
    expect((await get(KEYS.insured1, `/v1/quotes/${handler.body.quoteId}`)).status).toBe(404);
    expect((await post(KEYS.ops, '/v1/quotes', body)).status).toBe(403);
    expect((await post(KEYS.supervisor, '/v1/quotes', body)).status).toBe(403);
  });

  const bad: [string, unknown, string][] = [
    ['an unknown data item', { ...body, recordSets: [{ dataItems: ['shoe_size'], persons: 1 }] }, '/recordSets/0/dataItems/0'],
    ['a negative count', { ...body, employees: -1 }, '/employees'],
    ['persons beyond the bound', { ...body, recordSets: [{ dataItems: ['name'], persons: 1e9 }] }, '/recordSets/0/persons'],
    ['revenue beyond the bound', { ...body, annualRevenueJpy: 1e17 }, '/annualRevenueJpy'],
    ['a label with a control character', { ...body, recordSets: [{ label: 'a\u0007b', dataItems: ['name'], persons: 1 }] }, '/recordSets/0/label'],
    ['an unknown field', { ...body, premiumJpy: 1 }, '/premiumJpy'],
    ['a measure that is not a boolean', { ...body, measures: { mfa: 'yes' } }, '/measures/mfa'],
  ];
  for (const [name, b, pointer] of bad) {
    it(`refuses ${name} with problem+json naming ${pointer}`, async () => {
      const res = await post(KEYS.insured1, '/v1/quotes', b).set('Accept-Language', 'ja');
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('validation');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(pointer);
      expect(res.headers['content-language']).toBe('ja');
    });
  }

  it('refuses a quote id that is not one, and an unknown one', async () => {
    expect((await get(KEYS.handler, '/v1/quotes/nope')).status).toBe(400);
    expect((await get(KEYS.handler, `/v1/quotes/Q${'a'.repeat(24)}`)).status).toBe(404);
  });
});

describe('training records and the self-assessment', () => {
  it('fill the measures a quote leaves open, and say so', async () => {
    const noMeasures = { ...body, measures: { edr: true } };
    const before = await post(KEYS.insured2, '/v1/quotes', noMeasures);
    expect(before.body.measures).toEqual({ encryptionAtRest: false, mfa: false, edr: true, staffTraining: false, accessReviews: false });
    expect(before.body.measureSources).toMatchObject({ mfa: 'not_stated', edr: 'request' });

    const sa = await post(KEYS.insured2, '/v1/insureds/ins-002/self-assessment', {
      answers: { encryptionAtRest: true, mfa: true, edr: false, staffTraining: false, accessReviews: false },
      notes: '年1回見直し',
    });
    expect(sa.status, sa.text).toBe(201);
    expect(sa.body).toMatchObject({ version: 1, answeredBy: 'insured-ins-002', answeredAt: NOW.toISOString() });
    const tr = await post(KEYS.insured2, '/v1/insureds/ins-002/training', { person: '佐藤 花子', course: '標的型メール訓練', completedAt: '2026-10-01T00:00:00+09:00' });
    expect(tr.status, tr.text).toBe(201);
    expect(tr.body).toMatchObject({ person: '佐藤 花子', completedAt: '2026-09-30T15:00:00.000Z', recordedBy: 'insured-ins-002' });

    const after = await post(KEYS.insured2, '/v1/quotes', noMeasures);
    expect(after.body.measures).toEqual({ encryptionAtRest: true, mfa: true, edr: true, staffTraining: true, accessReviews: false });
    expect(after.body.measureSources).toEqual({
      encryptionAtRest: 'self_assessment',
      mfa: 'self_assessment',
      edr: 'request',
      staffTraining: 'training_records',
      accessReviews: 'self_assessment',
    });
    expect(after.body.preventionRecommendations.map((r: { measure: string }) => r.measure)).toEqual(['accessReviews']);

    const list = await get(KEYS.handler, '/v1/insureds/ins-002/training');
    expect(list.body.records).toHaveLength(1);
    const read = await get(KEYS.insured2, '/v1/insureds/ins-002/self-assessment');
    expect(read.body.assessment).toMatchObject({ version: 1, answers: { mfa: true } });
    const again = await post(KEYS.handler, '/v1/insureds/ins-002/self-assessment', { answers: { ...sa.body.answers, accessReviews: true } });
    expect(again.body.version).toBe(2);
  });

  it('are sealed at rest', async () => {
    const store = { store: deps.blobStore, keyring: deps.keyring };
    expect(await readSealedJson(store, trainingKey('ins-002'))).toMatchObject({ records: [{ person: '佐藤 花子' }] });
    const files = await findFiles(blobDir, 'training.json.enc');
    expect(files).toHaveLength(1);
    const raw = await Promise.all(files.map((f) => readFile(f)));
    for (const r of raw) expect(r.toString('utf8')).not.toContain('佐藤');
    expect(await readSealedJson(store, selfAssessmentKey('ins-001'))).toBeUndefined();
  });

  it('keep insureds apart', async () => {
    for (const path of ['/v1/insureds/ins-002/training', '/v1/insureds/ins-002/self-assessment']) {
      const res = await get(KEYS.insured1, path);
      expect([res.status, res.body.code], path).toEqual([404, 'not_found']);
    }
    const w = await post(KEYS.insured1, '/v1/insureds/ins-002/training', { person: 'x', course: 'y', completedAt: '2026-01-01T00:00:00Z' });
    expect(w.status).toBe(404);
    expect((await get(KEYS.ops, '/v1/insureds/ins-002/training')).status).toBe(403);
    expect((await post(KEYS.supervisor, '/v1/insureds/ins-002/training', { person: 'x', course: 'y', completedAt: '2026-01-01T00:00:00Z' })).status).toBe(403);
    expect((await get(KEYS.insured1, '/v1/insureds/ins-001/self-assessment')).body).toEqual({ insuredId: 'ins-001', assessment: null });
  });

  const badTraining: [string, unknown, string][] = [
    ['a course in the future', { person: 'a', course: 'b', completedAt: '2027-06-01T00:00:00Z' }, '/completedAt'],
    ['a blank name', { person: '   ', course: 'b', completedAt: '2026-01-01T00:00:00Z' }, '/person'],
    ['a name with a line break', { person: 'a\nb', course: 'b', completedAt: '2026-01-01T00:00:00Z' }, '/person'],
    ['a course title too long', { person: 'a', course: 'c'.repeat(201), completedAt: '2026-01-01T00:00:00Z' }, '/course'],
    ['a date that is not one', { person: 'a', course: 'b', completedAt: 'yesterday' }, '/completedAt'],
    ['an unknown field', { person: 'a', course: 'b', completedAt: '2026-01-01T00:00:00Z', score: 90 }, '/score'],
  ];
  for (const [name, b, pointer] of badTraining) {
    it(`refuses a training record with ${name}`, async () => {
      const res = await post(KEYS.insured1, '/v1/insureds/ins-001/training', b);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(pointer);
    });
  }
  it('refuses a self-assessment missing an answer', async () => {
    const res = await post(KEYS.insured1, '/v1/insureds/ins-001/self-assessment', { answers: { mfa: true } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('/answers/encryptionAtRest');
  });
  it('a retried training record is added once', async () => {
    const rec = { person: '鈴木 一郎', course: '個人情報の取扱い', completedAt: '2026-11-01T00:00:00Z' };
    const a = await post(KEYS.insured1, '/v1/insureds/ins-001/training', rec, { 'Idempotency-Key': 'tr-1' });
    const b = await post(KEYS.insured1, '/v1/insureds/ins-001/training', rec, { 'Idempotency-Key': 'tr-1' });
    expect(b.body.recordId).toBe(a.body.recordId);
    const c = await post(KEYS.insured1, '/v1/insureds/ins-001/training', { ...rec, course: 'another' }, { 'Idempotency-Key': 'tr-1' });
    expect([c.status, c.body.code]).toEqual([409, 'idempotency_conflict']);
    expect((await get(KEYS.insured1, '/v1/insureds/ins-001/training')).body.records).toHaveLength(1);
  });
});

async function findFiles(root: string, name: string, depth = 0): Promise<string[]> {
  if (depth > 8) return [];
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(root, e.name);
    if (e.isFile() && e.name === name) out.push(p);
    else if (e.isDirectory()) out.push(...(await findFiles(p, name, depth + 1)));
  }
  return out;
}
