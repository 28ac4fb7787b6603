/**
 * Schemas of what the API answers and of its query strings and path parameters. Request bodies come from `domain/`;
 * these exist so that `/openapi.json` documents responses from the same source as everything else.
 */
import { z } from 'zod';
import { ACTION_BLOCKS, type ActionBlock } from '../domain/case-actions.js';
import { DOCUMENT_ID_PATTERN } from '../domain/limits.js';
import { PolicyNumberSchema, PolicyRecordSchema } from '../domain/schemas.js';
import { CASE_STATUSES, PREVENTION_MEASURES, PREVENTION_MEASURE_STATUSES, SEVERITIES, type Role } from '../domain/vocabulary.js';
import { CaseStatusSchema, CostCategorySchema, SeveritySchema } from '../domain/vocabulary-schemas.js';
import { CASE_VIEW_FIELDS, INSURED_VIEW_NOTE, INSURER_ONLY_FIELDS, seesWholeView } from './view-for-role.js';
import { PERSONS_UPLOAD_ENCODINGS } from '../storage/persons.js';

export const CaseIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/, 'case ids are 3-64 letters, digits, dash or underscore');

export const InsuredIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore only');

export const PolicyParamsSchema = z.object({ policyNumber: PolicyNumberSchema }).strict();
export const CaseParamsSchema = z.object({ caseId: CaseIdSchema }).strict();
export const VendorParamsSchema = z
  .object({ vendorId: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/) })
  .strict();

const BoolString = z.enum(['true', 'false']).transform((v) => v === 'true');

