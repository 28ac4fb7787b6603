import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Transform, pipeline, type TransformCallback } from 'node:stream';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Request, Response } from 'express';
import { ACTION_ROLES } from '../domain/permissions.js';
import {
  ACTION_SCHEMAS,
  IncidentReportSchema,
  checkReportAgainstNow,
  type IncidentReport,
} from '../domain/schemas.js';
import { ACTIONS, type Action } from '../domain/vocabulary.js';
import { importPersonsCsv, PersonsImportError } from '../storage/persons.js';
import {
  CASE_WORKFLOW_TYPE,
  DEFAULT_CASE_SETTINGS,
  SA,
  ATTACH_PERSONS,
  caseWorkflowId,
  requestHashQuery,
  type CaseInput,
  type CaseView,
} from '../workflows/contract.js';
import {
  DEFAULT_UPLOAD_MAX_BYTES,
  actorOf,
  assertMayRead,
  caseHandle,
  idempotencyKey,
  queryTimeline,
  readCaseShared,
  queryView,
  servePollable,
  sleep,
  strongEtag,
  type ApiContext,
} from './context.js';
import { DEFAULT_COMMAND_TIMING, runCaseCommand, type CommandTiming } from './case-commands.js';
import { firstView } from './first-view.js';
import { policyForIntake } from './policies.js';
import type { Principal } from './principals.js';
import { HttpProblem, validationProblem } from './problem.js';
import { defineRoute, type ResponseSpec, type RouteDef } from './route-kit.js';
import {
  CaseListQuerySchema,
  CasePageSchema,
  CaseParamsSchema,
  CaseViewSchema,
  PersonsUploadResultSchema,
  ProblemSchema,
  TimelineSchema,
  type CaseListQuery,
} from './schemas.js';
import { listCases, listQuery } from './visibility.js';

const problem = (description: string): ResponseSpec => ({ description, schema: ProblemSchema, name: 'Problem' });
const caseView: ResponseSpec = { description: 'The case view', schema: CaseViewSchema, name: 'CaseView' };

export const INCIDENT_REPORT_EXAMPLE = {
  policyNumber: 'PL-2026-000123',
  discoveredAt: '2026-11-20T09:00:00+09:00',
  occurredAt: '2026-11-18T00:00:00+09:00',
  cause: 'device_loss',
  description: 'Sales laptop left on a train; customer list on it.',
  dataItems: ['name', 'address', 'phone'],
  affectedPersons: 1200,
  residency: { JP: 1150, EU: 30, 'US-CA': 20 },
  encrypted: false,
  circumstances: { naturalCatastrophe: false, warOrRiot: false, directedByInsuredOfficers: false, knownBeforeInception: false },
  contact: { name: '山田 太郎', email: 'yamada@example.co.jp', phone: '+81-3-0000-0000' },
};

// ---- ids and hashes --------------------------------------------------------------------------------------------

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * With an idempotency key the case id is a function of who asks and the key, so a retry (or a racing duplicate)
 * lands on the same workflow id and Temporal itself refuses the second start. 130 bits keep collisions out of reach.
 */
export function caseIdFor(scope: string, key: string | undefined, now: Date): string {
  if (key !== undefined) {
    const digest = createHash('sha256').update(`${scope}\u0000${key}`, 'utf8').digest();
    return `C${base32(digest.subarray(0, 17)).slice(0, 26)}`;
  }
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  return `C${day}-${base32(randomBytes(10))}`;
}

/** JSON with object keys sorted, so equal bodies hash equally however the client ordered them. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hashes the parsed report: two bodies that differ only in key order or time-zone notation are the same request. */
export function requestHash(report: IncidentReport): string {
  return createHash('sha256').update(canonicalJson(report)).digest('hex');
}

function sendWithEtag(req: Request, res: Response, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  const etag = strongEtag(body);
  res.set('ETag', etag);
  res.set('Cache-Control', 'private, no-cache');
  if (status === 200 && req.headers['if-none-match']?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return;
  }
  res.status(status).type('application/json').send(body);
}

/**
 * A command to a case that no longer runs is a state problem, not a missing case; but only for those who may see the
 * case: to another insured a closed case is as missing as a running one (found by the access matrix).
 */
function commandTiming(ctx: ApiContext): CommandTiming {
  return { ...DEFAULT_COMMAND_TIMING, ...(ctx.deps.limits?.commandWaitMs !== undefined ? { waitMs: ctx.deps.limits.commandWaitMs } : {}) };
}

