/**
 * The shared Ed25519 check of the API's signatures (workflows/preloaded/signatures.ts): a remembered answer is always
 * the answer a fresh verification gives, whatever was asked before.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';
import { describe, expect, it } from 'vitest';
import { rememberedSignatures, verifySignature } from '../../workflows/preloaded/signatures.js';

const secret = ed25519.utils.randomSecretKey();
const publicKey = bytesToHex(ed25519.getPublicKey(secret));
const other = bytesToHex(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
const sign = (text: string) => bytesToHex(ed25519.sign(new TextEncoder().encode(text), secret));
const good = sign('command:C1:assign');

describe('verifySignature', () => {
  it.each([
    ['the signed text, the signer', good, 'command:C1:assign', publicKey, true],
    ['the same again (remembered)', good, 'command:C1:assign', publicKey, true],
    ['another text under the same signature', good, 'command:C2:assign', publicKey, false],
    ['a text one character longer', good, 'command:C1:assign ', publicKey, false],
    ['another public key', good, 'command:C1:assign', other, false],
    ['a signature with one nibble changed', `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`, 'command:C1:assign', publicKey, false],
    ['a signature that is not hex', 'zz'.repeat(64), 'command:C1:assign', publicKey, false],
    ['a signature too short', good.slice(0, 10), 'command:C1:assign', publicKey, false],
    ['a public key that is not hex', good, 'command:C1:assign', 'not-a-key', false],
    ['non-ASCII text, signed', sign('申請:C1:承認'), '申請:C1:承認', publicKey, true],
  ])('%s → %s', (_name, sig, text, key, expected) => {
    expect(verifySignature(sig, text, key)).toBe(expected);
    // Asked twice, the remembered answer is the same.
    expect(verifySignature(sig, text, key)).toBe(expected);
  });

  it('a bad signature remembered first does not make the good one fail, nor the other way round', () => {
    const text = `order:${Math.random()}`;
    const sig = sign(text);
    expect(verifySignature(sig, `${text}x`, publicKey)).toBe(false);
    expect(verifySignature(sig, text, publicKey)).toBe(true);
    expect(verifySignature(sig, `${text}x`, publicKey)).toBe(false);
    expect(rememberedSignatures()).toBeGreaterThan(0);
  });
});
