/**
 * The web pages: static HTML, CSS and plain JavaScript modules from `api/pages/`, no build step. The pages hold no
 * secrets and no data; they call the public API with the key the user pasted (kept in sessionStorage).
 *
 * Served by middleware rather than router routes on purpose: the route table is the list of API operations (and the
 * OpenAPI test checks that every Express route is in it); pages are not API operations.
 */
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';

export const PAGES_DIR = fileURLToPath(new URL('./pages/', import.meta.url));

/** Page paths and the HTML file each serves. */
const PAGES: readonly [RegExp, string][] = [
  [/^\/$/, 'index.html'],
  [/^\/ui\/?$/, 'index.html'],
  [/^\/ui\/dashboard\/?$/, 'dashboard.html'],
  [/^\/ui\/report\/?$/, 'report.html'],
  [/^\/ui\/consult\/?$/, 'consult.html'],
  [/^\/ui\/quote\/?$/, 'quote.html'],
  [/^\/ui\/cases\/[A-Za-z0-9][A-Za-z0-9_-]{2,63}\/?$/, 'case.html'],
];

export function pagesRouter(): RequestHandler {
  const assets = express.static(PAGES_DIR, {
    index: false,
    fallthrough: true,
    // Small files, changed with the code: revalidate each time (ETag/Last-Modified make that cheap).
    cacheControl: true,
    maxAge: 0,
    setHeaders: (res) => res.set('X-Content-Type-Options', 'nosniff'),
  });
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path.startsWith('/ui/assets/')) {
      const url = req.url;
      req.url = req.url.slice('/ui'.length);
      assets(req, res, (err?: unknown) => {
        req.url = url;
        next(err);
      });
      return;
    }
    const page = PAGES.find(([re]) => re.test(req.path));
    if (!page) return next();
    res.set('Cache-Control', 'no-cache');
    res.sendFile(page[1], { root: PAGES_DIR }, (err) => {
      if (err) next(err);
    });
  };
}
