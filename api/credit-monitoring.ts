/**
 * Credit-monitoring enrolments (domain.md 8b): a person enrols with the code printed in the notice, once.
 *
 * Who calls: the insurer's desk (handler, supervisor) on the person's behalf, by phone or from the monitoring vendor's
 * enrolment list, with its API key. Never the insured: the enrolment count is the evidence of the insured's own
 * `credit_monitoring` cost line. (A vendor has no API key here, it signs webhooks: enrolments from the vendor's site
 * through a signed webhook would take the same ledger and command.)
 *
 * Single use, as with apology codes (api/apology.ts): the code verifies itself (lib/enrolment-codes.ts), and a ledger
 * object per code in the blob store, created with `putIfAbsent`, decides which of any number of concurrent enrolments
 * wins. The winner sends the case a signed `record-enrolment` command naming the ledger key (the hash of the code's
 * canonical form, never the code) with a command id derived from it, so a retry that finds its own ledger entry sends
 * the same command again and the case counts it once.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { enrolmentRefusal } from '../domain/index.js';
import { ENROLMENT_CODE_MAX_INPUT, verifyEnrolmentCode, type ParsedEnrolmentCode } from '../lib/enrolment-codes.js';
import { RECORD_ENROLMENT } from '../workflows/contract.js';
import { commandCase } from './case-commands.js';
import { readView } from './case-reads.js';
import type { ApiContext } from './context.js';
import { codeSecret, readLedgerEntry } from './code-ledger.js';
import { idempotencyKey } from './idempotency.js';
import { actorOf, type Principal } from './principals.js';
import { HttpProblem, problemResponse, validationProblem } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { CaseIdSchema } from './schemas.js';
import { closedOrMissing, describeCase } from './tenancy.js';

const CodeText = z
  .string()
  .min(1)
  .max(ENROLMENT_CODE_MAX_INPUT)
  .describe('An enrolment code as printed in the notice, e.g. ZY3W-V9TS-RQ4N-ML7J-HG2E (case, spaces and hyphens are ignored)');

export const EnrolmentBodySchema = z.object({ code: CodeText }).strict();
const EnrolmentParamsSchema = z.object({ caseId: CaseIdSchema }).strict();

const Iso = z.string().describe('ISO-8601 UTC date-time');
export const EnrolmentSchema = z
  .object({
    enrolled: z.literal(true),
    enrolledAt: Iso,
    /** Enrolments the case counts after this one. */
    enrolments: z.number().int(),
  })
  .strict();

const LedgerEntrySchema = z.object({
  enrolledAt: z.string(),
  by: z.string(),
  /** Hash of who enrolled with which Idempotency-Key, so that a retried request gets its own answer again. */
  request: z.string().optional(),
});
type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

function codeHash(canonicalCode: string): string {
  return createHash('sha256').update(canonicalCode).digest('hex');
}

export function enrolmentKey(caseId: string, canonicalCode: string): string {
  return `cases/${caseId}/credit-monitoring-enrolments/${codeHash(canonicalCode)}`;
}

const secretOf = codeSecret;

const readEntry = (ctx: ApiContext, key: string): Promise<LedgerEntry | undefined> => readLedgerEntry(ctx, key, LedgerEntrySchema);

function requestHash(principal: Principal, key: string): string {
  return createHash('sha256').update(`${principal.name}\u0000${key}`).digest('base64url');
}

function checkCode(ctx: ApiContext, caseId: string, code: string): ParsedEnrolmentCode {
  const check = verifyEnrolmentCode(secretOf(ctx), caseId, code);
  if (check.valid) return check;
  if (check.reason === 'malformed') {
    throw validationProblem([
      { path: '/code', message: 'not an enrolment code: 20 letters and digits, e.g. ZY3W-V9TS-RQ4N-ML7J-HG2E', code: 'invalid_format', in: 'body' },
    ]);
  }
  throw new HttpProblem(422, 'enrolment_code_invalid', { key: 'enrolment_code_invalid.case', params: { caseId } });
}

