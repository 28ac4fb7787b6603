/**
 * Reading a case. The case keeps its read model in its memo (workflows/contract/read-model.ts), so its view, its
 * timeline and its latest command outcomes are read with `describe()`: Temporal answers from the case's mutable state,
 * no worker runs, nothing replays, and the case reads the same with every worker down.
 *
 * A case from before the read model (its memo holds none until it continues as new) is read the old way: by query,
 * which replays it on a worker, or from the result of a closed case; with a short-lived memory that lets a desk of
 * pollers share those reads.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import {
  caseWorkflowId,
  readModelFromMemo,
  timelineFromReadModel,
  timelineQuery,
  viewQuery,
  type CaseResult,
  type CaseView,
  type ReadModel,
  type TimelineEntry,
} from '../workflows/contract.js';
import type { ApiContext } from './context.js';
import { shareInFlight } from './in-flight.js';
import { HttpProblem } from './problem.js';
import { boundedQuery, retryQuery } from './queries.js';
import { viewOfModel } from './start-view.js';

export function caseHandle(ctx: ApiContext, caseId: string): WorkflowHandle {
  return ctx.client.workflow.getHandle(caseWorkflowId(caseId));
}

export interface DescribedCase {
  description: WorkflowExecutionDescription;
  /** Undefined for a case from before the read model. */
  model?: ReadModel;
}

/** How long one describe may take before the caller gets a 503 (Temporal busy or away). */
const DESCRIBE_MS = 5_000;

/** How long the read of a case still waiting for its first task is shared (its pollers then describe it again). */
export const FIRST_TASK_TTL_MS = 250;

/**
 * The case's description and read model. Reads of one case in this process share one describe: those at the same
 * moment, and those within `limits.pollCacheTtlMs` (default 2 s, as for the lists and the summary) unless this process
 * changed the case since, so a command's caller reads its own write at once and a desk of pollers costs Temporal one
 * describe per case and TTL; a change by a vendor, a timer or another API instance shows within the TTL.
 */
export function describeCaseModel(ctx: ApiContext, caseId: string): Promise<DescribedCase> {
  const ttl = ctx.deps.limits?.pollCacheTtlMs ?? 2000;
  const changes = ctx.changes.ofCase(caseId);
  const { described } = ctx.caseReads;
  const hit = described.get(caseId);
  if (hit && hit.changes === changes && hit.expiresAt > Date.now()) return Promise.resolve(hit.value);
  const key = `${caseId}|${changes}`;
  return shareInFlight(ctx.caseReads.describes, key, async () => {
    let description: WorkflowExecutionDescription;
    try {
      description = await ctx.client.withDeadline(Date.now() + DESCRIBE_MS, () => caseHandle(ctx, caseId).describe());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpProblem(404, 'not_found', { key: 'not_found.case', params: { caseId } });
      throw err;
    }
    const model = readModelFromMemo(description.memo);
    // A case waiting for its first task is answered with the view intake computed, and kept for a moment only, so
    // that its pollers see what the task wrote (the vendors engaged) within FIRST_TASK_TTL_MS, not a whole TTL later.
    const written = !!model?.view;
    if (model && !model.view) {
      const view = await viewOfModel(ctx, caseWorkflowId(caseId), model, description.status.name === 'RUNNING');
      if (view) model.view = view;
    }
    const value = model ? { description, model } : { description };
    if (ttl > 0 && model?.view) {
      if (described.size > 10_000) described.clear();
      described.set(caseId, { changes, expiresAt: Date.now() + (written ? ttl : Math.min(ttl, FIRST_TASK_TTL_MS)), value });
    }
    return value;
  });
}

/**
 * The case view: from the read model, or by query for a case from before it. A case denied at intake has no view in
 * its memo until a worker has run its first task: that is waited for up to `waitMs`, then a 503 says so.
 */
export async function readView(ctx: ApiContext, caseId: string, waitMs = 0): Promise<CaseView> {
  const deadline = Date.now() + waitMs;
  let delay = 50;
  for (;;) {
    const { model } = await describeCaseModel(ctx, caseId);
    if (!model) return readCaseShared(ctx, 'view', caseId, () => queryView(ctx, caseId, waitMs));
    if (model.view) return model.view;
    if (Date.now() >= deadline) throw caseNotOpenedYet(caseId);
    await sleep(Math.min(delay, Math.max(deadline - Date.now(), 1)));
    delay = Math.min(delay * 2, 500);
  }
}

/** The timeline: from the read model, or by query for a case from before it. */
export async function readTimeline(ctx: ApiContext, caseId: string, described?: DescribedCase): Promise<TimelineEntry[]> {
  const { model } = described ?? (await describeCaseModel(ctx, caseId));
  const timeline = model && timelineFromReadModel(model);
  return timeline ?? readCaseShared(ctx, 'timeline', caseId, () => queryTimeline(ctx, caseId));
}

