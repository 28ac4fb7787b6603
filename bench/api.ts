// API benchmarks, each target measured against its baseline in the same run (issue 6, "Done when"; issue 12, "Reads
// that never wait on a worker"). A figures table with every row, its target and whether this run met it ends the run.
//
//   npx tsx bench/api.ts [--intake 500] [--clients 50] [--cases 5000] [--pollers 50] [--poll-interval 1000] [--seconds 15]
//                        [--naive-pollers 50] [--naive-concurrency 4]
//                        [--view-pollers 50] [--view-interval 250] [--handlers 20]
//                        [--dispatch-rate 10] [--dispatch-seconds 60] [--dispatch-poll 50] [--dispatch-timeout 30]
//                        [--skip-intake] [--skip-polling] [--skip-naive] [--skip-busy] [--skip-dispatch] [--profile dir]
//
// The stack: its own Temporal dev server (temporary SQLite file), then the product's own worker (`main/worker.ts`) and
// API (`main/api.ts`) as child processes on that server, exactly as deployed. Beside them, in this process as `npm
// start` runs them (main/start.ts): the sandbox vendor and payment service (sandbox/vendor-service.ts) on SANDBOX_PORT,
// playing the development panel of the vendors file and posting signed webhooks to the API, and an SMTP sink the
// worker sends to (bench/lib/counting-sink.ts: it counts and writes nothing, where npm start's mail catcher writes .eml
// files). The vendors stay quiet (they accept every dispatch and send nothing back: the sandbox's `no_ack` fault at
// rate 1) until section (c), so (a) and (b) measure the API alone; from (c) on they acknowledge 0.5 s after a dispatch
// and send advice or findings, then an invoice, a third of `--seconds` apart each. The load comes from this process,
// whose own event-loop delay is printed with (c) to (e): past a few milliseconds it is part of the latencies measured.
//
// (a) Intake: `--intake` cases filed through `POST /v1/cases` by `--clients` concurrent HTTP clients, against the
//     same number of raw `client.workflow.start(incidentCase)` calls with the same input, the same payload codec and
//     the same concurrency. Target: the API's rate at least 0.9 of the raw rate (issue 6 asked 0.8).
// (b) Polling: with `--cases` cases in the system (seeded by raw starts, then waited for until the worker has run
//     every first task), `--pollers` concurrent clients poll `GET /v1/cases?pageSize=50` and `GET /v1/dashboard/summary`
//     for `--seconds` each, with ETags (If-None-Match, 304s) and without, each poller waiting `--poll-interval` ms after
//     each answer (the dashboard page waits 4 s: 1,000 ms is four times its pace); then the same pollers back to back,
//     which measures capacity rather than latency (a closed loop of N clients waits N ÷ rate on average, whatever one
//     request costs); against a naive loop that queries every
//     case's view (`viewQuery`) per poll, which is what a dashboard without search attributes would have to do (the
//     baseline; `--skip-naive` leaves it out).
// (c) Case view under busy cases: `--view-pollers` clients, each reading its own case with `GET /v1/cases/{caseId}`
//     and If-None-Match from the last ETag, `--view-interval` ms apart (the desk polls every 1,000 ms: 250 ms is four
//     times its pace; 0 polls back to back), for `--seconds`; 200s and
//     304s are counted apart, any other answer by status and problem code. The busy cases are as many reports filed
//     through `POST /v1/cases` just before the polling starts: while it runs the worker dispatches counsel and
//     forensics to the sandbox, the vendors answer through webhooks and the commands of (d) arrive. Baseline: the same
//     pollers on as many quiet cases (filed the same way while the vendors were quiet and the worker done with them,
//     no commands). Target: p99 < 50 ms, no answer other than 200 or 304.
// (d) Commands under polling: while (c) polls, `--handlers` clients with the handler's key send
//     `POST /v1/cases/{caseId}/actions/assign` to the busy cases (client h takes the cases whose index is h modulo
//     `--handlers`), back to back, each with a fresh Idempotency-Key, each case's assignee alternating between
//     `handler` and `supervisor`. 200 is applied; a 4xx refusal is an answer (listed by code); a 503
//     `command_pending` or no answer is a failure. Baseline: the same commands on the quiet cases, nobody polling.
//     Target: p99 < 1 s, no failures.
// (e) Dispatch latency: reports filed through `POST /v1/cases` at `--dispatch-rate` per second for
//     `--dispatch-seconds`, on a fixed schedule; for each, the time from its POST being sent until `GET /v1/cases/{id}`
//     (every `--dispatch-poll` ms, If-None-Match) shows in `vendors` an engagement of counsel and one of forensics
//     whose `status` is `dispatched` or `acknowledged`. Reference: the time until the sandbox received both dispatch
//     requests (the worker's side, on this machine's clock). Target: p99 < 1 s, every case engaged within
//     `--dispatch-timeout` s.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../main/config.js';
import { loadSecrets, prepareRuntimeFiles } from '../main/runtime.js';
import { startDevServer, temporalBinaries } from '../main/temporal.js';
import { loadVendors, panelOf } from '../main/vendors.js';
import { startSandbox } from '../sandbox/vendor-service.js';
import { dataConverterFor } from '../lib/payload-codec.js';
import { parseKeyring } from '../storage/crypto.js';
import { IncidentReportSchema, type PolicyRecord } from '../domain/schemas.js';
import { caseIdFor } from '../api/cases.js';
import {
  CASE_WORKFLOW_TYPE,
  DEFAULT_CASE_SETTINGS,
  SA,
  caseWorkflowId,
  startMemo,
  viewQuery,
  type CaseInput,
} from '../workflows/contract.js';
import { freePort } from '../test/support/ports.js';
import { policyBody, reportBody } from '../test/support/fixtures.js';
import type { DevelopmentPrincipal } from '../api/principals.js';
import { startCountingSink } from './lib/counting-sink.js';
import { cpuDuring, formatCpuPer } from './lib/cpu.js';
import { memoAfterFirstTask } from './lib/seeded-memo.js';
import { Tally, printFigures, printTable, row, type Row } from './lib/api-figures.js';
import { fileCases, measureDispatch, pollViews, sendCommands, waitEngaged, withLoopDelay, type Measured } from './lib/api-load.js';

