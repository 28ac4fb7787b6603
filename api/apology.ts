/**
 * Apology (voucher) codes at the desk that hands out the apology gift: check a code, and redeem it once.
 *
 * A code verifies itself (lib/apology-codes.ts: campaign, index and an HMAC under the worker's apology secret), so
 * neither the person list nor the case workflow is read. Single use is a redemption ledger in the blob store: one
 * object per code, created with `putIfAbsent`, whose atomic create decides which of any number of concurrent
 * redemptions (on any number of API processes sharing the store) wins. The ledger key is a hash of the code's
 * canonical form, so every spelling of one code is one entry, and the ledger holds no code a reader could reuse.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { APOLOGY_CODE_MAX_INPUT, verifyApologyCode, type ParsedApologyCode } from '../lib/apology-codes.js';
import type { ApiContext } from './context.js';
import { codeSecret, readLedgerEntry } from './code-ledger.js';
import { idempotencyKey } from './idempotency.js';
import type { Principal } from './principals.js';
import { HttpProblem, problemResponse, validationProblem } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { CaseIdSchema } from './schemas.js';
import { describeCase } from './tenancy.js';

const CodeText = z
  .string()
  .min(1)
  .max(APOLOGY_CODE_MAX_INPUT)
  .describe('An apology code as printed in the notice, e.g. ASAA-BKB9-52LT-JHA4-B5EW (case, spaces and hyphens are ignored)');

export const ApologyRedeemBodySchema = z.object({ code: CodeText }).strict();
const ApologyRedeemParamsSchema = z.object({ caseId: CaseIdSchema }).strict();
const ApologyCodeParamsSchema = z.object({ caseId: CaseIdSchema, code: CodeText }).strict();

const Iso = z.string().describe('ISO-8601 UTC date-time');
export const ApologyRedemptionSchema = z.object({ redeemed: z.literal(true), redeemedAt: Iso }).strict();
export const ApologyCodeStatusSchema = z
  .object({
    /** Issued for this case (its MAC is right); says nothing about whether the campaign has reached the person yet. */
    valid: z.boolean(),
    redeemed: z.boolean(),
    redeemedAt: Iso.optional(),
  })
  .strict();

/** What the ledger keeps per redeemed code. */
const LedgerEntrySchema = z.object({
  redeemedAt: z.string(),
  by: z.string(),
  /** Hash of who redeemed with which Idempotency-Key, so that a retried request gets its own answer again. */
  request: z.string().optional(),
});
type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

export function redemptionKey(caseId: string, canonicalCode: string): string {
  return `cases/${caseId}/apology-redemptions/${createHash('sha256').update(canonicalCode).digest('hex')}`;
}

