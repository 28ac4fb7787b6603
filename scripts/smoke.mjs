#!/usr/bin/env node
// The README's first command, checked end to end as a user would run it: `npm start` on a fresh data folder, a
// policy and a case filed with a development key, the worker killed with SIGKILL while the case is open (the
// supervisor restarts it and the case's timer still fires), then the whole stack stopped with SIGTERM and started
// again (the case is still there). Prints the timings. Used by .ci/run; ports are off the defaults so a developer's
// own `npm start` can keep running.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dataDir = mkdtempSync(join(tmpdir(), 'breach-claims-smoke-'));
const ports = { PORT: '3190', TEMPORAL_EMBEDDED_PORT: '7290', TEMPORAL_UI_PORT: '8290', SMTP_PORT: '1190', SANDBOX_PORT: '4111' };
const env = { ...process.env, ...ports, DATA_DIR: dataDir, VENDOR_ACK_SLA_MS: '15000', LOG_LEVEL: 'warn' };
const api = `http://127.0.0.1:${ports.PORT}`;
const sandbox = `http://127.0.0.1:${ports.SANDBOX_PORT}`;

function fail(message) {
  console.error(`[smoke] FAILED: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

function start() {
  // Its own process group, as in a terminal: Ctrl-C (SIGINT) or a service manager's SIGTERM reaches the group.
  const child = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const signal = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  return { child, exited, signal, output: () => output };
}

async function waitFor(what, fn, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function call(method, path, key, body, headers = {}) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const DAY = 86_400_000;
const iso = (ms) => new Date(ms).toISOString();
let run;
try {
  for (const [name, port] of Object.entries(ports)) {
    const inUse = await new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(true));
      probe.listen(Number(port), '127.0.0.1', () => probe.close(() => resolve(false)));
    });
    if (inUse) fail(`port ${port} (${name}) is already in use`);
  }
  let t0 = Date.now();
  run = start();
  await waitFor('the API to be ready', async () => (await fetch(`${api}/readyz`)).ok);
  const firstStart = Date.now() - t0;
  console.log(`[smoke] first start: ready in ${firstStart} ms`);

  const principals = JSON.parse(readFileSync(join(dataDir, 'principals.json'), 'utf8'));
  const key = (name) => principals.find((p) => p.name === name).key;
  const now = Date.now();
  const periodStart = Math.floor((now - 100 * DAY) / DAY) * DAY;
  const policy = {
    insuredId: 'ins-001',
    insuredName: '株式会社サンプル',
    periodStart: iso(periodStart),
    periodEnd: iso(periodStart + 365 * DAY),
    retroactiveDate: iso(periodStart - 730 * DAY),
    socialResponsibility: 1,
    liability: { perClaimLimitJpy: 100_000_000, periodLimitJpy: 100_000_000, deductibleJpy: 0 },
    responseCosts: { perIncidentLimitJpy: 50_000_000, periodLimitJpy: 50_000_000 },
    categories: { forensic_investigation: { limitJpy: 10_000_000, payoutRatio: 1, consentRequired: false } },
  };
  const put = await call('PUT', '/v1/policies/PL-SMOKE-1', key('admin'), policy);
  if (put.status !== 201) fail(`PUT policy answered ${put.status}: ${JSON.stringify(put.json)}`);

  // Vendors that never acknowledge, so the case's SLA timer (15 s here) has something to fire for.
  await fetch(`${sandbox}/_control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rate: 1, modes: ['no_ack'], seed: 1 }),
  });
  const report = {
    policyNumber: 'PL-SMOKE-1',
    discoveredAt: iso(now - 3_600_000),
    occurredAt: iso(now - 3 * DAY),
    cause: 'device_loss',
    description: 'Sales laptop left on a train; customer list on it.',
    dataItems: ['name', 'address', 'phone'],
    affectedPersons: 1200,
    residency: { JP: 1150, EU: 30, 'US-CA': 20 },
    encrypted: false,
    contact: { name: '山田 太郎', email: 'yamada@example.co.jp' },
  };
  const created = await call('POST', '/v1/cases', key('insured-ins-001'), report, { 'idempotency-key': 'smoke-1' });
  if (created.status !== 201) fail(`POST /v1/cases answered ${created.status}: ${JSON.stringify(created.json)}`);
  const caseId = created.json.caseId;
  console.log(`[smoke] case ${caseId} filed: status ${created.json.status}, coverage ${created.json.coverage.decision}`);

  const workerPid = Number(readFileSync(join(dataDir, 'run', 'worker.pid'), 'utf8'));
  process.kill(workerPid, 'SIGKILL');
  console.log(`[smoke] worker ${workerPid} killed with SIGKILL`);
  const restarted = await waitFor('the worker to be restarted', () => {
    const pid = Number(readFileSync(join(dataDir, 'run', 'worker.pid'), 'utf8'));
    return pid !== workerPid && alive(pid) ? pid : undefined;
  });
  console.log(`[smoke] worker restarted as ${restarted}`);
  const replaced = await waitFor(
    'the vendor SLA timer to fire after the restart',
    async () => {
      const r = await call('GET', `/v1/cases/${caseId}`, key('handler'));
      return r.json?.vendors?.some((v) => v.slaBreached) ? r.json : undefined;
    },
    90_000,
  );
  console.log(`[smoke] timer fired: ${replaced.vendors.filter((v) => v.slaBreached).map((v) => v.vendorId).join(', ')} replaced`);
  const mail = join(dataDir, 'mail');
  await waitFor('mail in the catcher', () => existsSync(mail) && readdirSync(mail).some((f) => f.endsWith('.eml')));
  console.log(`[smoke] ${readdirSync(mail).length} message(s) in ${mail}`);

  // A service manager's stop: SIGTERM to the supervisor alone, which must stop its children itself.
  const pids = ['worker', 'api', 'temporal'].map((n) => Number(readFileSync(join(dataDir, 'run', `${n}.pid`), 'utf8')));
  process.kill(Number(readFileSync(join(dataDir, 'run', 'start.pid'), 'utf8')), 'SIGTERM');
  const stopped = await run.exited;
  if (stopped.code !== 0) fail(`npm start exited with ${JSON.stringify(stopped)}:\n${run.output().slice(-2000)}`);
  await waitFor('every child process to end', () => pids.every((p) => !alive(p)), 20_000);
  console.log('[smoke] stopped cleanly on SIGTERM: exit code 0, no process left');

  t0 = Date.now();
  run = start();
  await waitFor('the API to be ready again', async () => (await fetch(`${api}/readyz`)).ok);
  console.log(`[smoke] second start: ready in ${Date.now() - t0} ms`);
  const again = await call('GET', `/v1/cases/${caseId}`, key('insured-ins-001'));
  if (again.status !== 200 || again.json.caseId !== caseId) fail(`case lost across restart: ${again.status}`);
  const policyAgain = await call('GET', '/v1/policies/PL-SMOKE-1', key('admin'));
  if (policyAgain.status !== 200) fail(`policy lost across restart: ${policyAgain.status}`);
  console.log(`[smoke] after restart: case ${caseId} is ${again.json.status}, policy kept`);
  // Ctrl-C in a terminal: SIGINT to the whole process group. npm itself then reports the signal; what counts is
  // that the supervisor stopped everything and said so.
  const pids2 = ['worker', 'api', 'temporal', 'start'].map((n) => Number(readFileSync(join(dataDir, 'run', `${n}.pid`), 'utf8')));
  run.signal('SIGINT');
  await run.exited;
  if (!run.output().includes('[start] stopped')) fail(`the supervisor did not stop cleanly on SIGINT:\n${run.output().slice(-2000)}`);
  await waitFor('every process to end after Ctrl-C', () => pids2.every((p) => !alive(p)), 20_000);
  console.log('[smoke] stopped cleanly on SIGINT (Ctrl-C): no process left');
  console.log('[smoke] passed');
} catch (err) {
  if (!process.exitCode) process.exitCode = 1;
  console.error(`[smoke] ${err instanceof Error ? `${err.message}${err.cause ? ` (${String(err.cause)})` : ""}` : err}`, err instanceof Error ? err.stack : "");
  if (run) console.error(run.output().slice(-3000));
  run?.signal('SIGKILL');
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
