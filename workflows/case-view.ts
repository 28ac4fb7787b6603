/**
 * The view of a case that has just been reported, before triage: the one place its shape is spelled out, used by
 * the workflow's first state and by the API's first answer (api/first-view.ts). Pure: no Temporal imports.
 */
import type { CaseInput, CaseView } from './contract.js';

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
