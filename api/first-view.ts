/**
 * The case view a new case has once its first workflow task has run, computed here by the same pure functions the
 * workflow's triage calls (`triage` in domain/, `applyTriage` in workflows/case-view.ts), so `POST /v1/cases` can
 * answer as soon as Temporal has accepted the start instead of waiting for a worker to pick the case up. Waiting
 * tied the intake rate to the worker's backlog (bench/api.ts measured 0.08 of raw starts under load).
 *
 * Only the ordinary path is computed: a report whose coverage the rules deny at intake goes through the workflow's
 * denial (letters, status), and the API then waits for the real view. `test/api/first-view.test.ts` holds this
 * function to the view the workflow itself answers, field by field, for a spread of reports.
 */
import { coverageDecisionDueAt, nextDeadline, triage, triageFactsFromReport } from '../domain/index.js';
import type { CaseInput, CaseView } from '../workflows/contract.js';
import { applyTriage, newCaseView } from '../workflows/case-view.js';

/** The view after intake triage, or undefined when the case would be denied at intake (the workflow decides that). */
export function firstView(input: CaseInput): CaseView | undefined {
  try {
    return computeFirstView(input);
  } catch {
    // Whatever the rules cannot compute here, the workflow will: the caller then waits for its view.
    return undefined;
  }
}

function computeFirstView(input: CaseInput): CaseView | undefined {
  const t = triage(input.policy, triageFactsFromReport(input.report, input.reportedAt));
  if (t.coverage.decision === 'denied') return undefined;
  const view = newCaseView(input);
  applyTriage(view, t);
  // As the case's intake sets it (rules.coverageDue): new cases follow that rule.
  view.coverage.decideBy = coverageDecisionDueAt(input.reportedAt);
  view.status = 'response';
  view.nextDeadline = nextDeadline(view.obligations);
  view.overdue = view.obligations.some((o) => o.status === 'overdue');
  return view;
}
