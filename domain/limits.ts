/**
 * The limits of the edge and the checks that need no schema: domain/schemas.ts builds its schemas on them, and the
 * rules and the workflows read them without zod (see domain/rules.ts).
 */
import type { IncidentReport } from './schemas.js';
import { toMs } from './time.js';

/** Limits of the edge, named so the API documentation and the error texts can quote them. */
export const INPUT_LIMITS = {
  /** The largest incidents on record (Yahoo, 3 billion accounts, aside) stay below this. */
  maxAffectedPersons: 100_000_000,
  /** No single cost line above 10 billion yen: larger is a typing error, not an invoice. */
  maxCostItemJpy: 10_000_000_000,
  maxDescriptionChars: 4000,
  maxEvidenceRefChars: 500,
  maxReasonChars: 2000,
  maxCostItemsPerSubmission: 500,
  /** A note is plain text of at most this many characters (line breaks and tabs allowed, other control characters not). */
  maxNoteChars: 2000,
  /** Notes a case keeps: they live in its state and memo, which must stay far below Temporal's 2 MB payload limit. */
  maxNotesPerCase: 200,
  /** Documents a case may reference (the contents are in the blob store; the case keeps id, name, type, size, hash). */
  maxDocumentsPerCase: 200,
  maxFileNameChars: 200,
  /** Tolerated clock difference between the reporter and us before a discovery time counts as "in the future". */
  futureToleranceMs: 5 * 60_000,
} as const;

/** Limits of a prevention plan's measures (domain/prevention-plan.ts). */
export const PREVENTION_LIMITS_PLAN = {
  maxOwnerChars: 200,
  /** A due date this far in the past when set is a typing error (a measure already done is recorded as `done`). */
  pastToleranceMs: 24 * 3_600_000,
} as const;

/** What a document id looks like (`D` and 24 hex digits); an `evidenceRef` of this form must name a document of the case. */
export const DOCUMENT_ID_PATTERN = /^D[0-9a-f]{24}$/;

export interface InputIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Checks that need the current time, kept out of the schema so that the schema stays pure and replayable.
 * The caller passes "now" (the API's clock, or the workflow's deterministic time).
 */
export function checkReportAgainstNow(
  report: Pick<IncidentReport, 'discoveredAt' | 'occurredAt'>,
  nowIso: string,
): InputIssue[] {
  const limit = toMs(nowIso) + INPUT_LIMITS.futureToleranceMs;
  const issues: InputIssue[] = [];
  if (toMs(report.discoveredAt) > limit) {
    issues.push({ path: ['discoveredAt'], message: 'discoveredAt is in the future' });
  }
  if (report.occurredAt !== undefined && toMs(report.occurredAt) > limit) {
    issues.push({ path: ['occurredAt'], message: 'occurredAt is in the future' });
  }
  return issues;
}
