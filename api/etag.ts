/** Strong ETags over the exact JSON sent, and the `If-None-Match` check that turns a repeated read into a 304. */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

export function strongEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/**
 * Whether `If-None-Match` names the ETag. `*` matches only where `wildcard` says so: the polled lists and summary
 * have always taken it, the case reads and command answers never have.
 */
export function etagMatches(header: string | undefined, etag: string, wildcard = false): boolean {
  if (!header) return false;
  if (wildcard && header.trim() === '*') return true;
  // Weak comparison (RFC 9110 13.1.2) for If-None-Match: a W/ prefix on the client's copy still matches.
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** Sends a JSON body under its ETag; a 200 whose ETag the client already holds is a 304 instead. */
export function sendTagged(req: Request, res: Response, status: number, body: string, etag: string, wildcard = false): void {
  res.set('ETag', etag);
  if (status === 200 && etagMatches(req.headers['if-none-match'], etag, wildcard)) {
    res.status(304).end();
    return;
  }
  res.status(status).type('application/json').send(body);
}

/** A JSON answer computed for this request (a case read, a command's answer) with its strong ETag. */
export function sendWithEtag(req: Request, res: Response, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.set('Cache-Control', 'private, no-cache');
  sendTagged(req, res, status, body, strongEtag(body));
}
