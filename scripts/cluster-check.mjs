#!/usr/bin/env node
// The production path, checked on every landing (.ci/run): `npm run cluster` on a fresh data folder brings up a
// real Temporal cluster (the pinned server built from the Go module proxy, PostgreSQL from Debian, four services,
// 4 history shards) with two workers and two APIs; one case goes from report to `closed` through both APIs
// (examples/walkthrough.sh: the first half through API 1, the rest through API 2) while one worker is SIGKILLed on
// the way; then Ctrl-C stops everything. Prints the build, start, case and stop times. Ports are off the defaults.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dataDir = mkdtempSync(join(tmpdir(), 'breach-claims-cluster-check-'));
const ports = {
  PORT: '3290', SMTP_PORT: '1290', SANDBOX_PORT: '4211',
  DB_PORT: '5490', POSTGRES_PORT: '5490',
  FRONTEND_GRPC_PORT: '7490', FRONTEND_HTTP_PORT: '7491', FRONTEND_MEMBERSHIP_PORT: '6490',
  HISTORY_GRPC_PORT: '7492', HISTORY_MEMBERSHIP_PORT: '6492',
  MATCHING_GRPC_PORT: '7493', MATCHING_MEMBERSHIP_PORT: '6493',
  WORKER_GRPC_PORT: '7494', WORKER_MEMBERSHIP_PORT: '6494',
};
const env = { ...process.env, ...ports, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
const api1 = 'http://127.0.0.1:3290';
const api2 = 'http://127.0.0.1:3291';

function fail(message) {
  console.error(`[cluster-check] FAILED: ${message}`);
  process.exitCode = 1;
  throw Object.assign(new Error(message), { fatal: true });
}

async function waitFor(what, fn, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      if (err?.fatal) throw err;
      // not yet
    }
    if (Date.now() > end) fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let output = '';
let child;
try {
  const t0 = Date.now();
  child = spawn('npm', ['run', 'cluster'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let ended;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((ended = { code, signal }))));
  // The first run on a machine builds the server (about 4 minutes); later runs reuse .tools/cluster.
  await waitFor('both APIs to be ready', async () => {
    if (ended) fail(`npm run cluster exited during start-up (${JSON.stringify(ended)})`);
    return (await fetch(`${api1}/readyz`)).ok && (await fetch(`${api2}/readyz`)).ok;
  }, 900_000);
  const built = /\[cluster\] built in (\d+) s/.exec(output)?.[1];
  const ready = /Temporal cluster ready at \S+ in (\d+) ms/.exec(output)?.[1];
  console.log(`[cluster-check] up in ${Math.round((Date.now() - t0) / 1000)} s (${built ? `server built in ${built} s, ` : 'server reused, '}cluster ready in ${ready} ms)`);

  // The case, through both APIs, with a worker killed while its notices go out.
  const t1 = Date.now();
  const walk = spawn('bash', ['examples/walkthrough.sh'], { env: { ...env, API: api1, API2: api2 }, stdio: ['ignore', 'pipe', 'pipe'] });
  let walked = '';
  walk.stdout.on('data', (d) => (walked += d));
  walk.stderr.on('data', (d) => (walked += d));
  const walkDone = new Promise((resolve) => walk.once('exit', (code) => resolve(code)));
  await waitFor('the case to be filed', () => /^case \S+/m.test(walked), 120_000);
  const pidFile = join(dataDir, 'run', 'worker.pid');
  const workerPid = Number(readFileSync(pidFile, 'utf8'));
  process.kill(workerPid, 'SIGKILL');
  console.log(`[cluster-check] worker ${workerPid} killed with SIGKILL after the case was filed`);
  const code = await walkDone;
  if (code !== 0 || !/status closed/.test(walked)) fail(`the walkthrough did not close the case (exit ${code}):\n${walked}`);
  console.log(walked.trim().split('\n').map((l) => `[cluster-check]   ${l}`).join('\n'));
  console.log(`[cluster-check] report to closed through both APIs in ${Math.round((Date.now() - t1) / 1000)} s`);
  const restarted = Number(readFileSync(pidFile, 'utf8'));
  if (restarted === workerPid || !alive(restarted)) fail('the killed worker was not restarted');

  // Ctrl-C: the APIs, the workers, the cluster's services and PostgreSQL stop, in that order.
  const pids = ['api', 'api-2', 'worker', 'worker-2'].map((n) => Number(readFileSync(join(dataDir, 'run', `${n}.pid`), 'utf8')));
  const t2 = Date.now();
  process.kill(-child.pid, 'SIGINT');
  await exited;
  if (!output.includes('[stop] temporal cluster stopped') || !output.includes('[start] stopped')) {
    fail(`the cluster did not stop cleanly:\n${output.slice(-3000)}`);
  }
  await waitFor('every process to end', () => pids.every((p) => !alive(p)), 30_000);
  if (existsSync(join(dataDir, 'cluster', 'postgres', 'postmaster.pid'))) fail('PostgreSQL is still running');
  console.log(`[cluster-check] stopped in ${Date.now() - t2} ms; passed`);
} catch (err) {
  if (!process.exitCode) process.exitCode = 1;
  console.error(`[cluster-check] ${err instanceof Error ? err.message : err}`);
  console.error(output.slice(-4000));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone
  }
  // PostgreSQL runs in a process group of its own: stop it as its owner would.
  const pgData = join(dataDir, 'cluster', 'postgres');
  if (existsSync(join(pgData, 'postmaster.pid'))) {
    const asRoot = process.getuid?.() === 0;
    spawnSync(asRoot ? 'runuser' : '/usr/lib/postgresql/15/bin/pg_ctl', [...(asRoot ? ['-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/pg_ctl'] : []), 'stop', '-D', pgData, '-m', 'immediate']);
  }
  // What the cluster's services said, to see why.
  for (const name of ['frontend', 'history', 'matching', 'worker', 'postgres']) {
    const file = join(dataDir, 'cluster', 'logs', `${name}.log`);
    if (existsSync(file)) console.error(`--- ${name}.log (tail)\n${readFileSync(file, 'utf8').slice(-1500)}`);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
