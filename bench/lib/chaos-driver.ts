/**
 * The chaos soak's engine, shared by `bench/chaos.ts` (100 cases, many kills, a Temporal restart) and the short
 * version in `npm test` (a few cases, one kill).
 *
 * It runs the embedded stack the way `npm start` does, as processes: the Temporal CLI dev server on a SQLite file,
 * the sandbox vendors (faulty on request) and an SMTP sink in this process, the API and the worker as child processes
 * (`node --import tsx main/api.ts` / `main/worker.ts`). It drives cases from report to close over HTTP, SIGKILLs the
 * worker at seeded moments and restarts it, optionally restarts the Temporal server once, and then checks what the
 * outside world saw: payments per payout id, notices per person, obligations, workflow statuses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { loadConfig } from '../../main/config.js';
import { bundleWorkflows, loadSecrets, prepareRuntimeFiles } from '../../main/runtime.js';
import { startDevServer, temporalBinaries, type DevServer } from '../../main/temporal.js';
import { freeClusterPorts, startCluster } from '../../main/cluster.js';
import { loadVendors } from '../../main/vendors.js';
import { dataConverterFor } from '../../lib/payload-codec.js';
import { parseKeyring } from '../../storage/crypto.js';
import { SA } from '../../workflows/contract.js';
import { startSandbox, type FaultMode, type VendorSandbox } from '../../sandbox/vendor-service.js';
import { mulberry32, randomInt } from '../../sandbox/vendor-prng.js';
import { startChaosSink, type ChaosSink } from './chaos-sink.js';
import { policyBody } from '../../test/support/fixtures.js';
import type { DevelopmentPrincipal } from '../../api/principals.js';

const UNHANDLED_COMMAND = proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND;
import type { CaseView } from '../../workflows/contract.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DAY = 86_400_000;

export interface ChaosOptions {
  seed: number;
  cases: number;
  /** Bound on the driving phase; the checks afterwards take a little more. */
  minutes: number;
  /** Cases driven at once. */
  concurrency?: number;
  /** Worker SIGKILLs: the first after `firstAfterMs`, then every `minGapMs`..`maxGapMs` (seeded), at most `max`. */
  kills?: { firstAfterMs: number; minGapMs: number; maxGapMs: number; max: number };
  /** Stop and start the Temporal dev server once, at a seeded moment in this window (ms after driving starts). */
  temporalRestart?: { afterMinMs: number; afterMaxMs: number } | null;
  faults?: { rate: number; modes: FaultMode[] };
  personsPerCase?: [number, number];
  /** NOTICE_CONCURRENCY for the worker: the bound on notices a kill can duplicate. */
  noticeConcurrency?: number;
  log?: (line: string) => void;
  keepDataDir?: boolean;
  /**
   * Run on a real Temporal cluster on PostgreSQL (main/cluster.ts) instead of the dev server: the restart window
   * then SIGKILLs the history service once and stops PostgreSQL (immediate mode) once, each started again.
   */
  cluster?: boolean;
}

export interface ChaosFigures {
  seed: number;
  cases: number;
  closed: number;
  notClosed: { caseId: string | null; index: number; status: string; error?: string }[];
  elapsedMs: number;
  driveMs: number;
  kills: number;
  workerStarts: number;
  workerCrashes: number;
  apiStarts: number;
  temporalRestarts: number;
  temporalDownMs: number;
  clientRetries: number;
  faultsInjected: Record<string, number>;
  sandboxRequests: number;
  payouts: { sandboxPayments: number; distinctPayoutIds: number; maxPerPayoutId: number; mismatched: string[] };
  notices: {
    persons: number;
    emailPersons: number;
    letterPersons: number;
    emailsReceived: number;
    lettersReceived: number;
    duplicateEmails: number;
    duplicateLetters: number;
    missing: number;
    allowedDuplicates: number;
  };
  mail: { total: number; duplicateMessageIds: number };
  obligations: { overdueShouldNotBe: string[]; overdueLegitimately: number; filings: number };
  workflows: Record<string, Record<string, number>>;
  stuck: string[];
  failed: string[];
  workflowTaskFailures: number;
  /** Tasks the server refused because a signal arrived while they completed the case (benign; see above). */
  unhandledCommands: number;
  /** Histories replayed against today's workflow code after the run, and those that failed to. */
  replayed: number;
  replayFailures: string[];
  piiInLogs: string[];
}

export interface ChaosReport {
  ok: boolean;
  failures: string[];
  figures: ChaosFigures;
  dataDir: string;
}

// ---- small helpers -------------------------------------------------------------------------------------------

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => done(port));
    });
  });
}

