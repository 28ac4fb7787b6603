/**
 * Choosing a plan (`POST /v1/quotes`, domain.md 8c): the request validated strictly, the measures it leaves open
 * filled from the insured's self-assessment and training records, the quote computed by the pure `computeQuote`,
 * and the result kept sealed under the insured's own tenant so it can be read again (`GET /v1/quotes/{quoteId}`).
 * An insured's quote is its own: another insured's id answers 404, exactly as an unknown one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  computeQuote,
  INPUT_LIMITS,
  MeasuresSchema,
  QUOTE_INDUSTRIES,
  QUOTE_LIMITS,
  QuoteRequestSchema,
  resolveMeasures,
  SECURITY_MEASURES,
  STANDARD_LIMITS_JPY,
  type MeasureSource,
  type Quote,
  type QuoteRequest,
  type SecurityMeasure,
  SEVERITIES,
} from '../domain/index.js';
import type { Role } from '../domain/vocabulary.js';
import { createSealedJson, quoteKey, quoteOwnerKey, readSealedJson, type RecordStoreDeps } from '../storage/insured-records.js';
import type { ApiContext } from './context.js';
import { idempotencyKey } from './idempotency.js';
import { preventionFor } from './insureds.js';
import type { Principal } from './principals.js';
import { HttpProblem, problemResponse } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';

export const QUOTE_ROLES: readonly Role[] = ['insured', 'handler', 'admin'];

export const QUOTE_ID_PATTERN = /^Q[0-9a-f]{24}$/;
export const QuoteParamsSchema = z.object({ quoteId: z.string().regex(QUOTE_ID_PATTERN) }).strict();

const Words = z.object({ en: z.string(), ja: z.string() });
const Step = z.object({
  code: z.string(),
  params: z.record(z.string(), z.union([z.number(), z.string()])),
  amountJpy: z.number().int().optional(),
  text: Words,
});
const Yen = z.number().int();
const ScenarioSchema = z.object({
  name: z.enum(['typical', 'severe']),
  recordSet: z.number().int().describe('Index of the record set in the request'),
  persons: z.number().int(),
  leakedPersons: z.number().int(),
  severity: z.enum(SEVERITIES),
  perPersonJpy: Yen,
  liabilityJpy: Yen,
  responseCostsJpy: Yen,
  totalJpy: Yen,
  responseCosts: z.record(z.string(), Yen),
  steps: z.array(Step),
});
const PlanSchema = z.object({
  position: z.enum(['lower', 'recommended', 'higher']),
  liabilityLimitJpy: Yen,
  responseCostLimitJpy: Yen,
  recommended: z.boolean(),
  uncoveredInSevereJpy: Yen,
  uncoveredLiabilityJpy: Yen,
  uncoveredResponseCostsJpy: Yen,
  reasons: z.array(z.object({ code: z.string(), params: z.record(z.string(), z.union([z.number(), z.string()])), text: Words })),
});
export const QuoteResponseSchema = z.object({
  quoteId: z.string(),
  insuredId: z.string().nullable(),
  createdAt: z.string().describe('ISO-8601 UTC date-time'),
  request: z.object({
    industry: z.enum(QUOTE_INDUSTRIES),
    employees: z.number().int(),
    annualRevenueJpy: Yen,
    recordSets: z.array(z.object({ label: z.string().optional(), dataItems: z.array(z.string()), persons: z.number().int() })),
  }),
  measures: MeasuresSchema,
  measureSources: z.record(z.string(), z.enum(['request', 'self_assessment', 'training_records', 'not_stated'])),
  socialResponsibility: z.union([z.literal(1), z.literal(2)]),
  scenarios: z.array(ScenarioSchema),
  sizing: z.object({
    liabilityJpy: Yen,
    responseCostsJpy: Yen,
    liabilityRecordSet: z.number().int(),
    responseRecordSet: z.number().int(),
    steps: z.array(Step),
  }),
  plans: z.array(PlanSchema),
  standardLimitsJpy: z.array(Yen),
  preventionRecommendations: z.array(z.object({ measure: z.enum(SECURITY_MEASURES), label: Words, text: Words })),
  steps: z.array(Step),
});

export interface StoredQuote extends Quote {
  quoteId: string;
  insuredId: string | null;
  createdAt: string;
  createdBy: string;
  request: Omit<QuoteRequest, 'insuredId' | 'measures'>;
  measureSources: Record<SecurityMeasure, MeasureSource>;
  /** SHA-256 of the request body as received, so that a retry with another body under the same key is refused. */
  bodySha256: string;
}

