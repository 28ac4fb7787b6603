/**
 * An edit of a filing's items (domain/filings.ts) as zod schemas, kept apart from the filings' rules so that those
 * stay free of zod (see domain/rules.ts).
 */
import { z } from 'zod';
import { FILING_ITEM_CODES, FILING_LIMITS } from './filings.js';

const PLAIN_TEXT = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;
/** Anything that reads as a tag or an entity: refused rather than escaped, so no markup is ever kept. */
const MARKUP = /<\s*[a-zA-Z!/?]|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);/;

/** A text a person edits and the product prints (filings, the notice to persons): plain, no markup, `max` at most. */
export function plainTextSchema(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(PLAIN_TEXT, 'plain text only (no control characters)')
    .refine((t) => !MARKUP.test(t), { message: 'plain text only (no HTML tags or entities)' });
}

export const FilingItemTextSchema = plainTextSchema(FILING_LIMITS.maxItemChars);

/** Body of `PATCH /v1/cases/{caseId}/filings/{filingId}`: item texts, or null to let an item follow the case again. */
export const FilingEditBodySchema = z
  .object({
    items: z
      .partialRecord(z.enum(FILING_ITEM_CODES), FilingItemTextSchema.nullable())
      .refine((r) => Object.keys(r).length > 0, { message: 'at least one item' })
      .refine((r) => Object.keys(r).length <= FILING_LIMITS.maxItemsPerEdit, { message: `at most ${FILING_LIMITS.maxItemsPerEdit} items` }),
  })
  .strict();
export type FilingEditBody = z.infer<typeof FilingEditBodySchema>;
