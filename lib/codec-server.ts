import express, { type NextFunction, type Request, type Response } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { PayloadCodecError } from './payload-codec.js';

/**
 * The Temporal codec-server protocol (`temporal server start-dev --ui-codec-endpoint <base>/codec`): the Temporal UI
 * posts `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }` to `/decode` (to show payloads) or `/encode`
 * (to send a signal from the UI) and gets the same shape back. The browser calls it cross-origin, so CORS is
 * answered here, and it reveals decrypted personal data, so every call is authorised.
 *
 * Errors are RFC 9457 problem documents in the same shape as the rest of the API.
 */
export interface CodecRouterOptions {
  codec: PayloadCodec;
  /** Decides whether this request may see or produce payloads; `req.path` is `/encode` or `/decode`. */
  authorize: (req: Request) => Promise<boolean> | boolean;
  /** Exact origins (scheme://host:port) of Temporal UIs allowed to call from a browser. */
  allowedOrigins: string[];
  /** Largest request body; the UI sends one event's payloads at a time. Default 4 MiB. */
  bodyLimit?: string | number;
  /**
   * Only browsers on `allowedOrigins` may call: a request without an `Origin` header is refused (403). For a codec
   * path whose credential is the path itself (the embedded default's), so that nothing but the UI's page uses it.
   */
  requireOrigin?: boolean;
  /** A problem's title and detail in the request's language (the host app's words); English titles otherwise. */
  describeProblem?: (req: Request, code: string) => { title: string; detail?: string; language: string };
}

const ALLOWED_HEADERS = 'content-type,x-namespace,authorization';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const MAX_PAYLOADS = 10_000;

const TITLES: Record<string, string> = {
  validation: 'Request failed validation',
  malformed_json: 'Request body is not valid JSON',
  unsupported_media_type: 'Unsupported content type',
  payload_too_large: 'Request body too large',
  unauthenticated: 'Authentication required',
  forbidden: 'Not allowed for this principal',
};

interface FieldError {
  path: string;
  message: string;
  code: string;
}

type Describe = CodecRouterOptions['describeProblem'];

