/**
 * The machinery behind the route table: one definition per operation drives authentication, content-type checks,
 * validation (the parsed value is what the handler receives), Express registration and the OpenAPI document, so a
 * route cannot exist without its documentation.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Role } from '../domain/vocabulary.js';
import { HttpProblem, validationProblem, zodFieldErrors } from './problem.js';
import type { Principal } from './principals.js';
import { idempotencyKey } from './idempotency.js';

export type Method = 'get' | 'put' | 'post' | 'patch';

export type BodySpec =
  | { kind: 'json'; schema: z.ZodType; name?: string; example?: unknown; optional?: boolean }
  /** Streamed to the handler untouched (the handler reads `req`). */
  | { kind: 'stream'; contentType: string; description: string; example?: string }
  /** Kept as bytes (e.g. to check a signature) and handed over as a Buffer; `schema` documents the JSON inside. */
  | { kind: 'raw'; schema: z.ZodType; name?: string; limit: string };

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  name?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export type Auth = { roles: readonly Role[] } | 'public' | 'signature';

/** The names in an Express path template: `/v1/cases/:caseId/apology-codes/:code` gives `'caseId' | 'code'`. */
export type PathParamNames<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never;

/** A params schema must name every parameter of the path (a strict schema refuses any other). */
type ParamsSchemaFor<Path extends string> = z.ZodType<{ [K in PathParamNames<Path>]: unknown }>;

/** What the handler of a route receives, typed from the route's own definition. */
export interface Input<Path extends string, P, Q, S, A> {
  /** The params schema's output; without a schema, the path's parameters as strings. */
  params: P extends z.ZodType ? z.output<P> : { [K in PathParamNames<Path>]: string };
  /** The query schema's output; without a schema, the query string unchecked. */
  query: Q extends z.ZodType ? z.output<Q> : Record<string, unknown>;
  /** A JSON body parsed by its schema, a raw body as bytes; nothing for a streamed body (the handler reads `req`). */
  body: S extends { kind: 'json'; schema: infer B extends z.ZodType } ? z.output<B> : S extends { kind: 'raw' } ? Buffer : undefined;
  /** Always there on a route that names roles (the kit answers 401/403 first); perhaps there on a public one. */
  principal: A extends { roles: readonly Role[] } ? Principal : Principal | undefined;
}

interface RouteDoc {
  method: Method;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  responses: Record<number, ResponseSpec>;
  /** Left out of rate limiting (probes and scrapes). */
  unlimited?: boolean;
}

/** A route as `defineRoute` takes it: the handler's input is typed from the path, the schemas and the auth. */
export interface TypedRoute<
  Path extends string,
  P extends ParamsSchemaFor<Path> | undefined,
  Q extends z.ZodType | undefined,
  S extends BodySpec | undefined,
  A extends Auth,
> extends RouteDoc {
  /** Express syntax (`/v1/cases/:caseId`). */
  path: Path;
  auth: A;
  params?: P;
  query?: Q;
  body?: S;
  handle: (req: Request, res: Response, input: Input<Path, P, Q, S, A>) => Promise<void> | void;
}

/** A route of any shape, as the table holds it. */
export interface RouteDef extends RouteDoc {
  path: string;
  auth: Auth;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: BodySpec;
  handle: (
    req: Request,
    res: Response,
    input: { params: unknown; query: unknown; body: unknown; principal: Principal | undefined },
  ) => Promise<void> | void;
}

/**
 * Keeps the handler's input typed from the route's definition while the table holds routes of every shape: the one
 * place the types are taken on trust, since `runner` parses each part with the schema they were inferred from.
 */
export function defineRoute<
  Path extends string,
  P extends ParamsSchemaFor<Path> | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  S extends BodySpec | undefined = undefined,
  A extends Auth = Auth,
>(def: TypedRoute<Path, P, Q, S, A>): RouteDef {
  return def as unknown as RouteDef;
}

