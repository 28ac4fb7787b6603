import type { Express } from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { ACTIONS, ROLES } from '../../domain/vocabulary.js';
import { FakeTemporal, fakeDeps } from './fake-temporal.js';

/** Every method + path Express will actually serve, read from the router itself. */
function expressRoutes(app: Express): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const walk = (stack: unknown[]): void => {
    for (const layer of stack as { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }[]) {
      if (layer.route) {
        for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push({ method: m, path: layer.route.path });
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: unknown[] } }).router.stack);
  return out;
}

let app: Express;
let doc: {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; 'x-roles'?: string[] }>>;
  components: { schemas: Record<string, unknown> };
};

beforeAll(async () => {
  app = buildApp(await fakeDeps(new FakeTemporal()));
  doc = (await request(app).get('/openapi.json')).body;
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and documents every route Express serves', () => {
    expect(doc.openapi).toBe('3.1.0');
    const routes = expressRoutes(app);
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter((r) => !doc.paths[r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[r.method]);
    expect(missing).toEqual([]);
  });

  it('covers the contract’s endpoints, each action with its own body schema', () => {
    const expected = [
      ['put', '/v1/policies/{policyNumber}'],
      ['get', '/v1/policies/{policyNumber}'],
      ['post', '/v1/cases'],
      ['get', '/v1/cases'],
      ['get', '/v1/cases/{caseId}'],
      ['get', '/v1/cases/{caseId}/timeline'],
      ['put', '/v1/cases/{caseId}/affected-persons'],
      ['post', '/v1/webhooks/vendors/{vendorId}'],
      ['get', '/v1/dashboard/summary'],
      ['get', '/healthz'],
      ['get', '/readyz'],
      ['get', '/metrics'],
      ['get', '/openapi.json'],
      ['get', '/docs'],
      ...ACTIONS.map((a) => ['post', `/v1/cases/{caseId}/actions/${a}`]),
    ];
    for (const [method, path] of expected) expect(doc.paths[path!]?.[method!], `${method} ${path}`).toBeDefined();
    for (const name of ['IncidentReport', 'Policy', 'CaseView', 'Problem', 'AssignBody', 'SubmitCostsBody', 'RecordFilingBody']) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
    const report = doc.components.schemas['IncidentReport'] as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(report.properties)).toEqual(expect.arrayContaining(['policyNumber', 'discoveredAt', 'dataItems', 'contact']));
    expect(report.additionalProperties).toBe(false);
  });

  it('every operation names its roles with the contract’s role names and documents its responses', () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const r of op['x-roles'] ?? []) expect(ROLES).toContain(r);
      }
    }
    expect(doc.paths['/v1/cases/{caseId}/actions/record-filing']!['post']!['x-roles']).toEqual(['insured', 'handler', 'supervisor']);
  });

  it('/docs renders every operation without any external resource', async () => {
    const res = await request(app).get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    for (const methods of Object.values(doc.paths)) {
      for (const op of Object.values(methods)) expect(res.text).toContain(`id="${op.operationId}"`);
    }
    expect(res.text).not.toMatch(/(src|href)="https?:/);
    const script = await request(app).get('/docs/docs.js');
    expect(script.status).toBe(200);
    expect(script.text).toContain('fetch(');
  });
});
