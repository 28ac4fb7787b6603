/**
 * Limits (issue 8.3) on the real product (startStack): upload size, line length and row count; header and JSON body
 * size; slow clients cut off; rate limits. Every refusal is a problem+json, and a refused upload leaves nothing stored.
 */
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, startStack, type Stack } from '../support/stack.js';
import type { Json } from '../support/json.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';

const UPLOAD_MAX_BYTES = 100_000;
const UPLOAD_MAX_ROWS = 50;
const RATE_LIMIT = 25;

let stack: Stack;
let caseId: string;

async function storedFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  await walk(dir);
  return out;
}

/** A raw HTTP exchange over a socket: `write` drives what is sent and when; resolves with what came back. */
function rawExchange(
  port: number,
  write: (send: (s: string) => boolean) => Promise<void>,
  timeoutMs = 20_000,
): Promise<{ response: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let open = true;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms; got ${JSON.stringify(response.slice(0, 200))}`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => (response += c.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      open = false;
      clearTimeout(timer);
      resolve({ response, closedAfterMs: Date.now() - started });
    });
    socket.on('connect', () => {
      void write((s) => open && socket.write(s)).catch(() => undefined);
    });
  });
}

function problemOf(raw: string): { status: number; contentType: string | undefined; body: Record<string, unknown> } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]);
  const contentType = /\r\ncontent-type: ([^\r\n]+)/i.exec(head ?? '')?.[1];
  return { status, contentType, body: JSON.parse(rest.join('\r\n\r\n') || '{}') as Record<string, unknown> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  stack = await startStack({
    env: {
      UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES),
      UPLOAD_MAX_ROWS: String(UPLOAD_MAX_ROWS),
      BODY_LIMIT: '16kb',
      REQUEST_TIMEOUT_MS: '3000',
      HEADERS_TIMEOUT_MS: '2000',
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    },
  });
  const policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
  const created = await as(stack, 'insured-ins-001')('POST', '/v1/cases', reportBody(policyNumber));
  expect(created.status).toBe(201);
  caseId = created.json.caseId;
});
afterAll(async () => {
  await stack?.stop();
});

function expectProblem(res: { status: number; headers: Headers; json: Json }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.json).toMatchObject({ status, code, type: `/docs#problem-${code}` });
}

