/**
 * HTTP concerns of the API against a fake Temporal client: problem+json, body and content-type classes, auth,
 * rate limits, ETag/304, webhook signatures, refusal mapping, logs. Case behaviour is in the end-to-end suites.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { signWebhook } from '../../lib/webhook-signature.js';
import { reportBody, testSigner } from '../support/fixtures.js';
import type { VendorEventInput } from '../../workflows/contract.js';
import { FakeTemporal, KEYS, bearer, captureLogger, fakeDeps } from './fake-temporal.js';

function expectProblem(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: `/docs#problem-${code}` });
  expect(typeof res.body.title).toBe('string');
  expect(res.body.instance).toBe((res as unknown as { req: { path: string } }).req.path.split('?')[0]);
  expect(res.body.requestId).toBe(res.headers['x-request-id']);
}

/** A chunked upload over a real socket (supertest always sends a Content-Length). */
async function chunkedPut(app: Express, path: string, key: string, chunks: string[]): Promise<{ status: number; body: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path, method: 'PUT', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'text/csv' } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      req.end();
    });
  } finally {
    server.close();
  }
}

let fake: FakeTemporal;
let app: Express;

beforeEach(async () => {
  fake = new FakeTemporal();
  app = buildApp(await fakeDeps(fake));
});

describe('problem details', () => {
  it('answers an unknown route with a 404 problem carrying the request id it was given', async () => {
    const res = await request(app).get('/v1/nothing-here').set('X-Request-Id', 'req-abc.123');
    expectProblem(res, 404, 'not_found');
    expect(res.headers['x-request-id']).toBe('req-abc.123');
    expect(res.body.detail).toContain('/v1/nothing-here');
  });

  it('replaces an unusable request id with a fresh one', async () => {
    const res = await request(app).get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an unknown action is a 404 problem', async () => {
    const res = await request(app).post('/v1/cases/C123/actions/launch-rocket').set(bearer(KEYS.handler)).send({});
    expectProblem(res, 404, 'not_found');
  });

  it('maps a workflow refusal to its status and passes the reason through', async () => {
    fake.addCase('C123', 'ins-001');
    fake.onCommand = () => Promise.resolve({ refusal: 'wrong_state: case is closed' });
    const res = await request(app).post('/v1/cases/C123/actions/close').set(bearer(KEYS.handler)).send({ reason: 'done' });
    expectProblem(res, 409, 'wrong_state');
    expect(res.body.detail).toBe('case is closed');

    fake.onCommand = () => Promise.resolve({ refusal: 'over_authority: needs a supervisor' });
    const res2 = await request(app).post('/v1/cases/C123/actions/approve-payout').set(bearer(KEYS.handler)).send({});
    expectProblem(res2, 403, 'over_authority');
  });

  it('a missing case is a 404 problem', async () => {
    const res = await request(app).get('/v1/cases/C404').set(bearer(KEYS.handler));
    expectProblem(res, 404, 'not_found');
  });
});

