// The product on a real Temporal cluster against the dev server, side by side in one run (issue 16, "The figures
// side by side"), each with one worker and with two:
//
//   npx tsx bench/cluster.ts [--intake 200] [--clients 20] [--cases 12] [--concurrency 6] [--pollers 20] [--seconds 10]
//                            [--only dev|cluster]
//
// Each configuration is `main/start.ts` on a fresh data folder (TEMPORAL_SERVER=dev or cluster, WORKERS=1 or 2, one
// API), as `npm start` and `npm run cluster` run it, with the sandbox vendors and the mail catcher; the load comes
// from this process over HTTP:
// - lifecycle: `--cases` cases driven from report to `closed` as examples/walkthrough.sh does (assign, persons,
//   consent, approve-notice, wait for the notices, the two APPI filings, costs, payout, close), `--concurrency` at a
//   time (cases/min; each case's time from report to closed), first, while the worker has nothing else to do;
// - intake: `--intake` reports filed through `POST /v1/cases` by `--clients` concurrent clients (cases/s, latency);
// - lists: `--pollers` clients reading `GET /v1/cases?pageSize=50` back to back for `--seconds` (p50/p99), while the
//   worker works through the intake's new cases.
// BENCH_KEEP=1 keeps each stack's data folder (its keys decode a dumped history). The figures table ends the run.
// The cluster's first run on a machine builds the server first (not timed here).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureClusterBinaries, freeClusterPorts } from '../main/cluster.js';
import { percentile } from './lib/api-figures.js';

const { values } = parseArgs({
  options: {
    intake: { type: 'string', default: '200' },
    clients: { type: 'string', default: '20' },
    cases: { type: 'string', default: '12' },
    concurrency: { type: 'string', default: '6' },
    pollers: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    only: { type: 'string' },
  },
});
const root = resolve(import.meta.dirname, '..');
const examples = (name: string) => readFileSync(join(root, 'examples', name), 'utf8');
const POLICY = JSON.parse(examples('policy.json')) as Record<string, unknown>;
const INCIDENT = JSON.parse(examples('incident.json')) as Record<string, unknown>;
const PERSONS = examples('persons.csv');

interface Stack {
  api: string;
  /** The Temporal frontend: the dev server's, or the cluster's. */
  temporal: string;
  /** What main/start.ts has printed so far. */
  output(): string;
  keys: Record<string, string>;
  stop(): Promise<void>;
}

