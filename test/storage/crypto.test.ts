import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_SIZE,
  KeyringConfigError,
  SealedFormatError,
  createDecryptStream,
  createEncryptStream,
  decryptBuffer,
  encryptBuffer,
  parseKeyring,
  sealedKeyId,
  type Keyring,
} from '../../storage/crypto.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ring1: Keyring = parseKeyring(`k1:${k1.toString('base64')}`);

describe('parseKeyring', () => {
  it('takes the first entry as current and keeps the rest', () => {
    const ring = parseKeyring(` k2:${k2.toString('base64')} , k1:${k1.toString('base64url')} `);
    expect(ring.currentKeyId).toBe('k2');
    expect(Object.keys(ring.keys)).toEqual(['k2', 'k1']);
    expect(ring.keys['k1']!.equals(k1)).toBe(true);
  });

  it.each(['', 'k1', `k1:${randomBytes(16).toString('base64')}`, `bad id:${k1.toString('base64')}`, `k1:${k1.toString('base64')},k1:${k2.toString('base64')}`, 'k1:***'])(
    'refuses %j without echoing key text',
    (env) => {
      try {
        parseKeyring(env);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(KeyringConfigError);
        expect((err as Error).message).not.toContain(k1.toString('base64'));
      }
    },
  );
});

describe('sealed objects', () => {
  it.each([0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 1_000_003])('round-trips %i bytes', async (n) => {
    const plain = randomBytes(n);
    const sealed = await encryptBuffer(ring1, plain, { context: 'cases/a/b' });
    expect(sealedKeyId(sealed)).toBe('k1');
    expect((await decryptBuffer(ring1, sealed, { context: 'cases/a/b' })).equals(plain)).toBe(true);
  });

  it('streams in small pieces through both directions', async () => {
    const plain = randomBytes(5 * CHUNK_SIZE + 123);
    const pieces = Array.from({ length: Math.ceil(plain.length / 777) }, (_, i) => plain.subarray(i * 777, (i + 1) * 777));
    const out: Buffer[] = [];
    await pipeline(Readable.from(pieces), createEncryptStream(ring1), createDecryptStream(ring1), async function* (src) {
      for await (const c of src) out.push(c as Buffer);
    });
    expect(Buffer.concat(out).equals(plain)).toBe(true);
  });

  it('does not open under a wrong key, an unknown key id, or another context', async () => {
    const sealed = await encryptBuffer(ring1, Buffer.from('山田太郎'), { context: 'cases/a' });
    const impostor: Keyring = { currentKeyId: 'k1', keys: { k1: k2 } };
    await expect(decryptBuffer(impostor, sealed, { context: 'cases/a' })).rejects.toMatchObject({ code: 'auth_failed' });
    await expect(decryptBuffer({ currentKeyId: 'k9', keys: { k9: k1 } }, sealed, { context: 'cases/a' })).rejects.toMatchObject({
      code: 'unknown_key',
    });
    await expect(decryptBuffer(ring1, sealed, { context: 'cases/b' })).rejects.toMatchObject({ code: 'auth_failed' });
  });

  it('detects a flipped bit, truncation at a chunk boundary and mid-chunk, and appended data', async () => {
    const plain = randomBytes(3 * CHUNK_SIZE + 10);
    const sealed = await encryptBuffer(ring1, plain);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 40]! ^= 1;
    await expect(decryptBuffer(ring1, flipped)).rejects.toMatchObject({ code: 'auth_failed' });

    const frame = 1 + 12 + 4 + CHUNK_SIZE + 16;
    const header = sealed.length - 3 * frame - (1 + 12 + 4 + 10 + 16);
    const atBoundary = sealed.subarray(0, header + 2 * frame);
    await expect(decryptBuffer(ring1, atBoundary)).rejects.toMatchObject({ code: 'truncated' });
    await expect(decryptBuffer(ring1, sealed.subarray(0, sealed.length - 5))).rejects.toMatchObject({ code: 'truncated' });
    await expect(decryptBuffer(ring1, sealed.subarray(0, 10))).rejects.toBeInstanceOf(SealedFormatError);

    // Marking an earlier chunk final to hide the rest fails: the flag is in the AAD.
    const forged = Buffer.from(atBoundary);
    forged[header + frame] = 1;
    await expect(decryptBuffer(ring1, forged)).rejects.toMatchObject({ code: 'auth_failed' });

    await expect(decryptBuffer(ring1, Buffer.concat([sealed, Buffer.from([0])]))).rejects.toMatchObject({ code: 'bad_format' });
  });

  it('keeps reading objects sealed with an older key after rotation', async () => {
    const old = await encryptBuffer(ring1, Buffer.from('before rotation'));
    const rotated = parseKeyring(`k2:${k2.toString('base64')},k1:${k1.toString('base64')}`);
    const fresh = await encryptBuffer(rotated, Buffer.from('after rotation'));
    expect(sealedKeyId(old)).toBe('k1');
    expect(sealedKeyId(fresh)).toBe('k2');
    expect((await decryptBuffer(rotated, old)).toString()).toBe('before rotation');
    expect((await decryptBuffer(rotated, fresh)).toString()).toBe('after rotation');
    await expect(decryptBuffer(ring1, fresh)).rejects.toMatchObject({ code: 'unknown_key' });
  });

  it('uses a fresh salt and nonces, so equal plaintexts seal differently', async () => {
    const a = await encryptBuffer(ring1, Buffer.from('same'));
    const b = await encryptBuffer(ring1, Buffer.from('same'));
    expect(a.equals(b)).toBe(false);
  });
});