/** For access logs: the code in `GET …/apology-codes/{code}` is a voucher, not something to keep in log files. */
export function redactApologyCodeInUrl(url: string): string {
  return url.replace(/(\/apology-codes\/)(?!redeem(?:[/?#]|$))[^/?#]+/, '$1[redacted]');
}

const secretOf = codeSecret;

const readEntry = (ctx: ApiContext, key: string): Promise<LedgerEntry | undefined> => readLedgerEntry(ctx, key, LedgerEntrySchema);

function requestHash(principal: Principal, key: string): string {
  return createHash('sha256').update(`${principal.name}\u0000${key}`).digest('base64url');
}

export function apologyRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/cases/:caseId/apology-codes/redeem',
      operationId: 'redeemApologyCode',
      summary: 'Redeem an apology code',
      description:
        'Marks a code from an affected person’s notice as used, once: the first redemption answers 200, every later ' +
        'one 409 `already_redeemed` with the first redemption’s time, however many arrive at the same moment. ' +
        'A retry with the same Idempotency-Key by the same principal gets the first answer again. A code not shaped ' +
        'like one is a 400; a code this case did not issue (forged, mistyped, another case’s) a 422.',
      tags: ['apology codes'],
      auth: { roles: ['handler', 'supervisor', 'insured'] },
      params: ApologyRedeemParamsSchema,
      body: { kind: 'json', schema: ApologyRedeemBodySchema, name: 'ApologyRedeemBody', example: { code: 'ASAA-BKB9-52LT-JHA4-B5EW' } },
      responses: {
        200: { description: 'Redeemed now (or this request’s earlier redemption)', schema: ApologyRedemptionSchema, name: 'ApologyRedemption' },
        400: problemResponse('Invalid body, or not shaped like an apology code'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not redeem'),
        404: problemResponse('No such case (or another insured’s)'),
        409: problemResponse('Already redeemed (`redeemedAt` says when)'),
        415: problemResponse('Not JSON'),
        422: problemResponse('Not a code issued for this case'),
        503: problemResponse('No apology secret configured'),
      },
      handle: async (req, res, { params: { caseId }, body: { code }, principal }) => {
        await describeCase(ctx, principal, caseId);
        const parsed = checkCode(ctx, caseId, code, 'body');
        if (!parsed) throw new HttpProblem(422, 'apology_code_invalid', { key: 'apology_code_invalid.case', params: { caseId } });
        const key = redemptionKey(caseId, parsed.canonical);
        const idem = idempotencyKey(req);
        const entry: LedgerEntry = {
          redeemedAt: ctx.now().toISOString(),
          by: principal.name,
          ...(idem ? { request: requestHash(principal, idem) } : {}),
        };
        if (await ctx.deps.blobStore.putIfAbsent(key, Buffer.from(JSON.stringify(entry)))) {
          // Never the code itself: it is a voucher. Campaign and index name no one outside the sealed list.
          ctx.log.info(
            { audit: 'apology_code.redeemed', caseId, campaignNo: parsed.campaignNo, index: parsed.index, principal: principal.name },
            'apology code redeemed',
          );
          res.status(200).json({ redeemed: true, redeemedAt: entry.redeemedAt });
          return;
        }
        const first = await readEntry(ctx, key);
        if (first && entry.request !== undefined && first.request === entry.request) {
          res.status(200).json({ redeemed: true, redeemedAt: first.redeemedAt });
          return;
        }
        throw new HttpProblem(
          409,
          'already_redeemed',
          first ? { key: 'already_redeemed.at', params: { redeemedAt: first.redeemedAt } } : { key: 'already_redeemed.once' },
          undefined,
          first ? { redeemedAt: first.redeemedAt } : {},
        );
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId/apology-codes/:code',
      operationId: 'getApologyCode',
      summary: 'Check an apology code',
      description:
        'Whether the code was issued for this case and whether it has been redeemed (and when). A code that is not ' +
        'one, or not this case’s, is `valid: false`.',
      tags: ['apology codes'],
      auth: { roles: ['handler', 'supervisor', 'ops', 'insured'] },
      params: ApologyCodeParamsSchema,
      responses: {
        200: { description: 'The code’s state', schema: ApologyCodeStatusSchema, name: 'ApologyCodeStatus' },
        400: problemResponse('Invalid path'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not check codes'),
        404: problemResponse('No such case (or another insured’s)'),
        503: problemResponse('No apology secret configured'),
      },
      handle: async (_req, res, { params: { caseId, code }, principal }) => {
        await describeCase(ctx, principal, caseId);
        const check = verifyApologyCode(secretOf(ctx), caseId, code);
        res.set('Cache-Control', 'private, no-store');
        if (!check.valid) {
          res.status(200).json({ valid: false, redeemed: false });
          return;
        }
        const first = await readEntry(ctx, redemptionKey(caseId, check.canonical));
        res.status(200).json(first ? { valid: true, redeemed: true, redeemedAt: first.redeemedAt } : { valid: true, redeemed: false });
      },
    }),
  ];
}

/** The parsed code when it is this case's; undefined when it is well formed but not issued here; 400 when malformed. */
function checkCode(ctx: ApiContext, caseId: string, code: string, where: 'body'): ParsedApologyCode | undefined {
  const check = verifyApologyCode(secretOf(ctx), caseId, code);
  if (check.valid) return check;
  if (check.reason === 'malformed') {
    throw validationProblem([
      { path: '/code', message: 'not an apology code: 20 letters and digits, e.g. ASAA-BKB9-52LT-JHA4-B5EW', code: 'invalid_format', in: where },
    ]);
  }
  return undefined;
}