describe('affected-person uploads', () => {
  const upload = (csv: string) => as(stack, 'insured-ins-001')('PUT', `/v1/cases/${caseId}/affected-persons`, csv, { 'content-type': 'text/csv' });
  const blobs = () => storedFiles(join(stack.dataDir, 'blobs'));

  it('over UPLOAD_MAX_BYTES: 413 problem, nothing stored (declared length and chunked)', async () => {
    // Fewer rows than UPLOAD_MAX_ROWS and every line under the line limit: only the byte count is over.
    const row = `山田 太郎,taro@example.jp,${'東'.repeat(800)},ja\n`;
    const csv = `name,email,postal_address,language\n${row.repeat(Math.ceil(UPLOAD_MAX_BYTES / Buffer.byteLength(row)) + 2)}`;
    expect(csv.split('\n').length).toBeLessThan(UPLOAD_MAX_ROWS);
    const res = await upload(csv);
    expectProblem(res, 413, 'payload_too_large');
    expect(res.json.limit).toBe(UPLOAD_MAX_BYTES);

    // Chunked: no Content-Length to refuse up front, so the stream is counted and cut.
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        const bytes = new TextEncoder().encode(csv);
        for (let i = 0; i < bytes.length; i += 8192) c.enqueue(bytes.subarray(i, i + 8192));
        c.close();
      },
    });
    const chunked = await fetch(`${stack.url}/v1/cases/${caseId}/affected-persons`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack.keys['insured-ins-001']}`, 'content-type': 'text/csv' },
      body,
      duplex: 'half',
    } as RequestInit).catch((err: unknown) => err as Error);
    // The server may close the connection while the client is still sending (then fetch fails): either way no list.
    if (chunked instanceof Response) {
      expect(chunked.status).toBe(413);
      expect(chunked.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(await blobs()).toEqual([]);
  });

  it('a line far over the line limit: 422 with the reason, nothing stored', async () => {
    const res = await upload(`name,email,postal_address,language\n${'x'.repeat(70_000)},a@example.jp,,ja\n`);
    expectProblem(res, 422, 'persons_rejected');
    expect(res.json.reason).toBe('line_too_long');
    expect(res.text).not.toContain('xxxxxxxx');
    expect(await blobs()).toEqual([]);
  });

  it('more rows than UPLOAD_MAX_ROWS: 422 too_many_rows, nothing stored; at the limit it is accepted', async () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `Person ${i},p${i}@example.jp,,en`).join('\n');
    const over = await upload(`name,email,postal_address,language\n${rows(UPLOAD_MAX_ROWS + 1)}\n`);
    expectProblem(over, 422, 'persons_rejected');
    expect(over.json).toMatchObject({ reason: 'too_many_rows', limit: UPLOAD_MAX_ROWS });
    expect(await blobs()).toEqual([]);
    const at = await upload(`name,email,postal_address,language\n${rows(UPLOAD_MAX_ROWS)}\n`);
    expect(at.status).toBe(200);
    expect(at.json.ref.accepted).toBe(UPLOAD_MAX_ROWS);
  });
});

describe('headers and bodies', () => {
  it('a 20 KB header: 431 problem+json, before any route runs', async () => {
    const port = Number(new URL(stack.url).port);
    const { response } = await rawExchange(port, (send) => {
      send(`GET /v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.keys['handler']}\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`);
      return Promise.resolve();
    });
    const p = problemOf(response);
    expect(p.status).toBe(431);
    expect(p.contentType).toMatch(/^application\/problem\+json/);
    expect(p.body).toMatchObject({ status: 431, code: 'headers_too_large' });
  });

  it('a JSON body over BODY_LIMIT: 413 problem, nothing started', async () => {
    const res = await as(stack, 'handler')('POST', '/v1/cases', { ...reportBody('PL-none'), description: 'x'.repeat(20_000) });
    expectProblem(res, 413, 'payload_too_large');
  });
});

describe('slow clients', () => {
  it('a body trickled in slower than REQUEST_TIMEOUT_MS is cut off with a 408 problem', async () => {
    const port = Number(new URL(stack.url).port);
    const body = JSON.stringify(policyBody());
    const { response, closedAfterMs } = await rawExchange(port, async (send) => {
      send(
        `PUT /v1/policies/${uniqueId('PL')} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.keys['admin']}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      for (const ch of body) {
        if (!send(ch)) return;
        await sleep(250);
      }
    });
    // Cut off well before the ~90 s the trickle would take; 3 s limit, checked every 500 ms, on a busy test machine.
    expect(closedAfterMs).toBeLessThan(15_000);
    expect(closedAfterMs).toBeGreaterThanOrEqual(2_500);
    const p = problemOf(response);
    expect(p.status).toBe(408);
    expect(p.body).toMatchObject({ status: 408, code: 'request_timeout' });
  });

  it('headers trickled in slower than HEADERS_TIMEOUT_MS are cut off', async () => {
    const port = Number(new URL(stack.url).port);
    const { closedAfterMs, response } = await rawExchange(port, async (send) => {
      send('GET /v1/cases HTTP/1.1\r\nHost: x\r\n');
      for (let i = 0; i < 200; i++) {
        if (!send(`X-Slow-${i}: 1\r\n`)) return;
        await sleep(250);
      }
    });
    expect(closedAfterMs).toBeLessThan(15_000);
    expect(response === '' || problemOf(response).status === 408).toBe(true);
  });
});

describe('rate limits', () => {
  it('past RATE_LIMIT_PER_MINUTE a principal gets 429 problems with RateLimit headers; others are unaffected', async () => {
    const ops = as(stack, 'ops');
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof ops>> | undefined;
    for (let i = 0; i < RATE_LIMIT + 3; i++) {
      const res = await ops('GET', '/v1/cases?pageSize=1');
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses.slice(0, RATE_LIMIT).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(RATE_LIMIT)).toEqual([429, 429, 429]);
    expectProblem(limited!, 429, 'rate_limited');
    expect(limited!.headers.get('ratelimit-policy') ?? limited!.headers.get('ratelimit')).toBeTruthy();
    // Another principal has its own budget; probes are never limited.
    expect((await as(stack, 'supervisor')('GET', '/v1/cases?pageSize=1')).status).toBe(200);
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
  });
});
