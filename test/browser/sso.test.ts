/**
 * Single sign-on through a real OpenID provider (`oidc-provider`, started here on a free port with a test client and
 * users whose claims carry roles) and Debian's Chromium, against the real stack: the authorization code flow with
 * PKCE that the API runs, the state check that refuses a forged callback, the session the login page takes, the
 * principal from the claims in the page header, and an insured from the claims seeing only its own cases.
 * Screenshots of the SSO login in Japanese and English go to test-results/screenshots/.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { pino } from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = 'test-results/screenshots';
const CLIENT_ID = 'breach-claims-pages';
const CLIENT_SECRET = `test-secret-${uniqueId('s')}`;

/** The provider's users: what its claims say about each (roles and insured id in the custom `breach` scope). */
const USERS: Record<string, Record<string, unknown>> = {
  'sato-hanako': { preferred_username: 'sato.hanako', email: 'sato@ins-001.example.jp', roles: ['insured'], insured_id: 'ins-001' },
  'tanaka-ichiro': { preferred_username: 'tanaka.ichiro', email: 'tanaka@insurer.example.jp', roles: ['employee', 'handler'] },
  'no-role': { preferred_username: 'no.role', email: 'someone@example.jp', roles: ['employee'] },
};

let stack: Stack;
let browser: Browser;
let provider: Provider;
let providerServer: Server;
let issuer: string;
const logs: string[] = [];
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
/** What reached the provider's authorization endpoint, and the code verifiers its token endpoint accepted. */
const authorizationRequests: URLSearchParams[] = [];
const acceptedVerifiers: string[] = [];
const caseOf: Record<string, string> = {};
/** Set by a test: the provider's next answer to the API's callback is handed here instead of to the browser. */
let holdNextAnswer: ((callbackUrl: string) => void) | undefined;

async function fileCase(insured: 'ins-001' | 'ins-002'): Promise<string> {
  const policyNumber = uniqueId('PL');
  const put = await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody({ insuredId: insured }));
  expect(put.status).toBe(201);
  const filed = await as(stack, `insured-${insured}`)('POST', '/v1/cases', reportBody(policyNumber));
  expect(filed.status).toBe(201);
  return (filed.json as { caseId: string }).caseId;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  await mkdir(SHOTS, { recursive: true });
  const [apiPort, providerPort] = await Promise.all([freePort(), freePort()]);
  issuer = `http://127.0.0.1:${providerPort}`;
  const redirect = `http://127.0.0.1:${apiPort}/v1/auth/sso/callback`;
  const configuration: Configuration = {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirect],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // PKCE on every authorization request, as for a public client (S256 is the only method oidc-provider takes).
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'breach'],
    claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email'], breach: ['roles', 'insured_id'] },
    findAccount: (_ctx, id) => {
      const user = USERS[id];
      if (!user) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...user }) };
    },
    cookies: { keys: [`cookie-key-${uniqueId('k')}`] },
    features: { devInteractions: { enabled: true } },
  };
  provider = new Provider(issuer, configuration);
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const verifier = ctx.oidc.params?.['code_verifier'];
    if (typeof verifier === 'string') acceptedVerifiers.push(verifier);
  });
  provider.use(async (ctx, next) => {
    await next();
    const location = String(ctx.response.get('location') ?? '');
    if (holdNextAnswer && location.startsWith(redirect)) {
      const hand = holdNextAnswer;
      holdNextAnswer = undefined;
      hand(location);
      ctx.remove('Location');
      ctx.status = 200;
      ctx.type = 'text/plain';
      ctx.body = 'held by the test';
    }
  });
  providerServer = createServer(provider.callback());
  await new Promise<void>((resolve) => providerServer.listen(providerPort, '127.0.0.1', resolve));

  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  [stack, browser] = await Promise.all([
    startStack({
      logger,
      env: {
        PORT: String(apiPort),
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_CLIENT_SECRET: CLIENT_SECRET,
        OIDC_REDIRECT_URL: redirect,
        OIDC_SCOPES: 'openid profile email breach',
      },
    }),
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  ]);
  expect(stack.url).toBe(`http://127.0.0.1:${apiPort}`);
  caseOf['ins-001'] = await fileCase('ins-001');
  caseOf['ins-002'] = await fileCase('ins-002');
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
  await new Promise<void>((resolve) => (providerServer ? providerServer.close(() => resolve()) : resolve()));
});

