/**
 * Cases as the case list returns them, with their read model: `listWorkflowExecutions` answers each execution with
 * its search attributes and its memo (decoded by the client's payload codec), so the work queue, the exports and the
 * search read every case of a page without a describe or a query per case: no worker is involved.
 *
 * A case from before the read model has no view in its memo (until it continues as new): it comes with its search
 * attributes only, and what needs the view leaves it out.
 */
import type { temporal } from '@temporalio/proto';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import type { Payload } from '@temporalio/common';
import { decodeMapFromPayloads, decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import {
  MEMO_KEYS,
  SA,
  caseIdFromWorkflowId,
  readModelFromMemo,
  type CaseView,
  type WorkMemo,
} from '../workflows/contract.js';
import type { ApiContext } from './context.js';
import { viewOfModel } from './start-view.js';

export interface CaseRecord {
  caseId: string;
  running: boolean;
  /** Temporal's execution status, as the case list names it (`RUNNING`, `COMPLETED`, ...). */
  executionStatus: string;
  /** From the search attributes (always there). */
  policyNumber: string | null;
  insuredId: string | null;
  assignedTo: string | null;
  /** From the memo: undefined for a case from before the read model, or whose memo this API cannot decode. */
  view?: CaseView;
  work: WorkMemo;
}

const EXECUTION_STATUS = ['UNSPECIFIED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'];

/** Temporal's execution status as the case list names it (`RUNNING`, `COMPLETED`, ...). */
export function executionStatusName(status: number | null | undefined): string {
  return EXECUTION_STATUS[Number(status ?? 0)] ?? 'UNSPECIFIED';
}

/**
 * The facts part of a case's read model, from the memo the list already carries (no query, no describe): one payload
 * decoded by the client's data converter (the codec decrypts it). Undefined for a case without it or one that
 * cannot be read; the list then shows the search attributes alone.
 */
export async function memoFacts(ctx: Pick<ApiContext, 'client' | 'deps'>, workflowId: string, fields: Record<string, Payload> | null | undefined): Promise<Partial<CaseView> | undefined> {
  const payload = fields?.[MEMO_KEYS.part('facts')];
  if (!payload) return undefined;
  try {
    const value = await decodeOptionalSinglePayload<Partial<CaseView>>(ctx.client.options.loadedDataConverter, payload, {
      type: 'workflow',
      namespace: ctx.deps.temporal.namespace,
      workflowId,
    });
    return value ?? undefined;
  } catch {
    return undefined;
  }
}


type RawExecution = NonNullable<temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse['executions']>[number];

/**
 * One execution of the list as a case record. The memo is decoded here, execution by execution, so that one memo
 * this API cannot decode (sealed with a key it no longer holds, a plaintext payload the codec refuses) costs that
 * case its view, not the whole export or queue.
 */
export async function caseRecord(ctx: ApiContext, e: RawExecution): Promise<CaseRecord | undefined> {
  const caseId = caseIdFromWorkflowId(e.execution?.workflowId ?? '');
  if (!caseId) return undefined;
  const sa = decodeTypedSearchAttributes(e.searchAttributes?.indexedFields);
  let memo: Record<string, unknown> | undefined;
  try {
    memo = await decodeMapFromPayloads(ctx.client.workflow.options.loadedDataConverter, e.memo?.fields);
  } catch {
    memo = undefined;
  }
  const model = readModelFromMemo(memo);
  const executionStatus = executionStatusName(e.status);
  const view = model && (await viewOfModel(ctx, e.execution!.workflowId!, model, executionStatus === 'RUNNING').catch(() => undefined));
  return {
    caseId,
    running: executionStatus === 'RUNNING',
    executionStatus,
    policyNumber: sa.get(SA.policyNumber) ?? null,
    insuredId: sa.get(SA.insuredId) ?? null,
    assignedTo: sa.get(SA.assignedTo) ?? null,
    ...(view ? { view } : {}),
    work: (memo?.[MEMO_KEYS.work] as WorkMemo | undefined) ?? {},
  };
}

/** Every execution a visibility query matches, as the server lists them, page by page (100 a page). */
export async function* listedExecutions(ctx: Pick<ApiContext, 'client' | 'deps'>, query: string): AsyncGenerator<RawExecution> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await ctx.client.workflowService.listWorkflowExecutions({
      namespace: ctx.deps.temporal.namespace,
      query,
      pageSize: 100,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    yield* page.executions ?? [];
    nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (nextPageToken);
}

/**
 * Every case the visibility query matches, page by page (100 a page), at most `maxCases` when given. The caller
 * learns from `truncated()` whether the bound cut the list short.
 */
export function listCaseRecords(ctx: ApiContext, query: string, maxCases?: number): { records: AsyncIterable<CaseRecord>; truncated: () => boolean } {
  let truncated = false;
  async function* records(): AsyncGenerator<CaseRecord> {
    let seen = 0;
    for await (const e of listedExecutions(ctx, query)) {
      if (maxCases !== undefined && seen >= maxCases) {
        truncated = true;
        return;
      }
      seen++;
      const r = await caseRecord(ctx, e);
      if (r) yield r;
    }
  }
  return { records: records(), truncated: () => truncated };
}
