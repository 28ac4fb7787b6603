import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';

/**
 * Why a vendor or payment call failed, in a form the activity layer can act on: `retryable: false` means the same
 * request will never succeed (4xx, a malformed answer) and should fail the activity for good; `retryable: true` means
 * this client gave up for now and the activity may try again later with the same idempotency key.
 */
export class VendorRequestError extends Error {
  override readonly name = 'VendorRequestError';
  readonly retryable: boolean;
  readonly operation: string;
  /** HTTP status of the last answer, or null when the last attempt got none (time-out, network). */
  readonly status: number | null;
  /** The problem `type` the server answered with, when it sent problem+json. */
  readonly problemType: string | null;
  readonly attempts: number;

  constructor(opts: {
    message: string;
    retryable: boolean;
    operation: string;
    status: number | null;
    problemType?: string | null;
    attempts: number;
    cause?: unknown;
  }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.retryable = opts.retryable;
    this.operation = opts.operation;
    this.status = opts.status;
    this.problemType = opts.problemType ?? null;
    this.attempts = opts.attempts;
  }
}

export interface RetryPolicy {
  timeoutMs: number;
  /** Attempts after the first one. */
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export interface HttpDeps {
  fetch: typeof fetch;
  random: () => number;
}

export interface JsonRequest<T> {
  operation: string;
  url: string;
  method: 'POST' | 'GET';
  idempotencyKey?: string;
  body?: unknown;
  schema: z.ZodType<T>;
  signal?: AbortSignal;
}

export interface JsonResponse<T> {
  status: number;
  data: T;
  attempts: number;
  /** The server said it answered from its idempotency store: an earlier attempt had already taken effect. */
  replayed: boolean;
}

/** 408 and 429 say "not now" rather than "never", so they are retried like a 5xx. */
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function retryAfterMs(res: Response): number | null {
  const value = res.headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

async function problemTypeOf(res: Response): Promise<string | null> {
  // Only the problem type is kept: the rest of an error body is the vendor's text and may echo what we sent.
  try {
    const body: unknown = await res.json();
    const type = (body as { type?: unknown } | null)?.type;
    return typeof type === 'string' ? type.slice(0, 200) : null;
  } catch {
    return null;
  }
}

/** Exponential back-off with "equal jitter": half the step fixed, half random, so retries spread but still grow. */
function backoff(policy: RetryPolicy, retry: number, random: () => number): number {
  const step = Math.min(policy.backoffMs * 2 ** (retry - 1), policy.maxBackoffMs);
  return step / 2 + random() * (step / 2);
}

/**
 * One JSON request with time-outs and bounded retries. Safe to retry only because every mutating call carries an
 * idempotency key: a time-out tells us nothing about whether the vendor acted, and the key makes the retry land on
 * whatever the first attempt did.
 */
export async function requestJson<T>(req: JsonRequest<T>, policy: RetryPolicy, deps: HttpDeps): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (req.idempotencyKey !== undefined) headers['idempotency-key'] = req.idempotencyKey;
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  const body = req.body === undefined ? undefined : JSON.stringify(req.body);

  let lastStatus: number | null = null;
  let lastCause: unknown;
  let lastProblem: string | null = null;
  let wait = 0;
  const maxAttempts = Math.max(1, policy.retries + 1);

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) {
      await sleep(Math.max(wait, backoff(policy, attempt - 1, deps.random)), undefined, req.signal ? { signal: req.signal } : {});
    }
    wait = 0;
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    let res: Response;
    try {
      res = await deps.fetch(req.url, {
        method: req.method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: req.signal ? AbortSignal.any([req.signal, timeout]) : timeout,
      });
    } catch (err) {
      // The caller's own cancellation (activity cancelled, worker shutting down) is not ours to retry.
      if (req.signal?.aborted) throw err;
      lastStatus = null;
      lastProblem = null;
      lastCause = err;
      continue;
    }

    if (res.ok) {
      let json: unknown;
      try {
        json = await res.json();
      } catch (err) {
        if (req.signal?.aborted) throw err;
        if (timeout.aborted) {
          lastStatus = res.status;
          lastCause = err;
          continue;
        }
        throw new VendorRequestError({
          message: `${req.operation}: answer ${res.status} is not JSON`,
          retryable: false,
          operation: req.operation,
          status: res.status,
          attempts: attempt,
          cause: err,
        });
      }
      const parsed = req.schema.safeParse(json);
      if (!parsed.success) {
        throw new VendorRequestError({
          message: `${req.operation}: answer ${res.status} does not match the expected shape`,
          retryable: false,
          operation: req.operation,
          status: res.status,
          attempts: attempt,
          cause: parsed.error,
        });
      }
      return {
        status: res.status,
        data: parsed.data,
        attempts: attempt,
        replayed: res.headers.get('idempotent-replayed') === 'true',
      };
    }

    lastStatus = res.status;
    lastProblem = await problemTypeOf(res);
    lastCause = undefined;
    if (!isRetryableStatus(res.status)) {
      throw new VendorRequestError({
        message: `${req.operation}: refused with ${res.status}${lastProblem ? ` (${lastProblem})` : ''}`,
        retryable: false,
        operation: req.operation,
        status: res.status,
        problemType: lastProblem,
        attempts: attempt,
      });
    }
    wait = Math.min(retryAfterMs(res) ?? 0, policy.maxBackoffMs);
  }

  const what =
    lastStatus === null
      ? lastCause instanceof Error && lastCause.name === 'TimeoutError'
        ? 'timed out'
        : 'network error'
      : `status ${lastStatus}`;
  throw new VendorRequestError({
    message: `${req.operation}: gave up after ${maxAttempts} attempts (${what})`,
    retryable: true,
    operation: req.operation,
    status: lastStatus,
    problemType: lastProblem,
    attempts: maxAttempts,
    cause: lastCause,
  });
}
