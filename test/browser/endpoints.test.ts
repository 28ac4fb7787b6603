/**
 * The pages use only the public API: every `/v1/...` path in their scripts is a path of `/openapi.json`. Also checks
 * what the CSP demands of the HTML (no inline script, no inline handler, no inline style) and that the pages are
 * served without becoming API routes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { PAGES_DIR } from '../../api/pages.js';
import { FakeTemporal, KEYS, bearer, fakeDeps } from '../api/fake-temporal.js';

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith(ext))
    .map((d) => join(d.parentPath, d.name));
}

/** `/v1/...` paths in string and template literals; `/${expr}` becomes a path parameter, other `${expr}` a query. */
export function apiPathsIn(source: string): string[] {
  const out = new Set<string>();
  const add = (raw: string) => out.add(raw.replace(/[?#].*$/, ''));
  for (const m of source.matchAll(/['"](\/v1\/[^'"\s]*)/g)) add(m[1]!);
  // Template literals: walk to the closing backtick, skipping over `${...}` with nested braces.
  for (let i = source.indexOf('`/v1/'); i !== -1; i = source.indexOf('`/v1/', i + 1)) {
    let path = '';
    let j = i + 1;
    while (j < source.length && source[j] !== '`') {
      if (source.startsWith('${', j)) {
        let depth = 0;
        let k = j + 1;
        for (; k < source.length; k += 1) {
          if (source[k] === '{') depth += 1;
          else if (source[k] === '}' && --depth === 0) break;
        }
        path += path.endsWith('/') ? '{x}' : '';
        j = k + 1;
      } else {
        path += source[j];
        j += 1;
      }
    }
    add(path);
  }
  return [...out];
}

function matches(path: string, template: string): boolean {
  const a = path.split('/');
  const b = template.split('/');
  return a.length === b.length && a.every((seg, i) => seg === b[i] || seg === '{x}' || /^\{.+\}$/.test(b[i]!));
}

let app: Express;
let documented: string[];
beforeAll(async () => {
  app = buildApp(await fakeDeps(new FakeTemporal()));
  documented = Object.keys(((await request(app).get('/openapi.json')).body as { paths: Record<string, unknown> }).paths);
});

describe('the pages and the public API', () => {
  it('call no endpoint that /openapi.json lacks', () => {
    const scripts = files(PAGES_DIR, '.js');
    expect(scripts.length).toBeGreaterThanOrEqual(5);
    const used = scripts.flatMap((f) => apiPathsIn(readFileSync(f, 'utf8')).map((p) => ({ file: f, path: p })));
    for (const p of [
      '/v1/me',
      '/v1/vocabulary',
      '/v1/dashboard/summary',
      '/v1/cases',
      '/v1/cases/{x}/affected-persons',
      // the handler's desk: the queue, notes, documents (list, upload, download) and the policy's usage
      '/v1/work',
      '/v1/cases/{x}/notes',
      '/v1/cases/{x}/documents',
      '/v1/cases/{x}/documents/{x}',
      '/v1/policies/{x}',
    ]) {
      expect(used.map((u) => u.path)).toContain(p);
    }
    const unknown = used.filter((u) => !documented.some((t) => matches(u.path, t)));
    expect(unknown).toEqual([]);
  });

  it('the scanner sees template paths as parameters', () => {
    expect(apiPathsIn('api(`/v1/cases/${encodeURIComponent(id)}/actions/${action}`); get(`/v1/cases${query(q)}`)')).toEqual([
      '/v1/cases/{x}/actions/{x}',
      '/v1/cases',
    ]);
    expect(documented.some((t) => matches('/v1/cases/{x}/actions/{x}', t))).toBe(true);
    expect(documented.some((t) => matches('/v1/nope/{x}', t))).toBe(false);
  });

  it('HTML has no inline script, handler or style (Helmet’s CSP forbids them)', () => {
    for (const f of files(PAGES_DIR, '.html')) {
      const html = readFileSync(f, 'utf8');
      expect(html, f).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html, f).not.toMatch(/\son[a-z]+\s*=/i);
      expect(html, f).not.toMatch(/<style|\sstyle\s*=/i);
      expect(html, f).not.toMatch(/https?:\/\//);
    }
  });

  it('serves the pages and assets under the CSP, outside the API routes', async () => {
    for (const path of ['/', '/ui/dashboard', '/ui/report', '/ui/cases/C20260101-ABC']) {
      const r = await request(app).get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type']).toContain('text/html');
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const js = await request(app).get('/ui/assets/common.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect((await request(app).get('/ui/assets/../pages.ts')).status).toBe(404);
    expect((await request(app).get('/ui/cases/..%2F..%2Fapp.ts')).status).toBe(404);
    expect((await request(app).get('/ui/nope')).headers['content-type']).toContain('application/problem+json');
  });

  it('/v1/me names the caller; /v1/vocabulary is public', async () => {
    const me = await request(app).get('/v1/me').set(bearer(KEYS.handler));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: expect.any(String), role: 'handler' });
    expect((await request(app).get('/v1/me')).status).toBe(401);
    const v = await request(app).get('/v1/vocabulary');
    expect(v.status).toBe(200);
    expect(v.body.dataItemGroups).toEqual(['basic', 'attributes', 'physical', 'genetic', 'behavioural']);
    expect(v.body.dataItems.find((i: { code: string }) => i.code === 'genetic')).toMatchObject({ group: 'genetic', labelJa: '遺伝情報' });
  });
});
