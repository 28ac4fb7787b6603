/**
 * Filing texts in the blob store, sealed like every case object (`crypto.ts`, the storage key bound into each chunk):
 * the edited item texts of a filing version (the case records only their hashes), and each filed version's document
 * (the PDF as filed and the items it was rendered from), written once and never replaced.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BlobNotFoundError, type BlobStore } from './blob-store.js';
import { decryptBuffer, encryptBuffer, type Keyring } from './crypto.js';

export interface FilingStoreDeps {
  store: BlobStore;
  keyring: Keyring;
}

/** `JP-APPI.regulator.preliminary` is a portable key segment as it is. */
function base(caseId: string, filingId: string): string {
  return `cases/${caseId}/filings/${filingId}`;
}

export function newEditsKey(caseId: string, filingId: string): string {
  return `${base(caseId, filingId)}/edits-${randomBytes(12).toString('hex')}.json.enc`;
}

export function filedDocumentKey(caseId: string, filingId: string, version: number, what: 'pdf' | 'json'): string {
  return `${base(caseId, filingId)}/filed-v${version}.${what}.enc`;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function getSealed(deps: FilingStoreDeps, key: string): Promise<Buffer> {
  return decryptBuffer(deps.keyring, await readAll(await deps.store.get(key)), { context: key });
}

/** The edited texts of one filing version, by item code. */
export async function putEdits(deps: FilingStoreDeps, key: string, texts: Record<string, string>): Promise<void> {
  await deps.store.put(key, await encryptBuffer(deps.keyring, Buffer.from(JSON.stringify(texts), 'utf8'), { context: key }));
}

export async function getEdits(deps: FilingStoreDeps, key: string): Promise<Record<string, string>> {
  return JSON.parse((await getSealed(deps, key)).toString('utf8')) as Record<string, string>;
}

/**
 * Keeps a filed version's document once: the first writer wins and a second call (a retried `record-filing`) gets
 * the bytes already kept, so the hash on the timeline is always that of the stored document.
 */
export async function keepFiledDocument(deps: FilingStoreDeps, key: string, bytes: Buffer): Promise<Buffer> {
  const created = await deps.store.putIfAbsent(key, await encryptBuffer(deps.keyring, bytes, { context: key }));
  return created ? bytes : getSealed(deps, key);
}

/** A filed document, or undefined when none was kept under the key. */
export async function getFiledDocument(deps: FilingStoreDeps, key: string): Promise<Buffer | undefined> {
  try {
    return await getSealed(deps, key);
  } catch (err) {
    if (err instanceof BlobNotFoundError) return undefined;
    throw err;
  }
}

/** The edited parts of a notice draft version (`cases/<id>/notice/ja-edits-<random>.json.enc`). */
export function newNoticeEditsKey(caseId: string, language: string): string {
  return `cases/${caseId}/notice/${language}-edits-${randomBytes(12).toString('hex')}.json.enc`;
}

/** An approved notice version's document, written once (`keepFiledDocument`) and sent by the campaigns as kept. */
export function approvedNoticeKey(caseId: string, language: string, version: number): string {
  return `cases/${caseId}/notice/${language}-v${version}.json.enc`;
}
