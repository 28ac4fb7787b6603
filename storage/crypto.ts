import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Keys for encryption at rest. New objects are sealed with `currentKeyId`; any key still listed can open the objects
 * it sealed, so rotation is: add the new key as current, keep the old ones until every object is re-sealed or gone.
 */
export interface Keyring {
  currentKeyId: string;
  keys: Record<string, Buffer>;
}

export type SealedFormatErrorCode = 'bad_format' | 'unknown_key' | 'auth_failed' | 'truncated';

/** Raised when a sealed object cannot be opened. Never carries key material or plaintext. */
export class SealedFormatError extends Error {
  override readonly name = 'SealedFormatError';
  constructor(
    readonly code: SealedFormatErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class KeyringConfigError extends Error {
  override readonly name = 'KeyringConfigError';
}

/** Plaintext bytes per sealed chunk; bounds the memory a reader needs and the data lost to one bad chunk. */
export const CHUNK_SIZE = 64 * 1024;

// Object layout:
//   header: MAGIC(4) | VERSION(1) | keyIdLength(1) | keyId(utf8) | salt(32)
//   chunks: flags(1) | nonce(12) | ciphertextLength(u32 BE) | ciphertext | tag(16)
// The per-object key is HKDF(master key, salt), so nonces never repeat across objects even at huge volumes, and each
// chunk's AAD binds the header, an optional context (the storage key), the chunk index and the final flag: chunks
// cannot be reordered, dropped, moved between objects, or the object cut short at a chunk boundary unnoticed.
const MAGIC = Buffer.from('BCE1', 'latin1');
const VERSION = 1;
const SALT_LENGTH = 32;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const FRAME_PREFIX = 1 + NONCE_LENGTH + 4;
const FLAG_FINAL = 0x01;
const KEY_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const HKDF_INFO = Buffer.from('breach-claims/storage/object-key/v1', 'utf8');

/**
 * Parses `k1:base64key,k2:base64key`; the first entry is the current key. Messages name the entry position or key
 * id, never the key text.
 */
export function parseKeyring(envString: string): Keyring {
  const entries = envString
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (entries.length === 0) throw new KeyringConfigError('keyring is empty');
  const keys: Record<string, Buffer> = {};
  let currentKeyId: string | undefined;
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new KeyringConfigError(`keyring entry ${i + 1} is not "id:base64key"`);
    const id = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!KEY_ID_PATTERN.test(id)) throw new KeyringConfigError(`keyring entry ${i + 1} has an invalid key id`);
    if (Object.hasOwn(keys, id)) throw new KeyringConfigError(`keyring key id "${id}" appears twice`);
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
      throw new KeyringConfigError(`keyring key "${id}" is not base64`);
    }
    const key = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
    if (key.length !== 32) throw new KeyringConfigError(`keyring key "${id}" must decode to 32 bytes`);
    keys[id] = key;
    currentKeyId ??= id;
  });
  return { currentKeyId: currentKeyId!, keys };
}

function assertUsableKeyring(keyring: Keyring): Buffer {
  const key = keyring.keys[keyring.currentKeyId];
  if (!key || key.length !== 32) throw new KeyringConfigError('current key is missing or not 32 bytes');
  if (!KEY_ID_PATTERN.test(keyring.currentKeyId)) throw new KeyringConfigError('current key id is invalid');
  return key;
}

function objectKey(masterKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, salt, HKDF_INFO, 32));
}

function contextDigest(context: string | undefined): Buffer {
  return createHash('sha256')
    .update(context ?? '', 'utf8')
    .digest();
}

function chunkAad(headerAndContext: Buffer, index: number, final: boolean): Buffer {
  const aad = Buffer.allocUnsafe(headerAndContext.length + 9);
  headerAndContext.copy(aad, 0);
  aad.writeBigUInt64BE(BigInt(index), headerAndContext.length);
  aad[headerAndContext.length + 8] = final ? FLAG_FINAL : 0;
  return aad;
}

export interface SealOptions {
  /** Bound into every chunk's AAD (e.g. the storage key) so an object copied to another name will not open. */
  context?: string;
}

