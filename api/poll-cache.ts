/**
 * Polled JSON resources (the case lists, the dashboard summary) answered from memory with a strong ETag while this
 * process changed nothing, so a page of pollers costs one backend call per TTL. The answer is computed again ahead of
 * its expiry (refresh-ahead): a poll in the second half of the TTL is answered from memory at once and starts the next
 * computation in the background, so paced pollers never wait on the backend, and no answer is older than the TTL
 * unless that computation takes longer than half of it (then the poll after expiry waits for it, as before).
 */
import type { Request, Response } from 'express';
import type { ApiContext } from './context.js';
import { sendTagged, strongEtag } from './etag.js';
import { shareInFlight } from './in-flight.js';

interface CacheEntry {
  counter: number;
  /** From then on, a poll starts the next computation in the background. */
  refreshAt: number;
  expiresAt: number;
  etag: string;
  body: string;
}

/** Small LRU of computed poll answers, keyed by who may see what and the normalised query. */
export class PollCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** Computations under way, by key (see `servePollable`). */
  readonly inFlight = new Map<string, Promise<CacheEntry>>();
  constructor(private readonly max = 500) {}
  get(key: string): CacheEntry | undefined {
    const e = this.entries.get(key);
    if (e) {
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e;
  }
  set(key: string, entry: CacheEntry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

/**
 * Answers a polled JSON resource with a strong ETag. When this process changed nothing since the cached answer
 * and its TTL has not run out, a matching `If-None-Match` is a 304 before any backend call.
 */
export async function servePollable(
  ctx: ApiContext,
  req: Request,
  res: Response,
  key: string,
  compute: () => Promise<unknown>,
): Promise<void> {
  res.set('Cache-Control', 'private, no-cache');
  res.set('Vary', 'Authorization');
  const ttl = ctx.deps.limits?.pollCacheTtlMs ?? 2000;
  // One computation per key at a time: when the entry expires under 50 pollers, they all wait for the same
  // backend call instead of each making their own.
  const compute1 = () =>
    shareInFlight(ctx.pollCache.inFlight, key, async () => {
      const counter = ctx.changes.value;
      const body = JSON.stringify(await compute());
      const now = Date.now();
      const fresh = { counter, refreshAt: now + ttl / 2, expiresAt: now + ttl, etag: strongEtag(body), body };
      ctx.pollCache.set(key, fresh);
      return fresh;
    });
  const nowMs = Date.now();
  let entry = ctx.pollCache.get(key);
  // A change made through this process is waited for (a caller reads its own writes); so is an expired answer.
  if (!entry || entry.counter !== ctx.changes.value || entry.expiresAt <= nowMs) entry = await compute1();
  else if (entry.refreshAt <= nowMs && !ctx.pollCache.inFlight.has(key)) {
    compute1().catch((err: unknown) => ctx.log.warn({ err, key: key.split('|')[0] }, 'poll answer refresh failed; the next poll after expiry tries again'));
  }
  sendTagged(req, res, 200, entry.body, entry.etag, true);
}
