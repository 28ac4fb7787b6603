/**
 * Zod schemas for what crosses the edge: the policy, the incident report and the bodies of the case actions.
 * Objects are `.strict()` so that an unknown field is an error rather than a silent mass assignment. Date-times must
 * carry an offset and come out of parsing as canonical UTC strings.
 */
import { z } from 'zod';
import { INPUT_LIMITS, PREVENTION_LIMITS_PLAN } from './limits.js';
import { toUtcIso } from './time.js';
import {
  ANNOUNCEMENT_CHANNELS,
  COST_CATEGORIES,
  ENGAGE_ROLES,
  NOTICE_LANGUAGES,
  NOTE_VISIBILITIES,
  PREVENTION_MEASURE_STATUSES,
  type Action,
} from './vocabulary.js';
import {
  AudienceSchema,
  CauseSchema,
  CostCategorySchema,
  DataItemSchema,
  ObligationKindSchema,
  PreventionMeasureSchema,
  RegimeSchema,
  ResidencySchema,
} from './vocabulary-schemas.js';

/** An ISO-8601 date-time with `Z` or an offset, normalised to UTC. */
export const IsoDateTimeSchema = z.iso.datetime({ offset: true }).transform(toUtcIso);

const Yen = z.number().int().nonnegative();

export const CategoryTermsSchema = z
  .object({
    limitJpy: Yen,
    /** 縮小支払割合: 0.9 or 1.0 in the market; any ratio in (0, 1] is accepted. */
    payoutRatio: z.number().gt(0).lte(1),
    consentRequired: z.boolean(),
    /** Apology payments: the most paid per victim (e.g. 500 円 or 1,000 円). */
    perVictimCapJpy: Yen.optional(),
  })
  .strict();
export type CategoryTerms = z.infer<typeof CategoryTermsSchema>;

const PolicyObject = z
  .object({
    insuredId: z.string().min(1).max(100),
    insuredName: z.string().min(1).max(300),
    periodStart: IsoDateTimeSchema,
    periodEnd: IsoDateTimeSchema,
    /** Inception of the first year of continuous cover (遡及日). */
    retroactiveDate: IsoDateTimeSchema,
    /** JNSA social-responsibility degree: 2 for organisations held to a higher standard. */
    socialResponsibility: z.union([z.literal(1), z.literal(2)]),
    liability: z
      .object({ perClaimLimitJpy: Yen, periodLimitJpy: Yen, deductibleJpy: Yen })
      .strict(),
    responseCosts: z.object({ perIncidentLimitJpy: Yen, periodLimitJpy: Yen }).strict(),
    categories: z.partialRecord(CostCategorySchema, CategoryTermsSchema),
    /**
     * Terrorism (テロ行為) is excluded unless the policy extends cover to it (a テロ担保 extension). Absent means
     * false; optional in the type so that policies registered before the field existed stay valid as they are.
     */
    coversTerrorism: z.boolean().default(false).optional(),
  })
  .strict();

/**
 * For cross-field refinements: zod runs them even when a field failed its own check (an empty date string, say), so
 * they must not throw on a value that is not a date; NaN compares false and the field's own issue stands.
 */
function msOrNaN(iso: unknown): number {
  return typeof iso === 'string' ? Date.parse(iso) : NaN;
}

function refinePolicy(p: z.infer<typeof PolicyObject>, ctx: z.RefinementCtx): void {
  if (msOrNaN(p.periodStart) >= msOrNaN(p.periodEnd)) {
    ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: 'periodEnd must be after periodStart' });
  }
  if (msOrNaN(p.retroactiveDate) > msOrNaN(p.periodStart)) {
    ctx.addIssue({
      code: 'custom',
      path: ['retroactiveDate'],
      message: 'retroactiveDate must be on or before periodStart',
    });
  }
  for (const category of COST_CATEGORIES) {
    const terms = (p.categories as Partial<Record<string, { perVictimCapJpy?: number }>> | null | undefined)?.[category];
    if (category !== 'apology_payment' && terms?.perVictimCapJpy !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['categories', category, 'perVictimCapJpy'],
        message: 'perVictimCapJpy applies to apology_payment only',
      });
    }
  }
}

export const PolicySchema = PolicyObject.superRefine(refinePolicy);
export type Policy = z.infer<typeof PolicySchema>;

export const PolicyNumberSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore only');

