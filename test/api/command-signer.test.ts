import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/curves/utils.js';
import { commandSigner, parseTrustedKeys, publicKeysOf } from '../../api/command-signer.js';
import { proofMessage, type CaseCommand } from '../../workflows/contract.js';

const KEYS = `c2:${'ab'.repeat(32)},c1:${'cd'.repeat(32)}`;
const command: CaseCommand = { commandId: 'handler:assign:k1', action: 'assign', request: { actor: { name: 'handler', role: 'handler' }, body: { assignee: 'handler' } } };

/** What the case does (workflows/case/trust.ts): the same message text, verified by the pure-JS library. */
function verifies(caseId: string, message: unknown, proof: { kid: string; issuedAt: string; sig: string }, publicKey: string): boolean {
  const text = proofMessage('command', caseId, message, proof);
  return ed25519.verify(hexToBytes(proof.sig), new TextEncoder().encode(text), hexToBytes(publicKey));
}

describe('command signer', () => {
  it('signs with the first key, and node:crypto signatures verify with the workflow-side library', () => {
    const signer = commandSigner(KEYS);
    expect(signer.trustedKeys.map((k) => k.kid)).toEqual(['c2', 'c1']);
    const proof = signer.proof('command', 'C-1', command, '2026-12-01T00:00:00.000Z');
    expect(proof).toMatchObject({ kid: 'c2', issuedAt: '2026-12-01T00:00:00.000Z' });
    expect(verifies('C-1', command, proof, signer.trustedKeys[0]!.publicKey)).toBe(true);
  });

  it.each([
    ['another case', (p: { kid: string; issuedAt: string; sig: string }) => verifies('C-2', command, p, commandSigner(KEYS).trustedKeys[0]!.publicKey)],
    ['another key', (p: { kid: string; issuedAt: string; sig: string }) => verifies('C-1', command, p, commandSigner(KEYS).trustedKeys[1]!.publicKey)],
    ['an altered body', (p: { kid: string; issuedAt: string; sig: string }) =>
      verifies('C-1', { ...command, request: { ...command.request, body: { assignee: 'mallory' } } }, p, commandSigner(KEYS).trustedKeys[0]!.publicKey)],
    ['another issue time', (p: { kid: string; issuedAt: string; sig: string }) =>
      verifies('C-1', command, { ...p, issuedAt: '2026-12-02T00:00:00.000Z' }, commandSigner(KEYS).trustedKeys[0]!.publicKey)],
  ])('does not verify for %s', (_what, check) => {
    const proof = commandSigner(KEYS).proof('command', 'C-1', command, '2026-12-01T00:00:00.000Z');
    expect(check(proof)).toBe(false);
  });

  it('ignores key order and a proof already on the message (the text is canonical JSON)', () => {
    const signer = commandSigner(KEYS);
    const proof = signer.proof('command', 'C-1', command, '2026-12-01T00:00:00.000Z');
    const reordered = { request: { body: { assignee: 'handler' }, actor: { role: 'handler', name: 'handler' } }, action: 'assign', commandId: 'handler:assign:k1', proof };
    expect(verifies('C-1', reordered, proof, signer.trustedKeys[0]!.publicKey)).toBe(true);
  });

  it('derives the public keys a worker trusts, and parses them given alone', () => {
    const pub = publicKeysOf(KEYS);
    expect(parseTrustedKeys(pub.map((k) => `${k.kid}:${k.publicKey}`).join(','))).toEqual(pub);
  });

  it.each(['', 'c1', `c1:${'ab'.repeat(31)}`, `bad kid:${'ab'.repeat(32)}`, `c1:${'zz'.repeat(32)}`])('refuses the keyring %j with the variable named', (text) => {
    expect(() => commandSigner(text)).toThrow(/COMMAND_SIGNING_KEYS/);
    expect(() => parseTrustedKeys(text)).toThrow(/COMMAND_TRUSTED_KEYS/);
  });
});