/** A supervised child process: restarted when it dies, killed on purpose when asked. */
class Supervised {
  child: ChildProcess | undefined;
  starts = 0;
  crashes = 0;
  private stopping = false;
  private intendedKill = false;
  private readyWaiters: Array<() => void> = [];
  ready = false;
  private readonly out: WriteStream;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    logFile: string,
    private readonly readyLine: RegExp,
    private readonly log: (l: string) => void,
  ) {
    this.out = createWriteStream(logFile, { flags: 'a' });
  }

  start(): void {
    this.starts += 1;
    this.ready = false;
    this.intendedKill = false;
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, this.entry)], {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let buffered = '';
    const onData = (chunk: Buffer) => {
      this.out.write(chunk);
      if (this.ready) return;
      buffered = (buffered + chunk.toString()).slice(-4000);
      if (this.readyLine.test(buffered)) {
        this.ready = true;
        for (const w of this.readyWaiters.splice(0)) w();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      this.out.write(`\n[chaos] ${this.name} exited (${signal ?? code})\n`);
      if (this.child === child) this.child = undefined;
      this.ready = false;
      if (this.stopping) return;
      if (!this.intendedKill) {
        this.crashes += 1;
        this.log(`${this.name} exited by itself (${signal ?? code}); restarting`);
        setTimeout(() => !this.stopping && this.start(), 1_000);
      }
    });
  }

  waitReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return new Promise((done) => {
      const t = setTimeout(() => done(false), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(t);
        done(true);
      });
    });
  }

  /** SIGKILL, then start again after `restartAfterMs`. */
  async kill(restartAfterMs: number): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.intendedKill = true;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
    await sleep(restartAfterMs);
    if (!this.stopping) this.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    await new Promise<void>((r) => this.out.end(() => r()));
  }
}

/** The test suite's sample policy, with a period limit large enough for every case of a run. */
function chaosPolicy(insuredId: string, now: number) {
  return policyBody(
    {
      insuredId,
      insuredName: `株式会社カオス ${insuredId}`,
      responseCosts: { perIncidentLimitJpy: 50_000_000, periodLimitJpy: 200_000_000 },
    },
    now,
  );
}

export interface ChaosPerson {
  name: string;
  email?: string;
  postalAddress?: string;
}

/** The affected persons of case `i`: unique names, e-mail addresses and postal addresses, some without e-mail. */
export function personsFor(seed: number, i: number, n: number): ChaosPerson[] {
  const out: ChaosPerson[] = [];
  for (let j = 0; j < n; j++) {
    const name = `カオス${seed}太郎${i}号${j}`;
    // Every third person has only a postal address, so letters go through the print-and-mail vendor.
    if (j % 3 === 2) out.push({ name, postalAddress: `東京都千代田区混沌${seed}-${i}-${j}番地` });
    else out.push({ name, email: `p${j}.c${i}.s${seed}@chaos.example.jp` });
  }
  return out;
}

function csvOf(persons: ChaosPerson[]): string {
  return ['name,email,postal_address,language', ...persons.map((p) => `${p.name},${p.email ?? ''},${p.postalAddress ?? ''},ja`)].join('\n');
}

interface CaseOutcome {
  index: number;
  caseId: string | null;
  status: string;
  error?: string;
  view?: CaseView;
  persons: ChaosPerson[];
}

