/**
 * Triage: everything the rules make of an incident's facts in one pure call (severity, JNSA exposure, reserve,
 * coverage, regulatory obligations). The workflow runs it at intake and after every change of facts; the API runs it
 * for its first answer; both get the same result because there is one function.
 *
 * The obligations are the freshly computed list (all `pending`). Folding them into the obligations already on a case
 * (statuses, filings, "a deadline never moves later") is `mergeObligations`, the caller's step.
 */
import { assessCoverage, type CoverageAssessment } from './coverage.js';
import { computeExposure, type Exposure } from './exposure.js';
import { computeObligations, type Obligation } from './obligations.js';
import { computeReserve, type Reserve } from './reserve.js';
import type { Circumstances, IncidentReport, Policy } from './schemas.js';
import { computeSeverity, type SeverityAssessment } from './severity.js';
import { toUtcIso } from './time.js';
import { WRONGFUL_PURPOSE_CAUSES, type Cause, type DataItem, type Regime } from './vocabulary.js';
import type { Residency } from './vocabulary-schemas.js';

/** The facts triage runs on: the report as amended by findings. */
export interface TriageFacts {
  dataItems: readonly DataItem[];
  affectedPersons: number;
  cause: Cause;
  /** All leaked data strongly encrypted (APPI 高度な暗号化; GDPR Art. 34(3)(a)). */
  encrypted: boolean;
  /** Unknown until forensics dates it; coverage stays provisional meanwhile. */
  occurredAt: string | null;
  /** Awareness (「知った」時点): every regulatory clock starts here. */
  discoveredAt: string;
  /** SG-PDPA: when the breach was assessed notifiable (taken at triage: the time the case was reported). */
  notifiableDecidedAt: string;
  residency: Residency;
  /** APPI ③: from the cause (WRONGFUL_PURPOSE_CAUSES) unless findings confirmed or ruled it out. */
  wrongfulPurpose: boolean;
  circumstances: Circumstances;
  /** Persons notices already sent, per regime: clocks that run from them (US-CA AG sample copy, US-NY). */
  personsNotifiedAt?: Partial<Record<Regime, string>>;
}

export interface Triage {
  severity: SeverityAssessment;
  exposure: Exposure;
  reserve: Reserve;
  coverage: CoverageAssessment;
  /** `computeObligations`' result, not merged with what the case already holds. */
  obligations: Obligation[];
}

/** Severity, exposure, reserve, coverage and obligations for the facts under the policy. Pure. */
export function triage(policy: Policy, facts: TriageFacts): Triage {
  const severity = computeSeverity({
    affectedPersons: facts.affectedPersons,
    dataItems: facts.dataItems,
    cause: facts.cause,
    encrypted: facts.encrypted,
  });
  const exposure = computeExposure({
    dataItems: facts.dataItems,
    persons: facts.affectedPersons,
    socialResponsibility: policy.socialResponsibility,
  });
  const reserve = computeReserve({ policy, affectedPersons: facts.affectedPersons, exposure, severity: severity.severity });
  const coverage = assessCoverage(policy, {
    discoveredAt: facts.discoveredAt,
    occurredAt: facts.occurredAt,
    circumstances: facts.circumstances,
  });
  const obligations = computeObligations({
    awareAt: facts.discoveredAt,
    dataItems: facts.dataItems,
    affectedPersons: facts.affectedPersons,
    residency: facts.residency,
    cause: facts.cause,
    encrypted: facts.encrypted,
    wrongfulPurpose: facts.wrongfulPurpose,
    notifiableDecidedAt: facts.notifiableDecidedAt,
    ...(facts.personsNotifiedAt !== undefined ? { personsNotifiedAt: facts.personsNotifiedAt } : {}),
  });
  return { severity, exposure, reserve, coverage, obligations };
}

/**
 * The facts of a report as it arrives, before any finding: wrongful purpose from the cause, no residency known
 * when none was given, occurrence unknown when omitted, the notifiable decision taken when the case was reported.
 */
export function triageFactsFromReport(report: IncidentReport, reportedAt: string): TriageFacts {
  return {
    dataItems: [...report.dataItems],
    affectedPersons: report.affectedPersons,
    cause: report.cause,
    encrypted: report.encrypted,
    occurredAt: report.occurredAt ?? null,
    discoveredAt: report.discoveredAt,
    notifiableDecidedAt: toUtcIso(reportedAt),
    residency: report.residency ?? {},
    wrongfulPurpose: WRONGFUL_PURPOSE_CAUSES.includes(report.cause),
    circumstances: report.circumstances,
  };
}
