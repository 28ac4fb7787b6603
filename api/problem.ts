/**
 * RFC 9457 problem details: the one error shape every endpoint answers. `type` points into the API's own docs page,
 * where each problem code is described, and `code` repeats the machine-readable code so clients need not parse URIs.
 */
import type { z } from 'zod';
import type { ResponseSpec } from './route-kit.js';
import { ProblemSchema } from './schemas.js';

export interface FieldError {
  /** JSON pointer into the part named by `in` (the body unless stated). */
  path: string;
  message: string;
  code: string;
  in?: 'body' | 'query' | 'path' | 'header';
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  code: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Problem codes this API answers, with their titles; the docs page lists them so every `type` URI resolves. */
export const PROBLEM_TITLES: Record<string, string> = {
  validation: 'Request failed validation',
  malformed_json: 'Request body is not valid JSON',
  unsupported_media_type: 'Unsupported content type',
  payload_too_large: 'Request body too large',
  unauthenticated: 'Authentication required',
  forbidden: 'Not allowed for this principal',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  headers_too_large: 'Request headers too large',
  request_timeout: 'Request timed out',
  unknown_policy: 'Unknown policy',
  unknown_assignee: 'Unknown assignee',
  idempotency_conflict: 'Idempotency key reused with another body',
  conflict: 'Conflict',
  wrong_state: 'Not possible in the current state',
  over_authority: 'Above the approver’s authority',
  consent_missing: 'Insurer consent missing',
  invalid: 'Refused by the case rules',
  nothing_to_do: 'Nothing to do',
  duplicate: 'Duplicate',
  apology_code_invalid: 'Apology code not issued for this case',
  already_redeemed: 'Apology code already redeemed',
  persons_rejected: 'No affected person could be accepted',
  signature_invalid: 'Webhook signature invalid',
  rate_limited: 'Too many requests',
  unavailable: 'Backend unavailable',
  command_pending: 'Command recorded, not yet answered',
  case_starting: 'Case filed, not yet opened by a worker',
  internal: 'Internal server error',
};

/** A problem answer in a route's documentation: the description of when it happens; the body is always a Problem. */
export function problemResponse(description: string): ResponseSpec {
  return { description, schema: ProblemSchema, name: 'Problem' };
}

export function problemType(code: string): string {
  return `/docs#problem-${code}`;
}

/** Thrown anywhere in a handler; the error middleware renders it. */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? PROBLEM_TITLES[code] ?? code);
  }
}

export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${escapePointer(typeof p === 'symbol' ? String(p) : p)}`).join('');
}

/** One field error per zod issue; unknown keys get one entry each so a client can highlight the exact field. */
export function zodFieldErrors(error: z.ZodError, where: FieldError['in'] = 'body'): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: pointer([...issue.path, key]), message: 'unknown field', code: 'unrecognized_key', in: where });
      }
      continue;
    }
    out.push({ path: pointer(issue.path), message: issue.message, code: issue.code, in: where });
  }
  return out;
}

export function validationProblem(errors: FieldError[]): HttpProblem {
  const first = errors
    .slice(0, 3)
    .map((e) => `${e.path || '(root)'}: ${e.message}`)
    .join('; ');
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
  return new HttpProblem(400, 'validation', `${first}${more}`, errors);
}
