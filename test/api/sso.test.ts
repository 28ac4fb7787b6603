/**
 * Single sign-on's configuration and its steps where it is off or unreachable, without a provider (the whole flow
 * against a real provider in Chromium is test/browser/sso.test.ts).
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { ssoSettings } from '../../api/sso.js';
import { ConfigError, loadConfig } from '../../main/config.js';
import { FakeTemporal, fakeDeps } from './fake-temporal.js';

const SSO_ENV = {
  OIDC_ISSUER: 'http://127.0.0.1:1/',
  OIDC_CLIENT_ID: 'pages',
  OIDC_REDIRECT_URL: 'http://127.0.0.1:3000/v1/auth/sso/callback',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
}

describe('SSO configuration', () => {
  it('needs an issuer and a redirect URL with a client id, and https in production', () => {
    expect(problems({ OIDC_CLIENT_ID: 'pages' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^OIDC_ISSUER: /), expect.stringMatching(/^OIDC_REDIRECT_URL: /)]),
    );
    expect(problems({ OIDC_CLIENT_SECRET: 'x' })).toEqual([expect.stringMatching(/^OIDC_CLIENT_ID: /)]);
    expect(problems({ ...SSO_ENV, OIDC_SCOPES: 'profile' })).toEqual([expect.stringMatching(/^OIDC_SCOPES: must include openid/)]);
    expect(problems({ ...SSO_ENV, NODE_ENV: 'production', TEMPORAL_ADDRESS: 't:7233' })).toEqual([
      'OIDC_ISSUER: must be https in production',
      'OIDC_REDIRECT_URL: must be https in production',
    ]);
    expect(problems(SSO_ENV)).toEqual([]);
  });

  it('derives the redirect URL from PUBLIC_URL, and is off without a client id', () => {
    const config = loadConfig({ OIDC_ISSUER: 'https://id.example.jp', OIDC_CLIENT_ID: 'pages', PUBLIC_URL: 'https://claims.example.jp/' });
    expect(ssoSettings(config)?.redirectUrl).toBe('https://claims.example.jp/v1/auth/sso/callback');
    expect(ssoSettings(config)?.scopes).toBe('openid profile email');
    expect(ssoSettings(loadConfig({ OIDC_ISSUER: 'https://id.example.jp' }))).toBeUndefined();
  });
});

describe('SSO steps', () => {
  it('say that single sign-on is off where it is not configured', async () => {
    const app = buildApp(await fakeDeps(new FakeTemporal()));
    const status = await request(app).get('/v1/auth/sso');
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ enabled: false });
    for (const [method, path] of [['get', '/v1/auth/sso/login'], ['get', '/v1/auth/sso/callback?code=a&state=b'], ['post', '/v1/auth/sso/session']] as const) {
      const r = await request(app)[method](path).set('Accept', 'application/json');
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('answer 503 while the provider cannot be reached, and a callback without a sign-in of this browser is refused', async () => {
    const app = buildApp(await fakeDeps(new FakeTemporal(), { env: SSO_ENV }));
    expect((await request(app).get('/v1/auth/sso')).body).toEqual({ enabled: true });
    const login = await request(app).get('/v1/auth/sso/login').set('Accept-Language', 'ja');
    expect(login.status).toBe(503);
    expect(login.body.detail).toBe('IDプロバイダに接続できません。しばらくしてから再試行してください');
    const api = await request(app).get('/v1/auth/sso/callback?code=a&state=b').set('Accept', 'application/json');
    expect(api.status).toBe(400);
    expect(api.body.code).toBe('sso_failed');
    const browser = await request(app).get('/v1/auth/sso/callback?code=a&state=b').set('Accept', 'text/html,*/*;q=0.8');
    expect(browser.status).toBe(303);
    expect(browser.headers['location']).toBe('/?sso_error=transaction');
    const take = await request(app).post('/v1/auth/sso/session');
    expect(take.status).toBe(400);
    expect(take.body.code).toBe('sso_failed');
    const elsewhere = await request(app).post('/v1/auth/sso/session').set('Origin', 'https://evil.example');
    expect(elsewhere.status).toBe(403);
  });
});
