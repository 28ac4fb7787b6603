// API throughput and dashboard polling, measured side by side in one run (issue 6, "Done when").
//
//   npx tsx bench/api.ts [--intake 500] [--clients 50] [--cases 5000] [--pollers 50] [--seconds 15]
//                        [--naive-pollers 50] [--naive-concurrency 4] [--skip-polling]
//
// It starts its own Temporal dev server (temporary SQLite file), then the product's own worker (`main/worker.ts`) and
// API (`main/api.ts`) as child processes on that server, exactly as deployed. The load comes from this process.
//
// (a) Intake: `--intake` cases filed through `POST /v1/cases` by `--clients` concurrent HTTP clients, against the
//     same number of raw `client.workflow.start(incidentCase)` calls with the same input, the same payload codec and
//     the same concurrency. Target: the API's rate at least 0.8 of the raw rate.
// (b) Polling: with `--cases` cases in the system (seeded by raw starts, then waited for until the worker has run
//     every first task), `--pollers` concurrent clients poll `GET /v1/cases?pageSize=50` and `GET /v1/dashboard/summary`
//     for `--seconds` each, with ETags (If-None-Match, 304s) and without; against a naive loop that queries every
//     case's view (`viewQuery`) per poll, which is what a dashboard without search attributes would have to do.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../main/config.js';
import { loadSecrets, prepareRuntimeFiles } from '../main/runtime.js';
import { startDevServer, temporalBinaries } from '../main/temporal.js';
import { dataConverterFor } from '../lib/payload-codec.js';
import { parseKeyring } from '../storage/crypto.js';
import { IncidentReportSchema, type PolicyRecord } from '../domain/schemas.js';
import { caseIdFor } from '../api/cases.js';
import {
  CASE_WORKFLOW_TYPE,
  DEFAULT_CASE_SETTINGS,
  SA,
  caseWorkflowId,
  viewQuery,
  type CaseInput,
} from '../workflows/contract.js';
import { freePort } from '../test/support/ports.js';
import { policyBody, reportBody } from '../test/support/fixtures.js';
import type { DevelopmentPrincipal } from '../api/principals.js';

const ROOT = resolve(import.meta.dirname, '..');

const { values: args } = parseArgs({
  options: {
    intake: { type: 'string', default: '500' },
    clients: { type: 'string', default: '50' },
    cases: { type: 'string', default: '5000' },
    pollers: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '15' },
    'naive-pollers': { type: 'string', default: '50' },
    'naive-concurrency': { type: 'string', default: '4' },
    'skip-polling': { type: 'boolean', default: false },
    'skip-intake': { type: 'boolean', default: false },
  },
});
const INTAKE = Number(args.intake);
const CLIENTS = Number(args.clients);
const CASES = Number(args.cases);
const POLLERS = Number(args.pollers);
const SECONDS = Number(args.seconds);
const NAIVE_POLLERS = Number(args['naive-pollers']);
const NAIVE_CONCURRENCY = Number(args['naive-concurrency']);

// ---- helpers ------------------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

function child(name: string, script: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ proc: ChildProcess; match: RegExpMatchArray }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

interface Row {
  scenario: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  note: string;
}

function row(scenario: string, latencies: number[], seconds: number, note = ''): Row {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    scenario,
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    note,
  };
}

function printTable(title: string, rows: Row[]): void {
  const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const head = ['scenario', 'requests', 's', 'req/s', 'p50 ms', 'p99 ms', 'note'];
  const body = rows.map((r) => [r.scenario, String(r.requests), fmt(r.seconds), fmt(r.rps), fmt(r.p50), fmt(r.p99), r.note]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i === 0 || i === 6 ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|')}|`);
  for (const b of body) console.log(line(b));
}

// ---- the system under test ----------------------------------------------------------------------------------------

const dir = await mkdtemp(join(tmpdir(), 'breach-claims-bench-api-'));
const temporalPort = await freePort();
const apiPort = await freePort();
const taskQueue = 'bench-api';
const bins = temporalBinaries({ TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH: process.env.TEMPORAL_TEST_SERVER_PATH });
console.log(`[bench] dev server on :${temporalPort} (SQLite in ${dir})`);
const dev = await startDevServer({ cli: bins.cli, port: temporalPort, namespace: 'default', dbFile: join(dir, 'temporal.db') });

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
  SMTP_PORT: '1',
};
const config = loadConfig(env);
const files = await prepareRuntimeFiles(config);
const secrets = loadSecrets(config, files);
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

function rawInput(caseId: string): CaseInput {
  return {
    caseId,
    report,
    policy,
    reportedAt: new Date().toISOString(),
    reportedBy: { name: insured.name, role: 'insured', insuredId: insured.insuredId! },
    requestHash: 'bench',
    settings: DEFAULT_CASE_SETTINGS,
  };
}

