/**
 * Who may call the API: API keys from `PRINCIPALS_FILE`, optionally bearer JWTs from an OIDC provider.
 * Keys are held only as SHA-256 digests in memory and compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { liveFile, type LiveFileOptions } from '../lib/live-file.js';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { Actor } from '../workflows/contract.js';

/** A resolved caller. Vendors never appear here: they authenticate by webhook signature. */
export interface Principal extends Actor {
  email?: string;
  /** How the principal proved itself. */
  via: 'key' | 'oidc';
}

/** The principal as a case records it (who did what): its identity and authority, not how it signed in. */
export function actorOf(p: Principal): Actor {
  return {
    name: p.name,
    role: p.role,
    ...(p.insuredId !== undefined ? { insuredId: p.insuredId } : {}),
    ...(p.authorityLimitJpy !== undefined ? { authorityLimitJpy: p.authorityLimitJpy } : {}),
  };
}

const HUMAN_ROLES = ['insured', 'handler', 'supervisor', 'ops', 'admin'] as const;
const Name = z.string().trim().min(1).max(200);

const PrincipalEntrySchema = z
  .object({
    key: z.string().min(16, 'keys must be at least 16 characters').max(512).optional(),
    keySha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'keySha256 must be 64 hex digits')
      .optional(),
    role: z.enum(HUMAN_ROLES),
    name: Name,
    insuredId: z.string().min(1).max(100).optional(),
    authorityLimitJpy: z.number().int().nonnegative().optional(),
    email: z.email().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.key === undefined) === (p.keySha256 === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'exactly one of key and keySha256' });
    }
    if (p.role === 'insured' && !p.insuredId) {
      ctx.addIssue({ code: 'custom', path: ['insuredId'], message: 'an insured principal needs insuredId' });
    }
    if (p.role !== 'insured' && p.insuredId) {
      ctx.addIssue({ code: 'custom', path: ['insuredId'], message: 'only insured principals carry insuredId' });
    }
  });