describe('bad input classes on POST /v1/cases', () => {
  const post = (body: unknown) => request(app).post('/v1/cases').set(bearer(KEYS.handler)).send(body as object);

  it('malformed JSON is a 400', async () => {
    const res = await request(app)
      .post('/v1/cases')
      .set(bearer(KEYS.handler))
      .set('Content-Type', 'application/json')
      .send('{"policyNumber": ');
    expectProblem(res, 400, 'malformed_json');
  });

  it('the wrong content type is a 415', async () => {
    const res = await request(app)
      .post('/v1/cases')
      .set(bearer(KEYS.handler))
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(reportBody('PL-1')));
    expectProblem(res, 415, 'unsupported_media_type');
  });

  it('a missing body is a 400 naming the root', async () => {
    const res = await request(app).post('/v1/cases').set(bearer(KEYS.handler));
    expectProblem(res, 400, 'validation');
  });

  it.each([
    ['an unknown field', { extra: 1 }, '/extra', 'unrecognized_key'],
    ['a wrong type', { affectedPersons: 'many' }, '/affectedPersons', 'invalid_type'],
    ['a negative count', { affectedPersons: -1 }, '/affectedPersons', 'too_small'],
    ['an absurd count', { affectedPersons: 10_000_000_000 }, '/affectedPersons', 'too_big'],
    ['an unknown cause', { cause: 'aliens' }, '/cause', 'invalid_value'],
    ['an unknown data item', { dataItems: ['name', 'horoscope'] }, '/dataItems/1', 'invalid_value'],
    ['an unknown residency key', { residency: { MARS: 3 } }, '/residency/MARS', 'unrecognized_key'],
    ['a date without offset', { discoveredAt: '2026-01-01T00:00:00' }, '/discoveredAt', 'invalid_format'],
    ['an impossible date', { discoveredAt: '2026-02-30T00:00:00Z' }, '/discoveredAt', 'invalid_format'],
    ['occurrence after discovery', { occurredAt: new Date(Date.now() - 60_000).toISOString() }, '/occurredAt', 'custom'],
    ['discovery in the future', { discoveredAt: new Date(Date.now() + 86_400_000).toISOString(), occurredAt: undefined }, '/discoveredAt', 'future_date'],
    ['a bad e-mail in the contact', { contact: { name: 'x', email: 'not-mail' } }, '/contact/email', 'invalid_format'],
  ])('%s is a 400 naming the field and rule', async (_label, override, path, code) => {
    const res = await post(reportBody('PL-1', override));
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, code, in: 'body' })]));
    expect(res.body.detail).toContain(path);
  });

  it('an unknown policy is a 422 naming it, and so is another insured’s policy', async () => {
    const res = await post(reportBody('PL-UNKNOWN'));
    expectProblem(res, 422, 'unknown_policy');
    expect(res.body.detail).toContain('PL-UNKNOWN');
    expect(res.body.errors[0].path).toBe('/policyNumber');

    fake.addPolicy('PL-OTHER', 'ins-002');
    const res2 = await request(app).post('/v1/cases').set(bearer(KEYS.insured1)).send(reportBody('PL-OTHER'));
    expectProblem(res2, 422, 'unknown_policy');
  });

  it('bad query parameters are a 400 naming the parameter', async () => {
    const res = await request(app).get('/v1/cases?status=sleeping&pageSize=1000').set(bearer(KEYS.ops));
    expectProblem(res, 400, 'validation');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/status', '/pageSize']));
    expect(res.body.errors[0].in).toBe('query');
  });

  it('an action body is validated against its schema', async () => {
    fake.addCase('C123', 'ins-001');
    const res = await request(app)
      .post('/v1/cases/C123/actions/decide-coverage')
      .set(bearer(KEYS.handler))
      .send({ decision: 'maybe', reason: '' });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['/decision', '/reason']));
    expect(fake.calls.command).toHaveLength(0);
  });
});

