/** Closing track: the insured withdraws, a handler closes a case with nothing left open, a supervisor reopens it. */
import { REOPENABLE_STATUSES } from '../../domain/rules.js';
import type { CommandTable } from './command.js';
import { recomputeSettlement } from './settlement.js';
import { nowIso, record, refuse, setStatus, type CaseContext } from './state.js';

function end(c: CaseContext, status: 'closed' | 'withdrawn', reason: string, actor: string): void {
  c.v.closeReason = reason;
  c.v.closedAt = nowIso();
  setStatus(c, status, actor, reason);
}

export const closingCommands: CommandTable<'withdraw' | 'close' | 'reopen'> = {
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
  /**
   * A closed or denied case back to the status it ended from: the main loop leaves its rest, so the clocks (reminders,
   * escalations of what is still open) and the settlement (costs, payouts) resume. Coverage stays as it was: a denied
   * case reopened is still denied until a `decide-coverage` overrides it.
   */
  reopen: {
    check(c) {
      if (!REOPENABLE_STATUSES.includes(c.v.status)) refuse('wrong_state', `case is ${c.v.status}`);
      if (!c.rules.reopenable) refuse('wrong_state', 'this case ended before cases could be reopened');
    },
    apply(c, b, actor) {
      const { v, s } = c;
      const to = s.statusBeforeEnd && !REOPENABLE_STATUSES.includes(s.statusBeforeEnd) ? s.statusBeforeEnd : 'response';
      delete v.closedAt;
      delete v.closeReason;
      delete s.restingSince;
      setStatus(c, to, actor.name, `reopened: ${b.reason}`);
      recomputeSettlement(c);
      record(c, 'reopened', actor.name, `case reopened: ${b.reason}`);
    },
  },
};
