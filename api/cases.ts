/**
 * The case routes: filing an incident, listing and reading cases, the affected-person upload, and (from
 * case-actions.ts) one command route per action.
 */
import { ACTION_BLOCKS, actionAvailability } from '../domain/case-actions.js';
import { IncidentReportSchema } from '../domain/schemas.js';
import { uploadPersons } from './affected-persons.js';
import { actionRoutes } from './case-actions.js';
import { describeCaseModel, firstQueryWaitMs, readTimeline, readView } from './case-reads.js';
import type { ApiContext } from './context.js';
import { sendWithEtag } from './etag.js';
import { createCase } from './intake.js';
import { servePollable } from './poll-cache.js';
import { HttpProblem, problemResponse } from './problem.js';
import { defineRoute, type ResponseSpec, type RouteDef } from './route-kit.js';
import {
  CaseActionsSchema,
  CaseListQuerySchema,
  CasePageSchema,
  CaseParamsSchema,
  CaseViewSchema,
  PersonsUploadResultSchema,
  TimelineSchema,
} from './schemas.js';
import { assertMayRead, assertMayReadDescribed } from './tenancy.js';
import { CASE_TEXT_LANGUAGE_HEADER, caseTextLanguage, sendCaseView, timelineForReader, INSURED_VIEW_NOTE } from './view-for-role.js';
import { listCases, listQuery, searchCases } from './visibility.js';

/** bench/api.ts computes case ids as intake does. */
export { caseIdFor } from './case-ids.js';

