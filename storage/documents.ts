/**
 * Case documents (invoices, forensic reports, letters): streamed in, typed by their content, sealed at rest like the
 * affected-person lists (AES-256-GCM, `crypto.ts`, the storage key bound into every chunk), and streamed out again.
 *
 * The type is what the first bytes say (`file-type`, magic numbers), never the name or the Content-Type the uploader
 * sent; a type outside `DOCUMENT_TYPES` is refused before anything is written. The store's `put` is all-or-nothing,
 * so a body over the limit, a refused type or an upload cut off half way leaves no object behind.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import type { BlobStore } from './blob-store.js';
import { createDecryptStream, createEncryptStream, type Keyring } from './crypto.js';

/** What a case may hold: office and scan formats an invoice, a report or a letter comes in. */
export const DOCUMENT_TYPES: readonly string[] = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/tiff',
  'image/webp',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'message/rfc822',
];

/** Bytes `file-type` wants to see to recognise every type above (zip-based Office files look further in). */
const SNIFF_BYTES = 64 * 1024;

export function documentKey(caseId: string, documentId: string): string {
  return `cases/${caseId}/documents/${documentId}.bin.enc`;
}

export class DocumentTypeRefused extends Error {
  constructor(readonly detected: string | undefined) {
    super(detected ? `document type ${detected} is not accepted` : 'document type not recognised');
  }
}

export interface StoredDocument {
  contentType: string;
  size: number;
  sha256: string;
}

class Measure extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }
}

/**
 * Stores a document under `documentKey(caseId, documentId)`. Rejects with `DocumentTypeRefused` before writing when the
 * content is of no accepted type, and with the body's own error (a byte limit, an aborted request) after a failed
 * write, which the store has then discarded.
 */
export async function storeDocument(
  body: Readable,
  deps: { store: BlobStore; keyring: Keyring },
  ids: { caseId: string; documentId: string },
): Promise<StoredDocument> {
  // The body is read through a pass-through: its prefix is sniffed, then the whole of it flows on to the store.
  const source = new PassThrough();
  const body$: { failure?: Error } = {};
  pipeline(body, source, (err) => {
    if (err) body$.failure = err;
  });
  const head = await readPrefixKeepingRest(source, SNIFF_BYTES);
  if (body$.failure) throw body$.failure;
  const detected = await fileTypeFromBuffer(head.prefix);
  if (!detected || !DOCUMENT_TYPES.includes(detected.mime)) {
    source.destroy();
    throw new DocumentTypeRefused(detected?.mime);
  }
  const key = documentKey(ids.caseId, ids.documentId);
  const measure = new Measure();
  const sealed = pipeline(head.rest, measure, createEncryptStream(deps.keyring, { context: key }), () => undefined);
  await deps.store.put(key, sealed);
  // A body that failed after the store had all it sent (never expected: the failure ends the sealed stream too).
  const late = failureOf(body$);
  if (late) {
    await deps.store.delete(key).catch(() => undefined);
    throw late;
  }
  return { contentType: detected.mime, size: measure.size, sha256: measure.hash.digest('hex') };
}

function failureOf(holder: { failure?: Error }): Error | undefined {
  return holder.failure;
}

/** The prefix, and a stream of the whole body again (prefix first), without holding more than the prefix. */
async function readPrefixKeepingRest(source: PassThrough, n: number): Promise<{ prefix: Buffer; rest: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= n) finish();
    };
    const finish = () => {
      source.off('data', onData);
      source.off('end', finish);
      source.off('error', reject);
      source.pause();
      resolve();
    };
    source.on('data', onData);
    source.once('end', finish);
    source.once('error', reject);
  });
  const prefix = Buffer.concat(chunks);
  const rest = new PassThrough();
  rest.write(prefix);
  pipeline(source, rest, () => undefined);
  return { prefix, rest };
}

/** The document's bytes, decrypted as they stream (a tampered or truncated object fails the stream). */
export async function openDocument(deps: { store: BlobStore; keyring: Keyring }, caseId: string, documentId: string): Promise<Readable> {
  const key = documentKey(caseId, documentId);
  const sealed = await deps.store.get(key);
  return pipeline(sealed, createDecryptStream(deps.keyring, { context: key }), () => undefined);
}

/** An uploader's file name made safe to keep and to send back: no path, no control characters, bounded. */
export function cleanFileName(raw: string | undefined, max: number): string {
  let name = raw ?? '';
  try {
    name = decodeURIComponent(name);
  } catch {
    // Not percent-encoded: taken as it is.
  }
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(/[\u0000-\u001f\u007f-\u009f"]/g, '').trim().slice(0, max);
  return name.length > 0 ? name : 'document';
}

