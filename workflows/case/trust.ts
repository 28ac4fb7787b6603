/**
 * Trust: a command or vendor event changes the case only when it carries the API's signature for this case
 * (contract/proof.ts). One whose key the case does not know yet is parked until the worker vouches for the key (the
 * API rotated, or the case started before signatures); anything else unsigned, altered, for another case or stale is
 * refused on the timeline and changes nothing. Verification is pure (Ed25519 in JavaScript), so replay repeats it; the
 * worker remembers the answers across workflows (workflows/preloaded/signatures.ts).
 */
import { log } from '@temporalio/workflow';
import { PROOF_VALIDITY_MS, proofMessage, type ParkedMessage, type Proof, type ProofPurpose, type TrustedKey } from '../contract.js';
import { verifySignature } from '../preloaded/signatures.js';
import { acts } from './activities.js';
import { changeApplies } from './rules.js';
import { record, type CaseContext } from './state.js';

const CLOCK_SKEW_MS = 5 * 60_000;

export type Distrust = 'unsigned' | 'unknown_key' | 'bad_signature' | 'stale' | 'from_the_future';

const WHY: Record<Distrust, string> = {
  unsigned: 'it carries no signature of the API',
  unknown_key: 'it is signed with a key neither the case nor the worker trusts',
  bad_signature: 'its signature does not match (altered, or signed for another case)',
  stale: 'it was issued too long ago (a replay)',
  from_the_future: 'it was issued in the future',
};

export function trustedKeys(c: CaseContext): TrustedKey[] {
  return (c.s.trustedKeys ??= [...(c.input.trust?.keys ?? [])]);
}

/** Why the message cannot be trusted, or null when the API signed it for this case. */
export function distrust(c: CaseContext, purpose: ProofPurpose, message: unknown, proof: Proof | undefined): Distrust | null {
  return checkProof(trustedKeys(c), purpose, c.v.caseId, message, proof);
}

/**
 * The check itself, for any workflow that takes the API's word (the case, the consultation desk): why `message` for
 * `id` cannot be trusted under `keys` at the workflow's current time, or null when the API signed it.
 */
export function checkProof(keys: readonly TrustedKey[], purpose: ProofPurpose, id: string, message: unknown, proof: Proof | undefined): Distrust | null {
  if (!proof || typeof proof.kid !== 'string' || typeof proof.sig !== 'string' || typeof proof.issuedAt !== 'string') return 'unsigned';
  const key = keys.find((k) => k.kid === proof.kid);
  if (!key) return 'unknown_key';
  let text: string;
  try {
    text = proofMessage(purpose, id, message, proof);
  } catch {
    return 'bad_signature';
  }
  if (!verifySignature(proof.sig, text, key.publicKey)) return 'bad_signature';
  const issued = Date.parse(proof.issuedAt);
  if (Number.isNaN(issued) || issued < Date.now() - PROOF_VALIDITY_MS) return 'stale';
  if (issued > Date.now() + CLOCK_SKEW_MS) return 'from_the_future';
  return null;
}

/**
 * Whether this live signal must be signed. Called from signal handlers only (in a run from before the rulebook, a
 * patch marks history): a case recorded before signatures replays its old signals unchecked, and checks every signal
 * that reaches it from now on.
 */
export function signaturesRequired(c: CaseContext): boolean {
  return changeApplies(c, 'signedMessages');
}

/** Records the refusal of an untrusted message: on the timeline only, so a forger cannot pre-empt a real command id. */
export function refuseUntrusted(c: CaseContext, what: string, why: Distrust): void {
  log.warn('untrusted message refused', { caseId: c.v.caseId, what, why });
  record(c, 'refused', 'system', `${what} refused: ${WHY[why]}`);
}

/**
 * The main loop's step for parked messages: asks the worker which keys it trusts, then hands each parked message back
 * to its receiver, which now either verifies it or refuses it.
 */
export async function settleParked(c: CaseContext, receive: (c: CaseContext, parked: ParkedMessage) => void): Promise<void> {
  if (!c.s.parked?.length) return;
  const vouched = await acts.trustedKeys();
  const keys = trustedKeys(c);
  for (const k of vouched) if (!keys.some((x) => x.kid === k.kid)) keys.push(k);
  const parked = c.s.parked.splice(0);
  for (const p of parked) receive(c, p);
}

/**
 * Whether a signal may go on to change the case. Untrusted ones are refused (see `refuseUntrusted`); one signed with
 * a key the case does not know yet is parked for `settleParked`, unless it comes back from there.
 */
export function admit(c: CaseContext, purpose: ProofPurpose, message: ParkedMessage, proof: Proof | undefined, what: string, fromPark: boolean): boolean {
  if (!fromPark && !signaturesRequired(c)) return true;
  const why = distrust(c, purpose, message.kind === 'command' ? message.command : message.event, proof);
  if (why === null) return true;
  if (why === 'unknown_key' && !fromPark) {
    (c.s.parked ??= []).push(message);
    c.dirty = true;
    return false;
  }
  refuseUntrusted(c, what, why);
  return false;
}
