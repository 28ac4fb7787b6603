/**
 * The bodies of the consultation desk's requests (domain/consultation.ts) as zod schemas, kept apart from its rules so
 * that those stay free of zod (see domain/rules.ts).
 */
import { z } from 'zod';
import { CONSULTATION_LIMITS, type ConsultationAction } from './consultation.js';
import { ContactSchema, IncidentReportObject, IsoDateTimeSchema, PolicyNumberSchema } from './schemas.js';

const PLAIN_TEXT = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;
const plain = (max: number) => z.string().trim().min(1).max(max).regex(PLAIN_TEXT, 'plain text only (no control characters)');

/** `POST /v1/consultations`. The contact is the insured's staff member to call back: personal data. */
export const ConsultationBodySchema = z
  .object({
    policyNumber: PolicyNumberSchema,
    summary: plain(CONSULTATION_LIMITS.maxSummaryChars),
    /** When the insured became aware of what it calls about (「知った」時点), if it knows. */
    awareAt: IsoDateTimeSchema.optional(),
    contact: ContactSchema,
  })
  .strict();
export type ConsultationBody = z.infer<typeof ConsultationBodySchema>;

export const AcknowledgeBodySchema = z.object({}).strict();
export const AdviseBodySchema = z.object({ text: plain(CONSULTATION_LIMITS.maxAdviceChars) }).strict();
export const CloseConsultationBodySchema = z.object({ reason: plain(CONSULTATION_LIMITS.maxReasonChars) }).strict();
/**
 * `convert`: an incident report as `POST /v1/cases` takes it, for the consultation's policy. `discoveredAt` may be left
 * out: the case is aware from the consultation's awareness time (see `conversionAwareness`).
 */
export const ConvertBodySchema = IncidentReportObject.extend({ discoveredAt: IsoDateTimeSchema.optional() });
export type ConvertBody = z.infer<typeof ConvertBodySchema>;

export const CONSULTATION_ACTION_SCHEMAS = {
  acknowledge: AcknowledgeBodySchema,
  advise: AdviseBodySchema,
  convert: ConvertBodySchema,
  close: CloseConsultationBodySchema,
} as const satisfies Record<ConsultationAction, z.ZodType>;
