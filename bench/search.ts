// Search over many cases (issue 15, "Done when": search over 5,000 cases answers with p99 under 100 ms).
//
//   npx tsx bench/search.ts [--cases 5000] [--clients 20] [--seconds 20]
//
// The stack: its own Temporal dev server (temporary SQLite file) and two API processes (`main/api.ts`, as deployed) on
// it: one with the search index (the default), one with `SEARCH_INDEX_MAX_CASES=0`, the memo scan of at most 2,000
// cases that stands in while the index is first built (the baseline). A worker runs only to register the policy; the
// cases are then seeded by raw `workflow.start` calls with the memo the API's intake writes (the first view, whose
// facts part holds the insured's name and the description), so no worker replays anything while searches run: what
// is measured is the API and visibility.
//
// Each case's description carries a word of its own (`kw<i>`) and a word shared by 25 cases (`grp<i mod 200>`).
// `--clients` concurrent clients search for `--seconds` each against each API, picking at random among: a case's own
// word (1 match), a shared word (25), a case id's middle (1), the policy number (every case: one page), the insured's
// name (every case), and a word no case has (0 matches: the scan reads its 2,000 cases). Every request has its own
// `pageSize` (10 to 50) so the API's 2-second answer cache is rarely hit. Target: p99 < 100 ms with the index.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
import { memoAfterFirstTask } from './lib/seeded-memo.js';
import { CASE_WORKFLOW_TYPE, DEFAULT_CASE_SETTINGS, SA, caseWorkflowId, type CaseInput } from '../workflows/contract.js';
import { freePort } from '../test/support/ports.js';
import { policyBody, reportBody } from '../test/support/fixtures.js';
import type { DevelopmentPrincipal } from '../api/principals.js';
import { printTable, row, type Row } from './lib/api-figures.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '5000' },
    clients: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '20' },
  },
});
const CASES = Number(args.cases);
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);
const GROUPS = Math.max(1, Math.round(CASES / 25));

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

const dir = await mkdtemp(join(tmpdir(), 'breach-claims-bench-search-'));
const bins = temporalBinaries({ TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH: process.env.TEMPORAL_TEST_SERVER_PATH });
const dev = await startDevServer({ cli: bins.cli, port: await freePort(), namespace: 'default', dbFile: join(dir, 'temporal.db') });
const taskQueue = 'bench-search';
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'development',
  DATA_DIR: join(dir, 'data'),
  TEMPORAL_ADDRESS: dev.address,
  TEMPORAL_TASK_QUEUE: taskQueue,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_MINUTE: '100000000',
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: '1',
};
const config = loadConfig({ ...env, PORT: '3000' });
const files = await prepareRuntimeFiles(config);
const secrets = loadSecrets(config, files);
const principals = JSON.parse(await readFile(files.principalsFile, 'utf8')) as DevelopmentPrincipal[];
const keyOf = (name: string) => principals.find((p) => p.name === name)!.key;
const insured = principals.find((p) => p.name === 'insured-ins-001')!;

const indexed = await child('api', 'main/api.ts', { ...env, PORT: String(await freePort()) }, /\[api\] listening on (\S+)/);
const scanning = await child('api', 'main/api.ts', { ...env, PORT: String(await freePort()), SEARCH_INDEX_MAX_CASES: '0' }, /\[api\] listening on (\S+)/);
const apis = { index: indexed.match[1]!, scan: scanning.match[1]! };
const worker = await child('worker', 'main/worker.ts', env, /\[worker\] polling/);
let done = false;
process.once('SIGINT', () => {
  for (const c of [indexed.proc, scanning.proc, worker.proc, dev.process]) c.kill('SIGKILL');
  process.exit(130);
});

async function http(base: string, method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, text: await res.text() };
}

const POLICY = 'PL-BENCH-SEARCH';
{
  const put = await http(apis.index, 'PUT', `/v1/policies/${POLICY}`, keyOf('admin'), policyBody());
  if (put.status !== 201 && put.status !== 200) throw new Error(`policy: ${put.status} ${put.text}`);
}
const policy = (JSON.parse((await http(apis.index, 'GET', `/v1/policies/${POLICY}`, keyOf('admin'))).text) as { policy: PolicyRecord }).policy;
// No worker from here on: the cases stay as filed and nothing replays while the searches run.
await stopChild(worker.proc);

