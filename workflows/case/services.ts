/**
 * Services track: what the insurer provides around the claim besides money (domain.md 8b).
 *
 * - Credit monitoring (rule `creditMonitoring`): offered as soon as any leaked item carries the financial-risk flag
 *   (`refreshServices`, before every publish, so findings that add a card number offer it too); every campaign started
 *   while it is offered prints an enrolment code per person in the notice; the API records each enrolment after
 *   winning the code's single use in its ledger (`RECORD_ENROLMENT`), and the count is what a `credit_monitoring` cost
 *   line cites as its evidence (`lineEvidence`).
 * - Recurrence prevention (rule `preventionPlan`): the plan follows the findings and counsel's advice (domain's
 *   `proposeMeasures`, merged so that nothing the insured set is lost), `update-prevention-measure` keeps it, and the
 *   main loop sends a reminder before each measure's due date (a timer through `nextWake`). The filings' prevention
 *   item words the plan (domain/filings.ts), so a change of the plan is a new version of the final report's draft.
 */
import {
  ENROLMENT_RECORDERS,
  creditMonitoringEvidence,
  enrolmentRefusal,
  mergePlan,
  nextPreventionReminderAt,
  preventionRemindersDue,
  proposeMeasures,
  refreshCreditMonitoring,
  updateMeasure,
  type CostCategory,
} from '../../domain/rules.js';
import type { CaseServices, CostItemRecord, RecordEnrolmentRequest } from '../contract.js';
import type { CommandTable } from './command.js';
import { insuredContact, insuredLanguage } from './messages.js';
import { recomputeSettlement } from './settlement.js';
import { isTerminal, nowIso, queueEmail, record, refuse, type CaseContext } from './state.js';

function services(c: CaseContext): CaseServices {
  return (c.v.services ??= {});
}

/** Brings the services up to date with the facts (before every publish): the credit-monitoring offer and the plan. */
export function refreshServices(c: CaseContext): void {
  if (!c.rules.creditMonitoring && !c.rules.preventionPlan) return;
  const { v } = c;
  const svc = services(c);
  if (c.rules.creditMonitoring) {
    const before = svc.creditMonitoring;
    const after = refreshCreditMonitoring(before, v.dataItems, nowIso());
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      svc.creditMonitoring = after;
      c.dirty = true;
      if (after.offered && !before?.offered) record(c, 'services', 'system', `credit monitoring offered: financial-risk items ${after.items!.join(', ')}`);
    }
  }
  if (c.rules.preventionPlan) {
    // Every publish comes here (and every replay repeats them): the texts are read again only when they may have
    // changed. Counsel's advice only grows; the findings' log is bounded, so its last entry counts too.
    const findings = v.findingsLog ?? [];
    const last = findings.at(-1);
    const inputs = `${v.cause}|${v.dataItems.join(',')}|${v.counselAdvice.length}|${findings.length}|${last?.at ?? ''}|${last?.note?.length ?? -1}`;
    if (svc.preventionPlan && c.planInputs === inputs) return;
    c.planInputs = inputs;
    const plan = svc.preventionPlan ?? [];
    const proposed = proposeMeasures({ cause: v.cause, dataItems: v.dataItems, counselAdvice: v.counselAdvice, findings: v.findingsLog ?? [] });
    const merged = mergePlan(plan, proposed, nowIso());
    if (merged.changed || !svc.preventionPlan) {
      svc.preventionPlan = merged.plan;
      c.dirty = true;
      if (merged.added.length > 0) record(c, 'prevention', 'system', `prevention plan: ${merged.added.join(', ')} planned`);
    }
  }
}

/** Whether campaign `campaignNo`'s notices carry enrolment codes: notices of a campaign started while it was offered. */
export function offersCreditMonitoring(c: CaseContext): boolean {
  return c.rules.creditMonitoring && c.v.services?.creditMonitoring?.offered === true;
}

/** Called when a campaign starts with the offer in its notice: its codes may be enrolled. */
export function noteOfferingCampaign(c: CaseContext, campaignNo: number): void {
  (c.v.services!.creditMonitoring!.campaigns ??= []).push(campaignNo);
  c.dirty = true;
}

