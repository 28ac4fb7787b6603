/**
 * The HTTP load of bench/api.ts's busy-case and dispatch sections (issue 12, "Reads that never wait on a worker"):
 * case-view pollers with If-None-Match, handlers sending case commands, and reports filed at a fixed rate whose
 * vendor dispatch is watched through the case view. Only HTTP behaviour is relied on (statuses, ETag and
 * If-None-Match, fields of the JSON body), so the same code measures any implementation of the read path.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Tally } from './api-figures.js';

export interface Answer {
  /** 0 when no HTTP answer came (see `error`). */
  status: number;
  etag: string | null;
  text: string;
  /** From just before the request was sent to the end of the body. */
  ms: number;
  /** "network ECONNRESET", "timeout", ... when there was no answer. */
  error?: string;
}

export async function send(
  api: string,
  method: string,
  path: string,
  key: string,
  opts: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    });
    const text = await res.text();
    return { status: res.status, etag: res.headers.get('etag'), text, ms: performance.now() - started };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string }; code?: string };
    const error = e.name === 'TimeoutError' ? 'timeout' : `network ${e.cause?.code ?? e.code ?? e.name ?? 'error'}`;
    return { status: 0, etag: null, text: '', ms: performance.now() - started, error };
  }
}

/** How an answer is counted: its status, with the problem code for a 4xx/5xx ("409 wrong_state"). */
export function answerKey(a: Answer): string {
  if (a.status === 0) return a.error ?? 'network error';
  if (a.status < 400) return String(a.status);
  try {
    const code = (JSON.parse(a.text) as { code?: unknown }).code;
    return typeof code === 'string' ? `${a.status} ${code}` : String(a.status);
  } catch {
    return String(a.status);
  }
}

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The roles `POST /v1/cases` engages at intake (workflows/case/intake.ts): counsel first, then forensics. */
export const DISPATCHED_ROLES = ['counsel', 'forensics'] as const;

/**
 * Whether a case view shows counsel and forensics engaged: an entry of `vendors` (VendorEngagement) for each role
 * whose `status` is `dispatched` (the dispatch is recorded, the vendor called) or `acknowledged` (the vendor answered).
 */
export function panelEngaged(view: unknown): boolean {
  const vendors = (view as { vendors?: unknown } | undefined)?.vendors;
  if (!Array.isArray(vendors)) return false;
  return DISPATCHED_ROLES.every((role) =>
    vendors.some((e: { role?: unknown; status?: unknown } | null) => e?.role === role && (e.status === 'dispatched' || e.status === 'acknowledged')),
  );
}

export function idempotencyKey(kind: string): string {
  return `bench-${kind}-${randomUUID()}`;
}

/** Files one report through `POST /v1/cases` with a fresh Idempotency-Key; the case id, or the answer that refused it. */
export async function fileCase(api: string, insuredKey: string, body: unknown): Promise<{ caseId?: string; answer: Answer }> {
  const answer = await send(api, 'POST', '/v1/cases', insuredKey, { body, headers: { 'idempotency-key': idempotencyKey('case') } });
  if (answer.status !== 201 && answer.status !== 200) return { answer };
  const caseId = (json(answer.text) as { caseId?: unknown } | undefined)?.caseId;
  return typeof caseId === 'string' ? { caseId, answer } : { answer };
}

/** `n` reports filed `concurrency` at a time; throws on the first refusal (the sections need all their cases). */
export async function fileCases(api: string, insuredKey: string, body: unknown, n: number, concurrency: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) {
        next += 1;
        const { caseId, answer } = await fileCase(api, insuredKey, body);
        if (!caseId) throw new Error(`POST /v1/cases: ${answerKey(answer)} ${answer.text.slice(0, 300)}`);
        ids.push(caseId);
      }
    }),
  );
  return ids;
}

/**
 * Reads a case (If-None-Match from the last ETag) every `pollMs` until its view shows the panel engaged; the time
 * from `since` (a performance.now() value), or undefined past `timeoutMs`. Answers other than 200/304 go to `tally`.
 */
export async function waitEngaged(
  api: string,
  key: string,
  caseId: string,
  opts: { since: number; pollMs: number; timeoutMs: number; tally: Tally },
): Promise<number | undefined> {
  let etag: string | null = null;
  for (;;) {
    const a = await send(api, 'GET', `/v1/cases/${encodeURIComponent(caseId)}`, key, {
      headers: etag ? { 'if-none-match': etag } : {},
      timeoutMs: opts.timeoutMs,
    });
    const elapsed = performance.now() - opts.since;
    if (a.status === 200) {
      etag = a.etag ?? etag;
      if (panelEngaged(json(a.text))) return elapsed <= opts.timeoutMs ? elapsed : undefined;
    } else if (a.status !== 304) opts.tally.add(`GET ${answerKey(a)}`);
    if (elapsed > opts.timeoutMs) return undefined;
    await sleep(opts.pollMs);
  }
}

export interface Measured {
  latencies: number[];
  seconds: number;
  tally: Tally;
}

