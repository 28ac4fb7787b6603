/**
 * Prevention before a breach, per insured (domain.md 8b): staff-training records and the security self-assessment.
 * Both are sealed JSON in the blob store under the insured's own tenant (storage/insured-records.ts); an insured
 * reads and writes its own only, and another insured's answers exactly as a missing one (404).
 *
 * Their answers feed quotes: `preventionFor` is what `POST /v1/quotes` reads when the request leaves measures open.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  courseDateProblem,
  MeasuresSchema,
  PREVENTION_LIMITS,
  SelfAssessmentBodySchema,
  TrainingRecordBodySchema,
  type SelfAssessment,
  type TrainingRecord,
} from '../domain/index.js';
import type { Role } from '../domain/vocabulary.js';
import { KeyedSerialiser, readSealedJson, selfAssessmentKey, trainingKey, writeSealedJson, type RecordStoreDeps } from '../storage/insured-records.js';
import type { ApiContext } from './context.js';
import { idempotencyKey } from './idempotency.js';
import type { Principal } from './principals.js';
import { HttpProblem, problemResponse, validationProblem } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { InsuredIdSchema } from './schemas.js';

export const PREVENTION_READERS: readonly Role[] = ['insured', 'handler', 'supervisor', 'admin'];
export const PREVENTION_WRITERS: readonly Role[] = ['insured', 'handler', 'admin'];

export const InsuredParamsSchema = z.object({ insuredId: InsuredIdSchema }).strict();

const Iso = z.string().describe('ISO-8601 UTC date-time');

export const TrainingRecordSchema = z.object({
  recordId: z.string(),
  person: z.string(),
  course: z.string(),
  completedAt: Iso,
  provider: z.string().optional(),
  recordedAt: Iso,
  recordedBy: z.string(),
});
export const TrainingRecordsSchema = z.object({ insuredId: z.string(), records: z.array(TrainingRecordSchema) });

export const SelfAssessmentSchema = z.object({
  answers: MeasuresSchema,
  notes: z.string().optional(),
  answeredAt: Iso,
  answeredBy: z.string(),
  version: z.number().int(),
});
export const SelfAssessmentReadSchema = z.object({ insuredId: z.string(), assessment: SelfAssessmentSchema.nullable() });

interface TrainingFile {
  records: TrainingRecord[];
}

export function insuredNotFound(insuredId: string): HttpProblem {
  return new HttpProblem(404, 'not_found', { key: 'not_found.insured', params: { insuredId } });
}

/** An insured reaches its own records only; another's are as missing as an unknown id. */
export function assertOwnInsured(principal: Principal, insuredId: string): void {
  if (principal.role === 'insured' && principal.insuredId !== insuredId) throw insuredNotFound(insuredId);
}

const serialiser = new KeyedSerialiser();

function storeDeps(ctx: ApiContext): RecordStoreDeps {
  return { store: ctx.deps.blobStore, keyring: ctx.deps.keyring };
}

export async function readTraining(ctx: ApiContext, insuredId: string): Promise<TrainingRecord[]> {
  return (await readSealedJson<TrainingFile>(storeDeps(ctx), trainingKey(insuredId)))?.records ?? [];
}

export async function readSelfAssessment(ctx: ApiContext, insuredId: string): Promise<SelfAssessment | undefined> {
  return readSealedJson<SelfAssessment>(storeDeps(ctx), selfAssessmentKey(insuredId));
}

/** What a quote for this insured may take its measures from. */
export async function preventionFor(ctx: ApiContext, insuredId: string): Promise<{ assessment?: SelfAssessment; trainingDates: string[] }> {
  const [assessment, records] = await Promise.all([readSelfAssessment(ctx, insuredId), readTraining(ctx, insuredId)]);
  return { ...(assessment ? { assessment } : {}), trainingDates: records.map((r) => r.completedAt) };
}

/** The record id: from the Idempotency-Key when there is one (a retry finds its record), else random. */
function recordIdFor(principal: Principal, insuredId: string, key: string | undefined): string {
  if (key === undefined) return `T${randomBytes(12).toString('hex')}`;
  return `T${createHash('sha256').update(`${principal.name}\n${insuredId}\n${key}`).digest('hex').slice(0, 24)}`;
}