async function newTab(who: string, locale = 'ja-JP'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale, timezoneId: 'Asia/Tokyo' });
  contexts.push(context);
  const page = await context.newPage();
  // Only our own pages count: the provider's development login pages are not ours to judge.
  const ours = () => page.url().startsWith(stack.url);
  page.on('pageerror', (e) => ours() && pageErrors.push(`${who}: ${e.message}`));
  page.on('console', (m) => {
    if (ours() && m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`${who}: ${m.text()}`);
  });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin === issuer && url.pathname === '/auth') authorizationRequests.push(url.searchParams);
  });
  return page;
}

/** From the login page: "Sign in with SSO", then the provider's development login and consent. */
async function throughProvider(page: Page, login: string): Promise<void> {
  await page.locator('#sso-login').click();
  await page.waitForURL((u) => u.origin === issuer);
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.locator('button[type=submit]').click();
  // Then the consent screen (this user has not met the client in this browser), or straight back.
  await page.locator('input[name=login]').waitFor({ state: 'detached' });
  await page.waitForLoadState();
  if (new URL(page.url()).origin === issuer) await page.locator('button[type=submit]').click();
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

describe('single sign-on (OIDC code flow with PKCE) in chromium', () => {
  it('the login page offers single sign-on, in Japanese and in English', async () => {
    const page = await newTab('login');
    await page.goto(`${stack.url}/`);
    await page.locator('#sso').waitFor({ state: 'visible' });
    expect(await page.locator('#sso-login').textContent()).toBe('シングルサインオンでログイン');
    expect(await page.locator('#sso-title').textContent()).toBe('シングルサインオン');
    await page.screenshot({ path: `${SHOTS}/sso-login-ja.png`, fullPage: true });
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.locator('#sso-login').textContent()).toBe('Sign in with SSO');
    expect(await page.locator('#sso-title').textContent()).toBe('Single sign-on');
    await page.screenshot({ path: `${SHOTS}/sso-login-en.png`, fullPage: true });
  });

  it('an insured signs in at the provider: PKCE S256, its principal from the claims, only its own cases', { timeout: 90_000 }, async () => {
    const page = await newTab('insured');
    const callbacks: string[] = [];
    page.on('request', (r) => r.url().startsWith(`${stack.url}/v1/auth/sso/callback`) && callbacks.push(r.url()));
    await page.goto(`${stack.url}/`);
    const before = authorizationRequests.length;
    await throughProvider(page, 'sato-hanako');
    await page.waitForURL(`${stack.url}/ui/report`);

    // The authorization request carried a PKCE challenge (S256), a state and a nonce ...
    const auth = authorizationRequests.slice(before).find((p) => p.get('client_id') === CLIENT_ID && p.has('response_type'));
    expect(auth).toBeDefined();
    expect(auth!.get('response_type')).toBe('code');
    expect(auth!.get('code_challenge_method')).toBe('S256');
    expect(auth!.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth!.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(auth!.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(auth!.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['openid', 'breach']));
    // ... and the provider exchanged the code for the verifier of exactly that challenge.
    expect(acceptedVerifiers.map(s256)).toContain(auth!.get('code_challenge'));
    expect(callbacks.length).toBe(1);
    const code = new URL(callbacks[0]!).searchParams.get('code')!;
    expect(code.length).toBeGreaterThan(10);

    // The page holds an opaque session of the API, not a token of the provider, and knows the principal by its claims.
    const stored = await page.evaluate(() => ({ key: sessionStorage.getItem('bc.key'), me: sessionStorage.getItem('bc.me') }));
    expect(stored.key).toMatch(/^bcs_[A-Za-z0-9_-]{43}$/);
    expect(JSON.parse(stored.me!)).toMatchObject({ name: 'sato.hanako', role: 'insured', insuredId: 'ins-001', via: 'oidc' });
    await expect.poll(() => page.locator('.who').textContent()).toBe('sato.hanako (被保険者 · ins-001)');

    // Its own case is listed, the other insured's is not; the API agrees.
    await expect.poll(() => page.locator('#my-cases').textContent(), { timeout: 20_000 }).toContain(caseOf['ins-001']);
    expect(await page.locator('#my-cases').textContent()).not.toContain(caseOf['ins-002']);
    await page.screenshot({ path: `${SHOTS}/sso-signed-in-ja.png`, fullPage: true });
    const bearer = { authorization: `Bearer ${stored.key}`, accept: 'application/json' };
    const list = (await (await fetch(`${stack.url}/v1/cases`, { headers: bearer })).json()) as { items: { caseId: string }[] };
    expect(list.items.map((c) => c.caseId)).toContain(caseOf['ins-001']);
    expect(list.items.map((c) => c.caseId)).not.toContain(caseOf['ins-002']);
    const other = await fetch(`${stack.url}/v1/cases/${caseOf['ins-002']}`, { headers: bearer });
    expect([403, 404]).toContain(other.status);
    expect((await fetch(`${stack.url}/v1/cases/${caseOf['ins-001']}`, { headers: bearer })).status).toBe(200);

    // The code is spent: replaying the provider's answer gets nothing.
    const replay = await page.context().request.get(callbacks[0]!, { headers: { accept: 'application/json' }, maxRedirects: 0 });
    expect(replay.status()).toBe(400);
    expect(replay.headers()['content-type']).toContain('application/problem+json');
    expect(((await replay.json()) as { code: string }).code).toBe('sso_failed');

    // Nothing secret in the API's logs: not the code, not the session token, not the state.
    const logged = logs.join('');
    expect(logged).toContain('/v1/auth/sso/callback?[redacted]');
    expect(logged).not.toContain(code);
    expect(logged).not.toContain(stored.key!);
    expect(logged).not.toContain(auth!.get('state')!);

    // Signing out ends the session at the API, not only in the tab.
    await page.locator('.top button.link').click();
    await page.waitForURL(`${stack.url}/`);
    await expect.poll(async () => (await fetch(`${stack.url}/v1/me`, { headers: bearer })).status).toBe(401);
  });

  it('a forged callback is refused: state checked, a page error for the browser, problem+json for a program', { timeout: 90_000 }, async () => {
    // The attacker gets a genuine answer from the provider for its own sign-in, which the test's provider withholds from
    // the attacker's browser (so the code is unspent; a browser's route cannot stop a redirect's later hops).
    const attacker = await newTab('attacker', 'en-US');
    const held = new Promise<string>((resolve) => (holdNextAnswer = resolve));
    await attacker.goto(`${stack.url}/`);
    await throughProvider(attacker, 'tanaka-ichiro');
    const forged = await held;
    expect(forged).toMatch(/[?&]code=[^&]+/);

    // The victim has started a sign-in of its own and is sent the attacker's answer: refused, nobody signed in.
    const victim = await newTab('victim');
    await victim.goto(`${stack.url}/`);
    await victim.locator('#sso-login').click();
    await victim.waitForURL((u) => u.origin === issuer);
    await victim.goto(forged);
    await victim.waitForURL((u) => u.origin === stack.url && u.searchParams.get('sso_error') === 'state');
    await expect.poll(() => victim.locator('#sso-error').textContent()).toContain('応答がこのブラウザで開始したサインインのものではありません');
    expect(await victim.evaluate(() => sessionStorage.getItem('bc.key'))).toBeNull();
    await victim.screenshot({ path: `${SHOTS}/sso-refused-ja.png`, fullPage: true });

    // A program gets problem+json; the victim's sign-in was spent by the forged answer, so a second try names that.
    const again = await victim.context().request.get(forged, { headers: { accept: 'application/json', 'accept-language': 'en' }, maxRedirects: 0 });
    expect(again.status()).toBe(400);
    expect(again.headers()['content-type']).toContain('application/problem+json');
    expect(await again.json()).toMatchObject({ code: 'sso_failed', status: 400 });
    // With no sign-in started at all (no cookie), the same.
    const bare = await fetch(forged, { headers: { accept: 'application/json' }, redirect: 'manual' });
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as { code: string; detail: string }).code).toBe('sso_failed');
    // And with the right cookie but a state of its own making: refused for the state.
    const fresh = await newTab('forger', 'en-US');
    await fresh.goto(`${stack.url}/`);
    await fresh.locator('#sso-login').click();
    await fresh.waitForURL((u) => u.origin === issuer);
    const madeUp = await fresh.context().request.get(`${stack.url}/v1/auth/sso/callback?code=made-up&state=made-up`, {
      headers: { accept: 'application/json', 'accept-language': 'en' },
      maxRedirects: 0,
    });
    expect(madeUp.status()).toBe(400);
    expect(((await madeUp.json()) as { detail: string }).detail).toContain('state mismatch');
  });

  it('claims that give no role of ours are refused with the reason, in English', { timeout: 60_000 }, async () => {
    const page = await newTab('no-role', 'en-US');
    await page.goto(`${stack.url}/`);
    await throughProvider(page, 'no-role');
    await page.waitForURL((u) => u.origin === stack.url && u.searchParams.get('sso_error') === 'no_role');
    await expect.poll(() => page.locator('#sso-error').textContent()).toContain('names no role of this service');
    expect(await page.evaluate(() => sessionStorage.getItem('bc.key'))).toBeNull();
  });

  it('kept every page of ours free of script errors and CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
