/**
 * Access control as a matrix (issue 8.4), on the real product (startStack). The rows are every operation of the
 * published route table (`/openapi.json`, generated from it, with each operation's `x-roles`), cross-checked against
 * `domain/permissions.ts`; the columns are every principal of the development file, no key, and a revoked key. The
 * expected answer of each cell is computed from the contract's rules:
 *
 *   no key, unknown or revoked key ........................ 401 (public operations: 200; webhooks: 401 unsigned)
 *   a role the operation does not list .................... 403
 *   another insured's case, its policy .................... 404 (filing under its policy: 422 unknown_policy)
 *   another insured's quote, training or self-assessment .. 404
 *   otherwise ............................................. allowed: 2xx, or a refusal of the case rules (409/422)
 *
 * then every cell is asserted against the running API. Tenant isolation is checked again on a closed case, on the
 * list, the timeline, uploads and vendor webhooks; a key removed from the principals file stops working without a
 * restart.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ACTION_ROLES } from '../../domain/permissions.js';
import { ACTIONS, type Action } from '../../domain/vocabulary.js';
import { signWebhook } from '../../lib/webhook-signature.js';
import { loadVendors } from '../../main/vendors.js';
import { caseWorkflowId } from '../../workflows/contract.js';
import { as, startStack, type Stack } from '../support/stack.js';
import type { Json } from '../support/json.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';

type Who = 'admin' | 'ops' | 'handler' | 'supervisor' | 'insured-ins-001' | 'insured-ins-002' | 'none' | 'revoked';
const PRINCIPALS: Who[] = ['admin', 'ops', 'handler', 'supervisor', 'insured-ins-001', 'insured-ins-002'];
const COLUMNS: Who[] = [...PRINCIPALS, 'none', 'revoked'];
const ROLE_OF: Record<Who, string | undefined> = {
  admin: 'admin',
  ops: 'ops',
  handler: 'handler',
  supervisor: 'supervisor',
  'insured-ins-001': 'insured',
  'insured-ins-002': 'insured',
  none: undefined,
  revoked: undefined,
};

interface Operation {
  method: string;
  path: string;
  roles: string[] | undefined;
  auth: 'bearer' | 'public' | 'signature';
}

type Expected = { exact: number } | { allowed: true };

let stack: Stack;
let ops: Operation[];
let policyNumber: string;
let caseId: string;
const REVOKED_KEY = `bc_revoked_${'x'.repeat(32)}`;

/** The case-scoped operations another insured must not be able to tell from a missing case. */
const caseScoped = (op: Operation) => op.path.startsWith('/v1/cases/{caseId}');

function expected(op: Operation, who: Who): Expected {
  // Single sign-on is not configured on this stack: its steps say so (test/browser/sso.test.ts runs them configured).
  if (op.auth === 'public' && op.path.startsWith('/v1/auth/sso/')) return { exact: 404 };
  if (op.auth === 'public') return { exact: 200 };
  if (op.auth === 'signature') return { exact: 401 };
  const role = ROLE_OF[who];
  if (role === undefined) return { exact: 401 };
  if (!op.roles!.includes(role)) return { exact: 403 };
  if (who === 'insured-ins-002') {
    if (caseScoped(op)) return { exact: 404 };
    if (op.method === 'GET' && op.path === '/v1/policies/{policyNumber}') return { exact: 404 };
    if (op.method === 'POST' && op.path === '/v1/cases') return { exact: 422 };
    // The consultation desk: another insured's consultation is a missing one, and its policy an unknown one.
    if (op.path.startsWith('/v1/consultations/{consultationId}')) return { exact: 404 };
    if (op.method === 'POST' && op.path === '/v1/consultations') return { exact: 422 };
    if (op.path.startsWith('/v1/insureds/{insuredId}') || op.path === '/v1/quotes/{quoteId}') return { exact: 404 };
  }
  return { allowed: true };
}