function sendProblem(res: Response, status: number, code: string, detail?: string, errors?: FieldError[], describe?: Describe): void {
  const words = describe?.(res.req, code);
  const body = {
    type: `/docs#problem-${code}`,
    title: words?.title ?? TITLES[code] ?? code,
    status,
    code,
    // The host's words replace the English detail: they are the same situation in the reader's language.
    ...(words?.detail && detail ? { detail: words.detail } : detail ? { detail } : {}),
    ...(errors ? { errors } : {}),
  };
  if (words) {
    res.vary('Accept-Language');
    res.setHeader('Content-Language', words.language);
  }
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the body strictly; base64 is validated because `Buffer.from(_, 'base64')` would silently skip junk. */
function parseBody(body: unknown): { payloads: Payload[] } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const bad = (path: string, message: string, code = 'invalid') => errors.push({ path, message, code });
  if (!isRecord(body) || !Array.isArray(body.payloads)) {
    bad('/payloads', 'expected an object with a "payloads" array', 'required');
    return { errors };
  }
  if (body.payloads.length > MAX_PAYLOADS) {
    bad('/payloads', `at most ${MAX_PAYLOADS} payloads per request`, 'too_big');
    return { errors };
  }
  const payloads: Payload[] = [];
  body.payloads.forEach((item: unknown, i) => {
    const at = `/payloads/${i}`;
    if (!isRecord(item)) return bad(at, 'expected an object');
    const metadata: Record<string, Uint8Array> = {};
    if (item.metadata !== undefined && item.metadata !== null) {
      if (!isRecord(item.metadata)) return bad(`${at}/metadata`, 'expected an object of base64 strings');
      for (const [k, v] of Object.entries(item.metadata)) {
        const p = `${at}/metadata/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (typeof v !== 'string' || !BASE64.test(v)) bad(p, 'expected a base64 string');
        else metadata[k] = Buffer.from(v, 'base64');
      }
    }
    let data: Uint8Array = new Uint8Array(0);
    if (item.data !== undefined && item.data !== null) {
      if (typeof item.data !== 'string' || !BASE64.test(item.data)) return bad(`${at}/data`, 'expected a base64 string');
      data = Buffer.from(item.data, 'base64');
    }
    payloads.push({ metadata, data });
  });
  return errors.length > 0 ? { errors } : { payloads };
}

function toWire(p: Payload): WirePayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (v) metadata[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  }
  const data = p.data ?? new Uint8Array(0);
  return { metadata, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
}

export function createCodecRouter(opts: CodecRouterOptions): express.Router {
  const { codec, authorize } = opts;
  const describe = opts.describeProblem;
  const origins = new Set(opts.allowedOrigins);
  const router = express.Router();

  // CORS first, so that even a 401 or 400 reaches the UI readable instead of as an opaque network error.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (origin === undefined && opts.requireOrigin) return sendProblem(res, 403, 'forbidden', 'origin not allowed', undefined, describe);
    if (origin === undefined) {
      // Not a browser (CLI, scripts): CORS does not apply.
      if (req.method === 'OPTIONS') return void res.sendStatus(204);
      return next();
    }
    if (!origins.has(origin)) {
      // Refused outright rather than just left without CORS headers: a page on another origin must not even get
      // the request processed (a simple POST with a text/plain body would reach us without a preflight).
      return sendProblem(res, 403, 'forbidden', 'origin not allowed', undefined, describe);
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    // The UI can be configured to send its access token; that needs credentials allowed, with an exact origin.
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      return void res.sendStatus(204);
    }
    next();
  });

  const handle = (op: 'encode' | 'decode') => async (req: Request, res: Response, next: NextFunction) => {
    try {
      let allowed: boolean;
      try {
        allowed = await authorize(req);
      } catch (err) {
        return next(err);
      }
      if (!allowed) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        return sendProblem(res, 401, 'unauthenticated', undefined, undefined, describe);
      }
      if (!req.is('application/json')) return sendProblem(res, 415, 'unsupported_media_type', 'send application/json', undefined, describe);
      // Parsed here, after authorisation, so an unauthorised caller cannot make us buffer and parse megabytes.
      await new Promise<void>((resolve, reject) => jsonBody(req, res, (err?: Error) => (err ? reject(err) : resolve())));
      const parsed = parseBody(req.body);
      if ('errors' in parsed) return sendProblem(res, 400, 'validation', undefined, parsed.errors, describe);
      let out: Payload[];
      try {
        out = op === 'encode' ? await codec.encode(parsed.payloads) : await codec.decode(parsed.payloads);
      } catch (err) {
        if (err instanceof PayloadCodecError) {
          return sendProblem(res, 400, 'validation', undefined, [{ path: '/payloads', message: err.message, code: err.code }], describe);
        }
        throw err;
      }
      // Decoded payloads carry personal data: nothing on the way may keep a copy.
      res.setHeader('Cache-Control', 'no-store');
      res.json({ payloads: out.map(toWire) });
    } catch (err) {
      next(err);
    }
  };

  const jsonBody = express.json({ limit: opts.bodyLimit ?? '4mb', type: 'application/json' });
  router.post('/encode', handle('encode'));
  router.post('/decode', handle('decode'));

  // Body-parser errors become problems here; anything else goes on to the host app's error handler, which logs it
  // and answers a 500 that reveals nothing.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed') return sendProblem(res, 400, 'malformed_json', undefined, undefined, describe);
    if (e.type === 'entity.too.large') return sendProblem(res, 413, 'payload_too_large', undefined, undefined, describe);
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      return sendProblem(res, 415, 'unsupported_media_type', undefined, undefined, describe);
    }
    if (typeof e.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendProblem(res, e.status, 'validation', undefined, undefined, describe);
    }
    next(err);
  });

  return router;
}
