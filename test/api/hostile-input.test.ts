/**
 * Regressions for what the schemathesis run (test/security/fuzz.test.ts, bench/fuzz/run.sh) found, each pinned here
 * against the app over a fake Temporal client so they run in milliseconds.
 */
import type { Express } from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { unwrapPageToken, wrapPageToken } from '../../api/visibility.js';
import { policyBody, reportBody } from '../support/fixtures.js';
import { FakeTemporal, KEYS, bearer, fakeDeps } from './fake-temporal.js';

let fake: FakeTemporal;
let app: Express;

beforeEach(async () => {
  fake = new FakeTemporal();
  fake.addPolicy('PL-1', 'ins-001');
  app = buildApp(await fakeDeps(fake));
});

function expectProblem(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: `/docs#problem-${code}` });
}

describe('found by the fuzz run', () => {
  it('an empty date in a policy is a 400 naming the field, not a 500 from the cross-field rule', async () => {
    for (const field of ['retroactiveDate', 'periodStart', 'periodEnd']) {
      const res = await request(app).put('/v1/policies/PL-1').set(bearer(KEYS.admin)).send(policyBody({ [field]: '' }));
      expectProblem(res, 400, 'validation');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(`/${field}`);
    }
    const res = await request(app).put('/v1/policies/PL-1').set(bearer(KEYS.admin)).send(policyBody({ categories: null }));
    expectProblem(res, 400, 'validation');
  });

  it('an empty occurredAt or discoveredAt in a report is a 400, not a 500', async () => {
    for (const field of ['occurredAt', 'discoveredAt']) {
      const res = await request(app).post('/v1/cases').set(bearer(KEYS.handler)).send({ ...reportBody('PL-1'), [field]: '' });
      expectProblem(res, 400, 'validation');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(`/${field}`);
    }
  });

  it('an Idempotency-Key over 200 characters is refused on every command, also where the key is not used', async () => {
    const long = 'k'.repeat(201);
    const put = await request(app).put('/v1/policies/PL-1').set(bearer(KEYS.admin)).set('Idempotency-Key', long).send(policyBody());
    expectProblem(put, 400, 'validation');
    expect(put.body.errors[0]).toMatchObject({ path: '/Idempotency-Key', in: 'header' });
    const ok = await request(app).put('/v1/policies/PL-1').set(bearer(KEYS.admin)).set('Idempotency-Key', 'k'.repeat(200)).send(policyBody());
    expect(ok.status).toBeLessThan(300);
  });

  it('an undeclared method on a known path is a 405 problem with Allow; an unknown path stays a 404', async () => {
    const trace = await request(app).trace('/v1/cases').set(bearer(KEYS.ops));
    expectProblem(trace, 405, 'method_not_allowed');
    expect(trace.headers['allow']).toBe('GET, HEAD, POST');
    const del = await request(app).delete('/v1/cases/C123/actions/close').set(bearer(KEYS.ops));
    expectProblem(del, 405, 'method_not_allowed');
    expect(del.headers['allow']).toBe('POST');
    const patch = await request(app).patch('/v1/policies/PL-1').set(bearer(KEYS.ops));
    expect(patch.headers['allow']).toBe('GET, HEAD, PUT');
    expectProblem(await request(app).trace('/v1/nothing').set(bearer(KEYS.ops)), 404, 'not_found');
  });

  it('a page token we did not hand out is refused at once, without asking Temporal (which would retry ~20 s)', async () => {
    const forged = await request(app).get('/v1/cases?pageToken=AAAA.BBBB').set(bearer(KEYS.ops));
    expectProblem(forged, 400, 'validation');
    expect(forged.body.errors[0]).toMatchObject({ path: '/pageToken', code: 'invalid_page_token' });
    expect(fake.calls.list).toBe(0);
    // A real token is bound to the filters it continues.
    const token = wrapPageToken("WorkflowType = 'incidentCase'", new Uint8Array([1, 2, 3]));
    expect(unwrapPageToken("WorkflowType = 'incidentCase'", token)).toEqual(Buffer.from([1, 2, 3]));
    expect(unwrapPageToken("WorkflowType = 'incidentCase' AND CaseStatus = 'closed'", token)).toBeUndefined();
    const other = await request(app).get(`/v1/cases?status=closed&pageToken=${token}`).set(bearer(KEYS.ops));
    expectProblem(other, 400, 'validation');
    const same = await request(app).get(`/v1/cases?pageToken=${token}`).set(bearer(KEYS.ops));
    expect(same.status).toBe(200);
    expect(fake.calls.list).toBe(1);
  });

  it('every operation that takes an Idempotency-Key documents the 400 a malformed one gets', async () => {
    const doc = (await request(app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>>;
    };
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.parameters?.some((p) => p.name === 'Idempotency-Key') && !op.responses['400']) missing.push(`${method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
    const upload = await request(app)
      .put('/v1/cases/C123/affected-persons')
      .set(bearer(KEYS.handler))
      .set('Idempotency-Key', 'k'.repeat(201))
      .set('Content-Type', 'text/csv')
      .send('name,email\n');
    expectProblem(upload, 400, 'validation');
  });
});