const ROOT = resolve(import.meta.dirname, '..');

const { values: args } = parseArgs({
  options: {
    intake: { type: 'string', default: '500' },
    clients: { type: 'string', default: '50' },
    cases: { type: 'string', default: '5000' },
    pollers: { type: 'string', default: '50' },
    'poll-interval': { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '15' },
    'naive-pollers': { type: 'string', default: '50' },
    'naive-concurrency': { type: 'string', default: '4' },
    'view-pollers': { type: 'string', default: '50' },
    'view-interval': { type: 'string', default: '250' },
    handlers: { type: 'string', default: '20' },
    'dispatch-rate': { type: 'string', default: '10' },
    'dispatch-seconds': { type: 'string', default: '60' },
    'dispatch-poll': { type: 'string', default: '50' },
    'dispatch-timeout': { type: 'string', default: '30' },
    /** A folder for CPU profiles of the worker and the API (`worker/`, `api/`, written when they stop). */
    profile: { type: 'string' },
    'skip-intake': { type: 'boolean', default: false },
    'skip-polling': { type: 'boolean', default: false },
    'skip-naive': { type: 'boolean', default: false },
    'skip-busy': { type: 'boolean', default: false },
    'skip-dispatch': { type: 'boolean', default: false },
  },
});
const INTAKE = Number(args.intake);
const CLIENTS = Number(args.clients);
const CASES = Number(args.cases);
const POLLERS = Number(args.pollers);
const SECONDS = Number(args.seconds);
const NAIVE_POLLERS = Number(args['naive-pollers']);
const NAIVE_CONCURRENCY = Number(args['naive-concurrency']);
const VIEW_POLLERS = Number(args['view-pollers']);
const VIEW_INTERVAL_MS = Number(args['view-interval']);
const POLL_INTERVAL_MS = Number(args['poll-interval']);
const HANDLERS = Number(args.handlers);
const DISPATCH_RATE = Number(args['dispatch-rate']);
const DISPATCH_SECONDS = Number(args['dispatch-seconds']);
const DISPATCH_POLL_MS = Number(args['dispatch-poll']);
const DISPATCH_TIMEOUT_MS = Number(args['dispatch-timeout']) * 1000;
for (const [name, v] of Object.entries(args)) {
  if (typeof v !== 'string' || name === 'profile') continue;
  const n = Number(v);
  if (!(Number.isFinite(n) && (n > 0 || (n === 0 && (name === 'view-interval' || name === 'poll-interval'))))) throw new Error(`--${name} takes a positive number, not ${v}`);
}

// ---- helpers ------------------------------------------------------------------------------------------------------

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