function bodyFor(op: Operation): { body?: unknown; headers?: Record<string, string> } {
  const consultationAction = /^\/v1\/consultations\/\{consultationId\}\/actions\/([a-z-]+)$/.exec(op.path)?.[1];
  if (consultationAction) {
    const bodies: Record<string, unknown> = {
      // The matrix's consultation: the first allowed role acknowledges it (200), the next gets 409 nothing_to_do.
      acknowledge: {},
      // Advice on it is 200 once acknowledged, 409 wrong_state before: both allowed answers.
      advise: { text: 'matrix' },
      // Ending actions run on a consultation of their own (below).
      close: { reason: 'matrix' },
      convert: { ...reportBody(policyNumber), discoveredAt: undefined },
    };
    return { body: bodies[consultationAction] };
  }
  if (op.method === 'POST' && op.path === '/v1/consultations') {
    return { body: { policyNumber, summary: 'matrix', contact: { name: 'matrix', email: 'matrix@example.co.jp' } } };
  }
  const action = /\/actions\/([a-z-]+)$/.exec(op.path)?.[1] as Action | undefined;
  if (action) {
    const bodies: Record<Action, unknown> = {
      assign: { assignee: 'handler' },
      'decide-coverage': { decision: 'covered', reason: 'matrix' },
      consent: { category: 'forensic_investigation' },
      'record-findings': { affectedPersons: 1300 },
      'approve-notice': { language: 'ja' },
      'record-filing': { regime: 'JP-APPI', kind: 'preliminary', filedAt: new Date().toISOString() },
      'submit-costs': { items: [{ category: 'forensic_investigation', amountJpy: 1000, evidenceRef: 'inv-matrix' }] },
      'approve-payout': {},
      // The case-ending actions are probed on their own cases (below); here they run with a reason that is refused
      // nowhere, so the matrix would end the case: they are sent to a throw-away case instead.
      deny: { reason: 'matrix' },
      withdraw: { reason: 'matrix' },
      close: { reason: 'matrix' },
      // Nothing is held on the matrix's case: the roles that may confirm get 409 nothing_to_do, the others 403.
      'confirm-findings': { findingsId: 'evt-none', decision: 'discard', reason: 'matrix' },
      // The matrix's case is open: the supervisor gets 409 wrong_state, every other role 403.
      reopen: { reason: 'matrix' },
      // Nothing refuses an announcement dated now: the insured and the handler get 200, every other role 403.
      'record-announcement': { publishedAt: new Date().toISOString(), channel: 'website', url: 'https://example.jp/notice' },
      // The version is the draft's current one (set in call()): the first role that may approve gets 200, the next
      // 409 nothing_to_do, every other role 403.
      'approve-notice-draft': { language: 'ja', version: 1 },
      // The first allowed role engages the PR vendor (200); the next gets 409 duplicate (one is engaged already).
      'engage-vendor': { role: 'public_relations', reason: 'matrix' },
      // Any measure may be added to the plan: the insured, the handler and the supervisor get 200 (or 409
      // nothing_to_do when an earlier role set the same status), every other role 403.
      'update-prevention-measure': { measure: 'staff_training', status: 'in_progress' },
    };
    return { body: bodies[action] };
  }
  if (op.method === 'PUT' && op.path === '/v1/policies/{policyNumber}') return { body: policyBody() };
  if (op.method === 'POST' && op.path === '/v1/cases') return { body: reportBody(policyNumber) };
  if (op.method === 'PUT' && op.path.endsWith('/affected-persons')) {
    return { body: 'name,email,postal_address,language\n佐藤 花子,hanako@example.jp,,ja\n', headers: { 'content-type': 'text/csv' } };
  }
  if (op.method === 'POST' && op.path === '/v1/quotes') return { body: QUOTE_BODY };
  if (op.method === 'POST' && op.path.endsWith('/training')) return { body: { person: '山田 太郎', course: 'matrix', completedAt: '2026-01-05T00:00:00Z' } };
  if (op.method === 'POST' && op.path.endsWith('/self-assessment')) {
    return { body: { answers: { encryptionAtRest: true, mfa: true, edr: false, staffTraining: true, accessReviews: false } } };
  }
  if (op.method === 'POST' && op.path.endsWith('/notes')) return { body: { text: 'matrix', visibility: 'shared' } };
  if (op.method === 'PATCH' && op.path.endsWith('/filings/{filingId}')) return { body: { items: { otherMatters: 'matrix' } }, headers: {} };
  if (op.method === 'PATCH' && op.path.endsWith('/notice-draft')) return { body: { parts: { whatWeAreDoing: 'matrix' } }, headers: {} };
  if (op.method === 'POST' && op.path.endsWith('/documents')) return { body: MATRIX_PDF, headers: { 'content-type': 'application/pdf', 'x-file-name': 'matrix.pdf' } };
  // A well-formed code this case never issued: allowed roles get the rules' 422, the others 401/403/404 first.
  if (op.method === 'POST' && op.path.endsWith('/apology-codes/redeem')) return { body: { code: 'ASAA-BKB9-52LT-JHA4-B5EW' } };
  // Likewise an enrolment code this case never issued: the handler and supervisor get 422, the insured 403.
  if (op.method === 'POST' && op.path.endsWith('/credit-monitoring/enrolments')) return { body: { code: 'ZY3W-V9TS-RQ4N-ML7J-HG2E' } };
  if (op.method === 'POST' && op.path.startsWith('/v1/webhooks/')) {
    return { body: { type: 'acknowledged', eventId: uniqueId('ev'), caseId, at: new Date().toISOString(), dispatchId: 'd-1' } };
  }
  return {};
}

