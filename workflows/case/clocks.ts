/**
 * Regulatory clocks track: one deadline per obligation, a reminder when most of its time has gone, escalation when
 * it passes unmet, and filings (or a reasoned decision not to file) that stop a clock. The rules are domain's
 * (domain/obligations.ts); this module applies them to the case and writes the e-mails.
 */
import {
  deadlinesPassed,
  nextClockAt,
  nextDeadline,
  recordFiling,
  remindersDue,
} from '../../domain/rules.js';
import type { RecordFilingBody } from '../../domain/schemas.js';
import type { EmailMessage } from '../../activities/email/render.js';
import type { ObligationView } from '../contract.js';
import type { CommandTable } from './command.js';
import { coverageWake } from './coverage-due.js';
import { preventionWake } from './services.js';
import { checkFiledVersion, markFiled } from './filings.js';
import { CASE_LANGUAGE, handlerRecipient, insuredContact, insuredLanguage } from './messages.js';
import { nowIso, queueEmail, record, refuse, type CaseContext } from './state.js';

/** The next deadline and the overdue flag the case list shows. */
export function refreshDeadlines(c: CaseContext): void {
  const { v } = c;
  if (c.rules.overdueInNextDeadline) v.nextDeadline = nextDeadline(v.obligations);
  else {
    // Runs recorded before the rule: pending obligations only (an overdue one dropped out of the next deadline).
    v.nextDeadline = v.obligations.filter((o) => o.status === 'pending' && o.stillApplies !== false).map((o) => o.dueAt).sort()[0] ?? null;
  }
  v.overdue = v.obligations.some((o) => o.status === 'overdue');
}

/** The main loop's step: reminders and escalations that have come due. */
export function checkClocks(c: CaseContext): void {
  const now = nowIso();
  // Both lists are taken before either changes anything, as one pass over the obligations did before.
  const reminders = new Set(remindersDue(c.v.obligations, now));
  const passed = new Set(deadlinesPassed(c.v.obligations, now));
  // Facts can stop triggering an obligation; it stays on the case for a handler to record as not required,
  // but nobody is reminded of or escalated for it (the domain functions skip it).
  for (const o of c.v.obligations) {
    if (reminders.has(o)) remind(c, o);
    if (passed.has(o)) escalate(c, o);
  }
}

function remind(c: CaseContext, o: ObligationView): void {
  o.reminded = true;
  record(c, 'reminder', 'system', `${o.id} due ${o.dueAt}`);
  queueEmail(c, `reminder:${o.id}`, handlerRecipient(c), {
    kind: 'deadline_reminder',
    language: CASE_LANGUAGE,
    // A role's or principal's own name replaces it when the worker resolves the recipient.
    recipientName: c.v.assignedTo ?? '',
    caseId: c.v.caseId,
    regime: o.regime,
    obligationKind: o.kind,
    audience: o.audience,
    dueAt: o.dueAt,
    asOf: nowIso(),
    target: !o.legalDeadline,
  });
}

