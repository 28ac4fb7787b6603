/**
 * The 24-hour consultation desk (domain.md section 8b, contract.md "Services"): an insured opens a consultation, the
 * insurer's people acknowledge, advise, close or convert it into a case. One `consultation` workflow each
 * (workflows/consultation.ts); commands are signed signals like the case's (purpose `consultation-command`), answered
 * from the consultation's memo; reads are `describe()` and the list is one visibility query, so no read waits on a
 * worker. Another insured's consultation answers exactly like a missing one.
 *
 * The contact is personal data of the insured's staff: it is in the consultation's encrypted input and memo and in
 * the single-consultation read, never in a log line, a search attribute or the list.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Request, Response } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { z } from 'zod';
import {
  AcknowledgeBodySchema,
  AdviseBodySchema,
  CONSULTATION_ACK_MS,
  CONSULTATION_ACTORS,
  CONSULTATION_LIMITS,
  CONSULTATION_OPENERS,
  CONSULTATION_READERS,
  CONSULTATION_STATUSES,
  CloseConsultationBodySchema,
  ConsultationBodySchema,
  ConvertBodySchema,
  INPUT_LIMITS,
  IncidentReportSchema,
  consultationAckDueAt,
  consultationGate,
  conversionReportInput,
  toMs,
  type ConsultationAction,
  type ConsultationBody,
  type ConvertBody,
} from '../domain/index.js';
import { REFUSALS, SA, parseRefusal, refusalMessage } from '../workflows/contract.js';
import {
  CONSULTATION_MEMO,
  CONSULTATION_SA,
  CONSULTATION_WORKFLOW_TYPE,
  consultationCommandSignal,
  consultationFromMemo,
  consultationIdFromWorkflowId,
  consultationWorkflowId,
  firstConsultationView,
  type ConsultationCommand,
  type ConsultationCommandBodies,
  type ConsultationInput,
  type ConsultationReadModel,
  type ConsultationView,
} from '../workflows/consultation-contract.js';
import { base32, caseIdFor } from './case-ids.js';
import type { ApiContext } from './context.js';
import { listedExecutions } from './case-records.js';
import { idempotencyKey } from './idempotency.js';
import { createCase } from './intake.js';
import { policyForIntake } from './policy-reads.js';
import { actorOf, type Principal } from './principals.js';
import { HttpProblem, problemResponse, validationProblem } from './problem.js';
import { refusalText } from './problem-text.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { InsuredCaseViewSchema } from './schemas.js';

/** Consultations one list answers at most (newest first); `X-Consultations-Truncated: true` when more matched. */
export const CONSULTATION_LIST_MAX = 500;
const DESCRIBE_MS = 5_000;

// ---- shapes (documentation and tests) ----------------------------------------------------------------------------

const ContactViewSchema = z.object({ name: z.string(), email: z.string(), phone: z.string().optional(), language: z.enum(['ja', 'en']).optional() });

export const ConsultationViewSchema = z.object({
  consultationId: z.string(),
  insuredId: z.string(),
  insuredName: z.string(),
  policyNumber: z.string(),
  status: z.enum(CONSULTATION_STATUSES),
  summary: z.string(),
  awareAt: z.string().nullable().describe('when the insured became aware, as it said (ISO-8601 UTC)'),
  openedAt: z.string(),
  openedBy: z.string(),
  ackDueAt: z.string().describe('an on-call handler acknowledges by then (1 hour after opening)'),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  escalatedAt: z.string().nullable().describe('when supervisors were told nobody acknowledged in time'),
  advice: z.array(z.object({ text: z.string(), by: z.string(), at: z.string() })),
  closedAt: z.string().nullable(),
  closeReason: z.string().nullable(),
  caseId: z.string().nullable().describe('the case it became, once converted'),
  convertedAt: z.string().nullable(),
  convertedBy: z.string().nullable(),
  contact: ContactViewSchema.describe('the insured’s staff member to call back (personal data)'),
  version: z.number().int(),
  updatedAt: z.string(),
});

export const ConsultationCreatedSchema = z.object({
  consultationId: z.string(),
  status: z.literal('open'),
  ackDueAt: z.string(),
});