export function checkRecordEnrolment(c: CaseContext, r: RecordEnrolmentRequest): void {
  if (!(ENROLMENT_RECORDERS as readonly string[]).includes(r.actor.role)) refuse('forbidden', `role ${r.actor.role} may not record enrolments`);
  const service = c.rules.creditMonitoring ? c.v.services?.creditMonitoring : undefined;
  const e = r.enrolment;
  if (!service?.offered) refuse('wrong_state', 'this case offers no credit monitoring');
  if (typeof e?.ledgerKey !== 'string' || !/^[0-9a-f]{64}$/.test(e.ledgerKey)) refuse('invalid', 'enrolment: not an enrolment reference');
  if (enrolmentRefusal(service, e.campaignNo)) refuse('invalid', `campaign ${e.campaignNo} of this case offered no credit monitoring`);
}

export function recordEnrolment(c: CaseContext, _r: RecordEnrolmentRequest): void {
  const cm = c.v.services!.creditMonitoring!;
  cm.enrolled += 1;
  cm.lastEnrolledAt = nowIso();
  c.dirty = true;
  // The first enrolment goes on the timeline; the count is in the view (a timeline entry each would be thousands).
  if (cm.enrolled === 1) record(c, 'services', 'system', 'first credit-monitoring enrolment recorded');
  if (c.s.costItems.some((i) => i.category === 'credit_monitoring')) recomputeSettlement(c);
}

/**
 * The evidence and persons a cost item is settled on. A `credit_monitoring` line (rule `creditMonitoring`) cites the
 * enrolments counted on the case, and is held for evidence while there are none; every other line as submitted.
 */
export function lineEvidence(c: CaseContext, i: Pick<CostItemRecord, 'category' | 'evidenceRef' | 'persons'>): { evidenceRef: string; persons?: number } {
  if (!c.rules.creditMonitoring || i.category !== ('credit_monitoring' satisfies CostCategory)) {
    return { evidenceRef: i.evidenceRef, ...(i.persons !== undefined ? { persons: i.persons } : {}) };
  }
  const enrolled = c.v.services?.creditMonitoring?.enrolled ?? 0;
  return { evidenceRef: creditMonitoringEvidence(i.evidenceRef, enrolled), persons: enrolled };
}

/** The main loop's step: a reminder to the insured before each open measure's due date, once per due date. */
export function checkPreventionReminders(c: CaseContext): void {
  if (!c.rules.preventionPlan || isTerminal(c.v.status)) return;
  const plan = c.v.services?.preventionPlan;
  if (!plan) return;
  const now = nowIso();
  for (const m of preventionRemindersDue(plan, now)) {
    m.remindedAt = now;
    record(c, 'prevention', 'system', `prevention reminder: ${m.measure} due ${m.dueAt}`);
    queueEmail(c, `prevention-reminder:${m.measure}:${m.dueAt}`, insuredContact(c), {
      kind: 'prevention_reminder',
      language: insuredLanguage(c),
      recipientName: c.report.contact.name,
      caseId: c.v.caseId,
      measure: m.measure,
      owner: m.owner,
      dueAt: m.dueAt,
      status: m.status,
      asOf: now,
    });
  }
}

/** When the next prevention reminder is due (ms), for the main loop's timer. */
export function preventionWake(c: CaseContext): number | undefined {
  if (!c.rules.preventionPlan || isTerminal(c.v.status)) return undefined;
  const plan = c.v.services?.preventionPlan;
  return plan ? nextPreventionReminderAt(plan) : undefined;
}

export const servicesCommands: CommandTable<'update-prevention-measure'> = {
  'update-prevention-measure': {
    check(c, b, actor) {
      if (!c.rules.preventionPlan) refuse('wrong_state', 'this case keeps no prevention plan');
      // A query's clock can be hours old (see `checkingByQuery`): a date in the past is judged when the command arrives.
      const result = updateMeasure(c.v.services?.preventionPlan ?? [], b, actor.name, nowIso(), { checkPast: !c.checkingByQuery });
      if (!result.ok) refuse(result.code, result.error);
    },
    apply(c, b, actor) {
      const result = updateMeasure(c.v.services?.preventionPlan ?? [], b, actor.name, nowIso(), { checkPast: false });
      if (!result.ok) throw new Error(result.error);
      services(c).preventionPlan = result.plan;
      const m = result.measure;
      record(c, 'prevention', actor.name, `prevention measure ${m.measure} ${result.added ? 'added' : 'updated'}: ${m.status}, due ${m.dueAt}`);
    },
  },
};
