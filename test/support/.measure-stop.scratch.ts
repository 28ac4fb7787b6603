import { alivePid, startNpmStart } from './npm-start.js';
import { policyBody, reportBody } from './fixtures.js';
const run = await startNpmStart({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
try {
  const keys = run.keys();
  const call = async (m: string, p: string, k: string, b?: unknown, h: Record<string, string> = {}) => (await fetch(run.url + p, { method: m, headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json', ...h }, body: JSON.stringify(b) })).status;
  console.log('put', await call('PUT', '/v1/policies/PL-M-1', keys.admin!, policyBody()));
  let next = 0; const t1 = Date.now();
  await Promise.all(Array.from({ length: 10 }, async () => { while (next < 100) { const i = next++; const s = await call('POST', '/v1/cases', keys['insured-ins-001']!, reportBody('PL-M-1'), { 'idempotency-key': `m-${i}` }); if (s !== 201) throw new Error(String(s)); } }));
  console.log('filed in', Date.now() - t1);
  const pids = [...new Set([...Object.values(run.runPids()), ...run.processes()])];
  const from = run.output().length;
  const t0 = performance.now();
  run.signal('SIGINT');
  let exitedAt = 0; void run.exited.then(() => (exitedAt = performance.now() - t0));
  while ([...pids, ...run.processes()].some(alivePid) && performance.now() - t0 < 150_000) await new Promise((r) => setTimeout(r, 50));
  const out = run.output().slice(from);
  console.log(`npm exited at ${Math.round(exitedAt)} ms; all gone at ${Math.round(performance.now() - t0)} ms; retry lines: ${(out.match(/respond_workflow_task_completed/g) ?? []).length}`);
  console.log(out.split('\n').filter((l) => /^\[(start|stop|worker|api)\]/.test(l)).join('\n'));
} finally { await run.cleanup(); }
