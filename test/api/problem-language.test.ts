/**
 * The same request answers the same problem in the language it asks for: `title` and `detail` in Japanese with
 * `Accept-Language: ja`, in English otherwise (and without the header); code, status, type and every other field
 * equal; `Content-Language` says which. Also the upload's answer naming the encoding it read.
 */
import iconv from 'iconv-lite';
import type { Express } from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { reportBody } from '../support/fixtures.js';
import { FakeTemporal, KEYS, bearer, fakeDeps } from './fake-temporal.js';

let fake: FakeTemporal;
let app: Express;

beforeEach(async () => {
  fake = new FakeTemporal();
  app = buildApp(await fakeDeps(fake));
});

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

type Send = (lang: string | undefined) => request.Test;

/** One request in three languages: the answers differ only in title, detail and Content-Language. */
async function inEachLanguage(send: Send): Promise<{ ja: request.Response; en: request.Response; none: request.Response }> {
  const ja = await send('ja-JP,ja;q=0.9,en;q=0.5');
  const en = await send('en-US,en;q=0.9');
  const none = await send(undefined);
  for (const r of [ja, en, none]) expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(ja.headers['content-language']).toBe('ja');
  expect(en.headers['content-language']).toBe('en');
  expect(none.headers['content-language']).toBe('en');
  expect(ja.headers['vary']).toMatch(/Accept-Language/);
  const rest = (r: request.Response) => {
    const { title: _t, detail: _d, requestId: _r, ...others } = r.body as Record<string, unknown>;
    return others;
  };
  expect(rest(ja)).toEqual(rest(en));
  expect(rest(none)).toEqual(rest(en));
  expect({ status: ja.status, code: ja.body.code }).toEqual({ status: en.status, code: en.body.code });
  expect(ja.body.title).toMatch(JAPANESE);
  expect(ja.body.detail).toMatch(JAPANESE);
  expect(en.body.title).not.toMatch(JAPANESE);
  expect(en.body.detail).not.toMatch(JAPANESE);
  expect(none.body).toMatchObject({ title: en.body.title, detail: en.body.detail });
  return { ja, en, none };
}

const withLang = (t: request.Test, lang: string | undefined) => (lang === undefined ? t : t.set('Accept-Language', lang));

describe('problems in the language of the request', () => {
  it('an unknown route', async () => {
    const { ja, en } = await inEachLanguage((l) => withLang(request(app).get('/v1/nothing-here'), l));
    expect(en.body).toMatchObject({ code: 'not_found', title: 'Not found', detail: 'no route for GET /v1/nothing-here' });
    expect(ja.body).toMatchObject({ code: 'not_found', title: '見つかりません', detail: 'GET /v1/nothing-here に該当するAPIはありません' });
  });

  it('an unknown policy (a field error inside stays as it is)', async () => {
    const send: Send = (l) => withLang(request(app).post('/v1/cases').set(bearer(KEYS.insured1)), l).send(reportBody('PL-UNKNOWN'));
    const { ja, en } = await inEachLanguage(send);
    expect(en.body.detail).toBe('policy PL-UNKNOWN is not registered');
    expect(ja.body).toMatchObject({ code: 'unknown_policy', title: '登録されていない保険契約です', detail: '保険契約 PL-UNKNOWN は登録されていません' });
  });

  it('a request that fails validation names the fields in both', async () => {
    const send: Send = (l) =>
      withLang(request(app).post('/v1/cases').set(bearer(KEYS.insured1)), l).send(reportBody('PL-1', { cause: 'aliens' }));
    const { ja, en } = await inEachLanguage(send);
    expect(en.body.detail).toContain('/cause');
    expect(ja.body.detail).toBe('入力内容に誤りがあります（/cause）');
  });

  it('a refusal the case recorded, nested reasons worded too', async () => {
    fake.addCase('C123', 'ins-001');
    fake.onCommand = () => Promise.resolve({ refusal: 'wrong_state: case is closed' });
    const close: Send = (l) => withLang(request(app).post('/v1/cases/C123/actions/close').set(bearer(KEYS.handler)), l).send({ reason: 'done' });
    const closed = await inEachLanguage(close);
    expect(closed.en.body).toMatchObject({ code: 'wrong_state', detail: 'case is closed' });
    expect(closed.ja.body).toMatchObject({ code: 'wrong_state', title: '現在の状態ではできません', detail: '事案は「closed」の状態です' });

    fake.onCommand = () =>
      Promise.resolve({
        refusal:
          "over_authority: payout P1 awaits a supervisor: ¥5,000 exceeds the handler's authority of ¥1,000: pending a supervisor's approval.",
      });
    const pay: Send = (l) => withLang(request(app).post('/v1/cases/C123/actions/approve-payout').set(bearer(KEYS.handler)), l).send({});
    const over = await inEachLanguage(pay);
    expect(over.ja.body.status).toBe(403);
    expect(over.ja.body.detail).toBe('支払 P1 は承認者の承認待ちです：¥5,000は担当者の権限額¥1,000を超えています。承認者の承認待ちです。');
  });

  it('a refused upload names row, column and rule in both, never the value', async () => {
    fake.addCase('C123', 'ins-001');
    const sjis = iconv.encode('秘密', 'cp932');
    const list = Buffer.concat([Buffer.from('name,email\r\n'), sjis, Buffer.from(',a@example.jp\r\n山田,b@example.jp\r\n')]);
    const send: Send = (l) =>
      withLang(request(app).put('/v1/cases/C123/affected-persons').set(bearer(KEYS.insured1)).set('Content-Type', 'text/csv'), l).send(list);
    const { ja, en } = await inEachLanguage(send);
    expect(en.body).toMatchObject({ status: 422, code: 'persons_rejected', reason: 'not_csv', rule: 'encoding', row: 3, column: 'name' });
    expect(en.body.detail).toMatch(/^row 3, column name is UTF-8 text but row 2, column name is Shift_JIS \(CP932\)/);
    expect(ja.body.detail).toMatch(/^3行目の name 列はUTF-8ですが、2行目の name 列はShift_JIS \(CP932\)です/);
    for (const r of [ja, en]) expect(JSON.stringify(r.body)).not.toMatch(/秘密|山田/);
    expect(fake.calls.command).toHaveLength(0);
  });

  it('an unauthenticated call', async () => {
    const { ja } = await inEachLanguage((l) => withLang(request(app).get('/v1/cases').set(bearer('nope')), l));
    expect(ja.body).toMatchObject({ status: 401, code: 'unauthenticated', title: '認証が必要です' });
  });
});

describe('the upload answers the encoding it read', () => {
  const names = 'name,email\r\n山田 太郎,taro@example.jp\r\n髙橋 ①子,hanako@example.jp\r\n';
  const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(names, 'utf16le')]);
  it.each([
    ['utf-8', Buffer.from(names)],
    ['utf-8-bom', Buffer.from(`\uFEFF${names}`)],
    ['shift_jis', iconv.encode(names, 'cp932')],
    ['utf-16le', utf16le],
    ['utf-16be', Buffer.from(utf16le).swap16()],
  ])('%s', async (encoding, body) => {
    fake.addCase('C123', 'ins-001');
    fake.onCommand = () => Promise.resolve({ view: { caseId: 'C123', status: 'triage' } });
    const res = await request(app).put('/v1/cases/C123/affected-persons').set(bearer(KEYS.insured1)).set('Content-Type', 'text/csv').send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ encoding, ref: { total: 2, accepted: 2, rejected: 0 }, errorCount: 0 });
  });
});
