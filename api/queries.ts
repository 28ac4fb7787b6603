/** How the API asks workflows by query: each attempt bounded in time, retried with back-off where a caller waits. */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ApiContext } from './context.js';

/**
 * How long one query attempt may take. Without a workflow cache a query that meets a workflow task in flight can wait
 * for that task's time-out before it is answered; a fresh attempt is usually answered at once, so the callers retry
 * rather than wait.
 */
const QUERY_ATTEMPT_MS = 3_000;

export function boundedQuery<T>(ctx: ApiContext, query: () => Promise<T>): Promise<T> {
  return ctx.client.withDeadline(Date.now() + QUERY_ATTEMPT_MS, query);
}

/**
 * Asks until `query` answers or `retryForMs` has passed (a missing workflow is never retried). A workflow started a
 * moment ago may not have run its first task yet. After each failure `fallback` may answer instead.
 */
export async function retryQuery<T>(
  retryForMs: number,
  query: () => Promise<T>,
  fallback: () => Promise<T | undefined> = () => Promise.resolve(undefined),
): Promise<T> {
  const deadline = Date.now() + retryForMs;
  let delay = 50;
  for (;;) {
    try {
      return await query();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw err;
      const answer = await fallback();
      if (answer !== undefined) return answer;
      if (Date.now() >= deadline) throw err;
      await sleep(delay);
      delay = Math.min(delay * 2, 500);
    }
  }
}