export const ConsultationSummarySchema = ConsultationViewSchema.omit({ contact: true, advice: true }).extend({
  adviceCount: z.number().int(),
  href: z.string(),
});
export type ConsultationSummary = z.infer<typeof ConsultationSummarySchema>;
export const ConsultationListSchema = z.object({ items: z.array(ConsultationSummarySchema) });

export const ConsultationListQuerySchema = z.object({ status: z.enum(CONSULTATION_STATUSES).optional() }).strict();
const ConsultationParamsSchema = z
  .object({ consultationId: z.string().regex(/^Q[A-Za-z0-9-]{2,62}$/, 'a consultation id (Q...)') })
  .strict();

// ---- ids, reads ---------------------------------------------------------------------------------------------------

/** With an Idempotency-Key, a function of who asks and the key (a retry opens nothing new); otherwise random. */
export function consultationIdFor(scope: string, key: string | undefined, now: Date): string {
  if (key !== undefined) {
    const digest = createHash('sha256').update(`consultation\u0000${scope}\u0000${key}`, 'utf8').digest();
    return `Q${base32(digest.subarray(0, 17)).slice(0, 26)}`;
  }
  return `Q${now.toISOString().slice(0, 10).replace(/-/g, '')}-${base32(randomBytes(10))}`;
}

/** The case a consultation becomes: one per consultation, so a retried conversion starts nothing twice. */
export function conversionCaseId(insuredId: string, consultationId: string): string {
  return caseIdFor(`consultation:${insuredId}`, consultationId, new Date(0));
}

function handleOf(ctx: ApiContext, consultationId: string): WorkflowHandle {
  return ctx.client.workflow.getHandle(consultationWorkflowId(consultationId));
}

function notFound(consultationId: string): HttpProblem {
  return new HttpProblem(404, 'not_found', { key: 'not_found.consultation', params: { consultationId } });
}

/** The read model from the consultation's memo; another insured's is a missing one. */
async function readConsultation(ctx: ApiContext, principal: Principal, consultationId: string): Promise<ConsultationReadModel> {
  let memo: Record<string, unknown> | undefined;
  try {
    const d = await ctx.client.withDeadline(Date.now() + DESCRIBE_MS, () => handleOf(ctx, consultationId).describe());
    if (d.type !== CONSULTATION_WORKFLOW_TYPE) throw notFound(consultationId);
    memo = d.memo;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound(consultationId);
    throw err;
  }
  const model = consultationFromMemo(memo);
  if (!model) throw notFound(consultationId);
  if (principal.role === 'insured' && principal.insuredId !== model.view.insuredId) throw notFound(consultationId);
  return model;
}

function summaryOf(v: ConsultationView): ConsultationSummary {
  const { contact: _contact, advice, ...rest } = v;
  return { ...rest, adviceCount: advice.length, href: `/v1/consultations/${v.consultationId}` };
}

const quote = (s: string) => `'${s.replace(/['"\\]/g, '')}'`;

/**
 * Consultations from visibility, newest first, with their views from the memos the list carries (no describe, no
 * worker). A memo this API cannot decode costs that consultation only.
 */
export async function listConsultations(
  ctx: ApiContext,
  filter: { status?: string; insuredId?: string },
  max = CONSULTATION_LIST_MAX,
): Promise<{ views: ConsultationView[]; truncated: boolean }> {
  const clauses = [`WorkflowType = '${CONSULTATION_WORKFLOW_TYPE}'`];
  if (filter.status) clauses.push(`${CONSULTATION_SA.status.name} = ${quote(filter.status)}`);
  if (filter.insuredId !== undefined) clauses.push(`${SA.insuredId.name} = ${quote(filter.insuredId)}`);
  const query = clauses.join(' AND ');
  const views: ConsultationView[] = [];
  for await (const e of listedExecutions(ctx, query)) {
    const id = consultationIdFromWorkflowId(e.execution?.workflowId ?? '');
    if (!id) continue;
    if (views.length >= max) return { views, truncated: true };
    let memo: Record<string, unknown> | undefined;
    try {
      memo = await decodeMapFromPayloads(ctx.client.workflow.options.loadedDataConverter, e.memo?.fields);
    } catch {
      memo = undefined;
    }
    const model = consultationFromMemo(memo);
    if (!model) continue;
    // Visibility is the filter; the memo is the truth (it may be a moment ahead of the list).
    const sa = decodeTypedSearchAttributes(e.searchAttributes?.indexedFields);
    if (filter.insuredId !== undefined && sa.get(SA.insuredId) !== filter.insuredId) continue;
    if (filter.status && model.view.status !== filter.status) continue;
    views.push(model.view);
  }
  return { views, truncated: false };
}