export const PrincipalsFileSchema = z.array(PrincipalEntrySchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((p, i) => {
    if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate name ${p.name}` });
    seen.add(p.name);
  });
});
export type PrincipalEntry = z.infer<typeof PrincipalEntrySchema>;

export class PrincipalsFileError extends Error {
  override readonly name = 'PrincipalsFileError';
}

interface Entry {
  digest: Buffer;
  principal: Principal;
}

export interface PrincipalDirectory {
  /** The principal holding this API key, or undefined. */
  authenticate(key: string): Principal | undefined;
  /** Looked up by name, e.g. to check an assignee. */
  byName(name: string): Principal | undefined;
  list(): Principal[];
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function toEntries(list: PrincipalEntry[]): Entry[] {
  return list.map((p) => ({
    digest: p.key !== undefined ? sha256(p.key) : Buffer.from(p.keySha256!, 'hex'),
    principal: {
      name: p.name,
      role: p.role,
      via: 'key' as const,
      ...(p.insuredId !== undefined ? { insuredId: p.insuredId } : {}),
      ...(p.authorityLimitJpy !== undefined ? { authorityLimitJpy: p.authorityLimitJpy } : {}),
      ...(p.email !== undefined ? { email: p.email } : {}),
    },
  }));
}

function parseFile(file: string): Entry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PrincipalsFileError(`cannot read principals file ${file}: ${(err as Error).message}`);
  }
  const parsed = PrincipalsFileSchema.safeParse(raw);
  if (!parsed.success) {
    // Issue messages never quote values, so no key ends up in the error.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new PrincipalsFileError(`invalid principals file ${file}:\n  - ${problems.join('\n  - ')}`);
  }
  return toEntries(parsed.data);
}

/** A directory over a fixed list; tests and embedders that keep principals elsewhere use it. */
export function principalDirectory(list: PrincipalEntry[]): PrincipalDirectory {
  const entries = toEntries(PrincipalsFileSchema.parse(list));
  return directoryOver(() => entries);
}

function directoryOver(current: () => Entry[]): PrincipalDirectory {
  return {
    authenticate(key) {
      const digest = sha256(key);
      let found: Principal | undefined;
      // Every entry is compared, so the time taken says nothing about which one (if any) matched.
      for (const e of current()) {
        if (timingSafeEqual(e.digest, digest) && !found) found = e.principal;
      }
      return found;
    },
    byName(name) {
      return current().find((e) => e.principal.name === name)?.principal;
    },
    list() {
      return current().map((e) => e.principal);
    },
  };
}

/**
 * Reads `file` now and again whenever it changes (lib/live-file.ts): a key removed from the file stops working without
 * a restart, and a file that turns invalid later keeps the last good list.
 */
export function loadPrincipals(file: string, opts: LiveFileOptions = {}): PrincipalDirectory {
  return directoryOver(liveFile(file, parseFile, opts));
}

export interface DevelopmentPrincipal {
  key: string;
  role: (typeof HUMAN_ROLES)[number];
  name: string;
  insuredId?: string;
  authorityLimitJpy?: number;
  email?: string;
}

function devKey(role: string): string {
  return `bc_${role}_${randomBytes(24).toString('base64url')}`;
}

/** Fresh random keys for one principal per role and two sample insureds, written with mode 0600. */
export async function writeDevelopmentPrincipals(file: string): Promise<DevelopmentPrincipal[]> {
  const list: DevelopmentPrincipal[] = [
    { key: devKey('admin'), role: 'admin', name: 'admin', email: 'admin@breach-claims.local' },
    { key: devKey('ops'), role: 'ops', name: 'ops', email: 'ops@breach-claims.local' },
    {
      key: devKey('handler'),
      role: 'handler',
      name: 'handler',
      authorityLimitJpy: 1_000_000,
      email: 'handler@breach-claims.local',
    },
    {
      key: devKey('supervisor'),
      role: 'supervisor',
      name: 'supervisor',
      authorityLimitJpy: 50_000_000,
      email: 'supervisor@breach-claims.local',
    },
    { key: devKey('insured'), role: 'insured', name: 'insured-ins-001', insuredId: 'ins-001', email: 'security@ins-001.example.jp' },
    { key: devKey('insured'), role: 'insured', name: 'insured-ins-002', insuredId: 'ins-002', email: 'security@ins-002.example.jp' },
  ];
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(list, null, 2)}\n`, { mode: 0o600 });
  // `mode` applies only when the file is created; an existing file keeps its old mode otherwise.
  await chmod(file, 0o600);
  return list;
}

/** Writes the development file only when there is none yet; answers whether it wrote one. */
export async function ensureDevelopmentPrincipals(file: string): Promise<DevelopmentPrincipal[] | null> {
  try {
    statSync(file);
    chmodSync(file, 0o600);
    return null;
  } catch {
    return writeDevelopmentPrincipals(file);
  }
}

// ---- OIDC ------------------------------------------------------------------------------------------------------

export interface OidcSettings {
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  roleClaim: string;
  insuredClaim: string;
  /** Injected key set (tests); otherwise fetched from `jwksUrl`. */
  keySet?: JWTVerifyGetKey;
}

export type OidcVerifier = (token: string) => Promise<Principal | undefined>;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

function claimPath(payload: Record<string, unknown>, path: string): unknown {
  // Dotted paths reach nested claims such as Keycloak's `realm_access.roles`.
  let v: unknown = payload;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * Verifies bearer JWTs against the JWKS; the role is the first value of the role claim that names one of our roles
 * (a string or an array of strings). Returns undefined for any token that does not verify or maps to no role.
 */
export function createOidcVerifier(settings: OidcSettings): OidcVerifier | undefined {
  if (!settings.keySet && !settings.jwksUrl) return undefined;
  const keySet = settings.keySet ?? createRemoteJWKSet(new URL(settings.jwksUrl!));
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      const verified = await jwtVerify(token, keySet, {
        ...(settings.issuer ? { issuer: settings.issuer } : {}),
        ...(settings.audience ? { audience: settings.audience } : {}),
      });
      payload = verified.payload;
    } catch {
      return undefined;
    }
    return principalFromClaims(payload, settings);
  };
}

/** Where the role and the insured id are read from a token's (or userinfo's) claims. */
export interface ClaimMapping {
  roleClaim: string;
  insuredClaim: string;
}

/**
 * The principal that verified claims describe: the role is the first value of the role claim that names one of our
 * roles (a string or an array of strings); an insured needs the insured claim; the name is `preferred_username`,
 * else `email`, else `sub`. Undefined when the claims give no role (or an insured without its id): no access.
 * Used for bearer JWTs and for the pages' single sign-on alike.
 */
export function principalFromClaims(payload: Record<string, unknown>, settings: ClaimMapping): Principal | undefined {
  const claim = claimPath(payload, settings.roleClaim);
  const candidates = Array.isArray(claim) ? claim : [claim];
  const role = candidates.find((c): c is (typeof HUMAN_ROLES)[number] =>
    typeof c === 'string' && (HUMAN_ROLES as readonly string[]).includes(c),
  );
  if (!role) return undefined;
  const insured = claimPath(payload, settings.insuredClaim);
  const insuredId = typeof insured === 'string' && insured !== '' ? insured : undefined;
  if (role === 'insured' && !insuredId) return undefined;
  const name =
    (typeof payload['preferred_username'] === 'string' && payload['preferred_username']) ||
    (typeof payload['email'] === 'string' && payload['email']) ||
    (typeof payload['sub'] === 'string' && payload['sub']) ||
    undefined;
  if (!name) return undefined;
  const limit = payload['authority_limit_jpy'];
  return {
    name,
    role,
    via: 'oidc',
    ...(role === 'insured' ? { insuredId } : {}),
    ...(typeof limit === 'number' && Number.isSafeInteger(limit) && limit >= 0 ? { authorityLimitJpy: limit } : {}),
    ...(typeof payload['email'] === 'string' ? { email: payload['email'] } : {}),
  };
}
