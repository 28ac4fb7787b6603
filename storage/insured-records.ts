/**
 * What the insurer keeps per insured outside any case: quotes, staff-training records and the security
 * self-assessment. Small JSON objects in the blob store, sealed at rest like every other stored object (AES-256-GCM,
 * `crypto.ts`, the storage key bound into the seal, so an object copied under another insured's key does not open).
 *
 * Keys are per tenant: `insureds/<tenant>/...`, the tenant a digest of the insured id (an id may hold characters a
 * key segment may not; the digest also keeps ids out of bucket listings). A quote the insurer's people make for
 * nobody in particular lives under the tenant `insurer`. A quote id's owner is kept beside it (`quotes/<id>`), so the
 * insurer's people can open any quote by its id while an insured only ever reads under its own tenant.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BlobNotFoundError, type BlobStore } from './blob-store.js';
import { decryptBuffer, encryptBuffer, type Keyring } from './crypto.js';

export interface RecordStoreDeps {
  store: BlobStore;
  keyring: Keyring;
}

/** The key segment of an insured: `i` and 32 hexadecimal digits of SHA-256 over its id. */
export function tenantSegment(insuredId: string | null): string {
  if (insuredId === null) return 'insurer';
  return `i${createHash('sha256').update(insuredId, 'utf8').digest('hex').slice(0, 32)}`;
}

export function trainingKey(insuredId: string): string {
  return `insureds/${tenantSegment(insuredId)}/training.json.enc`;
}

export function selfAssessmentKey(insuredId: string): string {
  return `insureds/${tenantSegment(insuredId)}/self-assessment.json.enc`;
}

export function quoteKey(insuredId: string | null, quoteId: string): string {
  return `insureds/${tenantSegment(insuredId)}/quotes/${quoteId}.json.enc`;
}

export function quoteOwnerKey(quoteId: string): string {
  return `quotes/${quoteId}.owner.enc`;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** The JSON under `key`, opened; undefined when there is none. A tampered object rejects. */
export async function readSealedJson<T>(deps: RecordStoreDeps, key: string): Promise<T | undefined> {
  let sealed: Buffer;
  try {
    sealed = await readAll(await deps.store.get(key));
  } catch (err) {
    if (err instanceof BlobNotFoundError) return undefined;
    throw err;
  }
  const plain = await decryptBuffer(deps.keyring, sealed, { context: key });
  return JSON.parse(plain.toString('utf8')) as T;
}

export async function writeSealedJson(deps: RecordStoreDeps, key: string, value: unknown): Promise<void> {
  const sealed = await encryptBuffer(deps.keyring, Buffer.from(JSON.stringify(value), 'utf8'), { context: key });
  await deps.store.put(key, sealed);
}

/** Creates `key` only if absent (a quote id is never reused); false when it was there already. */
export async function createSealedJson(deps: RecordStoreDeps, key: string, value: unknown): Promise<boolean> {
  const sealed = await encryptBuffer(deps.keyring, Buffer.from(JSON.stringify(value), 'utf8'), { context: key });
  return deps.store.putIfAbsent(key, sealed);
}

/**
 * Read-modify-write of one object, one at a time per key within this process. Across API processes two writes at
 * the same instant may still race (the last one wins); the objects are an insured's own small records, written by
 * hand, so that is accepted rather than adding a lock service.
 */
export class KeyedSerialiser {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