// ---- commands -----------------------------------------------------------------------------------------------------

function refusalProblem(message: string | undefined): HttpProblem {
  const refusal = parseRefusal(message ?? '');
  if (!refusal) return new HttpProblem(422, 'invalid', message ?? { key: 'invalid.refused' });
  return new HttpProblem(REFUSALS[refusal.code], refusal.code, refusalText(refusal.code, refusal.text) ?? refusal.text);
}

/**
 * A command to a consultation: what its read model decides (state) is answered here and never reaches history;
 * otherwise a signed signal, then its outcome from the memo (503 `command_pending` when it is not there in time: the
 * same request with the same Idempotency-Key then answers it).
 */
export async function commandConsultation<A extends ConsultationAction>(
  ctx: ApiContext,
  principal: Principal,
  consultationId: string,
  action: A,
  body: ConsultationCommandBodies[A],
  commandId: string,
): Promise<ConsultationView> {
  const first = await readConsultation(ctx, principal, consultationId);
  const done = first.commands.find((o) => o.commandId === commandId);
  if (done) {
    if (!done.applied) throw refusalProblem(done.refusal);
    return first.view;
  }
  const gate = consultationGate(first.view.status, action);
  if (gate) throw refusalProblem(refusalMessage(gate.code, gate.text));
  const unsigned: ConsultationCommand = { commandId, action, actor: actorOf(principal), body };
  const command: ConsultationCommand = { ...unsigned, proof: ctx.deps.signer.proof('consultation-command', consultationId, unsigned) };
  const handle = handleOf(ctx, consultationId);
  try {
    await handle.signal(consultationCommandSignal, command);
  } catch (err) {
    // Ended between the read and the signal (closed or converted by someone else).
    if (err instanceof WorkflowNotFoundError) {
      const now = await readConsultation(ctx, principal, consultationId);
      throw refusalProblem(refusalMessage('wrong_state', `consultation is ${now.view.status}`));
    }
    throw err;
  }
  const deadline = Date.now() + (ctx.deps.limits?.commandWaitMs ?? 20_000);
  let delay = 20;
  while (Date.now() < deadline) {
    await sleep(Math.min(delay, Math.max(deadline - Date.now(), 0)));
    delay = Math.min(delay * 2, 500);
    const model = await readConsultation(ctx, principal, consultationId).catch((err: unknown) => {
      if (err instanceof HttpProblem && err.status === 404) throw err;
      return undefined;
    });
    const outcome = model?.commands.find((o) => o.commandId === commandId);
    if (model && outcome) {
      if (!outcome.applied) throw refusalProblem(outcome.refusal);
      return model.view;
    }
  }
  throw new HttpProblem(503, 'command_pending', { key: 'command_pending.recorded' }, undefined, { commandId }, { 'Retry-After': '5' });
}

function commandIdOf(req: Request, principal: Principal, action: string): string {
  return `${principal.name}:${action}:${idempotencyKey(req) ?? randomUUID()}`;
}

// ---- opening, converting ------------------------------------------------------------------------------------------

