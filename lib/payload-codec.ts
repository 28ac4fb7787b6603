import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
// @temporalio/proto is CommonJS whose named exports Node's ESM loader cannot detect; take them off the default.
import proto from '@temporalio/proto';
import { KeyringConfigError, type Keyring } from '../storage/crypto.js';

/**
 * Encrypts every payload a client or worker sends to Temporal, so workflow inputs, results, update arguments, query
 * answers, memos and failure details sit in Temporal's database as ciphertext. Search attributes do not pass through
 * codecs: they must never hold personal data.
 *
 * Wire form of an encrypted payload:
 *   metadata: encoding = "binary/encrypted", encryption-key-id = <key id>
 *   data:     nonce(12) | AES-256-GCM(Payload.encode(original)) | tag(16)
 * The whole original payload (metadata included) is sealed, so even its encoding stays hidden.
 *
 * A payload whose encoded form is larger than `COMPRESS_ABOVE_BYTES` (a case's obligations, coverage and facts in its
 * read model, workflow inputs) is compressed (raw DEFLATE) before it is sealed, and says so:
 *   metadata: ..., encryption-compression = "deflate"
 * The label is bound into the AAD, so removing or adding it fails authentication. JSON of this kind shrinks to a third
 * or less, which is a third of the bytes per memo write in history and per case in every visibility list. Payloads
 * sealed before compression (no label) open as before.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCODING_KEY = 'encoding';
export const METADATA_KEY_ID_KEY = 'encryption-key-id';
export const METADATA_COMPRESSION_KEY = 'encryption-compression';
/** Smaller payloads gain little or nothing from DEFLATE (its own overhead, short JSON). */
export const COMPRESS_ABOVE_BYTES = 512;

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const utf8 = new TextEncoder();
const ENCRYPTED_ENCODING_BYTES = utf8.encode(ENCRYPTED_ENCODING);
const DEFLATE = 'deflate';
const DEFLATE_BYTES = utf8.encode(DEFLATE);
/** An inflated payload larger than this is refused (a DEFLATE bomb cannot exhaust memory): Temporal's own limit is 2 MiB. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export type PayloadCodecErrorCode = 'unknown_key' | 'auth_failed' | 'bad_format';

/** A payload that cannot be opened. Names the key id at most, never key material or plaintext. */
export class PayloadCodecError extends Error {
  override readonly name = 'PayloadCodecError';
  constructor(
    readonly code: PayloadCodecErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// Binding a format label and the key id into the AAD means a payload whose metadata was edited to name another key,
// or a ciphertext lifted from another format sealed with the same key, fails authentication instead of decoding.
function aad(keyId: string, compressed = false): Buffer {
  return Buffer.from(compressed ? `breach-claims/payload/v2-deflate\0${keyId}` : `breach-claims/payload/v1\0${keyId}`, 'utf8');
}

function metadataText(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value == null ? undefined : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
}

function isEncrypted(payload: Payload): boolean {
  const value = payload.metadata?.[METADATA_ENCODING_KEY];
  return value != null && Buffer.from(value.buffer, value.byteOffset, value.byteLength).equals(ENCRYPTED_ENCODING_BYTES);
}

/** Validates and copies the keyring, so a later change to the caller's object cannot swap keys under a running codec. */
function snapshot(keyring: Keyring): { currentKeyId: string; keys: Map<string, Buffer> } {
  const keys = new Map<string, Buffer>();
  for (const [id, key] of Object.entries(keyring.keys)) {
    if (!KEY_ID_PATTERN.test(id)) throw new KeyringConfigError(`keyring key id "${id}" is invalid`);
    if (!Buffer.isBuffer(key) || key.length !== 32) throw new KeyringConfigError(`keyring key "${id}" must be 32 bytes`);
    keys.set(id, Buffer.from(key));
  }
  if (!keys.has(keyring.currentKeyId)) throw new KeyringConfigError('current key is missing from the keyring');
  return { currentKeyId: keyring.currentKeyId, keys };
}

/**
 * What a refusing codec decodes a plaintext payload to: a JSON value no message of the product has, so whatever
 * expected a message (a command, a vendor event) refuses it as unsigned and records that, instead of the payload's
 * content being obeyed or the workflow task failing on a decoding error.
 */
export const REFUSED_PLAINTEXT = { $refused: 'plaintext payload' } as const;
const REFUSED_PLAINTEXT_PAYLOAD: Payload = {
  metadata: { [METADATA_ENCODING_KEY]: utf8.encode('json/plain') },
  data: utf8.encode(JSON.stringify(REFUSED_PLAINTEXT)),
};

export interface EncryptionCodecOptions {
  /**
   * A payload that was never encrypted: `refuse` (clients and workers: anything the product reads must be its own
   * ciphertext, so one written straight into Temporal, e.g. a signal from the CLI or the UI, is not taken as data) or
   * `pass` (the codec endpoint the Temporal UI calls, which only displays).
   */
  plaintext: 'refuse' | 'pass';
}

/**
 * AES-256-GCM codec keyed by `keyring`: new payloads are sealed with the current key, payloads sealed with any key
 * still in the keyring open, and plaintext ones are refused or passed (see `EncryptionCodecOptions`). Rotate by
 * putting a new key first and keeping the old ones.
 */
export function createEncryptionCodec(keyring: Keyring, options: EncryptionCodecOptions = { plaintext: 'pass' }): PayloadCodec {
  const { currentKeyId, keys } = snapshot(keyring);
  const currentKey = keys.get(currentKeyId)!;
  const currentKeyIdBytes = utf8.encode(currentKeyId);
  const currentAad = aad(currentKeyId);
  const currentDeflateAad = aad(currentKeyId, true);

  const seal = (payload: Payload): Payload => {
    const encoded = PayloadMessage.encode(payload).finish();
    const compressed = encoded.length > COMPRESS_ABOVE_BYTES;
    const plain = compressed ? deflateRawSync(encoded, { level: 6 }) : encoded;
    // A random 96-bit nonce per payload: the collision bound (2^32 messages per key) is far beyond what one key
    // will see between rotations here.
    const nonce = randomBytes(NONCE_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', currentKey, nonce);
    cipher.setAAD(compressed ? currentDeflateAad : currentAad);
    const body = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: ENCRYPTED_ENCODING_BYTES,
        [METADATA_KEY_ID_KEY]: currentKeyIdBytes,
        ...(compressed ? { [METADATA_COMPRESSION_KEY]: DEFLATE_BYTES } : {}),
      },
      data: body,
    };
  };

  const open = (payload: Payload): Payload => {
    if (!isEncrypted(payload)) return options.plaintext === 'refuse' ? REFUSED_PLAINTEXT_PAYLOAD : payload;
    const keyId = metadataText(payload, METADATA_KEY_ID_KEY);
    if (keyId === undefined) throw new PayloadCodecError('bad_format', 'encrypted payload has no encryption-key-id');
    const key = keys.get(keyId);
    if (!key) {
      throw new PayloadCodecError(
        'unknown_key',
        `payload encrypted with key id "${KEY_ID_PATTERN.test(keyId) ? keyId : '(invalid)'}" which is not in the keyring`,
      );
    }
    const compression = metadataText(payload, METADATA_COMPRESSION_KEY);
    if (compression !== undefined && compression !== DEFLATE) throw new PayloadCodecError('bad_format', 'encrypted payload names an unknown compression');
    const compressed = compression === DEFLATE;
    const data = payload.data ?? new Uint8Array(0);
    if (data.length < NONCE_LENGTH + TAG_LENGTH) throw new PayloadCodecError('bad_format', 'encrypted payload is too short');
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_LENGTH));
    decipher.setAAD(aad(keyId, compressed));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_LENGTH));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(bytes.subarray(NONCE_LENGTH, bytes.length - TAG_LENGTH)), decipher.final()]);
    } catch {
      throw new PayloadCodecError('auth_failed', `encrypted payload (key id "${keyId}") failed authentication`);
    }
    if (compressed) {
      try {
        plain = inflateRawSync(plain, { maxOutputLength: MAX_INFLATED_BYTES });
      } catch {
        throw new PayloadCodecError('bad_format', 'decrypted payload does not inflate');
      }
    }
    let inner: proto.temporal.api.common.v1.Payload;
    try {
      inner = PayloadMessage.decode(plain);
    } catch {
      throw new PayloadCodecError('bad_format', 'decrypted payload is not a Payload message');
    }
    // A plain object rather than the protobufjs message: it crosses into the workflow thread and the payload
    // converter, which expect the IPayload shape, not a class with defaults on its prototype.
    const out: Payload = { metadata: { ...inner.metadata }, data: inner.data };
    if (inner.externalPayloads.length > 0) out.externalPayloads = inner.externalPayloads;
    return out;
  };

  return {
    // The executor turns a throw of seal/open into a rejection, as the codec interface expects.
    encode(payloads: Payload[]): Promise<Payload[]> {
      return new Promise((resolve) => resolve(payloads.map(seal)));
    },
    decode(payloads: Payload[]): Promise<Payload[]> {
      return new Promise((resolve) => resolve(payloads.map(open)));
    },
  };
}

/**
 * For every `Client` and `Worker.create`; both sides must share it or neither can read what the other wrote. Plaintext
 * payloads are refused (see `REFUSED_PLAINTEXT`).
 */
export function dataConverterFor(keyring: Keyring): DataConverter {
  return { payloadCodecs: [createEncryptionCodec(keyring, { plaintext: 'refuse' })] };
}
