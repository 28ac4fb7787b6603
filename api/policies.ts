/** The policy routes: an admin registers or replaces a policy's terms; the policy's parties read them. */
import { WithStartWorkflowOperation } from '@temporalio/client';
import { PolicySchema } from '../domain/schemas.js';
import { policyUsage } from '../domain/usage.js';
import { POLICY_WORKFLOW_TYPE, policyWorkflowId } from '../workflows/contract.js';
import { putPolicyUpdate } from '../workflows/policy-ledger-contract.js';
import type { ApiContext } from './context.js';
import { mayReadPolicy, readPolicy } from './policy-reads.js';
import { HttpProblem, problemResponse } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { PolicyParamsSchema, PolicyReadSchema, PolicyResponseSchema } from './schemas.js';

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
        400: problemResponse('Invalid policy'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Not an admin'),
        415: problemResponse('Not JSON'),
      },
      handle: async (_req, res, { params: { policyNumber }, body }) => {
        const record = { ...body, policyNumber };
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
        ctx.policyCache.remember(policyNumber, { policy: result.policy, version: result.version });
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
        200: {
          description: 'The policy, its version and the period usage (paid and remaining per period limit and per covered category)',
          schema: PolicyReadSchema,
          name: 'PolicyRead',
        },
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not read policies'),
        404: problemResponse('Unknown policy, or held by another insured'),
      },
      handle: async (_req, res, { params: { policyNumber }, principal }) => {
        const found = await readPolicy(ctx, policyNumber);
        if (!found || !mayReadPolicy(principal, found.policy)) {
          throw new HttpProblem(404, 'not_found', { key: 'not_found.policy', params: { policyNumber } });
        }
        res.json({ policy: found.policy, version: found.version, usage: policyUsage(found.policy, found.usage) });
      },
    }),
  ];
}