async function openConsultation(ctx: ApiContext, req: Request, res: Response, principal: Principal, body: ConsultationBody): Promise<void> {
  const now = ctx.now();
  if (body.awareAt !== undefined && toMs(body.awareAt) > now.getTime() + INPUT_LIMITS.futureToleranceMs) {
    throw validationProblem([{ path: '/awareAt', message: 'awareAt is in the future', code: 'future_date', in: 'body' }]);
  }
  const found = await policyForIntake(ctx, body.policyNumber);
  // Another insured's policy answers like an unknown one, so policy numbers cannot be probed.
  if (!found || found.policy.insuredId !== principal.insuredId) {
    throw new HttpProblem(422, 'unknown_policy', { key: 'unknown_policy.number', params: { policyNumber: body.policyNumber } }, [
      { path: '/policyNumber', message: `policy ${body.policyNumber} is not registered`, code: 'unknown_policy', in: 'body' },
    ]);
  }
  const key = idempotencyKey(req);
  const consultationId = consultationIdFor(principal.insuredId ?? principal.name, key, now);
  const openedAt = now.toISOString();
  const ackWithinMs = ctx.deps.limits?.consultationAckMs ?? CONSULTATION_ACK_MS;
  const input: ConsultationInput = {
    consultationId,
    insuredId: found.policy.insuredId,
    insuredName: found.policy.insuredName,
    policyNumber: found.policy.policyNumber,
    summary: body.summary,
    awareAt: body.awareAt ?? null,
    openedAt,
    openedBy: actorOf(principal),
    contact: body.contact,
    trust: { keys: ctx.deps.signer.trustedKeys },
    ackWithinMs,
  };
  const ackDueAt = consultationAckDueAt(openedAt, ackWithinMs);
  const location = `/v1/consultations/${consultationId}`;
  try {
    await ctx.client.workflow.start(CONSULTATION_WORKFLOW_TYPE, {
      workflowId: consultationWorkflowId(consultationId),
      taskQueue: ctx.taskQueue,
      args: [input],
      // The first view with the start: the consultation reads at once, before a worker picked it up.
      memo: { [CONSULTATION_MEMO.view]: firstConsultationView(input, ackDueAt), [CONSULTATION_MEMO.commands]: [] },
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: CONSULTATION_SA.status, value: 'open' },
        { key: SA.insuredId, value: found.policy.insuredId },
        { key: SA.policyNumber, value: found.policy.policyNumber },
        { key: SA.reportedAt, value: new Date(openedAt) },
        { key: SA.nextDeadline, value: new Date(ackDueAt) },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError) || key === undefined) throw err;
    // The same key again: the consultation it opened, as it stands now.
    const { view } = await readConsultation(ctx, principal, consultationId);
    res.location(location).status(200).json({ consultationId, status: view.status, ackDueAt: view.ackDueAt });
    return;
  }
  ctx.log.info({ audit: 'consultation.open', principal: principal.name, consultationId }, 'audit: consultation opened');
  res.location(location).status(201).json({ consultationId, status: 'open', ackDueAt });
}

/**
 * Converts: the consultation takes the command first (so it ends converted, naming the case, or refuses and nothing
 * starts), then the case starts with the awareness time given in the consultation. A conversion repeated after a
 * failure between the two finds the consultation converted to the same case id and starts (or answers) that case.
 */
async function convertConsultation(ctx: ApiContext, req: Request, res: Response, principal: Principal, consultationId: string, body: ConvertBody): Promise<void> {
  const { view } = await readConsultation(ctx, principal, consultationId);
  if (body.policyNumber !== view.policyNumber) {
    throw new HttpProblem(422, 'consultation_mismatch', { key: 'consultation_mismatch.policy', params: { policyNumber: view.policyNumber } }, [
      { path: '/policyNumber', message: `the consultation is for policy ${view.policyNumber}`, code: 'consultation_mismatch', in: 'body' },
    ]);
  }
  const parsed = IncidentReportSchema.safeParse(conversionReportInput(view, body));
  if (!parsed.success) {
    throw validationProblem(parsed.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message, code: i.code, in: 'body' as const })));
  }
  const caseId = conversionCaseId(view.insuredId, consultationId);
  if (!(view.status === 'converted' && view.caseId === caseId)) {
    await commandConsultation(ctx, principal, consultationId, 'convert', { caseId }, `${principal.name}:convert:${consultationId}`);
  }
  ctx.log.info({ audit: 'consultation.convert', principal: principal.name, consultationId, caseId }, 'audit: consultation converted');
  await createCase(ctx, req, res, principal, parsed.data, { caseId, insuredId: view.insuredId });
}

// ---- routes -------------------------------------------------------------------------------------------------------

