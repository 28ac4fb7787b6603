/**
 * The API's word on what it sends a case (see workflows/contract/proof.ts): Ed25519 signatures with the first key of
 * the configured keyring; every key of it is trusted by new cases, so a key can be rotated in by adding it first.
 * Keys are 32-byte seeds in hex, `kid:seed` pairs separated by commas (`COMMAND_SIGNING_KEYS`).
 */
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { proofMessage, type Proof, type ProofPurpose, type TrustedKey } from '../workflows/contract.js';

/** PKCS #8 DER prefix of an Ed25519 private key; the 32-byte seed follows it (RFC 8410). */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const KID = /^[A-Za-z0-9_-]{1,32}$/;

export interface CommandSigner {
  /** Signs a message for a case, issued now (or at `issuedAt`). */
  proof(purpose: ProofPurpose, caseId: string, message: unknown, issuedAt?: string): Proof;
  /** The public keys a new case is told to trust. */
  readonly trustedKeys: TrustedKey[];
}

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: string;
}

/** `kid:hex` pairs separated by commas, each value 32 bytes in hex; `what` names the variable in errors. */
function parsePairs(text: string, what: string, value: string): { kid: string; hex: string }[] {
  const pairs = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [kid, hex] = entry.split(':');
      if (!kid || !KID.test(kid) || !hex || !/^[0-9a-f]{64}$/i.test(hex)) {
        throw new Error(`${what}: expected kid:${value} pairs, each ${value} 32 bytes in hex`);
      }
      return { kid, hex: hex.toLowerCase() };
    });
  if (pairs.length === 0) throw new Error(`${what}: no key`);
  return pairs;
}

export function parseSigningKeys(text: string): SigningKey[] {
  return parsePairs(text, 'COMMAND_SIGNING_KEYS', 'seed').map(({ kid, hex }) => {
    const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, Buffer.from(hex, 'hex')]), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    return { kid, privateKey, publicKey: spki.subarray(spki.length - 32).toString('hex') };
  });
}

/** Public keys of a signing keyring, for workers that verify without holding the private keys. */
export function publicKeysOf(text: string): TrustedKey[] {
  return parseSigningKeys(text).map(({ kid, publicKey }) => ({ kid, publicKey }));
}

/** `kid:public-key-hex` pairs (`COMMAND_TRUSTED_KEYS`), for workers that verify without the private keys. */
export function parseTrustedKeys(text: string): TrustedKey[] {
  return parsePairs(text, 'COMMAND_TRUSTED_KEYS', 'public-key').map(({ kid, hex }) => ({ kid, publicKey: hex }));
}

export function commandSigner(keyring: string, now: () => number = Date.now): CommandSigner {
  const keys = parseSigningKeys(keyring);
  const current = keys[0]!;
  return {
    trustedKeys: keys.map(({ kid, publicKey }) => ({ kid, publicKey })),
    proof(purpose, caseId, message, issuedAt = new Date(now()).toISOString()) {
      const text = proofMessage(purpose, caseId, message, { kid: current.kid, issuedAt });
      return { kid: current.kid, issuedAt, sig: sign(null, Buffer.from(text, 'utf8'), current.privateKey).toString('hex') };
    },
  };
}
