/**
 * Single sign-on for the pages: OpenID Connect authorization code flow with PKCE (S256), run by the API as the
 * client (`openid-client`), so no token from the provider ever reaches the browser:
 *
 *   GET  /v1/auth/sso/login     → 303 to the provider, with code_challenge (S256), state and nonce; the verifier,
 *                                 state and nonce stay in this process, found again by an HttpOnly cookie
 *   GET  /v1/auth/sso/callback  ← the provider sends the browser back; state checked, code exchanged with the verifier,
 *                                 ID token (nonce, issuer, audience, signature) checked, userinfo read, the principal
 *                                 mapped from the claims as for bearer JWTs (OIDC_ROLE_CLAIM, OIDC_INSURED_CLAIM)
 *   POST /v1/auth/sso/session   → the page takes its session once: an opaque bearer token (`bcs_…`) it keeps in
 *                                 sessionStorage like an API key; the one-time handoff cookie is spent
 *   POST /v1/auth/sso/logout    → the session ends at once
 *
 * Sessions and sign-ins in flight live in this process's memory (one API process; see the README's Configuration).
 * Nothing here logs a code, a token or a cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import * as client from 'openid-client';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ApiConfig } from './deps.js';
import { HttpProblem, problemResponse } from './problem.js';
import { principalFromClaims, type Principal } from './principals.js';
import { defineRoute, type RouteDef } from './route-kit.js';

export const SSO_BASE = '/v1/auth/sso';
export const SSO_CALLBACK_PATH = `${SSO_BASE}/callback`;
const TX_COOKIE = 'bc_sso_tx';
const HANDOFF_COOKIE = 'bc_sso_handoff';
const TX_TTL_MS = 10 * 60_000;
const HANDOFF_TTL_MS = 60_000;
const MAX_PENDING = 10_000;
const MAX_SESSIONS = 100_000;
export const SESSION_TOKEN_PREFIX = 'bcs_';

/** Why a sign-in was refused; each has its words in problem-text.ts (`sso_failed.<reason>`) and on the login page. */
export const SSO_FAILURES = ['transaction', 'state', 'provider', 'exchange', 'no_role', 'handoff'] as const;
export type SsoFailure = (typeof SSO_FAILURES)[number];

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  next: string | undefined;
  expiresAt: number;
}

interface Session {
  principal: Principal;
  expiresAt: number;
}

export interface SsoSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  redirectUrl: string;
  scopes: string;
  sessionTtlMs: number;
  roleClaim: string;
  insuredClaim: string;
}

export interface SsoService {
  readonly enabled: boolean;
  /** The principal of a session token handed out by the callback, while it lasts. */
  authenticate(token: string): Principal | undefined;
  routes(): RouteDef[];
}

/** The settings from the API's configuration, or undefined when single sign-on is not configured. */
export function ssoSettings(config: ApiConfig): SsoSettings | undefined {
  if (!config.OIDC_CLIENT_ID || !config.OIDC_ISSUER) return undefined;
  const redirectUrl =
    config.OIDC_REDIRECT_URL ?? (config.PUBLIC_URL ? `${config.PUBLIC_URL.replace(/\/+$/, '')}${SSO_CALLBACK_PATH}` : undefined);
  if (!redirectUrl) return undefined;
  return {
    issuer: config.OIDC_ISSUER,
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET,
    redirectUrl,
    scopes: config.OIDC_SCOPES ?? 'openid profile email',
    sessionTtlMs: config.OIDC_SESSION_TTL_MS ?? 8 * 3_600_000,
    roleClaim: config.OIDC_ROLE_CLAIM,
    insuredClaim: config.OIDC_INSURED_CLAIM,
  };
}

