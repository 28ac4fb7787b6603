/**
 * Role-shaped views (security issue "Role-shaped views"): what an insured sees of its case leaves out the insurer's
 * internal figures (`exposure`, `reserve`), and every role gets exactly the top-level fields its row of the role
 * matrix (`CASE_VIEW_FIELDS` in api/view-for-role.ts) lists.
 *
 * 1. The matrix and the pure function, without a server.
 * 2. On the real product (startStack, as the access matrix): table-driven, every answer that carries a case view,
 *    for every role that may receive it: the read, the 201 of intake (computed first view and the workflow's own
 *    view of a case denied at intake), the idempotent 200, commands, the persons upload, a withdrawn case; an
 *    insured's answer holds no `exposure`/`reserve` key at any depth. ETags name the version and the shape.
 * 3. A closed case read from its workflow result (fake Temporal: a history that no longer replays), and the
 *    OpenAPI document's description of the matrix.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { firstView } from '../../api/first-view.js';
import {
  CASE_VIEW_FIELDS,
  CASE_VIEW_FIELD_AUDIENCE,
  INSURER_ONLY_FIELDS,
  INSURER_ONLY_TIMELINE_TYPES,
  timelineForRole,
  viewForRole,
  type CaseViewField,
} from '../../api/view-for-role.js';
import { ROLES, type Role } from '../../domain/vocabulary.js';
import type { CaseView, TimelineEntry } from '../../workflows/contract.js';
import { FakeTemporal, KEYS, bearer, fakeDeps } from '../api/fake-temporal.js';
import { caseInput, policyBody, policyRecord, reportBody, uniqueId } from '../support/fixtures.js';
import { as, startStack, type Stack } from '../support/stack.js';

/** The insurer's internal figures: every view has them, and only the insurer's people get them. */
const FIGURES = ['exposure', 'reserve'] as const;
const INTERNAL: readonly string[] = INSURER_ONLY_FIELDS;
/** Fields a view has only once the case ended. */
const WHEN_ENDED: readonly CaseViewField[] = ['closedAt', 'closeReason'];
/**
 * Fields a view has only once something happened: a vendor's findings held for confirmation, findings recorded
 * (`findingsLog`), the case's first task drafting its filings and its notice (`filings`, `noticeDrafts`) and starting
 * its services (`services`): none is in the first view the API computes.
 */
const WHEN_HELD: readonly CaseViewField[] = ['heldFindings', 'findingsLog', 'filings', 'noticeDrafts', 'services'];
/**
 * Fields a view has only once they were recorded: a 公表, an enquiry desk, the substitute-measure duty, a vendor asked
 * for and waiting for consent.
 */
const WHEN_RECORDED: readonly CaseViewField[] = ['announcements', 'enquiryDesk', 'substituteMeasures', 'vendorRequests'];
/** The read model's stamp: in every view read from it (the real stack's), not in a view computed or from an old result. */
const STAMP: readonly CaseViewField[] = ['version', 'updatedAt'];
const INSURER_ROLES = ['handler', 'supervisor', 'ops', 'admin'] as const satisfies readonly Role[];

/** Every path (a.b[0].c) at which an insurer-only field name appears as a key, at any depth. */
function internalKeyPaths(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => internalKeyPaths(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(INTERNAL.includes(k) ? [`${path}.${k}`] : []),
    ...internalKeyPaths(v, `${path}.${k}`),
  ]);
}

/**
 * The top-level fields `role` must get: its row of the matrix, less those the case does not have yet (the ended
 * ones unless it ended, those of held findings when `view` has none).
 */
function expectedFields(role: Role, ended: boolean, view: Record<string, unknown> = {}): string[] {
  return CASE_VIEW_FIELDS[role]
    .filter((f) => ended || !WHEN_ENDED.includes(f))
    .filter((f) => !WHEN_HELD.includes(f) || f in view)
    .filter((f) => !WHEN_RECORDED.includes(f) || f in view)
    .filter((f) => !STAMP.includes(f) || f in view)
    .sort();
}