const ACTION_DOCS: Record<ConsultationAction, { summary: string; description: string; schema: z.ZodType; name: string; example: unknown }> = {
  acknowledge: {
    summary: 'Acknowledge a consultation',
    description: 'The on-call handler takes the consultation (within the hour, or supervisors are told). 409 `nothing_to_do` when already acknowledged.',
    schema: AcknowledgeBodySchema,
    name: 'AcknowledgeConsultationBody',
    example: {},
  },
  advise: {
    summary: 'Advise on a consultation',
    description: `Advice to the insured, plain text of 1-${CONSULTATION_LIMITS.maxAdviceChars} characters; the consultation is then \`advised\`. Needs it acknowledged first (409 \`wrong_state\`).`,
    schema: AdviseBodySchema,
    name: 'AdviseConsultationBody',
    example: { text: '不審なアクセスの痕跡を保全し、パスワードを変更してください。' },
  },
  close: {
    summary: 'Close a consultation',
    description: `Ends the consultation without a case; a reason of 1-${CONSULTATION_LIMITS.maxReasonChars} characters. An open one counts as acknowledged.`,
    schema: CloseConsultationBodySchema,
    name: 'CloseConsultationBody',
    example: { reason: '漏洩の事実はなく、助言で解決' },
  },
  convert: {
    summary: 'Convert a consultation into a case',
    description:
      'Takes an incident report as `POST /v1/cases` (for the consultation’s policy; `discoveredAt` may be left out) and answers the case ' +
      '(201 with `Location`, or 200 when repeated). The case’s awareness is the time the insured gave in the consultation (or when it called, if it gave none), ' +
      'earlier if the report names an earlier one: the regulators’ clocks run from then, not from the conversion.',
    schema: ConvertBodySchema,
    name: 'ConvertConsultationBody',
    example: {
      policyNumber: 'PL-2026-000123',
      cause: 'unauthorized_access',
      description: '相談の結果、会員DBへの不正アクセスが判明',
      dataItems: ['name', 'email'],
      affectedPersons: 1200,
      contact: { name: '山田 太郎', email: 'yamada@example.co.jp' },
    },
  },
};

