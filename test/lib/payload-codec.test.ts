import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  createEncryptionCodec,
  REFUSED_PLAINTEXT,
  dataConverterFor,
  ENCRYPTED_ENCODING,
  METADATA_KEY_ID_KEY,
  METADATA_COMPRESSION_KEY,
  COMPRESS_ABOVE_BYTES,
  PayloadCodecError,
} from '../../lib/payload-codec.js';
import { KeyringConfigError, parseKeyring, type Keyring } from '../../storage/crypto.js';

const SECRET = '株式会社サンプル機密';
const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ring = (...entries: [string, Buffer][]): Keyring => parseKeyring(entries.map(([id, k]) => `${id}:${k.toString('base64')}`).join(','));
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array(0)).toString('utf8');
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const valueOf = (p: Payload): unknown => defaultPayloadConverter.fromPayload(p);

describe('createEncryptionCodec', () => {
  it('round-trips values of every default encoding and hides them on the wire', async () => {
    const codec = createEncryptionCodec(ring(['k1', k1]));
    const values = [{ insuredName: SECRET, n: 1 }, 'plain string', null, undefined, new Uint8Array([0, 1, 2, 255])];
    const plain = values.map(payloadOf);
    const wire = await codec.encode(plain);
    expect(wire).toHaveLength(values.length);
    for (const p of wire) {
      expect(text(p.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(p.metadata?.[METADATA_KEY_ID_KEY])).toBe('k1');
      expect(Object.keys(p.metadata ?? {}).sort()).toEqual(['encoding', METADATA_KEY_ID_KEY]);
    }
    expect(Buffer.from(wire[0]!.data!).includes(Buffer.from(SECRET, 'utf8'))).toBe(false);
    expect(Buffer.from(wire[0]!.data!).includes(Buffer.from('json/plain'))).toBe(false);
    const back = await codec.decode(wire);
    expect(back.map(valueOf)).toEqual(values);
    expect(back.map((p) => text(p.metadata?.encoding))).toEqual(plain.map((p) => text(p.metadata?.encoding)));
  });

  describe('compression of larger payloads', () => {
    // A read-model part as a case writes it: repetitive JSON (obligations of several regimes).
    const obligations = Array.from({ length: 12 }, (_, i) => ({
      regime: i % 2 ? 'JP-APPI' : 'EU-GDPR',
      audience: 'regulator',
      kind: 'preliminary',
      status: 'pending',
      dueAt: `2026-12-${String(10 + i).padStart(2, '0')}T00:00:00.000Z`,
      explanation: `${SECRET}: the report is due within 3 to 5 days of awareness (${i})`,
    }));

    it.each([
      ['a short value stays uncompressed', 'short', false],
      ['a value just under the threshold', 'x'.repeat(COMPRESS_ABOVE_BYTES - 40), false],
      ['a value over the threshold', 'x'.repeat(COMPRESS_ABOVE_BYTES + 10), true],
      ['a read-model part', obligations, true],
    ] as const)('%s (compressed: %s), and it round-trips', async (_name, value, compressed) => {
      const codec = createEncryptionCodec(ring(['k1', k1]));
      const plain = payloadOf(value);
      const [wire] = await codec.encode([plain]);
      expect(text(wire!.metadata?.[METADATA_COMPRESSION_KEY]) === 'deflate').toBe(compressed);
      if (compressed) expect(wire!.data!.length).toBeLessThan(plain.data!.length);
      expect(Buffer.from(wire!.data!).includes(Buffer.from(SECRET, 'utf8'))).toBe(false);
      const [back] = await codec.decode([wire!]);
      expect(valueOf(back!)).toEqual(value);
    });

    it('a read-model part shrinks to well under half', async () => {
      const codec = createEncryptionCodec(ring(['k1', k1]));
      const plain = payloadOf(obligations);
      const [wire] = await codec.encode([plain]);
      expect(wire!.data!.length).toBeLessThan(plain.data!.length / 2);
    });

    it('removing or adding the compression label fails authentication', async () => {
      const codec = createEncryptionCodec(ring(['k1', k1]));
      const [big, small] = await codec.encode([payloadOf(obligations), payloadOf('short')]);
      const { [METADATA_COMPRESSION_KEY]: _label, ...unlabelled } = big!.metadata!;
      await expect(codec.decode([{ ...big!, metadata: unlabelled }])).rejects.toMatchObject({ code: 'auth_failed' });
      const labelled = { ...small!, metadata: { ...small!.metadata, [METADATA_COMPRESSION_KEY]: Buffer.from('deflate') } };
      await expect(codec.decode([labelled])).rejects.toMatchObject({ code: 'auth_failed' });
      const unknown = { ...big!, metadata: { ...big!.metadata, [METADATA_COMPRESSION_KEY]: Buffer.from('zstd') } };
      await expect(codec.decode([unknown])).rejects.toMatchObject({ code: 'bad_format' });
    });

    it('a payload sealed before compression (no label, v1 AAD) still opens', async () => {
      // What the codec wrote for a large value before this change: the same value sealed uncompressed under v1.
      const { createCipheriv } = await import('node:crypto');
      const proto = (await import('@temporalio/proto')).default;
      const plainBytes = proto.temporal.api.common.v1.Payload.encode(payloadOf(obligations)).finish();
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', k1, nonce);
      cipher.setAAD(Buffer.from('breach-claims/payload/v1\0k1', 'utf8'));
      const data = Buffer.concat([nonce, cipher.update(plainBytes), cipher.final(), cipher.getAuthTag()]);
      const old: Payload = { metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [METADATA_KEY_ID_KEY]: Buffer.from('k1') }, data };
      const [back] = await createEncryptionCodec(ring(['k1', k1])).decode([old]);
      expect(valueOf(back!)).toEqual(obligations);
    });
  });

  it('uses a fresh nonce per payload, so equal values do not look equal on the wire', async () => {
    const codec = createEncryptionCodec(ring(['k1', k1]));
    const [a, b] = await codec.encode([payloadOf(SECRET), payloadOf(SECRET)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it.each([
    ['refuse', { $refused: 'plaintext payload' }],
    ['pass', { actor: { name: 'mallory', role: 'supervisor' } }],
  ] as const)('plaintext payloads on decode (%s): what a client or worker reads must be its own ciphertext', async (mode, expected) => {
    const codec = createEncryptionCodec(ring(['k1', k1]), { plaintext: mode });
    const forged = payloadOf({ actor: { name: 'mallory', role: 'supervisor' } });
    const [sealed] = await codec.encode([payloadOf('genuine')]);
    const [fromForged, fromSealed] = await codec.decode([forged, sealed!]);
    expect(valueOf(fromForged!)).toEqual(expected);
    expect(valueOf(fromSealed!)).toBe('genuine');
  });

  it('refuses plaintext in the data converter every client and worker uses', async () => {
    const [codec] = dataConverterFor(ring(['k1', k1])).payloadCodecs!;
    const [decoded] = await codec!.decode([payloadOf({ commandId: 'x', action: 'approve-payout' })]);
    expect(valueOf(decoded!)).toEqual(REFUSED_PLAINTEXT);
  });

  it('handles an empty batch', async () => {
    const codec = createEncryptionCodec(ring(['k1', k1]));
    await expect(codec.encode([])).resolves.toEqual([]);
    await expect(codec.decode([])).resolves.toEqual([]);
  });

  it('fails authentication when the ciphertext, nonce or tag is altered', async () => {
    const codec = createEncryptionCodec(ring(['k1', k1]));
    const [sealed] = await codec.encode([payloadOf({ insuredName: SECRET })]);
    const size = sealed!.data!.length;
    for (const at of [0, 12, Math.floor(size / 2), size - 1]) {
      const data = Buffer.from(sealed!.data!);
      data[at]! ^= 0x01;
      const err = await codec.decode([{ ...sealed!, data }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PayloadCodecError);
      expect((err as PayloadCodecError).code).toBe('auth_failed');
    }
    const truncated = { ...sealed!, data: Buffer.from(sealed!.data!).subarray(0, 20) };
    await expect(codec.decode([truncated])).rejects.toMatchObject({ code: 'bad_format' });
  });

  it('refuses a payload whose key id was rewritten to another key in the ring', async () => {
    const both = createEncryptionCodec(ring(['k2', k2], ['k1', k1]));
    const [sealed] = await createEncryptionCodec(ring(['k1', k1])).encode([payloadOf(SECRET)]);
    const relabelled = { ...sealed!, metadata: { ...sealed!.metadata, [METADATA_KEY_ID_KEY]: Buffer.from('k2') } };
    await expect(both.decode([relabelled])).rejects.toMatchObject({ code: 'auth_failed' });
  });

  it('names an unknown key id clearly, without key material', async () => {
    const [sealed] = await createEncryptionCodec(ring(['old', k1])).encode([payloadOf(SECRET)]);
    const err = await createEncryptionCodec(ring(['new', k2]))
      .decode([sealed!])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadCodecError);
    expect((err as PayloadCodecError).code).toBe('unknown_key');
    expect((err as Error).message).toMatch(/key id "old".*not in the keyring/);
    expect((err as Error).message).not.toContain(k1.toString('base64'));
    expect((err as Error).message).not.toContain(k2.toString('base64'));

    const noId = { metadata: { encoding: sealed!.metadata!.encoding! }, data: sealed!.data! };
    await expect(createEncryptionCodec(ring(['old', k1])).decode([noId])).rejects.toMatchObject({ code: 'bad_format' });
  });

  it('rotates by adding a key: old payloads still open, new ones use the new current key', async () => {
    const before = createEncryptionCodec(ring(['k1', k1]));
    const [old] = await before.encode([payloadOf({ insuredName: SECRET, v: 1 })]);

    const after = createEncryptionCodec(ring(['k2', k2], ['k1', k1]));
    expect(valueOf((await after.decode([old!]))[0]!)).toEqual({ insuredName: SECRET, v: 1 });
    const [fresh] = await after.encode([payloadOf({ insuredName: SECRET, v: 2 })]);
    expect(text(fresh!.metadata?.[METADATA_KEY_ID_KEY])).toBe('k2');
    expect(valueOf((await after.decode([fresh!]))[0]!)).toEqual({ insuredName: SECRET, v: 2 });
    // A node not yet given the new key fails loudly instead of misreading.
    await expect(before.decode([fresh!])).rejects.toMatchObject({ code: 'unknown_key' });
  });

  it('passes payloads that were never encrypted through unchanged (histories from before encryption)', async () => {
    const codec = createEncryptionCodec(ring(['k1', k1]));
    const plain = [payloadOf({ insuredName: SECRET }), payloadOf(undefined), { data: Buffer.from('raw') }, {}];
    const out = await codec.decode(plain);
    expect(out).toHaveLength(plain.length);
    out.forEach((p, i) => expect(p).toBe(plain[i]));
  });

  it('decodes a mixed batch of encrypted and plain payloads in order', async () => {
    const codec = createEncryptionCodec(ring(['k1', k1]));
    const [sealed] = await codec.encode([payloadOf('sealed')]);
    const out = await codec.decode([payloadOf('plain'), sealed!, payloadOf(3)]);
    expect(out.map(valueOf)).toEqual(['plain', 'sealed', 3]);
  });

  it('refuses a keyring whose current key is missing or the wrong size', () => {
    expect(() => createEncryptionCodec({ currentKeyId: 'k9', keys: { k1 } })).toThrow(KeyringConfigError);
    expect(() => createEncryptionCodec({ currentKeyId: 'k1', keys: { k1: randomBytes(16) } })).toThrow(KeyringConfigError);
  });

  it('snapshots the keyring, so later edits to the caller object do not change the codec', async () => {
    const keyring = ring(['k1', k1]);
    const codec = createEncryptionCodec(keyring);
    const [sealed] = await codec.encode([payloadOf('x')]);
    keyring.keys.k1 = k2;
    expect(valueOf((await codec.decode([sealed!]))[0]!)).toBe('x');
  });

  it('dataConverterFor gives a DataConverter with exactly the encryption codec', async () => {
    const dc = dataConverterFor(ring(['k1', k1]));
    expect(dc.payloadCodecs).toHaveLength(1);
    const [sealed] = await dc.payloadCodecs![0]!.encode([payloadOf('x')]);
    expect(text(sealed!.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
  });
});