describe('authentication and roles', () => {
  it('no key is a 401 with a challenge; an unknown key too', async () => {
    const res = await request(app).get('/v1/cases');
    expectProblem(res, 401, 'unauthenticated');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expectProblem(await request(app).get('/v1/cases').set(bearer('key-nobody-0123456789abcdef')), 401, 'unauthenticated');
    expectProblem(await request(app).get('/v1/cases').set('Authorization', `Basic ${KEYS.ops}`), 401, 'unauthenticated');
  });

  it.each([
    ['ops files an incident', 'post', '/v1/cases', KEYS.ops],
    ['supervisor files an incident', 'post', '/v1/cases', KEYS.supervisor],
    ['handler writes a policy', 'put', '/v1/policies/PL-1', KEYS.handler],
    ['insured writes a policy', 'put', '/v1/policies/PL-1', KEYS.insured1],
    ['insured reads the dashboard', 'get', '/v1/dashboard/summary', KEYS.insured1],
    ['ops runs an action', 'post', '/v1/cases/C123/actions/close', KEYS.ops],
    ['admin runs an action', 'post', '/v1/cases/C123/actions/assign', KEYS.admin],
    ['insured approves a payout', 'post', '/v1/cases/C123/actions/approve-payout', KEYS.insured1],
    ['ops uploads persons', 'put', '/v1/cases/C123/affected-persons', KEYS.ops],
  ])('%s is a 403 before anything reaches Temporal', async (_label, method, path, key) => {
    const res = await (request(app) as unknown as Record<string, (p: string) => request.Test>)[method]!(path)
      .set(bearer(key))
      .send({});
    expectProblem(res, 403, 'forbidden');
    expect(fake.calls.command).toHaveLength(0);
    expect(fake.workflows.size).toBe(0);
  });

  it('an insured reading another insured’s case gets a 404, same as a missing case', async () => {
    fake.addCase('C222', 'ins-002');
    expectProblem(await request(app).get('/v1/cases/C222').set(bearer(KEYS.insured1)), 404, 'not_found');
    expectProblem(await request(app).get('/v1/cases/C222/timeline').set(bearer(KEYS.insured1)), 404, 'not_found');
    expect((await request(app).get('/v1/cases/C222').set(bearer(KEYS.insured2))).status).toBe(200);
  });

  it('reads a case from its read model: no query, an ETag naming the version, 304 until the case changes', async () => {
    fake.addCase('C778', 'ins-001', { assignedTo: null });
    const first = await request(app).get('/v1/cases/C778').set(bearer(KEYS.handler));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ caseId: 'C778', version: 1, updatedAt: '2026-12-01T00:00:00.000Z' });
    expect(first.headers.etag).toBe('"C778.v1"');
    const again = await request(app).get('/v1/cases/C778').set(bearer(KEYS.supervisor)).set('If-None-Match', first.headers.etag!);
    expect(again.status).toBe(304);
    // Pollers share one describe while this process has not changed the case (within the poll TTL).
    expect(fake.calls.describe.filter((d) => d.workflowId === 'case-C778')).toHaveLength(1);
    // The insured's shape of the same version is another body, under another ETag.
    const insured = await request(app).get('/v1/cases/C778').set(bearer(KEYS.insured1));
    expect(insured.status).toBe(200);
    expect(insured.body).toMatchObject({ version: 1 });
    expect(insured.body).not.toHaveProperty('reserve');
    expect(insured.headers.etag).toBe('"C778.v1.insured"');
    fake.onCommand = () => Promise.resolve({ view: { caseId: 'C778', insuredId: 'ins-001', status: 'reported', assignedTo: 'handler' } });
    const assigned = await request(app).post('/v1/cases/C778/actions/assign').set(bearer(KEYS.handler)).send({ assignee: 'handler' });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ assignedTo: 'handler', version: 2 });
    const after = await request(app).get('/v1/cases/C778').set(bearer(KEYS.handler)).set('If-None-Match', first.headers.etag!);
    expect(after.status).toBe(200);
    expect(after.headers.etag).toBe('"C778.v2"');
    expect(fake.calls.query.filter((q) => q.workflowId === 'case-C778')).toEqual([]);
  });

  it('serves pollers of one case from before the read model from one query until it changes through this process', async () => {
    fake.addCase('C777', 'ins-001', { assignedTo: null }, { readModel: false });
    const views = () => fake.calls.query.filter((q) => q.workflowId === 'case-C777' && q.name === 'view').length;
    const first = await request(app).get('/v1/cases/C777').set(bearer(KEYS.handler));
    const second = await request(app).get('/v1/cases/C777').set(bearer(KEYS.supervisor));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(views()).toBe(1);
    // Another insured still gets a 404 from the shared read.
    expect((await request(app).get('/v1/cases/C777').set(bearer(KEYS.insured2))).status).toBe(404);
    fake.onCommand = () => Promise.resolve({ view: { caseId: 'C777', insuredId: 'ins-001', assignedTo: 'handler' } });
    fake.workflows.get('case-C777')!.view = { caseId: 'C777', insuredId: 'ins-001', status: 'reported', assignedTo: 'handler' };
    expect((await request(app).post('/v1/cases/C777/actions/assign').set(bearer(KEYS.handler)).send({ assignee: 'handler' })).status).toBe(200);
    // The command went through this process: the next read is fresh.
    const after = await request(app).get('/v1/cases/C777').set(bearer(KEYS.handler));
    expect(after.body.assignedTo).toBe('handler');
    expect(views()).toBe(2);
  });

  it('assign checks the assignee against the principal directory', async () => {
    fake.addCase('C123', 'ins-001');
    const res = await request(app).post('/v1/cases/C123/actions/assign').set(bearer(KEYS.handler)).send({ assignee: 'nobody' });
    expectProblem(res, 422, 'unknown_assignee');
    fake.onCommand = () => Promise.resolve({ view: { caseId: 'C123', assignedTo: 'supervisor' } });
    const assign = () =>
      request(app).post('/v1/cases/C123/actions/assign').set(bearer(KEYS.handler)).set('Idempotency-Key', 'k-1').send({ assignee: 'supervisor' });
    const ok = await assign();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ assignedTo: 'supervisor' });
    expect(fake.calls.command).toHaveLength(1);
    expect(fake.calls.command[0]).toMatchObject({
      action: 'assign',
      commandId: 'handler:assign:k-1',
      request: { actor: { name: 'handler', role: 'handler' }, body: { assignee: 'supervisor' } },
    });
    // The same key again is answered from the recorded outcome; the case is not sent the command twice.
    const again = await assign();
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ assignedTo: 'supervisor' });
    expect(fake.calls.command).toHaveLength(1);
  });

  it('verifies OIDC bearer tokens against the JWKS and maps role and insured claims', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const deps = await fakeDeps(fake, {
      env: { OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'breach-claims' },
      oidcKeySet: createLocalJWKSet({ keys: [jwk] }),
    });
    const oidcApp = buildApp(deps);
    const token = (claims: Record<string, unknown>, aud = 'breach-claims') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer('https://idp.example')
        .setAudience(aud)
        .setSubject('user-1')
        .setExpirationTime('5m')
        .sign(privateKey);
    fake.addCase('C111', 'ins-001');
    const ok = await request(oidcApp).get('/v1/cases/C111').set(bearer(await token({ roles: ['insured'], insured_id: 'ins-001' })));
    expect(ok.status).toBe(200);
    const other = await request(oidcApp).get('/v1/cases/C111').set(bearer(await token({ roles: ['insured'], insured_id: 'ins-002' })));
    expectProblem(other, 404, 'not_found');
    const wrongAud = await request(oidcApp).get('/v1/cases/C111').set(bearer(await token({ roles: ['ops'] }, 'someone-else')));
    expectProblem(wrongAud, 401, 'unauthenticated');
    const noRole = await request(oidcApp).get('/v1/cases/C111').set(bearer(await token({ roles: ['janitor'] })));
    expectProblem(noRole, 401, 'unauthenticated');
  });
});

