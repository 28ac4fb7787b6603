/**
 * One leak, from the report to the last yen paid: the insurer's clock (triage, coverage, consent, costs, payout)
 * and the regulators' clocks (one deadline per obligation, reminders at 80 %, escalation when missed) in one
 * durable workflow. Every decision is a pure rule from domain/; every side effect is an activity; every human
 * decision is a command (a signal with the caller's id, see `commandSignal`) validated by the same rules the
 * Updates' validators apply; a refusal is the command's recorded outcome and changes nothing else.
 *
 * Handlers only change state and queue work; the main loop performs the work (e-mails, dispatches, payouts) so a
 * command's answer never waits on a vendor, and a crash between two steps resumes from recorded state.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CaseActivities, Recipient } from '../activities/contract.js';
import type { EmailMessage } from '../activities/email/render.js';
import {
  ACTION_SCHEMAS,
  IncidentReportSchema,
  WRONGFUL_PURPOSE_CAUSES,
  applyCoverageOverride,
  assessCoverage,
  computeExposure,
  computeObligations,
  computeReserve,
  computeSettlement,
  computeSeverity,
  isLiabilityCategory,
  mayAct,
  mergeObligations,
  requiredApprover,
  secondaryDamageRisk,
  type Action,
  type ApprovePayoutBody,
  type AssignBody,
  type CaseStatus,
  type Cause,
  type ConsentBody,
  type CostCategory,
  type DataItem,
  type DecideCoverageBody,
  type ApproveNoticeBody,
  type RecordFilingBody,
  type RecordFindingsBody,
  type ReasonBody,
  type SubmitCostsBody,
} from '../domain/index.js';
import {
  ATTACH_PERSONS,
  COMMAND_OUTCOMES_KEPT,
  SA,
  actionUpdates,
  attachPersonsUpdate,
  campaignProgressSignal,
  campaignWorkflowId,
  commandOutcomesQuery,
  commandSignal,
  commandStatusQuery,
  parseRefusal,
  refusalMessage,
  requestHashQuery,
  timelineQuery,
  vendorEventSignal,
  vendorEventUpdate,
  viewQuery,
  type ActionRequest,
  type Actor,
  type AttachPersonsRequest,
  type CaseCommand,
  type CaseInput,
  type CaseResult,
  type CaseState,
  type CaseView,
  type CommandOutcome,
  type ObligationView,
  type PanelVendor,
  type RefusalCode,
  type VendorEventInput,
} from './contract.js';
import { notificationCampaign } from './notification-campaign.js';
import { newCaseView } from './case-view.js';

const acts = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * Money leaves through here: a longer time-out, and the payment key makes every retry the same payment. The activities
 * heartbeat while their call is in flight, so an attempt whose worker died is retried within seconds, not minutes.
 */
const money = proxyActivities<Pick<CaseActivities, 'drawFromPolicy' | 'makePayment'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

const TERMINAL: readonly CaseStatus[] = ['closed', 'denied', 'withdrawn'];
const SEEN_EVENTS_KEPT = 1_000;

/**
 * Events after which a run continues as new even when Temporal does not suggest it yet. Workers keep no workflow cache
 * (see WORKER_MAX_CACHED_WORKFLOWS), so every task and query replays the run: this keeps that to a fraction of a
 * second. Behind a patch, because runs older than the bound would otherwise replay into a continue-as-new they never made.
 */
const RUN_HISTORY_EVENTS = 1_000;
const BOUNDED_RUN_PATCH = 'bounded-run-history';


