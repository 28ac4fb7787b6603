/**
 * Filing an incident: checks the report against the clock and the policy, then starts the case workflow under an id
 * that makes a retried or racing request with the same Idempotency-Key land on the same case.
 */
import type { Request, Response } from 'express';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { checkReportAgainstNow } from '../domain/limits.js';
import type { IncidentReport } from '../domain/schemas.js';
import {
  CASE_WORKFLOW_TYPE,
  DEFAULT_CASE_SETTINGS,
  SA,
  caseWorkflowId,
  requestHashQuery,
  startMemo,
  type CaseInput,
} from '../workflows/contract.js';
import { caseIdFor, requestHash } from './case-ids.js';
import { caseHandle, describeCaseModel, firstQueryWaitMs, readView } from './case-reads.js';
import type { ApiContext } from './context.js';
import { firstView } from './first-view.js';
import { idempotencyKey } from './idempotency.js';
import { policyForIntake } from './policy-reads.js';
import { rememberFirstView } from './start-view.js';
import { actorOf, type Principal } from './principals.js';
import { HttpProblem, validationProblem } from './problem.js';
import { retryQuery } from './queries.js';
import { sendCaseView } from './view-for-role.js';

/**
 * How a case is started for something other than the insured's own report: a consultation converted by a handler
 * names the case id (one per consultation, so a retried conversion lands on the same case) and the insured whose
 * policy it must be.
 */
export interface CaseStartOptions {
  caseId: string;
  insuredId: string;
}

export async function createCase(
  ctx: ApiContext,
  req: Request,
  res: Response,
  principal: Principal,
  report: IncidentReport,
  opts?: CaseStartOptions,
): Promise<void> {
  const now = ctx.now();
  const issues = checkReportAgainstNow(report, now.toISOString());
  if (issues.length > 0) {
    throw validationProblem(
      issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message, code: 'future_date', in: 'body' as const })),
    );
  }
  const found = await policyForIntake(ctx, report.policyNumber);
  // Another insured's policy answers exactly like an unknown one, so policy numbers cannot be probed.
  const foreign = (insuredId: string) =>
    opts ? insuredId !== opts.insuredId : principal.role === 'insured' && insuredId !== principal.insuredId;
  if (!found || foreign(found.policy.insuredId)) {
    throw new HttpProblem(422, 'unknown_policy', { key: 'unknown_policy.number', params: { policyNumber: report.policyNumber } }, [
      { path: '/policyNumber', message: `policy ${report.policyNumber} is not registered`, code: 'unknown_policy', in: 'body' },
    ]);
  }
  const key = opts ? opts.caseId : idempotencyKey(req);
  const caseId = opts?.caseId ?? caseIdFor(principal.insuredId ?? `principal:${principal.name}`, key, now);
  const hash = requestHash(report);
  const reportedAt = now.toISOString();
  const input: CaseInput = {
    caseId,
    report,
    policy: found.policy,
    reportedAt,
    reportedBy: actorOf(principal),
    requestHash: hash,
    settings: ctx.deps.caseSettings ?? DEFAULT_CASE_SETTINGS,
    trust: { keys: ctx.deps.signer.trustedKeys },
    ...(ctx.deps.panel ? { panel: ctx.deps.panel() } : {}),
  };
  const location = `/v1/cases/${caseId}`;
  const firstViewMs = firstQueryWaitMs(ctx);
  // The view the workflow's intake triage produces, computed from the same domain rules, so that neither this answer
  // nor the first reads wait for a worker to pick the case up (reads find it from the start event until the first
  // task has written it: api/start-view.ts); a case denied at intake waits for the workflow's own.
  const first = firstView(input);
  try {
    await ctx.client.workflow.start(CASE_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: ctx.taskQueue,
      args: [input],
      memo: startMemo(hash, reportedAt),
      workflowIdConflictPolicy: 'FAIL',
      // Case ids are never reused, not even after the case closed.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: SA.status, value: 'reported' },
        { key: SA.insuredId, value: found.policy.insuredId },
        { key: SA.policyNumber, value: found.policy.policyNumber },
        { key: SA.reportedAt, value: new Date(reportedAt) },
        { key: SA.severity, value: 'low' },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError) || key === undefined) throw err;
    const existing = await requestHashOf(ctx, caseId, firstViewMs);
    if (existing !== hash) {
      throw new HttpProblem(409, 'idempotency_conflict', { key: 'idempotency_conflict.key' }, undefined, {
        caseId,
      });
    }
    const view = await readView(ctx, caseId, firstViewMs);
    res.location(location);
    sendCaseView(req, res, 200, view, principal);
    return;
  }
  rememberFirstView(caseWorkflowId(caseId), first);
  ctx.changes.bump(caseId);
  ctx.searchIndex.filed(
    {
      caseId,
      insuredId: found.policy.insuredId,
      policyNumber: found.policy.policyNumber,
      insuredName: found.policy.insuredName,
      description: report.description,
    },
    now.getTime(),
  );
  const view = first ? { ...first, version: 0, updatedAt: reportedAt } : await readView(ctx, caseId, firstViewMs);
  res.location(location);
  sendCaseView(req, res, 201, view, principal);
}

/** The hash of the request that filed the case: from its memo, or by query for a case from before the read model. */
async function requestHashOf(ctx: ApiContext, caseId: string, waitMs: number): Promise<string> {
  const { model } = await describeCaseModel(ctx, caseId);
  if (model?.requestHash) return model.requestHash;
  const handle = caseHandle(ctx, caseId);
  return retryQuery(waitMs, () => handle.query(requestHashQuery));
}
