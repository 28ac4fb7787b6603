/**
 * The work queue (`GET /v1/work`): what waits on the calling handler or supervisor, each item with its due time.
 * Built from the case list and the read model in each case's memo (api/case-records.ts): one visibility listing,
 * never a query of a case, so the queue reads the same with every worker down.
 *
 * Whose an item is:
 * - a handler: the items of the open cases assigned to it, and of the open cases nobody is assigned to yet;
 * - a supervisor: the same for itself, and on every open case the payouts waiting for a supervisor's approval and
 *   the coverage decisions that passed their due time (escalated to supervisors by the case).
 */
import { TERMINAL_STATUSES, coverageDecisionDueAt } from '../domain/index.js';
import { CASE_WORKFLOW_TYPE, SA, type CaseView, type WorkMemo } from '../workflows/contract.js';
import { listCaseRecords } from './case-records.js';
import { listConsultations } from './consultations.js';
import type { ConsultationView } from '../workflows/consultation-contract.js';
import type { ApiContext } from './context.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { problemResponse } from './problem.js';
import { EmptyQuerySchema, WorkQueueSchema, type WorkItem } from './schemas.js';
import type { Principal } from './principals.js';

/** Regulators' filings show in the queue from this long before they are due (and while overdue). */
export const FILING_HORIZON_MS = 7 * 86_400_000;
/** Open cases the queue reads at most (100 a page); beyond it the answer says `X-Work-Truncated: true`. */
export const WORK_QUEUE_MAX_CASES = 5_000;

function mine(view: CaseView, who: Principal): boolean {
  return view.assignedTo === null || view.assignedTo === who.name;
}

/** The items of one case for `who` at `now` (pure). */
export function workItems(view: CaseView, work: WorkMemo, who: Principal, now: Date): WorkItem[] {
  if (TERMINAL_STATUSES.includes(view.status)) return [];
  const items: WorkItem[] = [];
  const at = now.getTime();
  const own = mine(view, who);
  const item = (task: WorkItem['task'], dueAt: string | null, extra: Partial<WorkItem> = {}): WorkItem => ({
    caseId: view.caseId,
    task,
    dueAt,
    overdue: dueAt !== null && Date.parse(dueAt) <= at,
    assignedTo: view.assignedTo,
    href: `/v1/cases/${view.caseId}`,
    ...extra,
  });

  if (view.coverage.decision === 'provisional' && !view.coverage.override) {
    const dueAt = view.coverage.decideBy ?? coverageDecisionDueAt(view.reportedAt);
    const escalated = work.coverageEscalatedAt !== undefined;
    if (own || (who.role === 'supervisor' && escalated)) {
      items.push(item('decide_coverage', dueAt, { escalated, ...(view.coverage.reasons.length ? { detail: view.coverage.reasons.join(',') } : {}) }));
    }
  }
  if (own) {
    const needConsent = [...new Set(view.settlement.lines.filter((l) => l.status === 'held' && l.reasons.includes('consent_missing')).map((l) => l.category))];
    for (const category of needConsent) items.push(item('consent', null, { detail: category }));
    for (const o of view.obligations) {
      if (o.audience !== 'regulator' || o.stillApplies === false) continue;
      if (o.status !== 'pending' && o.status !== 'overdue') continue;
      if (o.status === 'pending' && Date.parse(o.dueAt) - at > FILING_HORIZON_MS) continue;
      items.push(item('filing_due', o.dueAt, { detail: `${o.regime}:${o.kind}`, ...(o.status === 'overdue' ? { overdue: true } : {}) }));
    }
    const acknowledgedRoles = new Set(view.vendors.filter((e) => e.status === 'acknowledged').map((e) => e.role));
    for (const e of view.vendors) {
      if (!e.slaBreached || acknowledgedRoles.has(e.role)) continue;
      items.push(item('vendor_sla_breached', e.ackDueAt, { overdue: true, detail: `${e.role}:${e.vendorId}` }));
    }
  }
  if (who.role === 'supervisor') {
    for (const p of view.payouts) {
      if (p.status === 'awaiting_supervisor') items.push(item('approve_payout', null, { detail: p.payoutId, amountJpy: p.requestedJpy }));
    }
  }
  return items;
}