function escalate(c: CaseContext, o: ObligationView): void {
  const { v } = c;
  o.status = 'overdue';
  o.missedAt = nowIso();
  record(c, 'overdue', 'system', `${o.id} passed its ${o.legalDeadline ? 'deadline' : 'target'} unmet`);
  const escalation = (recipientRole: 'handler' | 'supervisor' | 'insured', recipientName: string): EmailMessage => ({
    kind: 'escalation',
    language: recipientRole === 'insured' ? insuredLanguage(c) : CASE_LANGUAGE,
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
  queueEmail(c, `escalation:${o.id}:handler`, handlerRecipient(c), escalation('handler', v.assignedTo ?? ''));
  queueEmail(c, `escalation:${o.id}:supervisor`, { kind: 'role', role: 'supervisor' }, escalation('supervisor', ''));
  queueEmail(c, `escalation:${o.id}:insured`, insuredContact(c), escalation('insured', c.report.contact.name));
}

/** When the main loop must wake for a clock even if nothing else happens: a reminder, a deadline, a vendor SLA. */
export function nextWake(c: CaseContext): number | undefined {
  const times: number[] = [];
  const clock = nextClockAt(c.v.obligations);
  if (clock !== undefined) times.push(Date.parse(clock));
  for (const e of c.v.vendors) if (e.status === 'dispatched') times.push(Date.parse(e.ackDueAt));
  const coverage = coverageWake(c);
  if (coverage !== undefined) times.push(coverage);
  const prevention = preventionWake(c);
  if (prevention !== undefined) times.push(prevention);
  return times.length ? Math.min(...times) : undefined;
}

/** Runs recorded before `filingNeedsAudience`: the open obligation of that regime and kind, or the first one. */
function legacyFilingTarget(c: CaseContext, b: RecordFilingBody): ObligationView | undefined {
  const matching = c.v.obligations.filter((x) => x.regime === b.regime && x.kind === b.kind && (!b.audience || x.audience === b.audience));
  return matching.find((x) => x.status === 'pending' || x.status === 'overdue') ?? matching[0];
}

function checkFiling(c: CaseContext, b: RecordFilingBody): void {
  if (c.rules.filingNeedsAudience) {
    const result = recordFiling(c.v.obligations, b);
    if (!result.ok) refuse(result.code === 'already_done' ? 'nothing_to_do' : result.code === 'not_found' ? 'not_found' : 'invalid', result.error);
  } else {
    const o = legacyFilingTarget(c, b);
    if (!o) refuse('not_found', `no ${b.regime} ${b.kind} obligation on this case`);
    if (o.status === 'done' || o.status === 'not_required') refuse('nothing_to_do', `${o.id} is already ${o.status}`);
  }
  if ('filedAt' in b && !c.checkingByQuery && Date.parse(b.filedAt) > Date.now() + 5 * 60_000) refuse('invalid', 'filedAt is in the future');
  if ('filedAt' in b && b.filingVersion !== undefined) {
    if (!c.rules.filingDrafts) refuse('invalid', 'this case keeps no filing drafts: record the filing without filingVersion');
    const id = c.rules.filingNeedsAudience ? recordFiling(c.v.obligations, b) : undefined;
    const target = id?.ok ? id.obligation.id : legacyFilingTarget(c, b)?.id;
    if (target) checkFiledVersion(c, target, b.filingVersion, b.documentSha256);
  }
}

function applyFiling(c: CaseContext, b: RecordFilingBody, actor: string): void {
  let o: ObligationView;
  if (c.rules.filingNeedsAudience) {
    const result = recordFiling(c.v.obligations, b);
    if (!result.ok) throw new Error(result.error);
    c.v.obligations = result.obligations;
    o = result.obligation;
  } else {
    o = legacyFilingTarget(c, b)!;
    if ('notRequired' in b) {
      o.status = 'not_required';
      o.notRequiredReason = b.notRequired;
    } else {
      o.status = 'done';
      o.filedAt = b.filedAt;
      if (b.reference) o.reference = b.reference;
    }
  }
  if ('notRequired' in b) record(c, 'filing', actor, `${o.id} recorded as not required: ${b.notRequired}`);
  else {
    const d =
      c.rules.filingDrafts && b.filingVersion !== undefined && b.documentSha256 !== undefined
        ? markFiled(c, o.id, b.filingVersion, b.documentSha256, b.filedAt, actor)
        : undefined;
    if (!d) record(c, 'filing', actor, `${o.id} filed at ${b.filedAt}${o.missedAt ? ' (late)' : ''}`);
    else if (o.missedAt) record(c, 'filing', actor, `${o.id} filed at ${b.filedAt} (late) as filing ${d.filingId} version ${d.version}, document SHA-256 ${d.sha}`);
    else record(c, 'filing', actor, `${o.id} filed at ${b.filedAt} as filing ${d.filingId} version ${d.version}, document SHA-256 ${d.sha}`);
  }
}

export const clockCommands: CommandTable<'record-filing'> = {
  'record-filing': {
    check: checkFiling,
    apply: (c, b, actor) => applyFiling(c, b, actor.name),
  },
};
