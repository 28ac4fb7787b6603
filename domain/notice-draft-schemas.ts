/**
 * The notice draft's edit and its approved version (domain/notice-draft.ts) as zod schemas, kept apart from the
 * notice's rules so that those stay free of zod (see domain/rules.ts).
 */
import { z } from 'zod';
import { plainTextSchema } from './filings-schemas.js';
import { NOTICE_LIMITS, NOTICE_PARTS, type NoticePart } from './notice-draft.js';

export const NoticePartTextSchema = plainTextSchema(NOTICE_LIMITS.maxPartChars);

const SubjectTextSchema = NoticePartTextSchema.refine((t) => [...t].length <= NOTICE_LIMITS.maxSubjectChars && !/[\r\n\t]/.test(t), {
  message: `one line of at most ${NOTICE_LIMITS.maxSubjectChars} characters`,
});

/** Body of `PATCH /v1/cases/{caseId}/notice-draft?lang=`: part texts, or null to let a part follow the case again. */
export const NoticeDraftEditBodySchema = z
  .object({
    parts: z
      .object({
        subject: SubjectTextSchema.nullable().optional(),
        ...Object.fromEntries(NOTICE_PARTS.filter((p) => p !== 'subject').map((p) => [p, NoticePartTextSchema.nullable().optional()])),
      } as Record<NoticePart, z.ZodOptional<z.ZodNullable<typeof NoticePartTextSchema>>>)
      .strict()
      .refine((r) => Object.values(r).some((v) => v !== undefined), { message: 'at least one part' }),
  })
  .strict();
export type NoticeDraftEditBody = z.infer<typeof NoticeDraftEditBodySchema>;

/** An approved version (`ApprovedNotice`) as it is read back from the blob store. */
export const ApprovedNoticeSchema = z
  .object({
    caseId: z.string().min(1).max(100),
    language: z.enum(['ja', 'en']),
    version: z.number().int().positive(),
    draft: z.object({
      language: z.enum(['ja', 'en']),
      parts: z.object(
        Object.fromEntries(NOTICE_PARTS.map((p) => [p, z.object({ label: z.string(), value: z.string(), source: z.enum(['case', 'edited']) })])) as Record<
          NoticePart,
          z.ZodObject<{ label: z.ZodString; value: z.ZodString; source: z.ZodEnum<{ case: 'case'; edited: 'edited' }> }>
        >,
      ),
    }),
  })
  .strict();
