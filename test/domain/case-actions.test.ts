import { describe, expect, it } from 'vitest';
import {
  ACTION_BLOCKS,
  ACTION_ROLES,
  ACTIONS,
  actionAvailability,
  ROLES,
  type Action,
  type ActionBlock,
  type ActionCaseFacts,
  type Role,
} from '../../domain/index.js';

/** A case in response: covered, notice not approved, one pending obligation, nothing submitted. */
const base: ActionCaseFacts = {
  status: 'response',
  coverage: { decision: 'covered' },
  notice: { approved: false },
  obligations: [{ status: 'pending' }],
  settlement: { lines: [] },
  payouts: [],
  heldFindings: [],
};
const payableLine = { status: 'payable', payableJpy: 120_000 };
const heldLine = { status: 'held', payableJpy: 0 };

function verdict(role: Role, c: ActionCaseFacts, action: Action): ActionBlock | 'allowed' {
  const hit = actionAvailability(role, c).find((a) => a.action === action)!;
  return hit.allowed ? 'allowed' : hit.reason!;
}

describe('actionAvailability: what a role may do on a case in this state', () => {
  const table: [string, Role, Partial<ActionCaseFacts>, Action, ActionBlock | 'allowed'][] = [
    ['handler assigns an open case', 'handler', {}, 'assign', 'allowed'],
    ['ops may not assign', 'ops', {}, 'assign', 'role'],
    ['admin may not close', 'admin', {}, 'close', 'role'],
    ['insured may not approve a notice', 'insured', {}, 'approve-notice', 'role'],
    ['insured withdraws its case', 'insured', {}, 'withdraw', 'allowed'],
    ['insured submits costs', 'insured', {}, 'submit-costs', 'allowed'],
    ['insured records a filing that is open', 'insured', {}, 'record-filing', 'allowed'],
    ['nothing left to file', 'handler', { obligations: [{ status: 'done' }, { status: 'not_required' }] }, 'record-filing', 'nothing_to_file'],
    ['an overdue filing can still be recorded', 'handler', { obligations: [{ status: 'overdue' }] }, 'record-filing', 'allowed'],
    ['closed case: no assign', 'handler', { status: 'closed' }, 'assign', 'case_ended'],
    ['denied case: no withdraw', 'insured', { status: 'denied' }, 'withdraw', 'case_ended'],
    ['withdrawn case: no costs', 'supervisor', { status: 'withdrawn' }, 'submit-costs', 'case_ended'],
    ['role before state: ops on a closed case', 'ops', { status: 'closed' }, 'close', 'role'],
    ['approve the notice', 'handler', {}, 'approve-notice', 'allowed'],
    ['notice already approved', 'handler', { notice: { approved: true } }, 'approve-notice', 'notice_approved'],
    ['a notice draft approved on counsel’s behalf', 'handler', {}, 'approve-notice-draft', 'allowed'],
    ['no draft approval once the notice is sent', 'supervisor', { notice: { approved: true } }, 'approve-notice-draft', 'notice_approved'],
    ['insured may not approve a notice draft', 'insured', {}, 'approve-notice-draft', 'role'],
    ['notice while coverage is denied', 'handler', { coverage: { decision: 'denied' } }, 'approve-notice', 'coverage_denied'],
    ['costs while coverage is denied', 'handler', { coverage: { decision: 'denied' } }, 'submit-costs', 'coverage_denied'],
    ['costs while provisional', 'handler', { coverage: { decision: 'provisional' } }, 'submit-costs', 'allowed'],
    ['payout with nothing payable', 'handler', {}, 'approve-payout', 'nothing_payable'],
    ['payout with a held line only', 'handler', { settlement: { lines: [heldLine] } }, 'approve-payout', 'consent_missing'],
    ['payout of a payable line', 'handler', { settlement: { lines: [payableLine] } }, 'approve-payout', 'allowed'],
    ['payout of a zero line', 'handler', { settlement: { lines: [{ status: 'payable', payableJpy: 0 }] } }, 'approve-payout', 'nothing_payable'],
    ['payout while provisional', 'handler', { coverage: { decision: 'provisional' }, settlement: { lines: [payableLine] } }, 'approve-payout', 'coverage_not_covered'],
    ['handler and a payout awaiting a supervisor', 'handler', { payouts: [{ status: 'awaiting_supervisor' }] }, 'approve-payout', 'awaits_supervisor'],
    ['supervisor approves the awaiting payout', 'supervisor', { payouts: [{ status: 'awaiting_supervisor' }] }, 'approve-payout', 'allowed'],
    ['confirm with nothing held', 'handler', {}, 'confirm-findings', 'nothing_held'],
    ['confirm held findings', 'handler', { heldFindings: [{}] }, 'confirm-findings', 'allowed'],
    ['withdraw after a payout was made', 'insured', { payouts: [{ status: 'paid' }] }, 'withdraw', 'payout_made'],
    ['close with an open obligation', 'handler', {}, 'close', 'obligations_open'],
    ['close with a payout approved, not paid', 'handler', { obligations: [], payouts: [{ status: 'approved' }] }, 'close', 'payout_in_progress'],
    ['close with a payable line unpaid', 'handler', { obligations: [], settlement: { lines: [payableLine] } }, 'close', 'unpaid_lines'],
    ['close with everything done', 'handler', { obligations: [{ status: 'done' }], payouts: [{ status: 'paid' }] }, 'close', 'allowed'],
    ['deny an open case', 'supervisor', {}, 'deny', 'allowed'],
    ['reopen a closed case', 'supervisor', { status: 'closed' }, 'reopen', 'allowed'],
    ['reopen a denied case', 'supervisor', { status: 'denied' }, 'reopen', 'allowed'],
    ['reopen an open case', 'supervisor', {}, 'reopen', 'case_not_ended'],
    ['a withdrawn case stays ended', 'supervisor', { status: 'withdrawn' }, 'reopen', 'case_not_ended'],
    ['a handler may not reopen', 'handler', { status: 'closed' }, 'reopen', 'role'],
    ['decide coverage on a provisional case', 'handler', { coverage: { decision: 'provisional' } }, 'decide-coverage', 'allowed'],
    ['the insured records its announcement', 'insured', {}, 'record-announcement', 'allowed'],
    ['a handler records an announcement made for the insured', 'handler', {}, 'record-announcement', 'allowed'],
    ['a supervisor does not record announcements', 'supervisor', {}, 'record-announcement', 'role'],
    ['no announcement on an ended case', 'insured', { status: 'closed' }, 'record-announcement', 'case_ended'],
  ];
  it.each(table)('%s', (_name, role, change, action, expected) => {
    expect(verdict(role, { ...base, ...change }, action)).toBe(expected);
  });

  it('lists every action once, in the order of ACTIONS, with a reason exactly when refused', () => {
    for (const role of ROLES) {
      const list = actionAvailability(role, base);
      expect(list.map((a) => a.action)).toEqual([...ACTIONS]);
      for (const a of list) {
        expect(a.allowed).toBe(a.reason === undefined);
        if (a.reason) expect(Object.keys(ACTION_BLOCKS)).toContain(a.reason);
      }
    }
  });

  it('never allows what ACTION_ROLES forbids, and refuses such an action for the role first', () => {
    const states: Partial<ActionCaseFacts>[] = [{}, { status: 'closed' }, { coverage: { decision: 'denied' } }, { heldFindings: [{}] }];
    for (const role of ROLES) {
      for (const change of states) {
        for (const a of actionAvailability(role, { ...base, ...change })) {
          if (!ACTION_ROLES[a.action].includes(role)) expect(a).toEqual({ action: a.action, allowed: false, reason: 'role' });
        }
      }
    }
  });
});