async function closedOrMissing(ctx: ApiContext, caseId: string, err: unknown, principal: Principal): Promise<never> {
  if (err instanceof WorkflowNotFoundError) {
    try {
      const d = await caseHandle(ctx, caseId).describe();
      const foreign = principal.role === 'insured' && principal.insuredId !== d.typedSearchAttributes.get(SA.insuredId);
      if (!foreign && d.status.name !== 'RUNNING') {
        throw new HttpProblem(409, 'wrong_state', `case ${caseId} is ${d.typedSearchAttributes.get(SA.status) ?? 'closed'}`);
      }
    } catch (inner) {
      if (inner instanceof HttpProblem) throw inner;
    }
    throw new HttpProblem(404, 'not_found', `case ${caseId} not found`);
  }
  throw err;
}

/** Existence and tenancy from the workflow's description (no replay), for requests that must check before work. */
async function describeCase(ctx: ApiContext, principal: Principal, caseId: string) {
  let d;
  try {
    d = await caseHandle(ctx, caseId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new HttpProblem(404, 'not_found', `case ${caseId} not found`);
    throw err;
  }
  const insuredId = d.typedSearchAttributes.get(SA.insuredId);
  if (principal.role === 'insured' && principal.insuredId !== insuredId) {
    throw new HttpProblem(404, 'not_found', `case ${caseId} not found`);
  }
  return d;
}

// ---- create ----------------------------------------------------------------------------------------------------

async function waitForRequestHash(handle: WorkflowHandle, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  for (;;) {
    try {
      return await handle.query(requestHashQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || Date.now() >= deadline) throw err;
      await sleep(delay);
      delay = Math.min(delay * 2, 500);
    }
  }
}

async function createCase(ctx: ApiContext, req: Request, res: Response, principal: Principal, report: IncidentReport): Promise<void> {
  const now = ctx.now();
  const issues = checkReportAgainstNow(report, now.toISOString());
  if (issues.length > 0) {
    throw validationProblem(
      issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message, code: 'future_date', in: 'body' as const })),
    );
  }
  const found = await policyForIntake(ctx, report.policyNumber);
  // Another insured's policy answers exactly like an unknown one, so policy numbers cannot be probed.
  if (!found || (principal.role === 'insured' && found.policy.insuredId !== principal.insuredId)) {
    throw new HttpProblem(422, 'unknown_policy', `policy ${report.policyNumber} is not registered`, [
      { path: '/policyNumber', message: `policy ${report.policyNumber} is not registered`, code: 'unknown_policy', in: 'body' },
    ]);
  }
  const key = idempotencyKey(req);
  const caseId = caseIdFor(principal.insuredId ?? `principal:${principal.name}`, key, now);
  const hash = requestHash(report);
  const reportedAt = now.toISOString();
  const input: CaseInput = {
    caseId,
    report,
    policy: found.policy,
    reportedAt,
    reportedBy: actorOf(principal),
    requestHash: hash,
    settings: ctx.deps.caseSettings ?? DEFAULT_CASE_SETTINGS,
  };
  const location = `/v1/cases/${caseId}`;
  const firstViewMs = ctx.deps.limits?.firstViewTimeoutMs ?? 10_000;
  try {
    await ctx.client.workflow.start(CASE_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: ctx.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      // Case ids are never reused, not even after the case closed.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: SA.status, value: 'reported' },
        { key: SA.insuredId, value: found.policy.insuredId },
        { key: SA.policyNumber, value: found.policy.policyNumber },
        { key: SA.reportedAt, value: new Date(reportedAt) },
        { key: SA.severity, value: 'low' },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError) || key === undefined) throw err;
    const existing = await waitForRequestHash(ctx.client.workflow.getHandle(caseWorkflowId(caseId)), firstViewMs);
    if (existing !== hash) {
      throw new HttpProblem(409, 'idempotency_conflict', 'this Idempotency-Key was already used with a different body', undefined, {
        caseId,
      });
    }
    const view = await queryView(ctx, caseId, firstViewMs);
    res.location(location);
    sendWithEtag(req, res, 200, view);
    return;
  }
  ctx.changes.bump(caseId);
  // The view the workflow's intake triage produces, computed from the same domain rules, so the answer does not wait
  // for a worker to pick the case up; a case denied at intake waits for the workflow's own view.
  const view = firstView(input) ?? (await queryView(ctx, caseId, firstViewMs));
  res.location(location);
  sendWithEtag(req, res, 201, view);
}

