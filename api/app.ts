/**
 * The Express app, built from its dependencies and apart from the listener, so tests drive it with supertest and
 * the process entry decides ports and shutdown.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  isGrpcServiceError,
} from '@temporalio/client';
import { createCodecRouter } from '../lib/codec-server.js';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { ZodError } from 'zod';
import { REFUSALS, parseRefusal } from '../workflows/contract.js';
import { createContext } from './context.js';
import type { ApiDeps } from './deps.js';
import { createHttpMetrics, registerSearchIndexMetrics } from './metrics.js';
import { pagesRouter } from './pages.js';
import { createOidcVerifier, looksLikeJwt, type OidcVerifier } from './principals.js';
import { redactApologyCodeInUrl } from './apology.js';
import { HttpProblem, PROBLEM_TITLES, problemType, validationProblem, zodFieldErrors, type Problem } from './problem.js';
import { codecProblemWords, defaultDetail, problemLanguage, problemTitle, refusalText, renderDetail, type ProblemParams } from './problem-text.js';
import { buildRouteTable, mountRoutes } from './routes.js';
import { allowedMethods, principalOf, streamedRoutes } from './route-kit.js';

export type { ApiDeps } from './deps.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Paths whose requests carry no body worth logging and are polled by machines. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["bc-signature"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.contact',
  '*.body',
  '*.rows',
];

/** gRPC status codes of a transient Temporal failure: CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE. */
const TEMPORAL_HICCUPS = new Set([1, 4, 8, 14]);

function grpcCode(err: unknown): number | undefined {
  if (isGrpcServiceError(err)) return err.code;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return isGrpcServiceError(cause) ? cause.code : undefined;
}

/** Every error, whatever its origin, as one problem; unknown errors become a 500 that says only the request id. */
export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const e = err as { type?: string; status?: number; message?: string; name?: string };
  if (typeof e?.type === 'string' && typeof e.status === 'number') {
    // body-parser's errors
    if (e.type === 'entity.parse.failed') return new HttpProblem(400, 'malformed_json', { key: 'malformed_json.body' });
    if (e.type === 'entity.too.large') return new HttpProblem(413, 'payload_too_large', { key: 'payload_too_large.body' });
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      return new HttpProblem(415, 'unsupported_media_type', { key: 'unsupported_media_type.utf8_json' });
    }
    if (e.status >= 400 && e.status < 500) return new HttpProblem(e.status, 'validation', { key: 'validation.unreadable' });
  }
  if (err instanceof ZodError) return validationProblem(zodFieldErrors(err));
  if (err instanceof WorkflowNotFoundError) return new HttpProblem(404, 'not_found', { key: 'not_found.any' });
  if (err instanceof WorkflowUpdateFailedError) {
    const refusal = parseRefusal(err.cause?.message ?? '');
    if (refusal) return new HttpProblem(REFUSALS[refusal.code], refusal.code, refusalText(refusal.code, refusal.text) ?? refusal.text);
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) return new HttpProblem(409, 'conflict', { key: 'conflict.exists' });
  const code = grpcCode(err);
  if (code === 3) return new HttpProblem(400, 'validation', { key: 'validation.backend' });
  // A Temporal hiccup is the backend's, not a fault of the request or of ours: UNAVAILABLE, DEADLINE_EXCEEDED,
  // CANCELLED (a query cut short while a worker restarts) and RESOURCE_EXHAUSTED (its rate limits) answer 503.
  if (code !== undefined && TEMPORAL_HICCUPS.has(code)) {
    return new HttpProblem(503, 'unavailable', { key: 'unavailable.temporal' }, undefined, {}, { 'Retry-After': '5' });
  }
  return new HttpProblem(500, 'internal', { key: 'internal.unexpected' });
}

