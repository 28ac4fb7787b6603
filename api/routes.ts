/**
 * The route table: every operation of the API, in one list that both registers the Express routes and generates
 * `/openapi.json`. Adding an endpoint anywhere else would leave it undocumented, which the OpenAPI test catches.
 */
import type { Router } from 'express';
import { apologyRoutes } from './apology.js';
import { creditMonitoringRoutes } from './credit-monitoring.js';
import { caseRoutes } from './cases.js';
import { consultationRoutes } from './consultations.js';
import { deskRoutes } from './desk.js';
import { filingRoutes } from './filings.js';
import { noticeDraftRoutes } from './notice-draft.js';
import { serviceRoutes } from './services.js';
import { exportRoutes } from './exports.js';
import type { ApiContext } from './context.js';
import type { HttpMetrics } from './metrics.js';
import { insuredRoutes } from './insureds.js';
import { meRoutes } from './me.js';
import { dashboardRoutes, opsRoutes } from './ops.js';
import { policyRoutes } from './policies.js';
import { quoteRoutes } from './quotes.js';
import { buildOpenApi, registerRoutes, type RouteDef } from './route-kit.js';
import { InsuredCaseViewSchema, ProblemSchema } from './schemas.js';
import { webhookRoutes } from './webhooks.js';
import { workRoutes } from './work.js';

export const API_INFO = {
  title: 'breach-claims',
  version: '1.0.0',
  description:
    'Claims and incident response for Japanese personal-information leakage insurance. Authenticate with ' +
    '`Authorization: Bearer <key>`; errors are RFC 9457 problem details; amounts are integer yen; times are UTC.',
};

export function buildRouteTable(ctx: ApiContext, metrics: HttpMetrics): RouteDef[] {
  let document: Record<string, unknown> | undefined;
  const table: RouteDef[] = [];
  table.push(
    ...policyRoutes(ctx),
    ...caseRoutes(ctx),
    ...deskRoutes(ctx),
    ...consultationRoutes(ctx),
    ...filingRoutes(ctx),
    ...noticeDraftRoutes(ctx),
    ...serviceRoutes(ctx),
    ...workRoutes(ctx),
    ...exportRoutes(ctx),
    ...apologyRoutes(ctx),
    ...creditMonitoringRoutes(ctx),
    ...quoteRoutes(ctx),
    ...insuredRoutes(ctx),
    ...dashboardRoutes(ctx),
    ...meRoutes(ctx),
    ...ctx.sso.routes(),
    ...webhookRoutes(ctx),
    // Built on first request: the document describes the finished table, these routes included.
    ...opsRoutes(ctx, metrics, () => (document ??= openApiDocument(table))),
  );
  return table;
}

export function openApiDocument(table: readonly RouteDef[]): Record<string, unknown> {
  return buildOpenApi(table, API_INFO, { Problem: ProblemSchema, InsuredCaseView: InsuredCaseViewSchema });
}

export function mountRoutes(router: Router, table: readonly RouteDef[]): void {
  registerRoutes(router, table);
}
