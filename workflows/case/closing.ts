/** Closing track: the insured withdraws, or a handler closes a case with nothing left open. */
import type { CommandTable } from './command.js';
import { nowIso, refuse, setStatus, type CaseContext } from './state.js';

function end(c: CaseContext, status: 'closed' | 'withdrawn', reason: string, actor: string): void {
  c.v.closeReason = reason;
  c.v.closedAt = nowIso();
  setStatus(c, status, actor, reason);
}

export const closingCommands: CommandTable<'withdraw' | 'close'> = {
  withdraw: {
    check(c) {
      if (c.v.payouts.some((p) => p.status === 'paid')) refuse('wrong_state', 'a payout was made; close the case instead');
    },
    apply: (c, b, actor) => end(c, 'withdrawn', b.reason, actor.name),
  },
  close: {
    check(c) {
      const { v, s } = c;
      const open = v.obligations.filter((o) => o.status === 'pending' || o.status === 'overdue');
      if (open.length > 0) refuse('wrong_state', `obligations still open: ${open.map((o) => o.id).join(', ')}`);
      if (s.campaignRunning) refuse('wrong_state', 'the notification campaign is still running');
      if (v.payouts.some((p) => p.status === 'approved' || p.status === 'awaiting_supervisor')) {
        refuse('wrong_state', 'a payout is still in progress');
      }
      const unpaid = v.settlement.lines.filter((l) => l.status === 'payable' && l.payableJpy > 0);
      if (unpaid.length > 0) refuse('wrong_state', `payable lines not yet paid: ${unpaid.map((l) => l.lineId).join(', ')}`);
    },
    apply: (c, b, actor) => end(c, 'closed', b.reason, actor.name),
  },
};
