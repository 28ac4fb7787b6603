import type { IRoute, NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app, so several apps in one process (tests) never clash over metric names. */
export interface HttpMetrics {
  registry: Registry;
  middleware: (req: Request, res: Response, next: NextFunction) => void;
}

export function createHttpMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'breach_claims_api_' });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    middleware(req, res, next) {
      const start = process.hrtime.bigint();
      res.on('finish', () => {
        // Templates, never raw paths: case ids in labels would grow the series without bound.
        // Express types `req.route` as `any`: it is the route the request matched, if one did.
        const matched = req.route as IRoute | undefined;
        // The embedded UI's codec path carries its credential: never in a label.
        const base = req.baseUrl.replace(/^\/codec\/ui\/[^/]+/, '/codec/ui/:token');
        const route = matched?.path ? `${base}${matched.path}` : 'unmatched';
        const labels = { method: req.method, route, status: String(res.statusCode) };
        requests.inc(labels);
        latency.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
      });
      next();
    },
  };
}

/** The search index's size and state (api/search-index.ts), read when `/metrics` is scraped. */
export function registerSearchIndexMetrics(registry: Registry, index: { size: number; usable: boolean }): void {
  new Gauge({
    name: 'breach_claims_search_index_cases',
    help: 'Cases the search index of GET /v1/cases?q= holds',
    registers: [registry],
    collect() {
      this.set(index.size);
    },
  });
  new Gauge({
    name: 'breach_claims_search_index_usable',
    help: '1 when searches are answered from the index, 0 while it is first built (searches scan memos meanwhile)',
    registers: [registry],
    collect() {
      this.set(index.usable ? 1 : 0);
    },
  });
}