export function insuredRoutes(ctx: ApiContext): RouteDef[] {
  const owner = 'An insured reaches its own records only (another insured’s answer 404, as an unknown one).';
  return [
    defineRoute({
      method: 'get',
      path: '/v1/insureds/:insuredId/training',
      operationId: 'listTrainingRecords',
      summary: 'List the staff-training records of an insured',
      description: `Who took which course and when, oldest first. ${owner}`,
      tags: ['prevention'],
      auth: { roles: PREVENTION_READERS },
      params: InsuredParamsSchema,
      responses: {
        200: { description: 'The training records', schema: TrainingRecordsSchema, name: 'TrainingRecords' },
        400: problemResponse('Not an insured id'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not read training records'),
        404: problemResponse('Another insured’s records'),
      },
      handle: async (_req, res, { params: { insuredId }, principal }) => {
        assertOwnInsured(principal, insuredId);
        const records = await readTraining(ctx, insuredId);
        res.vary('Authorization');
        res.setHeader('Cache-Control', 'private, no-store');
        res.json({ insuredId, records });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/insureds/:insuredId/training',
      operationId: 'addTrainingRecord',
      summary: 'Record a staff member’s completed training course',
      description:
        `Who (${PREVENTION_LIMITS.maxNameChars} characters at most), which course, when (from 1990, not in the future), ` +
        `and optionally who gave it. At most ${PREVENTION_LIMITS.maxTrainingRecords} records per insured. Stored sealed. ` +
        `A course in the last year counts as staff training in a quote that leaves it open. With an Idempotency-Key a ` +
        `retried record is added once. ${owner}`,
      tags: ['prevention'],
      auth: { roles: PREVENTION_WRITERS },
      params: InsuredParamsSchema,
      body: {
        kind: 'json',
        schema: TrainingRecordBodySchema,
        name: 'TrainingRecordBody',
        example: { person: '山田 太郎', course: '個人情報の取扱い（基礎）', completedAt: '2026-11-20T01:00:00Z' },
      },
      responses: {
        201: { description: 'The record as kept', schema: TrainingRecordSchema, name: 'TrainingRecord', headers: { Location: 'the insured’s training records' } },
        400: problemResponse('Invalid body (e.g. a course date in the future)'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not record training'),
        404: problemResponse('Another insured’s records'),
        409: problemResponse('The Idempotency-Key was used before with another body'),
        415: problemResponse('Not JSON'),
        422: problemResponse('The insured already has the most records kept'),
      },
      handle: async (req, res, { params: { insuredId }, body, principal }) => {
        assertOwnInsured(principal, insuredId);
        const dateProblem = courseDateProblem(body.completedAt, ctx.now());
        if (dateProblem) throw validationProblem([{ path: '/completedAt', message: dateProblem, code: 'custom', in: 'body' }]);
        const recordId = recordIdFor(principal, insuredId, idempotencyKey(req));
        const key = trainingKey(insuredId);
        const record = await serialiser.run(key, async () => {
          const records = await readTraining(ctx, insuredId);
          const before = records.find((r) => r.recordId === recordId);
          if (before) {
            const { recordId: _id, recordedAt: _at, recordedBy: _by, ...was } = before;
            void [_id, _at, _by];
            if (JSON.stringify(was) !== JSON.stringify(body)) throw new HttpProblem(409, 'idempotency_conflict', { key: 'idempotency_conflict.key_other_body' });
            return before;
          }
          if (records.length >= PREVENTION_LIMITS.maxTrainingRecords) {
            throw new HttpProblem(422, 'limit_reached', { key: 'limit_reached.training', params: { limit: PREVENTION_LIMITS.maxTrainingRecords } });
          }
          const added: TrainingRecord = { recordId, ...body, recordedAt: ctx.now().toISOString(), recordedBy: principal.name };
          await writeSealedJson(storeDeps(ctx), key, { records: [...records, added] } satisfies TrainingFile);
          return added;
        });
        ctx.log.info({ audit: 'training.record', principal: principal.name, role: principal.role, recordId }, 'audit: training recorded');
        res.status(201).location(`/v1/insureds/${encodeURIComponent(insuredId)}/training`).json(record);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/insureds/:insuredId/self-assessment',
      operationId: 'getSelfAssessment',
      summary: 'Read the security self-assessment of an insured',
      description: `The latest answers (yes/no per security measure), or \`assessment: null\` before the first. ${owner}`,
      tags: ['prevention'],
      auth: { roles: PREVENTION_READERS },
      params: InsuredParamsSchema,
      responses: {
        200: { description: 'The latest self-assessment, or null', schema: SelfAssessmentReadSchema, name: 'SelfAssessmentRead' },
        400: problemResponse('Not an insured id'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not read self-assessments'),
        404: problemResponse('Another insured’s self-assessment'),
      },
      handle: async (_req, res, { params: { insuredId }, principal }) => {
        assertOwnInsured(principal, insuredId);
        const assessment = (await readSelfAssessment(ctx, insuredId)) ?? null;
        res.vary('Authorization');
        res.setHeader('Cache-Control', 'private, no-store');
        res.json({ insuredId, assessment });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/insureds/:insuredId/self-assessment',
      operationId: 'answerSelfAssessment',
      summary: 'Answer the security self-assessment of an insured',
      description:
        'Yes/no for each of the five measures a quote asks about (encryption at rest, MFA, EDR, staff training, access ' +
        `reviews), and optional notes. Replaces the previous answers (the version grows by one). A quote that leaves a measure open takes it from here. ${owner}`,
      tags: ['prevention'],
      auth: { roles: PREVENTION_WRITERS },
      params: InsuredParamsSchema,
      body: {
        kind: 'json',
        schema: SelfAssessmentBodySchema,
        name: 'SelfAssessmentBody',
        example: { answers: { encryptionAtRest: true, mfa: true, edr: false, staffTraining: true, accessReviews: false } },
      },
      responses: {
        201: { description: 'The answers as kept', schema: SelfAssessmentSchema, name: 'SelfAssessment', headers: { Location: 'the self-assessment' } },
        400: problemResponse('Invalid body'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not answer the self-assessment'),
        404: problemResponse('Another insured’s self-assessment'),
        415: problemResponse('Not JSON'),
      },
      handle: async (_req, res, { params: { insuredId }, body, principal }) => {
        assertOwnInsured(principal, insuredId);
        const key = selfAssessmentKey(insuredId);
        const kept = await serialiser.run(key, async () => {
          const before = await readSelfAssessment(ctx, insuredId);
          const next: SelfAssessment = { ...body, answeredAt: ctx.now().toISOString(), answeredBy: principal.name, version: (before?.version ?? 0) + 1 };
          await writeSealedJson(storeDeps(ctx), key, next);
          return next;
        });
        ctx.log.info({ audit: 'self_assessment.answer', principal: principal.name, role: principal.role, version: kept.version }, 'audit: self-assessment answered');
        res.status(201).location(`/v1/insureds/${encodeURIComponent(insuredId)}/self-assessment`).json(kept);
      },
    }),
  ];
}