/** Exactly the row of the matrix: no field beyond it, every field of it the case has. */
function expectShape(where: string, role: Role, body: unknown, ended = false): void {
  const view = body as Record<string, unknown>;
  expect(Object.keys(view).sort(), `${where} × ${role}`).toEqual(expectedFields(role, ended, view));
  if (role === 'insured') expect(internalKeyPaths(view), `${where} × insured`).toEqual([]);
  else for (const f of FIGURES) expect(view[f], `${where} × ${role}: ${f}`).toBeDefined();
}

const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

/** The ETag a read of the real stack must carry: the case's version, and the shape for an insured. */
function etagFor(role: Role, res: { text: string; json: unknown }): string {
  const view = res.json as { caseId: string; version?: unknown };
  expect(view.version, 'every reader gets the version').toEqual(expect.any(Number));
  return role === 'insured' ? `"${view.caseId}.v${String(view.version)}.insured"` : `"${view.caseId}.v${String(view.version)}"`;
}

// ---- 1. the matrix and the function ---------------------------------------------------------------------------------

describe('the role matrix', () => {
  const view = firstView(caseInput('CVIEW1', policyRecord('PL-VIEW-1')))!;

  it('has a row for every role, and the rows the contract asks for', () => {
    expect(Object.keys(CASE_VIEW_FIELDS).sort()).toEqual([...ROLES].sort());
    const all = Object.keys(CASE_VIEW_FIELD_AUDIENCE).sort();
    for (const role of INSURER_ROLES) expect([...CASE_VIEW_FIELDS[role]].sort(), role).toEqual(all);
    expect([...CASE_VIEW_FIELDS.insured].sort()).toEqual(all.filter((f) => !INTERNAL.includes(f)));
    expect(INSURER_ONLY_FIELDS).toEqual(expect.arrayContaining([...FIGURES]));
    expect(CASE_VIEW_FIELDS.insured).not.toContain('heldFindings');
    expect(CASE_VIEW_FIELDS.vendor).toEqual([]);
  });

  it('classifies every field a real view has (the first view of a case)', () => {
    expect(view).toBeDefined();
    const unclassified = Object.keys(view).filter((k) => !(k in CASE_VIEW_FIELD_AUDIENCE));
    expect(unclassified).toEqual([]);
  });

  it.each(ROLES.map((r) => [r]))('viewForRole(view, %s) holds exactly its row and changes nothing', (role) => {
    const before = JSON.stringify(view);
    const shaped = viewForRole(Object.freeze(view), role) as unknown as Record<string, unknown>;
    expect(JSON.stringify(view)).toBe(before);
    expect(Object.keys(shaped).sort()).toEqual(expectedFields(role, false));
    if (role !== 'insured' && role !== 'vendor') expect(shaped).toBe(view);
    if (role === 'insured') expect(internalKeyPaths(shaped)).toEqual([]);
  });

  it('sends an insured no field the matrix does not list (a newer worker’s), the insurer’s people all of them', () => {
    const newer = { ...view, reserveHistory: [{ totalJpy: 1 }], internalNotes: 'x' } as unknown as CaseView;
    expect(Object.keys(viewForRole(newer, 'insured'))).not.toContain('reserveHistory');
    expect(Object.keys(viewForRole(newer, 'insured'))).not.toContain('internalNotes');
    expect(viewForRole(newer, 'handler')).toBe(newer);
  });

  it('timelineForRole keeps internal entry types from an insured', () => {
    const timeline: TimelineEntry[] = [
      { at: '2026-01-01T00:00:00Z', type: 'assessment', actor: 'system', summary: 'severity high' },
      ...INSURER_ONLY_TIMELINE_TYPES.map((type) => ({ at: '2026-01-01T00:00:01Z', type, actor: 'system', summary: `${type} 1,000,000 JPY` })),
    ];
    expect(timelineForRole(timeline, 'insured').map((e) => e.type)).toEqual(['assessment']);
    expect(timelineForRole(timeline, 'handler')).toEqual(timeline);
  });
});

