/**
 * RFC 9457 problem details: the one error shape every endpoint answers. `type` points into the API's own docs page,
 * where each problem code is described, and `code` repeats the machine-readable code so clients need not parse URIs.
 */
import type { z } from 'zod';
import type { ResponseSpec } from './route-kit.js';
import { ProblemSchema } from './schemas.js';
import { renderDetail, type ProblemText } from './problem-text.js';

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

/** Problem codes with their English titles; the words of every problem, in Japanese and English, are in `problem-text.ts`. */
export { PROBLEM_TITLES } from './problem-text.js';

/** A problem answer in a route's documentation: the description of when it happens; the body is always a Problem. */
export function problemResponse(description: string): ResponseSpec {
  return { description, schema: ProblemSchema, name: 'Problem' };
}

export function problemType(code: string): string {
  return `/docs#problem-${code}`;
}

/**
 * Thrown anywhere in a handler; the error middleware renders it. `detail` is a template key with its parameters
 * (`problem-text.ts`), worded in the request's language when sent; `.detail` is always the English.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly detail?: string;
  readonly text?: ProblemText;
  constructor(
    readonly status: number,
    readonly code: string,
    detail?: string | ProblemText,
    readonly errors?: FieldError[],
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    const text = typeof detail === 'object' ? detail : undefined;
    const english = typeof detail === 'object' ? renderDetail(detail, 'en') : detail;
    super(english ?? code);
    this.detail = english;
    this.text = text;
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
  const paths = [...new Set(errors.map((e) => e.path || '/'))].join(', ');
  return new HttpProblem(400, 'validation', { key: 'validation.fields', params: { summary: `${first}${more}`, paths } }, errors);
}