export const PolicyRecordSchema = PolicyObject.extend({ policyNumber: PolicyNumberSchema }).superRefine(refinePolicy);
export type PolicyRecord = Policy & { policyNumber: string };

export const CircumstancesSchema = z
  .object({
    naturalCatastrophe: z.boolean().default(false),
    warOrRiot: z.boolean().default(false),
    directedByInsuredOfficers: z.boolean().default(false),
    knownBeforeInception: z.boolean().default(false),
    /** An act of terrorism (テロ行為): excluded unless the policy says `coversTerrorism`. */
    terrorism: z.boolean().default(false),
  })
  .strict();
export type Circumstances = z.infer<typeof CircumstancesSchema>;

export const ContactSchema = z
  .object({
    name: z.string().min(1).max(200),
    email: z.email(),
    phone: z.string().min(1).max(50).optional(),
    /** The language of the e-mails this contact receives (acknowledgement, denial, payout, overdue); Japanese when absent. */
    language: z.enum(NOTICE_LANGUAGES).optional(),
  })
  .strict();

const uniqueItems = (items: readonly string[]): boolean => new Set(items).size === items.length;

/** The incident report's fields, before the check across them (`IncidentReportSchema`); other bodies extend it. */
export const IncidentReportObject = z
  .object({
    policyNumber: PolicyNumberSchema,
    /** Awareness (「知った」時点): every regulatory clock starts here. */
    discoveredAt: IsoDateTimeSchema,
    /** Omitted when unknown; coverage then stays provisional. */
    occurredAt: IsoDateTimeSchema.optional(),
    cause: CauseSchema,
    description: z.string().min(1).max(INPUT_LIMITS.maxDescriptionChars),
    dataItems: z
      .array(DataItemSchema)
      .min(1)
      .refine(uniqueItems, { message: 'dataItems must not repeat an item' }),
    affectedPersons: z.number().int().min(0).max(INPUT_LIMITS.maxAffectedPersons),
    residency: ResidencySchema.default({}),
    /** True only when all leaked data was strongly encrypted (APPI: 高度な暗号化). */
    encrypted: z.boolean().default(false),
    circumstances: CircumstancesSchema.default({
      naturalCatastrophe: false,
      warOrRiot: false,
      directedByInsuredOfficers: false,
      knownBeforeInception: false,
      terrorism: false,
    }),
    contact: ContactSchema,
  })
  .strict();

export const IncidentReportSchema = IncidentReportObject.superRefine((r, ctx) => {
    if (r.occurredAt !== undefined && msOrNaN(r.occurredAt) > msOrNaN(r.discoveredAt)) {
      ctx.addIssue({
        code: 'custom',
        path: ['occurredAt'],
        message: 'occurredAt must not be after discoveredAt',
      });
    }
  });
export type IncidentReport = z.infer<typeof IncidentReportSchema>;
export type IncidentReportInput = z.input<typeof IncidentReportSchema>;

const Reason = z.string().trim().min(1).max(INPUT_LIMITS.maxReasonChars);

export const AssignBodySchema = z.object({ assignee: z.string().trim().min(1).max(200) }).strict();
export type AssignBody = z.infer<typeof AssignBodySchema>;

export const DecideCoverageBodySchema = z
  .object({ decision: z.enum(['covered', 'denied']), reason: Reason })
  .strict();
export type DecideCoverageBody = z.infer<typeof DecideCoverageBodySchema>;

export const ConsentBodySchema = z
  .object({
    category: CostCategorySchema,
    /** Caps what the insurer agreed to pay in this category for this incident. */
    limitJpy: Yen.optional(),
    vendorId: z.string().min(1).max(100).optional(),
    note: z.string().max(INPUT_LIMITS.maxReasonChars).optional(),
  })
  .strict();
export type ConsentBody = z.infer<typeof ConsentBodySchema>;

export const RecordFindingsBodySchema = z
  .object({
    affectedPersons: z.number().int().min(0).max(INPUT_LIMITS.maxAffectedPersons).optional(),
    dataItems: z
      .array(DataItemSchema)
      .min(1)
      .refine(uniqueItems, { message: 'dataItems must not repeat an item' })
      .optional(),
    occurredAt: IsoDateTimeSchema.optional(),
    cause: CauseSchema.optional(),
    residency: ResidencySchema.optional(),
    encrypted: z.boolean().optional(),
    /** Forensics may establish (or rule out) a wrongful purpose independently of the cause code. */
    wrongfulPurpose: z.boolean().optional(),
    note: z.string().max(INPUT_LIMITS.maxDescriptionChars).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== 'note'), { message: 'at least one finding is required' });