// ---- upload ----------------------------------------------------------------------------------------------------

class UploadTooLarge extends Error {}

function byteLimit(max: number): Transform & { exceeded: boolean } {
  let seen = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > max) {
        (t as Transform & { exceeded: boolean }).exceeded = true;
        done(new UploadTooLarge());
        return;
      }
      done(null, chunk);
    },
  }) as Transform & { exceeded: boolean };
  t.exceeded = false;
  return t;
}

async function uploadPersons(ctx: ApiContext, req: Request, res: Response, principal: Principal, caseId: string): Promise<void> {
  const max = ctx.deps.limits?.uploadMaxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
  const tooLarge = () =>
    new HttpProblem(413, 'payload_too_large', `the list may be at most ${max} bytes`, undefined, { limit: max }, {
      Connection: 'close',
    });
  if (Number(req.headers['content-length'] ?? 0) > max) throw tooLarge();
  const d = await describeCase(ctx, principal, caseId);
  if (d.status.name !== 'RUNNING') {
    throw new HttpProblem(409, 'wrong_state', `case ${caseId} is ${d.typedSearchAttributes.get(SA.status) ?? 'closed'}`);
  }

  const uploadId = `U${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
  const limiter = byteLimit(max);
  pipeline(req, limiter, () => undefined);
  let result;
  try {
    result = await importPersonsCsv(limiter, { store: ctx.deps.blobStore, keyring: ctx.deps.keyring }, {
      caseId,
      uploadId,
      ...(ctx.deps.limits?.uploadMaxRows !== undefined ? { maxRows: ctx.deps.limits.uploadMaxRows } : {}),
    });
  } catch (err) {
    if (limiter.exceeded) throw tooLarge();
    if (err instanceof PersonsImportError) {
      throw new HttpProblem(422, 'persons_rejected', err.message, undefined, { reason: err.code, ...err.details });
    }
    throw err;
  }
  const { ref, errors, errorCount } = result;
  const counts = {
    uploadId: ref.uploadId,
    total: ref.total,
    accepted: ref.accepted,
    duplicates: ref.duplicates,
    rejected: ref.rejected,
    withEmail: ref.withEmail,
    withoutEmail: ref.withoutEmail,
    checksum: ref.checksum,
  };
  if (ref.accepted === 0) {
    await ctx.deps.blobStore.delete(ref.key).catch(() => undefined);
    throw new HttpProblem(422, 'persons_rejected', 'no row of the list could be accepted', undefined, {
      ref: counts,
      rows: errors,
      errorCount,
    });
  }
  let view: CaseView;
  try {
    view = await runCaseCommand(
      ctx.client,
      caseHandle(ctx, caseId),
      { commandId: `persons:${uploadId}`, action: ATTACH_PERSONS, request: { actor: actorOf(principal), ref: { ...counts, key: ref.key } } },
      commandTiming(ctx),
    );
  } catch (err) {
    // Refused or no such case: the sealed list was stored for nothing, and leaving it would keep personal data no case
    // refers to. A command still pending will attach it, so that list stays.
    if (!(err instanceof HttpProblem && err.code === 'command_pending')) {
      await ctx.deps.blobStore.delete(ref.key).catch(() => undefined);
    }
    return closedOrMissing(ctx, caseId, err, principal);
  }
  ctx.changes.bump(caseId);
  // Audit: who put personal data into the case, with counts only (never a row's values).
  ctx.log.info(
    {
      audit: 'affected_persons.upload',
      principal: principal.name,
      role: principal.role,
      caseId,
      uploadId: ref.uploadId,
      total: ref.total,
      accepted: ref.accepted,
      duplicates: ref.duplicates,
      rejected: ref.rejected,
    },
    'audit: affected-person list uploaded',
  );
  res.status(200).json({ ref: counts, errors, errorCount, case: view });
}

// ---- routes ----------------------------------------------------------------------------------------------------

const ACTION_DESCRIPTIONS: Record<Action, string> = {
  assign: 'Assign the case to a handler or supervisor (by principal name).',
  'decide-coverage': 'Record a coverage decision that overrides the computed one, with the reason.',
  consent: 'Give the insurer’s consent to a cost category (optionally capped, optionally for one vendor).',
  'record-findings': 'Record investigation findings; severity, exposure, coverage and obligations are recomputed.',
  'approve-notice': 'Approve the notice to affected persons, which starts the notification campaign.',
  'record-filing': 'Record a regulatory filing, or that one is not required and why.',
  'submit-costs': 'Submit cost items with evidence; the settlement is recomputed.',
  'approve-payout': 'Approve payable lines for payout, within the approver’s authority.',
  deny: 'Deny the claim, with the reason.',
  withdraw: 'Withdraw the case, with the reason.',
  close: 'Close the case, with the reason.',
};

function schemaName(action: Action): string {
  return `${action.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}Body`;
}

function actionRoute(ctx: ApiContext, action: Action): RouteDef {
  return defineRoute({
    method: 'post',
    path: `/v1/cases/:caseId/actions/${action}`,
    operationId: `action${schemaName(action).replace(/Body$/, '')}`,
    summary: `Case action: ${action}`,
    description: `${ACTION_DESCRIPTIONS[action]} With an Idempotency-Key a retried command is applied once.`,
    tags: ['actions'],
    auth: { roles: ACTION_ROLES[action] },
    params: CaseParamsSchema,
    body: {
      kind: 'json',
      schema: ACTION_SCHEMAS[action],
      name: schemaName(action),
      ...(action === 'approve-payout' ? { optional: true } : {}),
    },
    responses: {
      200: caseView,
      400: problem('Invalid body'),
      401: problem('No or unknown key'),
      403: problem('Role may not run this action, or above authority'),
      404: problem('No such case (or another insured’s)'),
      409: problem('Not possible in the case’s current state'),
      415: problem('Not JSON'),
      422: problem('Refused by the case rules (e.g. consent missing, unknown assignee)'),
      503: problem('Recorded but not yet answered by the case (repeat with the same Idempotency-Key), or Temporal unreachable'),
    },
    handle: async (req, res, { params, body, principal }) => {
      const { caseId } = params as { caseId: string };
      const p = principal!;
      if (action === 'assign') {
        const assignee = ctx.deps.principals.byName((body as { assignee: string }).assignee);
        if (!assignee || (assignee.role !== 'handler' && assignee.role !== 'supervisor')) {
          throw new HttpProblem(422, 'unknown_assignee', 'the assignee is not a handler or supervisor', [
            { path: '/assignee', message: 'no handler or supervisor of this name', code: 'unknown_assignee', in: 'body' },
          ]);
        }
      }
      const key = idempotencyKey(req);
      let view: CaseView;
      try {
        // Scoped to the principal and action, so one caller's key can never replay another's command.
        const commandId = `${p.name}:${action}:${key ?? randomUUID()}`;
        view = await runCaseCommand(
          ctx.client,
          caseHandle(ctx, caseId),
          { commandId, action, request: { actor: actorOf(p), body } },
          commandTiming(ctx),
        );
      } catch (err) {
        return closedOrMissing(ctx, caseId, err, p);
      }
      ctx.changes.bump(caseId);
      sendWithEtag(req, res, 200, view);
    },
  });
}

export function caseRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/cases',
      operationId: 'createCase',
      summary: 'File an incident',
      description:
        'Starts one case per incident. With an Idempotency-Key the same key and body give the same case back (200), ' +
        'also when two requests race; the same key with another body is a 409. An insured files only under its own ' +
        'policies. A discovery outside the policy period is not refused here: the coverage decision records it.',
      tags: ['cases'],
      auth: { roles: ['insured', 'handler'] },
      body: { kind: 'json', schema: IncidentReportSchema, name: 'IncidentReport', example: INCIDENT_REPORT_EXAMPLE },
      responses: {
        201: { ...caseView, headers: { Location: 'the new case' } },
        200: { ...caseView, description: 'The case an earlier request with this Idempotency-Key created', headers: { Location: 'the case' } },
        400: problem('Invalid report (field and rule named)'),
        401: problem('No or unknown key'),
        403: problem('Role may not file incidents'),
        409: problem('Idempotency-Key reused with another body'),
        415: problem('Not JSON'),
        422: problem('Unknown policy'),
      },
      handle: async (req, res, { body, principal }) => createCase(ctx, req, res, principal!, body as IncidentReport),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cases',
      operationId: 'listCases',
      summary: 'List cases',
      description:
        'A page of case summaries from Temporal visibility (lags a few seconds behind commands). An insured sees only ' +
        'its own cases. Strong ETag; send If-None-Match to poll cheaply.',
      tags: ['cases'],
      auth: { roles: ['insured', 'handler', 'supervisor', 'ops', 'admin'] },
      query: CaseListQuerySchema,
      responses: {
        200: { description: 'A page of case summaries', schema: CasePageSchema, name: 'CasePage', headers: { ETag: 'strong' } },
        304: { description: 'Not modified' },
        400: problem('Invalid filter'),
        401: problem('No or unknown key'),
      },
      handle: async (req, res, { query, principal }) => {
        const q = query as CaseListQuery;
        const p = principal!;
        const filters = { ...q };
        if (p.role === 'insured') {
          if (q.insuredId !== undefined && q.insuredId !== p.insuredId) {
            res.set('Cache-Control', 'private, no-cache');
            res.json({ items: [], nextPageToken: null });
            return;
          }
          filters.insuredId = p.insuredId;
        }
        const { pageSize, pageToken, ...where } = filters;
        const visibility = listQuery(where);
        const key = `list|${visibility}|${pageSize}|${pageToken ?? ''}`;
        await servePollable(ctx, req, res, key, () => listCases(ctx, visibility, pageSize, pageToken));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId',
      operationId: 'getCase',
      summary: 'Read a case',
      tags: ['cases'],
      auth: { roles: ['insured', 'handler', 'supervisor', 'ops', 'admin'] },
      params: CaseParamsSchema,
      responses: {
        200: { ...caseView, headers: { ETag: 'strong' } },
        304: { description: 'Not modified' },
        401: problem('No or unknown key'),
        404: problem('No such case (or another insured’s)'),
      },
      handle: async (req, res, { params, principal }) => {
        const { caseId } = params as { caseId: string };
        // A case filed a moment ago answers its first query once a worker has run its first task.
        const view = await readCaseShared(ctx, 'view', caseId, () => queryView(ctx, caseId, ctx.deps.limits?.firstViewTimeoutMs ?? 10_000));
        assertMayRead(principal!, view);
        sendWithEtag(req, res, 200, view);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId/timeline',
      operationId: 'getCaseTimeline',
      summary: 'Read a case timeline',
      tags: ['cases'],
      auth: { roles: ['insured', 'handler', 'supervisor', 'ops', 'admin'] },
      params: CaseParamsSchema,
      responses: {
        200: { description: 'What happened, oldest first', schema: TimelineSchema, name: 'Timeline' },
        401: problem('No or unknown key'),
        404: problem('No such case (or another insured’s)'),
      },
      handle: async (req, res, { params, principal }) => {
        const { caseId } = params as { caseId: string };
        if (principal!.role === 'insured') await describeCase(ctx, principal!, caseId);
        const timeline = await readCaseShared(ctx, 'timeline', caseId, () => queryTimeline(ctx, caseId));
        sendWithEtag(req, res, 200, timeline);
      },
    }),
    ...ACTIONS.map((a) => actionRoute(ctx, a)),
    defineRoute({
      method: 'put',
      path: '/v1/cases/:caseId/affected-persons',
      operationId: 'putAffectedPersons',
      summary: 'Upload the affected persons',
      description:
        'CSV (UTF-8) with a header row: name, and email and/or postal_address, optionally language (ja or en). ' +
        'Streamed and sealed at rest; the case keeps only a reference and counts. Rows with problems are skipped ' +
        'and reported by row and column, never by value.',
      tags: ['cases'],
      auth: { roles: ['insured', 'handler', 'supervisor'] },
      params: CaseParamsSchema,
      body: {
        kind: 'stream',
        contentType: 'text/csv',
        description: 'The affected-person list',
        example: 'name,email,postal_address,language\n山田 太郎,taro@example.jp,,ja\n',
      },
      responses: {
        200: { description: 'Stored and attached', schema: PersonsUploadResultSchema, name: 'PersonsUploadResult' },
        401: problem('No or unknown key'),
        403: problem('Role may not upload'),
        404: problem('No such case (or another insured’s)'),
        409: problem('Case closed, or notices already sent from an earlier list'),
        413: problem('Larger than the limit'),
        415: problem('Not text/csv'),
        422: problem('Not a usable CSV, or no row accepted'),
        503: problem('Recorded but not yet answered by the case, or Temporal unreachable'),
      },
      handle: async (req, res, { params, principal }) => uploadPersons(ctx, req, res, principal!, (params as { caseId: string }).caseId),
    }),
  ];
}
