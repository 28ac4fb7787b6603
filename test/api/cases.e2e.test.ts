/**
 * The API against the real dev server and worker: the role × endpoint matrix, tenant isolation, idempotent create
 * under a race, refusals passed through, and the visibility-backed list and dashboard.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { KEYS, bearer } from './fake-temporal.js';
import { startRealStack, type RealStack } from './real-stack.js';

let stack: RealStack;
let policyNumber: string;
let caseId: string;

const as = (key: string) => bearer(key);

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  stack = await startRealStack();
  policyNumber = uniqueId('PL');
  const put = await request(stack.app).put(`/v1/policies/${policyNumber}`).set(as(KEYS.admin)).send(policyBody());
  expect(put.status).toBe(201);
  const created = await request(stack.app).post('/v1/cases').set(as(KEYS.insured1)).send(reportBody(policyNumber));
  expect(created.status).toBe(201);
  caseId = created.body.caseId;
});

afterAll(async () => {
  await stack?.close();
});

describe('policies', () => {
  it('PUT creates (201) then replaces (200); the insured that holds it may read it, another may not', async () => {
    const again = await request(stack.app).put(`/v1/policies/${policyNumber}`).set(as(KEYS.admin)).send(policyBody());
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);
    const mine = await request(stack.app).get(`/v1/policies/${policyNumber}`).set(as(KEYS.insured1));
    expect(mine.status).toBe(200);
    expect(mine.body.policy).toMatchObject({ policyNumber, insuredId: 'ins-001' });
    expect((await request(stack.app).get(`/v1/policies/${policyNumber}`).set(as(KEYS.insured2))).status).toBe(404);
    expect((await request(stack.app).get('/v1/policies/PL-NEVER-SEEN').set(as(KEYS.admin))).status).toBe(404);
  });

  it('a policy with an unknown field or period end before start is a 400', async () => {
    const res = await request(stack.app)
      .put(`/v1/policies/${policyNumber}-x`)
      .set(as(KEYS.admin))
      .send({ ...policyBody(), periodEnd: '2000-01-01T00:00:00Z', owner: 'me' });
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toContain('/owner');
  });
});

describe('case intake', () => {
  it('answers 201 with Location and the case view', async () => {
    const res = await request(stack.app).post('/v1/cases').set(as(KEYS.handler)).send(reportBody(policyNumber));
    expect(res.status).toBe(201);
    expect(res.headers['location']).toBe(`/v1/cases/${res.body.caseId}`);
    expect(res.body).toMatchObject({ policyNumber, insuredId: 'ins-001', affectedPersons: 1200 });
    expect(['reported', 'triage', 'response']).toContain(res.body.status);
    expect(res.body.obligations.some((o: { regime: string }) => o.regime === 'JP-APPI')).toBe(true);
  });

  it('two identical requests racing with one Idempotency-Key give one case; another body is a 409', async () => {
    const key = uniqueId('idem');
    const body = reportBody(policyNumber);
    const send = () => request(stack.app).post('/v1/cases').set(as(KEYS.insured1)).set('Idempotency-Key', key).send(body);
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.headers['location']).toBe(b.headers['location']);
    expect(a.body.caseId).toBe(b.body.caseId);
    const later = await send();
    expect(later.status).toBe(200);
    expect(later.body.caseId).toBe(a.body.caseId);
    const other = await request(stack.app)
      .post('/v1/cases')
      .set(as(KEYS.insured1))
      .set('Idempotency-Key', key)
      .send({ ...body, affectedPersons: 3 });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_conflict');
    // The same key used by another insured is a different request altogether.
    const policy2 = uniqueId('PL');
    await request(stack.app).put(`/v1/policies/${policy2}`).set(as(KEYS.admin)).send(policyBody({ insuredId: 'ins-002' }));
    const theirs = await request(stack.app)
      .post('/v1/cases')
      .set(as(KEYS.insured2))
      .set('Idempotency-Key', key)
      .send(reportBody(policy2));
    expect(theirs.status).toBe(201);
    expect(theirs.body.caseId).not.toBe(a.body.caseId);
  });

  it('a discovery outside the policy period is accepted: coverage records it', async () => {
    const res = await request(stack.app)
      .post('/v1/cases')
      .set(as(KEYS.handler))
      .send(reportBody(policyNumber, { discoveredAt: '2001-01-01T00:00:00Z', occurredAt: '2000-12-01T00:00:00Z' }));
    expect(res.status).toBe(201);
    expect(res.body.coverage.reasons).toContain('outside_policy_period');
  });
});

describe('role × endpoint matrix', () => {
  type Who = keyof typeof KEYS;
  const everyone: Who[] = ['admin', 'ops', 'handler', 'supervisor', 'insured1', 'insured2'];
  let n = 0;

  const cases: { name: string; call: (who: Who) => request.Test; expect: Record<Who, number> }[] = [
    {
      name: 'GET policy',
      call: (w) => request(stack.app).get(`/v1/policies/${policyNumber}`).set(as(KEYS[w])),
      expect: { admin: 200, ops: 200, handler: 200, supervisor: 200, insured1: 200, insured2: 404 },
    },
    {
      name: 'PUT policy',
      call: (w) => request(stack.app).put(`/v1/policies/${uniqueId('PLM')}`).set(as(KEYS[w])).send(policyBody()),
      expect: { admin: 201, ops: 403, handler: 403, supervisor: 403, insured1: 403, insured2: 403 },
    },
    {
      name: 'POST case',
      call: (w) => request(stack.app).post('/v1/cases').set(as(KEYS[w])).send(reportBody(policyNumber)),
      expect: { admin: 403, ops: 403, handler: 201, supervisor: 403, insured1: 201, insured2: 422 },
    },
    {
      name: 'GET case',
      call: (w) => request(stack.app).get(`/v1/cases/${caseId}`).set(as(KEYS[w])),
      expect: { admin: 200, ops: 200, handler: 200, supervisor: 200, insured1: 200, insured2: 404 },
    },
    {
      name: 'GET timeline',
      call: (w) => request(stack.app).get(`/v1/cases/${caseId}/timeline`).set(as(KEYS[w])),
      expect: { admin: 200, ops: 200, handler: 200, supervisor: 200, insured1: 200, insured2: 404 },
    },
    {
      name: 'GET list',
      call: (w) => request(stack.app).get('/v1/cases').set(as(KEYS[w])),
      expect: { admin: 200, ops: 200, handler: 200, supervisor: 200, insured1: 200, insured2: 200 },
    },
    {
      name: 'GET dashboard',
      call: (w) => request(stack.app).get('/v1/dashboard/summary').set(as(KEYS[w])),
      expect: { admin: 200, ops: 200, handler: 200, supervisor: 200, insured1: 403, insured2: 403 },
    },
    {
      name: 'record-findings',
      call: (w) =>
        request(stack.app).post(`/v1/cases/${caseId}/actions/record-findings`).set(as(KEYS[w])).send({ cause: 'device_loss' }),
      expect: { admin: 403, ops: 403, handler: 200, supervisor: 200, insured1: 403, insured2: 403 },
    },
    {
      name: 'submit-costs',
      call: (w) =>
        request(stack.app)
          .post(`/v1/cases/${caseId}/actions/submit-costs`)
          .set(as(KEYS[w]))
          .send({ items: [{ category: 'forensic_investigation', amountJpy: 1000 + n++, evidenceRef: `inv-${w}-${n}` }] }),
      expect: { admin: 403, ops: 403, handler: 200, supervisor: 200, insured1: 200, insured2: 404 },
    },
    {
      // The insured's own 公表, or one a handler records for it; a supervisor has no part in it.
      name: 'record-announcement',
      call: (w) =>
        request(stack.app)
          .post(`/v1/cases/${caseId}/actions/record-announcement`)
          .set(as(KEYS[w]))
          .send({ publishedAt: new Date().toISOString(), channel: 'website', url: `https://example.jp/${w}` }),
      expect: { admin: 403, ops: 403, handler: 200, supervisor: 403, insured1: 200, insured2: 404 },
    },
    {
      name: 'upload persons',
      call: (w) =>
        request(stack.app)
          .put(`/v1/cases/${caseId}/affected-persons`)
          .set(as(KEYS[w]))
          .set('Content-Type', 'text/csv')
          .send('name,email\n山田 太郎,taro@example.jp\n'),
      expect: { admin: 403, ops: 403, handler: 200, supervisor: 200, insured1: 200, insured2: 404 },
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const got: Record<string, number> = {};
    for (const who of everyone) got[who] = (await c.call(who)).status;
    expect(got).toEqual(c.expect);
  });
});

describe('commands', () => {
  it('passes workflow refusals through with their reason, and an Idempotency-Key applies a command once', async () => {
    const res = await request(stack.app)
      .post(`/v1/cases/${caseId}/actions/record-filing`)
      .set(as(KEYS.handler))
      .send({ regime: 'KR-PIPA', kind: 'final', filedAt: new Date().toISOString() });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
    expect(res.body.detail).toContain('KR-PIPA');

    const key = uniqueId('cmd');
    const item = { category: 'legal_counsel', amountJpy: 77_000, evidenceRef: uniqueId('ev') };
    const first = await request(stack.app)
      .post(`/v1/cases/${caseId}/actions/submit-costs`)
      .set(as(KEYS.handler))
      .set('Idempotency-Key', key)
      .send({ items: [item] });
    expect(first.status).toBe(200);
    const retry = await request(stack.app)
      .post(`/v1/cases/${caseId}/actions/submit-costs`)
      .set(as(KEYS.handler))
      .set('Idempotency-Key', key)
      .send({ items: [item] });
    expect(retry.status).toBe(200);
    const lines = retry.body.settlement.lines.filter((l: { claimedJpy: number }) => l.claimedJpy === 77_000);
    expect(lines).toHaveLength(1);
    // Without the key the same items are a duplicate the workflow refuses.
    const dup = await request(stack.app).post(`/v1/cases/${caseId}/actions/submit-costs`).set(as(KEYS.handler)).send({ items: [item] });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('duplicate');
  });

  it('the case view carries the report\'s description and contact, for the insured too', async () => {
    for (const key of [KEYS.insured1, KEYS.handler]) {
      const res = await request(stack.app).get(`/v1/cases/${caseId}`).set(as(key));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ insuredName: '株式会社サンプル', description: reportBody(policyNumber).description, contact: reportBody(policyNumber).contact });
    }
  });

  it('GET /v1/cases/{id}/actions answers what the caller may do now, and why not', async () => {
    const verdicts = async (key: string, id = caseId) => {
      const res = await request(stack.app).get(`/v1/cases/${id}/actions`).set(as(key));
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBeTruthy();
      return Object.fromEntries((res.body.actions as { action: string; allowed: boolean; reason?: string }[]).map((a) => [a.action, a.allowed ? 'allowed' : a.reason]));
    };
    const handler = await verdicts(KEYS.handler);
    expect(handler).toMatchObject({ assign: 'allowed', 'decide-coverage': 'allowed', 'approve-notice': 'allowed', 'confirm-findings': 'nothing_held' });
    const insured = await verdicts(KEYS.insured1);
    expect(insured).toMatchObject({ withdraw: 'allowed', 'submit-costs': 'allowed', assign: 'role', 'approve-payout': 'role' });
    const ops = await verdicts(KEYS.ops);
    expect(Object.values(ops).every((v) => v === 'role')).toBe(true);
    expect((await request(stack.app).get(`/v1/cases/${caseId}/actions`).set(as(KEYS.insured2))).status).toBe(404);

    const created = await request(stack.app).post('/v1/cases').set(as(KEYS.insured1)).send(reportBody(policyNumber));
    const w = await request(stack.app).post(`/v1/cases/${String(created.body.caseId)}/actions/withdraw`).set(as(KEYS.insured1)).send({ reason: 'filed twice' });
    expect(w.status).toBe(200);
    const ended = await verdicts(KEYS.handler, String(created.body.caseId));
    // Everything refused because the case ended, but reopen, which is a supervisor's (and a withdrawn case stays ended).
    const { reopen, ...rest } = ended;
    expect(reopen).toBe('role');
    expect(Object.values(rest).every((v) => v === 'case_ended')).toBe(true);
    expect((await verdicts(KEYS.supervisor, String(created.body.caseId))).reopen).toBe('case_not_ended');
  });

  it('withdrawn cases refuse further commands with 409', async () => {
    const created = await request(stack.app).post('/v1/cases').set(as(KEYS.insured1)).send(reportBody(policyNumber));
    const id = created.body.caseId;
    const w = await request(stack.app).post(`/v1/cases/${id}/actions/withdraw`).set(as(KEYS.insured1)).send({ reason: 'false alarm' });
    expect(w.status).toBe(200);
    expect(w.body.status).toBe('withdrawn');
    const after = await request(stack.app).post(`/v1/cases/${id}/actions/assign`).set(as(KEYS.handler)).send({ assignee: 'handler' });
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('wrong_state');
  });
});

describe('lists and dashboard from visibility', () => {
  it('an insured lists only its own cases; filters narrow the list; page tokens page', async () => {
    const mine = await eventually(
      () => request(stack.app).get(`/v1/cases?policyNumber=${policyNumber}&pageSize=2`).set(as(KEYS.insured1)),
      (r) => r.body.items?.length === 2 && r.body.nextPageToken !== null,
    );
    expect(mine.status).toBe(200);
    for (const item of mine.body.items) expect(item).toMatchObject({ insuredId: 'ins-001', policyNumber, href: `/v1/cases/${item.caseId}` });
    // Whose case and what happened, from the facts part of each case's memo (decoded by the client's converter).
    for (const item of mine.body.items) expect(item).toMatchObject({ insuredName: '株式会社サンプル', summary: reportBody(policyNumber).description });
    const next = await request(stack.app)
      .get(`/v1/cases?policyNumber=${policyNumber}&pageSize=2&pageToken=${mine.body.nextPageToken}`)
      .set(as(KEYS.insured1));
    expect(next.status).toBe(200);
    const firstIds = new Set((mine.body.items as { caseId: string }[]).map((i) => i.caseId));
    for (const i of next.body.items as { caseId: string }[]) expect(firstIds.has(i.caseId)).toBe(false);

    const theirs = await request(stack.app).get(`/v1/cases?policyNumber=${policyNumber}`).set(as(KEYS.insured2));
    expect(theirs.body.items).toEqual([]);
    const bad = await request(stack.app).get('/v1/cases?pageToken=AAAA').set(as(KEYS.ops));
    expect(bad.status).toBe(400);

    const withdrawn = await eventually(
      () => request(stack.app).get(`/v1/cases?policyNumber=${policyNumber}&status=withdrawn`).set(as(KEYS.ops)),
      (r) => r.body.items?.length >= 1,
    );
    for (const i of withdrawn.body.items) expect(i.status).toBe('withdrawn');
  });

  it('the dashboard counts cases by status and severity', async () => {
    const res = await eventually(
      () => request(stack.app).get('/v1/dashboard/summary').set(as(KEYS.ops)),
      // Visibility and the poll cache lag the withdrawal by a few seconds: wait for what is asserted below.
      (r) => r.body.total > 0 && r.body.byStatus?.withdrawn >= 1,
    );
    expect(res.status).toBe(200);
    const byStatus = Object.values(res.body.byStatus as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(byStatus).toBeGreaterThan(0);
    // The total is the sum of the counts by status, whatever other test files file meanwhile.
    expect(byStatus).toBe(res.body.total);
    expect(res.body.byStatus.withdrawn).toBeGreaterThanOrEqual(1);
    expect(res.headers['etag']).toBeDefined();
  });
});