export function principalOf(res: Response): Principal | undefined {
  return res.locals['principal'] as Principal | undefined;
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function authorise(def: RouteDef, req: Request, res: Response): Principal | undefined {
  if (def.auth === 'public' || def.auth === 'signature') return principalOf(res);
  const principal = principalOf(res);
  if (!principal) {
    const failure = res.locals['authFailure'] as 'unauthenticated.scheme' | 'unauthenticated.credentials' | undefined;
    throw new HttpProblem(401, 'unauthenticated', { key: failure ?? 'unauthenticated.bearer' }, undefined, {}, {
      'WWW-Authenticate': 'Bearer realm="breach-claims"',
    });
  }
  if (!def.auth.roles.includes(principal.role)) {
    throw new HttpProblem(403, 'forbidden', { key: 'forbidden.role', params: { role: principal.role, what: def.summary.toLowerCase() } });
  }
  void req;
  return principal;
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) return value;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationProblem(zodFieldErrors(parsed.error, where));
  return parsed.data;
}

function runner(def: RouteDef): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const principal = authorise(def, req, res);
      // A body the JSON parser refused, answered now that the caller is known to be allowed here.
      if (res.locals['bodyError'] !== undefined) throw res.locals['bodyError'];
      // Documented on every command (maxLength 200): checked here for all of them, also where it is not used yet.
      if (def.method !== 'get' && def.auth !== 'signature') idempotencyKey(req);
      const params = parsePart(def.params, { ...req.params }, 'path');
      const query = parsePart(def.query, { ...(req.query as Record<string, unknown>) }, 'query');
      let body: unknown;
      if (def.body?.kind === 'json') {
        if (hasBody(req) && !req.is('application/json')) {
          throw new HttpProblem(415, 'unsupported_media_type', { key: 'unsupported_media_type.json' }, undefined, {}, {
            'Accept-Post': 'application/json',
          });
        }
        const raw = hasBody(req) ? (req.body as unknown) : def.body.optional ? {} : undefined;
        body = parsePart(def.body.schema, raw, 'body');
      } else if (def.body?.kind === 'stream') {
        if (!req.is(def.body.contentType)) {
          throw new HttpProblem(415, 'unsupported_media_type', { key: 'unsupported_media_type.type', params: { contentType: def.body.contentType } });
        }
      } else if (def.body?.kind === 'raw') {
        body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      }
      await def.handle(req, res, { params, query, body, principal });
    } catch (err) {
      next(err);
    }
  };
}

/**
 * For the fallback: the methods a path answers to, so an undeclared method on a known path is a 405 with `Allow`
 * (RFC 9110 15.5.6) rather than a 404.
 */
export function allowedMethods(defs: readonly RouteDef[]): (path: string) => string[] {
  const patterns = defs.map((d) => ({
    method: d.method.toUpperCase(),
    re: new RegExp(`^${d.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([A-Za-z0-9_]+)/g, '[^/]+')}/?$`),
  }));
  return (path) => {
    const methods = new Set<string>();
    for (const p of patterns) if (p.re.test(path)) methods.add(p.method);
    if (methods.has('GET')) methods.add('HEAD');
    const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
    return [...methods].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  };
}

/** For the JSON parser: whether a request goes to a route that streams its body itself. */
export function streamedRoutes(defs: readonly RouteDef[]): (method: string, path: string) => boolean {
  const patterns = defs
    .filter((d) => d.body?.kind === 'stream')
    .map((d) => ({ method: d.method.toUpperCase(), re: new RegExp(`^${d.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([A-Za-z0-9_]+)/g, '[^/]+')}/?$`) }));
  return (method, path) => patterns.some((p) => p.method === method && p.re.test(path));
}

export function registerRoutes(router: Router, defs: readonly RouteDef[]): void {
  for (const def of defs) {
    const before: RequestHandler[] = [];
    if (def.body?.kind === 'raw') before.push(express.raw({ type: () => true, limit: def.body.limit }));
    router[def.method](def.path, ...before, runner(def));
  }
}

// ---- OpenAPI -----------------------------------------------------------------------------------------------------

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete out['$schema'];
  return out;
}

export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const doc = jsonSchema(schema, 'input');
  const props = (doc['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((doc['required'] as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof s['description'] === 'string' ? { description: s['description'] } : {}),
    schema: s,
  }));
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

