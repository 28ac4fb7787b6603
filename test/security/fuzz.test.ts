/**
 * Hostile input (issue 8.3): schemathesis, driven by /openapi.json, against the real product (startStack) with each
 * role's key, a fixed seed and a bounded number of examples. Every response must be: no 5xx, the status and
 * content type the document lists, the body valid against the documented schema (so every error is a valid
 * problem+json), negative data rejected, auth not ignored, response time bounded.
 *
 * schemathesis comes from `bench/fuzz/install.sh` (a pinned virtualenv in .tools/py, installed at setup, not here);
 * without it the file fails and says how to install it. `bench/fuzz/run.sh` runs the same file with more examples.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { caseWorkflowId } from '../../workflows/contract.js';

const ST = resolve(import.meta.dirname, '../../.tools/py/bin/st');
const EXAMPLES = Number(process.env.FUZZ_EXAMPLES ?? 2);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
/** `npm test` runs the schema's examples and a short fuzzing phase; bench/fuzz/run.sh adds the coverage phase. */
const PHASES = process.env.FUZZ_PHASES ?? 'examples,fuzzing';
/** One worker per run: CPython 3.11's AST compiler is not safe across schemathesis' worker threads. */
const WORKERS = process.env.FUZZ_WORKERS ?? '1';
/**
 * The response-time bound (seconds) is a figure of the full run (bench/fuzz/run.sh sets it), not an assertion of
 * `npm test`, where the time a request takes measures the other test files sharing the machine.
 */
const MAX_RESPONSE_TIME = process.env.FUZZ_MAX_RESPONSE_TIME;
/**
 * A path regex to fuzz only some operations (a short check of new routes, e.g. `FUZZ_INCLUDE_PATH='faq|engage-vendor'`);
 * every operation of the document when unset.
 */
const INCLUDE_PATH = process.env.FUZZ_INCLUDE_PATH;
/** Checks that hold for every operation. `positive_data_acceptance` is left out: a body valid by the schema may still
 * be refused by the case rules (unknown policy 422, wrong state 409), which the document lists as such. */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'missing_required_header',
  'unsupported_method',
  'ignored_auth',
].join(',');

interface RunResult {
  role: string;
  code: number | null;
  output: string;
  requests: number;
}

async function runSchemathesis(stack: Stack, role: string, dir: string, params: Record<string, string>): Promise<RunResult> {
  const config = join(dir, `${role}.toml`);
  await writeFile(
    config,
    [
      `[parameters]`,
      ...Object.entries(params).map(([k, v]) => `"${k}" = ${JSON.stringify(v)}`),
      `[generation]`,
      `allow-x00 = true`,
      // A request too large to parse (a long query string, say) is refused by the HTTP server with 413 or 431:
      // a rejection like any other, documented on every operation.
      `[checks.negative_data_rejection]`,
      `expected-statuses = ${JSON.stringify(['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429', '431', '5xx'])}`,
    ].join('\n'),
  );
  const reportDir = join(dir, role);
  const args = [
    '--config-file',
    config,
    'run',
    `${stack.url}/openapi.json`,
    '--checks',
    CHECKS,
    '--max-examples',
    String(EXAMPLES),
    '--seed',
    String(SEED),
    '--workers',
    WORKERS,
    '--request-timeout',
    '20',
    ...(MAX_RESPONSE_TIME ? ['--max-response-time', MAX_RESPONSE_TIME] : []),
    '--no-shrink',
    '--continue-on-failure',
    '--phases',
    PHASES,
    '--suppress-health-check',
    'all',
    '--report',
    'ndjson',
    '--report-dir',
    reportDir,
    '-H',
    `Authorization: Bearer ${stack.keys[role]}`,
    // The operations endpoints (docs page, metrics text) have nothing to fuzz.
    '--exclude-tag',
    'operations',
    ...(INCLUDE_PATH ? ['--include-path-regex', INCLUDE_PATH] : []),
  ];
  const child = spawn(ST, args, { env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  let requests = 0;
  for (const f of await readdir(reportDir).catch(() => [] as string[])) {
    if (!f.endsWith('.ndjson')) continue;
    for (const line of (await readFile(join(reportDir, f), 'utf8')).split('\n')) {
      if (!line) continue;
      const ev = JSON.parse(line) as Record<string, { recorder?: { interactions?: Record<string, unknown> } }>;
      const scenario = ev['ScenarioFinished'];
      if (scenario?.recorder?.interactions) requests += Object.keys(scenario.recorder.interactions).length;
    }
  }
  return { role, code, output, requests };
}

const installed = existsSync(ST);

describe('schemathesis against the running API, every role', () => {
  it('is installed by the project setup', () => {
    expect(installed, `${ST} is missing: run \`npm run setup\` (it runs bench/fuzz/install.sh)`).toBe(true);
  });

  let stack: Stack;
  let dir: string;
  let params: Record<string, string>;

  beforeAll(async () => {
    // FUZZ_WORKER_CACHE=500 runs the stack's worker with a workflow cache, to compare response times with the default.
    stack = await startStack(process.env.FUZZ_WORKER_CACHE ? { env: { WORKER_MAX_CACHED_WORKFLOWS: process.env.FUZZ_WORKER_CACHE } } : {});
    dir = await mkdtemp(join(tmpdir(), 'breach-claims-fuzz-'));
    const policyNumber = uniqueId('PL');
    expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
    const created = await as(stack, 'insured-ins-001')('POST', '/v1/cases', reportBody(policyNumber));
    expect(created.status).toBe(201);
    params = { caseId: created.json.caseId, policyNumber };
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('no 5xx, every answer as documented, every error a problem+json', { timeout: 600_000 }, async () => {
    const roles = ['admin', 'ops', 'handler', 'supervisor', 'insured-ins-001', 'insured-ins-002'];
    const results: RunResult[] = [];
    // Three at a time: enough load to find races, not so much that response times measure the test machine.
    for (let i = 0; i < roles.length; i += 3) {
      results.push(...(await Promise.all(roles.slice(i, i + 3).map((r) => runSchemathesis(stack, r, dir, params)))));
    }
    const total = results.reduce((a, r) => a + r.requests, 0);
    const fuzzed = await stack.api.client.workflow.getHandle(caseWorkflowId(params['caseId']!)).describe();
    const started = await stack.api.client.workflow.count(`TaskQueue = "${stack.config.TEMPORAL_TASK_QUEUE}" AND WorkflowType = "incidentCase"`);
    console.log(
      `[fuzz] ${total} requests (${results.map((r) => `${r.role}: ${r.requests}`).join(', ')}), seed ${SEED}; ` +
        `the fuzzed case ended ${fuzzed.status.name} with ${fuzzed.historyLength} events in its latest run; ` +
        `${started.count} cases filed in all`,
    );
    for (const r of results) {
      if (r.code !== 0) console.log(`[fuzz] ${r.role} failed:\n${r.output.slice(-20_000)}`);
    }
    expect(results.map((r) => [r.role, r.code])).toEqual(roles.map((r) => [r, 0]));
    expect(total).toBeGreaterThan(0);
  });
});
