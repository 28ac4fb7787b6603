/** The first task of a new case: triage, then either the denial or the acknowledgement and the panel dispatched. */
import { log } from '@temporalio/workflow';
import { acts } from './activities.js';
import { checkCoverageDue } from './coverage-due.js';
import { assignmentMail, flushOutbox, handlerRecipient, insuredAcknowledgement, insuredContact, newCaseMail } from './messages.js';
import { isTerminal, queueEmail, setStatus, type CaseContext } from './state.js';
import { assess, deny } from './triage.js';
import { dispatch } from './vendors.js';
import { syncSearchAttributes } from './visibility.js';

export async function intake(c: CaseContext): Promise<void> {
  const { v } = c;
  log.info('case opened', { caseId: v.caseId });
  if (c.rules.endedBeforeIntake && isTerminal(v.status)) {
    // Withdrawn in a signal that came with the start: the case keeps its triage figures and ends as its insured asked.
    assess(c, 'system', 'triage');
    syncSearchAttributes(c);
    return;
  }
  setStatus(c, 'triage', c.input.reportedBy.name, 'incident reported');
  assess(c, 'system', 'triage');
  checkCoverageDue(c);
  syncSearchAttributes(c);
  if (v.coverage.decision === 'denied') {
    deny(c, 'system', `coverage denied: ${v.coverage.reasons.join(', ')}`);
    return;
  }
  setStatus(c, 'response', 'system', `coverage ${v.coverage.decision}`);
  queueEmail(c, 'acknowledgement', insuredContact(c), insuredAcknowledgement(c));
  // Nobody is assigned at filing: the claims team hears of the new case, and the assignee of the assignment later.
  // Runs from before the new-case message sent an assignment e-mail here (割当者：system).
  queueEmail(c, 'new-case', handlerRecipient(c), c.rules.newCaseMail ? newCaseMail(c) : assignmentMail(c, 'claims team', 'system'));
  if (!c.rules.sendsTogether) {
    c.s.panel = await acts.loadPanel();
    // Counsel first, so that forensic work stays under legal privilege (domain.md section 2).
    await dispatch(c, 'counsel', 'system');
    await dispatch(c, 'forensics', 'system');
    return;
  }
  // In one task: before `sendsTogether` intake took five (the panel, then each dispatch and each e-mail after the last).
  c.s.panel = c.input.panel ?? (await acts.loadPanel());
  // Counsel is engaged first (the first engagement, briefed first) so that forensic work stays under legal privilege
  // (domain.md section 2); the two firms then work in parallel, so both briefs and both e-mails leave together.
  await Promise.all([dispatch(c, 'counsel', 'system'), dispatch(c, 'forensics', 'system'), flushOutbox(c)]);
}