/**
 * One client per case, each reading its case with `GET /v1/cases/{caseId}` and If-None-Match from the last ETag,
 * back to back (or every `intervalMs`), for `seconds`. Every answer's latency is kept; the tally counts 200s, 304s
 * and anything else by status and problem code.
 */
export async function pollViews(o: { api: string; key: string; caseIds: string[]; seconds: number; intervalMs: number }): Promise<Measured> {
  const latencies: number[] = [];
  const tally = new Tally();
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  await Promise.all(
    o.caseIds.map(async (caseId) => {
      let etag: string | null = null;
      const path = `/v1/cases/${encodeURIComponent(caseId)}`;
      while (performance.now() < end) {
        const a = await send(o.api, 'GET', path, o.key, { headers: etag ? { 'if-none-match': etag } : {}, timeoutMs: 30_000 });
        latencies.push(a.ms);
        tally.add(answerKey(a));
        if (a.status === 200 || a.status === 304) etag = a.etag ?? etag;
        if (o.intervalMs > 0) await sleep(o.intervalMs);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - t0) / 1000, tally };
}

/**
 * `clients` handlers sending `POST /v1/cases/{caseId}/actions/assign` back to back for `seconds`, each with a fresh
 * Idempotency-Key. Client h takes the cases whose index is h modulo `clients`, in turn; each case's assignee
 * alternates between the two given. The latency of every answer is kept (a 503 `command_pending` too, after the
 * API's whole command wait); the tally counts 200 (applied), refusals by code, and failures.
 */
export async function sendCommands(o: {
  api: string;
  key: string;
  caseIds: string[];
  clients: number;
  seconds: number;
  assignees: readonly [string, string];
}): Promise<Measured> {
  const latencies: number[] = [];
  const tally = new Tally();
  const flips = new Map<string, number>();
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  await Promise.all(
    Array.from({ length: o.clients }, async (_, h) => {
      const mine = o.caseIds.filter((_c, j) => j % o.clients === h);
      if (mine.length === 0) mine.push(o.caseIds[h % o.caseIds.length]!);
      for (let k = 0; performance.now() < end; k += 1) {
        const caseId = mine[k % mine.length]!;
        const flip = flips.get(caseId) ?? 0;
        flips.set(caseId, flip + 1);
        const a = await send(o.api, 'POST', `/v1/cases/${encodeURIComponent(caseId)}/actions/assign`, o.key, {
          body: { assignee: o.assignees[flip % 2] },
          headers: { 'idempotency-key': idempotencyKey('assign') },
          timeoutMs: 120_000,
        });
        if (a.status !== 0) latencies.push(a.ms);
        tally.add(answerKey(a));
      }
    }),
  );
  return { latencies, seconds: (performance.now() - t0) / 1000, tally };
}

export interface DispatchRun {
  /** Every report filed: its case id and the wall-clock time its POST was sent. */
  filed: { caseId: string; sentAtMs: number }[];
  /** Latency of each POST /v1/cases. */
  posts: number[];
  /** From the POST being sent until the case view showed counsel and forensics engaged. */
  engaged: number[];
  seconds: number;
  /** POST refusals, GET answers other than 200/304, cases never seen engaged. */
  tally: Tally;
}

/**
 * Files `rate` reports per second for `seconds` (on a fixed schedule, whatever the answers take) and follows each
 * case through its view every `pollMs` until counsel and forensics are engaged, for at most `timeoutMs`.
 */
export async function measureDispatch(o: {
  api: string;
  insuredKey: string;
  readKey: string;
  body: unknown;
  rate: number;
  seconds: number;
  pollMs: number;
  timeoutMs: number;
}): Promise<DispatchRun> {
  const n = Math.max(1, Math.round(o.rate * o.seconds));
  const run: DispatchRun = { filed: [], posts: [], engaged: [], seconds: 0, tally: new Tally() };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const wait = t0 + (i * 1000) / o.rate - performance.now();
      if (wait > 0) await sleep(wait);
      const sentAtMs = Date.now();
      const since = performance.now();
      const { caseId, answer } = await fileCase(o.api, o.insuredKey, o.body);
      if (!caseId) {
        run.tally.add(`POST ${answerKey(answer)}`);
        return;
      }
      run.posts.push(answer.ms);
      run.filed.push({ caseId, sentAtMs });
      const ms = await waitEngaged(o.api, o.readKey, caseId, { since, pollMs: o.pollMs, timeoutMs: o.timeoutMs, tally: run.tally });
      if (ms === undefined) run.tally.add(`not engaged within ${o.timeoutMs / 1000} s`);
      else run.engaged.push(ms);
    }),
  );
  run.seconds = (performance.now() - t0) / 1000;
  return run;
}

/**
 * The event-loop delay of this process (the load generator) while `work` runs: past a few milliseconds the
 * latencies it measures include its own queueing, on a machine whose cores the server processes share.
 */
export async function withLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; loopP99Ms: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  try {
    const result = await work();
    return { result, loopP99Ms: h.percentile(99) / 1e6 };
  } finally {
    h.disable();
  }
}
