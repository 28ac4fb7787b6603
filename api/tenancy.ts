/**
 * Who may see which case: an insured sees only its own, and another insured's case answers exactly like a missing
 * one (closed or running), so case ids cannot be probed.
 */
import { WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import { SA, type CaseView } from '../workflows/contract.js';
import { caseHandle } from './case-reads.js';
import type { ApiContext } from './context.js';
import type { Principal } from './principals.js';
import { HttpProblem } from './problem.js';

export function caseNotFound(caseId: string): HttpProblem {
  return new HttpProblem(404, 'not_found', { key: 'not_found.case', params: { caseId } });
}

/** The 409 for a case that no longer runs, naming the status it ended in. */
export function caseNotRunning(caseId: string, d: WorkflowExecutionDescription): HttpProblem {
  return new HttpProblem(409, 'wrong_state', { key: 'wrong_state.case', params: { caseId, status: d.typedSearchAttributes.get(SA.status) ?? 'closed' } });
}

function isForeign(principal: Principal, insuredId: string | undefined): boolean {
  return principal.role === 'insured' && principal.insuredId !== insuredId;
}

/** Another insured's case is indistinguishable from a missing one. */
export function assertMayRead(principal: Principal, view: Pick<CaseView, 'insuredId' | 'caseId'>): void {
  if (isForeign(principal, view.insuredId)) throw caseNotFound(view.caseId);
}

/** Another insured's case, found by its description, is a missing one. */
export function assertMayReadDescribed(principal: Principal, caseId: string, d: WorkflowExecutionDescription): void {
  if (isForeign(principal, d.typedSearchAttributes.get(SA.insuredId))) throw caseNotFound(caseId);
}

/** Existence and tenancy from the workflow's description (no replay), for requests that must check before work. */
export async function describeCase(ctx: ApiContext, principal: Principal, caseId: string): Promise<WorkflowExecutionDescription> {
  let d;
  try {
    d = await caseHandle(ctx, caseId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw caseNotFound(caseId);
    throw err;
  }
  if (isForeign(principal, d.typedSearchAttributes.get(SA.insuredId))) throw caseNotFound(caseId);
  return d;
}

/**
 * A command to a case that no longer runs is a state problem, not a missing case; but only for those who may see the
 * case: to another insured a closed case is as missing as a running one (found by the access matrix).
 */
export async function closedOrMissing(ctx: ApiContext, caseId: string, err: unknown, principal: Principal): Promise<never> {
  if (err instanceof WorkflowNotFoundError) {
    try {
      const d = await caseHandle(ctx, caseId).describe();
      if (!isForeign(principal, d.typedSearchAttributes.get(SA.insuredId)) && d.status.name !== 'RUNNING') {
        throw caseNotRunning(caseId, d);
      }
    } catch (inner) {
      if (inner instanceof HttpProblem) throw inner;
    }
    throw caseNotFound(caseId);
  }
  throw err;
}