function child(name: string, script: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ proc: ChildProcess; match: RegExpMatchArray }> {
  // One folder per process: its main thread and its module loader thread each write a profile there.
  const profile = args.profile ? [`--cpu-prof`, `--cpu-prof-dir=${join(resolve(args.profile), name)}`] : [];
  const proc = spawn(process.execPath, [...profile, '--import', 'tsx', join(ROOT, script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = ready.exec(out);
      if (m) {
        proc.stdout.off('data', onData);
        proc.stdout.resume();
        resolvePromise({ proc, match: m });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.length > 20_000) out = out.slice(-10_000);
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${out.slice(-3000)}`)));
  });
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

// ---- the system under test ----------------------------------------------------------------------------------------

const dir = await mkdtemp(join(tmpdir(), 'breach-claims-bench-api-'));
const temporalPort = await freePort();
const apiPort = await freePort();
const sandboxPort = await freePort();
const taskQueue = 'bench-api';
const bins = temporalBinaries({ TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH: process.env.TEMPORAL_TEST_SERVER_PATH });
console.log(`[bench] dev server on :${temporalPort} (SQLite in ${dir})`);
const dev = await startDevServer({ cli: bins.cli, port: temporalPort, namespace: 'default', dbFile: join(dir, 'temporal.db') });
// The worker's mail goes here (npm start's mail catcher would write every message to disk).
const mail = await startCountingSink();

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'development',
  DATA_DIR: join(dir, 'data'),
  TEMPORAL_ADDRESS: dev.address,
  TEMPORAL_TASK_QUEUE: taskQueue,
  HOST: '127.0.0.1',
  PORT: String(apiPort),
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_MINUTE: '100000000',
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: String(mail.port),
  // The development vendors file points the panel here (runtime.ts), as under npm start.
  SANDBOX_PORT: String(sandboxPort),
};
const config = loadConfig(env);
const files = await prepareRuntimeFiles(config);
const secrets = loadSecrets(config, files);
// The sandbox vendors, wired as main/start.ts wires them: the panel of the vendors file, webhooks to this API.
// Callbacks come a third of `--seconds` apart, so the vendors of the busy cases (c) answer while they are polled.
const vendorGap = Math.max(1_000, Math.round((SECONDS * 1000) / 3));
const sandbox = await startSandbox({
  port: sandboxPort,
  vendors: loadVendors(files.vendorsFile).map((v) => ({ vendorId: v.vendorId, role: v.role, secret: v.secrets })),
  webhookUrl: (vendorId) => `http://127.0.0.1:${apiPort}/v1/webhooks/vendors/${encodeURIComponent(vendorId)}`,
  timing: { ackDelayMs: 500, findingsDelayMs: vendorGap, invoiceDelayMs: vendorGap },
});
env.PAYMENTS_BASE_URL = sandbox.url;
// Quiet until the busy-case section: every dispatch is accepted and nothing is sent back.
const quietVendors = () => sandbox.setFaults({ rate: 1, modes: ['no_ack'] });
const answeringVendors = () => sandbox.setFaults({ rate: 0, modes: [] });
quietVendors();
const principals = JSON.parse(await readFile(files.principalsFile, 'utf8')) as DevelopmentPrincipal[];
const keyOf = (name: string) => principals.find((p) => p.name === name)!.key;

console.log('[bench] starting worker and API processes');
const [worker, api] = await Promise.all([
  child('worker', 'main/worker.ts', env, /\[worker\] polling/),
  child('api', 'main/api.ts', env, /\[api\] listening on (\S+)/),
]);
const apiUrl = api.match[1]!;
// Interrupted: take the children and the dev server down with this process.
process.once('SIGINT', () => {
  for (const c of [api.proc, worker.proc, dev.process]) c.kill('SIGKILL');
  void sandbox.close();
  void mail.close();
  process.exit(130);
});

const connection = await Connection.connect({ address: dev.address });
const client = new Client({ connection, namespace: 'default', dataConverter: dataConverterFor(parseKeyring(secrets.payloadCodecKeys)) });

async function http(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

const POLICY = 'PL-BENCH-0001';
{
  const put = await http('PUT', `/v1/policies/${POLICY}`, keyOf('admin'), policyBody());
  if (put.status !== 201 && put.status !== 200) throw new Error(`policy: ${put.status} ${put.text}`);
}
const policy = (JSON.parse((await http('GET', `/v1/policies/${POLICY}`, keyOf('admin'))).text) as { policy: PolicyRecord }).policy;
const insured = principals.find((p) => p.name === 'insured-ins-001')!;
const body = reportBody(POLICY);
const report = IncidentReportSchema.parse(body);

// The panel `POST /v1/cases` puts in the input (main/api-server.ts), so that raw starts carry the same payload.
const panel = panelOf(loadVendors(files.vendorsFile));

function rawInput(caseId: string): CaseInput {
  return {
    caseId,
    report,
    policy,
    reportedAt: new Date().toISOString(),
    reportedBy: { name: insured.name, role: 'insured', insuredId: insured.insuredId! },
    requestHash: 'bench',
    settings: DEFAULT_CASE_SETTINGS,
    panel,
  };
}

/**
 * The memo of a raw start: none; `start`, the memo `POST /v1/cases` writes (so the two differ by the API alone); or
 * `seeded`, the memo a case has once its first task wrote its view (for cases on a queue no worker polls).
 */
type RawMemo = 'none' | 'start' | 'seeded';

function rawMemo(input: CaseInput, memo: RawMemo): Record<string, unknown> | undefined {
  if (memo === 'none') return undefined;
  return memo === 'start' ? startMemo(input.requestHash, input.reportedAt) : memoAfterFirstTask(input);
}

async function rawStart(caseId: string, memoKind: RawMemo = 'none', queue = taskQueue): Promise<void> {
  const input = rawInput(caseId);
  await client.workflow.start(CASE_WORKFLOW_TYPE, {
    workflowId: caseWorkflowId(caseId),
    taskQueue: queue,
    args: [input],
    ...(memoKind === 'none' ? {} : { memo: rawMemo(input, memoKind) }),
    workflowIdConflictPolicy: 'FAIL',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: SA.status, value: 'reported' },
      { key: SA.insuredId, value: policy.insuredId },
      { key: SA.policyNumber, value: policy.policyNumber },
      { key: SA.reportedAt, value: new Date(input.reportedAt) },
      { key: SA.severity, value: 'low' },
    ],
  });
}

async function apiCreate(): Promise<void> {
  const r = await http('POST', '/v1/cases', insured.key, body);
  if (r.status !== 201) throw new Error(`POST /v1/cases: ${r.status} ${r.text.slice(0, 300)}`);
}

async function timed(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  await pool(n, concurrency, async (i) => {
    const s = performance.now();
    await fn(i);
    latencies.push(performance.now() - s);
  });
  return { latencies, seconds: (performance.now() - t0) / 1000 };
}

let seq = 0;
const rawId = () => caseIdFor('bench', `raw-${seq++}-${Math.random()}`, new Date());

/** Waits until every running case has run its first workflow task (the workflow then sets NextDeadline). */
async function settle(expected: number, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const { count } = await client.workflow.count(`WorkflowType = '${CASE_WORKFLOW_TYPE}' AND ${SA.nextDeadline.name} IS NOT NULL`);
    if (count >= expected) return;
    if (count !== last) {
      process.stdout.write(`\r[bench] first tasks done: ${count}/${expected}   `);
      last = count;
    }
    if (Date.now() > deadline) throw new Error(`only ${count} of ${expected} cases ran their first task`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Terminates every case still running on the worker's queue, so that the next measurement starts with an idle worker:
 * without a workflow cache a new case costs the worker a replay per task (dispatches, e-mails, timers), and the
 * backlog of a few thousand would weigh on everything measured after it for many minutes.
 */
async function clearBacklog(): Promise<void> {
  const ids: string[] = [];
  for await (const e of client.workflow.list({ query: `WorkflowType = '${CASE_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`, pageSize: 100 })) {
    ids.push(e.workflowId);
  }
  await pool(ids.length, 50, async (i) => {
    await client.workflow.getHandle(ids[i]!).terminate('bench: clear the worker for the next section').catch(() => undefined);
  });
  console.log(`[bench] ${ids.length} running cases terminated (the worker starts the next measurement idle)`);
}

/**
 * One intake run of `INTAKE` cases from `CLIENTS` clients, with the CPU each process spent on it while it ran (the
 * worker's first tasks of the new cases included: they run meanwhile in either kind of run).
 */
async function intakeRun(fn: () => Promise<void>): Promise<{ latencies: number[]; seconds: number; cpu: string }> {
  const pids = { server: dev.process.pid, api: api.proc.pid, worker: worker.proc.pid, bench: process.pid };
  const { value, cpuMs } = await cpuDuring(pids, () => timed(INTAKE, CLIENTS, fn));
  return { ...value, cpu: formatCpuPer(cpuMs, INTAKE) };
}

const figures: Row[] = [];
const handlerKey = keyOf('handler');
const ASSIGNEES = ['handler', 'supervisor'] as const;
const ms = (n: number) => `${n.toFixed(0)} ms`;

/** Waits until each case's view shows counsel and forensics engaged (the worker is done with its first tasks). */
async function untilEngaged(caseIds: string[]): Promise<void> {
  const tally = new Tally();
  const since = performance.now();
  const waited = await Promise.all(caseIds.map((id) => waitEngaged(apiUrl, handlerKey, id, { since, pollMs: 250, timeoutMs: 300_000, tally })));
  const missing = waited.filter((w) => w === undefined).length;
  if (missing > 0) throw new Error(`${missing} of ${caseIds.length} cases never showed their vendors engaged (${tally.format()})`);
}

const viewNote = (m: Measured, loopP99Ms: number) =>
  `${m.tally.get('200')} × 200, ${m.tally.get('304')} × 304, other: ${m.tally.format(['200', '304'])}; bench loop delay p99 ${ms(loopP99Ms)}`;
const viewOk = (m: Measured) => (r: Row) => r.p99 < 50 && m.tally.total(['200', '304']) === 0 && r.requests > 0;
/** A command's answer: 200 applied, a 4xx refusal (an answer), or a failure (503 `command_pending`, 5xx, none). */
const refusals = (m: Measured) => [...m.tally.counts.keys()].filter((k) => /^4\d\d\b/.test(k));
const failures = (m: Measured) => [...m.tally.counts.keys()].filter((k) => k !== '200' && !/^4\d\d\b/.test(k));
const commandNote = (m: Measured, loopP99Ms: number) =>
  `${m.tally.get('200')} applied; refused: ${m.tally.format(['200', ...failures(m)])}; failed: ${m.tally.format(['200', ...refusals(m)])}; bench loop delay p99 ${ms(loopP99Ms)}`;
const commandOk = (m: Measured) => (r: Row) => r.p99 < 1000 && failures(m).length === 0 && r.requests > 0;

try {
  // ---- (a) intake ------------------------------------------------------------------------------------------------
  console.log(`[bench] warm-up`);
  await timed(50, 10, () => rawStart(rawId()));
  await timed(50, 10, () => apiCreate());
  await settle(100);
  await clearBacklog();
  console.log('');

  if (!args['skip-intake']) {
    console.log(`[bench] intake: ${INTAKE} cases, ${CLIENTS} concurrent clients`);
    // Raw first, then the API, then both again in the other order; the better of the two runs of each is reported, so
    // neither side pays for the other's backlog in the worker.
    const rawA = await intakeRun(() => rawStart(rawId()));
    await settle(100 + INTAKE);
    await clearBacklog();
    const memoA = await intakeRun(() => rawStart(rawId(), 'start'));
    await settle(100 + 2 * INTAKE);
    await clearBacklog();
    const apiA = await intakeRun(() => apiCreate());
    await settle(100 + 3 * INTAKE);
    await clearBacklog();
    const apiB = await intakeRun(() => apiCreate());
    await settle(100 + 4 * INTAKE);
    await clearBacklog();
    const memoB = await intakeRun(() => rawStart(rawId(), 'start'));
    await settle(100 + 5 * INTAKE);
    await clearBacklog();
    const rawB = await intakeRun(() => rawStart(rawId()));
    await settle(100 + 6 * INTAKE);
    await clearBacklog();
    console.log('');
    const best = <R extends { seconds: number }>(a: R, b: R) => (a.seconds <= b.seconds ? a : b);
    const raw = best(rawA, rawB);
    const viaApi = best(apiA, apiB);
    const rawRow = row('intake', 'raw client.workflow.start', raw.latencies, raw.seconds, {
      note: `runs ${rawA.seconds.toFixed(2)} s / ${rawB.seconds.toFixed(2)} s; CPU ms per case: ${raw.cpu}`,
    });
    const withMemo = best(memoA, memoB);
    const memoRow = row('intake', 'raw start + start memo', withMemo.latencies, withMemo.seconds, {
      note: `runs ${memoA.seconds.toFixed(2)} s / ${memoB.seconds.toFixed(2)} s; CPU ms per case: ${withMemo.cpu}`,
    });
    memoRow.note += `; ${(memoRow.rps / rawRow.rps).toFixed(2)} of raw`;
    const apiRow = row('intake', 'POST /v1/cases', viaApi.latencies, viaApi.seconds, {
      note: `runs ${apiA.seconds.toFixed(2)} s / ${apiB.seconds.toFixed(2)} s; CPU ms per case: ${viaApi.cpu}`,
      target: 'rate >= 0.90 of raw',
      met: (r) => r.rps / rawRow.rps >= 0.9,
    });
    apiRow.note += `; ${(apiRow.rps / rawRow.rps).toFixed(2)} of raw`;
    printTable(`Intake: ${INTAKE} cases, ${CLIENTS} concurrent clients (best of two runs each)`, [rawRow, memoRow, apiRow]);
    figures.push(rawRow, memoRow, apiRow);
  }

  if (!args['skip-polling']) {
    // ---- (b) polling -------------------------------------------------------------------------------------------
    const have = args['skip-intake'] ? 100 : 100 + 6 * INTAKE;
    const more = Math.max(0, CASES - have);
    // Seeded with the memo a case has once its first task wrote its view, on a task queue no worker polls: the lists
    // carry every case's read model as they would, and the worker is left no backlog (the cases rest as reported).
    console.log(`\n[bench] seeding ${more} more cases (raw starts with the memo of a first task done, on a queue no worker polls) to reach ${CASES}`);
    const t0 = performance.now();
    await timed(more, 200, () => rawStart(rawId(), 'seeded', `${taskQueue}-unpolled`));
    console.log(`[bench] ${have + more} cases in the system (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

    const opsKey = keyOf('ops');
    async function poll(path: string, etags: boolean, intervalMs: number): Promise<Row> {
      const latencies: number[] = [];
      let notModified = 0;
      let errors = 0;
      const end = performance.now() + SECONDS * 1000;
      const t = performance.now();
      await Promise.all(
        Array.from({ length: POLLERS }, async () => {
          let etag: string | undefined;
          while (performance.now() < end) {
            const s = performance.now();
            const res = await fetch(`${apiUrl}${path}`, {
              headers: { authorization: `Bearer ${opsKey}`, ...(etags && etag ? { 'if-none-match': etag } : {}) },
            });
            await res.arrayBuffer();
            latencies.push(performance.now() - s);
            if (res.status === 304) notModified += 1;
            else if (res.status !== 200) errors += 1;
            if (etags) etag = res.headers.get('etag') ?? etag;
            if (intervalMs > 0) await sleep(intervalMs);
          }
        }),
      );
      const seconds = (performance.now() - t) / 1000;
      const pace = intervalMs > 0 ? `${intervalMs} ms apart` : 'back to back';
      return row('lists', `${path} ${etags ? 'with ETag' : 'no ETag'}, ${pace}`, latencies, seconds, {
        note: `${notModified} × 304${errors ? `, ${errors} errors` : ''}`,
        ...(intervalMs > 0 ? { target: 'p99 < 50 ms, only 200/304', met: (r: Row) => r.p99 < 50 && errors === 0 } : {}),
      });
    }

    /** One naive "poll": the view of every case, by query, `NAIVE_CONCURRENCY` at a time. */
    async function naive(): Promise<Row> {
      const ids: string[] = [];
      let token: Uint8Array | undefined;
      do {
        const page = await client.workflowService.listWorkflowExecutions({
          namespace: 'default',
          query: `WorkflowType = '${CASE_WORKFLOW_TYPE}'`,
          // Each execution comes with its memo (the read model, about 10 KB): 1,000 a page pass gRPC's 4 MiB.
          pageSize: 100,
          ...(token ? { nextPageToken: token } : {}),
        });
        for (const e of page.executions ?? []) ids.push(e.execution!.workflowId!);
        token = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
      } while (token);
      const latencies: number[] = [];
      let queries = 0;
      const end = performance.now() + SECONDS * 1000;
      const hardEnd = performance.now() + SECONDS * 1000 * 4;
      let failed = 0;
      const t = performance.now();
      await Promise.all(
        Array.from({ length: NAIVE_POLLERS }, async () => {
          while (performance.now() < end) {
            const s = performance.now();
            let aborted = false;
            await pool(ids.length, NAIVE_CONCURRENCY, async (i) => {
              if (performance.now() > hardEnd) {
                aborted = true;
                return;
              }
              try {
                await client.workflow.getHandle(ids[i]!).query(viewQuery);
                queries += 1;
              } catch {
                // Under this load queries time out ("query timed out before a worker could process it").
                failed += 1;
              }
            });
            if (!aborted) latencies.push(performance.now() - s);
          }
        }),
      );
      const seconds = (performance.now() - t) / 1000;
      return row('lists', `naive: viewQuery × ${ids.length} per poll`, latencies, seconds, {
        note: `${NAIVE_POLLERS} pollers × ${NAIVE_CONCURRENCY} queries in flight; ${queries} queries (${(queries / seconds).toFixed(0)}/s), ${failed} failed; polls not finished by ${4 * SECONDS} s abandoned`,
      });
    }

    console.log(`[bench] polling: ${POLLERS} pollers, ${SECONDS} s per scenario`);
    const rows: Row[] = [];
    const title = `Dashboard polling: ${have + more} cases, ${POLLERS} concurrent pollers (ops key)`;
    for (const path of ['/v1/cases?pageSize=50', '/v1/dashboard/summary']) {
      if (POLL_INTERVAL_MS > 0) {
        rows.push(await poll(path, false, POLL_INTERVAL_MS));
        rows.push(await poll(path, true, POLL_INTERVAL_MS));
      }
      // Capacity: the same pollers back to back.
      rows.push(await poll(path, false, 0));
      rows.push(await poll(path, true, 0));
    }
    printTable(title, rows);
    // Last, as before: the naive loop leaves the worker a backlog of queries that would weigh on what follows it.
    if (!args['skip-naive']) {
      console.log(`[bench] naive loop (baseline): ${NAIVE_POLLERS} pollers`);
      rows.push(await naive());
      printTable(title, rows);
    }
    figures.push(...rows);
  }

  if (!args['skip-busy']) {
    // ---- (c) case view under busy cases, (d) commands under polling ------------------------------------------------
    console.log(`\n[bench] baseline: ${VIEW_POLLERS} quiet cases filed through POST /v1/cases (vendors quiet)`);
    const quiet = await fileCases(apiUrl, insured.key, body, VIEW_POLLERS, VIEW_POLLERS);
    await untilEngaged(quiet);
    console.log(`[bench] baseline: ${VIEW_POLLERS} pollers on the quiet cases, ${SECONDS} s`);
    const quietViews = await withLoopDelay(() => pollViews({ api: apiUrl, key: handlerKey, caseIds: quiet, seconds: SECONDS, intervalMs: VIEW_INTERVAL_MS }));
    console.log(`[bench] baseline: ${HANDLERS} handlers' commands on the quiet cases, nobody polling, ${SECONDS} s`);
    const quietCommands = await withLoopDelay(() =>
      sendCommands({ api: apiUrl, key: handlerKey, caseIds: quiet, clients: HANDLERS, seconds: SECONDS, assignees: ASSIGNEES }),
    );

    answeringVendors();
    console.log(`[bench] busy: ${VIEW_POLLERS} cases filed through POST /v1/cases (vendors answering), then ${VIEW_POLLERS} pollers and ${HANDLERS} handlers for ${SECONDS} s`);
    const filedAt = Date.now();
    const busy = await fileCases(apiUrl, insured.key, body, VIEW_POLLERS, VIEW_POLLERS);
    const windowStart = Date.now();
    const busyRun = await withLoopDelay(() =>
      Promise.all([
        pollViews({ api: apiUrl, key: handlerKey, caseIds: busy, seconds: SECONDS, intervalMs: VIEW_INTERVAL_MS }),
        sendCommands({ api: apiUrl, key: handlerKey, caseIds: busy, clients: HANDLERS, seconds: SECONDS, assignees: ASSIGNEES }),
      ]),
    );
    const windowEnd = Date.now();
    const [busyViews, busyCommands] = busyRun.result;

    // What the vendors did to the busy cases while they were polled: proof that they were busy.
    const busySet = new Set(busy);
    const busyDispatches = sandbox.dispatches().filter((d) => busySet.has(d.caseId));
    const delivered = busyDispatches
      .flatMap((d) => d.events)
      .filter((e) => e.deliveredAt !== null && Date.parse(e.deliveredAt) >= windowStart && Date.parse(e.deliveredAt) <= windowEnd);
    const byType = new Tally();
    for (const e of delivered) byType.add(e.type);
    const busyNote = `filed in ${((windowStart - filedAt) / 1000).toFixed(1)} s; by the end of polling ${busyDispatches.length} vendor dispatches received by the sandbox, ${delivered.length} webhooks delivered during it (${byType.format()})`;

    const viewRows = [
      row('case view', `GET /v1/cases/{id}, ${VIEW_POLLERS} quiet cases`, quietViews.result.latencies, quietViews.result.seconds, {
        note: viewNote(quietViews.result, quietViews.loopP99Ms),
      }),
      row('case view', `GET /v1/cases/{id}, ${VIEW_POLLERS} busy cases`, busyViews.latencies, busyViews.seconds, {
        note: viewNote(busyViews, busyRun.loopP99Ms),
        target: 'p99 < 50 ms, only 200/304',
        met: viewOk(busyViews),
      }),
    ];
    const commandRows = [
      row('commands', `assign × ${HANDLERS} handlers, nobody polling`, quietCommands.result.latencies, quietCommands.result.seconds, {
        note: commandNote(quietCommands.result, quietCommands.loopP99Ms),
      }),
      row('commands', `assign × ${HANDLERS} handlers, ${VIEW_POLLERS} pollers`, busyCommands.latencies, busyCommands.seconds, {
        note: commandNote(busyCommands, busyRun.loopP99Ms),
        target: 'p99 < 1 s, no failures',
        met: commandOk(busyCommands),
      }),
    ];
    printTable(`Case view: ${VIEW_POLLERS} pollers, each on its own case (handler key, If-None-Match)${VIEW_INTERVAL_MS ? `, ${VIEW_INTERVAL_MS} ms apart` : ', back to back'}`, viewRows);
    printTable(`Commands: ${HANDLERS} handlers sending assign (fresh Idempotency-Key each)`, commandRows);
    console.log(`[bench] busy cases: ${busyNote}`);
    figures.push(...viewRows, ...commandRows);
  }

  if (!args['skip-dispatch']) {
    // ---- (e) dispatch latency ----------------------------------------------------------------------------------------
    answeringVendors();
    const n = Math.max(1, Math.round(DISPATCH_RATE * DISPATCH_SECONDS));
    console.log(`\n[bench] dispatch: ${n} reports at ${DISPATCH_RATE}/s for ${DISPATCH_SECONDS} s, each followed every ${DISPATCH_POLL_MS} ms`);
    const run = await withLoopDelay(() =>
      measureDispatch({
        api: apiUrl,
        insuredKey: insured.key,
        readKey: handlerKey,
        body,
        rate: DISPATCH_RATE,
        seconds: DISPATCH_SECONDS,
        pollMs: DISPATCH_POLL_MS,
        timeoutMs: DISPATCH_TIMEOUT_MS,
      }),
    );
    const d = run.result;
    // The worker's side: when the sandbox received the dispatch of counsel and of forensics, on this machine's clock.
    const received = new Map<string, Map<string, number>>();
    for (const r of sandbox.dispatches()) {
      const roles = received.get(r.caseId) ?? new Map<string, number>();
      const at = Date.parse(r.receivedAt);
      roles.set(r.role, Math.min(roles.get(r.role) ?? Infinity, at));
      received.set(r.caseId, roles);
    }
    const vendorSide: number[] = [];
    let vendorMissing = 0;
    for (const f of d.filed) {
      const roles = received.get(f.caseId);
      const c = roles?.get('counsel');
      const fo = roles?.get('forensics');
      if (c === undefined || fo === undefined) vendorMissing += 1;
      else vendorSide.push(Math.max(c, fo) - f.sentAtMs);
    }
    const problems = d.tally.format();
    const dispatchRows = [
      row('dispatch', `POST /v1/cases at ${DISPATCH_RATE}/s`, d.posts, d.seconds, { note: `${d.filed.length} of ${n} filed` }),
      row('dispatch', 'sandbox received both dispatches (reference)', vendorSide, d.seconds, {
        note: `from the POST sent; ${vendorMissing} cases not dispatched to both by the end`,
      }),
      row('dispatch', 'case view shows both engaged', d.engaged, d.seconds, {
        note: `from the POST sent; ${d.engaged.length} of ${n} seen engaged; problems: ${problems}; bench loop delay p99 ${ms(run.loopP99Ms)}`,
        target: 'p99 < 1 s, all engaged',
        met: (r) => r.p99 < 1000 && d.engaged.length === n && d.tally.total() === 0,
      }),
    ];
    printTable(`Dispatch: counsel and forensics engaged after POST /v1/cases (${DISPATCH_RATE}/s for ${DISPATCH_SECONDS} s)`, dispatchRows);
    figures.push(...dispatchRows);
  }

  console.log(`\n[bench] e-mails the worker sent: ${mail.total}; sandbox requests: ${sandbox.state().requests}`);
  printFigures(figures);
} finally {
  await connection.close().catch(() => undefined);
  await Promise.all([stopChild(api.proc), stopChild(worker.proc)]);
  await sandbox.close().catch(() => undefined);
  await mail.close().catch(() => undefined);
  await dev.stop();
  await rm(dir, { recursive: true, force: true });
}
