import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { EMPTY_PAYLOAD_SHA256, sha256Hex, signV4, uriEncode, type SigV4Credentials } from './sigv4.js';

/**
 * Where sealed lists and evidence live. `put` is all-or-nothing: if it rejects (including because `body` errored),
 * no object exists under `key` and any earlier object there is unchanged. Importers rely on this to "store nothing"
 * when an upload is refused half-way through.
 */
export interface BlobStore {
  put(key: string, body: Readable | Buffer): Promise<void>;
  /** Rejects with `BlobNotFoundError` when there is no such object. */
  get(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /**
   * Creates a small object only if none exists under `key`: true when this call created it, false when one was
   * already there (its content is left as it was). Atomic: of any number of concurrent calls for one key, across
   * processes sharing the store, exactly one answers true, and no reader ever sees the object half-written.
   */
  putIfAbsent(key: string, body: Buffer): Promise<boolean>;
  /** Deleting a missing object is not an error, so retries are safe. */
  delete(key: string): Promise<void>;
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  readonly code = 'blob_not_found';
  constructor(readonly key: string) {
    super(`no blob at ${key}`);
  }
}

export class InvalidBlobKeyError extends Error {
  override readonly name = 'InvalidBlobKeyError';
  readonly code = 'invalid_blob_key';
}

// Segments may not start with a dot: that rules out `.` and `..`, and leaves dot-names free for the file store's
// temporary files so they can never collide with a real key.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** Keys are `/`-separated segments of `[A-Za-z0-9._-]`; anything that could escape a folder or bucket prefix is refused. */
export function assertValidBlobKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) {
    throw new InvalidBlobKeyError('blob key must be 1..1024 characters');
  }
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) throw new InvalidBlobKeyError('blob key has an empty, dot-leading or non-portable segment');
  }
}

async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    // Some platforms cannot open or sync a directory; the link itself is already atomic there.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await fh?.close();
  }
}

