/**
 * The memo of a case whose first task has written its view: the start memo `POST /v1/cases` writes plus every part of
 * the first view. Benches seed cases with it on a task queue no worker polls, so the lists and the search read each
 * case as they would once a worker had run it, and no worker backlog weighs on what they measure.
 */
import { firstView } from '../../api/first-view.js';
import { startMemo, viewMemoParts, type CaseInput } from '../../workflows/contract.js';

export function memoAfterFirstTask(input: CaseInput): Record<string, unknown> {
  const view = firstView(input);
  if (!view) throw new Error(`bench: the rules would deny case ${input.caseId} at intake, so it has no first view to seed`);
  return { ...startMemo(input.requestHash, input.reportedAt), ...viewMemoParts({ ...view, version: 0, updatedAt: input.reportedAt }) };
}
