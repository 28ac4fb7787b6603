import { z } from 'zod';
import { NOTICE_LANGUAGES, VENDOR_ROLES } from '../domain/vocabulary.js';
import { CauseSchema, DataItemSchema, VendorRoleSchema } from '../domain/vocabulary-schemas.js';

/**
 * What panel vendors send back through signed webhooks, and the request shapes vendors accept. Shared by the sandbox
 * vendors (which produce them), the vendor client (which sends requests) and the API (which parses webhooks).
 *
 * Data items, causes and roles are the domain's codes, so a vendor's findings land in a case as the same vocabulary
 * the handler's `record-findings` uses.
 *
 * Webhook objects strip unknown keys instead of refusing them: a vendor adding a field must not make every delivery
 * fail and be retried for ever.
 */

export { VENDOR_ROLES, VendorRoleSchema };
export type { VendorRole } from '../domain/vocabulary.js';

const Id = z.string().min(1).max(200);
const Instant = z.iso.datetime({ offset: true });
const Count = z.number().int().nonnegative();

const Base = { eventId: Id, caseId: Id, at: Instant };

export const VendorFindingsSchema = z.object({
  affectedPersons: Count.optional(),
  dataItems: z.array(DataItemSchema).max(100).optional(),
  occurredAt: Instant.optional(),
  cause: CauseSchema.optional(),
  wrongfulPurpose: z.boolean().optional(),
  residency: z.record(z.string().min(1).max(20), Count).optional(),
  summary: z.string().max(10_000).optional(),
});
export type VendorFindings = z.infer<typeof VendorFindingsSchema>;

/** A phone line the vendor opened for the case (a call centre's enquiry desk): one line of plain text. */
const Phone = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .regex(/^[0-9+()\- ]+$/, 'a phone number');

/** `phone`: the call centre's line for this case, when it opened one (else the panel's number stands). */
export const AcknowledgedEventSchema = z.object({ type: z.literal('acknowledged'), ...Base, dispatchId: Id, phone: Phone.optional() });
export const FindingsEventSchema = z.object({
  type: z.literal('findings'),
  ...Base,
  dispatchId: Id,
  findings: VendorFindingsSchema,
});
/** Counsel's written advice on the case. */
export const AdviceEventSchema = z.object({
  type: z.literal('advice'),
  ...Base,
  dispatchId: Id,
  advice: z.string().min(1).max(20_000),
});
export const InvoiceEventSchema = z.object({
  type: z.literal('invoice'),
  ...Base,
  dispatchId: Id,
  amountJpy: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** A cost category code (`forensic_investigation`, `legal_counsel`, ...). */
  category: z.string().min(1).max(100),
  evidenceRef: z.string().min(1).max(1000),
});
export const LettersMailedEventSchema = z.object({
  type: z.literal('letters_mailed'),
  ...Base,
  batchId: Id,
  count: Count,
});

/** Letters of a batch that came back undelivered (宛所不明で返送): the persons were not reached. */
export const LettersReturnedEventSchema = z.object({
  type: z.literal('letters_returned'),
  ...Base,
  batchId: Id,
  count: Count.min(1),
});

/** Counsel approved a version of the notice to persons in one language (rule `noticeDrafts`). */
export const NoticeApprovedEventSchema = z.object({
  type: z.literal('notice_approved'),
  ...Base,
  dispatchId: Id,
  language: z.enum(NOTICE_LANGUAGES),
  version: z.number().int().positive().max(1_000_000),
});

/**
 * The call centre's enquiry volume so far (累計): the total of enquiries received for the case since it opened, so a
 * late or repeated report never lowers the count the case shows.
 */
export const EnquiriesReportedEventSchema = z.object({
  type: z.literal('enquiries_reported'),
  ...Base,
  dispatchId: Id,
  total: Count,
});

