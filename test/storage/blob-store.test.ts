import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlobNotFoundError,
  InvalidBlobKeyError,
  createBlobStore,
  createFileBlobStore,
  createS3BlobStore,
  type BlobStore,
} from '../../storage/blob-store.js';
import { EMPTY_PAYLOAD_SHA256, sha256Hex, signV4 } from '../../storage/sigv4.js';

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of r) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

function failingStream(after: Buffer): Readable {
  return Readable.from(
    (function* () {
      yield after;
      throw new Error('upload interrupted');
    })(),
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('file blob store', () => {
  let dir: string;
  let store: BlobStore;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'blob-'));
    store = createBlobStore({ kind: 'file', dir });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('round-trips buffers and streams, overwrites, deletes idempotently', async () => {
    await store.put('cases/c1/a.bin', Buffer.from('hello'));
    expect(await store.exists('cases/c1/a.bin')).toBe(true);
    expect((await readAll(await store.get('cases/c1/a.bin'))).toString()).toBe('hello');

    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x5a);
    await store.put('cases/c1/a.bin', Readable.from([big.subarray(0, 1000), big.subarray(1000)]));
    expect((await readAll(await store.get('cases/c1/a.bin'))).equals(big)).toBe(true);

    await store.delete('cases/c1/a.bin');
    await store.delete('cases/c1/a.bin');
    expect(await store.exists('cases/c1/a.bin')).toBe(false);
    await expect(store.get('cases/c1/a.bin')).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('leaves the previous object and no temp file when a streamed put fails', async () => {
    await store.put('cases/c2/list', Buffer.from('v1'));
    await expect(store.put('cases/c2/list', failingStream(Buffer.from('partial')))).rejects.toThrow('upload interrupted');
    expect((await readAll(await store.get('cases/c2/list'))).toString()).toBe('v1');
    await expect(store.put('cases/c2/never', failingStream(Buffer.from('x')))).rejects.toThrow();
    expect(await store.exists('cases/c2/never')).toBe(false);
    expect(await listFiles(path.join(dir, 'cases/c2'))).toEqual(['list']);
  });

  it('putIfAbsent: of concurrent creates of one key exactly one wins, its bytes stay, no temp file is left', async () => {
    for (let round = 0; round < 30; round++) {
      const key = `cases/c3/redemptions/k${round}`;
      // Separate store objects, as separate API processes over one folder would have.
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => createFileBlobStore(dir).putIfAbsent(key, Buffer.from(`writer ${i}`))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await readAll(await store.get(key))).toString()).toBe(`writer ${winner}`);
      expect(await store.putIfAbsent(key, Buffer.from('late'))).toBe(false);
      expect((await readAll(await store.get(key))).toString()).toBe(`writer ${winner}`);
    }
    expect((await listFiles(path.join(dir, 'cases/c3'))).filter((f) => path.basename(f).startsWith('.'))).toEqual([]);
    // A key that `put` wrote counts as present too.
    await store.put('cases/c3/plain', Buffer.from('v1'));
    expect(await store.putIfAbsent('cases/c3/plain', Buffer.from('v2'))).toBe(false);
    expect((await readAll(await store.get('cases/c3/plain'))).toString()).toBe('v1');
  });

  it.each(['../escape', 'a/../../escape', '/etc/passwd', 'a//b', '.hidden', 'a/./b', 'a\\..\\b', '', 'a/b/', 'ｆｕｌｌ'])(
    'refuses key %j',
    async (key) => {
      const files = createFileBlobStore(dir);
      await expect(files.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidBlobKeyError);
      await expect(files.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
      await expect(files.exists(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
      await expect(files.delete(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
      await expect(files.putIfAbsent(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidBlobKeyError);
    },
  );
});

describe('SigV4', () => {
  it('matches the AWS documented GET object example', () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object"
    const signed = signV4(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
        headers: { Range: 'bytes=0-9' },
        payloadHash: EMPTY_PAYLOAD_SHA256,
      },
      {
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
        region: 'us-east-1',
        service: 's3',
        now: new Date('2013-05-24T00:00:00Z'),
      },
    );
    expect(sha256Hex(signed.canonicalRequest)).toBe('7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972');
    expect(signed.headers['authorization']).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });
});

// A minimal S3 double that checks every signature with the signer under test and implements just the calls the
// store makes: enough to exercise path-style URLs, multipart assembly and abort without a live bucket.
function fakeS3(secret: string) {
  const objects = new Map<string, Buffer>();
  const uploads = new Map<string, Map<number, Buffer>>();
  const calls: string[] = [];
  // Conditional writes to answer 409 ConditionalRequestConflict once before deciding, as S3 may under contention.
  const conflictOnce = new Set<string>();
  let next = 1;
  const body = async (req: IncomingMessage): Promise<Buffer> => {
    const parts: Buffer[] = [];
    for await (const p of req) parts.push(p as Buffer);
    return Buffer.concat(parts);
  };
  const server: Server = createServer(async (req, res) => {
    const data = await body(req);
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const auth = String(req.headers['authorization'] ?? '');
    const signedNames = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
    const headers: Record<string, string> = {};
    for (const n of signedNames) if (!['host', 'x-amz-date', 'x-amz-content-sha256'].includes(n)) headers[n] = String(req.headers[n]);
    const amzDate = String(req.headers['x-amz-date']);
    const expected = signV4(
      { method: req.method ?? 'GET', url, headers, payloadHash: String(req.headers['x-amz-content-sha256']) },
      {
        credentials: { accessKeyId: 'AK', secretAccessKey: secret },
        region: 'ap-northeast-1',
        service: 's3',
        now: new Date(amzDate.replace(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/, '$1-$2-$3T$4:$5:$6Z')),
      },
    );
    if (expected.headers['authorization'] !== auth || sha256Hex(data) !== req.headers['x-amz-content-sha256']) {
      res.writeHead(403).end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
      return;
    }
    const key = decodeURIComponent(url.pathname.replace(/^\/bucket\//, ''));
    const q = url.searchParams;
    calls.push(`${req.method} ${[...q.keys()].join(',')}`);
    if (req.method === 'POST' && q.has('uploads')) {
      const id = `u${next++}`;
      uploads.set(id, new Map());
      res.end(`<InitiateMultipartUploadResult><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
    } else if (req.method === 'PUT' && q.has('uploadId')) {
      uploads.get(q.get('uploadId')!)!.set(Number(q.get('partNumber')), data);
      res.writeHead(200, { etag: `"${sha256Hex(data).slice(0, 32)}"` }).end();
    } else if (req.method === 'POST' && q.has('uploadId')) {
      const parts = uploads.get(q.get('uploadId')!)!;
      objects.set(key, Buffer.concat([...parts.keys()].sort((a, b) => a - b).map((n) => parts.get(n)!)));
      uploads.delete(q.get('uploadId')!);
      res.end('<CompleteMultipartUploadResult/>');
    } else if (req.method === 'DELETE' && q.has('uploadId')) {
      uploads.delete(q.get('uploadId')!);
      res.writeHead(204).end();
    } else if (req.method === 'PUT' && req.headers['if-none-match'] === '*') {
      // Checked and set in one turn of the event loop: atomic, as S3's conditional write is.
      if (conflictOnce.delete(key)) res.writeHead(409).end('<Error><Code>ConditionalRequestConflict</Code></Error>');
      else if (objects.has(key)) res.writeHead(412).end('<Error><Code>PreconditionFailed</Code></Error>');
      else {
        objects.set(key, data);
        res.end();
      }
    } else if (req.method === 'PUT') {
      objects.set(key, data);
      res.end();
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      const obj = objects.get(key);
      if (!obj) res.writeHead(404).end(req.method === 'GET' ? '<Error><Code>NoSuchKey</Code></Error>' : undefined);
      else res.writeHead(200, { 'content-length': obj.length }).end(req.method === 'GET' ? obj : undefined);
    } else if (req.method === 'DELETE') {
      objects.delete(key);
      res.writeHead(204).end();
    } else res.writeHead(400).end();
  });
  return { server, objects, uploads, calls, conflictOnce };
}

describe('S3 blob store against a signature-checking double', () => {
  const s3 = fakeS3('secret');
  let endpoint: string;
  beforeAll(async () => {
    await new Promise<void>((r) => s3.server.listen(0, '127.0.0.1', r));
    const addr = s3.server.address();
    endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => new Promise<void>((r) => s3.server.close(() => r())));
  const make = (secret = 'secret') =>
    createS3BlobStore({ endpoint, region: 'ap-northeast-1', bucket: 'bucket', accessKeyId: 'AK', secretAccessKey: secret, forcePathStyle: true, partSize: 5 * 1024 * 1024 });

  it('puts, gets, heads and deletes; streams over one part go multipart', async () => {
    const store = make();
    await store.put('cases/c1/small', Readable.from([Buffer.from('tiny')]));
    expect((await readAll(await store.get('cases/c1/small'))).toString()).toBe('tiny');
    const big = Buffer.alloc(11 * 1024 * 1024 + 3);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    await store.put('cases/c1/big', Readable.from([big.subarray(0, 7_000_000), big.subarray(7_000_000)]));
    expect(s3.calls.filter((c) => c === 'PUT partNumber,uploadId')).toHaveLength(3);
    expect((await readAll(await store.get('cases/c1/big'))).equals(big)).toBe(true);
    expect(await store.exists('cases/c1/big')).toBe(true);
    await store.delete('cases/c1/big');
    expect(await store.exists('cases/c1/big')).toBe(false);
    await expect(store.get('cases/c1/big')).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('aborts the multipart upload when the body fails', async () => {
    const store = make();
    await expect(store.put('cases/c1/broken', failingStream(Buffer.alloc(6 * 1024 * 1024)))).rejects.toThrow('upload interrupted');
    expect(s3.uploads.size).toBe(0);
    expect(s3.objects.has('cases/c1/broken')).toBe(false);
  });

  it('putIfAbsent sends a signed If-None-Match: * and maps 412 to false, retrying a 409 conflict', async () => {
    const store = make();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putIfAbsent('cases/c1/once', Buffer.from(`w${i}`))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(s3.objects.get('cases/c1/once')!.toString()).toBe(`w${results.indexOf(true)}`);
    s3.conflictOnce.add('cases/c1/contended');
    expect(await store.putIfAbsent('cases/c1/contended', Buffer.from('a'))).toBe(true);
    s3.conflictOnce.add('cases/c1/contended');
    expect(await store.putIfAbsent('cases/c1/contended', Buffer.from('b'))).toBe(false);
    expect(s3.objects.get('cases/c1/contended')!.toString()).toBe('a');
    await expect(make('wrong').putIfAbsent('cases/c1/x', Buffer.from('x'))).rejects.toThrow(/HTTP 403/);
  });

  it('reports a bad signature as an S3 error without leaking the body', async () => {
    await expect(make('wrong').put('cases/c1/x', Buffer.from('secret data'))).rejects.toThrow(/HTTP 403 \(SignatureDoesNotMatch\)/);
  });
});
