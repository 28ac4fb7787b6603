import { WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client';
import { PolicySchema, type PolicyRecord } from '../domain/schemas.js';
import { POLICY_WORKFLOW_TYPE, policyWorkflowId } from '../workflows/contract.js';
import { policyQuery, putPolicyUpdate } from '../workflows/policy-ledger.js';
import { boundedQuery, shareInFlight, type ApiContext } from './context.js';
import type { Principal } from './principals.js';
import { HttpProblem } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { PolicyParamsSchema, PolicyResponseSchema, ProblemSchema } from './schemas.js';

const problem = (description: string) => ({ description, schema: ProblemSchema, name: 'Problem' });

export const POLICY_EXAMPLE = {
  insuredId: 'ins-001',
  insuredName: '株式会社サンプル',
  periodStart: '2026-04-01T00:00:00+09:00',
  periodEnd: '2027-04-01T00:00:00+09:00',
  retroactiveDate: '2024-04-01T00:00:00+09:00',
  socialResponsibility: 1,
  liability: { perClaimLimitJpy: 100000000, periodLimitJpy: 100000000, deductibleJpy: 0 },
  responseCosts: { perIncidentLimitJpy: 50000000, periodLimitJpy: 50000000 },
  categories: {
    forensic_investigation: { limitJpy: 10000000, payoutRatio: 1.0, consentRequired: false },
    apology_payment: { limitJpy: 10000000, payoutRatio: 1.0, consentRequired: true, perVictimCapJpy: 500 },
  },
};

/** The registered policy, or undefined when the number is unknown (no ledger, or a ledger never given terms). */
export async function readPolicy(ctx: ApiContext, policyNumber: string): Promise<{ policy: PolicyRecord; version: number } | undefined> {
  const handle = ctx.client.workflow.getHandle(policyWorkflowId(policyNumber));
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await boundedQuery(ctx, () => handle.query(policyQuery));
      return answer.policy ? { policy: answer.policy, version: answer.version } : undefined;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      // Each attempt is bounded (see `boundedQuery`); a few more before giving up.
      if (attempt >= 4) throw err;
    }
  }
}

/**
 * The policy for a new case. Reading it is a query to the policy's ledger workflow, which waits in the worker's queue
 * behind every other task: under load that query, not the start, set the intake rate. Intake therefore reuses a
 * policy it read in the last `limits.policyCacheTtlMs` (default 5 s); an older entry (up to 6 × that) is still used
 * while one refresh runs in the background, and concurrent misses share one read. A PUT through this process replaces
 * the entry at once; the case workflow's payouts draw against the ledger itself. Unknown numbers are never kept.
 */
export async function policyForIntake(ctx: ApiContext, policyNumber: string): Promise<{ policy: PolicyRecord; version: number } | undefined> {
  const ttl = ctx.deps.limits?.policyCacheTtlMs ?? 5000;
  if (ttl <= 0) return readPolicy(ctx, policyNumber);
  let inflight = reads.get(ctx);
  if (!inflight) reads.set(ctx, (inflight = new Map()));
  const refresh = () =>
    shareInFlight(inflight, policyNumber, async () => {
      const found = await readPolicy(ctx, policyNumber);
      if (found) {
        if (ctx.policyCache.size > 10_000) ctx.policyCache.clear();
        ctx.policyCache.set(policyNumber, { at: Date.now(), value: found });
      } else ctx.policyCache.delete(policyNumber);
      return found;
    });
  const hit = ctx.policyCache.get(policyNumber);
  const age = hit ? Date.now() - hit.at : Infinity;
  if (hit && age < ttl) return hit.value;
  if (hit && age < 6 * ttl) {
    refresh().catch((err: unknown) => ctx.log.warn({ err: (err as Error).message, policyNumber }, 'policy refresh failed'));
    return hit.value;
  }
  return refresh();
}
const reads = new WeakMap<ApiContext, Map<string, Promise<{ policy: PolicyRecord; version: number } | undefined>>>();

/** An insured sees only the policies it holds; anyone else's is "not found". */
export function mayReadPolicy(principal: Principal, policy: PolicyRecord): boolean {
  return principal.role !== 'insured' || principal.insuredId === policy.insuredId;
}

export function policyRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'put',
      path: '/v1/policies/:policyNumber',
      operationId: 'putPolicy',
      summary: 'Register or replace a policy',
      description:
        'Creates the policy ledger on first use (201) or replaces the terms (200). The period usage already drawn by ' +
        'cases stays with the ledger.',
      tags: ['policies'],
      auth: { roles: ['admin'] },
      params: PolicyParamsSchema,
      body: { kind: 'json', schema: PolicySchema, name: 'Policy', example: POLICY_EXAMPLE },
      responses: {
        200: { description: 'Replaced', schema: PolicyResponseSchema, name: 'PolicyResponse' },
        201: { description: 'Created', schema: PolicyResponseSchema, name: 'PolicyResponse', headers: { Location: 'the policy' } },
        400: problem('Invalid policy'),
        401: problem('No or unknown key'),
        403: problem('Not an admin'),
        415: problem('Not JSON'),
      },
      handle: async (_req, res, { params, body }) => {
        const { policyNumber } = params as { policyNumber: string };
        const record: PolicyRecord = { ...(body as Omit<PolicyRecord, 'policyNumber'>), policyNumber };
        const workflowId = policyWorkflowId(policyNumber);
        const result = await ctx.client.workflow.executeUpdateWithStart(putPolicyUpdate, {
          args: [record],
          startWorkflowOperation: new WithStartWorkflowOperation(POLICY_WORKFLOW_TYPE, {
            workflowId,
            taskQueue: ctx.taskQueue,
            args: [{ policyNumber }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
        ctx.policyCache.set(policyNumber, { at: Date.now(), value: { policy: result.policy, version: result.version } });
        if (result.created) res.status(201).location(`/v1/policies/${encodeURIComponent(policyNumber)}`);
        else res.status(200);
        res.json({ policy: result.policy, version: result.version });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/policies/:policyNumber',
      operationId: 'getPolicy',
      summary: 'Read a policy',
      tags: ['policies'],
      auth: { roles: ['admin', 'handler', 'supervisor', 'ops', 'insured'] },
      params: PolicyParamsSchema,
      responses: {
        200: { description: 'The policy and its version', schema: PolicyResponseSchema, name: 'PolicyResponse' },
        401: problem('No or unknown key'),
        403: problem('Role may not read policies'),
        404: problem('Unknown policy, or held by another insured'),
      },
      handle: async (_req, res, { params, principal }) => {
        const { policyNumber } = params as { policyNumber: string };
        const found = await readPolicy(ctx, policyNumber);
        if (!found || !mayReadPolicy(principal!, found.policy)) {
          throw new HttpProblem(404, 'not_found', `policy ${policyNumber} not found`);
        }
        res.json(found);
      },
    }),
  ];
}