export function sendProblem(req: Request, res: Response, p: HttpProblem): void {
  const lang = problemLanguage(req);
  const params = { ...p.extensions, ...(p.text?.params ?? {}) } as ProblemParams;
  // A problem thrown with a finished English sentence (no template) reads that sentence in English and the code's
  // own detail in Japanese; every problem the product throws names a template (see test/api/problem-text.test.ts).
  const detail = p.text
    ? renderDetail({ key: p.text.key, params }, lang)
    : lang === 'en'
      ? p.detail
      : p.detail
        ? defaultDetail(p.code, lang)
        : undefined;
  const body: Problem = {
    type: problemType(p.code),
    title: problemTitle(p.code, lang),
    status: p.status,
    ...(detail ? { detail } : {}),
    instance: req.originalUrl.split('?')[0],
    requestId: String(res.locals['requestId'] ?? ''),
    code: p.code,
    ...(p.errors && p.errors.length > 0 ? { errors: p.errors } : {}),
    ...p.extensions,
  };
  for (const [h, v] of Object.entries(p.headers)) res.set(h, v);
  res.vary('Accept-Language');
  res.set('Content-Language', lang);
  res.status(p.status).type('application/problem+json').send(JSON.stringify(body));
}

/**
 * For the listener's `clientError`: what Node's HTTP parser refuses before the app sees a request (headers over the
 * limit, a request not received in time, broken framing) answered as problem+json like everything else, then closed.
 */
