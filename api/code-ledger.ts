/**
 * What the single-use code endpoints share (apology codes, credit-monitoring enrolment codes): the secret the codes are
 * made with, and reading a code's ledger entry from the blob store, where the entry's presence is what spends a code.
 */
import type { z } from 'zod';
import { BlobNotFoundError } from '../storage/blob-store.js';
import type { ApiContext } from './context.js';
import { HttpProblem } from './problem.js';

/** The codes' secret, or a 503 when the deployment has none fit to use. */
export function codeSecret(ctx: ApiContext): Buffer {
  const secret = ctx.deps.apologySecret;
  if (!secret || secret.length < 16) throw new HttpProblem(503, 'unavailable', { key: 'unavailable.apology_secret' });
  return secret;
}

/** The ledger entry at `key`: undefined when there is none, or when it is unreadable (present, so the code is still spent). */
export async function readLedgerEntry<T>(ctx: ApiContext, key: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let stream;
  try {
    stream = await ctx.deps.blobStore.get(key);
  } catch (err) {
    if (err instanceof BlobNotFoundError) return undefined;
    throw err;
  }
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p as Buffer);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
