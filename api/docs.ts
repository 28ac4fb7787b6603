/**
 * `/docs`: the OpenAPI document rendered on the server as plain HTML (no CDN: installations may have no internet),
 * with a small same-origin script for "try it" forms, so the default Content-Security-Policy still holds.
 */
import { PROBLEM_TITLES } from './problem.js';
import { problemTitle } from './problem-text.js';

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

type Doc = Record<string, unknown>;

export function docsPage(doc: Doc): string {
  const info = doc['info'] as { title: string; version: string; description: string };
  const paths = doc['paths'] as Record<string, Record<string, Doc>>;
  const ops: string[] = [];
  const toc: string[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const id = esc(op['operationId']);
      const roles = (op['x-roles'] as string[] | undefined)?.join(', ') ?? (path.startsWith('/v1/webhooks') ? 'vendor (signature)' : 'public');
      toc.push(`<li><a href="#${id}"><code>${method.toUpperCase()} ${esc(path)}</code></a> ${esc(op['summary'])}</li>`);
      const params = (op['parameters'] as Doc[] | undefined) ?? [];
      const body = op['requestBody'] as { content: Record<string, { schema: unknown; example?: unknown }> } | undefined;
      const [bodyType, bodyContent] = body ? Object.entries(body.content)[0]! : [undefined, undefined];
      const example =
        bodyContent?.example === undefined
          ? bodyType === 'application/json'
            ? '{}'
            : ''
          : typeof bodyContent.example === 'string'
            ? bodyContent.example
            : JSON.stringify(bodyContent.example, null, 2);
      const responses = Object.entries(op['responses'] as Record<string, Doc>)
        .map(([s, r]) => `<li><code>${esc(s)}</code> ${esc(r['description'])}</li>`)
        .join('');
      ops.push(`
<section class="op" id="${id}" data-method="${esc(method)}" data-path="${esc(path)}" data-content-type="${esc(bodyType ?? '')}">
  <h3><span class="m ${esc(method)}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
  <p>${esc(op['summary'])}${op['description'] ? ` — ${esc(op['description'])}` : ''}</p>
  <p class="roles">Who: ${esc(roles)}</p>
  ${params.length ? `<table><tr><th>parameter</th><th>in</th><th>schema</th></tr>${params.map((p) => `<tr><td><label>${esc(p['name'])}${p['required'] ? ' *' : ''} <input data-param="${esc(p['name'])}" data-in="${esc(p['in'])}"></label></td><td>${esc(p['in'])}</td><td><code>${esc(JSON.stringify(p['schema']))}</code></td></tr>`).join('')}</table>` : ''}
  ${bodyType ? `<details><summary>Body schema (${esc(bodyType)})</summary><pre>${esc(JSON.stringify(bodyContent?.schema, null, 2))}</pre></details><textarea data-body rows="8">${esc(example)}</textarea>` : ''}
  <details><summary>Responses</summary><ul>${responses}</ul></details>
  <button type="button" data-try>Try it</button>
  <pre class="out" data-out></pre>
</section>`);
    }
  }
  const problems = Object.entries(PROBLEM_TITLES)
    .map(
      ([code, title]) =>
        `<li id="problem-${esc(code)}"><code>${esc(code)}</code> ${esc(title)} <span lang="ja">(${esc(problemTitle(code, 'ja'))})</span></li>`,
    )
    .join('');
  const schemas = Object.entries(((doc['components'] as Doc)['schemas'] ?? {}) as Record<string, unknown>)
    .map(([name, s]) => `<details id="schema-${esc(name)}"><summary>${esc(name)}</summary><pre>${esc(JSON.stringify(s, null, 2))}</pre></details>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)} API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem;color:#222}
code,pre,textarea{font-family:ui-monospace,monospace;font-size:.85rem}
pre{background:#f5f5f5;padding:.5rem;overflow:auto;max-height:24rem}
textarea{width:100%}
.op{border-top:1px solid #ddd;padding:.5rem 0}
.m{display:inline-block;min-width:3.5rem;text-align:center;border-radius:3px;color:#fff;font-size:.8rem;padding:.1rem .3rem}
.get{background:#2a7}.post{background:#27c}.put{background:#c72}
.roles{color:#555;font-size:.9rem} table{border-collapse:collapse} td,th{padding:.2rem .5rem;text-align:left;vertical-align:top}
</style></head><body>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1>
<p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<p><label>API key <input id="api-key" type="password" size="50" autocomplete="off"></label>
 <label>Idempotency-Key <input id="idem-key" size="30"></label> (kept in this page only)</p>
<h2>Operations</h2><ul>${toc.join('')}</ul>
${ops.join('')}
<h2>Problem types</h2><p>Errors are <code>application/problem+json</code> (RFC 9457); <code>type</code> points here.</p><ul>${problems}</ul>
<h2>Schemas</h2>${schemas}
<script src="/docs/docs.js"></script>
</body></html>`;
}

export const DOCS_SCRIPT = `'use strict';
document.querySelectorAll('section.op').forEach(function (section) {
  section.querySelector('[data-try]').addEventListener('click', async function () {
    var out = section.querySelector('[data-out]');
    var path = section.dataset.path;
    var query = new URLSearchParams();
    section.querySelectorAll('[data-param]').forEach(function (input) {
      if (input.value === '') return;
      if (input.dataset.in === 'path') path = path.replace('{' + input.dataset.param + '}', encodeURIComponent(input.value));
      else if (input.dataset.in === 'query') query.set(input.dataset.param, input.value);
    });
    var headers = {};
    var key = document.getElementById('api-key').value;
    if (key) headers['Authorization'] = 'Bearer ' + key;
    var idem = document.getElementById('idem-key').value;
    if (idem && section.dataset.method !== 'get') headers['Idempotency-Key'] = idem;
    var init = { method: section.dataset.method.toUpperCase(), headers: headers };
    var body = section.querySelector('[data-body]');
    if (body) { headers['Content-Type'] = section.dataset.contentType; init.body = body.value; }
    var qs = query.toString();
    out.textContent = '…';
    try {
      var res = await fetch(path + (qs ? '?' + qs : ''), init);
      var text = await res.text();
      try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
      out.textContent = res.status + ' ' + res.statusText + '\\n' + text;
    } catch (e) { out.textContent = String(e); }
  });
});
`;