// No request was parsed, so no Accept-Language can be read: these few answers are English (`Content-Language: en`).
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const code = status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'validation';
  const detail =
    status === 431
      ? 'the request headers are larger than the server accepts'
      : status === 408
        ? 'the request was not received in full in time'
        : 'the request could not be parsed as HTTP';
  const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (err.code === 'ECONNRESET' || !socket.writable || started) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ type: problemType(code), title: PROBLEM_TITLES[code] ?? code, status, detail, code });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Language: en\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function buildApp(deps: ApiDeps): express.Express {
  const ctx = createContext(deps);
  if (deps.limits?.searchIndex?.warm) ctx.searchIndex.warm();
  const metrics = createHttpMetrics();
  registerSearchIndexMetrics(metrics.registry, ctx.searchIndex);
  const table = buildRouteTable(ctx, metrics);
  const oidc: OidcVerifier | undefined = createOidcVerifier({
    jwksUrl: deps.config.OIDC_JWKS_URL,
    issuer: deps.config.OIDC_ISSUER,
    audience: deps.config.OIDC_AUDIENCE,
    roleClaim: deps.config.OIDC_ROLE_CLAIM,
    insuredClaim: deps.config.OIDC_INSURED_CLAIM,
    ...(deps.oidcKeySet ? { keySet: deps.oidcKeySet } : {}),
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals['requestId'] = id;
    res.set('X-Request-Id', id);
    next();
  });
  app.use(metrics.middleware);
  app.use(
    pinoHttp({
      logger: deps.logger.child({ component: 'api' }, { redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }),
      genReqId: (_req, res) => String(res.locals['requestId']),
      autoLogging: { ignore: (req) => QUIET_PATHS.has(req.url ?? '') },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      // Only what operations need: never headers with credentials, never bodies (they carry personal data).
      serializers: {
        req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) => ({
          id: req.id,
          method: req.method,
          url: redactApologyCodeInUrl(req.url)
            .replace(/^\/codec\/ui\/[^/?#]+/, '/codec/ui/[redacted]')
            // The provider's answer carries the authorization code and the state: never in a log.
            .replace(/^(\/v1\/auth\/sso\/callback)\?.*$/, '$1?[redacted]'),
          contentType: req.headers['content-type'],
          contentLength: req.headers['content-length'],
          userAgent: req.headers['user-agent'],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (_req, res) => {
        const p = (res as Response).locals ? principalOf(res as Response) : undefined;
        return p ? { principal: p.name, role: p.role } : {};
      },
    }),
  );
  app.use(helmet());
  // The web pages (static, public; they call the API below with the user's key), ahead of rate limiting and auth.
  app.use(pagesRouter());

  const json = express.json({ limit: deps.config.BODY_LIMIT, type: ['application/json', 'application/*+json'] });
  const streamed = streamedRoutes(table);
  app.use((req, res, next) => {
    // The webhook route keeps its raw bytes for the signature check; it parses them itself. Streamed uploads (a
    // document may well be JSON) reach their handler unread.
    if (req.path.startsWith('/v1/webhooks/') || streamed(req.method, req.path)) return next();
    // The codec endpoints answer a bad body at once; the API's routes only after authentication and routing (a
    // request without a key is a 401, an undeclared method a 405, whatever its body): see route-kit's runner.
    if (req.path.startsWith('/codec')) return json(req, res, next);
    json(req, res, (err?: unknown) => {
      if (err) res.locals['bodyError'] = err;
      next();
    });
  });

  const identify: RequestHandler = async (req, res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!m) {
      res.locals['authFailure'] = 'unauthenticated.scheme';
      return next();
    }
    const token = m[1]!;
    try {
      const principal =
        oidc && looksLikeJwt(token)
          ? await oidc(token)
          : (ctx.sso.authenticate(token) ?? deps.principals.authenticate(token));
      if (principal) res.locals['principal'] = principal;
      else res.locals['authFailure'] = 'unauthenticated.credentials';
      next();
    } catch (err) {
      next(err);
    }
  };
  app.use(identify);

  const unlimited = new Set(table.filter((r) => r.unlimited).map((r) => r.path));
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: deps.config.RATE_LIMIT_PER_MINUTE,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      skip: (req) => unlimited.has(req.path),
      keyGenerator: (req, res) => {
        const p = principalOf(res);
        if (p) return `principal:${p.via}:${p.name}`;
        const vendor = /^\/v1\/webhooks\/vendors\/([^/]+)/.exec(req.path);
        if (vendor) return `vendor:${vendor[1]}`;
        return `ip:${ipKeyGenerator(req.ip ?? '0.0.0.0')}`;
      },
      handler: (req, res, _next, options) => {
        sendProblem(
          req,
          res,
          new HttpProblem(429, 'rate_limited', { key: 'rate_limited.limit', params: { limit: String(options.limit) } }),
        );
      },
    }),
  );

  if (deps.payloadCodec && deps.uiCodec && deps.uiCodec.token.length >= 32) {
    // The embedded Temporal UI passes no credential: its codec endpoint carries one in the path (see ApiDeps.uiCodec).
    const expected = createHash('sha256').update(deps.uiCodec.token).digest();
    const uiRouter = createCodecRouter({
      codec: deps.payloadCodec,
      authorize: () => true,
      allowedOrigins: deps.uiCodec.origins,
      requireOrigin: true,
      describeProblem: codecProblemWords,
    });
    app.use('/codec/ui/:token', (req: Request, res: Response, next: NextFunction) => {
      const given = createHash('sha256').update(String(req.params['token'] ?? '')).digest();
      if (!timingSafeEqual(given, expected)) return sendProblem(req, res, new HttpProblem(404, 'not_found', { key: 'not_found.any' }));
      uiRouter(req, res, next);
    });
  }

  if (deps.payloadCodec) {
    // The Temporal UI decrypts case payloads here for the insurer's own people; insureds and ops see none of it.
    app.use(
      '/codec',
      createCodecRouter({
        codec: deps.payloadCodec,
        authorize: (_req) => {
          const p = _req.res ? principalOf(_req.res) : undefined;
          return p !== undefined && ['handler', 'supervisor', 'admin'].includes(p.role);
        },
        allowedOrigins: deps.codecOrigins ?? [],
        describeProblem: codecProblemWords,
      }),
    );
  }

  const router = express.Router();
  mountRoutes(router, table);
  app.use(router);

  const methodsFor = allowedMethods(table);
  app.use((req: Request, res: Response) => {
    const allowed = methodsFor(req.path);
    if (allowed.length > 0) {
      sendProblem(
        req,
        res,
        new HttpProblem(405, 'method_not_allowed', { key: 'method_not_allowed.use', params: { method: req.method, allowed: allowed.join(', ') } }, undefined, {}, {
          Allow: allowed.join(', '),
        }),
      );
      return;
    }
    sendProblem(req, res, new HttpProblem(404, 'not_found', { key: 'not_found.route', params: { method: req.method, path: req.path } }));
  });

  const onError: ErrorRequestHandler = (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const problem = toProblem(err);
    if (problem.status >= 500) {
      // pino-http logs the response with this error attached.
      (res as Response & { err?: Error }).err = err instanceof Error ? err : new Error(String(err));
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    sendProblem(req, res, problem);
  };
  app.use(onError);
  return app;
}