// ---- 2. every answer that carries a case view, on the real product ------------------------------------------------

type Who = 'admin' | 'ops' | 'handler' | 'supervisor' | 'insured-ins-001';
const READERS: [Who, Role][] = [
  ['admin', 'admin'],
  ['ops', 'ops'],
  ['handler', 'handler'],
  ['supervisor', 'supervisor'],
  ['insured-ins-001', 'insured'],
];
const FILERS: [Who, Role][] = [
  ['handler', 'handler'],
  ['insured-ins-001', 'insured'],
];

describe('on the real product', () => {
  let stack: Stack;
  let policyNumber: string;
  /** Filed by the insured; every reader reads it, commands run on it. */
  let caseId: string;
  const CSV = 'name,email,postal_address,language\n佐藤 花子,hanako@example.jp,,ja\n山田 太郎,taro@example.jp,,ja\n';

  async function file(who: Who, overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    return as(stack, who)('POST', '/v1/cases', reportBody(policyNumber, overrides), headers);
  }

  beforeAll(async () => {
    stack = await startStack();
    policyNumber = uniqueId('PL');
    expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
    const created = await file('insured-ins-001');
    expect(created.status).toBe(201);
    caseId = created.json.caseId as string;
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  describe('POST /v1/cases', () => {
    it.each(FILERS)('201 to %s: the computed first view, shaped', async (who, role) => {
      const res = await file(who);
      expect(res.status).toBe(201);
      expectShape('POST /v1/cases 201', role, res.json);
      if (role === 'insured') expect(res.text).not.toMatch(/"(exposure|reserve)"\s*:/);
      expect(res.headers.get('etag')).toBe(etagFor(role, res));
    });

    it.each(FILERS)('201 to %s: the workflow’s own view of a case denied at intake, shaped', async (who, role) => {
      const res = await file(who, {
        circumstances: { naturalCatastrophe: false, warOrRiot: true, directedByInsuredOfficers: false, knownBeforeInception: false },
      });
      expect(res.status).toBe(201);
      expect(res.json.coverage.decision).toBe('denied');
      expectShape('POST /v1/cases 201 (denied)', role, res.json);
    });

    it.each(FILERS)('200 to %s for a repeated Idempotency-Key, shaped', async (who, role) => {
      const key = uniqueId('idem');
      const body = reportBody(policyNumber);
      const first = await as(stack, who)('POST', '/v1/cases', body, { 'idempotency-key': key });
      const again = await as(stack, who)('POST', '/v1/cases', body, { 'idempotency-key': key });
      expect([first.status, again.status]).toEqual([201, 200]);
      expectShape('POST /v1/cases 200 (replay)', role, again.json);
    });
  });

  describe('GET /v1/cases/{caseId}', () => {
    it.each(READERS)('%s gets exactly its row of the matrix', async (who, role) => {
      const res = await as(stack, who)('GET', `/v1/cases/${caseId}`);
      expect(res.status).toBe(200);
      expectShape('GET /v1/cases/{caseId}', role, res.json);
      if (role === 'insured') expect(res.text).not.toMatch(/"(exposure|reserve)"\s*:/);
      // Every reader gets the case's version, and the ETag names it and the reader's shape ...
      expect(res.headers.get('etag')).toBe(etagFor(role, res));
      expect(res.headers.get('vary') ?? '').toMatch(/authorization/i);
    });

    it('an insured’s ETag is its own representation’s, and answers a 304 to it', async () => {
      const insured = as(stack, 'insured-ins-001');
      let status = 0;
      // The case may move between two reads (vendors acknowledge): ask again until a read and its recheck agree.
      for (let i = 0; i < 10 && status !== 304; i++) {
        const read = await insured('GET', `/v1/cases/${caseId}`);
        const handlerRead = await as(stack, 'handler')('GET', `/v1/cases/${caseId}`);
        expect(read.headers.get('etag')).not.toBe(handlerRead.headers.get('etag'));
        status = (await insured('GET', `/v1/cases/${caseId}`, undefined, { 'if-none-match': read.headers.get('etag')! })).status;
      }
      expect(status).toBe(304);
    });
  });

  describe('commands: the case view they answer', () => {
    // [who, action, body]: every role that may run a command, on a running case, with a command the rules accept.
    const COMMANDS: [Who, Role, string, unknown][] = [
      ['handler', 'handler', 'assign', { assignee: 'handler' }],
      ['supervisor', 'supervisor', 'consent', { category: 'forensic_investigation' }],
      ['handler', 'handler', 'record-findings', { affectedPersons: 1300 }],
      ['insured-ins-001', 'insured', 'submit-costs', { items: [{ category: 'forensic_investigation', amountJpy: 1000, evidenceRef: 'inv-1' }] }],
      ['insured-ins-001', 'insured', 'record-filing', { regime: 'JP-APPI', kind: 'preliminary', filedAt: new Date().toISOString() }],
      // The announcement is shared: the answer (and, after it, every read) carries `announcements` and the desk.
      [
        'insured-ins-001',
        'insured',
        'record-announcement',
        { publishedAt: new Date().toISOString(), channel: 'website', enquiryDesk: { phone: '0120-000-000', hours: '24時間' } },
      ],
      // The insured asks for a call centre: shared, like the vendors (`services.callCenter` once it is dispatched).
      ['insured-ins-001', 'insured', 'engage-vendor', { role: 'call_center', reason: 'customers call the shop' }],
    ];
    it.each(COMMANDS)('%s (%s) runs %s: the answer holds exactly its row', async (who, role, action, body) => {
      const res = await as(stack, who)('POST', `/v1/cases/${caseId}/actions/${action}`, body, { 'idempotency-key': uniqueId('k') });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expectShape(`POST actions/${action}`, role, res.json);
      if (action === 'record-announcement') expect(res.json).toMatchObject({ announcements: [expect.objectContaining({ channel: 'website' })], enquiryDesk: { phone: '0120-000-000' } });
      expect(res.headers.get('etag')).toBe(etagFor(role, res));
    });

    it.each(FILERS)('%s withdraws a case: the answer and every later read hold the closed fields of its row', async (who, role) => {
      const created = await file(who);
      const ended = created.json.caseId as string;
      const res = await as(stack, who)('POST', `/v1/cases/${ended}/actions/withdraw`, { reason: 'filed twice' });
      expect(res.status).toBe(200);
      expectShape('POST actions/withdraw', role, res.json, true);
      for (const [reader, readerRole] of READERS) {
        const read = await as(stack, reader)('GET', `/v1/cases/${ended}`);
        expect(read.status).toBe(200);
        expectShape('GET a withdrawn case', readerRole, read.json, true);
      }
    });
  });

  describe('PUT /v1/cases/{caseId}/affected-persons', () => {
    it.each(FILERS)('%s uploads: the case in the answer holds exactly its row', async (who, role) => {
      const created = await file(who);
      const res = await as(stack, who)('PUT', `/v1/cases/${created.json.caseId}/affected-persons`, CSV, { 'content-type': 'text/csv' });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expectShape('PUT affected-persons', role, res.json.case);
      if (role === 'insured') expect(internalKeyPaths(res.json)).toEqual([]);
    });
  });

  describe('case list and timeline', () => {
    it('the insured’s timeline names no internal figure, and its ETag is that of what is sent', async () => {
      const res = await as(stack, 'insured-ins-001')('GET', `/v1/cases/${caseId}/timeline`);
      expect(res.status).toBe(200);
      const entries = res.json as TimelineEntry[];
      expect(entries.length).toBeGreaterThan(3);
      expect(entries.filter((e) => INSURER_ONLY_TIMELINE_TYPES.includes(e.type))).toEqual([]);
      expect(entries.filter((e) => /reserve|exposure|支払備金/i.test(e.summary))).toEqual([]);
      expect(res.headers.get('etag')).toBe(etagOf(res.text));
    });

    it('the insured’s case list carries no internal figure', async () => {
      const res = await as(stack, 'insured-ins-001')('GET', '/v1/cases?pageSize=100');
      expect(res.status).toBe(200);
      expect(internalKeyPaths(res.json)).toEqual([]);
      expect(res.text).not.toMatch(/reserve|exposure/i);
    });
  });
});

// ---- 3. a closed case's result, and the API document -----------------------------------------------------------

describe('a closed case from before the read model, read from its result (fake Temporal)', () => {
  it.each([
    [KEYS.handler, 'handler'],
    [KEYS.ops, 'ops'],
    [KEYS.insured1, 'insured'],
  ] as const)('is shaped like any read (%#: %s)', async (key, role) => {
    const fake = new FakeTemporal();
    const app = buildApp(await fakeDeps(fake));
    const full = firstView(caseInput('C123', policyRecord('PL-VIEW-2', { insuredId: 'ins-001' })))!;
    fake.addCase('C123', 'ins-001', {}, { readModel: false });
    const wf = fake.workflows.get('case-C123')!;
    wf.status = 'COMPLETED';
    wf.queryError = new Error('[TMPRL1100] Nondeterminism error');
    const closed = { ...full, caseId: 'C123', insuredId: 'ins-001', status: 'closed', closedAt: '2026-02-01T00:00:00.000Z', closeReason: 'done' };
    wf.result = { caseId: 'C123', status: 'closed', view: closed, timeline: [] };
    const res = await request(app).get('/v1/cases/C123').set(bearer(key));
    expect(res.status).toBe(200);
    expectShape('GET a closed case from its result', role, res.body, true);
    expect(res.headers['etag']).toBe(etagOf(res.text));
  });
});

describe('the API document', () => {
  it('publishes the matrix, the insured’s shape, and says which fields an insured does not get', async () => {
    const app = buildApp(await fakeDeps(new FakeTemporal()));
    const doc = (await request(app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { description?: string; responses: Record<string, { description: string }> }>>;
      components: { schemas: Record<string, { required?: string[]; properties: Record<string, unknown>; 'x-fields-by-role'?: unknown }> };
    };
    const caseView = doc.components.schemas['CaseView']!;
    const byRole = caseView['x-fields-by-role'] as Record<string, unknown>;
    expect(byRole['insured']).toEqual([...CASE_VIEW_FIELDS.insured]);
    for (const role of INSURER_ROLES) expect(byRole[role], role).toBe('all');
    // The documented CaseView holds both shapes: the internal figures are there for the insurer's people only.
    for (const f of FIGURES) {
      expect(caseView.required ?? []).not.toContain(f);
      expect(caseView.properties[f]).toBeDefined();
    }
    const insured = doc.components.schemas['InsuredCaseView']!;
    for (const f of INTERNAL) expect(insured.properties[f]).toEqual({ not: {}, description: 'Never sent to an insured.' });
    expect(insured.required).toEqual(expect.arrayContaining(['caseId', 'status', 'coverage', 'settlement']));
    const mentions = (text: string | undefined) => INTERNAL.every((f) => text?.includes(`\`${f}\``));
    expect(mentions(doc.paths['/v1/cases/{caseId}']!['get']!.description)).toBe(true);
    expect(mentions(doc.paths['/v1/cases/{caseId}']!['get']!.responses['200']!.description)).toBe(true);
    expect(mentions(doc.paths['/v1/cases']!['post']!.responses['201']!.description)).toBe(true);
    expect(mentions(doc.paths['/v1/cases/{caseId}/actions/withdraw']!['post']!.responses['200']!.description)).toBe(true);
  });
});
