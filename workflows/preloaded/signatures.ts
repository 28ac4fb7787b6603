/**
 * Ed25519 verification of the API's signatures, for the workflows that take the API's word (workflows/case/trust.ts).
 *
 * This module is preloaded (see `PRELOADED_WORKFLOW_MODULES` in main/runtime.ts): the worker evaluates it once in its
 * reusable V8 context and every workflow shares it, instead of each workflow task loading its own copy. That matters
 * because workers keep no workflow cache, so every task replays its case and re-verifies every signed message of it.
 * Shared, two costs go: the curve's precomputed tables (about 20 ms on the first verification of each copy) and the
 * verification itself for a signature seen before (about 2 ms each, in JavaScript), which `verifySignature` remembers.
 *
 * The memo is safe for determinism because verification is a pure function of its three inputs and the memo is keyed
 * by all three (the message by its SHA-256): a remembered answer is the answer a fresh verification would give, in
 * any workflow, on any worker. A preloaded module must hold no per-workflow state and must not import
 * `@temporalio/workflow`; its exports are frozen by the SDK.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** Verifications remembered (oldest forgotten first): about 200 bytes each, so at most a few MB. */
const MEMO_MAX = 20_000;
const memo = new Map<string, boolean>();
const utf8 = new TextEncoder();

/** Whether `sigHex` is the Ed25519 signature of `text` (UTF-8) by `publicKeyHex`; false for malformed input. */
export function verifySignature(sigHex: string, text: string, publicKeyHex: string): boolean {
  const bytes = utf8.encode(text);
  const key = `${publicKeyHex}:${sigHex}:${bytesToHex(sha256(bytes))}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  let ok: boolean;
  try {
    ok = ed25519.verify(hexToBytes(sigHex), bytes, hexToBytes(publicKeyHex));
  } catch {
    ok = false;
  }
  if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!);
  memo.set(key, ok);
  return ok;
}

/** How many verifications are remembered (for tests). */
export function rememberedSignatures(): number {
  return memo.size;
}
