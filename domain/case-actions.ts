import { ACTION_ROLES } from './permissions.js';
import { ACTIONS, TERMINAL_STATUSES, type Action, type CaseStatus, type Role } from './vocabulary.js';

/**
 * Why an action cannot be taken now, by code. Each mirrors a refusal the case itself makes (the role gate, the ended
 * case, and the state checks of the commands in workflows/case/), so what the desk offers is what the case would
 * accept; a check that needs more than the case view (the campaign still running, the approver's authority) is left to
 * the command, which answers with its reason.
 */
export const ACTION_BLOCKS = {
  role: 'your role may not take this action',
  case_ended: 'the case has ended',
  case_not_ended: 'only a closed or denied case can be reopened',
  coverage_denied: 'coverage is denied',
  coverage_not_covered: 'coverage is not (yet) decided as covered',
  notice_approved: 'the notice is already approved',
  awaits_supervisor: 'a payout awaits a supervisor',
  consent_missing: 'nothing payable: a line is held for want of consent',
  nothing_payable: 'no payable lines',
  nothing_to_file: 'no filing is open',
  nothing_held: 'no vendor findings are held for confirmation',
  payout_made: 'a payout was made: close the case instead',
  obligations_open: 'obligations are still open',
  payout_in_progress: 'a payout is still in progress',
  unpaid_lines: 'payable lines are not yet paid',
} as const;
export type ActionBlock = keyof typeof ACTION_BLOCKS;

/** What the rule reads of a case: a part of the case view (the view itself fits). */
export interface ActionCaseFacts {
  status: CaseStatus;
  coverage: { decision: 'covered' | 'provisional' | 'denied' };
  notice?: { approved: boolean };
  obligations: readonly { status: string }[];
  settlement: { lines: readonly { status: string; payableJpy: number }[] };
  payouts?: readonly { status: string }[];
  heldFindings?: readonly unknown[];
}

export interface ActionAvailability {
  action: Action;
  allowed: boolean;
  /** Why not, when not allowed. */
  reason?: ActionBlock;
}

/** The first state rule an action breaks on this case, or undefined when the case would take it. */
function stateBlock(action: Action, role: Role, c: ActionCaseFacts): ActionBlock | undefined {
  // Reopen is the one action for an ended case (a withdrawn one stays ended); whether its run still waits for it is
  // the command's to say (not_reopenable).
  if (action === 'reopen') return c.status === 'closed' || c.status === 'denied' ? undefined : 'case_not_ended';
  if (TERMINAL_STATUSES.includes(c.status)) return 'case_ended';
  const payouts = c.payouts ?? [];
  const awaiting = payouts.some((p) => p.status === 'awaiting_supervisor');
  const payable = c.settlement.lines.filter((l) => l.status === 'payable' && l.payableJpy > 0);
  const openObligations = c.obligations.filter((o) => o.status === 'pending' || o.status === 'overdue');
  switch (action) {
    case 'approve-notice':
      if (c.coverage.decision === 'denied') return 'coverage_denied';
      if (c.notice?.approved) return 'notice_approved';
      return undefined;
    case 'approve-notice-draft':
      // Once the notice is approved and sent its draft no longer changes, nor needs approving.
      return c.notice?.approved ? 'notice_approved' : undefined;
    case 'submit-costs':
    case 'engage-vendor':
      return c.coverage.decision === 'denied' ? 'coverage_denied' : undefined;
    case 'approve-payout':
      if (c.coverage.decision !== 'covered') return 'coverage_not_covered';
      if (awaiting) return role === 'supervisor' ? undefined : 'awaits_supervisor';
      if (payable.length === 0) return c.settlement.lines.some((l) => l.status === 'held') ? 'consent_missing' : 'nothing_payable';
      return undefined;
    case 'record-filing':
      return openObligations.length === 0 ? 'nothing_to_file' : undefined;
    case 'confirm-findings':
      return (c.heldFindings?.length ?? 0) === 0 ? 'nothing_held' : undefined;
    case 'withdraw':
      return payouts.some((p) => p.status === 'paid') ? 'payout_made' : undefined;
    case 'close':
      if (openObligations.length > 0) return 'obligations_open';
      if (payouts.some((p) => p.status === 'approved' || p.status === 'awaiting_supervisor')) return 'payout_in_progress';
      if (payable.length > 0) return 'unpaid_lines';
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Every case action, in the order of `ACTIONS`, with whether `role` may take it on this case now and, if not, why:
 * first the role (ACTION_ROLES), then the case's state. Pure; the API answers it (`GET /v1/cases/{id}/actions`) and
 * the case desk offers exactly what it allows.
 */
export function actionAvailability(role: Role, c: ActionCaseFacts): ActionAvailability[] {
  return ACTIONS.map((action) => {
    const reason: ActionBlock | undefined = ACTION_ROLES[action].includes(role) ? stateBlock(action, role, c) : 'role';
    return reason ? { action, allowed: false, reason } : { action, allowed: true };
  });
}
