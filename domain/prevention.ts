/**
 * Prevention before a breach (domain.md 8b, last point): the staff-training records and the short security
 * self-assessment the insurer keeps per insured. Their answers fill the measures of a quote the request leaves open
 * (`resolveMeasures` in quote.ts).
 */
import type { SelfAssessmentBody, TrainingRecordBody } from './prevention-schemas.js';

export const PREVENTION_LIMITS = {
  maxTrainingRecords: 1_000,
  maxNameChars: 200,
  maxCourseChars: 200,
  maxNotesChars: 2_000,
  /** A course date this far in the future is a typing error. */
  futureToleranceMs: 24 * 3_600_000,
  earliestCourse: '1990-01-01T00:00:00.000Z',
} as const;

export interface TrainingRecord extends TrainingRecordBody {
  recordId: string;
  recordedAt: string;
  recordedBy: string;
}

/** Why a course date is refused, or null: not before 1990, not more than a day ahead of `now`. */
export function courseDateProblem(completedAt: string, now: Date): string | null {
  const t = Date.parse(completedAt);
  if (t < Date.parse(PREVENTION_LIMITS.earliestCourse)) return 'completedAt is before 1990';
  if (t > now.getTime() + PREVENTION_LIMITS.futureToleranceMs) return 'completedAt is in the future';
  return null;
}

export interface SelfAssessment extends SelfAssessmentBody {
  answeredAt: string;
  answeredBy: string;
  /** 1 for the first answer, one more each time it is answered again. */
  version: number;
}