// ---- the run -------------------------------------------------------------------------------------------------

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? ((l: string) => console.log(`[chaos] ${l}`));
  const random = mulberry32(opts.seed);
  const started = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), `breach-claims-chaos-${opts.seed}-`));
  const logsDir = join(dataDir);
  const noticeConcurrency = opts.noticeConcurrency ?? 8;
  const faults = opts.faults ?? { rate: 0.3, modes: ['5xx', 'timeout', 'slow_ack'] as FaultMode[] };
  const killsPlan = opts.kills ?? { firstAfterMs: 20_000, minGapMs: 25_000, maxGapMs: 70_000, max: 1_000 };
  let clientRetries = 0;

  const cli = temporalBinaries({ TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH: undefined }).cli;
  const temporalPort = await freePort();
  const apiPort = await freePort();
  const dbFile = join(dataDir, 'temporal', 'temporal.db');
  const startTemporal = () => startDevServer({ cli, port: temporalPort, dbFile, namespace: 'default' });
  const cluster = opts.cluster ? await startCluster({ dir: join(dataDir, 'cluster'), ports: await freeClusterPorts() }) : undefined;
  let temporal: Pick<DevServer, 'address' | 'stop'> = cluster ?? (await startTemporal());
  log(
    cluster
      ? `Temporal cluster at ${cluster.address} (PostgreSQL on ${cluster.ports.postgres}, started in ${cluster.startedInMs} ms); data in ${dataDir}`
      : `Temporal dev server at ${temporal.address} (db ${dbFile}); data in ${dataDir}`,
  );

  const sink: ChaosSink = await startChaosSink();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const baseEnv: Record<string, string> = {
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: temporal.address,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(sink.port),
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '10000000',
    NOTICE_CONCURRENCY: String(noticeConcurrency),
    NODE_ENV: 'development',
  };
  const config = loadConfig(baseEnv);
  const files = await prepareRuntimeFiles(config, { sandboxUrl: 'http://127.0.0.1:1' });
  const secrets = loadSecrets(config, files);
  const vendors = loadVendors(files.vendorsFile);
  const sandbox: VendorSandbox = await startSandbox({
    port: 0,
    vendors: vendors.map((v) => ({ vendorId: v.vendorId, role: v.role, secret: v.secrets, ...(v.phone ? { phone: v.phone } : {}) })),
    webhookUrl: (vendorId) => `${apiUrl}/v1/webhooks/vendors/${encodeURIComponent(vendorId)}`,
    seed: opts.seed,
    timing: {
      ackDelayMs: 300,
      findingsDelayMs: 1_500,
      invoiceDelayMs: 1_500,
      // A late acknowledgement: well after the normal one, still inside the run (the SLA is an hour).
      slowAckDelayMs: 20_000,
      holdMs: 8_000,
      lettersDelayMs: 500,
      webhookRetryMs: 500,
      webhookMaxAttempts: 14,
      webhookTimeoutMs: 15_000,
    },
  });
  sandbox.setFaults({ rate: faults.rate, modes: faults.modes, seed: opts.seed });
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...baseEnv,
    VENDOR_BASE_URL: sandbox.url,
    PAYMENTS_BASE_URL: sandbox.url,
  };
  const principals = JSON.parse(readFileSync(files.principalsFile, 'utf8')) as DevelopmentPrincipal[];
  const keys = Object.fromEntries(principals.map((p) => [p.name, p.key]));

  const worker = new Supervised('worker', 'main/worker.ts', childEnv, join(logsDir, 'worker.log'), /\[worker\] polling/, log);
  const api = new Supervised('api', 'main/api.ts', childEnv, join(logsDir, 'api.log'), /\[api\] listening/, log);
  api.start();
  worker.start();
  if (!(await api.waitReady(120_000))) throw new Error(`the API did not start: see ${join(logsDir, 'api.log')}`);
  if (!(await worker.waitReady(120_000))) throw new Error(`the worker did not start: see ${join(logsDir, 'worker.log')}`);
  log(`API at ${apiUrl}, worker polling; sandbox at ${sandbox.url} with ${Math.round(faults.rate * 100)} % faults (${faults.modes.join(', ')})`);

  const driveStart = Date.now();
  const driveDeadline = driveStart + opts.minutes * 60_000;
  let driving = true;

  // ---- HTTP with retries ----------------------------------------------------------------------------------

  type Answer = { status: number; json: unknown; text: string };
  async function call(
    principal: string,
    method: string,
    path: string,
    body?: unknown,
    o: { key?: string; csv?: boolean; timeoutMs?: number } = {},
  ): Promise<Answer> {
    let delay = 250;
    for (;;) {
      try {
        const res = await fetch(`${apiUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${keys[principal]}`,
            ...(body !== undefined ? { 'content-type': o.csv ? 'text/csv' : 'application/json' } : {}),
            ...(o.key ? { 'idempotency-key': o.key } : {}),
          },
          ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
        });
        const text = await res.text();
        if (res.status >= 500 || res.status === 429) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        return { status: res.status, json, text };
      } catch (err) {
        clientRetries += 1;
        if (Date.now() > driveDeadline) throw new Error(`${method} ${path}: gave up at the deadline: ${(err as Error).message}`);
        await sleep(delay);
        delay = Math.min(delay * 2, 4_000);
      }
    }
  }

  function expectStatus(a: Answer, ok: number[], what: string): Answer {
    if (!ok.includes(a.status)) throw new Error(`${what}: HTTP ${a.status} ${a.text.slice(0, 300)}`);
    return a;
  }

  async function view(caseId: string): Promise<CaseView> {
    return expectStatus(await call('handler', 'GET', `/v1/cases/${caseId}`), [200], `view ${caseId}`).json as CaseView;
  }

  async function until(caseId: string, ok: (v: CaseView) => boolean, timeoutMs: number): Promise<CaseView> {
    const end = Math.min(Date.now() + timeoutMs, driveDeadline);
    let v = await view(caseId);
    while (!ok(v)) {
      if (Date.now() > end) return v;
      await sleep(500);
      v = await view(caseId);
    }
    return v;
  }

  const policies = new Map<string, Promise<void>>();
  function ensurePolicy(policyNumber: string, insuredId: string): Promise<void> {
    let p = policies.get(policyNumber);
    if (!p) {
      p = call('admin', 'PUT', `/v1/policies/${policyNumber}`, chaosPolicy(insuredId, Date.now())).then((a) => {
        expectStatus(a, [200, 201], `policy ${policyNumber}`);
      });
      policies.set(policyNumber, p);
    }
    return p;
  }

  let filings = 0;
  async function fileOpen(caseId: string, insured: string, v: CaseView): Promise<void> {
    for (const o of v.obligations.filter((x) => x.status === 'pending' || x.status === 'overdue')) {
      if (o.audience === 'persons') continue; // the campaign fulfils these
      const a = await call(
        insured,
        'POST',
        `/v1/cases/${caseId}/actions/record-filing`,
        { regime: o.regime, kind: o.kind, audience: o.audience, filedAt: new Date().toISOString(), reference: `REF-${o.id}` },
        { key: `filing-${o.id}` },
      );
      expectStatus(a, [200, 409], `record-filing ${o.id}`);
      if (a.status === 200) filings += 1;
    }
  }

  // ---- one case, report to close -------------------------------------------------------------------------

  async function driveCase(index: number): Promise<CaseOutcome> {
    const group = Math.floor(index / 4);
    const insuredId = group % 2 === 0 ? 'ins-001' : 'ins-002';
    const insured = `insured-${insuredId}`;
    const policyNumber = `PL-CHAOS-${opts.seed}-${group}`;
    const [lo, hi] = opts.personsPerCase ?? [3, 5];
    const persons = personsFor(opts.seed, index, lo + (index % (hi - lo + 1)));
    const outcome: CaseOutcome = { index, caseId: null, status: 'not_started', persons };
    try {
      await ensurePolicy(policyNumber, insuredId);
      const now = Date.now();
      const report = {
        policyNumber,
        discoveredAt: new Date(now - 3_600_000).toISOString(),
        occurredAt: new Date(now - 3 * DAY).toISOString(),
        // Every third an attack: wrongful purpose, so APPI reports are due and filed.
        cause: index % 3 === 0 ? 'external_attack' : 'device_loss',
        description: `Chaos soak case ${index}`,
        dataItems: ['name', 'email', 'address'],
        affectedPersons: persons.length,
        residency: { JP: persons.length },
        encrypted: false,
        circumstances: { naturalCatastrophe: false, warOrRiot: false, terrorism: false, directedByInsuredOfficers: false, knownBeforeInception: false },
        contact: { name: `担当 ${index}`, email: `contact.c${index}.s${opts.seed}@insured.example.jp` },
      };
      const created = expectStatus(
        await call(insured, 'POST', '/v1/cases', report, { key: `case-${opts.seed}-${index}` }),
        [200, 201],
        'create case',
      );
      const { caseId, status } = created.json as Pick<CaseView, 'caseId' | 'status'>;
      outcome.caseId = caseId;
      outcome.status = status;

      const up = await call(insured, 'PUT', `/v1/cases/${caseId}/affected-persons`, csvOf(persons), { csv: true, timeoutMs: 60_000 });
      if (up.status === 409) {
        const v = await view(caseId);
        if (!v.affectedPersonsList) throw new Error(`upload refused: ${up.text.slice(0, 200)}`);
      } else expectStatus(up, [200], 'upload persons');

      // Every other insured asks for a call centre (`engage-vendor`): its dispatch, acknowledgement SLA, enquiry
      // reports and invoice go through the same faults as the other vendors. 409: engaged already (a retry).
      if (index % 2 === 1) {
        expectStatus(
          await call(insured, 'POST', `/v1/cases/${caseId}/actions/engage-vendor`, { role: 'call_center', reason: 'chaos soak: persons call' }, { key: 'engage-call-center' }),
          [200, 409],
          'engage-vendor',
        );
      }
      expectStatus(
        await call('handler', 'POST', `/v1/cases/${caseId}/actions/consent`, { category: 'apology_payment' }, { key: 'consent-apology' }),
        [200],
        'consent',
      );
      // Counsel's approval of the notice draft (the handler records it on counsel's behalf), then the notice. A
      // vendor's findings may move the draft on in between (409 notice_draft_not_approved): both are repeated.
      for (let attempt = 1; ; attempt++) {
        let preview = await call('handler', 'GET', `/v1/cases/${caseId}/notice-preview?lang=ja`);
        const drafted = Math.min(Date.now() + 60_000, driveDeadline);
        while (preview.status === 404 && Date.now() < drafted) {
          await sleep(500);
          preview = await call('handler', 'GET', `/v1/cases/${caseId}/notice-preview?lang=ja`);
        }
        const version = (expectStatus(preview, [200], 'notice preview').json as { version: number }).version;
        expectStatus(
          await call('handler', 'POST', `/v1/cases/${caseId}/actions/approve-notice-draft`, { language: 'ja', version, onBehalfOf: 'counsel' }, { key: `approve-notice-draft-v${version}` }),
          [200, 409, 412],
          'approve-notice-draft',
        );
        const approved = expectStatus(
          await call('handler', 'POST', `/v1/cases/${caseId}/actions/approve-notice`, { language: 'ja' }, { key: `approve-notice-${attempt}` }),
          [200, 409],
          'approve-notice',
        );
        if (approved.status === 200 || (approved.json as { code?: string } | undefined)?.code !== 'notice_draft_not_approved' || attempt >= 5) break;
      }
      let v = await until(caseId, (x) => x.notifications.status === 'done', 10 * 60_000);
      if (v.notifications.status !== 'done') throw new Error(`notification campaign not done: ${JSON.stringify(v.notifications)}`);
      await fileOpen(caseId, insured, v);

      // Vendors answer by webhook: wait (bounded) until each acknowledged one has invoiced.
      const dispatchedAt = Date.parse(v.vendors[0]?.dispatchedAt ?? new Date().toISOString());
      v = await until(
        caseId,
        (x) => x.vendors.every((e) => e.status === 'acknowledged' && e.invoicedJpy > 0),
        Math.max(0, dispatchedAt + 60_000 - Date.now()),
      );

      expectStatus(
        await call(
          insured,
          'POST',
          `/v1/cases/${caseId}/actions/submit-costs`,
          { items: [{ category: 'notification', amountJpy: 300 + index, evidenceRef: `postage-${caseId}` }] },
          { key: 'costs-postage' },
        ),
        [200, 409],
        'submit-costs',
      );

      for (let round = 1; Date.now() < driveDeadline; round++) {
        v = await view(caseId);
        if (v.status === 'closed') break;
        await fileOpen(caseId, insured, v);
        const waiting = v.payouts.find((p) => p.status === 'awaiting_supervisor');
        if (waiting) {
          expectStatus(
            await call('supervisor', 'POST', `/v1/cases/${caseId}/actions/approve-payout`, {}, { key: `supervise-${waiting.payoutId}` }),
            [200, 409],
            'supervisor approve-payout',
          );
          continue;
        }
        if (v.payouts.some((p) => p.status === 'approved')) {
          await until(caseId, (x) => !x.payouts.some((p) => p.status === 'approved'), 5 * 60_000);
          continue;
        }
        if (v.settlement.lines.some((l) => l.status === 'payable' && l.payableJpy > 0)) {
          const a = await call('handler', 'POST', `/v1/cases/${caseId}/actions/approve-payout`, {}, { key: `payout-round-${round}` });
          expectStatus(a, [200, 409, 422], 'approve-payout');
          continue;
        }
        const closed = await call('handler', 'POST', `/v1/cases/${caseId}/actions/close`, { reason: 'chaos soak: all paid and filed' }, { key: `close-${round}` });
        expectStatus(closed, [200, 409], 'close');
        const closedView = closed.json as CaseView;
        if (closed.status === 200 && closedView.status === 'closed') {
          // The close answers with the closed view: keep it, should reading the case afterwards fail.
          v = closedView;
          break;
        }
        await sleep(1_000);
      }
      v = await view(caseId).catch(() => v);
      outcome.view = v;
      outcome.status = v.status;
    } catch (err) {
      outcome.error = (err as Error).message;
    }
    return outcome;
  }

  // ---- chaos: worker kills and a Temporal restart ------------------------------------------------------------

  let kills = 0;
  let temporalRestarts = 0;
  let temporalDownMs = 0;
  const postgresAfterMs = randomInt(random, 15_000, 25_000);
  const chaosLoop = (async () => {
    let nextKill = driveStart + killsPlan.firstAfterMs;
    const restartAt =
      opts.temporalRestart === null || opts.temporalRestart === undefined
        ? Infinity
        : driveStart + randomInt(random, opts.temporalRestart.afterMinMs, opts.temporalRestart.afterMaxMs);
    while (driving) {
      await sleep(250);
      const now = Date.now();
      if (cluster && now >= restartAt && temporalRestarts < 2) {
        // The history service first, PostgreSQL a seeded 15-25 s later.
        const what = temporalRestarts === 0 ? 'history service' : 'PostgreSQL';
        if (temporalRestarts === 1 && now < restartAt + postgresAfterMs) continue;
        log(`killing the cluster's ${what}`);
        const down = Date.now();
        if (temporalRestarts === 0) await cluster.restartService('history', randomInt(random, 1_000, 4_000));
        else await cluster.restartPostgres(randomInt(random, 1_000, 4_000));
        const ms = Date.now() - down;
        temporalDownMs += ms;
        temporalRestarts += 1;
        log(`the cluster answers again ${ms} ms after its ${what} was killed`);
        continue;
      }
      if (!cluster && now >= restartAt && temporalRestarts === 0) {
        log('restarting the Temporal dev server');
        const down = Date.now();
        await temporal.stop();
        await sleep(randomInt(random, 1_000, 4_000));
        temporal = await startTemporal();
        temporalDownMs = Date.now() - down;
        temporalRestarts += 1;
        log(`Temporal dev server back after ${temporalDownMs} ms`);
        continue;
      }
      if (now >= nextKill && kills < killsPlan.max && worker.child) {
        kills += 1;
        const restartAfter = randomInt(random, 200, 3_000);
        log(`kill ${kills}: SIGKILL worker pid ${worker.child.pid} (restart in ${restartAfter} ms)`);
        await worker.kill(restartAfter);
        nextKill = Date.now() + randomInt(random, killsPlan.minGapMs, killsPlan.maxGapMs);
      }
    }
  })();

  // ---- drive the cases ----------------------------------------------------------------------------------------

  const outcomes: CaseOutcome[] = new Array<CaseOutcome>(opts.cases);
  let nextIndex = 0;
  let finished = 0;
  const concurrency = Math.min(opts.concurrency ?? 25, opts.cases);
  const progress = setInterval(() => log(`${finished}/${opts.cases} cases finished, ${kills} kills, ${clientRetries} client retries`), 30_000);
  await Promise.all(
    Array.from({ length: concurrency }, async (_x, lane) => {
      await sleep(lane * 200);
      while (nextIndex < opts.cases) {
        const i = nextIndex++;
        outcomes[i] = await driveCase(i);
        finished += 1;
      }
    }),
  );
  clearInterval(progress);
  driving = false;
  await chaosLoop;
  const driveMs = Date.now() - driveStart;
  log(`driving done in ${Math.round(driveMs / 1000)} s; checking`);

  // ---- checks -------------------------------------------------------------------------------------------------

  await worker.waitReady(120_000);
  const failures: string[] = [];
  const closed = outcomes.filter((o) => o.status === 'closed').length;
  const notClosed = outcomes
    .filter((o) => o.status !== 'closed')
    .map((o) => ({ caseId: o.caseId, index: o.index, status: o.status, ...(o.error ? { error: o.error } : {}) }));
  if (closed !== opts.cases) failures.push(`${opts.cases - closed} of ${opts.cases} cases not closed`);

  // Payments: one per payout id, and each matches what the case says it paid.
  await sleep(1_000);
  const payments = sandbox.payments();
  const perPayout = new Map<string, number>();
  for (const p of payments) perPayout.set(p.payoutId, (perPayout.get(p.payoutId) ?? 0) + 1);
  const maxPerPayoutId = Math.max(0, ...perPayout.values());
  if (maxPerPayoutId > 1) failures.push(`a payout id was paid ${maxPerPayoutId} times`);
  const mismatched: string[] = [];
  const byPayoutId = new Map(payments.map((p) => [p.payoutId, p]));
  for (const o of outcomes) {
    for (const p of o.view?.payouts ?? []) {
      const paid = byPayoutId.get(p.payoutId);
      if (p.status === 'paid' && (p.grantedJpy ?? 0) > 0 && (!paid || paid.amountJpy !== p.grantedJpy)) {
        mismatched.push(`${p.payoutId}: case says paid ${p.grantedJpy}, sandbox ${paid ? paid.amountJpy : 'nothing'}`);
      }
    }
  }
  const viewPayouts = new Set(outcomes.flatMap((o) => (o.view?.payouts ?? []).filter((p) => p.status === 'paid').map((p) => p.payoutId)));
  for (const p of payments) if (!viewPayouts.has(p.payoutId)) mismatched.push(`${p.payoutId}: paid at the sandbox, not paid on its case`);
  if (mismatched.length > 0) failures.push(`${mismatched.length} payouts differ between the cases and the sandbox`);

  // Notices per person: e-mails by recipient at the SMTP sink, letters by person id at the print vendor.
  const letterCount = new Map<string, number>();
  for (const batch of sandbox.letters()) {
    for (const l of batch.letters) letterCount.set(`${batch.caseId}/${l.personId}`, (letterCount.get(`${batch.caseId}/${l.personId}`) ?? 0) + 1);
  }
  let emailPersons = 0;
  let letterPersons = 0;
  let emailsReceived = 0;
  let duplicateEmails = 0;
  let missing = 0;
  let lettersReceived = 0;
  let duplicateLetters = 0;
  for (const o of outcomes) {
    const done = o.view?.notifications?.status === 'done';
    for (const p of o.persons) {
      if (!p.email) continue;
      emailPersons += 1;
      const n = sink.byRecipient.get(p.email.toLowerCase())?.count ?? 0;
      emailsReceived += n;
      if (n > 1) duplicateEmails += n - 1;
      if (n === 0 && done) missing += 1;
    }
    const expectedLetters = o.persons.filter((p) => !p.email).length;
    letterPersons += expectedLetters;
    if (!o.caseId) continue;
    const mine = [...letterCount].filter(([k]) => k.startsWith(`${o.caseId}/`));
    for (const [, n] of mine) {
      lettersReceived += n;
      if (n > 1) duplicateLetters += n - 1;
    }
    if (done && mine.length < expectedLetters) missing += expectedLetters - mine.length;
  }
  const allowedDuplicates = kills * noticeConcurrency;
  if (missing > 0) failures.push(`${missing} persons got no notice`);
  if (duplicateEmails + duplicateLetters > allowedDuplicates) {
    failures.push(`${duplicateEmails + duplicateLetters} duplicate notices, more than ${allowedDuplicates} (${kills} kills × ${noticeConcurrency})`);
  }
  const mailDuplicates = sink.duplicates();

  // Obligations: nothing due during the run, so nothing may be overdue or marked missed.
  const overdueShouldNotBe: string[] = [];
  let overdueLegitimately = 0;
  for (const o of outcomes) {
    for (const ob of o.view?.obligations ?? []) {
      if (ob.status !== 'overdue' && !ob.missedAt) continue;
      const missedAt = ob.missedAt ? Date.parse(ob.missedAt) : Date.now();
      if (Date.parse(ob.dueAt) > missedAt) overdueShouldNotBe.push(`${o.caseId} ${ob.id} due ${ob.dueAt} marked missed ${ob.missedAt ?? '(overdue)'}`);
      else overdueLegitimately += 1;
    }
    if (o.view?.overdue && !(o.view.obligations ?? []).some((ob) => ob.status === 'overdue')) {
      overdueShouldNotBe.push(`${o.caseId}: overdue flag without an overdue obligation`);
    }
  }
  if (overdueShouldNotBe.length > 0) failures.push(`${overdueShouldNotBe.length} obligations overdue that should not be`);

  // Workflows: none failed, none still running (but the policy ledgers, which live as long as their policy).
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default', dataConverter: dataConverterFor(parseKeyring(secrets.payloadCodecKeys)) });
  const workflows: Record<string, Record<string, number>> = {};
  const stuck: string[] = [];
  const failed: string[] = [];
  let workflowTaskFailures = 0;
  let unhandledCommands = 0;
  const histories: { workflowId: string; history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> }[] = [];
  for await (const w of client.workflow.list({ query: '', pageSize: 100 })) {
    const status = w.status.name;
    (workflows[w.type] ??= {})[status] = (workflows[w.type]![status] ?? 0) + 1;
    if (['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED'].includes(status)) failed.push(`${w.workflowId} ${status}`);
    // A closed or denied case rests, running, for its retention period so that it can be reopened: not stuck.
    const resting = w.type === 'incidentCase' && ['closed', 'denied'].includes(w.typedSearchAttributes.get(SA.status) ?? '');
    if (status === 'RUNNING' && w.type !== 'policyLedger' && !resting) stuck.push(`${w.workflowId} (${w.type})`);
    if (w.type === 'incidentCase' || w.type === 'notificationCampaign') {
      const history = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
      // UnhandledCommand is Temporal's own answer to a signal that arrived while the task was completing the case: the
      // server refuses that completion and hands the workflow a new task with the signal (benign, counted apart).
      // Every other cause is a fault of ours (an exception, nondeterminism).
      for (const e of history.events ?? []) {
        if (!e.workflowTaskFailedEventAttributes) continue;
        if (e.workflowTaskFailedEventAttributes.cause === UNHANDLED_COMMAND) unhandledCommands += 1;
        else workflowTaskFailures += 1;
      }
      histories.push({ workflowId: `${w.workflowId}/${w.runId}`, history });
    } else {
      histories.push({ workflowId: `${w.workflowId}/${w.runId}`, history: await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory() });
    }
  }
  await connection.close();

  // Every history, finished or not, must replay on today's code: a worker that restarts (or a query of a closed
  // case) replays them, and one that cannot leaves its case stuck for good.
  const replayFailures: string[] = [];
  const replays = Worker.runReplayHistories(
    { workflowBundle: await bundleWorkflows(), dataConverter: dataConverterFor(parseKeyring(secrets.payloadCodecKeys)) },
    histories,
  );
  for await (const r of replays) if (r.error) replayFailures.push(`${r.workflowId}: ${String(r.error).split('\n')[0]}`);
  if (replayFailures.length > 0) failures.push(`${replayFailures.length} of ${histories.length} histories do not replay`);
  if (failed.length > 0) failures.push(`${failed.length} workflows failed or terminated`);
  if (stuck.length > 0) failures.push(`${stuck.length} workflows still running after the deadline`);
  if (workflowTaskFailures > 0) failures.push(`${workflowTaskFailures} workflow task failures in case and campaign histories`);

  // Stop everything before reading the logs, so they are complete.
  await worker.stop();
  await api.stop();
  await sandbox.close();
  await sink.close();
  await temporal.stop();

  // Personal data must not reach the processes' logs.
  const piiInLogs: string[] = [];
  const logs = `${await readFile(join(logsDir, 'api.log'), 'utf8').catch(() => '')}\n${await readFile(join(logsDir, 'worker.log'), 'utf8').catch(() => '')}`;
  for (const o of outcomes) {
    for (const p of o.persons) {
      for (const value of [p.name, p.email, p.postalAddress]) if (value && logs.includes(value)) piiInLogs.push(value);
    }
  }
  if (piiInLogs.length > 0) failures.push(`${piiInLogs.length} personal data values in the API or worker logs`);

  const state = sandbox.state();
  const figures: ChaosFigures = {
    seed: opts.seed,
    cases: opts.cases,
    closed,
    notClosed,
    elapsedMs: Date.now() - started,
    driveMs,
    kills,
    workerStarts: worker.starts,
    workerCrashes: worker.crashes,
    apiStarts: api.starts,
    temporalRestarts,
    temporalDownMs,
    clientRetries,
    faultsInjected: state.faultsInjected,
    sandboxRequests: state.requests,
    payouts: { sandboxPayments: payments.length, distinctPayoutIds: perPayout.size, maxPerPayoutId, mismatched },
    notices: {
      persons: emailPersons + letterPersons,
      emailPersons,
      letterPersons,
      emailsReceived,
      lettersReceived,
      duplicateEmails,
      duplicateLetters,
      missing,
      allowedDuplicates,
    },
    mail: { total: sink.total, duplicateMessageIds: mailDuplicates.reduce((a, d) => a + d.count - 1, 0) },
    obligations: { overdueShouldNotBe, overdueLegitimately, filings },
    workflows,
    stuck,
    failed,
    workflowTaskFailures,
    unhandledCommands,
    replayed: histories.length,
    replayFailures,
    piiInLogs,
  };
  const ok = failures.length === 0;
  if (ok && !opts.keepDataDir) await rm(dataDir, { recursive: true, force: true });
  return { ok, failures, figures, dataDir };
}

