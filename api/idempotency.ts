/** The `Idempotency-Key` header every command accepts: a retried request with the same key is applied once. */
import type { Request } from 'express';
import { HttpProblem } from './problem.js';

export function idempotencyKey(req: Request): string | undefined {
  const v = req.headers['idempotency-key'];
  if (v === undefined) return undefined;
  const key = Array.isArray(v) ? v[0] : v;
  if (key === undefined || key.length === 0 || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new HttpProblem(400, 'validation', { key: 'validation.idempotency_key' }, [
      { path: '/Idempotency-Key', message: '1-200 visible ASCII characters', code: 'invalid_format', in: 'header' },
    ]);
  }
  return key;
}
