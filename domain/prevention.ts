/**
 * Prevention before a breach (domain.md 8b, last point): the staff-training records and the short security
 * self-assessment the insurer keeps per insured. Their answers fill the measures of a quote the request leaves open
 * (`resolveMeasures` in quote.ts).
 */
import { z } from 'zod';
import { MeasuresSchema } from './quote.js';
import { IsoDateTimeSchema } from './schemas.js';

export const PREVENTION_LIMITS = {
  maxTrainingRecords: 1_000,
  maxNameChars: 200,
  maxCourseChars: 200,
  maxNotesChars: 2_000,
  /** A course date this far in the future is a typing error. */
  futureToleranceMs: 24 * 3_600_000,
  earliestCourse: '1990-01-01T00:00:00.000Z',
} as const;

/** One line of plain text: no control characters at all. */
const Line = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'one line of text, no control characters')
    .regex(/\S/, 'must not be blank');

export const TrainingRecordBodySchema = z
  .object({
    /** Who took the course (a member of the insured's staff). Personal data: kept sealed, never logged. */
    person: Line(PREVENTION_LIMITS.maxNameChars),
    /** Which course. */
    course: Line(PREVENTION_LIMITS.maxCourseChars),
    /** When it was completed. */
    completedAt: IsoDateTimeSchema,
    provider: Line(PREVENTION_LIMITS.maxCourseChars).optional(),
  })
  .strict();
export type TrainingRecordBody = z.infer<typeof TrainingRecordBodySchema>;

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

export const SelfAssessmentBodySchema = z
  .object({
    /** Yes/no per security measure: the five a quote asks about. */
    answers: MeasuresSchema,
    notes: z
      .string()
      .max(PREVENTION_LIMITS.maxNotesChars)
      .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/, 'no control characters but line breaks and tabs')
      .optional(),
  })
  .strict();
export type SelfAssessmentBody = z.infer<typeof SelfAssessmentBodySchema>;

export interface SelfAssessment extends SelfAssessmentBody {
  answeredAt: string;
  answeredBy: string;
  /** 1 for the first answer, one more each time it is answered again. */
  version: number;
}