/** The figures as lines a person reads. */
export function formatReport(r: ChaosReport): string {
  const f = r.figures;
  const lines = [
    `seed ${f.seed}: ${f.closed}/${f.cases} cases closed in ${(f.driveMs / 1000).toFixed(0)} s (total ${(f.elapsedMs / 1000).toFixed(0)} s)`,
    `chaos: ${f.kills} worker SIGKILLs (${f.workerStarts} worker starts, ${f.workerCrashes} crashes), ${f.temporalRestarts} Temporal restart(s) (${f.temporalDownMs} ms down), ${f.apiStarts} API start(s)`,
    `vendors: ${f.sandboxRequests} sandbox requests, faults ${JSON.stringify(f.faultsInjected)}; ${f.clientRetries} client retries`,
    `payouts: ${f.payouts.sandboxPayments} payments for ${f.payouts.distinctPayoutIds} payout ids, max ${f.payouts.maxPerPayoutId} per id, ${f.payouts.mismatched.length} mismatched`,
    `notices: ${f.notices.persons} persons (${f.notices.emailPersons} e-mail, ${f.notices.letterPersons} letter): ${f.notices.emailsReceived} e-mails, ${f.notices.lettersReceived} letters, duplicates ${f.notices.duplicateEmails} e-mail + ${f.notices.duplicateLetters} letter (allowed ${f.notices.allowedDuplicates}), missing ${f.notices.missing}`,
    `mail: ${f.mail.total} messages at the sink, ${f.mail.duplicateMessageIds} repeated (recipient, Message-ID) arrivals`,
    `obligations: ${f.obligations.filings} filings, ${f.obligations.overdueShouldNotBe.length} overdue that should not be, ${f.obligations.overdueLegitimately} overdue legitimately`,
    `workflows: ${JSON.stringify(f.workflows)}; stuck ${f.stuck.length}, failed ${f.failed.length}, workflow task failures ${f.workflowTaskFailures} (and ${f.unhandledCommands} benign UnhandledCommand retries)`,
    `replay: ${f.replayed} histories replayed on today's code, ${f.replayFailures.length} failed`,
    `personal data in logs: ${f.piiInLogs.length}`,
    r.ok ? 'RESULT: PASS' : `RESULT: FAIL\n  - ${r.failures.join('\n  - ')}\n  data kept in ${r.dataDir}`,
  ];
  for (const n of f.notClosed.slice(0, 10)) lines.push(`  not closed: #${n.index} ${n.caseId ?? '-'} ${n.status}${n.error ? `: ${n.error}` : ''}`);
  for (const s of [...f.stuck, ...f.failed].slice(0, 10)) lines.push(`  workflow: ${s}`);
  for (const o of f.obligations.overdueShouldNotBe.slice(0, 5)) lines.push(`  overdue: ${o}`);
  for (const r of f.replayFailures.slice(0, 5)) lines.push(`  replay: ${r}`);
  return lines.join('\n');
}