export function creditMonitoringRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/cases/:caseId/credit-monitoring/enrolments',
      operationId: 'enrolCreditMonitoring',
      summary: 'Enrol an affected person in credit monitoring',
      description:
        'Enrols the person whose notice carried this code, once: the first enrolment answers 201 and the case counts it ' +
        '(`services.creditMonitoring.enrolled`, the evidence of the `credit_monitoring` cost line); every later one 409 ' +
        '`already_enrolled` with the first enrolment’s time. A retry with the same Idempotency-Key by the same principal ' +
        'gets the first answer again. A code not shaped like one is a 400; a code this case did not issue (forged, ' +
        'mistyped, another case’s, an apology code) or from a notice that offered no monitoring a 422; a case that offers ' +
        'no credit monitoring (no financial-risk item leaked) a 409. Called by the insurer’s desk on the person’s behalf; ' +
        'not by the insured, whose claim the count evidences.',
      tags: ['credit monitoring'],
      auth: { roles: ['handler', 'supervisor'] },
      params: EnrolmentParamsSchema,
      body: { kind: 'json', schema: EnrolmentBodySchema, name: 'EnrolmentBody', example: { code: 'ZY3W-V9TS-RQ4N-ML7J-HG2E' } },
      responses: {
        200: { description: 'This request’s earlier enrolment (same Idempotency-Key)', schema: EnrolmentSchema, name: 'Enrolment' },
        201: { description: 'Enrolled now', schema: EnrolmentSchema, name: 'Enrolment' },
        400: problemResponse('Invalid body, or not shaped like an enrolment code'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not enrol persons'),
        404: problemResponse('No such case'),
        409: problemResponse('Already enrolled (`enrolledAt` says when), the case offers no credit monitoring, or the case has ended'),
        415: problemResponse('Not JSON'),
        422: problemResponse('Not a code issued for this case, or from a notice that offered no credit monitoring'),
        503: problemResponse('Recorded but not yet counted by the case (repeat with the same Idempotency-Key), no apology secret, or Temporal unreachable'),
      },
      handle: async (req, res, { params: { caseId }, body: { code }, principal }) => {
        await describeCase(ctx, principal, caseId);
        const parsed = checkCode(ctx, caseId, code);
        const service = (await readView(ctx, caseId)).services?.creditMonitoring;
        const refusal = enrolmentRefusal(service, parsed.campaignNo);
        if (refusal === 'not_offered') throw new HttpProblem(409, 'credit_monitoring_not_offered', { key: 'credit_monitoring_not_offered.case', params: { caseId } });
        if (refusal === 'campaign_not_offering') {
          throw new HttpProblem(422, 'enrolment_code_invalid', { key: 'enrolment_code_invalid.campaign', params: { caseId, campaignNo: parsed.campaignNo } });
        }
        const key = enrolmentKey(caseId, parsed.canonical);
        const idem = idempotencyKey(req);
        const entry: LedgerEntry = { enrolledAt: ctx.now().toISOString(), by: principal.name, ...(idem ? { request: requestHash(principal, idem) } : {}) };
        let status = 201;
        let enrolledAt = entry.enrolledAt;
        if (!(await ctx.deps.blobStore.putIfAbsent(key, Buffer.from(JSON.stringify(entry))))) {
          const first = await readEntry(ctx, key);
          if (!(first && entry.request !== undefined && first.request === entry.request)) {
            throw new HttpProblem(
              409,
              'already_enrolled',
              first ? { key: 'already_enrolled.at', params: { enrolledAt: first.enrolledAt } } : { key: 'already_enrolled.at', params: { enrolledAt: 'unknown' } },
              undefined,
              first ? { enrolledAt: first.enrolledAt } : {},
            );
          }
          status = 200;
          enrolledAt = first.enrolledAt;
        }
        let view;
        try {
          view = await commandCase(ctx, caseId, {
            commandId: `enrolment:${codeHash(parsed.canonical)}`,
            action: RECORD_ENROLMENT,
            request: { actor: actorOf(principal), enrolment: { ledgerKey: codeHash(parsed.canonical), campaignNo: parsed.campaignNo, enrolledAt } },
          });
        } catch (err) {
          return closedOrMissing(ctx, caseId, err, principal);
        }
        // Never the code itself. Campaign and index name no one outside the sealed list.
        ctx.log.info({ audit: 'credit_monitoring.enrolled', caseId, campaignNo: parsed.campaignNo, index: parsed.index, principal: principal.name }, 'credit-monitoring enrolment');
        ctx.changes.bump(caseId);
        res.status(status).json({ enrolled: true, enrolledAt, enrolments: view.services?.creditMonitoring?.enrolled ?? 0 });
      },
    }),
  ];
}
