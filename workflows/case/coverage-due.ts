/**
 * The insurer's own clock on the coverage decision (a product decision, not law): due two Japanese business days
 * after the report (`coverageDecisionDueAt` in domain/), a timer for that time, and an escalation to supervisors
 * when it passes with coverage still provisional and no handler's decision. Only runs that follow
 * `rules.coverageDue` keep it: the timer and the e-mail are commands older histories do not have.
 */
import { coverageDecisionDueAt } from '../../domain/rules.js';
import { CASE_LANGUAGE } from './messages.js';
import { isTerminal, nowIso, queueEmail, record, type CaseContext } from './state.js';

/** Coverage the rules could not decide and no handler has decided yet. */
export function coverageUndecided(c: CaseContext): boolean {
  const { v } = c;
  return v.coverage.decision === 'provisional' && !v.coverage.override && !isTerminal(v.status);
}

/** The main loop's step: sets the due time once, and escalates when it has passed undecided. */
export function checkCoverageDue(c: CaseContext): void {
  if (!c.rules.coverageDue) return;
  const { v } = c;
  v.coverage.decideBy ??= coverageDecisionDueAt(v.reportedAt);
  if (c.s.coverageEscalatedAt || !coverageUndecided(c)) return;
  const now = nowIso();
  if (Date.parse(now) < Date.parse(v.coverage.decideBy)) return;
  c.s.coverageEscalatedAt = now;
  record(c, 'coverage_escalated', 'system', `coverage decision due ${v.coverage.decideBy} passed undecided: escalated to supervisors`);
  queueEmail(c, 'coverage-escalation', { kind: 'role', role: 'supervisor' }, {
    kind: 'coverage_escalation',
    language: CASE_LANGUAGE,
    recipientName: '',
    caseId: v.caseId,
    reportedAt: v.reportedAt,
    decideBy: v.coverage.decideBy,
    asOf: now,
    assignee: v.assignedTo,
    reasons: [...v.coverage.reasons],
  });
}

/** When the main loop must wake for the coverage clock (undefined: no timer). */
export function coverageWake(c: CaseContext): number | undefined {
  if (!c.rules.coverageDue || c.s.coverageEscalatedAt || !c.v.coverage.decideBy || !coverageUndecided(c)) return undefined;
  return Date.parse(c.v.coverage.decideBy);
}
