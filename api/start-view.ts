/**
 * The view of a case whose first workflow task has not run yet, read from its start event.
 *
 * `POST /v1/cases` starts the case with a memo of two small fields (the request's hash and the read model's stamp),
 * not with the first view: Temporal copies the memo into every visibility record it writes, and a first view of
 * several kilobytes cost intake 13 % of the raw start rate (bench/api.ts, "raw start + first-view memo"). Until the
 * case's first task has written its view, the view is what that task will produce from the case's input:
 * `firstView` (the same pure rules, held to the workflow's own answer by test/api/first-view.test.ts), computed from
 * the input of the execution's first history event. That is one history page of one event, no worker and no replay,
 * and the input never changes, so each case is read so at most once per process.
 */
import type { temporal } from '@temporalio/proto';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import type { CaseInput, CaseView, ReadModel } from '../workflows/contract.js';
import type { ApiContext } from './context.js';
import { firstView } from './first-view.js';

/** First views by workflow id (null: the rules would deny the case at intake, so it has none until its first task). */
const atStart = new Map<string, Promise<CaseView | null>>();
const KEPT = 10_000;

/**
 * The read model's view, or for a running case at version 0 whose memo holds none, the first view from its start
 * event (stamped with the model's version and time). Undefined when neither exists: a case the rules deny at intake,
 * before its first task.
 */
export async function viewOfModel(
  ctx: Pick<ApiContext, 'client' | 'deps'>,
  workflowId: string,
  model: ReadModel,
  running: boolean,
): Promise<CaseView | undefined> {
  if (model.view) return model.view;
  if (!running || model.meta.version !== 0) return undefined;
  const first = await firstViewFromStart(ctx, workflowId);
  return first ? { ...first, version: model.meta.version, updatedAt: model.meta.updatedAt } : undefined;
}

/** What intake computed for the case it just started: this process then needs no history page to read it. */
export function rememberFirstView(workflowId: string, view: CaseView | undefined): void {
  if (atStart.size >= KEPT) atStart.clear();
  atStart.set(workflowId, Promise.resolve(view ?? null));
}

function firstViewFromStart(ctx: Pick<ApiContext, 'client' | 'deps'>, workflowId: string): Promise<CaseView | null> {
  const known = atStart.get(workflowId);
  if (known) return known;
  if (atStart.size >= KEPT) atStart.clear();
  const read = readFirstView(ctx, workflowId);
  atStart.set(workflowId, read);
  // A failed read (Temporal away) is tried again by the next caller, not remembered.
  read.catch(() => atStart.delete(workflowId));
  return read;
}

async function readFirstView(ctx: Pick<ApiContext, 'client' | 'deps'>, workflowId: string): Promise<CaseView | null> {
  const { namespace } = ctx.deps.temporal;
  const page = await ctx.client.workflowService.getWorkflowExecutionHistory({
    namespace,
    execution: { workflowId },
    maximumPageSize: 1,
  });
  const started: temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes | null | undefined =
    page.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) return null;
  const input = await decodeFromPayloadsAtIndex<CaseInput>(ctx.client.options.loadedDataConverter, 0, started.input?.payloads, {
    type: 'workflow',
    namespace,
    workflowId,
  });
  return firstView(input) ?? null;
}
