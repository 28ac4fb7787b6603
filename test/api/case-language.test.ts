/**
 * One case read in Japanese and in English: the view's recorded texts (severity reasons, coverage explanations and
 * facts, obligation explanations, settlement steps) and the timeline's summaries follow Accept-Language, named by
 * Content-Language, under ETags that differ per language; English is the record, byte for byte.
 */
import type { Express } from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { assessCoverage, computeObligations, computeSettlement, computeSeverity, emptyLedger } from '../../domain/index.js';
import type { TimelineEntry } from '../../workflows/contract.js';
import { AWARE, baseFacts, samplePolicy } from '../domain/fixtures.js';
import { hasJapanese, strayLatinWords } from '../support/language-scan.js';
import { FakeTemporal, KEYS, bearer, fakeDeps } from './fake-temporal.js';

const coverage = assessCoverage(samplePolicy(), { discoveredAt: AWARE, occurredAt: null, circumstances: {} });
const settlement = computeSettlement({
  policy: samplePolicy(),
  consents: [],
  items: [
    { lineId: 'L1', category: 'forensic_investigation', amountJpy: 300_000, evidenceRef: 'INV-1' },
    { lineId: 'L2', category: 'apology_payment', amountJpy: 50_000, evidenceRef: 'INV-2', persons: 100 },
  ],
  paid: { incident: emptyLedger(), period: emptyLedger() },
});
const VIEW = {
  severityReasons: computeSeverity({ affectedPersons: 1_200, dataItems: ['name', 'health_checkup'], cause: 'misdelivery', encrypted: false }).reasons,
  coverage: {
    decision: coverage.decision,
    reasons: coverage.reasons,
    explanations: coverage.explanations,
    facts: Object.entries(coverage.facts).map(([k, v]) => `${k}: ${v}`),
    grounds: coverage.grounds,
  },
  obligations: computeObligations(baseFacts({ affectedPersons: 1_200, dataItems: ['name', 'health_checkup'] })),
  settlement: { lines: settlement.lines, payableJpy: settlement.payableJpy, heldJpy: settlement.heldJpy },
  counselAdvice: [{ at: AWARE, vendorId: 'counsel-a', advice: 'Notify the PPC within five days.' }],
};
const TIMELINE: TimelineEntry[] = [
  { at: AWARE, type: 'status', actor: 'insured-ins-001', summary: 'reported → triage: incident reported' },
  { at: AWARE, type: 'assessment', actor: 'system', summary: 'triage: severity high, coverage provisional, 3 obligations' },
  { at: AWARE, type: 'vendor', actor: 'system', summary: 'counsel Sandbox Law Office A (counsel-a) dispatched' },
  { at: AWARE, type: 'assign', actor: 'handler', summary: 'assigned to handler' },
];

let fake: FakeTemporal;
let app: Express;

beforeEach(async () => {
  fake = new FakeTemporal();
  app = buildApp(await fakeDeps(fake));
  fake.addCase('C901', 'ins-001', VIEW);
  fake.workflows.get('case-C901')!.timeline = TIMELINE;
});

/** Every recorded text of a view, in the order the desk shows them. */
const textsOf = (v: typeof VIEW) => [
  ...v.severityReasons,
  ...v.coverage.explanations,
  ...v.coverage.facts,
  ...v.obligations.map((o) => o.explanation),
  ...v.settlement.lines.flatMap((l) => l.steps.map((s) => s.explanation)),
];

describe('a case in the reader’s language', () => {
  it('answers the view in Japanese with Accept-Language: ja, in English as recorded otherwise', async () => {
    const get = (lang?: string) => {
      const r = request(app).get('/v1/cases/C901').set(bearer(KEYS.handler));
      return lang === undefined ? r : r.set('Accept-Language', lang);
    };
    const [ja, en, none] = [await get('ja-JP,ja;q=0.9,en;q=0.8'), await get('en-US'), await get()];
    for (const r of [ja, en, none]) {
      expect(r.status).toBe(200);
      expect(r.headers.vary).toMatch(/Accept-Language/);
    }
    expect(ja.headers['content-language']).toBe('ja');
    expect(en.headers['content-language']).toBe('en');
    expect(none.headers['content-language']).toBe('en');

    // English: the record itself, and the ETag English readers always had.
    expect(textsOf(en.body as typeof VIEW)).toEqual(textsOf(VIEW));
    expect(none.body).toEqual(en.body);
    expect(en.headers.etag).toBe('"C901.v1"');
    expect(ja.headers.etag).toBe('"C901.v1.ja"');

    // Japanese: every text worded, nothing English left, the codes and figures the same.
    const jaTexts = textsOf(ja.body as typeof VIEW);
    expect(jaTexts).toHaveLength(textsOf(VIEW).length);
    expect(jaTexts.length).toBeGreaterThan(15);
    for (const t of jaTexts) {
      expect(hasJapanese(t), t).toBe(true);
      expect(strayLatinWords(t, { words: ['EP', 'breach', 'claims'], values: ['INV-1', 'INV-2'] }), t).toEqual([]);
    }
    const body = ja.body as typeof VIEW;
    expect(body.coverage.reasons).toEqual(VIEW.coverage.reasons);
    expect(body.obligations.map((o) => [o.id, o.dueAt, o.status])).toEqual(VIEW.obligations.map((o) => [o.id, o.dueAt, o.status]));
    expect(body.settlement.lines.map((l) => l.steps.map((s) => [s.step, s.beforeJpy, s.afterJpy]))).toEqual(
      VIEW.settlement.lines.map((l) => l.steps.map((s) => [s.step, s.beforeJpy, s.afterJpy])),
    );
    // Vendor free text stays as the vendor sent it.
    expect(body.counselAdvice).toEqual(VIEW.counselAdvice);

    // Each language's ETag answers 304 in its own language only.
    expect((await get('ja').set('If-None-Match', ja.headers.etag!)).status).toBe(304);
    expect((await get('en').set('If-None-Match', ja.headers.etag!)).status).toBe(200);
    expect((await get('ja').set('If-None-Match', en.headers.etag!)).status).toBe(200);
    // An insured's shape in Japanese is yet another body.
    const insured = await request(app).get('/v1/cases/C901').set(bearer(KEYS.insured1)).set('Accept-Language', 'ja');
    expect(insured.headers.etag).toBe('"C901.v1.insured.ja"');
  });

  it('answers the timeline in the reader’s language, under an ETag per language', async () => {
    const get = (lang: string) => request(app).get('/v1/cases/C901/timeline').set(bearer(KEYS.handler)).set('Accept-Language', lang);
    const [ja, en] = [await get('ja'), await get('en')];
    expect(en.body).toEqual(TIMELINE);
    expect(en.headers['content-language']).toBe('en');
    expect(ja.headers['content-language']).toBe('ja');
    expect(ja.headers.vary).toMatch(/Accept-Language/);
    expect((ja.body as TimelineEntry[]).map((e) => e.summary)).toEqual([
      '状況 受付 → 初期評価：事故の報告',
      '初期評価：重大度「高」、補償「暫定」、義務3件',
      '弁護士を Sandbox Law Office A（counsel-a）に依頼',
      'handler に割当',
    ]);
    expect((ja.body as TimelineEntry[]).map((e) => [e.at, e.type, e.actor])).toEqual(TIMELINE.map((e) => [e.at, e.type, e.actor]));
    expect(ja.headers.etag).not.toBe(en.headers.etag);
    expect((await get('ja').set('If-None-Match', ja.headers.etag!)).status).toBe(304);
    expect((await get('en').set('If-None-Match', ja.headers.etag!)).status).toBe(200);
  });
});
