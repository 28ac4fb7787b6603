/** The case action routes: one command route per action, each with its own body schema and roles. */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { z } from 'zod';
import { ACTION_ROLES } from '../domain/permissions.js';
import { ACTION_SCHEMAS, AssignBodySchema, type ApproveNoticeDraftBody, type RecordFilingBody } from '../domain/schemas.js';
import { ACTIONS, type Action } from '../domain/vocabulary.js';
import type { CaseView } from '../workflows/contract.js';
import { commandCase } from './case-commands.js';
import type { ApiContext } from './context.js';
import { prepareRecordFiling } from './filings.js';
import { prepareApproveNoticeDraft } from './notice-draft.js';
import { idempotencyKey } from './idempotency.js';
import { actorOf, type Principal } from './principals.js';
import { HttpProblem, problemResponse } from './problem.js';
import { defineRoute, type ResponseSpec, type RouteDef } from './route-kit.js';
import { CaseParamsSchema, CaseViewSchema } from './schemas.js';
import { closedOrMissing, describeCase } from './tenancy.js';
import { CASE_TEXT_LANGUAGE_HEADER, INSURED_VIEW_NOTE, sendCaseView } from './view-for-role.js';

const ACTION_DESCRIPTIONS: Record<Action, string> = {
  assign: 'Assign the case to a handler or supervisor (by principal name).',
  'decide-coverage': 'Record a coverage decision that overrides the computed one, with the reason.',
  consent: 'Give the insurer’s consent to a cost category (optionally capped, optionally for one vendor).',
  'record-findings': 'Record investigation findings; severity, exposure, coverage and obligations are recomputed.',
  'approve-notice': 'Approve the notice to affected persons, which starts the notification campaign.',
  'record-filing':
    'Record a regulatory filing, or that one is not required and why. Where the case drafts the filing (`GET .../filings`), `filingVersion` names the version filed (the current one when omitted; 412 when it is no longer current): the API keeps that version’s PDF in the blob store, unchanged from then on, and the timeline records its SHA-256 (`documentSha256` is set by the API).',
  'submit-costs': 'Submit cost items with evidence; the settlement is recomputed.',
  'approve-payout': 'Approve payable lines for payout, within the approver’s authority.',
  deny: 'Deny the claim, with the reason.',
  withdraw: 'Withdraw the case, with the reason.',
  close: 'Close the case, with the reason.',
  'confirm-findings':
    'Apply or discard a vendor’s findings held for confirmation (they lower the persons, move the occurrence date or lift a duty), with the reason.',
  'record-announcement':
    'Record a 公表 (public announcement: when, channel, URL), optionally with the enquiry desk persons can reach (phone, hours). When any person is unreachable (failed e-mail, returned letter), the case keeps a substitute-measure obligation until an announcement and an enquiry desk are recorded.',
  'approve-notice-draft':
    'Approve a version of the notice to persons in one language, on counsel’s behalf (`onBehalfOf`: counsel’s name); counsel itself approves through its webhook (`notice_approved`). The API keeps that version’s document in the blob store first (`documentKey` and `documentSha256` are set by the API); 412 when `version` is no longer the draft’s current one. A new edit needs a new approval; `approve-notice` sends the approved version.',
  'engage-vendor':
    'Engage a panel vendor for a role (`call_center`, `public_relations`, `credit_monitoring`, `recurrence_prevention`, `forensics`, `counsel`, `print_mail`): the one named by `vendorId`, or the next of the panel the case has not used. Where the policy asks for prior consent to the role’s cost category, a handler’s engagement is that consent; an insured’s waits in `vendorRequests` until a handler consents. Each role has an acknowledgement SLA; a vendor that misses it is replaced by the next on the panel. A call centre is also engaged by rule when more than 1,000 notices go out.',
  'update-prevention-measure':
    'Update a measure of the recurrence-prevention plan (`services.preventionPlan`): its status (`planned`, `in_progress`, `done`), and optionally its owner (a department, not a person) and due date; a measure not yet in the plan is added. A new due date re-arms the reminder e-mail sent a week before it. The final APPI report’s prevention item words the plan’s progress. Cases from before the plan answer 409.',
  reopen:
    'Reopen a closed or denied case, with the reason: it returns to the status it ended from and its clocks and settlement resume. Cases that ended before cases rested after closing, or whose retention period is over, answer 409 not_reopenable.',
};

async function refuseCompletedReopen(ctx: ApiContext, caseId: string, principal: Principal): Promise<void> {
  let d;
  try {
    d = await describeCase(ctx, principal, caseId);
  } catch {
    return;
  }
  if (d.status.name !== 'RUNNING') throw new HttpProblem(409, 'not_reopenable', { key: 'not_reopenable.case', params: { caseId } });
}

const STALE_FILING: Record<number, ResponseSpec> = { 412: problemResponse('filingVersion is not the filing’s current version (stale_version)') };
const STALE_NOTICE: Record<number, ResponseSpec> = { 412: problemResponse('version is not the notice draft’s current version (stale_version)') };
const NONE: Record<number, ResponseSpec> = {};