export const VendorEventSchema = z.discriminatedUnion('type', [
  AcknowledgedEventSchema,
  FindingsEventSchema,
  AdviceEventSchema,
  InvoiceEventSchema,
  LettersMailedEventSchema,
  LettersReturnedEventSchema,
  NoticeApprovedEventSchema,
  EnquiriesReportedEventSchema,
]);
export type VendorEvent = z.infer<typeof VendorEventSchema>;
export type VendorEventType = VendorEvent['type'];
export type AcknowledgedEvent = z.infer<typeof AcknowledgedEventSchema>;
export type FindingsEvent = z.infer<typeof FindingsEventSchema>;
export type AdviceEvent = z.infer<typeof AdviceEventSchema>;
export type InvoiceEvent = z.infer<typeof InvoiceEventSchema>;
export type LettersMailedEvent = z.infer<typeof LettersMailedEventSchema>;
export type LettersReturnedEvent = z.infer<typeof LettersReturnedEventSchema>;
export type NoticeApprovedEvent = z.infer<typeof NoticeApprovedEventSchema>;
export type EnquiriesReportedEvent = z.infer<typeof EnquiriesReportedEventSchema>;

// ---- Requests to vendors (what the sandbox validates and the client sends) ----

/** What a vendor is told about the incident: no personal data, only its shape. */
export const DispatchBriefSchema = z.strictObject({
  cause: CauseSchema.optional(),
  dataItems: z.array(DataItemSchema).max(100).optional(),
  affectedPersons: Count.optional(),
  /** When the insured discovered the leak, and when it began if known: a forensic firm dates it from there. */
  discoveredAt: z.iso.datetime({ offset: true }).optional(),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  /**
   * A call centre's FAQ, one per notice language, drafted from the case's facts (domain `draftFaq`): no personal data,
   * only the cause, the item codes in words, counts and the desk's number.
   */
  faq: z
    .array(
      z.strictObject({
        lang: z.enum(NOTICE_LANGUAGES),
        entries: z.array(z.strictObject({ topic: z.string().min(1).max(50), question: z.string().min(1).max(500), answer: z.string().min(1).max(4_000) })).max(20),
      }),
    )
    .max(NOTICE_LANGUAGES.length)
    .optional(),
});
export type DispatchBrief = z.infer<typeof DispatchBriefSchema>;

export const DispatchRequestSchema = z.strictObject({
  dispatchId: Id,
  caseId: Id,
  role: VendorRoleSchema,
  brief: DispatchBriefSchema,
});
export type DispatchRequest = z.infer<typeof DispatchRequestSchema>;

export const DispatchAcceptedSchema = z.object({ dispatchId: Id, accepted: z.literal(true) });
export type DispatchAccepted = z.infer<typeof DispatchAcceptedSchema>;

export const MAX_LETTERS_PER_BATCH = 10_000;

/**
 * A letter names a person only by an opaque id; the print vendor resolves it against the list it was given out of
 * band. Strict objects make a name or address in the body a 400 rather than something quietly passed along.
 */
export const LetterSchema = z.strictObject({
  personId: Id,
  language: z.enum(NOTICE_LANGUAGES),
});
export type Letter = z.infer<typeof LetterSchema>;

/**
 * The approved notice a letter prints (rule `noticeDrafts`), per language: plain text with the merge field `{{name}}`
 * where the vendor puts the person's name (from the list it was given out of band). No personal data in it.
 */
export const LetterNoticeSchema = z.strictObject({
  language: z.enum(NOTICE_LANGUAGES),
  version: z.number().int().positive(),
  subject: z.string().min(1).max(500),
  text: z.string().min(1).max(60_000),
});
export type LetterNotice = z.infer<typeof LetterNoticeSchema>;

export const LettersRequestSchema = z.strictObject({
  batchId: Id,
  caseId: Id,
  letters: z.array(LetterSchema).min(1).max(MAX_LETTERS_PER_BATCH),
  notices: z.array(LetterNoticeSchema).max(NOTICE_LANGUAGES.length).optional(),
});
export type LettersRequest = z.infer<typeof LettersRequestSchema>;

export const LettersAcceptedSchema = z.object({ batchId: Id, accepted: Count });
export type LettersAccepted = z.infer<typeof LettersAcceptedSchema>;

export const PaymentRequestSchema = z.strictObject({
  payoutId: Id,
  caseId: Id,
  amountJpy: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  payee: z.strictObject({ insuredId: Id }),
});
export type PaymentRequest = z.infer<typeof PaymentRequestSchema>;

export const PaymentSchema = z.object({
  paymentId: Id,
  payoutId: Id,
  amountJpy: z.number().int().positive(),
  status: z.literal('paid'),
  paidAt: Instant,
});
export type Payment = z.infer<typeof PaymentSchema>;