function refuse(code: RefusalCode, text: string): never {
  throw new Error(refusalMessage(code, text));
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

export async function incidentCase(input: CaseInput): Promise<CaseResult> {
  const report = IncidentReportSchema.parse(input.report);
  const policy = input.policy;
  const s: CaseState = input.state ?? initialState(input);
  const v = s.view;
  /** Set by handlers and signals: the main loop looks again. */
  let dirty = false;
  let lastSearchAttributes = '';
  /**
   * True while a query checks a command. A query sees the workflow's clock as of its last task, which can be hours
   * old, so a rule about the time (a filing dated in the future) is left to the command's own arrival.
   */
  let checkingByQuery = false;


  // ---- helpers over state -------------------------------------------------------------------------------------

  function record(type: string, actor: string, summary: string): void {
    s.timeline.push({ at: nowIso(), type, actor, summary });
    dirty = true;
  }

  function setStatus(status: CaseStatus, actor: string, why: string): void {
    if (v.status === status) return;
    record('status', actor, `${v.status} → ${status}: ${why}`);
    v.status = status;
  }

  function queueEmail(purpose: string, to: Recipient, message: EmailMessage): void {
    s.outbox.push({ purpose, to, message });
    dirty = true;
  }

  function facts() {
    return {
      dataItems: v.dataItems as DataItem[],
      affectedPersons: v.affectedPersons,
      cause: v.cause as Cause,
      encrypted: report.encrypted,
      occurredAt: v.occurredAt,
      residency: s.findings.residency ?? report.residency ?? {},
      wrongfulPurpose: s.findings.wrongfulPurpose ?? WRONGFUL_PURPOSE_CAUSES.includes(v.cause as Cause),
    };
  }

  /** Severity, exposure, reserve, coverage and obligations from the current facts; deadlines only move earlier. */
  function assess(actor: string, why: string): void {
    const f = facts();
    const severity = computeSeverity({
      affectedPersons: f.affectedPersons,
      dataItems: f.dataItems,
      cause: f.cause,
      encrypted: f.encrypted,
    });
    v.severity = severity.severity;
    v.severityReasons = severity.reasons;
    const exposure = computeExposure({
      dataItems: f.dataItems,
      persons: f.affectedPersons,
      socialResponsibility: policy.socialResponsibility,
    });
    v.exposure = {
      perPersonJpy: exposure.perPersonJpy,
      persons: exposure.persons,
      totalJpy: exposure.totalJpy,
      factors: exposure.factors,
    };
    const reserve = computeReserve({ policy, affectedPersons: f.affectedPersons, exposure, severity: severity.severity });
    v.reserve = { totalJpy: reserve.totalJpy, byCategory: reserve.byCategory };
    const computed = assessCoverage(policy, {
      discoveredAt: v.discoveredAt,
      occurredAt: f.occurredAt,
      circumstances: report.circumstances,
    });
    const override = v.coverage.override;
    v.coverage = {
      decision: override ? (override.decision as 'covered' | 'denied') : computed.decision,
      reasons: computed.reasons,
      explanations: computed.explanations,
      facts: Object.entries(computed.facts).map(([k, val]) => `${k}: ${val}`),
      computed: { decision: computed.decision, reasons: computed.reasons },
      ...(override ? { override } : {}),
    };
    const recomputed = computeObligations({
      awareAt: v.discoveredAt,
      dataItems: f.dataItems,
      affectedPersons: f.affectedPersons,
      residency: f.residency,
      cause: f.cause,
      encrypted: f.encrypted,
      wrongfulPurpose: f.wrongfulPurpose,
      notifiableDecidedAt: v.reportedAt,
    });
    const merged = mergeObligations(v.obligations as never, recomputed) as unknown as ObligationView[];
    v.obligations = merged.map((o) => {
      const before = v.obligations.find((p) => p.id === o.id);
      return { ...o, ...(before?.reminded ? { reminded: true } : {}), ...(before?.missedAt ? { missedAt: before.missedAt } : {}) };
    });
    recomputeSettlement();
    record('assessment', actor, `${why}: severity ${v.severity}, coverage ${v.coverage.decision}, ${v.obligations.length} obligations`);
  }

  function recomputeSettlement(): void {
    const paidLines = v.settlement.lines.filter((l) => l.status === 'paid' || l.status === 'approved');
    const paidIds = new Set(paidLines.map((l) => l.lineId));
    const open = s.costItems.filter((i) => !paidIds.has(i.lineId));
    const byCategory: Partial<Record<CostCategory, number>> = {};
    let responseJpy = 0;
    let liabilityJpy = 0;
    for (const l of paidLines) {
      const amount = l.paidJpy ?? l.payableJpy;
      byCategory[l.category] = (byCategory[l.category] ?? 0) + amount;
      if (isLiabilityCategory(l.category)) liabilityJpy += amount;
      else responseJpy += amount;
    }
    const paid = { responseJpy, liabilityJpy, byCategory };
    const result = computeSettlement({
      policy,
      consents: v.consents.map((c) => ({
        category: c.category as CostCategory,
        ...(c.limitJpy !== undefined ? { limitJpy: c.limitJpy } : {}),
        ...(c.vendorId ? { vendorId: c.vendorId } : {}),
      })),
      items: open.map((i) => ({
        lineId: i.lineId,
        category: i.category,
        amountJpy: i.amountJpy,
        evidenceRef: i.evidenceRef,
        ...(i.persons !== undefined ? { persons: i.persons } : {}),
      })),
      paid: { incident: paid, period: paid },
    });
    const evidence = new Map(s.costItems.map((i) => [i.lineId, i.evidenceRef]));
    v.settlement.lines = [
      ...paidLines,
      ...result.lines.map((l) => ({ ...l, evidenceRef: evidence.get(l.lineId) ?? '' })),
    ];
    v.settlement.payableJpy = result.lines.filter((l) => l.status === 'payable').reduce((a, l) => a + l.payableJpy, 0);
    v.settlement.heldJpy = result.lines.filter((l) => l.status === 'held').reduce((a, l) => a + l.claimedJpy, 0);
    v.settlement.paidJpy = v.settlement.lines.reduce((a, l) => a + (l.status === 'paid' ? (l.paidJpy ?? 0) : 0), 0);
  }

  function refreshDeadlines(): void {
    const pending = v.obligations.filter((o) => o.status === 'pending' || o.status === 'overdue');
    const next = pending
      .filter((o) => o.status === 'pending' && o.stillApplies !== false)
      .map((o) => o.dueAt)
      .sort()[0];
    v.nextDeadline = next ?? null;
    v.overdue = v.obligations.some((o) => o.status === 'overdue');
  }

  function syncSearchAttributes(): void {
    refreshDeadlines();
    const values = {
      status: v.status,
      severity: v.severity,
      next: v.nextDeadline,
      overdue: v.overdue,
      overdueCount: v.obligations.filter((o) => o.status === 'overdue').length,
      sla: v.vendors.filter((e) => e.slaBreached).length,
      assignee: v.assignedTo,
    };
    const key = JSON.stringify(values);
    if (key === lastSearchAttributes) return;
    lastSearchAttributes = key;
    upsertSearchAttributes([
      { key: SA.status, value: values.status },
      { key: SA.severity, value: values.severity },
      { key: SA.nextDeadline, value: values.next ? new Date(values.next) : null },
      { key: SA.overdue, value: values.overdue },
      { key: SA.overdueObligations, value: values.overdueCount },
      { key: SA.slaBreaches, value: values.sla },
      { key: SA.assignedTo, value: values.assignee },
    ]);
  }

  function handlerRecipient(): Recipient {
    return v.assignedTo ? { kind: 'principal', name: v.assignedTo } : { kind: 'role', role: 'handler' };
  }

  const insuredContact: Recipient = { kind: 'address', address: report.contact.email, key: `insured:${v.insuredId}` };
  const language = 'ja' as const;

  function denialLetter(): EmailMessage {
    const o = v.coverage.override;
    return {
      kind: 'denial_letter',
      language,
      recipientName: report.contact.name,
      insuredName: policy.insuredName,
      caseId: v.caseId,
      policyNumber: v.policyNumber,
      decidedAt: nowIso(),
      reasons: o
        ? [{ code: 'handler_decision', explanation: o.reason, facts: [`decided by ${o.by} at ${o.at}`] }]
        : v.coverage.reasons.map((code, i) => ({
            code,
            explanation: v.coverage.explanations[i] ?? code,
            facts: v.coverage.facts,
          })),
      handler: { name: v.assignedTo ?? 'Claims team' },
    };
  }

  function deadlineItem(o: ObligationView) {
    return { regime: o.regime, kind: o.kind, dueAt: o.dueAt, audience: o.audience, target: !o.legalDeadline };
  }

  function assignmentMail(assignee: string, by: string): EmailMessage {
    const next = v.obligations.filter((o) => o.status === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
    return {
      kind: 'handler_assignment',
      language,
      recipientName: assignee,
      caseId: v.caseId,
      insuredName: policy.insuredName,
      policyNumber: v.policyNumber,
      severity: v.severity,
      assignedAt: nowIso(),
      assignedBy: by,
      affectedPersons: v.affectedPersons,
      ...(next ? { nextDeadline: deadlineItem(next) } : {}),
    };
  }

  function deny(actor: string, why: string): void {
    setStatus('denied', actor, why);
    queueEmail('denial', insuredContact, denialLetter());
  }

  // ---- commands -----------------------------------------------------------------------------------------------

  function authorise(action: Action, request: ActionRequest): void {
    const { actor } = request;
    if (actor.role === 'insured' && actor.insuredId !== v.insuredId) refuse('not_found', `case ${v.caseId} not found`);
    if (!mayAct(actor.role, action)) refuse('forbidden', `role ${actor.role} may not ${action}`);
    if (TERMINAL.includes(v.status)) refuse('wrong_state', `case is ${v.status}`);
    const parsed = ACTION_SCHEMAS[action].safeParse(request.body);
    if (!parsed.success) refuse('invalid', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }

  function body<B>(action: Action, request: ActionRequest): B {
    return ACTION_SCHEMAS[action].parse(request.body) as B;
  }

  /** GDPR has a `notice` for the regulator and one for persons: the audience, when given, tells them apart. */
  function obligationFor(b: RecordFilingBody): ObligationView | undefined {
    const audience = (b as { audience?: string }).audience;
    const matching = v.obligations.filter((x) => x.regime === b.regime && x.kind === b.kind && (!audience || x.audience === audience));
    return matching.find((x) => x.status === 'pending' || x.status === 'overdue') ?? matching[0];
  }

  function payoutTotal(lineIds: string[] | undefined): { ids: string[]; total: number } {
    const payable = v.settlement.lines.filter((l) => l.status === 'payable' && l.payableJpy > 0);
    const chosen = lineIds ? payable.filter((l) => lineIds.includes(l.lineId)) : payable;
    return { ids: chosen.map((l) => l.lineId), total: chosen.reduce((a, l) => a + l.payableJpy, 0) };
  }

  const validators: Record<Action, (r: ActionRequest) => void> = {
    assign: () => undefined,
    'decide-coverage': (r) => {
      const b = body<DecideCoverageBody>('decide-coverage', r);
      if (b.decision === 'covered' && v.status === 'settlement' && v.coverage.decision === 'covered') {
        refuse('nothing_to_do', 'coverage is already covered');
      }
    },
    consent: () => undefined,
    'record-findings': () => undefined,
    'approve-notice': () => {
      if (v.coverage.decision === 'denied') refuse('wrong_state', 'coverage is denied');
      if (v.notice.approved) refuse('nothing_to_do', 'the notice is already approved');
    },
    'record-filing': (r) => {
      const b = body<RecordFilingBody>('record-filing', r);
      const o = obligationFor(b);
      if (!o) refuse('not_found', `no ${b.regime} ${b.kind} obligation on this case`);
      if (o.status === 'done' || o.status === 'not_required') refuse('nothing_to_do', `${o.id} is already ${o.status}`);
      if ('filedAt' in b && !checkingByQuery && Date.parse(b.filedAt) > Date.now() + 5 * 60_000) refuse('invalid', 'filedAt is in the future');
    },
    'submit-costs': (r) => {
      if (v.coverage.decision === 'denied') refuse('wrong_state', 'coverage is denied');
      const b = body<SubmitCostsBody>('submit-costs', r);
      const known = new Set(s.costItems.map((i) => i.evidenceRef + '|' + i.category + '|' + i.amountJpy));
      if (b.items.every((i) => known.has(i.evidenceRef + '|' + i.category + '|' + i.amountJpy))) {
        refuse('duplicate', 'every item was submitted before (same evidence, category and amount)');
      }
    },
    'approve-payout': (r) => {
      if (v.coverage.decision !== 'covered') refuse('wrong_state', `coverage is ${v.coverage.decision}`);
      const b = body<ApprovePayoutBody>('approve-payout', r);
      const waiting = v.payouts.find((p) => p.status === 'awaiting_supervisor');
      if (waiting) {
        const decision = requiredApprover(waiting.requestedJpy, {
          role: r.actor.role,
          authorityLimitJpy: r.actor.authorityLimitJpy ?? 0,
        });
        if (!decision.allowed || r.actor.role !== 'supervisor') {
          refuse('over_authority', `payout ${waiting.payoutId} awaits a supervisor: ${decision.reason}`);
        }
        return;
      }
      const { ids, total } = payoutTotal(b.lineIds);
      if (b.lineIds && ids.length !== b.lineIds.length) refuse('invalid', 'some lineIds are not payable');
      if (ids.length === 0 || total === 0) {
        const held = v.settlement.lines.find((l) => l.status === 'held');
        if (held) refuse('consent_missing', `nothing payable; line ${held.lineId} is held: ${held.reasons.join(', ')}`);
        refuse('nothing_to_do', 'no payable lines');
      }
      if (r.actor.role === 'supervisor') {
        const d = requiredApprover(total, { role: r.actor.role, authorityLimitJpy: r.actor.authorityLimitJpy ?? 0 });
        if (!d.allowed) refuse('over_authority', d.reason);
      }
    },
    deny: () => undefined,
    withdraw: () => {
      if (v.payouts.some((p) => p.status === 'paid')) refuse('wrong_state', 'a payout was made; close the case instead');
    },
    close: () => {
      const open = v.obligations.filter((o) => o.status === 'pending' || o.status === 'overdue');
      if (open.length > 0) refuse('wrong_state', `obligations still open: ${open.map((o) => o.id).join(', ')}`);
      if (s.campaignRunning) refuse('wrong_state', 'the notification campaign is still running');
      if (v.payouts.some((p) => p.status === 'approved' || p.status === 'awaiting_supervisor')) {
        refuse('wrong_state', 'a payout is still in progress');
      }
      const unpaid = v.settlement.lines.filter((l) => l.status === 'payable' && l.payableJpy > 0);
      if (unpaid.length > 0) refuse('wrong_state', `payable lines not yet paid: ${unpaid.map((l) => l.lineId).join(', ')}`);
    },
  };

  const handlers: Record<Action, (r: ActionRequest) => void> = {
    assign: (r) => {
      const b = body<AssignBody>('assign', r);
      v.assignedTo = b.assignee;
      record('assign', r.actor.name, `assigned to ${b.assignee}`);
      queueEmail(`assignment:${b.assignee}`, { kind: 'principal', name: b.assignee }, assignmentMail(b.assignee, r.actor.name));
    },
    'decide-coverage': (r) => {
      const b = body<DecideCoverageBody>('decide-coverage', r);
      const computed = assessCoverage(policy, {
        discoveredAt: v.discoveredAt,
        occurredAt: v.occurredAt,
        circumstances: report.circumstances,
      });
      const decided = applyCoverageOverride(computed, { decision: b.decision, reason: b.reason, by: r.actor.name, at: nowIso() });
      v.coverage.override = decided.override ?? undefined;
      v.coverage.decision = decided.effective.decision as 'covered' | 'denied';
      record('coverage', r.actor.name, `coverage decided ${b.decision} (computed ${v.coverage.computed?.decision}): ${b.reason}`);
      if (b.decision === 'denied') deny(r.actor.name, 'coverage denied by decision');
      else if (v.status === 'triage' || v.status === 'reported') setStatus('response', r.actor.name, 'coverage confirmed');
      recomputeSettlement();
    },
    consent: (r) => {
      const b = body<ConsentBody>('consent', r);
      v.consents.push({ ...b, by: r.actor.name, at: nowIso() });
      record('consent', r.actor.name, `consent to ${b.category}${b.limitJpy !== undefined ? ` up to ${b.limitJpy} JPY` : ''}`);
      recomputeSettlement();
    },
    'record-findings': (r) => {
      applyFindings(body<RecordFindingsBody>('record-findings', r), r.actor.name);
    },
    'approve-notice': (r) => {
      const b = body<ApproveNoticeBody>('approve-notice', r);
      v.notice = { approved: true, language: b.language, templateVersion: b.templateVersion ?? 'v1', approvedBy: r.actor.name, approvedAt: nowIso() };
      record('notice', r.actor.name, `notice text approved (${b.language}, ${v.notice.templateVersion})`);
    },
    'record-filing': (r) => {
      const b = body<RecordFilingBody>('record-filing', r);
      const o = obligationFor(b)!;
      if ('notRequired' in b) {
        o.status = 'not_required';
        o.notRequiredReason = b.notRequired;
        record('filing', r.actor.name, `${o.id} recorded as not required: ${b.notRequired}`);
      } else {
        o.status = 'done';
        o.filedAt = b.filedAt;
        if (b.reference) o.reference = b.reference;
        record('filing', r.actor.name, `${o.id} filed at ${b.filedAt}${o.missedAt ? ' (late)' : ''}`);
      }
    },
    'submit-costs': (r) => {
      const b = body<SubmitCostsBody>('submit-costs', r);
      for (const item of b.items) {
        s.lineNo += 1;
        s.costItems.push({
          lineId: `L${s.lineNo}`,
          category: item.category,
          amountJpy: item.amountJpy,
          evidenceRef: item.evidenceRef,
          ...(item.persons !== undefined ? { persons: item.persons } : {}),
          ...(item.description ? { description: item.description } : {}),
          submittedBy: r.actor.name,
          submittedAt: nowIso(),
        });
      }
      record('costs', r.actor.name, `${b.items.length} cost item(s) submitted`);
      recomputeSettlement();
      if (v.status === 'response') setStatus('settlement', r.actor.name, 'costs submitted');
    },
    'approve-payout': (r) => {
      const waiting = v.payouts.find((p) => p.status === 'awaiting_supervisor');
      if (waiting) {
        waiting.status = 'approved';
        waiting.approvedBy.push(r.actor.name);
        record('payout', r.actor.name, `payout ${waiting.payoutId} of ${waiting.requestedJpy} JPY approved by supervisor`);
        return;
      }
      const b = body<ApprovePayoutBody>('approve-payout', r);
      const { ids, total } = payoutTotal(b.lineIds);
      s.payoutNo += 1;
      const payoutId = `${v.caseId}-P${s.payoutNo}`;
      const d = requiredApprover(total, { role: r.actor.role, authorityLimitJpy: r.actor.authorityLimitJpy ?? 0 });
      const status = d.allowed ? 'approved' : 'awaiting_supervisor';
      v.payouts.push({ payoutId, lineIds: ids, requestedJpy: total, status, approvedBy: [r.actor.name] });
      for (const line of v.settlement.lines) if (ids.includes(line.lineId)) line.status = 'approved';
      record(
        'payout',
        r.actor.name,
        d.allowed
          ? `payout ${payoutId} of ${total} JPY approved`
          : `payout ${payoutId} of ${total} JPY exceeds ${r.actor.name}'s authority: awaits a supervisor`,
      );
      if (!d.allowed) {
        const largest = v.settlement.lines.filter((l) => ids.includes(l.lineId)).sort((a, b) => b.payableJpy - a.payableJpy)[0];
        queueEmail(`payout-approval:${payoutId}`, { kind: 'role', role: 'supervisor' }, {
          kind: 'consent_request',
          language,
          recipientName: 'supervisor',
          caseId: v.caseId,
          category: largest?.category ?? 'forensic_investigation',
          amountJpy: total,
          vendor: { name: `payout ${payoutId}`, panel: true },
          requestedBy: r.actor.name,
          requestedAt: nowIso(),
          note: `payout of ${total} JPY exceeds ${r.actor.name}'s authority and awaits a supervisor's approval`,
        });
      }
      if (v.status === 'response') setStatus('settlement', r.actor.name, 'payout approved');
    },
    deny: (r) => {
      const b = body<ReasonBody>('deny', r);
      v.coverage.override = { decision: 'denied', reason: b.reason, by: r.actor.name, at: nowIso() };
      v.coverage.decision = 'denied';
      deny(r.actor.name, b.reason);
    },
    withdraw: (r) => {
      const b = body<ReasonBody>('withdraw', r);
      v.closeReason = b.reason;
      v.closedAt = nowIso();
      setStatus('withdrawn', r.actor.name, b.reason);
    },
    close: (r) => {
      const b = body<ReasonBody>('close', r);
      v.closeReason = b.reason;
      v.closedAt = nowIso();
      setStatus('closed', r.actor.name, b.reason);
    },
  };

  function validateAction(action: Action, request: ActionRequest): void {
    authorise(action, request);
    validators[action](request);
  }

  function applyAction(action: Action, request: ActionRequest): CaseView {
    handlers[action](request);
    syncSearchAttributes();
    return v;
  }

  for (const action of Object.keys(actionUpdates) as Action[]) {
    setHandler(actionUpdates[action], (request) => applyAction(action, request), {
      validator: (request) => validateAction(action, request),
    });
  }

  function applyFindings(f: RecordFindingsBody & { wrongfulPurpose?: boolean }, actor: string): void {
    const changes: string[] = [];
    if (f.affectedPersons !== undefined && f.affectedPersons !== v.affectedPersons) {
      changes.push(`persons ${v.affectedPersons} → ${f.affectedPersons}`);
      v.affectedPersons = f.affectedPersons;
    }
    if (f.dataItems && f.dataItems.length > 0) {
      const merged = [...new Set([...v.dataItems, ...f.dataItems])];
      if (merged.length !== v.dataItems.length) changes.push(`data items + ${merged.filter((i) => !v.dataItems.includes(i)).join(', ')}`);
      v.dataItems = merged;
    }
    if (f.occurredAt !== undefined && f.occurredAt !== v.occurredAt) {
      changes.push(`occurred at ${f.occurredAt}`);
      v.occurredAt = f.occurredAt;
      s.findings.occurredAt = f.occurredAt;
    }
    if (f.cause && f.cause !== v.cause) {
      changes.push(`cause ${v.cause} → ${f.cause}`);
      v.cause = f.cause;
    }
    if (f.wrongfulPurpose !== undefined) {
      s.findings.wrongfulPurpose = f.wrongfulPurpose;
      changes.push(`wrongful purpose ${f.wrongfulPurpose ? 'confirmed' : 'ruled out'}`);
    }
    if (f.residency) {
      s.findings.residency = { ...(s.findings.residency ?? report.residency ?? {}), ...f.residency };
      changes.push('residency updated');
    }
    record('findings', actor, changes.length > 0 ? `findings: ${changes.join('; ')}` : 'findings recorded (no change)');
    const before = v.coverage.decision;
    assess(actor, 'recomputed after findings');
    if (before !== 'denied' && v.coverage.decision === 'denied' && !TERMINAL.includes(v.status)) {
      deny(actor, `coverage denied on findings: ${v.coverage.reasons.join(', ')}`);
    } else if (before === 'provisional' && v.coverage.decision === 'covered') {
      record('coverage', actor, 'coverage confirmed: forensics dated the occurrence');
    }
  }

  // ---- messages from the API and the campaign ------------------------------------------------------------------

  function validateAttachPersons({ actor }: AttachPersonsRequest): void {
    if (actor.role === 'insured' && actor.insuredId !== v.insuredId) refuse('not_found', `case ${v.caseId} not found`);
    if (!['insured', 'handler', 'supervisor'].includes(actor.role)) refuse('forbidden', `role ${actor.role} may not upload`);
    if (TERMINAL.includes(v.status)) refuse('wrong_state', `case is ${v.status}`);
    if (s.campaignRunning || s.campaignNo > 0) refuse('wrong_state', 'notices were already sent from an earlier list');
  }

  function attachPersons({ actor, ref }: AttachPersonsRequest): CaseView {
    v.affectedPersonsList = {
      uploadId: ref.uploadId,
      accepted: ref.accepted,
      withEmail: ref.withEmail,
      withoutEmail: ref.withoutEmail,
      duplicates: ref.duplicates,
      rejected: ref.rejected,
      checksum: ref.checksum,
    };
    s.personsRef = ref;
    record('persons', actor.name, `affected-person list attached: ${ref.accepted} persons (${ref.duplicates} duplicates, ${ref.rejected} rejected)`);
    syncSearchAttributes();
    return v;
  }

  setHandler(attachPersonsUpdate, attachPersons, { validator: validateAttachPersons });

  // ---- human commands as signals (what the API sends; see `commandSignal`) --------------------------------------

  /** The refusal of a command on the current state (`code: text`), or null when the case would take it. */
  function checkCommand(command: Omit<CaseCommand, 'commandId'>): string | null {
    try {
      if (command.action === ATTACH_PERSONS) validateAttachPersons(command.request as AttachPersonsRequest);
      else if (command.action in actionUpdates) validateAction(command.action, command.request as ActionRequest);
      else refuse('invalid', `unknown command ${String(command.action)}`);
      return null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // Validators refuse with a reason code. Anything else (a body the API should have refused) is refused as
      // invalid too: a signal that threw would fail every replay of the case, where an Update would merely reject.
      return parseRefusal(message) ? message : refusalMessage('invalid', message);
    }
  }

  function commandOutcome(commandId: string): CommandOutcome | null {
    return (s.commands ?? []).find((c) => c.commandId === commandId) ?? null;
  }

  setHandler(commandSignal, (command) => {
    // A command id seen before (the API retrying, or a caller reusing its Idempotency-Key) is answered, not rerun.
    if (commandOutcome(command.commandId)) return;
    let refusal = checkCommand(command);
    if (refusal === null) {
      try {
        if (command.action === ATTACH_PERSONS) attachPersons(command.request as AttachPersonsRequest);
        else applyAction(command.action, command.request as ActionRequest);
      } catch (err) {
        // A handler that throws after its validator passed is a bug; the case must still go on (see above).
        log.error('command failed after validation', { caseId: v.caseId, action: command.action, error: String(err) });
        refusal = refusalMessage('invalid', 'the command could not be applied');
      }
    }
    const commands = (s.commands ??= []);
    commands.push({ commandId: command.commandId, applied: refusal === null, ...(refusal !== null ? { refusal } : {}) });
    if (commands.length > COMMAND_OUTCOMES_KEPT) commands.splice(0, commands.length - COMMAND_OUTCOMES_KEPT);
  });
  setHandler(commandOutcomesQuery, () => ({ outcomes: s.commands ?? [], view: v }));
  setHandler(commandStatusQuery, (command) => {
    const outcome = commandOutcome(command.commandId);
    if (outcome) return { outcome, refusal: null, view: v };
    checkingByQuery = true;
    try {
      return { outcome, refusal: checkCommand(command), view: v };
    } finally {
      checkingByQuery = false;
    }
  });

  function vendorEngaged(vendorId: string): boolean {
    return v.vendors.some((e) => e.vendorId === vendorId);
  }

  /** Remembers an event id; false when it was seen before (a redelivery, which changes nothing). */
  function firstSighting(eventId: string): boolean {
    if (s.seenEventIds.includes(eventId)) return false;
    s.seenEventIds.push(eventId);
    if (s.seenEventIds.length > SEEN_EVENTS_KEPT) s.seenEventIds.shift();
    return true;
  }

  /** A vendor event from an engaged vendor, shared by the signal and the legacy Update; false for a redelivery. */
  function receiveVendorEvent(event: VendorEventInput): boolean {
    if (!firstSighting(event.eventId)) return false;
    applyVendorEvent(event);
    syncSearchAttributes();
    return true;
  }

  // How the API delivers vendor webhooks. A signal cannot be refused, so an event from a vendor that is not engaged
  // is ignored here, with a trace on the timeline (once: a redelivery of it is a duplicate like any other).
  setHandler(vendorEventSignal, (event) => {
    if (vendorEngaged(event.vendorId)) {
      receiveVendorEvent(event);
      return;
    }
    if (!firstSighting(event.eventId)) return;
    record('vendor', `vendor:${event.vendorId}`, `${event.type} event ignored: vendor ${event.vendorId} is not engaged on this case`);
  });

  // The earlier delivery, kept for the cases that received it (their histories replay it); the API no longer sends it.
  setHandler(
    vendorEventUpdate,
    (event) => ({ accepted: true, duplicate: !receiveVendorEvent(event) }),
    {
      validator: (event) => {
        if (!vendorEngaged(event.vendorId)) refuse('not_found', `vendor ${event.vendorId} is not engaged on this case`);
      },
    },
  );

  function applyVendorEvent(event: VendorEventInput): void {
    const engagement = v.vendors.find((e) => (event.dispatchId ? e.dispatchId === event.dispatchId : e.vendorId === event.vendorId));
    const who = `vendor:${event.vendorId}`;
    switch (event.type) {
      case 'acknowledged':
        if (engagement && engagement.status === 'dispatched') {
          engagement.status = 'acknowledged';
          engagement.acknowledgedAt = event.at;
          record('vendor', who, `${engagement.role} ${event.vendorId} acknowledged`);
        } else record('vendor', who, 'late acknowledgement ignored (vendor already replaced)');
        break;
      case 'advice':
        v.counselAdvice.push({ at: event.at, vendorId: event.vendorId, advice: event.advice ?? '' });
        record('counsel', who, 'counsel advice recorded');
        break;
      case 'findings':
        applyFindings(
          {
            ...(event.findings?.affectedPersons !== undefined ? { affectedPersons: event.findings.affectedPersons } : {}),
            ...(event.findings?.dataItems ? { dataItems: event.findings.dataItems as DataItem[] } : {}),
            ...(event.findings?.occurredAt ? { occurredAt: event.findings.occurredAt } : {}),
            ...(event.findings?.cause ? { cause: event.findings.cause as Cause } : {}),
            ...(event.findings?.residency ? { residency: event.findings.residency } : {}),
            ...(event.findings?.wrongfulPurpose !== undefined ? { wrongfulPurpose: event.findings.wrongfulPurpose } : {}),
          } as RecordFindingsBody & { wrongfulPurpose?: boolean },
          who,
        );
        break;
      case 'invoice':
        if (engagement && event.amountJpy) engagement.invoicedJpy += event.amountJpy;
        if (event.amountJpy && event.category && v.coverage.decision !== 'denied') {
          s.lineNo += 1;
          s.costItems.push({
            lineId: `L${s.lineNo}`,
            category: event.category as CostCategory,
            amountJpy: event.amountJpy,
            evidenceRef: event.evidenceRef ?? `invoice:${event.eventId}`,
            description: `panel vendor ${event.vendorId} invoice`,
            submittedBy: who,
            submittedAt: event.at,
          });
          if (!v.consents.some((c) => c.category === event.category && c.vendorId === event.vendorId)) {
            // Panel vendors are pre-consented (domain.md section 7).
            v.consents.push({ category: event.category, vendorId: event.vendorId, note: 'panel vendor', by: 'panel', at: event.at });
          }
          record('costs', who, `invoice of ${event.amountJpy} JPY added as a cost item`);
          recomputeSettlement();
        }
        break;
      case 'letters_mailed':
        record('notification', who, `${event.count ?? 0} letters mailed`);
        break;
    }
  }

  setHandler(campaignProgressSignal, (p) => {
    if (p.campaignNo !== s.campaignNo) return;
    v.notifications = { total: p.total, sent: p.sent, failed: p.failed, letters: p.letters, status: p.done ? 'done' : 'sending' };
    if (p.done) {
      s.campaignRunning = false;
      record('notification', 'campaign', `campaign ${p.campaignNo} done: ${p.sent} e-mails, ${p.letters} letters, ${p.failed} failed`);
      for (const o of v.obligations) {
        if (o.audience === 'persons' && (o.status === 'pending' || o.status === 'overdue')) {
          o.status = 'done';
          o.filedAt = nowIso();
          o.reference = campaignWorkflowId(v.caseId, p.campaignNo);
        }
      }
    }
    dirty = true;
  });

  setHandler(viewQuery, () => v);
  setHandler(timelineQuery, () => s.timeline);
  setHandler(requestHashQuery, () => input.requestHash);

  // ---- the work the main loop does ----------------------------------------------------------------------------

  async function flushOutbox(): Promise<void> {
    while (s.outbox.length > 0) {
      const mail = s.outbox[0]!;
      try {
        await acts.sendEmail({ caseId: v.caseId, purpose: mail.purpose, to: mail.to, message: mail.message });
      } catch (err) {
        // A permanent failure (bad address) is recorded and the case goes on; transient ones were retried already.
        record('email', 'system', `e-mail ${mail.purpose} not delivered: ${(err as Error).message}`);
      }
      s.outbox.shift();
    }
  }

  function nextPanelVendor(role: PanelVendor['role']): PanelVendor | undefined {
    const used = new Set(v.vendors.filter((e) => e.role === role).map((e) => e.vendorId));
    return s.panel.find((p) => p.role === role && !used.has(p.vendorId));
  }

  async function dispatch(role: PanelVendor['role'], actor: string): Promise<void> {
    const vendor = nextPanelVendor(role);
    if (!vendor) {
      record('vendor', actor, `no ${role} vendor left on the panel: the handler must engage one`);
      return;
    }
    const dispatchId = `${v.caseId}-${role}-${v.vendors.length + 1}`;
    const at = nowIso();
    v.vendors.push({
      dispatchId,
      vendorId: vendor.vendorId,
      role,
      dispatchedAt: at,
      ackDueAt: new Date(Date.now() + input.settings.vendorAckSlaMs).toISOString(),
      status: 'dispatched',
      slaBreached: false,
      invoicedJpy: 0,
    });
    record('vendor', actor, `${role} ${vendor.name} (${vendor.vendorId}) dispatched`);
    await acts.dispatchVendor({
      caseId: v.caseId,
      dispatchId,
      vendorId: vendor.vendorId,
      role,
      brief: { cause: v.cause as Cause, dataItems: v.dataItems as DataItem[], affectedPersons: v.affectedPersons },
    });
  }

  async function checkVendorSlas(): Promise<void> {
    for (const e of [...v.vendors]) {
      if (e.status === 'dispatched' && Date.parse(e.ackDueAt) <= Date.now()) {
        e.status = 'replaced';
        e.slaBreached = true;
        record('vendor', 'system', `${e.role} ${e.vendorId} missed its acknowledgement SLA: replaced`);
        await dispatch(e.role, 'system');
      }
    }
  }

  function checkClocks(): void {
    const now = Date.now();
    for (const o of v.obligations) {
      // Facts can stop triggering an obligation; it stays on the case for a handler to record as not required,
      // but nobody is reminded of or escalated for it.
      if (o.status !== 'pending' || o.stillApplies === false) continue;
      if (!o.reminded && Date.parse(o.remindAt) <= now) {
        o.reminded = true;
        record('reminder', 'system', `${o.id} due ${o.dueAt}`);
        queueEmail(`reminder:${o.id}`, handlerRecipient(), {
          kind: 'deadline_reminder',
          language,
          recipientName: v.assignedTo ?? 'claims team',
          caseId: v.caseId,
          regime: o.regime,
          obligationKind: o.kind,
          audience: o.audience,
          dueAt: o.dueAt,
          asOf: nowIso(),
          target: !o.legalDeadline,
        });
      }
      if (Date.parse(o.dueAt) <= now) {
        o.status = 'overdue';
        o.missedAt = nowIso();
        record('overdue', 'system', `${o.id} passed its ${o.legalDeadline ? 'deadline' : 'target'} unmet`);
        const escalation = (recipientRole: 'handler' | 'supervisor' | 'insured', recipientName: string): EmailMessage => ({
          kind: 'escalation',
          language,
          recipientName,
          recipientRole,
          caseId: v.caseId,
          regime: o.regime,
          obligationKind: o.kind,
          audience: o.audience,
          dueAt: o.dueAt,
          asOf: nowIso(),
          assignee: v.assignedTo,
        });
        queueEmail(`escalation:${o.id}:handler`, handlerRecipient(), escalation('handler', v.assignedTo ?? 'claims team'));
        queueEmail(`escalation:${o.id}:supervisor`, { kind: 'role', role: 'supervisor' }, escalation('supervisor', 'supervisor'));
        queueEmail(`escalation:${o.id}:insured`, insuredContact, escalation('insured', report.contact.name));
      }
    }
  }

  async function maybeStartCampaign(): Promise<void> {
    if (s.campaignRunning || s.campaignNo > 0 || !s.personsRef || !v.notice.approved) return;
    if (v.coverage.decision === 'denied' || TERMINAL.includes(v.status)) return;
    s.campaignNo += 1;
    s.campaignRunning = true;
    const apologyTerms = policy.categories.apology_payment;
    const consented = v.consents.some((c) => c.category === 'apology_payment');
    const f = facts();
    const personsRegimes = [...new Set(v.obligations.filter((o) => o.audience === 'persons').map((o) => o.regime))];
    v.notifications = { total: s.personsRef.accepted, sent: 0, failed: 0, letters: 0, status: 'sending' };
    record('notification', 'system', `campaign ${s.campaignNo} started for ${s.personsRef.accepted} persons`);
    await startChild(notificationCampaign, {
      workflowId: campaignWorkflowId(v.caseId, s.campaignNo),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          caseId: v.caseId,
          campaignNo: s.campaignNo,
          parentWorkflowId: workflowInfo().workflowId,
          ref: s.personsRef,
          sliceSize: input.settings.campaignSliceSize,
          notice: {
            insuredName: policy.insuredName,
            caseRef: v.caseId,
            incidentOverview: report.description,
            dataItems: f.dataItems,
            cause: f.cause,
            secondaryDamageRisk: secondaryDamageRisk(f.dataItems),
            contactDesk: {
              name: `${policy.insuredName} お客様相談窓口`,
              ...(report.contact.phone ? { phone: report.contact.phone } : {}),
              email: report.contact.email,
            },
            regimes: personsRegimes,
          },
          apology: apologyTerms && consented && apologyTerms.perVictimCapJpy ? { perPersonJpy: apologyTerms.perVictimCapJpy } : null,
          printVendorId: s.panel.find((p) => p.role === 'print_and_mail')?.vendorId ?? null,
        },
      ],
    });
  }

  async function executePayouts(): Promise<void> {
    for (const p of v.payouts) {
      if (p.status !== 'approved') continue;
      const lines = v.settlement.lines.filter((l) => p.lineIds.includes(l.lineId));
      const grant = await money.drawFromPolicy({
        policyNumber: v.policyNumber,
        caseId: v.caseId,
        payoutId: p.payoutId,
        lines: lines.map((l) => ({ lineId: l.lineId, category: l.category, amountJpy: l.payableJpy })),
      });
      p.grantedJpy = grant.grantedJpy;
      if (grant.grantedJpy > 0) {
        const payment = await money.makePayment({
          caseId: v.caseId,
          payoutId: p.payoutId,
          amountJpy: grant.grantedJpy,
          insuredId: v.insuredId,
        });
        p.paymentId = payment.paymentId;
        p.paidAt = payment.paidAt;
      }
      p.status = 'paid';
      for (const g of grant.lines) {
        const line = v.settlement.lines.find((l) => l.lineId === g.lineId);
        if (!line) continue;
        line.status = 'paid';
        line.paidJpy = g.grantedJpy;
        line.payoutId = p.payoutId;
        if (g.grantedJpy < g.requestedJpy) {
          line.reasons = [...line.reasons, g.reason ?? 'period_limit_exhausted'];
          line.steps = [
            ...line.steps,
            {
              step: 'period_limit_at_payment',
              beforeJpy: g.requestedJpy,
              afterJpy: g.grantedJpy,
              explanation: 'the policy period limit shared by all cases of this policy had less left at payment',
            },
          ];
        }
      }
      recomputeSettlement();
      record('payout', 'system', `payout ${p.payoutId} paid ${grant.grantedJpy} JPY${grant.grantedJpy < p.requestedJpy ? ` of ${p.requestedJpy} requested` : ''}`);
      queueEmail(`payout:${p.payoutId}`, insuredContact, {
        kind: 'payout_notice',
        language,
        recipientName: report.contact.name,
        insuredName: policy.insuredName,
        caseId: v.caseId,
        policyNumber: v.policyNumber,
        amountJpy: grant.grantedJpy,
        lines: grant.lines.map((l) => ({
          category: lines.find((x) => x.lineId === l.lineId)?.category ?? 'forensic_investigation',
          payableJpy: l.grantedJpy,
          claimedJpy: l.requestedJpy,
        })),
        ...(p.paidAt ? { paidAt: p.paidAt } : {}),
      });
    }
  }

  function nextWake(): number | undefined {
    const times: number[] = [];
    for (const o of v.obligations) {
      if (o.status !== 'pending' || o.stillApplies === false) continue;
      if (!o.reminded) times.push(Date.parse(o.remindAt));
      times.push(Date.parse(o.dueAt));
    }
    for (const e of v.vendors) if (e.status === 'dispatched') times.push(Date.parse(e.ackDueAt));
    return times.length ? Math.min(...times) : undefined;
  }

  // ---- intake ------------------------------------------------------------------------------------------------

  if (!input.state) {
    log.info('case opened', { caseId: v.caseId });
    setStatus('triage', input.reportedBy.name, 'incident reported');
    assess('system', 'triage');
    syncSearchAttributes();
    if (v.coverage.decision === 'denied') {
      deny('system', `coverage denied: ${v.coverage.reasons.join(', ')}`);
    } else {
      setStatus('response', 'system', `coverage ${v.coverage.decision}`);
      queueEmail('acknowledgement', insuredContact, {
        kind: 'insured_ack',
        language,
        recipientName: report.contact.name,
        insuredName: policy.insuredName,
        caseId: v.caseId,
        receivedAt: v.reportedAt,
        handler: null,
        nextSteps: [
          'Breach counsel and a forensic firm from the panel are being engaged.',
          'Upload the list of affected persons (CSV) so that notices can be prepared.',
          'Keep invoices and receipts: costs are paid against evidence.',
        ],
        deadlines: v.obligations.filter((o) => o.audience === 'regulator').map(deadlineItem),
      });
      queueEmail('new-case', handlerRecipient(), assignmentMail('claims team', 'system'));
      s.panel = await acts.loadPanel();
      // Counsel first, so that forensic work stays under legal privilege (domain.md section 2).
      await dispatch('counsel', 'system');
      await dispatch('forensics', 'system');
    }
  }

  // ---- the main loop ------------------------------------------------------------------------------------------

  let continueNow = false;
  for (;;) {
    syncSearchAttributes();
    await flushOutbox();
    if (TERMINAL.includes(v.status)) break;
    checkClocks();
    await checkVendorSlas();
    await maybeStartCampaign();
    await executePayouts();
    await flushOutbox();
    syncSearchAttributes();
    if (TERMINAL.includes(v.status)) break;
    if (workflowInfo().continueAsNewSuggested || (workflowInfo().historyLength >= (input.settings.runHistoryEvents ?? RUN_HISTORY_EVENTS) && patched(BOUNDED_RUN_PATCH))) {
      continueNow = true;
      break;
    }
    dirty = false;
    const wake = nextWake();
    if (wake === undefined) await condition(() => dirty);
    else await condition(() => dirty, Math.max(1, wake - Date.now()));
  }

  await condition(allHandlersFinished);
  if (continueNow) {
    await continueAsNew<typeof incidentCase>({ ...input, state: s });
  }
  await flushOutbox();
  log.info('case ended', { caseId: v.caseId, status: v.status });
  if (!TERMINAL.includes(v.status)) throw ApplicationFailure.nonRetryable(`case ended in ${v.status}`, 'CaseStateError');
  return { caseId: v.caseId, status: v.status, view: v, timeline: s.timeline };
}

function initialState(input: CaseInput): CaseState {
  return {
    view: newCaseView(input),
    timeline: [{ at: input.reportedAt, type: 'reported', actor: input.reportedBy.name, summary: 'incident reported' }],
    costItems: [],
    findings: {},
    seenEventIds: [],
    campaignNo: 0,
    campaignRunning: false,
    payoutNo: 0,
    lineNo: 0,
    outbox: [],
    panel: [],
    personsRef: null,
  };
}

export type { Actor, CaseResult };
