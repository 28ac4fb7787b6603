import { REOPENABLE_STATUSES, TERMINAL_STATUSES, type Action, type CaseStatus, type Role } from './vocabulary.js';

/**
 * Who may run which case action (contract.md, "Principals and roles"). The insured files its own regulatory
 * reports in Japan (the business operator reports to the PPC), so it may record filings, submit its costs and
 * withdraw its own case; coverage, consent, notices and money stay with the insurer's people.
 */
export const ACTION_ROLES: Readonly<Record<Action, readonly Role[]>> = {
  assign: ['handler', 'supervisor'],
  'decide-coverage': ['handler', 'supervisor'],
  consent: ['handler', 'supervisor'],
  'record-findings': ['handler', 'supervisor'],
  'approve-notice': ['handler', 'supervisor'],
  'record-filing': ['insured', 'handler', 'supervisor'],
  'submit-costs': ['insured', 'handler', 'supervisor'],
  'approve-payout': ['handler', 'supervisor'],
  deny: ['handler', 'supervisor'],
  withdraw: ['insured', 'handler', 'supervisor'],
  close: ['handler', 'supervisor'],
  'confirm-findings': ['handler', 'supervisor'],
  reopen: ['supervisor'],
  // The insured makes its own 公表; the handler records one made on its behalf (or by the PR vendor).
  'record-announcement': ['insured', 'handler'],
  // Counsel approves the notice through its webhook; a handler may record counsel's approval on its behalf.
  'approve-notice-draft': ['handler', 'supervisor'],
  // The insured may ask for a vendor (a call centre on request); where the policy asks for consent, it waits for one.
  'engage-vendor': ['insured', 'handler', 'supervisor'],
  // The insured carries out its prevention plan; the handler and supervisor keep it with the insured.
  'update-prevention-measure': ['insured', 'handler', 'supervisor'],
};

export function mayAct(role: Role, action: Action): boolean {
  return ACTION_ROLES[action].includes(role);
}

/** Roles that may read a case (an insured only its own). */
export const CASE_READERS: readonly Role[] = ['insured', 'handler', 'supervisor', 'ops', 'admin'];

/**
 * The checks every command passes before the case's own rules: the tenant (another insured's case is a missing one),
 * the role, and a case that ended. Pure, so the case (`checkAction`) and the API (before it signals, on the case's
 * read model) apply the same gate; null when the command passes it.
 */
export function commandGate(
  target: { caseId: string; insuredId: string; status: CaseStatus },
  actor: { role: Role; insuredId?: string },
  action: Action,
): { code: 'not_found' | 'forbidden' | 'wrong_state'; text: string } | null {
  if (actor.role === 'insured' && actor.insuredId !== target.insuredId) return { code: 'not_found', text: `case ${target.caseId} not found` };
  if (!mayAct(actor.role, action)) return { code: 'forbidden', text: `role ${actor.role} may not ${action}` };
  if (action === 'reopen') {
    return REOPENABLE_STATUSES.includes(target.status) ? null : { code: 'wrong_state', text: `case is ${target.status}` };
  }
  if (TERMINAL_STATUSES.includes(target.status)) return { code: 'wrong_state', text: `case is ${target.status}` };
  return null;
}

/** Who may add notes to a case: the insurer's people any note, the insured shared notes on its own case. */
export function mayAddNote(role: Role, visibility: 'internal' | 'shared'): boolean {
  if (role === 'handler' || role === 'supervisor') return true;
  return role === 'insured' && visibility === 'shared';
}

/** Who may upload documents to a case (an insured to its own). */
export const DOCUMENT_UPLOADERS: readonly Role[] = ['insured', 'handler', 'supervisor'];