function schemaName(action: Action): string {
  return `${action.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}Body`;
}

/** A route per action, in the order of `ACTIONS`; `assign` first checks that the assignee may take cases. */
export function actionRoutes(ctx: ApiContext): RouteDef[] {
  return ACTIONS.map((action) =>
    action === 'assign'
      ? actionRoute(ctx, action, AssignBodySchema, ({ assignee }) => {
          const found = ctx.deps.principals.byName(assignee);
          if (!found || (found.role !== 'handler' && found.role !== 'supervisor')) {
            throw new HttpProblem(422, 'unknown_assignee', { key: 'unknown_assignee.role' }, [
              { path: '/assignee', message: 'no handler or supervisor of this name', code: 'unknown_assignee', in: 'body' },
            ]);
          }
        })
      : actionRoute(ctx, action, ACTION_SCHEMAS[action]),
  );
}

function actionRoute<S extends z.ZodType>(ctx: ApiContext, action: Action, schema: S, check?: (body: z.output<S>) => void): RouteDef {
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
      schema,
      name: schemaName(action),
      ...(action === 'approve-payout' ? { optional: true } : {}),
    },
    responses: {
      200: { description: `The case view after the command. ${INSURED_VIEW_NOTE}`, schema: CaseViewSchema, name: 'CaseView', headers: CASE_TEXT_LANGUAGE_HEADER },
      400: problemResponse('Invalid body'),
      401: problemResponse('No or unknown key'),
      403: problemResponse('Role may not run this action, or above authority'),
      404: problemResponse('No such case (or another insured’s)'),
      409: problemResponse(
        action === 'reopen' ? 'Not closed or denied, or (not_reopenable) its run has ended and it can no longer be reopened' : 'Not possible in the case’s current state',
      ),
      ...(action === 'record-filing' ? STALE_FILING : action === 'approve-notice-draft' ? STALE_NOTICE : NONE),
      415: problemResponse('Not JSON'),
      422: problemResponse('Refused by the case rules (e.g. consent missing, unknown assignee)'),
      503: problemResponse('Recorded but not yet answered by the case (repeat with the same Idempotency-Key), or Temporal unreachable'),
    },
    handle: async (req, res, { params: { caseId }, body, principal }) => {
      check?.(body);
      const key = idempotencyKey(req);
      let view: CaseView;
      try {
        // Scoped to the principal and action, so one caller's key can never replay another's command.
        const commandId = `${principal.name}:${action}:${key ?? randomUUID()}`;
        if (action === 'record-filing') {
          view = await recordFiling(ctx, principal, caseId, body as unknown as RecordFilingBody, commandId);
        } else if (action === 'approve-notice-draft') {
          const sent = await prepareApproveNoticeDraft(ctx, principal, caseId, body as unknown as ApproveNoticeDraftBody);
          view = await commandCase(ctx, caseId, { commandId, action, request: { actor: actorOf(principal), body: sent } });
        } else {
          view = await commandCase(ctx, caseId, { commandId, action, request: { actor: actorOf(principal), body } });
        }
      } catch (err) {
        // A closed case whose run completed (from before cases rested after closing, or past its retention) has no
        // live run to reopen: say so, to those who may see it.
        if (action === 'reopen' && err instanceof WorkflowNotFoundError) await refuseCompletedReopen(ctx, caseId, principal);
        return closedOrMissing(ctx, caseId, err, principal);
      }
      ctx.changes.bump(caseId);
      sendCaseView(req, res, 200, view, principal);
    },
  });
}

/**
 * `record-filing`: the filed version's document is kept first (prepareRecordFiling). A caller who named no version
 * files the current one; when the case's facts move it on between that read and the command (a vendor's findings
 * arrive, or another API instance changes it while this one's read is cached), the case refuses the stale version,
 * this process forgets its read and files the new current one, a few times at most. Each
 * version is its own command id, so a retried request with the same Idempotency-Key lands on the one that applied.
 */
async function recordFiling(ctx: ApiContext, principal: Principal, caseId: string, body: RecordFilingBody, commandId: string): Promise<CaseView> {
  const named = 'filingVersion' in body && body.filingVersion !== undefined;
  for (let attempt = 1; ; attempt++) {
    const sent = await prepareRecordFiling(ctx, principal, caseId, body);
    const version = 'filingVersion' in sent ? sent.filingVersion : undefined;
    const id = named || version === undefined ? commandId : `${commandId}:v${version}`;
    try {
      return await commandCase(ctx, caseId, { commandId: id, action: 'record-filing', request: { actor: actorOf(principal), body: sent } });
    } catch (err) {
      if (named || attempt >= 3 || !(err instanceof HttpProblem && err.code === 'stale_version')) throw err;
      // The case is ahead of what this process read (another API instance, or the case itself, moved it on while
      // the describe was cached): forget that read, so the next attempt sees the version the case refused us for.
      ctx.changes.bump(caseId);
    }
  }
}
