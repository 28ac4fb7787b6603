/**
 * Who hears what: the e-mails a case writes (rendering happens in the activity) and the outbox the main loop drains.
 * The recipients are principals, roles or the insured's contact. The insurer's staff read Japanese; the insured's
 * contact reads the language of its report (`contact.language`, Japanese when the report does not say); affected
 * persons read the language of their row in the list (the campaign). Messages carry codes where the renderer has
 * words for them (activities/email/labels.ts), so that no wording of one language is fixed here.
 */
import { nextOpenObligation } from '../../domain/rules.js';
import type { Recipient } from '../../activities/contract.js';
import type { EmailMessage } from '../../activities/email/render.js';
import type { ObligationView } from '../contract.js';
import { acts } from './activities.js';
import { nowIso, record, type CaseContext } from './state.js';

/** The language of e-mails to the insurer's staff (handlers, supervisors). */
export const CASE_LANGUAGE = 'ja' as const;

/** The language the insured's contact reads: the report's, or Japanese for reports that do not say (older ones). */
export function insuredLanguage(c: CaseContext): 'ja' | 'en' {
  return c.report.contact.language ?? 'ja';
}

export function insuredContact(c: CaseContext): Recipient {
  return { kind: 'address', address: c.report.contact.email, key: `insured:${c.v.insuredId}` };
}

export function handlerRecipient(c: CaseContext): Recipient {
  return c.v.assignedTo ? { kind: 'principal', name: c.v.assignedTo } : { kind: 'role', role: 'handler' };
}

export function deadlineItem(o: ObligationView) {
  return { regime: o.regime, kind: o.kind, dueAt: o.dueAt, audience: o.audience, target: !o.legalDeadline };
}

export function denialLetter(c: CaseContext): EmailMessage {
  const { v } = c;
  const o = v.coverage.override;
  return {
    kind: 'denial_letter',
    language: insuredLanguage(c),
    recipientName: c.report.contact.name,
    insuredName: c.policy.insuredName,
    caseId: v.caseId,
    policyNumber: v.policyNumber,
    decidedAt: nowIso(),
    reasons: o
      ? [{ code: 'handler_decision', explanation: o.reason, facts: [`decidedBy: ${o.by}`, `decidedAt: ${o.at}`] }]
      : v.coverage.grounds
        ? v.coverage.grounds.map((g) => ({ code: g.reason, explanation: g.explanation, facts: g.facts }))
        : // Views from before `grounds`: explanations do not line up with reasons, so each reason is named alone.
          v.coverage.reasons.map((code) => ({ code, explanation: code, facts: v.coverage.facts })),
    handler: v.assignedTo ? { name: v.assignedTo } : null,
  };
}

export function assignmentMail(c: CaseContext, assignee: string, by: string): EmailMessage {
  const { v } = c;
  const next = nextOpenObligation(v.obligations);
  return {
    kind: 'handler_assignment',
    language: CASE_LANGUAGE,
    recipientName: assignee,
    caseId: v.caseId,
    insuredName: c.policy.insuredName,
    policyNumber: v.policyNumber,
    severity: v.severity,
    assignedAt: nowIso(),
    assignedBy: by,
    affectedPersons: v.affectedPersons,
    ...(next ? { nextDeadline: deadlineItem(next) } : {}),
  };
}

/** To the claims team at filing: a case waits for someone to take it (nobody is assigned yet). */
export function newCaseMail(c: CaseContext): EmailMessage {
  const { v } = c;
  const next = nextOpenObligation(v.obligations);
  return {
    kind: 'new_case',
    language: CASE_LANGUAGE,
    recipientName: '',
    caseId: v.caseId,
    insuredName: c.policy.insuredName,
    policyNumber: v.policyNumber,
    severity: v.severity,
    reportedAt: v.reportedAt,
    coverage: v.coverage.decision,
    affectedPersons: v.affectedPersons,
    ...(next ? { nextDeadline: deadlineItem(next) } : {}),
  };
}

export function insuredAcknowledgement(c: CaseContext): EmailMessage {
  const { v } = c;
  return {
    kind: 'insured_ack',
    language: insuredLanguage(c),
    recipientName: c.report.contact.name,
    insuredName: c.policy.insuredName,
    caseId: v.caseId,
    receivedAt: v.reportedAt,
    handler: null,
    nextSteps: ['vendors_engaged', 'upload_persons', 'keep_evidence'],
    deadlines: v.obligations.filter((o) => o.audience === 'regulator').map(deadlineItem),
  };
}

/**
 * Sends what the handlers queued; an e-mail leaves the outbox only once its activity has finished. Runs with
 * `sendsTogether` send to every recipient at once (one task schedules them all, and their completions come back
 * together), one e-mail after another per recipient, oldest first; runs before it sent one after another.
 */
export async function flushOutbox(c: CaseContext): Promise<void> {
  const { s } = c;
  if (!c.rules.sendsTogether) {
    while (s.outbox.length > 0) {
      await send(c, s.outbox[0]!);
      s.outbox.shift();
    }
    return;
  }
  while (s.outbox.length > 0) {
    const batch = s.outbox.slice();
    const byRecipient = new Map<string, QueuedMail[]>();
    for (const mail of batch) {
      const key = recipientKey(mail.to);
      const chain = byRecipient.get(key);
      if (chain) chain.push(mail);
      else byRecipient.set(key, [mail]);
    }
    await Promise.all(
      [...byRecipient.values()].map(async (mails) => {
        for (const mail of mails) await send(c, mail);
      }),
    );
    // Handlers may have queued more meanwhile, after the batch: the next round sends those.
    s.outbox.splice(0, batch.length);
  }
}

type QueuedMail = CaseContext['s']['outbox'][number];

/** Whose inbox a recipient is, for ordering: a role's e-mails keep their order as a person's do. */
function recipientKey(to: Recipient): string {
  switch (to.kind) {
    case 'address':
      return `address:${to.address.toLowerCase()}`;
    case 'principal':
      return `principal:${to.name}`;
    case 'role':
      return `role:${to.role}`;
  }
}

async function send(c: CaseContext, mail: QueuedMail): Promise<void> {
  try {
    await acts.sendEmail({ caseId: c.v.caseId, purpose: mail.purpose, to: mail.to, message: mail.message });
  } catch (err) {
    // A permanent failure (bad address) is recorded and the case goes on; transient ones were retried already.
    record(c, 'email', 'system', `e-mail ${mail.purpose} not delivered: ${(err as Error).message}`);
  }
}
