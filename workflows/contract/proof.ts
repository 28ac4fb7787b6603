/**
 * The API's word on a message it sends a case: an Ed25519 signature over the message, the case it is for and the time
 * it was issued, in RFC 8785 canonical JSON. The API signs with its private key; the case verifies with the public
 * keys it trusts (from its input, or from the worker's configuration for keys it has not seen). Anyone who can only
 * reach Temporal (the CLI, the UI) cannot produce it, so a command or vendor event they signal is refused.
 */
import { canonicalize } from 'json-canonicalize';

export interface Proof {
  /** Key id of the signing key (rotation: a case trusts several). */
  kid: string;
  /** When the API issued the message (ISO 8601, UTC). */
  issuedAt: string;
  /** Ed25519 signature, hex, over `proofMessage(...)`. */
  sig: string;
}

/** A public key a case trusts: raw 32-byte Ed25519 key, hex. */
export interface TrustedKey {
  kid: string;
  publicKey: string;
}

/** How long after issue a signed message is taken (the case remembers what it applied for longer than this). */
export const PROOF_VALIDITY_MS = 24 * 60 * 60 * 1000;

/** `consultation-command`: a command to a consultation, signed for its consultation id (in the `caseId` slot). */
export type ProofPurpose = 'command' | 'vendor-event' | 'consultation-command';

/** The exact text that is signed: the message as JSON (what survives the trip), its purpose, case, key and time. */
export function proofMessage(purpose: ProofPurpose, caseId: string, message: unknown, proof: Pick<Proof, 'kid' | 'issuedAt'>): string {
  const { proof: _ignored, ...rest } = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
  return canonicalize({ v: 1, purpose, caseId, message: rest, kid: proof.kid, issuedAt: proof.issuedAt });
}