async function rawStart(caseId: string): Promise<void> {
  const input = rawInput(caseId);
  await client.workflow.start(CASE_WORKFLOW_TYPE, {
    workflowId: caseWorkflowId(caseId),
    taskQueue,
    args: [input],
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

try {
  // ---- (a) intake ------------------------------------------------------------------------------------------------
  console.log(`[bench] warm-up`);
  await timed(50, 10, () => rawStart(rawId()));
  await timed(50, 10, () => apiCreate());
  await settle(100);
  console.log('');

  if (!args['skip-intake']) {
  console.log(`[bench] intake: ${INTAKE} cases, ${CLIENTS} concurrent clients`);
  // Raw first, then the API, then both again in the other order; the better of the two runs of each is reported, so
  // neither side pays for the other's backlog in the worker.
  const rawA = await timed(INTAKE, CLIENTS, () => rawStart(rawId()));
  await settle(100 + INTAKE);
  const apiA = await timed(INTAKE, CLIENTS, () => apiCreate());
  await settle(100 + 2 * INTAKE);
  const apiB = await timed(INTAKE, CLIENTS, () => apiCreate());
  await settle(100 + 3 * INTAKE);
  const rawB = await timed(INTAKE, CLIENTS, () => rawStart(rawId()));
  await settle(100 + 4 * INTAKE);
  console.log('');
  const best = (a: { latencies: number[]; seconds: number }, b: typeof a) => (a.seconds <= b.seconds ? a : b);
  const raw = best(rawA, rawB);
  const viaApi = best(apiA, apiB);
  const rawRow = row('raw client.workflow.start', raw.latencies, raw.seconds, `runs ${rawA.seconds.toFixed(2)} s / ${rawB.seconds.toFixed(2)} s`);
  const apiRow = row('POST /v1/cases', viaApi.latencies, viaApi.seconds, `runs ${apiA.seconds.toFixed(2)} s / ${apiB.seconds.toFixed(2)} s`);
  const ratio = apiRow.rps / rawRow.rps;
  apiRow.note += `; ${ratio.toFixed(2)} of raw (target >= 0.80)`;
  printTable(`Intake: ${INTAKE} cases, ${CLIENTS} concurrent clients (best of two runs each)`, [rawRow, apiRow]);
  }

  if (!args['skip-polling']) {
    // ---- (b) polling -------------------------------------------------------------------------------------------
    const have = args['skip-intake'] ? 100 : 100 + 4 * INTAKE;
    const more = Math.max(0, CASES - have);
    console.log(`\n[bench] seeding ${more} more cases (raw starts) to reach ${CASES}`);
    const t0 = performance.now();
    await timed(more, 200, () => rawStart(rawId()));
    await settle(have + more);
    console.log(`\n[bench] ${CASES} cases in the system, all past their first task (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

    const opsKey = keyOf('ops');
    async function poll(path: string, etags: boolean): Promise<Row> {
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
          }
        }),
      );
      const seconds = (performance.now() - t) / 1000;
      return row(
        `${path} ${etags ? 'with ETag' : 'no ETag'}`,
        latencies,
        seconds,
        `${notModified} × 304${errors ? `, ${errors} errors` : ''}`,
      );
    }

    /** One naive "poll": the view of every case, by query, `NAIVE_CONCURRENCY` at a time. */
    async function naive(): Promise<Row> {
      const ids: string[] = [];
      let token: Uint8Array | undefined;
      do {
        const page = await client.workflowService.listWorkflowExecutions({
          namespace: 'default',
          query: `WorkflowType = '${CASE_WORKFLOW_TYPE}'`,
          pageSize: 1000,
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
      return row(
        `naive: viewQuery × ${ids.length} per poll`,
        latencies,
        seconds,
        `${NAIVE_POLLERS} pollers × ${NAIVE_CONCURRENCY} queries in flight; ${queries} queries (${(queries / seconds).toFixed(0)}/s), ${failed} failed; polls not finished by ${4 * SECONDS} s abandoned`,
      );
    }

    console.log(`[bench] polling: ${POLLERS} pollers, ${SECONDS} s per scenario`);
    const rows: Row[] = [];
    for (const path of ['/v1/cases?pageSize=50', '/v1/dashboard/summary']) {
      rows.push(await poll(path, false));
      rows.push(await poll(path, true));
    }
    printTable(`Dashboard polling: ${CASES} cases, ${POLLERS} concurrent pollers (ops key)`, rows);
    console.log(`[bench] naive loop: ${NAIVE_POLLERS} pollers`);
    rows.push(await naive());
    printTable(`Dashboard polling: ${CASES} cases, ${POLLERS} concurrent pollers (ops key)`, rows);
  }
} finally {
  await connection.close().catch(() => undefined);
  await Promise.all([stopChild(api.proc), stopChild(worker.proc)]);
  await dev.stop();
  await rm(dir, { recursive: true, force: true });
}
