/**
 * Cases as the case list returns them, with their read model: `listWorkflowExecutions` answers each execution with
 * its search attributes and its memo (decoded by the client's payload codec), so the work queue, the exports and the
 * search read every case of a page without a describe or a query per case: no worker is involved.
 *
 * A case from before the read model has no view in its memo (until it continues as new): it comes with its search
 * attributes only, and what needs the view leaves it out.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import {
  MEMO_KEYS,
  SA,
  caseIdFromWorkflowId,
  readModelFromMemo,
  timelineFromReadModel,
  type CaseView,
  type SearchMemo,
  type TimelineEntry,
  type WorkMemo,
} from '../workflows/contract.js';
import type { ApiContext } from './context.js';

export interface CaseRecord {
  caseId: string;
  running: boolean;
  /** Temporal's execution status, as the case list names it (`RUNNING`, `COMPLETED`, ...). */
  executionStatus: string;
  /** From the search attributes (always there). */
  policyNumber: string | null;
  insuredId: string | null;
  assignedTo: string | null;
  /** From the memo: undefined for a case from before the read model. */
  view?: CaseView;
  work: WorkMemo;
  search?: SearchMemo;
  timeline?: () => TimelineEntry[] | undefined;
}

export function caseRecord(e: WorkflowExecutionInfo): CaseRecord | undefined {
  const caseId = caseIdFromWorkflowId(e.workflowId);
  if (!caseId) return undefined;
  const sa = e.typedSearchAttributes;
  const memo = e.memo;
  const model = readModelFromMemo(memo);
  return {
    caseId,
    running: e.status.name === 'RUNNING',
    executionStatus: e.status.name,
    policyNumber: sa.get(SA.policyNumber) ?? null,
    insuredId: sa.get(SA.insuredId) ?? null,
    assignedTo: sa.get(SA.assignedTo) ?? null,
    ...(model?.view ? { view: model.view } : {}),
    work: (memo?.[MEMO_KEYS.work] as WorkMemo | undefined) ?? {},
    ...(memo?.[MEMO_KEYS.search] ? { search: memo[MEMO_KEYS.search] as SearchMemo } : {}),
    ...(model ? { timeline: () => timelineFromReadModel(model) } : {}),
  };
}

/**
 * Every case the visibility query matches, page by page (100 a page), at most `maxCases` when given. The caller
 * learns from `truncated()` whether the bound cut the list short.
 */
export function listCaseRecords(ctx: ApiContext, query: string, maxCases?: number): { records: AsyncIterable<CaseRecord>; truncated: () => boolean } {
  let truncated = false;
  async function* records(): AsyncGenerator<CaseRecord> {
    let seen = 0;
    for await (const e of ctx.client.workflow.list({ query, pageSize: 100 })) {
      if (maxCases !== undefined && seen >= maxCases) {
        truncated = true;
        return;
      }
      seen++;
      const r = caseRecord(e);
      if (r) yield r;
    }
  }
  return { records: records(), truncated: () => truncated };
}
