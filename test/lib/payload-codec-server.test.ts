import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import { createCodecRouter } from '../../lib/codec-server.js';
import { createEncryptionCodec, ENCRYPTED_ENCODING, METADATA_KEY_ID_KEY } from '../../lib/payload-codec.js';
import { parseKeyring } from '../../storage/crypto.js';

const UI = 'http://127.0.0.1:8233';
const TOKEN = 'Bearer handler-key';
const SECRET = '株式会社サンプル機密';
const codec = createEncryptionCodec(parseKeyring(`k1:${randomBytes(32).toString('base64')}`));

function app(authorize: (req: Request) => boolean | Promise<boolean> = (req) => req.get('authorization') === TOKEN) {
  const a = express();
  a.use('/codec', createCodecRouter({ codec, authorize, allowedOrigins: [UI] }));
  // Stands in for the API's error handler, which renders whatever the router passes on.
  a.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).type('application/problem+json').send({ code: 'internal', status: 500 });
  });
  return a;
}

const toWire = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

describe('codec router', () => {
  it('answers the UI preflight with the CORS grant, without asking for credentials', async () => {
    const res = await request(app())
      .options('/codec/decode')
      .set('Origin', UI)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-namespace,authorization');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(res.headers['access-control-allow-methods']).toBe('POST');
    expect(res.headers['access-control-allow-headers']?.split(',').sort()).toEqual(['authorization', 'content-type', 'x-namespace']);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('refuses other origins, preflight and request alike, without CORS headers', async () => {
    const pre = await request(app()).options('/codec/decode').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(pre.status).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const post = await request(app()).post('/codec/decode').set('Origin', 'https://evil.example').set('Authorization', TOKEN).send({ payloads: [] });
    expect(post.status).toBe(403);
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers 401 as a problem the browser can read when authorize says no', async () => {
    for (const path of ['/codec/decode', '/codec/encode']) {
      const res = await request(app()).post(path).set('Origin', UI).set('X-Namespace', 'default').send({ payloads: [] });
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 401, code: 'unauthenticated' });
      expect(res.headers['access-control-allow-origin']).toBe(UI);
    }
    const asyncNo = await request(app(() => Promise.resolve(false))).post('/codec/decode').set('Authorization', TOKEN).send({ payloads: [] });
    expect(asyncNo.status).toBe(401);
  });

  it('passes the request to authorize and hands a throwing authorizer to the host error handler', async () => {
    const seen: string[] = [];
    await request(
      app((req) => {
        seen.push(`${req.method} ${req.path} ${req.get('x-namespace')}`);
        return true;
      }),
    )
      .post('/codec/encode')
      .set('X-Namespace', 'default')
      .send({ payloads: [] });
    expect(seen).toEqual(['POST /encode default']);
    const res = await request(
      app(() => {
        throw new Error('principals file unreadable');
      }),
    )
      .post('/codec/decode')
      .send({ payloads: [] });
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('principals');
  });

  it('encodes and decodes in the wire shape, round trip', async () => {
    const plain = toWire(defaultPayloadConverter.toPayload({ insuredName: SECRET }));
    const enc = await request(app())
      .post('/codec/encode')
      .set('Origin', UI)
      .set('Authorization', TOKEN)
      .set('X-Namespace', 'default')
      .send({ payloads: [plain] });
    expect(enc.status).toBe(200);
    expect(enc.headers['access-control-allow-origin']).toBe(UI);
    expect(enc.headers['cache-control']).toBe('no-store');
    const [sealed] = enc.body.payloads as { metadata: Record<string, string>; data: string }[];
    expect(unb64(sealed!.metadata.encoding!)).toBe(ENCRYPTED_ENCODING);
    expect(unb64(sealed!.metadata[METADATA_KEY_ID_KEY]!)).toBe('k1');
    expect(enc.text).not.toContain(SECRET);
    expect(Buffer.from(sealed!.data, 'base64').includes(Buffer.from(SECRET))).toBe(false);

    const dec = await request(app())
      .post('/codec/decode')
      .set('Origin', UI)
      .set('Authorization', TOKEN)
      .send({ payloads: [sealed, plain] });
    expect(dec.status).toBe(200);
    expect(dec.body).toEqual({ payloads: [plain, plain] });
    expect(JSON.parse(unb64(dec.body.payloads[0].data as string))).toEqual({ insuredName: SECRET });
  });

  it('decodes payloads a worker encoded (same codec, any transport)', async () => {
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload('hello')]);
    const res = await request(app()).post('/codec/decode').set('Authorization', TOKEN).send({ payloads: [toWire(sealed!)] });
    expect(res.status).toBe(200);
    expect(unb64(res.body.payloads[0].data as string)).toBe('"hello"');
  });

  it('answers 400 problems for malformed bodies', async () => {
    const post = () => request(app()).post('/codec/decode').set('Origin', UI).set('Authorization', TOKEN);
    const json = await post().set('Content-Type', 'application/json').send('{"payloads": [');
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ code: 'malformed_json' });
    expect(json.headers['access-control-allow-origin']).toBe(UI);

    for (const body of [{}, { payloads: 'x' }, [], { payloads: [1] }, { payloads: [{ data: 'not base64!' }] }, { payloads: [{ metadata: { encoding: 5 } }] }, { payloads: [{ metadata: [] }] }]) {
      const res = await post().send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('validation');
      expect(res.body.errors?.length).toBeGreaterThan(0);
    }
    const wrongType = await post().set('Content-Type', 'text/plain').send('{"payloads":[]}');
    expect(wrongType.status).toBe(415);
  });

  it('answers 413 for a body over the limit', async () => {
    const a = express();
    a.use('/codec', createCodecRouter({ codec, authorize: () => true, allowedOrigins: [UI], bodyLimit: 1024 }));
    const res = await request(a).post('/codec/encode').send({ payloads: [{ data: b64('x'.repeat(2048)) }] });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'payload_too_large' });
  });

  it('answers 400 for a payload it cannot open, naming the key id only', async () => {
    const other = createEncryptionCodec(parseKeyring(`gone:${randomBytes(32).toString('base64')}`));
    const [sealed] = await other.encode([defaultPayloadConverter.toPayload(SECRET)]);
    const res = await request(app()).post('/codec/decode').set('Authorization', TOKEN).send({ payloads: [toWire(sealed!)] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'unknown_key' });
    expect(res.body.errors[0].message).toContain('"gone"');

    const tampered = toWire((await codec.encode([defaultPayloadConverter.toPayload(SECRET)]))[0]!);
    const bytes = Buffer.from(tampered.data, 'base64');
    bytes[20]! ^= 1;
    const res2 = await request(app())
      .post('/codec/decode')
      .set('Authorization', TOKEN)
      .send({ payloads: [{ ...tampered, data: bytes.toString('base64') }] });
    expect(res2.status).toBe(400);
    expect(res2.body.errors[0]).toMatchObject({ code: 'auth_failed' });
  });

  it('leaves payloads without a metadata map or data intact', async () => {
    const res = await request(app())
      .post('/codec/decode')
      .set('Authorization', TOKEN)
      .send({ payloads: [{ metadata: { encoding: b64('binary/null') } }, {}] });
    expect(res.status).toBe(200);
    expect(res.body.payloads).toEqual([{ metadata: { encoding: b64('binary/null') }, data: '' }, { metadata: {}, data: '' }]);
  });
});
