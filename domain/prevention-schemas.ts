/**
 * The bodies of the prevention records (domain/prevention.ts) as zod schemas, kept apart from its rules so that those
 * stay free of zod (see domain/rules.ts).
 */
import { z } from 'zod';
import { PREVENTION_LIMITS } from './prevention.js';
import { MeasuresSchema } from './quote-schemas.js';
import { IsoDateTimeSchema } from './schemas.js';

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
