/**
 * The poll cache's refresh-ahead (api/poll-cache.ts), through a real Express app over HTTP: a poll in the first half of
 * the TTL is memory only; one in the second half is answered from memory at once and starts the next computation in
 * the background; an expired answer, or a change made through this process, is waited for. The clock is the entry's:
 * the test moves an answer into the second half or past expiry by editing its times, so nothing depends on timing.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChangeCounter } from '../../api/changes.js';
import type { ApiContext } from '../../api/context.js';
import { PollCache, servePollable } from '../../api/poll-cache.js';

const KEY = 'dashboard';
let server: Server;
let url: string;
let ctx: ApiContext;
let computed: number;
/** While set, a computation waits for it: the test can hold one in flight. */
let gate: Promise<void> | undefined;
let failNext = false;

beforeAll(async () => {
  const app = express();
  app.get('/poll', (req, res, next) => {
    servePollable(ctx, req, res, KEY, async () => {
      if (gate) await gate;
      if (failNext) {
        failNext = false;
        throw new Error('backend down');
      }
      computed += 1;
      return { n: computed };
    }).catch(next);
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/poll`;
});

afterAll(() => new Promise((r) => server.close(r)));

beforeEach(() => {
  computed = 0;
  gate = undefined;
  ctx = {
    deps: { limits: { pollCacheTtlMs: 60_000 } },
    changes: new ChangeCounter(),
    pollCache: new PollCache(),
    log: pino({ level: 'silent' }),
  } as unknown as ApiContext;
});

async function poll(): Promise<{ n: number; etag: string | null }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return { ...((await res.json()) as { n: number }), etag: res.headers.get('etag') };
}

function entry() {
  const e = ctx.pollCache.get(KEY);
  if (!e) throw new Error('no cached answer');
  return e;
}

/** Waits until no computation is in flight for the key (the background refresh has settled). */
async function settled(): Promise<void> {
  while (ctx.pollCache.inFlight.has(KEY)) await new Promise((r) => setImmediate(r));
}

describe('poll cache: refresh-ahead', () => {
  it('answers the first half of the TTL from memory, with no computation', async () => {
    expect((await poll()).n).toBe(1);
    expect((await poll()).n).toBe(1);
    expect((await poll()).n).toBe(1);
    expect(computed).toBe(1);
  });

  it('answers the second half from memory at once and computes the next answer in the background', async () => {
    const first = await poll();
    entry().refreshAt = Date.now() - 1;
    let release!: () => void;
    gate = new Promise((r) => (release = r));
    // The computation is held: an answer that waited on it would never come.
    const during = await poll();
    expect(during).toEqual(first);
    expect(ctx.pollCache.inFlight.has(KEY)).toBe(true);
    // Another poll meanwhile starts no second computation.
    expect(await poll()).toEqual(first);
    release();
    gate = undefined;
    await settled();
    expect(computed).toBe(2);
    const after = await poll();
    expect(after.n).toBe(2);
    expect(after.etag).not.toBe(first.etag);
  });

  it('waits for a fresh answer once the TTL has run out', async () => {
    await poll();
    entry().expiresAt = Date.now() - 1;
    expect((await poll()).n).toBe(2);
  });

  it('waits for a fresh answer after a change made through this process (a caller reads its own writes)', async () => {
    await poll();
    ctx.changes.bump('C1');
    expect((await poll()).n).toBe(2);
  });

  it('keeps the answer it has when a background refresh fails, and tries again on a later poll', async () => {
    await poll();
    entry().refreshAt = Date.now() - 1;
    failNext = true;
    expect((await poll()).n).toBe(1);
    await settled();
    expect(computed).toBe(1);
    expect((await poll()).n).toBe(1);
    await settled();
    expect(computed).toBe(2);
    expect((await poll()).n).toBe(2);
  });
});
