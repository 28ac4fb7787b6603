import type { Action, Role } from './vocabulary.js';

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
};

export function mayAct(role: Role, action: Action): boolean {
  return ACTION_ROLES[action].includes(role);
}

/** Roles that may read a case (an insured only its own). */
export const CASE_READERS: readonly Role[] = ['insured', 'handler', 'supervisor', 'ops', 'admin'];