describe('rate limits', () => {
  it('limits each principal separately and answers 429 as a problem', async () => {
    const limited = buildApp(await fakeDeps(fake, { env: { RATE_LIMIT_PER_MINUTE: '3' } }));
    for (let i = 0; i < 3; i++) expect((await request(limited).get('/v1/cases').set(bearer(KEYS.ops))).status).toBe(200);
    const res = await request(limited).get('/v1/cases').set(bearer(KEYS.ops));
    expectProblem(res, 429, 'rate_limited');
    expect(res.headers['ratelimit-policy'] ?? res.headers['ratelimit']).toBeDefined();
    expect((await request(limited).get('/v1/cases').set(bearer(KEYS.handler))).status).toBe(200);
    // Probes are never limited.
    expect((await request(limited).get('/healthz')).status).toBe(200);
  });
});

describe('polling: ETag and 304', () => {
  it('answers a matching If-None-Match with 304 before any backend call while nothing changed', async () => {
    const first = await request(app).get('/v1/dashboard/summary').set(bearer(KEYS.ops));
    expect(first.status).toBe(200);
    expect(first.headers['etag']).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers['cache-control']).toMatch(/no-cache|must-revalidate/);
    expect(first.body).toMatchObject({ total: 0, byStatus: { reported: 0 }, bySeverity: { low: 0 }, dueNext24h: 0 });
    const callsAfterFirst = fake.calls.count;
    expect(callsAfterFirst).toBeGreaterThan(0);

    const second = await request(app)
      .get('/v1/dashboard/summary')
      .set(bearer(KEYS.handler))
      .set('If-None-Match', first.headers['etag']!);
    expect(second.status).toBe(304);
    expect(second.headers['etag']).toBe(first.headers['etag']);
    expect(fake.calls.count).toBe(callsAfterFirst);

    // A change made through this API invalidates the cached answer at once.
    fake.addPolicy('PL-1', 'ins-001');
    const created = await request(app).post('/v1/cases').set(bearer(KEYS.handler)).send(reportBody('PL-1'));
    expect(created.status).toBe(201);
    const third = await request(app)
      .get('/v1/dashboard/summary')
      .set(bearer(KEYS.ops))
      .set('If-None-Match', first.headers['etag']!);
    expect(third.status).toBe(200);
    expect(fake.calls.count).toBeGreaterThan(callsAfterFirst);
    expect(third.headers['etag']).not.toBe(first.headers['etag']);
  });

  it('the case list is polled the same way, and an insured’s list is forced to its own cases', async () => {
    const first = await request(app).get('/v1/cases?status=reported').set(bearer(KEYS.insured1));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ items: [], nextPageToken: null });
    const again = await request(app)
      .get('/v1/cases?status=reported')
      .set(bearer(KEYS.insured1))
      .set('If-None-Match', first.headers['etag']!);
    expect(again.status).toBe(304);
    expect(fake.calls.list).toBe(1);
    const foreign = await request(app).get('/v1/cases?insuredId=ins-002').set(bearer(KEYS.insured1));
    expect(foreign.body.items).toEqual([]);
    expect(fake.calls.list).toBe(1);
  });
});