const ENDING = new Set(['deny', 'withdraw', 'close']);
/** A document by its magic bytes (`%PDF`), small enough for any limit. */
const MATRIX_PDF = '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n';
/** The final APPI report of the matrix's case (1,200 persons): never filed by the matrix, so it stays editable. */
const MATRIX_FILING = 'JP-APPI.regulator.final';
/** A document of the matrix's case, uploaded before the matrix runs, for the download cells. */
let documentId = '';
const QUOTE_BODY = { industry: 'retail_ecommerce', employees: 10, annualRevenueJpy: 100_000_000, recordSets: [{ dataItems: ['name', 'email'], persons: 500 }] };
/** A quote of insured ins-001 (the matrix's insured), for the read cells: another insured gets 404. */
let quoteId = '';

async function call(who: Who, op: Operation, target: string): Promise<{ status: number; contentType: string | null; json: Json }> {
  const path = op.path
    .replace('{policyNumber}', policyNumber)
    .replace('{caseId}', target)
    .replace('{vendorId}', 'forensics-a')
    .replace('{documentId}', documentId)
    .replace('{consultationId}', op.path.includes('{consultationId}') ? target : '')
    .replace('{insuredId}', 'ins-001')
    .replace('{quoteId}', quoteId)
    .replace('{filingId}', MATRIX_FILING);
  const spec = bodyFor(op);
  let body = spec.body;
  const headers = spec.headers ?? {};
  // The notice is read and edited per language.
  const query = /\/notice-(preview|draft)$/.test(op.path) ? '?lang=ja' : '';
  if (op.path.endsWith('/notice-draft') || op.path.endsWith('/actions/approve-notice-draft')) {
    const current = await as(stack, 'handler')('GET', `/v1/cases/${target}/notice-preview?lang=ja`);
    if (op.method === 'PATCH') headers['if-match'] = current.headers.get('etag') ?? '"v0"';
    else body = { language: 'ja', version: (current.json as { version?: number } | undefined)?.version ?? 1 };
  }
  // An edit names the version it edits: the filing's ETag as it is now (a handler reads it; the cell is the edit).
  if (op.method === 'PATCH' && op.path.includes('/filings/')) {
    const current = await as(stack, 'handler')('GET', `/v1/cases/${target}/filings/${MATRIX_FILING}`);
    headers['if-match'] = current.headers.get('etag') ?? '"v0"';
  }
  const auth: Record<string, string> =
    who === 'none' ? {} : { authorization: `Bearer ${who === 'revoked' ? REVOKED_KEY : stack.keys[who]}` };
  const res = await fetch(`${stack.url}${path}${query}`, {
    method: op.method,
    headers: {
      ...auth,
      ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), json };
}

/** The matrix's consultation (opened by insured-ins-001 before the matrix runs). */
let consultationId = '';

async function newConsultation(): Promise<string> {
  const opened = await as(stack, 'insured-ins-001')('POST', '/v1/consultations', {
    policyNumber,
    summary: 'matrix',
    contact: { name: 'matrix', email: 'matrix@example.co.jp' },
  });
  expect(opened.status, opened.text).toBe(201);
  return opened.json.consultationId as string;
}

async function newCase(): Promise<string> {
  const created = await as(stack, 'insured-ins-001')('POST', '/v1/cases', reportBody(policyNumber));
  expect(created.status).toBe(201);
  return created.json.caseId as string;
}

beforeAll(async () => {
  stack = await startStack();
  // The revoked principal exists at first (and works), then is removed from the file below.
  const file = JSON.parse(await readFile(stack.principalsFile, 'utf8')) as unknown[];
  await writeFile(stack.principalsFile, JSON.stringify([...file, { key: REVOKED_KEY, role: 'handler', name: 'revoked-handler' }], null, 2));
  policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
  caseId = await newCase();
  const uploaded = await as(stack, 'insured-ins-001')('POST', `/v1/cases/${caseId}/documents`, MATRIX_PDF, { 'content-type': 'application/pdf' });
  expect(uploaded.status, uploaded.text).toBe(201);
  documentId = uploaded.json.documentId as string;
  consultationId = await newConsultation();
  const quoted = await as(stack, 'insured-ins-001')('POST', '/v1/quotes', QUOTE_BODY);
  expect(quoted.status, quoted.text).toBe(201);
  quoteId = quoted.json.quoteId as string;
  const doc = (await (await fetch(`${stack.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { 'x-roles'?: string[]; security: unknown[]; 'x-authentication'?: string }>>;
  };
  ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      roles: op['x-roles'],
      auth: op['x-authentication'] ? ('signature' as const) : op.security.length === 0 ? ('public' as const) : ('bearer' as const),
    })),
  );
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

describe('the route table', () => {
  it('publishes every case action with exactly the roles of domain/permissions.ts', () => {
    for (const action of ACTIONS) {
      const op = ops.find((o) => o.path === `/v1/cases/{caseId}/actions/${action}`);
      expect(op, action).toBeDefined();
      expect([...op!.roles!].sort(), action).toEqual([...ACTION_ROLES[action]].sort());
    }
    // Every operation is in exactly one of the three authentication classes.
    expect(ops.every((o) => o.auth !== 'bearer' || (o.roles && o.roles.length > 0))).toBe(true);
  });
});

describe('every operation × every principal', () => {
  it('answers each cell as the contract says', { timeout: 300_000 }, async () => {
    const probe = { method: 'GET', path: '/v1/cases', roles: [], auth: 'bearer' as const };
    const statusWithin = async (want: number) => {
      const deadline = Date.now() + 5000;
      let status = (await call('revoked', probe, caseId)).status;
      while (status !== want && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await call('revoked', probe, caseId)).status;
      }
      return status;
    };
    // The key added to the file works without a restart ...
    expect(await statusWithin(200)).toBe(200);
    // ... and stops working, without a restart, once it is removed (the directory re-reads at most once a second).
    const file = (JSON.parse(await readFile(stack.principalsFile, 'utf8')) as { name: string }[]).filter((p) => p.name !== 'revoked-handler');
    await writeFile(stack.principalsFile, JSON.stringify(file, null, 2));
    expect(await statusWithin(401)).toBe(401);

    const wrong: string[] = [];
    const cells: string[] = [];
    for (const op of ops) {
      if (op.path === '/metrics' || op.path === '/readyz') continue; // probes: public, checked by the ops suites
      for (const who of COLUMNS) {
        const want = expected(op, who);
        const action = /\/actions\/([a-z-]+)$/.exec(op.path)?.[1];
        const onConsultation = op.path.includes('{consultationId}');
        // A case-ending action that is allowed gets its own case, so the rest of the matrix keeps a running one; the
        // same for a consultation's `close` and `convert`.
        const ending = action && (onConsultation ? action === 'close' || action === 'convert' : ENDING.has(action)) && 'allowed' in want;
        const target = onConsultation ? (ending ? await newConsultation() : consultationId) : ending ? await newCase() : caseId;
        const got = await call(who, op, target);
        const ok =
          'exact' in want
            ? got.status === want.exact
            : (got.status >= 200 && got.status < 300) || got.status === 409 || got.status === 422;
        cells.push(`${op.method} ${op.path} × ${who}: ${got.status}`);
        if (!ok) wrong.push(`${op.method} ${op.path} × ${who}: got ${got.status} ${got.json?.code ?? ''}, want ${JSON.stringify(want)}`);
        if (got.status >= 400) {
          if (!got.contentType?.startsWith('application/problem+json')) wrong.push(`${op.method} ${op.path} × ${who}: ${got.status} not problem+json`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(cells.length).toBeGreaterThan(150);
  });
});

describe('tenant isolation', () => {
  it('another insured cannot tell a closed case from a missing one either', async () => {
    const closed = await newCase();
    expect((await as(stack, 'insured-ins-001')('POST', `/v1/cases/${closed}/actions/withdraw`, { reason: 'reported by mistake' })).status).toBe(200);
    // A withdrawn case's workflow may linger a moment (its last e-mails); end it now, unless it has ended already.
    // Commands to an ended workflow fail as "not found" inside Temporal, the path that used to answer 409 "withdrawn"
    // to anyone who asked.
    const handle = stack.api.client.workflow.getHandle(caseWorkflowId(closed));
    await handle.terminate('access matrix: an ended case').catch((err: unknown) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    });
    expect(['TERMINATED', 'COMPLETED']).toContain((await handle.describe()).status.name);
    const other = as(stack, 'insured-ins-002');
    const missing = `C${'Z'.repeat(26)}`;
    for (const target of [closed, missing]) {
      expect((await other('GET', `/v1/cases/${target}`)).status).toBe(404);
      expect((await other('GET', `/v1/cases/${target}/timeline`)).status).toBe(404);
      expect((await other('GET', `/v1/cases/${target}/actions`)).status).toBe(404);
      for (const action of ['withdraw', 'submit-costs', 'record-filing'] as const) {
        const body = action === 'withdraw' ? { reason: 'x' } : action === 'submit-costs' ? { items: [{ category: 'forensic_investigation', amountJpy: 1, evidenceRef: 'e' }] } : { regime: 'JP-APPI', kind: 'preliminary', filedAt: new Date().toISOString() };
        const res = await other('POST', `/v1/cases/${target}/actions/${action}`, body);
        expect([res.status, res.json.code], `${action} on ${target === closed ? 'closed' : 'missing'}`).toEqual([404, 'not_found']);
      }
      const up = await other('PUT', `/v1/cases/${target}/affected-persons`, 'name,email\nA,a@example.jp\n', { 'content-type': 'text/csv' });
      expect(up.status).toBe(404);
    }
    // The owner (and the insurer's people) see the state.
    const again = await as(stack, 'insured-ins-001')('POST', `/v1/cases/${closed}/actions/withdraw`, { reason: 'again' });
    expect([again.status, again.json.code]).toEqual([409, 'wrong_state']);
    expect((await as(stack, 'handler')('POST', `/v1/cases/${closed}/actions/close`, { reason: 'x' })).status).toBe(409);
  });

  it('the list shows an insured only its own cases, whatever filter it sends', async () => {
    const mine = as(stack, 'insured-ins-001');
    const other = as(stack, 'insured-ins-002');
    const listed = async (f: typeof mine, q: string) => {
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await f('GET', `/v1/cases?pageSize=100${q}`);
        expect(res.status).toBe(200);
        ids.splice(0, ids.length, ...(res.json.items as { caseId: string }[]).map((c) => c.caseId));
        if (f !== mine || ids.includes(caseId)) break;
        await new Promise((r) => setTimeout(r, 250)); // visibility lags a moment behind a new case
      }
      return ids;
    };
    expect(await listed(mine, '')).toContain(caseId);
    expect(await listed(other, '')).not.toContain(caseId);
    expect(await listed(other, '&insuredId=ins-001')).toEqual([]);
    expect(await listed(other, `&policyNumber=${policyNumber}`)).toEqual([]);
    // A page token from one insured's list does not open another's.
    const page = await mine('GET', '/v1/cases?pageSize=1');
    if (page.json.nextPageToken) {
      const stolen = await other('GET', `/v1/cases?pageSize=1&pageToken=${page.json.nextPageToken}`);
      expect(stolen.status).toBe(400);
    }
  });

  it('an insured reaches its own quotes and prevention records only', async () => {
    const mine = as(stack, 'insured-ins-001');
    const other = as(stack, 'insured-ins-002');
    const theirs = await other('POST', '/v1/quotes', QUOTE_BODY);
    expect(theirs.status).toBe(201);
    expect((await mine('GET', `/v1/quotes/${theirs.json.quoteId as string}`)).status).toBe(404);
    expect((await other('GET', `/v1/quotes/${theirs.json.quoteId as string}`)).status).toBe(200);
    expect((await as(stack, 'handler')('GET', `/v1/quotes/${theirs.json.quoteId as string}`)).status).toBe(200);
    // Naming another insured in the body is refused as a missing insured, not quoted under it.
    expect((await other('POST', '/v1/quotes', { ...QUOTE_BODY, insuredId: 'ins-001' })).status).toBe(404);
    for (const path of ['/v1/insureds/ins-001/training', '/v1/insureds/ins-001/self-assessment']) {
      expect((await other('GET', path)).status, path).toBe(404);
      expect((await mine('GET', path)).status, path).toBe(200);
    }
  });

  it('a vendor signature is good for its own vendor id only', async () => {
    const vendors = loadVendors(join(stack.dataDir, 'vendors.json'));
    const a = vendors.find((v) => v.vendorId === 'counsel-a')!;
    const raw = JSON.stringify({ type: 'acknowledged', eventId: uniqueId('ev'), caseId, at: new Date().toISOString(), dispatchId: 'd-x' });
    const now = Math.floor(Date.now() / 1000);
    const post = (vendorId: string, secret: string[]) =>
      fetch(`${stack.url}/v1/webhooks/vendors/${vendorId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'bc-signature': signWebhook(secret, raw, now) },
        body: raw,
      });
    for (const target of vendors.filter((v) => v.vendorId !== a.vendorId)) {
      const res = await post(target.vendorId, a.secrets);
      expect(res.status, `counsel-a's signature on ${target.vendorId}`).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    // Its own id: the signature holds; the event names a dispatch the case never made, so it changes nothing.
    const own = await post(a.vendorId, a.secrets);
    expect([202, 404]).toContain(own.status);
  });
});