export function consultationRoutes(ctx: ApiContext): RouteDef[] {
  const actionRoutes = (Object.keys(ACTION_DOCS) as ConsultationAction[]).map((action) => {
    const docs = ACTION_DOCS[action];
    return defineRoute({
      method: 'post',
      path: `/v1/consultations/:consultationId/actions/${action}`,
      operationId: `consultation${action[0]!.toUpperCase()}${action.slice(1)}`,
      summary: docs.summary,
      description: `${docs.description} With an Idempotency-Key a retried command is applied once.`,
      tags: ['consultations'],
      auth: { roles: CONSULTATION_ACTORS },
      params: ConsultationParamsSchema,
      body: { kind: 'json', schema: docs.schema, name: docs.name, example: docs.example, optional: action === 'acknowledge' },
      responses: {
        ...(action === 'convert'
          ? {
              200: { description: 'Converted before: the case', schema: InsuredCaseViewSchema, name: 'InsuredCaseView' },
              201: { description: 'The case it became', schema: InsuredCaseViewSchema, name: 'InsuredCaseView', headers: { Location: 'the case' } },
            }
          : { 200: { description: 'The consultation after the command', schema: ConsultationViewSchema, name: 'Consultation' } }),
        400: problemResponse('Invalid body'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Not a handler or supervisor'),
        404: problemResponse('No such consultation'),
        409: problemResponse('Not in a state that takes this command (or nothing to do)'),
        415: problemResponse('Not JSON'),
        422: problemResponse(action === 'convert' ? 'Refused (another policy than the consultation’s, an unknown policy)' : 'Refused by the consultation'),
        503: problemResponse('Recorded but not yet answered (repeat with the same Idempotency-Key), or Temporal unreachable'),
      },
      handle: async (req, res, { params: { consultationId }, body, principal }) => {
        if (action === 'convert') return convertConsultation(ctx, req, res, principal, consultationId, body as ConvertBody);
        const view = await commandConsultation(ctx, principal, consultationId, action, body as ConsultationCommandBodies[typeof action], commandIdOf(req, principal, action));
        res.status(200).json(view);
      },
    });
  });
  return [
    defineRoute({
      method: 'post',
      path: '/v1/consultations',
      operationId: 'openConsultation',
      summary: 'Open a consultation',
      description:
        'The 24-hour desk (事故相談窓口): ask for help before knowing whether it is a claim. `summary` is plain text of ' +
        `1-${CONSULTATION_LIMITS.maxSummaryChars} characters; \`awareAt\` when you became aware, if you know (not in the future); \`contact\` whom to call back. ` +
        'An on-call handler acknowledges by `ackDueAt` (1 hour); supervisors are told when nobody did. With an Idempotency-Key a retry opens nothing new (200).',
      tags: ['consultations'],
      auth: { roles: CONSULTATION_OPENERS },
      body: {
        kind: 'json',
        schema: ConsultationBodySchema,
        name: 'ConsultationBody',
        example: {
          policyNumber: 'PL-2026-000123',
          summary: '会員サイトに不審なログインが続いています。漏洩かどうか相談したい。',
          awareAt: '2026-11-20T00:00:00Z',
          contact: { name: '山田 太郎', email: 'yamada@example.co.jp', phone: '03-0000-0000', language: 'ja' },
        },
      },
      responses: {
        200: { description: 'Opened before with this Idempotency-Key', schema: ConsultationCreatedSchema, name: 'ConsultationCreated' },
        201: { description: 'Opened', schema: ConsultationCreatedSchema, name: 'ConsultationCreated', headers: { Location: 'the consultation' } },
        400: problemResponse('Invalid body (with the JSON pointer of each field)'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Only an insured opens a consultation'),
        415: problemResponse('Not JSON'),
        422: problemResponse('Unknown policy (or another insured’s)'),
        503: problemResponse('Temporal unreachable'),
      },
      handle: (req, res, { body, principal }) => openConsultation(ctx, req, res, principal, body),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/consultations',
      operationId: 'listConsultations',
      summary: 'List consultations',
      description:
        `Newest first, at most ${CONSULTATION_LIST_MAX} (\`X-Consultations-Truncated\`), optionally of one \`status\`. An insured sees its own only; ` +
        'the insurer’s people every insured’s. Without the contact or the advice (read one consultation for them). From visibility: lags a few seconds.',
      tags: ['consultations'],
      auth: { roles: CONSULTATION_READERS },
      query: ConsultationListQuerySchema,
      responses: {
        200: { description: 'The consultations', schema: ConsultationListSchema, name: 'ConsultationList', headers: { 'X-Consultations-Truncated': 'true or false' } },
        400: problemResponse('Unknown status or parameter'),
        401: problemResponse('No or unknown key'),
        503: problemResponse('Temporal unreachable'),
      },
      handle: async (_req, res, { query, principal }) => {
        const { views, truncated } = await listConsultations(ctx, {
          ...(query.status ? { status: query.status } : {}),
          ...(principal.role === 'insured' ? { insuredId: principal.insuredId ?? '' } : {}),
        });
        res.vary('Authorization');
        res.set('Cache-Control', 'private, no-cache');
        res.set('X-Consultations-Truncated', String(truncated));
        res.json({ items: views.map(summaryOf) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/consultations/:consultationId',
      operationId: 'getConsultation',
      summary: 'Read a consultation',
      description: 'The whole consultation, its contact and advice included. Another insured’s answers 404, like a missing one.',
      tags: ['consultations'],
      auth: { roles: CONSULTATION_READERS },
      params: ConsultationParamsSchema,
      responses: {
        200: { description: 'The consultation', schema: ConsultationViewSchema, name: 'Consultation' },
        400: problemResponse('Not a consultation id'),
        401: problemResponse('No or unknown key'),
        404: problemResponse('No such consultation (or another insured’s)'),
        503: problemResponse('Temporal unreachable'),
      },
      handle: async (_req, res, { params: { consultationId }, principal }) => {
        const { view } = await readConsultation(ctx, principal, consultationId);
        res.vary('Authorization');
        res.set('Cache-Control', 'private, no-cache');
        res.json(view);
      },
    }),
    ...actionRoutes,
  ];
}