const caseView: ResponseSpec = { description: `The case view. ${INSURED_VIEW_NOTE}`, schema: CaseViewSchema, name: 'CaseView' };

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
  circumstances: { naturalCatastrophe: false, warOrRiot: false, terrorism: false, directedByInsuredOfficers: false, knownBeforeInception: false },
  contact: { name: '山田 太郎', email: 'yamada@example.co.jp', phone: '+81-3-0000-0000' },
};

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
        201: { ...caseView, headers: { Location: 'the new case', ...CASE_TEXT_LANGUAGE_HEADER } },
        200: {
          ...caseView,
          description: `The case an earlier request with this Idempotency-Key created. ${INSURED_VIEW_NOTE}`,
          headers: { Location: 'the case', ...CASE_TEXT_LANGUAGE_HEADER },
        },
        400: problemResponse('Invalid report (field and rule named)'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not file incidents'),
        409: problemResponse('Idempotency-Key reused with another body'),
        415: problemResponse('Not JSON'),
        422: problemResponse('Unknown policy'),
      },
      handle: async (req, res, { body, principal }) => createCase(ctx, req, res, principal, body),
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
        400: problemResponse('Invalid filter'),
        401: problemResponse('No or unknown key'),
      },
      handle: async (req, res, { query, principal }) => {
        const filters = { ...query };
        if (principal.role === 'insured') {
          if (query.insuredId !== undefined && query.insuredId !== principal.insuredId) {
            res.set('Cache-Control', 'private, no-cache');
            res.json({ items: [], nextPageToken: null });
            return;
          }
          filters.insuredId = principal.insuredId;
        }
        const { pageSize, pageToken, q, ...where } = filters;
        const visibility = listQuery(where);
        if (q !== undefined) {
          if (pageToken) throw new HttpProblem(400, 'validation', { key: 'validation.search_page_token' }, [
            { path: '/pageToken', message: 'a search answers one page', code: 'search_without_pages', in: 'query' },
          ]);
          await servePollable(ctx, req, res, `search|${visibility}|${q}|${pageSize}`, () => searchCases(ctx, where, q, pageSize));
          return;
        }
        const key = `list|${visibility}|${pageSize}|${pageToken ?? ''}`;
        await servePollable(ctx, req, res, key, () => listCases(ctx, visibility, pageSize, pageToken));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId',
      operationId: 'getCase',
      summary: 'Read a case',
      description:
        `${INSURED_VIEW_NOTE} Read from the case's read model (its memo in Temporal): no worker is involved, so a case reads ` +
        `the same while every worker is down. \`version\` grows with every change of the case, \`updatedAt\` says when; the strong ` +
        `ETag names the version and the reader's shape of the view, and If-None-Match with it answers 304 until the case changes. ` +
        `A case filed a moment ago whose intake a worker has not run yet answers 503 \`case_starting\` with Retry-After.`,
      tags: ['cases'],
      auth: { roles: ['insured', 'handler', 'supervisor', 'ops', 'admin'] },
      params: CaseParamsSchema,
      responses: {
        200: { ...caseView, headers: { ETag: 'strong', ...CASE_TEXT_LANGUAGE_HEADER } },
        304: { description: 'Not modified' },
        401: problemResponse('No or unknown key'),
        404: problemResponse('No such case (or another insured’s)'),
        503: problemResponse('Temporal unreachable, or the case not yet opened by a worker (`case_starting`)'),
      },
      handle: async (req, res, { params: { caseId }, principal }) => {
        const view = await readView(ctx, caseId, firstQueryWaitMs(ctx));
        assertMayRead(principal, view);
        sendCaseView(req, res, 200, view, principal);
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
        200: { description: 'What happened, oldest first', schema: TimelineSchema, name: 'Timeline', headers: { ETag: 'strong', ...CASE_TEXT_LANGUAGE_HEADER } },
        401: problemResponse('No or unknown key'),
        404: problemResponse('No such case (or another insured’s)'),
      },
      handle: async (req, res, { params: { caseId }, principal }) => {
        const described = await describeCaseModel(ctx, caseId);
        assertMayReadDescribed(principal, caseId, described.description);
        const timeline = await readTimeline(ctx, caseId, described);
        res.vary('Authorization');
        // Summaries in the request's language (the ETag is the body's, so it differs per language).
        sendWithEtag(req, res, 200, timelineForReader(timeline, principal.role, caseTextLanguage(req, res)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId/actions',
      operationId: 'getCaseActions',
      summary: 'What the caller may do on a case now',
      description:
        'Every case action with whether the caller’s role may take it on this case in its current state, and the ' +
        'reason when not (the role, then the state: an ended case, coverage denied, nothing payable, nothing to file…). ' +
        'The same rule the case desk offers its forms by; a command can still be refused for what the view does not ' +
        'show (the approver’s authority, a campaign still running). Strong ETag.',
      tags: ['cases'],
      auth: { roles: ['insured', 'handler', 'supervisor', 'ops', 'admin'] },
      params: CaseParamsSchema,
      responses: {
        200: { description: 'The actions and their availability', schema: CaseActionsSchema, name: 'CaseActions', headers: { ETag: 'strong' } },
        304: { description: 'Not modified' },
        401: problemResponse('No or unknown key'),
        404: problemResponse('No such case (or another insured’s)'),
        503: problemResponse('Temporal unreachable, or the case not yet opened by a worker (`case_starting`)'),
      },
      handle: async (req, res, { params: { caseId }, principal }) => {
        const view = await readView(ctx, caseId, firstQueryWaitMs(ctx));
        assertMayRead(principal, view);
        const actions = actionAvailability(principal.role, view).map((a) => (a.reason ? { ...a, text: ACTION_BLOCKS[a.reason] } : a));
        res.vary('Authorization');
        sendWithEtag(req, res, 200, { caseId, version: view.version ?? null, role: principal.role, actions });
      },
    }),
    ...actionRoutes(ctx),
    defineRoute({
      method: 'put',
      path: '/v1/cases/:caseId/affected-persons',
      operationId: 'putAffectedPersons',
      summary: 'Upload the affected persons',
      description:
        'CSV (UTF-8, or Shift_JIS/CP932 as Japanese Excel saves it) with a header row: name, and email and/or postal_address, optionally language (ja or en). ' +
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
        200: { description: 'Stored and attached', schema: PersonsUploadResultSchema, name: 'PersonsUploadResult', headers: CASE_TEXT_LANGUAGE_HEADER },
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not upload'),
        404: problemResponse('No such case (or another insured’s)'),
        409: problemResponse('Case closed, or notices already sent from an earlier list'),
        413: problemResponse('Larger than the limit'),
        415: problemResponse('Not text/csv'),
        422: problemResponse('Not a usable CSV, or no row accepted'),
        503: problemResponse('Recorded but not yet answered by the case, or Temporal unreachable'),
      },
      handle: async (req, res, { params: { caseId }, principal }) => uploadPersons(ctx, req, res, principal, caseId),
    }),
  ];
}
