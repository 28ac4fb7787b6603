/**
 * The case view a new case has once its first workflow task has run, computed here from the same pure domain rules
 * the workflow's triage applies (domain/: severity, exposure, reserve, coverage, obligations), so `POST /v1/cases`
 * can answer as soon as Temporal has accepted the start instead of waiting for a worker to pick the case up. Waiting
 * tied the intake rate to the worker's backlog (bench/api.ts measured 0.08 of raw starts under load).
 *
 * Only the ordinary path is computed: a report whose coverage the rules deny at intake goes through the workflow's
 * denial (letters, status), and the API then waits for the real view. `test/api/first-view.test.ts` holds this
 * function to the view the workflow itself answers, field by field, for a spread of reports.
 */
import {
  WRONGFUL_PURPOSE_CAUSES,
  assessCoverage,
  computeExposure,
  computeObligations,
  computeReserve,
  computeSeverity,
  mergeObligations,
  type Cause,
  type DataItem,
} from '../domain/index.js';
import type { CaseInput, CaseView, ObligationView } from '../workflows/contract.js';
import { newCaseView } from '../workflows/case-view.js';

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
  const r = input.report;
  const policy = input.policy;
  const dataItems = [...r.dataItems] as DataItem[];
  const cause = r.cause as Cause;
  const severity = computeSeverity({ affectedPersons: r.affectedPersons, dataItems, cause, encrypted: r.encrypted });
  const exposure = computeExposure({ dataItems, persons: r.affectedPersons, socialResponsibility: policy.socialResponsibility });
  const reserve = computeReserve({ policy, affectedPersons: r.affectedPersons, exposure, severity: severity.severity });
  const coverage = assessCoverage(policy, {
    discoveredAt: r.discoveredAt,
    occurredAt: r.occurredAt ?? null,
    circumstances: r.circumstances,
  });
  if (coverage.decision === 'denied') return undefined;
  const obligations = mergeObligations(
    [] as never,
    computeObligations({
      awareAt: r.discoveredAt,
      dataItems,
      affectedPersons: r.affectedPersons,
      residency: r.residency ?? {},
      cause,
      encrypted: r.encrypted,
      wrongfulPurpose: WRONGFUL_PURPOSE_CAUSES.includes(cause),
      notifiableDecidedAt: input.reportedAt,
    }),
  ) as unknown as ObligationView[];
  const nextDeadline =
    obligations
      .filter((o) => o.status === 'pending')
      .map((o) => o.dueAt)
      .sort()[0] ?? null;
  return {
    ...newCaseView(input),
    status: 'response',
    severity: severity.severity,
    severityReasons: severity.reasons,
    coverage: {
      decision: coverage.decision,
      reasons: coverage.reasons,
      explanations: coverage.explanations,
      facts: Object.entries(coverage.facts).map(([k, val]) => `${k}: ${String(val)}`),
      computed: { decision: coverage.decision, reasons: coverage.reasons },
    },
    exposure: {
      perPersonJpy: exposure.perPersonJpy,
      persons: exposure.persons,
      totalJpy: exposure.totalJpy,
      factors: exposure.factors,
    },
    reserve: { totalJpy: reserve.totalJpy, byCategory: reserve.byCategory },
    obligations,
    nextDeadline,
    overdue: obligations.some((o) => o.status === 'overdue'),
  };
}