const connection = await Connection.connect({ address: dev.address });
const client = new Client({ connection, namespace: 'default', dataConverter: dataConverterFor(parseKeyring(secrets.payloadCodecKeys)) });
const caseIds: string[] = [];
console.log(`[bench] seeding ${CASES} cases`);
const seedStarted = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < CASES) {
      const i = next++;
      const caseId = caseIdFor('bench', `search-${i}`, new Date());
      caseIds[i] = caseId;
      const report = IncidentReportSchema.parse(reportBody(POLICY, { description: `Laptop left on a train kw${i} grp${i % GROUPS}` }));
      const reportedAt = new Date().toISOString();
      const input: CaseInput = {
        caseId,
        report,
        policy,
        reportedAt,
        reportedBy: { name: insured.name, role: 'insured', insuredId: insured.insuredId! },
        requestHash: 'bench',
        settings: DEFAULT_CASE_SETTINGS,
      };
      await client.workflow.start(CASE_WORKFLOW_TYPE, {
        workflowId: caseWorkflowId(caseId),
        taskQueue,
        args: [input],
        memo: memoAfterFirstTask(input),
        typedSearchAttributes: [
          { key: SA.status, value: 'reported' },
          { key: SA.insuredId, value: policy.insuredId },
          { key: SA.policyNumber, value: policy.policyNumber },
          { key: SA.reportedAt, value: new Date(reportedAt) },
          { key: SA.severity, value: 'low' },
        ],
      });
    }
  }),
);
console.log(`[bench] seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

const handler = keyOf('handler');
async function metric(base: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}
// The index grows by StartTime on the first search after the seeding; wait until it holds every case.
const indexStarted = performance.now();
for (;;) {
  await http(apis.index, 'GET', `/v1/cases?q=warmup&pageSize=1`, handler);
  if ((await metric(apis.index, 'breach_claims_search_index_cases')) === CASES) break;
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`[bench] index holds ${CASES} cases after ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`);

type Kind = 'own word' | 'shared word' | 'id middle' | 'policy number' | 'insured name' | 'no match';
const KINDS: Kind[] = ['own word', 'shared word', 'id middle', 'policy number', 'insured name', 'no match'];
const insuredName = policy.insuredName;
function queryOf(kind: Kind): { q: string; expect: (n: number) => boolean } {
  const i = Math.floor(Math.random() * CASES);
  switch (kind) {
    case 'own word':
      return { q: `kw${i}`, expect: (n) => n >= 1 };
    case 'shared word':
      return { q: `grp${i % GROUPS}`, expect: (n) => n >= 1 };
    case 'id middle':
      return { q: caseIds[i]!.slice(4, -2), expect: (n) => n >= 1 };
    case 'policy number':
      return { q: POLICY, expect: (n) => n >= 1 };
    case 'insured name':
      return { q: [...insuredName].slice(1, 4).join(''), expect: (n) => n >= 1 };
    case 'no match':
      return { q: `zz${i}nothing`, expect: (n) => n === 0 };
  }
}

async function measure(name: keyof typeof apis): Promise<Row[]> {
  const byKind = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
  const all: number[] = [];
  let wrong = 0;
  let failed = 0;
  const until = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const kind = KINDS[Math.floor(Math.random() * KINDS.length)]!;
        const { q, expect } = queryOf(kind);
        const pageSize = 10 + Math.floor(Math.random() * 41);
        const s = performance.now();
        const res = await http(apis[name], 'GET', `/v1/cases?q=${encodeURIComponent(q)}&pageSize=${pageSize}`, handler);
        const ms = performance.now() - s;
        if (res.status !== 200) {
          failed++;
          continue;
        }
        const body = JSON.parse(res.text) as { items: unknown[]; searchTruncated?: boolean };
        if (!expect(body.items.length) && !body.searchTruncated) wrong++;
        byKind.get(kind)!.push(ms);
        all.push(ms);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const target = name === 'index' ? { target: 'p99 < 100 ms', met: (r: Row) => r.p99 < 100 && failed === 0 && wrong === 0 } : {};
  return [
    row(name, `${name}: all searches (${CLIENTS} clients)`, all, seconds, { ...target, note: `${failed} non-200, ${wrong} wrong counts` }),
    ...KINDS.map((k) => row(name, `${name}: ${k}`, byKind.get(k)!, seconds)),
  ];
}

const figures: Row[] = [];
try {
  figures.push(...(await measure('index')));
  figures.push(...(await measure('scan')));
  done = true;
} finally {
  await Promise.all([stopChild(indexed.proc), stopChild(scanning.proc)]);
  await connection.close();
  await dev.stop();
  await rm(dir, { recursive: true, force: true });
}
printTable('Search over ' + CASES + ' cases', figures);
if (done && figures[0]!.met === false) process.exitCode = 1;