describe('closed cases (fake Temporal)', () => {
  // Seen in the chaos soak: a case closed normally, but its history no longer replayed (sdk-rust #1146 after a
  // worker SIGKILL), so every query of it failed and GET answered 500 for good. A closed case is read from its result.
  it('reads a closed case from its read model with every query failing, tenant check included', async () => {
    fake.addCase('C124', 'ins-001', { status: 'closed' });
    const wf = fake.workflows.get('case-C124')!;
    wf.status = 'COMPLETED';
    wf.queryError = new Error('[TMPRL1100] Nondeterminism error: Update machine does not handle this event');
    const view = await request(app).get('/v1/cases/C124').set(bearer(KEYS.handler));
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ caseId: 'C124', status: 'closed', version: 1 });
    expect((await request(app).get('/v1/cases/C124/timeline').set(bearer(KEYS.insured1))).status).toBe(200);
    expectProblem(await request(app).get('/v1/cases/C124').set(bearer(KEYS.insured2)), 404, 'not_found');
    expectProblem(await request(app).get('/v1/cases/C124/timeline').set(bearer(KEYS.insured2)), 404, 'not_found');
    expect(fake.calls.query).toEqual([]);
  });

  it('reads a closed case from before the read model from its result when its history no longer replays, tenant check included', async () => {
    fake.addCase('C123', 'ins-001', {}, { readModel: false });
    const wf = fake.workflows.get('case-C123')!;
    wf.status = 'COMPLETED';
    wf.queryError = new Error('[TMPRL1100] Nondeterminism error: Update machine does not handle this event');
    const timeline = [{ at: '2026-01-01T00:00:00.000Z', type: 'status', actor: 'handler', summary: 'settlement → closed: done' }];
    wf.result = { caseId: 'C123', status: 'closed', view: { ...wf.view, status: 'closed' }, timeline };

    const view = await request(app).get('/v1/cases/C123').set(bearer(KEYS.handler));
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ caseId: 'C123', insuredId: 'ins-001', status: 'closed' });
    const tl = await request(app).get('/v1/cases/C123/timeline').set(bearer(KEYS.insured1));
    expect(tl.status).toBe(200);
    expect(tl.body).toEqual(timeline);
    expectProblem(await request(app).get('/v1/cases/C123').set(bearer(KEYS.insured2)), 404, 'not_found');
  });

  it('still fails a failing query of a case that ended before its result carried the view', async () => {
    fake.addCase('C123', 'ins-001', {}, { readModel: false });
    const wf = fake.workflows.get('case-C123')!;
    wf.status = 'COMPLETED';
    wf.queryError = new Error('query failed');
    wf.result = { caseId: 'C123', status: 'closed' };
    const quick = buildApp(await fakeDeps(fake, { limits: { firstViewTimeoutMs: 100 } }));
    expect((await request(quick).get('/v1/cases/C123').set(bearer(KEYS.handler))).status).toBe(500);
  });
});