export type RecordFindingsBody = z.infer<typeof RecordFindingsBodySchema>;

export const ApproveNoticeBodySchema = z
  .object({ language: z.enum(NOTICE_LANGUAGES), templateVersion: z.string().min(1).max(100).optional() })
  .strict();
export type ApproveNoticeBody = z.infer<typeof ApproveNoticeBodySchema>;

/**
 * `approve-notice-draft`: a version of the notice in one language approved (by a handler, on counsel's behalf). The API
 * freezes that version's document in the blob store first and sets `documentKey` and `documentSha256` (a client's are
 * replaced).
 */
export const ApproveNoticeDraftBodySchema = z
  .object({
    language: z.enum(NOTICE_LANGUAGES),
    version: z.number().int().positive().max(1_000_000),
    onBehalfOf: z.string().trim().min(1).max(200).regex(/^[^\u0000-\u001f\u007f-\u009f<>]*$/, 'plain text, one line').optional(),
    documentKey: z.string().min(1).max(300).regex(/^cases\/[^\s]+\/notice\/(ja|en)-v\d+\.json\.enc$/).optional(),
    documentSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict();
export type ApproveNoticeDraftBody = z.infer<typeof ApproveNoticeDraftBodySchema>;

/** `audience` is needed only where a regime has two obligations of the same kind (e.g. EU-GDPR notices). */
const FilingTarget = {
  regime: RegimeSchema,
  kind: ObligationKindSchema,
  audience: AudienceSchema.optional(),
};
export const RecordFilingBodySchema = z.union([
  z
    .object({
      ...FilingTarget,
      filedAt: IsoDateTimeSchema,
      reference: z.string().min(1).max(500).optional(),
      /** The version of the case's filing draft that was filed (`GET .../filings/{filingId}`); the API fills in the current one. */
      filingVersion: z.number().int().positive().optional(),
      /** SHA-256 of the filed document: set by the API, which renders and keeps it; a value sent by a client is replaced. */
      documentSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    })
    .strict(),
  z.object({ ...FilingTarget, notRequired: Reason }).strict(),
]);
export type RecordFilingBody = z.infer<typeof RecordFilingBodySchema>;

export const CostItemSchema = z
  .object({
    category: CostCategorySchema,
    amountJpy: z.number().int().positive().max(INPUT_LIMITS.maxCostItemJpy),
    evidenceRef: z.string().min(1).max(INPUT_LIMITS.maxEvidenceRefChars),
    /** Apology payments: the number of persons actually paid (the per-victim cap multiplies it). */
    persons: z.number().int().min(0).max(INPUT_LIMITS.maxAffectedPersons).optional(),
    description: z.string().max(INPUT_LIMITS.maxDescriptionChars).optional(),
  })
  .strict();
export type CostItem = z.infer<typeof CostItemSchema>;

export const SubmitCostsBodySchema = z
  .object({ items: z.array(CostItemSchema).min(1).max(INPUT_LIMITS.maxCostItemsPerSubmission) })
  .strict();
export type SubmitCostsBody = z.infer<typeof SubmitCostsBodySchema>;

export const ApprovePayoutBodySchema = z
  .object({ lineIds: z.array(z.string().min(1).max(100)).min(1).optional() })
  .strict();
export type ApprovePayoutBody = z.infer<typeof ApprovePayoutBodySchema>;

/** Body of `deny`, `withdraw` and `close`. */
export const ReasonBodySchema = z.object({ reason: Reason }).strict();
export type ReasonBody = z.infer<typeof ReasonBodySchema>;

/** A vendor's finding held for confirmation (it lowers persons, moves the occurrence or lifts a duty): apply or discard. */
export const ConfirmFindingsBodySchema = z
  .object({ findingsId: z.string().min(1).max(200), decision: z.enum(['apply', 'discard']), reason: Reason })
  .strict();
export type ConfirmFindingsBody = z.infer<typeof ConfirmFindingsBodySchema>;

/** Phone and hours of an enquiry desk: one line of plain text each. */
const DeskLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f-\u009f<>]*$/, 'one line of plain text');