/** OpenAPI 3.1 from the route table. Named schemas go to components and are referenced. */
export function buildOpenApi(defs: readonly RouteDef[], info: OpenApiInfo, extraSchemas: Record<string, z.ZodType> = {}): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const ref = (schema: z.ZodType, name: string | undefined, io: 'input' | 'output'): JsonSchema => {
    if (!name) return jsonSchema(schema, io);
    components[name] ??= jsonSchema(schema, io);
    return { $ref: `#/components/schemas/${name}` };
  };
  for (const [name, schema] of Object.entries(extraSchemas)) components[name] = jsonSchema(schema, 'output');

  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const def of defs) {
    const op: JsonSchema = {
      operationId: def.operationId,
      summary: def.summary,
      ...(def.description ? { description: def.description } : {}),
      tags: def.tags,
      security: def.auth === 'public' || def.auth === 'signature' ? [] : [{ bearer: [] }],
      ...(typeof def.auth === 'object' ? { 'x-roles': [...def.auth.roles] } : {}),
      ...(def.auth === 'signature' ? { 'x-authentication': 'BC-Signature HMAC-SHA256 (see description)' } : {}),
    };
    const params = [
      ...parameters(def.params, 'path'),
      ...parameters(def.query, 'query'),
      ...(def.method !== 'get' && def.auth !== 'signature'
        ? [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'Repeat a request safely: the same key and body give the same result.',
              schema: { type: 'string', maxLength: 200 },
            },
          ]
        : []),
    ];
    if (params.length > 0) op['parameters'] = params;
    if (def.body) {
      if (def.body.kind === 'stream') {
        op['requestBody'] = {
          required: true,
          description: def.body.description,
          content: {
            [def.body.contentType]: {
              schema: { type: 'string' },
              ...(def.body.example ? { example: def.body.example } : {}),
            },
          },
        };
      } else {
        op['requestBody'] = {
          required: !(def.body.kind === 'json' && def.body.optional),
          content: {
            'application/json': {
              schema: ref(def.body.schema, def.body.name, 'input'),
              ...(def.body.kind === 'json' && def.body.example !== undefined ? { example: def.body.example } : {}),
            },
          },
        };
      }
    }
    const responses: Record<string, JsonSchema> = {};
    const declared: Record<number, ResponseSpec> = { ...def.responses };
    // Every command takes an Idempotency-Key, and a malformed one is a 400 whatever the body.
    if (params.some((p) => p.name === 'Idempotency-Key') && !declared[400] && declared[401]?.schema) {
      declared[400] = { ...declared[401], description: 'Invalid request (a malformed Idempotency-Key)' };
    }
    // Any request whose request line and headers together pass the server's limit is answered 431 before routing
    // (a long query string does it on any GET).
    const problemSpec = Object.entries(declared).find(([status, r]) => Number(status) >= 400 && r.schema)?.[1];
    if (problemSpec && !declared[431]) {
      declared[431] = { ...problemSpec, description: 'Request line and headers larger than the server accepts' };
    }
    for (const [status, r] of Object.entries(declared)) {
      const contentType = r.contentType ?? (Number(status) >= 400 ? 'application/problem+json' : 'application/json');
      // A problem's title and detail are in the request's language (Accept-Language: ja or en, English by default).
      const headers: Record<string, string> = {
        ...(contentType === 'application/problem+json' && r.schema ? { 'Content-Language': 'The language of title and detail: ja or en' } : {}),
        ...(r.headers ?? {}),
      };
      responses[status] = {
        description: r.description,
        ...(Object.keys(headers).length > 0
          ? {
              headers: Object.fromEntries(
                Object.entries(headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]),
              ),
            }
          : {}),
        ...(r.schema ? { content: { [contentType]: { schema: ref(r.schema, r.name, 'output') } } } : {}),
      };
    }
    op['responses'] = responses;
    const p = openApiPath(def.path);
    paths[p] ??= {};
    paths[p][def.method] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key from PRINCIPALS_FILE, or an OIDC access token' },
      },
    },
  };
}
