/**
 * A quote request (domain/quote.ts) as zod schemas, kept apart from the quote's rules so that those stay free of zod
 * (see domain/rules.ts).
 */
import { z } from 'zod';
import { INPUT_LIMITS } from './limits.js';
import { QUOTE_INDUSTRIES, QUOTE_LIMITS, SECURITY_MEASURES, type SecurityMeasure } from './quote.js';
import { DATA_ITEMS } from './vocabulary.js';
import { DataItemSchema } from './vocabulary-schemas.js';

const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;

export const MeasuresSchema = z
  .object(Object.fromEntries(SECURITY_MEASURES.map((m) => [m, z.boolean()])) as Record<SecurityMeasure, z.ZodBoolean>)
  .strict();
export const PartialMeasuresSchema = MeasuresSchema.partial();

export const RecordSetSchema = z
  .object({
    label: z.string().trim().min(1).max(QUOTE_LIMITS.maxLabelChars).regex(NO_CONTROL, 'no control characters').optional(),
    dataItems: z
      .array(DataItemSchema)
      .min(1)
      .max(Object.keys(DATA_ITEMS).length)
      .refine((a) => new Set(a).size === a.length, { message: 'dataItems must not repeat an item' }),
    persons: z.number().int().min(0).max(INPUT_LIMITS.maxAffectedPersons),
  })
  .strict();
export type RecordSet = z.infer<typeof RecordSetSchema>;

export const QuoteRequestSchema = z
  .object({
    industry: z.enum(QUOTE_INDUSTRIES),
    employees: z.number().int().min(1).max(QUOTE_LIMITS.maxEmployees),
    annualRevenueJpy: z.number().int().min(0).max(QUOTE_LIMITS.maxAnnualRevenueJpy),
    recordSets: z.array(RecordSetSchema).min(1).max(QUOTE_LIMITS.maxRecordSets),
    /** Any measure left out is taken from the insured's self-assessment and training records, else counted missing. */
    measures: PartialMeasuresSchema.optional(),
    /** The insurer's people may quote for an insured (its self-assessment fills the measures); an insured quotes for itself. */
    insuredId: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore only')
      .optional(),
  })
  .strict();
export type QuoteRequest = z.infer<typeof QuoteRequestSchema>;