function digest(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookies(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

/** Only same-site page paths: never send a freshly signed-in user to another origin. */
function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && next.startsWith('/ui/') && !next.startsWith('//') && !next.includes('\\') && next.length <= 500
    ? next
    : undefined;
}

function prune<V extends { expiresAt: number }>(map: Map<string, V>, now: number): void {
  for (const [k, v] of map) if (v.expiresAt <= now) map.delete(k);
}

const SsoStatusSchema = z.object({ enabled: z.boolean() });
const SsoSessionSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  me: z.object({
    name: z.string(),
    role: z.enum(['insured', 'handler', 'supervisor', 'ops', 'admin']),
    insuredId: z.string().nullable(),
    authorityLimitJpy: z.number().int().nullable(),
    via: z.literal('oidc'),
  }),
});
const LoginQuery = z.object({ next: z.string().max(500).optional() }).strict();

export function createSso(settings: SsoSettings | undefined, opts: { logger: Logger; now?: () => number }): SsoService {
  const now = opts.now ?? Date.now;
  const log = opts.logger.child({ component: 'sso' });
  const pending = new Map<string, Pending>();
  const handoffs = new Map<string, { token: string; expiresAt: number }>();
  const sessions = new Map<string, Session>();
  const secure = settings ? new URL(settings.redirectUrl).protocol === 'https:' : false;
  let discovered: Promise<client.Configuration> | undefined;

  function configuration(s: SsoSettings): Promise<client.Configuration> {
    discovered ??= (async () => {
      const issuer = new URL(s.issuer);
      const insecure = issuer.protocol === 'http:'; // main/config.ts refuses http in production
      const config = await client.discovery(
        issuer,
        s.clientId,
        { redirect_uris: [s.redirectUrl], response_types: ['code'] },
        s.clientSecret ? client.ClientSecretBasic(s.clientSecret) : client.None(),
        insecure ? { execute: [client.allowInsecureRequests] } : {},
      );
      return config;
    })().catch((err: unknown) => {
      discovered = undefined;
      log.error({ err: (err as Error).message }, 'OIDC discovery failed');
      throw new HttpProblem(503, 'unavailable', { key: 'unavailable.sso' }, undefined, {}, { 'Retry-After': '5' });
    });
    return discovered;
  }

  function cookie(res: Response, name: string, value: string, maxAgeMs: number): void {
    res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure, path: SSO_BASE, maxAge: maxAgeMs });
  }

  function clear(res: Response, name: string): void {
    res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure, path: SSO_BASE });
  }

  /** A browser is sent back to the login page with the reason; a program gets problem+json. */
  function refuse(req: Request, res: Response, reason: SsoFailure): void {
    const status = reason === 'no_role' ? 403 : 400;
    if (req.accepts(['json', 'html']) === 'html') {
      res.set('Cache-Control', 'no-store').redirect(303, `/?sso_error=${reason}`);
      return;
    }
    throw new HttpProblem(status, 'sso_failed', { key: `sso_failed.${reason}` });
  }

  function required(): SsoSettings {
    if (!settings) throw new HttpProblem(404, 'not_found', { key: 'not_found.sso' });
    return settings;
  }

  const service: SsoService = {
    enabled: settings !== undefined,
    authenticate(token) {
      if (!settings || !token.startsWith(SESSION_TOKEN_PREFIX)) return undefined;
      const key = digest(token);
      const s = sessions.get(key);
      if (!s) return undefined;
      if (s.expiresAt <= now()) {
        sessions.delete(key);
        return undefined;
      }
      return s.principal;
    },
    routes: () => [
      defineRoute({
        method: 'get',
        path: SSO_BASE,
        operationId: 'getSso',
        summary: 'Whether single sign-on is offered',
        description: 'The login page asks, to show "Sign in with SSO" only where OIDC_CLIENT_ID and OIDC_ISSUER are set.',
        tags: ['principals'],
        auth: 'public',
        responses: { 200: { description: 'Whether SSO is configured', schema: SsoStatusSchema, name: 'SsoStatus' } },
        handle: (_req, res) => {
          res.set('Cache-Control', 'no-store').json({ enabled: settings !== undefined });
        },
      }),
      defineRoute({
        method: 'get',
        path: `${SSO_BASE}/login`,
        operationId: 'startSsoLogin',
        summary: 'Start a single sign-on',
        description:
          'Redirects the browser to the OpenID provider (authorization code flow, PKCE with S256, state and nonce). ' +
          '`next` is the page (a path under /ui/) to return to.',
        tags: ['principals'],
        auth: 'public',
        query: LoginQuery,
        responses: {
          303: { description: 'To the provider', headers: { Location: 'the provider’s authorization endpoint' } },
          400: problemResponse('A query parameter this route does not take, or a `next` over 500 characters'),
          404: problemResponse('Single sign-on is not configured'),
          503: problemResponse('The provider cannot be reached'),
        },
        handle: async (_req, res, { query }) => {
          const s = required();
          const config = await configuration(s);
          const t = now();
          prune(pending, t);
          if (pending.size >= MAX_PENDING) throw new HttpProblem(503, 'unavailable', { key: 'unavailable.sso' }, undefined, {}, { 'Retry-After': '5' });
          const verifier = client.randomPKCECodeVerifier();
          const tx: Pending = {
            state: client.randomState(),
            nonce: client.randomNonce(),
            verifier,
            next: safeNext(query.next),
            expiresAt: t + TX_TTL_MS,
          };
          const id = randomBytes(32).toString('base64url');
          pending.set(digest(id), tx);
          const url = client.buildAuthorizationUrl(config, {
            redirect_uri: s.redirectUrl,
            scope: s.scopes,
            code_challenge: await client.calculatePKCECodeChallenge(verifier),
            code_challenge_method: 'S256',
            state: tx.state,
            nonce: tx.nonce,
          });
          cookie(res, TX_COOKIE, id, TX_TTL_MS);
          res.set('Cache-Control', 'no-store').redirect(303, url.href);
        },
      }),
      defineRoute({
        method: 'get',
        path: SSO_CALLBACK_PATH,
        operationId: 'finishSsoLogin',
        summary: 'Return from the provider',
        description:
          'The redirect URL registered at the provider. Checks the state against the sign-in this browser started ' +
          '(one use), exchanges the code with the PKCE verifier, verifies the ID token and maps its claims (and the ' +
          'userinfo) to a principal. A browser is sent to the login page (with `sso_error=<reason>` when refused); a ' +
          'client that does not ask for HTML gets a problem.',
        tags: ['principals'],
        auth: 'public',
        responses: {
          303: { description: 'To the login page, which takes the session', headers: { Location: 'the login page' } },
          400: problemResponse('No sign-in in progress in this browser, a state that does not match, or a code the provider refused'),
          403: problemResponse('The claims give no role this API knows'),
          404: problemResponse('Single sign-on is not configured'),
        },
        handle: async (req, res) => {
          const s = required();
          const id = cookies(req).get(TX_COOKIE);
          clear(res, TX_COOKIE);
          const key = id ? digest(id) : undefined;
          const tx = key ? pending.get(key) : undefined;
          // One use: a callback, good or forged, spends the sign-in it names.
          if (key) pending.delete(key);
          if (!tx || tx.expiresAt <= now()) return refuse(req, res, 'transaction');
          const search = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
          const params = new URLSearchParams(search);
          const state = params.get('state');
          if (!state || !sameString(state, tx.state)) return refuse(req, res, 'state');
          if (params.has('error')) {
            log.warn({ error: params.get('error')?.slice(0, 100) }, 'the provider refused the sign-in');
            return refuse(req, res, 'provider');
          }
          const config = await configuration(s);
          const current = new URL(s.redirectUrl);
          current.search = search;
          let claims: Record<string, unknown>;
          try {
            const tokens = await client.authorizationCodeGrant(config, current, {
              pkceCodeVerifier: tx.verifier,
              expectedState: tx.state,
              expectedNonce: tx.nonce,
              idTokenExpected: true,
            });
            const idClaims = tokens.claims()!;
            let userinfo: Record<string, unknown> = {};
            try {
              userinfo = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
            } catch (err) {
              log.warn({ err: (err as Error).name }, 'userinfo could not be read; using the ID token’s claims');
            }
            // The ID token's claims win; userinfo adds what the provider keeps out of ID tokens (e.g. custom claims).
            claims = { ...userinfo, ...idClaims };
          } catch (err) {
            // Error names and codes only: openid-client's messages name no token, but the response bodies might.
            log.warn({ err: (err as Error).name, code: (err as { code?: unknown }).code }, 'code exchange refused');
            return refuse(req, res, 'exchange');
          }
          const principal = principalFromClaims(claims, { roleClaim: s.roleClaim, insuredClaim: s.insuredClaim });
          if (!principal) return refuse(req, res, 'no_role');
          const t = now();
          prune(sessions, t);
          prune(handoffs, t);
          if (sessions.size >= MAX_SESSIONS || handoffs.size >= MAX_PENDING) {
            throw new HttpProblem(503, 'unavailable', { key: 'unavailable.sso' }, undefined, {}, { 'Retry-After': '5' });
          }
          const token = `${SESSION_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
          sessions.set(digest(token), { principal, expiresAt: t + s.sessionTtlMs });
          const handoff = randomBytes(32).toString('base64url');
          handoffs.set(digest(handoff), { token, expiresAt: t + HANDOFF_TTL_MS });
          cookie(res, HANDOFF_COOKIE, handoff, HANDOFF_TTL_MS);
          log.info({ principal: principal.name, role: principal.role }, 'signed in through SSO');
          const next = tx.next ? `&next=${encodeURIComponent(tx.next)}` : '';
          res.set('Cache-Control', 'no-store').redirect(303, `/?sso=done${next}`);
        },
      }),
      defineRoute({
        method: 'post',
        path: `${SSO_BASE}/session`,
        operationId: 'takeSsoSession',
        summary: 'Take the session of a finished sign-in',
        description:
          'Called once by the login page right after the callback: answers the session token (send it as ' +
          '`Authorization: Bearer`) for the one-time HttpOnly cookie the callback set (SameSite=Lax, so no other site ' +
          'can spend it).',
        tags: ['principals'],
        auth: 'public',
        responses: {
          200: { description: 'The session', schema: SsoSessionSchema, name: 'SsoSession' },
          400: problemResponse('No finished sign-in in this browser (or it was already taken)'),
          403: problemResponse('Called from another origin'),
          404: problemResponse('Single sign-on is not configured'),
        },
        handle: (req, res) => {
          const s = required();
          const origin = req.headers.origin;
          if (origin !== undefined && origin !== new URL(s.redirectUrl).origin) {
            throw new HttpProblem(403, 'forbidden', { key: 'forbidden.origin' });
          }
          const id = cookies(req).get(HANDOFF_COOKIE);
          clear(res, HANDOFF_COOKIE);
          const key = id ? digest(id) : undefined;
          const h = key ? handoffs.get(key) : undefined;
          if (key) handoffs.delete(key);
          const session = h && h.expiresAt > now() ? sessions.get(digest(h.token)) : undefined;
          if (!h || !session) throw new HttpProblem(400, 'sso_failed', { key: 'sso_failed.handoff' });
          const p = session.principal;
          res.set('Cache-Control', 'no-store').json({
            token: h.token,
            expiresAt: new Date(session.expiresAt).toISOString(),
            me: { name: p.name, role: p.role, insuredId: p.insuredId ?? null, authorityLimitJpy: p.authorityLimitJpy ?? null, via: 'oidc' },
          });
        },
      }),
      defineRoute({
        method: 'post',
        path: `${SSO_BASE}/logout`,
        operationId: 'endSsoSession',
        summary: 'End a single sign-on session',
        description: 'The session token sent as the bearer stops working at once. Other credentials are not affected.',
        tags: ['principals'],
        auth: { roles: ['insured', 'handler', 'supervisor', 'ops', 'admin'] },
        responses: { 204: { description: 'Ended' }, 401: problemResponse('No or unknown credentials') },
        handle: (req, res) => {
          const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
          if (m && m[1]!.startsWith(SESSION_TOKEN_PREFIX)) sessions.delete(digest(m[1]!));
          res.status(204).end();
        },
      }),
    ],
  };
  return service;
}