/**
 * A consultation nobody acknowledged yet (pure): every handler's (the on-call desk is shared) and every supervisor's.
 * `caseId` names the consultation (the item's key), `href` where to act on it.
 */
export function consultationItem(view: ConsultationView, now: Date): WorkItem | undefined {
  if (view.status !== 'open') return undefined;
  return {
    caseId: view.consultationId,
    consultationId: view.consultationId,
    task: 'consultation_ack',
    dueAt: view.ackDueAt,
    overdue: Date.parse(view.ackDueAt) <= now.getTime(),
    escalated: view.escalatedAt !== null,
    detail: view.policyNumber,
    assignedTo: null,
    href: `/v1/consultations/${view.consultationId}`,
  };
}

/** Overdue first, then by due time (none last), then by case. */
function byUrgency(a: WorkItem, b: WorkItem): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  if (a.dueAt !== b.dueAt) return a.dueAt === null ? 1 : b.dueAt === null ? -1 : a.dueAt < b.dueAt ? -1 : 1;
  return a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0;
}

export async function workQueue(ctx: ApiContext, who: Principal): Promise<{ items: WorkItem[]; truncated: boolean }> {
  // A handler needs only its cases and the unassigned ones; a supervisor's approvals and escalations are on any case.
  const names = who.role === 'supervisor' ? '' : ` AND (${SA.assignedTo.name} = '${who.name.replace(/['"\\]/g, '')}' OR ${SA.assignedTo.name} IS NULL)`;
  const query = `WorkflowType = '${CASE_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'${names}`;
  const { records, truncated } = listCaseRecords(ctx, query, WORK_QUEUE_MAX_CASES);
  const now = ctx.now();
  const items: WorkItem[] = [];
  for await (const r of records) if (r.view) items.push(...workItems(r.view, r.work, who, now));
  const open = await listConsultations(ctx, { status: 'open' });
  for (const view of open.views) {
    const item = consultationItem(view, now);
    if (item) items.push(item);
  }
  return { items: items.sort(byUrgency), truncated: truncated() || open.truncated };
}

export function workRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/work',
      operationId: 'getWorkQueue',
      summary: 'Read my work queue',
      description:
        'What waits on the caller: coverage to decide (due two Japanese business days after the report, `escalated` once ' +
        'the case told supervisors it passed), consents, regulators\u2019 filings due within 7 days or overdue, vendors that missed ' +
        'their acknowledgement SLA, consultations of the 24-hour desk waiting for an acknowledgement (`consultation_ack`, due 1 hour after ' +
        'opening, `caseId` and `consultationId` name the consultation, `escalated` once supervisors were told), and for supervisors the payouts above a handler\u2019s authority. A handler gets the items of its ' +
        'cases and of unassigned ones; a supervisor also the approvals and escalations of every case. Overdue first, then by ' +
        'due time. Read from the case list and each case\u2019s read model (lags a few seconds behind commands); ' +
        '`X-Work-Truncated: true` when more open cases exist than the queue reads.',
      tags: ['work'],
      auth: { roles: ['handler', 'supervisor'] },
      query: EmptyQuerySchema,
      responses: {
        200: { description: 'The queue, most urgent first', schema: WorkQueueSchema, name: 'WorkQueue', headers: { 'X-Work-Truncated': 'true or false' } },
        401: problemResponse('No or unknown key'),
        403: problemResponse('Not a handler or supervisor'),
      },
      handle: async (_req, res, { principal }) => {
        const { items, truncated } = await workQueue(ctx, principal);
        res.set('Cache-Control', 'private, no-cache');
        res.set('X-Work-Truncated', String(truncated));
        res.json(items);
      },
    }),
  ];
}