describe('idempotent create (fake Temporal)', () => {
  it('same key and body answer the same case; same key and another body is a 409', async () => {
    fake.addPolicy('PL-1', 'ins-001');
    const body = reportBody('PL-1');
    const a = await request(app).post('/v1/cases').set(bearer(KEYS.insured1)).set('Idempotency-Key', 'abc').send(body);
    expect(a.status).toBe(201);
    expect(a.headers['location']).toMatch(/^\/v1\/cases\/C[A-Z2-7]{26}$/);
    const b = await request(app).post('/v1/cases').set(bearer(KEYS.insured1)).set('Idempotency-Key', 'abc').send(body);
    expect(b.status).toBe(200);
    expect(b.headers['location']).toBe(a.headers['location']);
    const c = await request(app)
      .post('/v1/cases')
      .set(bearer(KEYS.insured1))
      .set('Idempotency-Key', 'abc')
      .send({ ...body, affectedPersons: 5 });
    expectProblem(c, 409, 'idempotency_conflict');
    const start = fake.workflows.get(`case-${a.headers['location']!.split('/').pop()}`)!;
    expect(start.input).toMatchObject({ reportedBy: { name: 'insured-ins-001', role: 'insured', insuredId: 'ins-001' } });
  });
});

describe('vendor webhooks', () => {
  const event = { type: 'acknowledged', eventId: 'ev-1', caseId: 'C123', at: new Date().toISOString(), dispatchId: 'd-1' };

  it('refuses a bad or missing signature with 401 and changes nothing', async () => {
    fake.addCase('C123', 'ins-001');
    const raw = JSON.stringify(event);
    const now = Math.floor(Date.now() / 1000);
    for (const header of [undefined, 't=1,v1=zz', signWebhook('wrong-secret', raw, now), signWebhook('whsec-new', raw, now - 3600)]) {
      const req = request(app).post('/v1/webhooks/vendors/forensics-a').set('Content-Type', 'application/json');
      if (header) req.set('BC-Signature', header);
      expectProblem(await req.send(raw), 401, 'signature_invalid');
    }
    const unknownVendor = await request(app)
      .post('/v1/webhooks/vendors/nobody')
      .set('Content-Type', 'application/json')
      .set('BC-Signature', signWebhook('whsec-new', raw, now))
      .send(raw);
    expectProblem(unknownVendor, 401, 'signature_invalid');
    expect(fake.calls.command).toHaveLength(0);
    expect(fake.calls.signal).toHaveLength(0);
  });

  it('accepts a signed event (old or new secret) as a signal to the case, and a redelivery again', async () => {
    fake.addCase('C123', 'ins-001');
    // Whitespace that a re-serialisation would lose: the signature is over the exact bytes.
    const raw = JSON.stringify(event, null, 2);
    for (const secret of ['whsec-old', 'whsec-new']) {
      const res = await request(app)
        .post('/v1/webhooks/vendors/forensics-a')
        .set('Content-Type', 'application/json')
        .set('BC-Signature', signWebhook(secret, raw, Math.floor(Date.now() / 1000)))
        .send(raw);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ accepted: true });
    }
    // No Update any more (sdk-rust #943/#1146): the case de-duplicates the redelivery by event id.
    expect(fake.calls.command).toHaveLength(0);
    expect(fake.calls.signal).toHaveLength(2);
    expect(fake.calls.signal[0]).toMatchObject({ workflowId: 'case-C123', name: 'vendor-event-signal' });
    expect(fake.calls.signal[0]!.args[0]).toMatchObject({ eventId: 'ev-1', vendorId: 'forensics-a', type: 'acknowledged', dispatchId: 'd-1' });
    // Each delivery is signed for the case when it is sent; apart from the signature's time, the redelivery is the same.
    const unsigned = (args: unknown[]) => {
      const { proof, ...event } = args[0] as VendorEventInput;
      expect(proof).toMatchObject({ kid: testSigner.trustedKeys[0]!.kid, sig: expect.stringMatching(/^[0-9a-f]{128}$/) });
      return event;
    };
    expect(unsigned(fake.calls.signal[1]!.args)).toEqual(unsigned(fake.calls.signal[0]!.args));
  });

  it('answers 404 for a case that does not exist or is closed', async () => {
    fake.addCase('C123', 'ins-001');
    fake.workflows.get('case-C123')!.status = 'COMPLETED';
    for (const caseId of ['C123', 'C999']) {
      const raw = JSON.stringify({ ...event, caseId });
      const res = await request(app)
        .post('/v1/webhooks/vendors/forensics-a')
        .set('Content-Type', 'application/json')
        .set('BC-Signature', signWebhook('whsec-new', raw, Math.floor(Date.now() / 1000)))
        .send(raw);
      expectProblem(res, 404, 'not_found');
    }
    expect(fake.calls.signal).toHaveLength(0);
  });

  it('passes a print vendor’s returned letters on to the case with their batch and count, and refuses a count of none', async () => {
    fake.addCase('C123', 'ins-001');
    const returned = { type: 'letters_returned', eventId: 'ev-ret-1', caseId: 'C123', at: new Date().toISOString(), batchId: 'C123-1-0', count: 3 };
    const send = (body: unknown) => {
      const raw = JSON.stringify(body);
      return request(app)
        .post('/v1/webhooks/vendors/forensics-a')
        .set('Content-Type', 'application/json')
        .set('BC-Signature', signWebhook('whsec-new', raw, Math.floor(Date.now() / 1000)))
        .send(raw);
    };
    expect((await send(returned)).status).toBe(202);
    expect(fake.calls.signal).toHaveLength(1);
    expect(fake.calls.signal[0]!.args[0]).toMatchObject({ eventId: 'ev-ret-1', vendorId: 'forensics-a', type: 'letters_returned', batchId: 'C123-1-0', count: 3 });
    expectProblem(await send({ ...returned, eventId: 'ev-ret-2', count: 0 }), 400, 'validation');
    expectProblem(await send({ ...returned, eventId: 'ev-ret-3', batchId: undefined }), 400, 'validation');
    expect(fake.calls.signal).toHaveLength(1);
  });

  it('a signed body that is not a vendor event is a 400', async () => {
    const raw = JSON.stringify({ type: 'party', eventId: 'x' });
    const res = await request(app)
      .post('/v1/webhooks/vendors/forensics-a')
      .set('Content-Type', 'application/json')
      .set('BC-Signature', signWebhook('whsec-new', raw, Math.floor(Date.now() / 1000)))
      .send(raw);
    expectProblem(res, 400, 'validation');
  });
});