export const CaseListQuerySchema = z
  .object({
    status: CaseStatusSchema.optional(),
    severity: SeveritySchema.optional(),
    insuredId: InsuredIdSchema.optional(),
    policyNumber: PolicyNumberSchema.optional(),
    /** Cases whose next deadline is before this instant. */
    dueBefore: z.iso.datetime({ offset: true }).optional(),
    overdue: BoolString.optional(),
    assignedTo: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^'"\\]+$/, 'no quotes or backslashes')
      .optional(),
    /** Text searched in the case id, the policy number, the insured's name and the description. */
    q: z.string().trim().min(1).max(100).regex(/^[^'"\\]+$/, 'no quotes or backslashes').optional(),
    pageSize: z.coerce.number().int().min(1).max(100).default(25),
    pageToken: z
      .string()
      .max(4096)
      .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'page tokens are opaque, as returned in nextPageToken')
      .optional(),
  })
  .strict();
export type CaseListQuery = z.infer<typeof CaseListQuerySchema>;

export const EmptyQuerySchema = z.object({}).strict();

/** What a work-queue item asks for (`consultation_ack`: a consultation of the 24-hour desk to acknowledge). */
export const WORK_TASKS = ['decide_coverage', 'consent', 'approve_payout', 'filing_due', 'vendor_sla_breached', 'consultation_ack'] as const;

export const WorkItemSchema = z.object({
  caseId: z.string().describe('the case; for consultation_ack the consultation'),
  consultationId: z.string().optional().describe('consultation_ack: the consultation to acknowledge'),
  task: z.enum(WORK_TASKS),
  dueAt: z.string().nullable().describe('ISO-8601 UTC; null where the task has no service level'),
  overdue: z.boolean(),
  escalated: z.boolean().optional().describe('decide_coverage, consultation_ack: the due time passed and supervisors were told'),
  detail: z.string().optional().describe('what the task is about: a cost category, regime:kind, role:vendorId, a payout id, coverage reasons'),
  amountJpy: z.number().int().optional(),
  assignedTo: z.string().nullable(),
  href: z.string(),
});
export type WorkItem = z.infer<typeof WorkItemSchema>;
export const WorkQueueSchema = z.array(WorkItemSchema);

/** `GET /v1/exports/bordereau.csv`: the month (JST), the current one when omitted. */
export const BordereauQuerySchema = z
  .object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM').optional() })
  .strict();

/** `GET /v1/exports/cases.csv`: the case list's filters. */
export const CaseExportQuerySchema = CaseListQuerySchema.omit({ pageSize: true, pageToken: true });
export type CaseExportQuery = z.infer<typeof CaseExportQuerySchema>;

export const FieldErrorSchema = z.object({
  path: z.string().describe('JSON pointer into the part named by `in`'),
  message: z.string(),
  code: z.string(),
  in: z.enum(['body', 'query', 'path', 'header']).optional(),
});

export const ProblemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    code: z.string(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .describe(
    'RFC 9457 problem details. `code` is the machine-readable reason and never changes with the language; `title` and ' +
      '`detail` are in the language the request prefers by `Accept-Language` (`ja` or `en`; English without the header ' +
      'or for any other language), named by `Content-Language`.',
  );

const Iso = z.string().describe('ISO-8601 UTC date-time');
const Yen = z.number().int();
const INSURER_ONLY = 'The insurer’s internal figure: absent when an insured reads the case (see x-fields-by-role).';

export const CaseViewSchema = z
  .looseObject({
    caseId: z.string(),
    status: CaseStatusSchema,
    policyNumber: z.string(),
    insuredId: z.string(),
    reportedAt: Iso,
    discoveredAt: Iso,
    occurredAt: Iso.nullable(),
    severity: SeveritySchema,
    insuredName: z.string().optional().describe('The policyholder’s name (absent in cases filed before it was kept).'),
    description: z.string().optional().describe('What happened, as the report tells it (absent in cases filed before it was kept).'),
    contact: z
      .object({ name: z.string(), email: z.string(), phone: z.string().optional(), language: z.enum(['ja', 'en']).optional() })
      .optional()
      .describe('The insured’s contact person for this incident, from the report (absent in cases filed before it was kept).'),
    coverage: z.looseObject({ decision: z.enum(['covered', 'provisional', 'denied']), reasons: z.array(z.string()) }),
    exposure: z
      .looseObject({
        perPersonJpy: Yen,
        persons: z.number().int(),
        totalJpy: Yen,
        factors: z.object({
          x: z.number(),
          y: z.number(),
          identifiability: z.number(),
          socialResponsibility: z.number(),
          responseQuality: z.number(),
        }),
      })
      .optional()
      .describe(INSURER_ONLY),
    reserve: z
      .looseObject({
        totalJpy: Yen,
        byCategory: z.record(z.string(), Yen),
        history: z
          .array(z.object({ at: Iso, totalJpy: Yen, byCategory: z.record(z.string(), Yen), why: z.string(), actor: z.string() }))
          .optional()
          .describe('Every change of the reserve, oldest first (cases from before it keep none).'),
      })
      .optional()
      .describe(INSURER_ONLY),
    obligations: z.array(
      z.looseObject({
        regime: z.string(),
        audience: z.string(),
        kind: z.string(),
        dueAt: Iso,
        status: z.enum(['pending', 'done', 'overdue', 'not_required']),
        triggers: z.array(z.string()),
      }),
    ),
    vendors: z.array(z.looseObject({})),
    notifications: z.looseObject({
      total: z.number().int(),
      sent: z.number().int(),
      failed: z.number().int(),
      waves: z
        .array(
          z.looseObject({
            wave: z.number().int(),
            uploadId: z.string(),
            total: z.number().int(),
            sent: z.number().int(),
            failed: z.number().int(),
            bounced: z.number().int(),
            letters: z.number().int(),
            lettersReturned: z.number().int(),
            duplicatesRemoved: z.number().int(),
            status: z.enum(['not_started', 'sending', 'done']),
          }),
        )
        .optional()
        .describe(
          'One per affected-person list (wave 1 the first; a list uploaded after notices went out is the next wave, de-duplicated against every earlier one). The counts above are their sums. Absent in cases from before waves.',
        ),
      unreachable: z
        .number()
        .int()
        .optional()
        .describe('Persons the notices did not reach (failed e-mails, bounces, returned letters), over all waves.'),
    }),
    announcements: z
      .array(z.looseObject({ publishedAt: Iso, channel: z.enum(['website', 'press', 'other']), url: z.string().optional(), recordedAt: Iso, by: z.string() }))
      .optional()
      .describe('Every 公表 (public announcement) recorded, oldest first; absent until the first.'),
    enquiryDesk: z
      .looseObject({ phone: z.string(), hours: z.string(), recordedAt: Iso, by: z.string() })
      .optional()
      .describe('The enquiry desk persons can reach, as last recorded; absent until one is.'),
    substituteMeasures: z
      .looseObject({ status: z.enum(['pending', 'done']), unreachable: z.number().int(), missing: z.array(z.enum(['announcement', 'enquiry_desk'])) })
      .optional()
      .describe('The substitute-measure obligation (代替措置): present once any person is unreachable; done when an announcement and an enquiry desk are recorded.'),
    services: z
      .looseObject({
        creditMonitoring: z
          .looseObject({ offered: z.boolean(), enrolled: z.number().int(), offeredAt: Iso.optional(), items: z.array(z.string()).optional() })
          .optional()
          .describe('Credit monitoring for the affected persons: offered when any leaked item carries the financial-risk flag; enrolments counted (the evidence of the credit_monitoring cost line).'),
        preventionPlan: z
          .array(
            z.looseObject({
              measure: z.enum(PREVENTION_MEASURES),
              owner: z.string(),
              dueAt: Iso,
              status: z.enum(PREVENTION_MEASURE_STATUSES),
              source: z.array(z.string()),
            }),
          )
          .optional()
          .describe('The recurrence-prevention plan: measures from the findings and counsel’s advice, with owners and due dates.'),
      })
      .optional()
      .describe('The insurer’s services on the case (each key optional; absent in cases from before them).'),
    settlement: z.looseObject({
      lines: z.array(
        z.looseObject({
          lineId: z.string(),
          category: z.string(),
          claimedJpy: Yen,
          payableJpy: Yen,
          status: z.string(),
          reasons: z.array(z.string()),
          steps: z.array(z.looseObject({})),
        }),
      ),
      payableJpy: Yen,
      paidJpy: Yen,
    }),
    assignedTo: z.string().nullable(),
    nextDeadline: Iso.nullable(),
  })
  .describe(`The case view. ${INSURED_VIEW_NOTE}`)
  .meta({
    'x-fields-by-role': Object.fromEntries(
      Object.entries(CASE_VIEW_FIELDS).map(([role, fields]) => [role, seesWholeView(role as Role) ? 'all' : [...fields]]),
    ),
  });

/** The case view as an insured receives it: the insurer's internal figures are never there. */
export const InsuredCaseViewSchema = z
  .looseObject({
    ...Object.fromEntries(Object.entries(CaseViewSchema.shape).filter(([k]) => !(INSURER_ONLY_FIELDS as readonly string[]).includes(k))),
    ...Object.fromEntries(INSURER_ONLY_FIELDS.map((f) => [f, z.never().optional().describe('Never sent to an insured.')])),
  })
  .describe('The case view as an insured receives it (the role matrix, x-fields-by-role on CaseView): without the insurer’s internal figures.');

export const CaseActionsSchema = z
  .object({
    caseId: z.string(),
    version: z.number().int().nullable().describe('The case view version the answer was computed from (null for a case from before the read model).'),
    role: z.string(),
    actions: z.array(
      z.object({
        action: z.string(),
        allowed: z.boolean(),
        reason: z.enum(Object.keys(ACTION_BLOCKS) as [ActionBlock, ...ActionBlock[]]).optional().describe('Why not, when not allowed.'),
        text: z.string().optional().describe('The reason in English.'),
      }),
    ),
  })
  .describe('Every case action with whether the caller may take it on this case now, and why not (role first, then the case’s state).');

export const TimelineSchema = z.array(
  z.object({ at: Iso, type: z.string(), actor: z.string(), summary: z.string() }),
);

export const CaseSummarySchema = z.object({
  caseId: z.string(),
  status: CaseStatusSchema.nullable(),
  severity: SeveritySchema.nullable(),
  insuredId: z.string().nullable(),
  policyNumber: z.string().nullable(),
  insuredName: z.string().nullable().describe('The policyholder’s name, from the case’s read model (null for a case from before it was kept).'),
  summary: z.string().nullable().describe('The start of the incident’s description, from the case’s read model (null for a case from before it was kept).'),
  reportedAt: Iso.nullable(),
  nextDeadline: Iso.nullable(),
  overdue: z.boolean(),
  overdueObligations: z.number().int(),
  vendorSlaBreaches: z.number().int(),
  assignedTo: z.string().nullable(),
  /** Temporal's own state of the case workflow: RUNNING while the case is open. */
  executionStatus: z.string(),
  href: z.string(),
});
export type CaseSummary = z.infer<typeof CaseSummarySchema>;

export const CasePageSchema = z.object({
  items: z.array(CaseSummarySchema),
  nextPageToken: z.string().nullable(),
  searchTruncated: z
    .boolean()
    .optional()
    .describe('With q: the read-model pass stopped at its bound (2,000 cases) before reading every case the filters select'),
});

const countsOf = <T extends readonly string[]>(keys: T) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<T[number], z.ZodNumber>);

export const DashboardSummarySchema = z.object({
  total: z.number().int(),
  byStatus: countsOf(CASE_STATUSES),
  bySeverity: countsOf(SEVERITIES),
  /** Open cases with a deadline between now and now + 24 hours. */
  dueNext24h: z.number().int(),
  /** Cases with at least one overdue obligation. */
  overdue: z.number().int(),
  /** Cases where a panel vendor missed its acknowledgement SLA. */
  vendorSlaBreaches: z.number().int(),
});
export type DashboardSummary = z.infer<typeof DashboardSummarySchema>;

export const PolicyResponseSchema = z.object({
  policy: PolicyRecordSchema,
  version: z.number().int(),
});

const RemainingSchema = z.object({ paidJpy: z.number().int(), remainingJpy: z.number().int() });

/** `GET /v1/policies/{policyNumber}`: the policy with the period's usage (`policyUsage` in domain/usage.ts). */
export const PolicyReadSchema = PolicyResponseSchema.extend({
  usage: z.object({
    liability: RemainingSchema,
    responseCosts: RemainingSchema,
    categories: z.partialRecord(CostCategorySchema, RemainingSchema),
  }),
});

export const PersonsUploadResultSchema = z.object({
  ref: z.object({
    uploadId: z.string(),
    total: z.number().int(),
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    withEmail: z.number().int(),
    withoutEmail: z.number().int(),
    checksum: z.string(),
    duplicatesRemoved: z
      .number()
      .int()
      .optional()
      .describe('A follow-up wave: persons left out because an earlier wave of the case already holds them (名寄せ).'),
  }),
  encoding: z
    .enum(PERSONS_UPLOAD_ENCODINGS)
    .describe(
      'The encoding the list was read in: UTF-8 (`utf-8-bom` when it starts with a byte order mark), Shift_JIS (CP932, as ' +
        'Japanese Excel saves "CSV"), or UTF-16 with a byte order mark (`utf-16le`, `utf-16be`). A file is one encoding as a whole.',
    ),
  errors: z.array(
    z.object({
      row: z.number().int().describe('spreadsheet row: the header is row 1'),
      column: z.string().optional(),
      reason: z.string(),
    }),
  ),
  errorCount: z.number().int(),
  case: CaseViewSchema.optional().describe(`The case view after the upload. ${INSURED_VIEW_NOTE}`),
});

export const WebhookAcceptedSchema = z
  .object({ accepted: z.boolean() })
  .describe(
    'The event is verified and handed to the case, which applies it after this answer. A redelivery (same eventId) ' +
      'is accepted again and ignored by the case, as is an event from a vendor not engaged on the case (noted on its timeline).',
  );

export const HealthSchema = z.object({ status: z.enum(['ok', 'unavailable']), detail: z.string().optional() });

export const DocumentParamsSchema = z.object({ caseId: CaseIdSchema, documentId: z.string().regex(DOCUMENT_ID_PATTERN) }).strict();

export const CaseNoteSchema = z.object({
  noteId: z.string(),
  at: z.string(),
  by: z.string(),
  role: z.string(),
  visibility: z.enum(['internal', 'shared']),
  text: z.string(),
});
export const CaseNotesSchema = z.object({ notes: z.array(CaseNoteSchema) });

export const DocumentRefSchema = z.object({
  documentId: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  by: z.string(),
  at: z.string(),
});
export const DocumentListSchema = z.object({ documents: z.array(DocumentRefSchema) });