function caseNotOpenedYet(caseId: string): HttpProblem {
  return new HttpProblem(503, 'case_starting', { key: 'case_starting.case', params: { caseId } }, undefined, {}, { 'Retry-After': '2' });
}

/** How long a case filed a moment ago may take to answer its first query (`limits.firstViewTimeoutMs`). */
export function firstQueryWaitMs(ctx: ApiContext): number {
  return ctx.deps.limits?.firstViewTimeoutMs ?? 10_000;
}

/**
 * Queries the case view. A case started a moment ago may not have run its first workflow task yet; with
 * `retryForMs` the query is retried until it answers (a missing workflow is never retried). A closed case whose
 * query fails is read from its result (see `closedCaseResult`).
 */
export function queryView(ctx: ApiContext, caseId: string, retryForMs = 0): Promise<CaseView> {
  return queryCase(ctx, caseId, retryForMs, (handle) => sharedViewQuery(ctx, handle), (closed) => closed.view);
}

/** The case timeline by query, or from the result of a closed case whose query fails. */
export function queryTimeline(ctx: ApiContext, caseId: string, retryForMs = 10_000): Promise<TimelineEntry[]> {
  return queryCase(ctx, caseId, retryForMs, (handle) => boundedQuery(ctx, () => handle.query(timelineQuery)), (closed) => closed.timeline);
}

/** One read of a case by query, retried for `retryForMs`; a closed case whose query fails is answered from its result. */
function queryCase<T>(
  ctx: ApiContext,
  caseId: string,
  retryForMs: number,
  query: (handle: WorkflowHandle) => Promise<T>,
  fromResult: (closed: CaseResult) => T | undefined,
): Promise<T> {
  const handle = caseHandle(ctx, caseId);
  return retryQuery(retryForMs, () => query(handle), async () => {
    const closed = await closedCaseResult(ctx, caseId);
    return closed ? fromResult(closed) : undefined;
  });
}

/**
 * Concurrent reads of one case's view share one query: a query replays the case on a worker (which keeps no cache,
 * see WORKER_MAX_CACHED_WORKFLOWS), and a page of pollers must not queue that replay once each.
 */
const viewsInFlight = new Map<string, Promise<CaseView>>();

function sharedViewQuery(ctx: ApiContext, handle: WorkflowHandle): Promise<CaseView> {
  return shareInFlight(viewsInFlight, handle.workflowId, () => boundedQuery(ctx, () => handle.query(viewQuery)));
}

/**
 * The result of a completed case, which carries its final view and timeline; undefined while it runs or when it
 * cannot be read. A query of a closed case replays its whole history on a worker, and a history the SDK cannot
 * replay (sdk-rust #1146, after a worker crash) would otherwise leave a closed case unreadable for good.
 */
export async function closedCaseResult(ctx: ApiContext, caseId: string): Promise<CaseResult | undefined> {
  const handle = caseHandle(ctx, caseId);
  try {
    if ((await handle.describe()).status.name !== 'COMPLETED') return undefined;
    return (await handle.result()) as CaseResult;
  } catch {
    return undefined;
  }
}

/** Recent reads of single cases, by what was read and the case, with the case's change count when read. */
export class CaseReadCache {
  readonly entries = new Map<string, { version: number; expiresAt: number; value: unknown }>();
  readonly inFlight = new Map<string, Promise<unknown>>();
  /** Describes under way, by case and this process's change count of it. */
  readonly describes = new Map<string, Promise<DescribedCase>>();
  /** Recent describes, by case, with this process's change count of it when read. */
  readonly described = new Map<string, { changes: number; expiresAt: number; value: DescribedCase }>();
}

/**
 * A read of one case (its view, its timeline) that pollers share: answered from memory for `limits.pollCacheTtlMs`
 * (default 2 s) unless this process has changed the case since, like the lists and the summary. Every read of a
 * case is a replay on a worker (no workflow cache), and a case desk polls; a command through this process is seen
 * by the next read at once, a timer or another instance's change within the TTL.
 */
export async function readCaseShared<T>(ctx: ApiContext, what: string, caseId: string, read: () => Promise<T>): Promise<T> {
  const ttl = ctx.deps.limits?.pollCacheTtlMs ?? 2000;
  if (ttl <= 0) return read();
  const { entries, inFlight } = ctx.caseReads;
  const key = `${what}|${caseId}`;
  const version = ctx.changes.ofCase(caseId);
  const hit = entries.get(key);
  if (hit && hit.version === version && hit.expiresAt > Date.now()) return hit.value as T;
  // Keyed by version too: a read that started before a change must not answer a caller who came after it.
  return shareInFlight(inFlight as Map<string, Promise<T>>, `${key}|${version}`, async () => {
    const value = await read();
    if (entries.size > 10_000) entries.clear();
    entries.set(key, { version, expiresAt: Date.now() + ttl, value });
    return value;
  });
}