/** The enquiry desk persons can reach (お問い合わせ窓口): a substitute measure with the announcement. */
export const EnquiryDeskSchema = z.object({ phone: DeskLine(50), hours: DeskLine(200) }).strict();
export type EnquiryDesk = z.infer<typeof EnquiryDeskSchema>;

const OwnerSchema = z
  .string()
  .trim()
  .min(1)
  .max(PREVENTION_LIMITS_PLAN.maxOwnerChars)
  .regex(/^[^\u0000-\u001f\u007f-\u009f<>]*$/, 'one line of plain text');

/** Body of `update-prevention-measure`: a measure's status, and optionally its owner and due date. */
export const UpdatePreventionMeasureBodySchema = z
  .object({
    measure: PreventionMeasureSchema,
    status: z.enum(PREVENTION_MEASURE_STATUSES),
    owner: OwnerSchema.optional(),
    dueAt: IsoDateTimeSchema.optional(),
  })
  .strict();
export type UpdatePreventionMeasureBody = z.infer<typeof UpdatePreventionMeasureBodySchema>;

/** Body of `record-announcement`: a 公表 made (when, where, by which channel), optionally with the enquiry desk. */
export const RecordAnnouncementBodySchema = z
  .object({
    publishedAt: IsoDateTimeSchema,
    channel: z.enum(ANNOUNCEMENT_CHANNELS),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    enquiryDesk: EnquiryDeskSchema.optional(),
  })
  .strict();
export type RecordAnnouncementBody = z.infer<typeof RecordAnnouncementBodySchema>;

/** Body of `engage-vendor`: a vendor of the panel for a role (the next unused one unless named), and why. */
export const EngageVendorBodySchema = z
  .object({
    role: z.enum(ENGAGE_ROLES),
    vendorId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a vendor id of the panel').optional(),
    reason: Reason,
  })
  .strict();
export type EngageVendorBody = z.infer<typeof EngageVendorBodySchema>;

export const ACTION_SCHEMAS: Record<Action, z.ZodType> = {
  assign: AssignBodySchema,
  'decide-coverage': DecideCoverageBodySchema,
  consent: ConsentBodySchema,
  'record-findings': RecordFindingsBodySchema,
  'approve-notice': ApproveNoticeBodySchema,
  'record-filing': RecordFilingBodySchema,
  'submit-costs': SubmitCostsBodySchema,
  'approve-payout': ApprovePayoutBodySchema,
  deny: ReasonBodySchema,
  withdraw: ReasonBodySchema,
  close: ReasonBodySchema,
  'confirm-findings': ConfirmFindingsBodySchema,
  reopen: ReasonBodySchema,
  'record-announcement': RecordAnnouncementBodySchema,
  'approve-notice-draft': ApproveNoticeDraftBodySchema,
  'engage-vendor': EngageVendorBodySchema,
  'update-prevention-measure': UpdatePreventionMeasureBodySchema,
};

export interface ActionBodies {
  assign: AssignBody;
  'decide-coverage': DecideCoverageBody;
  consent: ConsentBody;
  'record-findings': RecordFindingsBody;
  'approve-notice': ApproveNoticeBody;
  'record-filing': RecordFilingBody;
  'submit-costs': SubmitCostsBody;
  'approve-payout': ApprovePayoutBody;
  deny: ReasonBody;
  withdraw: ReasonBody;
  close: ReasonBody;
  'confirm-findings': ConfirmFindingsBody;
  reopen: ReasonBody;
  'record-announcement': RecordAnnouncementBody;
  'approve-notice-draft': ApproveNoticeDraftBody;
  'engage-vendor': EngageVendorBody;
  'update-prevention-measure': UpdatePreventionMeasureBody;
}

/** Plain text: any character but the C0/C1 controls other than tab and line breaks (no NUL, no escape sequences). */
const PLAIN_TEXT = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;

/** Body of `POST /v1/cases/{caseId}/notes`. */
export const NoteBodySchema = z
  .object({
    text: z
      .string()
      .trim()
      .min(1)
      .max(INPUT_LIMITS.maxNoteChars)
      .regex(PLAIN_TEXT, 'plain text only (no control characters)'),
    visibility: z.enum(NOTE_VISIBILITIES),
  })
  .strict();
export type NoteBody = z.infer<typeof NoteBodySchema>;