function bodyDigest(body: QuoteRequest): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

function keyReused(): HttpProblem {
  return new HttpProblem(409, 'idempotency_conflict', { key: 'idempotency_conflict.key_other_body' });
}

function storeDeps(ctx: ApiContext): RecordStoreDeps {
  return { store: ctx.deps.blobStore, keyring: ctx.deps.keyring };
}

function quoteNotFound(quoteId: string): HttpProblem {
  return new HttpProblem(404, 'not_found', { key: 'not_found.quote', params: { quoteId } });
}

/** The quote's owner: an insured's own id; for the insurer's people the request's `insuredId`, or nobody. */
function ownerOf(principal: Principal, body: QuoteRequest): string | null {
  if (principal.role === 'insured') {
    if (body.insuredId !== undefined && body.insuredId !== principal.insuredId) {
      throw new HttpProblem(404, 'not_found', { key: 'not_found.insured', params: { insuredId: body.insuredId } });
    }
    return principal.insuredId ?? null;
  }
  return body.insuredId ?? null;
}

/** The quote id: from the Idempotency-Key when there is one (a retry finds its quote), else random. */
function quoteIdFor(principal: Principal, key: string | undefined): string {
  if (key === undefined) return `Q${randomBytes(12).toString('hex')}`;
  return `Q${createHash('sha256').update(`quote\n${principal.name}\n${key}`).digest('hex').slice(0, 24)}`;
}

function answer(q: StoredQuote): Omit<StoredQuote, 'createdBy' | 'bodySha256'> {
  const { createdBy: _by, bodySha256: _sha, ...rest } = q;
  void _by;
  void _sha;
  return rest;
}