export function createFileBlobStore(rootDir: string): BlobStore {
  const root = path.resolve(rootDir);

  const resolve = (key: string): string => {
    assertValidBlobKey(key);
    const full = path.resolve(root, ...key.split('/'));
    // The pattern already forbids traversal; this is the second lock in case the pattern is ever loosened.
    if (!full.startsWith(root + path.sep)) throw new InvalidBlobKeyError('blob key escapes the store root');
    return full;
  };

  return {
    async put(key, body) {
      const target = resolve(key);
      await mkdir(path.dirname(target), { recursive: true });
      const temp = path.join(path.dirname(target), `.tmp-${path.basename(target)}-${randomBytes(6).toString('hex')}`);
      try {
        const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
        await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, out);
        // Durable before visible: a crash after rename must not leave a name pointing at unwritten blocks.
        const fh = await open(temp, 'r');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(temp, target);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    async putIfAbsent(key, body) {
      const target = resolve(key);
      const dir = path.dirname(target);
      await mkdir(dir, { recursive: true });
      // Written and synced under a private name, then published with link(2), which fails with EEXIST when the name
      // exists: the check and the create are one step in the kernel, and the name never points at a partial file.
      // (A plain open(target, 'wx') would be as exclusive, but a reader could see the object before its bytes.)
      const temp = path.join(dir, `.tmp-${path.basename(target)}-${randomBytes(6).toString('hex')}`);
      try {
        const fh = await open(temp, 'wx', 0o600);
        try {
          await fh.writeFile(body);
          await fh.sync();
        } finally {
          await fh.close();
        }
        try {
          await link(temp, target);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
          throw err;
        }
        // The new name survives a crash once its directory is synced: a "created" answer must not be forgotten.
        await syncDir(dir);
        return true;
      } finally {
        await rm(temp, { force: true });
      }
    },
    async get(key) {
      const target = resolve(key);
      try {
        const fh = await open(target, 'r');
        return fh.createReadStream();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
        throw err;
      }
    },
    async exists(key) {
      const target = resolve(key);
      try {
        return (await stat(target)).isFile();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },
    async delete(key) {
      const target = resolve(key);
      try {
        await unlink(target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
  };
}

export interface S3BlobStoreConfig {
  /** e.g. `https://s3.ap-northeast-1.amazonaws.com` or a MinIO URL. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Path-style (`endpoint/bucket/key`) for MinIO and most S3-compatible services; virtual-host style otherwise. */
  forcePathStyle?: boolean;
  /** Streamed bodies are sent as multipart uploads in parts of this size (S3's minimum is 5 MiB). */
  partSize?: number;
  fetch?: typeof fetch;
}

export class S3RequestError extends Error {
  override readonly name = 'S3RequestError';
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly s3Code: string | undefined,
  ) {
    super(`S3 ${operation} failed with HTTP ${status}${s3Code ? ` (${s3Code})` : ''}`);
  }
}

const MIN_PART_SIZE = 5 * 1024 * 1024;

async function* chunksOf(body: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    parts.push(buf);
    length += buf.length;
    while (length >= size) {
      const all = Buffer.concat(parts, length);
      yield all.subarray(0, size);
      parts = [all.subarray(size)];
      length -= size;
    }
  }
  yield Buffer.concat(parts, length);
}

/**
 * A small S3 client over fetch with SigV4 signing. Buffers go up in one PUT; streams as a multipart upload holding one
 * part in memory at a time, aborted on failure so a refused upload leaves no object behind.
 */
export function createS3BlobStore(config: S3BlobStoreConfig): BlobStore {
  const doFetch = config.fetch ?? fetch;
  const partSize = Math.max(config.partSize ?? 8 * 1024 * 1024, MIN_PART_SIZE);
  const endpoint = new URL(config.endpoint);
  const credentials: SigV4Credentials = {
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}),
  };
  const basePath = endpoint.pathname.replace(/\/+$/, '');

  const objectUrl = (key: string, query: Record<string, string> = {}): URL => {
    assertValidBlobKey(key);
    const encodedKey = uriEncode(key, false);
    const url = new URL(endpoint.href);
    if (config.forcePathStyle) {
      url.pathname = `${basePath}/${uriEncode(config.bucket)}/${encodedKey}`;
    } else {
      url.hostname = `${config.bucket}.${endpoint.hostname}`;
      url.pathname = `${basePath}/${encodedKey}`;
    }
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  };

  const send = async (
    operation: string,
    method: string,
    url: URL,
    body?: Buffer,
    extraHeaders: Record<string, string> = {},
  ): Promise<Response> => {
    const headers: Record<string, string> = { ...extraHeaders };
    if (body) headers['content-length'] = String(body.length);
    const signed = signV4(
      { method, url, headers, payloadHash: body ? sha256Hex(body) : EMPTY_PAYLOAD_SHA256 },
      { credentials, region: config.region, service: 's3', now: new Date() },
    );
    const init: RequestInit = { method, headers: signed.headers };
    if (body) init.body = new Uint8Array(body);
    return doFetch(url, init);
  };

  const fail = async (operation: string, res: Response): Promise<never> => {
    const text = await res.text().catch(() => '');
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
    throw new S3RequestError(operation, res.status, code);
  };

  const putSingle = async (key: string, body: Buffer): Promise<void> => {
    const res = await send('PutObject', 'PUT', objectUrl(key), body);
    if (!res.ok) await fail('PutObject', res);
    await res.arrayBuffer();
  };

  const putMultipart = async (key: string, first: Buffer, rest: AsyncIterator<Buffer>): Promise<void> => {
    const created = await send('CreateMultipartUpload', 'POST', objectUrl(key, { uploads: '' }));
    if (!created.ok) await fail('CreateMultipartUpload', created);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())?.[1];
    if (!uploadId) throw new S3RequestError('CreateMultipartUpload', created.status, 'NoUploadId');
    const etags: string[] = [];
    try {
      let part: Buffer | undefined = first;
      while (part) {
        const next = await rest.next();
        // S3 refuses empty parts, so the empty tail that chunksOf yields when the size divides evenly is skipped.
        if (part.length > 0 || etags.length === 0) {
          const partNumber = etags.length + 1;
          const res = await send('UploadPart', 'PUT', objectUrl(key, { partNumber: String(partNumber), uploadId }), part);
          if (!res.ok) await fail('UploadPart', res);
          await res.arrayBuffer();
          const etag = res.headers.get('etag');
          if (!etag) throw new S3RequestError('UploadPart', res.status, 'NoETag');
          etags.push(etag);
        }
        part = next.done ? undefined : next.value;
      }
      const xml =
        '<CompleteMultipartUpload>' +
        etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('') +
        '</CompleteMultipartUpload>';
      const done = await send('CompleteMultipartUpload', 'POST', objectUrl(key, { uploadId }), Buffer.from(xml), {
        'content-type': 'application/xml',
      });
      // CompleteMultipartUpload can answer 200 with an <Error> body.
      const text = await done.text();
      if (!done.ok || text.includes('<Error>')) {
        throw new S3RequestError('CompleteMultipartUpload', done.status, /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1]);
      }
    } catch (err) {
      await send('AbortMultipartUpload', 'DELETE', objectUrl(key, { uploadId }))
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      throw err;
    }
  };

  return {
    async put(key, body) {
      assertValidBlobKey(key);
      if (Buffer.isBuffer(body)) return putSingle(key, body);
      const parts = chunksOf(body, partSize);
      try {
        const first = await parts.next();
        const second = first.done ? undefined : await parts.next();
        if (first.done || !second || second.done) return await putSingle(key, first.done ? Buffer.alloc(0) : first.value);
        await putMultipart(key, first.value, (async function* () {
          yield second.value;
          yield* parts;
        })());
      } finally {
        await parts.return(undefined);
      }
    },
    async putIfAbsent(key, body) {
      assertValidBlobKey(key);
      // S3 conditional write: `If-None-Match: *` creates the object only if the key is free (412 otherwise). Two
      // writes racing for one key may get 409 ConditionalRequestConflict, to be retried: the retry then sees the
      // winner's object and gets its 412. The bucket must honour conditional writes (AWS S3 since 2024, MinIO,
      // Ceph RGW): a store that ignores the header would silently overwrite.
      for (let attempt = 0; ; attempt++) {
        const res = await send('PutObject', 'PUT', objectUrl(key), body, { 'if-none-match': '*' });
        if (res.ok) {
          await res.arrayBuffer();
          return true;
        }
        if (res.status === 412) {
          await res.arrayBuffer();
          return false;
        }
        if (res.status === 409 && attempt < 5) {
          await res.arrayBuffer();
          await new Promise((r) => setTimeout(r, 20 * 2 ** attempt + Math.random() * 20));
          continue;
        }
        await fail('PutObject', res);
      }
    },
    async get(key) {
      const res = await send('GetObject', 'GET', objectUrl(key));
      if (res.status === 404) {
        await res.arrayBuffer();
        throw new BlobNotFoundError(key);
      }
      if (!res.ok || !res.body) await fail('GetObject', res);
      return Readable.fromWeb(res.body as unknown as NodeReadableStream<Uint8Array>);
    },
    async exists(key) {
      const res = await send('HeadObject', 'HEAD', objectUrl(key));
      await res.arrayBuffer();
      if (res.status === 404) return false;
      if (!res.ok) throw new S3RequestError('HeadObject', res.status, undefined);
      return true;
    },
    async delete(key) {
      const res = await send('DeleteObject', 'DELETE', objectUrl(key));
      if (!res.ok && res.status !== 404) await fail('DeleteObject', res);
      await res.arrayBuffer();
    },
  };
}

export type BlobStoreConfig = { kind: 'file'; dir: string } | ({ kind: 's3' } & S3BlobStoreConfig);

export function createBlobStore(config: BlobStoreConfig): BlobStore {
  switch (config.kind) {
    case 'file':
      return createFileBlobStore(config.dir);
    case 's3': {
      const { kind: _kind, ...s3 } = config;
      return createS3BlobStore(s3);
    }
  }
}