/** A Transform that seals whatever passes through it; memory stays at about one chunk. */
export function createEncryptStream(keyring: Keyring, opts: SealOptions = {}): Transform {
  const master = assertUsableKeyring(keyring);
  const keyIdBytes = Buffer.from(keyring.currentKeyId, 'utf8');
  const salt = randomBytes(SALT_LENGTH);
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION, keyIdBytes.length]), keyIdBytes, salt]);
  const key = objectKey(master, salt);
  const bound = Buffer.concat([header, contextDigest(opts.context)]);

  let pending: Buffer[] = [];
  let pendingLength = 0;
  let index = 0;
  let headerSent = false;

  const seal = (plain: Buffer, final: boolean): Buffer => {
    const nonce = randomBytes(NONCE_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(chunkAad(bound, index, final));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const frame = Buffer.allocUnsafe(FRAME_PREFIX + body.length + TAG_LENGTH);
    frame[0] = final ? FLAG_FINAL : 0;
    nonce.copy(frame, 1);
    frame.writeUInt32BE(body.length, 1 + NONCE_LENGTH);
    body.copy(frame, FRAME_PREFIX);
    cipher.getAuthTag().copy(frame, FRAME_PREFIX + body.length);
    index += 1;
    return frame;
  };

  return new Transform({
    transform(chunk: Buffer | string, _enc, done: TransformCallback) {
      try {
        if (!headerSent) {
          this.push(header);
          headerSent = true;
        }
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        pending.push(buf);
        pendingLength += buf.length;
        // Strictly greater: a full chunk is only sealed as non-final once more data proves it is not the last.
        while (pendingLength > CHUNK_SIZE) {
          const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingLength);
          this.push(seal(all.subarray(0, CHUNK_SIZE), false));
          const rest = all.subarray(CHUNK_SIZE);
          pending = [rest];
          pendingLength = rest.length;
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        if (!headerSent) this.push(header);
        this.push(seal(Buffer.concat(pending, pendingLength), true));
        pending = [];
        pendingLength = 0;
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/** A Transform that opens a sealed object, failing on any tampering, unknown key or truncation. */
export function createDecryptStream(keyring: Keyring, opts: SealOptions = {}): Transform {
  let buffered: Buffer = Buffer.alloc(0);
  let key: Buffer | undefined;
  let bound: Buffer | undefined;
  let index = 0;
  let finished = false;

  const parseHeader = (): boolean => {
    if (buffered.length < MAGIC.length + 2) return false;
    if (!buffered.subarray(0, MAGIC.length).equals(MAGIC)) throw new SealedFormatError('bad_format', 'not a sealed object');
    if (buffered[MAGIC.length] !== VERSION) throw new SealedFormatError('bad_format', 'unsupported sealed format version');
    const idLength = buffered[MAGIC.length + 1]!;
    const headerLength = MAGIC.length + 2 + idLength + SALT_LENGTH;
    if (buffered.length < headerLength) return false;
    const keyId = buffered.toString('utf8', MAGIC.length + 2, MAGIC.length + 2 + idLength);
    const master = Object.hasOwn(keyring.keys, keyId) ? keyring.keys[keyId] : undefined;
    if (!master) throw new SealedFormatError('unknown_key', `object sealed with key "${keyId}" which is not in the keyring`);
    const header = buffered.subarray(0, headerLength);
    key = objectKey(master, header.subarray(headerLength - SALT_LENGTH));
    bound = Buffer.concat([header, contextDigest(opts.context)]);
    buffered = buffered.subarray(headerLength);
    return true;
  };

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        if (!key && !parseHeader()) return done();
        for (;;) {
          if (buffered.length === 0) break;
          if (finished) throw new SealedFormatError('bad_format', 'data after the final chunk');
          if (buffered.length < FRAME_PREFIX) break;
          const flags = buffered[0]!;
          if ((flags & ~FLAG_FINAL) !== 0) throw new SealedFormatError('bad_format', 'unknown chunk flags');
          const length = buffered.readUInt32BE(1 + NONCE_LENGTH);
          if (length > CHUNK_SIZE) throw new SealedFormatError('bad_format', 'chunk larger than allowed');
          const frameLength = FRAME_PREFIX + length + TAG_LENGTH;
          if (buffered.length < frameLength) break;
          const final = (flags & FLAG_FINAL) !== 0;
          const decipher = createDecipheriv('aes-256-gcm', key!, buffered.subarray(1, 1 + NONCE_LENGTH));
          decipher.setAAD(chunkAad(bound!, index, final));
          decipher.setAuthTag(buffered.subarray(FRAME_PREFIX + length, frameLength));
          let plain: Buffer;
          try {
            plain = Buffer.concat([decipher.update(buffered.subarray(FRAME_PREFIX, FRAME_PREFIX + length)), decipher.final()]);
          } catch {
            throw new SealedFormatError('auth_failed', `chunk ${index} failed authentication`);
          }
          buffered = buffered.subarray(frameLength);
          index += 1;
          finished = final;
          if (plain.length > 0) this.push(plain);
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      if (!key) return done(new SealedFormatError('truncated', 'sealed object ends inside its header'));
      if (!finished) return done(new SealedFormatError('truncated', 'sealed object ends before its final chunk'));
      done();
    },
  });
}

/** Reads the key id from a sealed object's first bytes, e.g. to find objects still sealed with a retiring key. */
export function sealedKeyId(head: Buffer): string {
  if (head.length < MAGIC.length + 2 || !head.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SealedFormatError('bad_format', 'not a sealed object');
  }
  const idLength = head[MAGIC.length + 1]!;
  if (head.length < MAGIC.length + 2 + idLength) throw new SealedFormatError('truncated', 'header incomplete');
  return head.toString('utf8', MAGIC.length + 2, MAGIC.length + 2 + idLength);
}

async function collect(stream: Transform, input: Buffer): Promise<Buffer> {
  const parts: Buffer[] = [];
  const done = (async () => {
    for await (const part of stream) parts.push(part as Buffer);
  })();
  stream.end(input);
  await done;
  return Buffer.concat(parts);
}

/** Whole-buffer convenience for small objects (evidence metadata, tests). */
export function encryptBuffer(keyring: Keyring, plain: Buffer, opts: SealOptions = {}): Promise<Buffer> {
  return collect(createEncryptStream(keyring, opts), plain);
}

export function decryptBuffer(keyring: Keyring, sealed: Buffer, opts: SealOptions = {}): Promise<Buffer> {
  return collect(createDecryptStream(keyring, opts), sealed);
}