export function quoteRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/quotes',
      operationId: 'createQuote',
      summary: 'Quote the plan an organisation needs',
      description:
        'From the industry, employees, annual revenue and the record sets held (data items from the contract’s ' +
        `vocabulary, 1-${QUOTE_LIMITS.maxRecordSets} sets of 0-${INPUT_LIMITS.maxAffectedPersons} persons each), two scenarios per set: ` +
        'typical (10 % of the persons leak, claim rate 0.02 %) and severe (all leak, 1 %). Liability is the JNSA ' +
        'per-person figure × leaked persons × claim rate; response costs come from the reserve model. The plans are the ' +
        `standard limits (${STANDARD_LIMITS_JPY.map((l) => l / 1_000_000).join(', ')} million yen) that cover the highest severe ` +
        'figures, with the next lower and higher plans and what each leaves uncovered; every figure with its arithmetic ' +
        '(`steps`, in Japanese and English). Measures the request leaves out are taken from the insured’s ' +
        'self-assessment and training records (`measureSources` says which), else counted missing; each missing one ' +
        'is a prevention recommendation. Integer yen: leaked persons rounded up, amounts down. An insured quotes for ' +
        'itself; the insurer’s people may name an `insuredId`. The quote is kept (sealed) and can be read again by id. ' +
        'With an Idempotency-Key a retried request answers the same quote.',
      tags: ['quotes'],
      auth: { roles: QUOTE_ROLES },
      body: {
        kind: 'json',
        schema: QuoteRequestSchema,
        name: 'QuoteRequest',
        example: {
          industry: 'retail_ecommerce',
          employees: 120,
          annualRevenueJpy: 3_000_000_000,
          recordSets: [{ label: '会員', dataItems: ['name', 'address', 'email', 'credit_card'], persons: 50_000 }],
          measures: { encryptionAtRest: true, mfa: false, edr: false, staffTraining: true, accessReviews: false },
        },
      },
      responses: {
        201: { description: 'The quote, kept', schema: QuoteResponseSchema, name: 'Quote', headers: { Location: 'the quote' } },
        400: problemResponse('Invalid body (the error names the field by JSON pointer)'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not ask for quotes'),
        404: problemResponse('An insured named another insured'),
        409: problemResponse('The Idempotency-Key was used before with another body'),
        415: problemResponse('Not JSON'),
      },
      handle: async (req, res, { body, principal }) => {
        const owner = ownerOf(principal, body);
        const quoteId = quoteIdFor(principal, idempotencyKey(req));
        const deps = storeDeps(ctx);
        const key = quoteKey(owner, quoteId);
        const earlier = await readSealedJson<StoredQuote>(deps, key);
        if (earlier) {
          if (earlier.bodySha256 !== bodyDigest(body)) throw keyReused();
          res.status(201).location(`/v1/quotes/${quoteId}`).json(answer(earlier));
          return;
        }
        const prevention = owner !== null ? await preventionFor(ctx, owner) : { trainingDates: [] };
        const now = ctx.now();
        const { measures, sources } = resolveMeasures(body.measures, prevention.assessment?.answers, prevention.trainingDates, now);
        const { insuredId: _i, measures: _m, ...request } = body;
        void _i;
        void _m;
        const quote = computeQuote({ ...request, measures });
        const stored: StoredQuote = {
          quoteId,
          insuredId: owner,
          createdAt: now.toISOString(),
          createdBy: principal.name,
          request,
          measureSources: sources,
          bodySha256: bodyDigest(body),
          ...quote,
        };
        // The owner first: a quote is never stored where the insurer's people could not find it.
        if (!(await createSealedJson(deps, quoteOwnerKey(quoteId), { insuredId: owner }))) {
          const pointer = await readSealedJson<{ insuredId: string | null }>(deps, quoteOwnerKey(quoteId));
          if (pointer?.insuredId !== owner) throw keyReused();
        }
        await createSealedJson(deps, key, stored);
        // Two retries at once: the first stored wins, and both answer it.
        const kept = (await readSealedJson<StoredQuote>(deps, key)) ?? stored;
        if (kept.bodySha256 !== stored.bodySha256) throw keyReused();
        ctx.log.info({ audit: 'quote.create', principal: principal.name, role: principal.role, quoteId }, 'audit: quote created');
        res.status(201).location(`/v1/quotes/${quoteId}`).json(answer(kept));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/quotes/:quoteId',
      operationId: 'getQuote',
      summary: 'Read a quote again',
      description: 'The quote as it was computed. An insured reads its own quotes only (another insured’s answers 404).',
      tags: ['quotes'],
      auth: { roles: QUOTE_ROLES },
      params: QuoteParamsSchema,
      responses: {
        200: { description: 'The quote', schema: QuoteResponseSchema, name: 'Quote' },
        400: problemResponse('Not a quote id (Q and 24 hexadecimal digits)'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not read quotes'),
        404: problemResponse('No such quote (or another insured’s)'),
      },
      handle: async (_req, res, { params: { quoteId }, principal }) => {
        const deps = storeDeps(ctx);
        let owner: string | null;
        if (principal.role === 'insured') {
          // Only ever under its own tenant: another insured's quote is not even looked up.
          owner = principal.insuredId ?? null;
          if (owner === null) throw quoteNotFound(quoteId);
        } else {
          const pointer = await readSealedJson<{ insuredId: string | null }>(deps, quoteOwnerKey(quoteId));
          if (!pointer) throw quoteNotFound(quoteId);
          owner = pointer.insuredId;
        }
        const stored = await readSealedJson<StoredQuote>(deps, quoteKey(owner, quoteId));
        if (!stored) throw quoteNotFound(quoteId);
        res.vary('Authorization');
        res.setHeader('Cache-Control', 'private, no-store');
        res.json(answer(stored));
      },
    }),
  ];
}
