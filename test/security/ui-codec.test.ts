/**
 * The embedded Temporal UI decodes payloads: it calls `/codec/ui/<token>/decode` without any credential of its own,
 * from its own page. The path is accepted only when configured (the token `npm start` writes into keys.json), only
 * from the UI's origin, never without an Origin header (a script, curl), never with another token; the API's ordinary
 * `/codec` still asks for a handler's key. The token stays out of logs and metrics labels.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { defaultPayloadConverter } from '@temporalio/common';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { createEncryptionCodec } from '../../lib/payload-codec.js';
import { loadConfig } from '../../main/config.js';
import { ensureUiCodecToken, loadSecrets, prepareRuntimeFiles } from '../../main/runtime.js';
import { parseKeyring } from '../../storage/crypto.js';
import { FakeTemporal, KEYS, bearer, fakeDeps } from '../api/fake-temporal.js';

const UI = 'http://127.0.0.1:8233';
const TOKEN = randomBytes(32).toString('base64url');
const codec = createEncryptionCodec(parseKeyring(`k1:${randomBytes(32).toString('base64')}`));
const SECRET = '山田 太郎の住所';

async function encryptedBody() {
  const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(SECRET)]);
  return {
    payloads: [
      {
        metadata: Object.fromEntries(Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(sealed!.data!).toString('base64'),
      },
    ],
  };
}

async function appWith(uiCodec: { token: string; origins: string[] } | undefined, logs?: string[]) {
  const logger = logs
    ? pino({ level: 'info' }, new Writable({ write: (c: Buffer, _e, done) => (logs.push(c.toString()), done()) }))
    : pino({ level: 'silent' });
  return buildApp(await fakeDeps(new FakeTemporal(), { payloadCodec: codec, codecOrigins: [UI], logger, ...(uiCodec ? { uiCodec } : {}) }));
}

const decoded = (body: unknown) => Buffer.from((body as { payloads: { data: string }[] }).payloads[0]!.data, 'base64').toString('utf8');

describe('the embedded Temporal UI’s codec credential', () => {
  it('decodes for the UI’s page with no Authorization, preflight included', async () => {
    const app = await appWith({ token: TOKEN, origins: [UI] });
    const pre = await request(app)
      .options(`/codec/ui/${TOKEN}/decode`)
      .set('Origin', UI)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-namespace');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(UI);
    const res = await request(app).post(`/codec/ui/${TOKEN}/decode`).set('Origin', UI).set('X-Namespace', 'default').send(await encryptedBody());
    expect(res.status).toBe(200);
    expect(decoded(res.body)).toContain(SECRET);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses another origin, a call without Origin, and a wrong or shortened token', async () => {
    const app = await appWith({ token: TOKEN, origins: [UI] });
    const body = await encryptedBody();
    const evil = await request(app).post(`/codec/ui/${TOKEN}/decode`).set('Origin', 'https://evil.example').send(body);
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const script = await request(app).post(`/codec/ui/${TOKEN}/decode`).send(body);
    expect(script.status).toBe(403);
    expect(script.body).toMatchObject({ code: 'forbidden' });
    for (const wrong of [randomBytes(32).toString('base64url'), TOKEN.slice(0, -1), '']) {
      const res = await request(app).post(`/codec/ui/${wrong}/decode`).set('Origin', UI).send(body);
      expect(res.status, wrong).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain(SECRET);
    }
    // The ordinary endpoint still wants a handler's key.
    expect((await request(app).post('/codec/decode').set('Origin', UI).send(body)).status).toBe(401);
    const handler = await request(app).post('/codec/decode').set('Origin', UI).set(bearer(KEYS.handler)).send(body);
    expect(decoded(handler.body)).toContain(SECRET);
  });

  it('does not exist when not configured', async () => {
    const app = await appWith(undefined);
    const res = await request(app).post(`/codec/ui/${TOKEN}/decode`).set('Origin', UI).send(await encryptedBody());
    expect(res.status).toBe(404);
  });

  it('answers its problems in the UI’s language', async () => {
    const app = await appWith({ token: TOKEN, origins: [UI] });
    const res = await request(app).post(`/codec/ui/${TOKEN}/decode`).set('Accept-Language', 'ja').send({ payloads: [] });
    expect(res.status).toBe(403);
    expect(res.headers['content-language']).toBe('ja');
    expect(res.body).toMatchObject({ code: 'forbidden', title: 'この利用者には許可されていません' });
  });

  it('keeps the token out of the request log and the metrics labels', async () => {
    const logs: string[] = [];
    const app = await appWith({ token: TOKEN, origins: [UI] }, logs);
    await request(app).post(`/codec/ui/${TOKEN}/decode`).set('Origin', UI).send(await encryptedBody());
    const metrics = await request(app).get('/metrics');
    expect(logs.join('\n')).toContain('/codec/ui/[redacted]');
    expect(logs.join('\n')).not.toContain(TOKEN);
    expect(metrics.text).toContain('route="/codec/ui/:token/decode"');
    expect(metrics.text).not.toContain(TOKEN);
  });

  it('is generated once into keys.json (mode 0600) by the embedded default, and read outside production only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bc-ui-codec-'));
    const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: dir });
    const files = await prepareRuntimeFiles(config);
    expect(loadSecrets(config, files).uiCodecToken).toBeUndefined();
    const token = ensureUiCodecToken(config.dataDir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ensureUiCodecToken(config.dataDir)).toBe(token);
    const keys = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8')) as Record<string, string>;
    expect(keys['uiCodecToken']).toBe(token);
    expect(keys['payloadCodecKeys']).toBeTruthy();
    expect((await stat(join(dir, 'keys.json'))).mode & 0o777).toBe(0o600);
    expect(loadSecrets(config, files).uiCodecToken).toBe(token);
    const production = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DATA_DIR: dir, TEMPORAL_ADDRESS: '127.0.0.1:7233' });
    expect(loadSecrets(production, files).uiCodecToken).toBeUndefined();
  });
});
