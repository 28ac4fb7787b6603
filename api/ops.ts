import { z } from 'zod';
import type { ApiContext } from './context.js';
import { docsPage, DOCS_SCRIPT } from './docs.js';
import type { HttpMetrics } from './metrics.js';
import { servePollable } from './poll-cache.js';
import { problemResponse } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { DashboardSummarySchema, HealthSchema } from './schemas.js';
import { dashboardSummary } from './visibility.js';

export function dashboardRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/dashboard/summary',
      operationId: 'dashboardSummary',
      summary: 'Dashboard summary',
      description:
        'Counts by status and severity, deadlines due in the next 24 hours, cases with overdue obligations and with ' +
        'vendor SLA breaches, from Temporal visibility. Strong ETag: a matching If-None-Match is a 304, answered ' +
        'without a backend call while nothing changed; computed answers are reused for two seconds.',
      tags: ['dashboard'],
      auth: { roles: ['ops', 'handler', 'supervisor', 'admin'] },
      responses: {
        200: { description: 'The summary', schema: DashboardSummarySchema, name: 'DashboardSummary', headers: { ETag: 'strong' } },
        304: { description: 'Not modified' },
        401: problemResponse('No or unknown key'),
        403: problemResponse('Insureds have no dashboard'),
      },
      handle: async (req, res) => servePollable(ctx, req, res, 'dashboard', () => dashboardSummary(ctx)),
    }),
  ];
}

export function opsRoutes(ctx: ApiContext, metrics: HttpMetrics, document: () => Record<string, unknown>): RouteDef[] {
  const text = (description: string, contentType: string) => ({ description, schema: z.string(), contentType });
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'healthz',
      summary: 'Liveness',
      tags: ['operations'],
      auth: 'public',
      unlimited: true,
      responses: { 200: { description: 'The process is up', schema: HealthSchema, name: 'Health' } },
      handle: (_req, res) => {
        res.set('Cache-Control', 'no-store').json({ status: 'ok' });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      summary: 'Readiness',
      description: 'Ready when Temporal answers within 2 seconds.',
      tags: ['operations'],
      auth: 'public',
      unlimited: true,
      responses: {
        200: { description: 'Temporal reachable', schema: HealthSchema, name: 'Health' },
        503: { description: 'Temporal unreachable', schema: HealthSchema, name: 'Health', contentType: 'application/json' },
      },
      handle: async (_req, res) => {
        res.set('Cache-Control', 'no-store');
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            ctx.client.workflowService.getSystemInfo({}),
            new Promise((_r, reject) => {
              timer = setTimeout(() => reject(new Error('Temporal did not answer within 2 s')), 2000);
            }),
          ]);
          res.json({ status: 'ok' });
        } catch (err) {
          res.status(503).json({ status: 'unavailable', detail: (err as Error).message.split('\n')[0] });
        } finally {
          clearTimeout(timer);
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      description: 'Request counts and latency by route template and status, process metrics, and the in-process worker’s SDK metrics.',
      tags: ['operations'],
      auth: 'public',
      unlimited: true,
      responses: { 200: text('Prometheus text exposition', 'text/plain') },
      handle: async (_req, res) => {
        let body = await metrics.registry.metrics();
        if (ctx.deps.extraMetrics) {
          try {
            body += `\n${await ctx.deps.extraMetrics()}`;
          } catch (err) {
            ctx.log.warn({ err: (err as Error).message }, 'extra metrics unavailable');
          }
        }
        res.set('Content-Type', metrics.registry.contentType).send(body);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'OpenAPI 3.1 document',
      tags: ['operations'],
      auth: 'public',
      unlimited: true,
      responses: { 200: { description: 'This API, generated from its route table and zod schemas', schema: z.looseObject({}) } },
      handle: (_req, res) => {
        res.json(document());
      },
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      operationId: 'docs',
      summary: 'Interactive documentation',
      tags: ['operations'],
      auth: 'public',
      unlimited: true,
      responses: { 200: text('HTML page', 'text/html') },
      handle: (_req, res) => {
        res.type('html').send(docsPage(document()));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/docs/docs.js',
      operationId: 'docsScript',
      summary: 'Script of the documentation page',
      tags: ['operations'],
      auth: 'public',
      unlimited: true,
      responses: { 200: text('JavaScript', 'text/javascript') },
      handle: (_req, res) => {
        res.type('text/javascript').set('Cache-Control', 'public, max-age=300').send(DOCS_SCRIPT);
      },
    }),
  ];
}
