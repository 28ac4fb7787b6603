/**
 * The case view's shape and how the rules fill it: the view of a case just reported, before triage, and the view
 * after a triage. Used by the workflow (every assessment) and by the API's first answer (api/first-view.ts), so the
 * two cannot drift. Pure: no Temporal imports.
 */
import { mergeObligations, type Triage } from '../domain/rules.js';
import type { CaseInput, CaseView } from './contract.js';

export { personsListSummary } from '../domain/rules.js';

export function newCaseView(input: CaseInput): CaseView {
  const r = input.report;
  return {
    caseId: input.caseId,
    status: 'reported',
    policyNumber: input.policy.policyNumber,
    insuredId: input.policy.insuredId,
    reportedAt: input.reportedAt,
    discoveredAt: r.discoveredAt,
    occurredAt: r.occurredAt ?? null,
    cause: r.cause,
    dataItems: [...r.dataItems],
    affectedPersons: r.affectedPersons,
    severity: 'low',
    severityReasons: [],
    insuredName: input.policy.insuredName,
    description: r.description,
    contact: { ...r.contact },
    coverage: { decision: 'provisional', reasons: [], explanations: [], facts: [] },
    exposure: {
      perPersonJpy: 0,
      persons: r.affectedPersons,
      totalJpy: 0,
      factors: { x: 1, y: 1, identifiability: 1, socialResponsibility: 1, responseQuality: 1 },
    },
    reserve: { totalJpy: 0, byCategory: {} },
    obligations: [],
    vendors: [],
    counselAdvice: [],
    consents: [],
    notice: { approved: false },
    affectedPersonsList: null,
    notifications: { total: 0, sent: 0, failed: 0, letters: 0, status: 'not_started' },
    settlement: { lines: [], payableJpy: 0, paidJpy: 0, heldJpy: 0 },
    payouts: [],
    assignedTo: null,
    nextDeadline: null,
    overdue: false,
  };
}

/**
 * Writes a triage into the view: severity, exposure, reserve, coverage (a handler's override stays in force) and the
 * obligations folded into those already on the case (statuses, filings and reminders kept; deadlines only move
 * earlier).
 */
export function applyTriage(v: CaseView, t: Triage): void {
  v.severity = t.severity.severity;
  v.severityReasons = t.severity.reasons;
  v.exposure = {
    perPersonJpy: t.exposure.perPersonJpy,
    persons: t.exposure.persons,
    totalJpy: t.exposure.totalJpy,
    factors: t.exposure.factors,
  };
  v.reserve = { totalJpy: t.reserve.totalJpy, byCategory: t.reserve.byCategory };
  const computed = t.coverage;
  const override = v.coverage.override;
  v.coverage = {
    decision: override ? (override.decision as 'covered' | 'denied') : computed.decision,
    reasons: computed.reasons,
    explanations: computed.explanations,
    facts: Object.entries(computed.facts).map(([k, val]) => `${k}: ${String(val)}`),
    computed: { decision: computed.decision, reasons: computed.reasons },
    grounds: computed.grounds.map((g) => ({ reason: g.reason, explanation: g.explanation, facts: [...g.facts] })),
    ...(override ? { override } : {}),
    // The due time of the decision is the report's, whatever the facts become.
    ...(v.coverage.decideBy ? { decideBy: v.coverage.decideBy } : {}),
  };
  const before = new Map(v.obligations.map((o) => [o.id, o]));
  v.obligations = mergeObligations(v.obligations, t.obligations).map((o) => {
    const prior = before.get(o.id);
    return { ...o, ...(prior?.reminded ? { reminded: true } : {}), ...(prior?.missedAt ? { missedAt: prior.missedAt } : {}) };
  });
}