describe('affected-person upload (HTTP side)', () => {
  it('refuses the wrong content type (415), an over-long body by header (413) and while streaming (413)', async () => {
    fake.addCase('C123', 'ins-001');
    const small = buildApp(await fakeDeps(fake, { limits: { uploadMaxBytes: 64 } }));
    const url = '/v1/cases/C123/affected-persons';
    expectProblem(await request(small).put(url).set(bearer(KEYS.handler)).set('Content-Type', 'application/json').send('{}'), 415, 'unsupported_media_type');
    const csv = `name,email\n${'山田,taro@example.jp\n'.repeat(10)}`;
    expectProblem(await request(small).put(url).set(bearer(KEYS.handler)).set('Content-Type', 'text/csv').send(csv), 413, 'payload_too_large');

    // No Content-Length: the limit must hold while the body streams in.
    const res = await chunkedPut(small, url, KEYS.handler, [csv.slice(0, 40), csv.slice(40)]);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(fake.calls.command).toHaveLength(0);
  });

  it('stores a valid list, attaches it by reference and reports row problems without values', async () => {
    fake.addCase('C123', 'ins-001');
    fake.onCommand = () => Promise.resolve({ view: { caseId: 'C123', status: 'triage' } });
    const csv = 'name,email,postal_address\n山田 太郎,taro@example.jp,\n,nobody@example.jp,\n鈴木 花子,not-an-email,\n';
    const res = await request(app)
      .put('/v1/cases/C123/affected-persons')
      .set(bearer(KEYS.insured1))
      .set('Content-Type', 'text/csv')
      .send(csv);
    expect(res.status).toBe(200);
    expect(res.body.ref).toMatchObject({ total: 3, accepted: 1, rejected: 2, withEmail: 1 });
    expect(res.body.errorCount).toBe(2);
    expect(res.body.errors).toEqual([
      { row: 3, column: 'name', reason: 'required' },
      { row: 4, column: 'email', reason: 'invalid_email' },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('not-an-email');
    const attach = fake.calls.command[0]!;
    expect(attach.action).toBe('attach-affected-persons');
    expect(attach.commandId).toBe(`persons:${res.body.ref.uploadId}`);
    expect(JSON.stringify(attach)).not.toContain('taro@example.jp');

    const none = await request(app)
      .put('/v1/cases/C123/affected-persons')
      .set(bearer(KEYS.handler))
      .set('Content-Type', 'text/csv')
      .send('name,email\n,\n');
    expectProblem(none, 422, 'persons_rejected');
    expectProblem(
      await request(app).put('/v1/cases/C123/affected-persons').set(bearer(KEYS.insured2)).set('Content-Type', 'text/csv').send(csv),
      404,
      'not_found',
    );
  });
});

describe('operations endpoints and logs', () => {
  it('healthz, readyz (503 when Temporal is slow) and metrics by route template', async () => {
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(app).get('/readyz')).status).toBe(200);
    fake.addCase('C123', 'ins-001');
    await request(app).get('/v1/cases/C123').set(bearer(KEYS.ops));
    const metrics = await request(app).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/http_requests_total\{method="GET",route="\/v1\/cases\/:caseId",status="200"\} 1/);
    expect(metrics.text).toContain('http_request_duration_seconds_bucket');
    expect(metrics.text).not.toContain('C123');

    const withExtra = buildApp(await fakeDeps(fake, { extraMetrics: () => Promise.resolve('temporal_worker_task_slots_available 5') }));
    expect((await request(withExtra).get('/metrics')).text).toContain('temporal_worker_task_slots_available 5');

    fake.systemInfoDelayMs = 2500;
    const slow = await request(app).get('/readyz');
    expect(slow.status).toBe(503);
  });

  it('never logs keys, contacts or request bodies', async () => {
    const { logger, lines } = captureLogger();
    const logged = buildApp(await fakeDeps(fake, { logger }));
    fake.addPolicy('PL-1', 'ins-001');
    await request(logged).post('/v1/cases').set(bearer(KEYS.handler)).set('Idempotency-Key', 'secret-idem').send(reportBody('PL-1'));
    await request(logged).get('/v1/cases').set(bearer('key-wrong-0123456789abcdef'));
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(0);
    expect(text).toContain('"principal":"handler"');
    for (const secret of [KEYS.handler, 'key-wrong-0123456789abcdef', 'yamada@example.co.jp', '山田', 'secret-idem']) {
      expect(text).not.toContain(secret);
    }
  });
});