async function startStack(server: 'dev' | 'cluster', workers: number): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), `breach-claims-bench-${server}-${workers}-`));
  const base = 23_000 + Math.floor(Math.random() * 5_000);
  const clusterPorts = await freeClusterPorts();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    TEMPORAL_SERVER: server,
    WORKERS: String(workers),
    API_INSTANCES: '1',
    PORT: String(base),
    TEMPORAL_EMBEDDED_PORT: String(base + 1),
    TEMPORAL_UI_PORT: String(base + 2),
    SMTP_PORT: String(base + 3),
    SANDBOX_PORT: String(base + 4),
    DB_PORT: String(clusterPorts.postgres),
    POSTGRES_PORT: String(clusterPorts.postgres),
    FRONTEND_GRPC_PORT: String(clusterPorts.frontend),
    FRONTEND_HTTP_PORT: String(clusterPorts.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(clusterPorts.membership.frontend),
    HISTORY_GRPC_PORT: String(clusterPorts.history),
    HISTORY_MEMBERSHIP_PORT: String(clusterPorts.membership.history),
    MATCHING_GRPC_PORT: String(clusterPorts.matching),
    MATCHING_MEMBERSHIP_PORT: String(clusterPorts.membership.matching),
    WORKER_GRPC_PORT: String(clusterPorts.worker),
    WORKER_MEMBERSHIP_PORT: String(clusterPorts.membership.worker),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '10000000',
  };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'main/start.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const api = `http://127.0.0.1:${base}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`main/start.ts (${server}) exited:\n${output.slice(-3000)}`);
    try {
      if ((await fetch(`${api}/readyz`)).ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`the ${server} stack was not ready in 180 s:\n${output.slice(-3000)}`);
    await sleep(250);
  }
  const principals = JSON.parse(readFileSync(join(dataDir, 'principals.json'), 'utf8')) as { name: string; key: string }[];
  return {
    api,
    temporal: `127.0.0.1:${server === 'dev' ? base + 1 : clusterPorts.frontend}`,
    output: () => output,
    keys: Object.fromEntries(principals.map((p) => [p.name, p.key])),
    async stop() {
      process.kill(-child.pid!, 'SIGINT');
      await Promise.race([exited, sleep(40_000)]);
      if (!process.env.BENCH_KEEP) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What the bench reads of the API's answers. */
interface Answer {
  caseId?: string;
  status?: string;
  notifications?: { status?: string };
  payouts?: { status: string }[];
}

/**
 * One request, as a client of the API makes it: a 503 `command_pending` (the case recorded the command but has not
 * answered within the API's wait, as when the worker has a backlog) or `unavailable` is repeated with the same
 * Idempotency-Key after its Retry-After, for up to two minutes.
 */
async function call(s: Stack, who: string, method: string, path: string, body?: unknown, type = 'application/json'): Promise<{ status: number; json: Answer }> {
  const key = `${Date.now()}-${Math.random()}`;
  const end = Date.now() + 120_000;
  for (;;) {
    const res = await fetch(`${s.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${s.keys[who]}`, ...(body !== undefined ? { 'content-type': type } : {}), 'idempotency-key': key },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const json = (text ? JSON.parse(text) : {}) as Answer & { code?: string };
    const retry = res.status === 503 && (json.code === 'command_pending' || json.code === 'unavailable') && Date.now() < end;
    if (!retry) return { status: res.status, json };
    await sleep(1000 * Math.max(1, Number(res.headers.get('retry-after') ?? 1)));
  }
}

async function until(what: string | (() => string), fn: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out: ${typeof what === 'string' ? what : what()}`);
    await sleep(200);
  }
}

async function intake(s: Stack, n: number, clients: number): Promise<{ rate: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) {
        next += 1;
        const t = performance.now();
        const r = await call(s, 'insured-ins-001', 'POST', '/v1/cases', INCIDENT);
        if (r.status !== 201) throw new Error(`POST /v1/cases answered ${r.status}: ${JSON.stringify(r.json)}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const sorted = latencies.sort((a, b) => a - b);
  return { rate: n / ((Date.now() - started) / 1000), p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** One case from report to closed, as examples/walkthrough.sh drives it. */
async function lifecycle(s: Stack): Promise<number> {
  const t = performance.now();
  const created = await call(s, 'insured-ins-001', 'POST', '/v1/cases', INCIDENT);
  const id = created.json.caseId!;
  const act = async (who: string, action: string, body: unknown) => {
    const r = await call(s, who, 'POST', `/v1/cases/${id}/actions/${action}`, body);
    if (r.status >= 300) throw new Error(`${action} answered ${r.status}: ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const view = async () => (await call(s, 'handler', 'GET', `/v1/cases/${id}`)).json;
  await until('response', async () => (await view()).status === 'response');
  await act('handler', 'assign', { assignee: 'handler' });
  const up = await call(s, 'insured-ins-001', 'PUT', `/v1/cases/${id}/affected-persons`, PERSONS, 'text/csv');
  if (up.status >= 300) throw new Error(`persons answered ${up.status}: ${JSON.stringify(up.json)}`);
  await act('handler', 'consent', { category: 'apology_payment' });
  // Counsel's approval of the notice draft (recorded by the handler on its behalf), then the notice; a vendor's
  // findings may move the draft on in between, so both are repeated a few times.
  for (let attempt = 1; ; attempt++) {
    let preview = await call(s, 'handler', 'GET', `/v1/cases/${id}/notice-preview?lang=ja`);
    await until('notice draft', async () => (preview = await call(s, 'handler', 'GET', `/v1/cases/${id}/notice-preview?lang=ja`)).status === 200);
    const version = (preview.json as unknown as { version?: number }).version;
    await call(s, 'handler', 'POST', `/v1/cases/${id}/actions/approve-notice-draft`, { language: 'ja', version, onBehalfOf: 'counsel' });
    const r = await call(s, 'handler', 'POST', `/v1/cases/${id}/actions/approve-notice`, { language: 'ja' });
    if (r.status < 300) break;
    if (attempt >= 5) throw new Error(`approve-notice answered ${r.status}: ${JSON.stringify(r.json)}`);
  }
  // A case whose notices never go out is kept for a look: its history and the stack's output are written to /tmp.
  let notices: Answer['notifications'];
  await until(
    () => {
      const dump = `/tmp/bench-cluster-${id}`;
      spawnSync(join(root, '.tools/temporal/bin/temporal'), ['workflow', 'show', '--address', s.temporal, '-w', `case-${id}`, '-o', 'json'], { stdio: ['ignore', openSync(`${dump}.history.json`, 'w'), 'ignore'] });
      writeFileSync(`${dump}.log`, s.output());
      return `notices (last seen: ${JSON.stringify(notices)}); history and log in ${dump}.*`;
    },
    async () => (notices = (await view()).notifications)?.status === 'done',
  );
  for (const kind of ['preliminary', 'final']) {
    await act('insured-ins-001', 'record-filing', { regime: 'JP-APPI', kind, filedAt: new Date().toISOString(), reference: `PPC-${kind}` });
  }
  await act('insured-ins-001', 'submit-costs', { items: [{ category: 'notification', amountJpy: 300, evidenceRef: 'postage-receipt-001' }] });
  // The vendors' invoices become cost lines when they arrive, which may be after a payout: each is paid in turn, as a
  // handler would, until the case lets itself be closed.
  for (let round = 1; ; round++) {
    const approved = await act('handler', 'approve-payout', {});
    if (approved.payouts?.at(-1)?.status === 'awaiting_supervisor') await act('supervisor', 'approve-payout', {});
    await until('paid', async () => ((await view()).payouts ?? []).every((p) => p.status === 'paid'));
    const closed = await call(s, 'handler', 'POST', `/v1/cases/${id}/actions/close`, { reason: 'benchmark' });
    if (closed.status < 300) break;
    const unpaid = closed.status === 409 && /not yet paid/.test(JSON.stringify(closed.json));
    if (!unpaid || round >= 5) throw new Error(`close answered ${closed.status}: ${JSON.stringify(closed.json)}`);
  }
  return performance.now() - t;
}

async function lifecycles(s: Stack, n: number, concurrency: number): Promise<{ perMinute: number; p50: number; p99: number }> {
  const times: number[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next += 1;
        times.push(await lifecycle(s));
      }
    }),
  );
  const sorted = times.sort((a, b) => a - b);
  return { perMinute: n / ((Date.now() - started) / 60_000), p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function lists(s: Stack, pollers: number, seconds: number): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: pollers }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        const r = await fetch(`${s.api}/v1/cases?pageSize=50`, { headers: { authorization: `Bearer ${s.keys.ops}` } });
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`GET /v1/cases answered ${r.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const sorted = latencies.sort((a, b) => a - b);
  return { rps: latencies.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const n = (k: keyof typeof values) => Number(values[k]);
const servers = (['dev', 'cluster'] as const).filter((x) => !values.only || values.only === x);
if (servers.includes('cluster')) ensureClusterBinaries();
const rows: string[] = [];
const f = (x: number, d = 0) => x.toFixed(d);
for (const server of servers) {
  for (const workers of [1, 2]) {
    const started = Date.now();
    const s = await startStack(server, workers);
    const up = Date.now() - started;
    try {
      const put = await call(s, 'admin', 'PUT', `/v1/policies/${String(INCIDENT.policyNumber)}`, POLICY);
      if (put.status >= 300) throw new Error(`PUT policy answered ${put.status}`);
      // The lifecycles first, on an idle worker: the intake's reports leave the worker a backlog (each new case
      // engages its vendors), which would otherwise be measured as the lifecycle's time. The lists come last, over
      // every case filed by then.
      const l = await lifecycles(s, n('cases'), n('concurrency'));
      const i = await intake(s, n('intake'), n('clients'));
      const q = await lists(s, n('pollers'), n('seconds'));
      const line = `| ${server} | ${workers} | ${f(up / 1000, 1)} s | ${f(i.rate, 1)}/s (p50 ${f(i.p50)} ms, p99 ${f(i.p99)} ms) | ${f(l.perMinute, 1)}/min (p50 ${f(l.p50 / 1000, 1)} s, p99 ${f(l.p99 / 1000, 1)} s) | ${f(q.rps)}/s (p50 ${f(q.p50)} ms, p99 ${f(q.p99)} ms) |`;
      console.log(line);
      rows.push(line);
    } finally {
      await s.stop();
    }
  }
}
console.log(
  [
    '',
    `Intake ${n('intake')} reports by ${n('clients')} clients; lifecycle ${n('cases')} cases report to closed, ${n('concurrency')} at a time; lists ${n('pollers')} pollers for ${n('seconds')} s.`,
    '',
    '| Temporal | workers | start | intake | lifecycle | lists |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n'),
);
