/**
 * Settlement track: consents, cost items, the settlement computed from them (domain/payout.ts), payouts within the
 * approver's authority, and the payments themselves, each drawn from the policy ledger first.
 */
import {
  DOCUMENT_ID_PATTERN,
  computeSettlement,
  isLiabilityCategory,
  requiredApprover,
  type CostCategory,
} from '../../domain/rules.js';
import type { EmailMessage } from '../../activities/email/render.js';
import type { Actor, CostItemRecord } from '../contract.js';
import { money } from './activities.js';
import type { CommandTable } from './command.js';
import { CASE_LANGUAGE, insuredContact, insuredLanguage } from './messages.js';
import { lineEvidence } from './services.js';
import { nowIso, queueEmail, record, refuse, setStatus, type CaseContext } from './state.js';

export function recomputeSettlement(c: CaseContext): void {
  const { v, s, policy } = c;
  const paidLines = v.settlement.lines.filter((l) => l.status === 'paid' || l.status === 'approved');
  const paidIds = new Set(paidLines.map((l) => l.lineId));
  const open = s.costItems.filter((i) => !paidIds.has(i.lineId));
  const byCategory: Partial<Record<CostCategory, number>> = {};
  let responseJpy = 0;
  let liabilityJpy = 0;
  for (const l of paidLines) {
    const amount = l.paidJpy ?? l.payableJpy;
    byCategory[l.category] = (byCategory[l.category] ?? 0) + amount;
    if (isLiabilityCategory(l.category)) liabilityJpy += amount;
    else responseJpy += amount;
  }
  const paid = { responseJpy, liabilityJpy, byCategory };
  const result = computeSettlement({
    policy,
    consents: v.consents.map((x) => ({
      category: x.category as CostCategory,
      ...(x.limitJpy !== undefined ? { limitJpy: x.limitJpy } : {}),
      ...(x.vendorId ? { vendorId: x.vendorId } : {}),
    })),
    items: open.map((i) => ({
      lineId: i.lineId,
      category: i.category,
      amountJpy: i.amountJpy,
      ...lineEvidence(c, i),
    })),
    paid: { incident: paid, period: paid },
  });
  const evidence = new Map(open.map((i) => [i.lineId, lineEvidence(c, i).evidenceRef]));
  v.settlement.lines = [...paidLines, ...result.lines.map((l) => ({ ...l, evidenceRef: evidence.get(l.lineId) ?? '' }))];
  v.settlement.payableJpy = result.lines.filter((l) => l.status === 'payable').reduce((a, l) => a + l.payableJpy, 0);
  v.settlement.heldJpy = result.lines.filter((l) => l.status === 'held').reduce((a, l) => a + l.claimedJpy, 0);
  v.settlement.paidJpy = v.settlement.lines.reduce((a, l) => a + (l.status === 'paid' ? (l.paidJpy ?? 0) : 0), 0);
}

/** Adds a cost item with the next line id (submitted costs and vendor invoices alike). */
export function addCostItem(c: CaseContext, item: Omit<CostItemRecord, 'lineId'>): void {
  c.s.lineNo += 1;
  c.s.costItems.push({ lineId: `L${c.s.lineNo}`, ...item });
}

function payoutTotal(c: CaseContext, lineIds: string[] | undefined): { ids: string[]; total: number } {
  const payable = c.v.settlement.lines.filter((l) => l.status === 'payable' && l.payableJpy > 0);
  const chosen = lineIds ? payable.filter((l) => lineIds.includes(l.lineId)) : payable;
  return { ids: chosen.map((l) => l.lineId), total: chosen.reduce((a, l) => a + l.payableJpy, 0) };
}

function approverOf(amountJpy: number, actor: Actor) {
  return requiredApprover(amountJpy, { role: actor.role, authorityLimitJpy: actor.authorityLimitJpy ?? 0 });
}

export const settlementCommands: CommandTable<'consent' | 'submit-costs' | 'approve-payout'> = {
  consent: {
    check(c, b) {
      if (c.rules.consentPanelVendor && b.vendorId !== undefined && !c.s.panel.some((p) => p.vendorId === b.vendorId)) {
        refuse('invalid', 'vendorId is not a vendor of the panel');
      }
    },
    apply(c, b, actor) {
      c.v.consents.push({ ...b, by: actor.name, at: nowIso() });
      record(c, 'consent', actor.name, `consent to ${b.category}${b.limitJpy !== undefined ? ` up to ${b.limitJpy} JPY` : ''}`);
      recomputeSettlement(c);
    },
  },
  'submit-costs': {
    check(c, b) {
      if (c.v.coverage.decision === 'denied') refuse('wrong_state', 'coverage is denied');
      // An evidenceRef that looks like a document id must be a document of this case; any other text is free.
      const documents = new Set((c.s.documents ?? []).map((d) => d.documentId));
      const unknown = b.items.find((i) => DOCUMENT_ID_PATTERN.test(i.evidenceRef) && !documents.has(i.evidenceRef));
      if (unknown) refuse('invalid', `evidenceRef ${unknown.evidenceRef} names no document of this case`);
      const known = new Set(c.s.costItems.map((i) => i.evidenceRef + '|' + i.category + '|' + i.amountJpy));
      if (b.items.every((i) => known.has(i.evidenceRef + '|' + i.category + '|' + i.amountJpy))) {
        refuse('duplicate', 'every item was submitted before (same evidence, category and amount)');
      }
    },
    apply(c, b, actor) {
      for (const item of b.items) {
        addCostItem(c, {
          category: item.category,
          amountJpy: item.amountJpy,
          evidenceRef: item.evidenceRef,
          ...(item.persons !== undefined ? { persons: item.persons } : {}),
          ...(item.description ? { description: item.description } : {}),
          submittedBy: actor.name,
          submittedAt: nowIso(),
        });
      }
      record(c, 'costs', actor.name, `${b.items.length} cost item(s) submitted`);
      recomputeSettlement(c);
      if (c.v.status === 'response') setStatus(c, 'settlement', actor.name, 'costs submitted');
    },
  },
  'approve-payout': {
    check(c, b, actor) {
      const { v } = c;
      if (v.coverage.decision !== 'covered') refuse('wrong_state', `coverage is ${v.coverage.decision}`);
      const waiting = v.payouts.find((p) => p.status === 'awaiting_supervisor');
      if (waiting) {
        const decision = approverOf(waiting.requestedJpy, actor);
        if (!decision.allowed || actor.role !== 'supervisor') {
          refuse('over_authority', `payout ${waiting.payoutId} awaits a supervisor: ${decision.reason}`);
        }
        return;
      }
      const { ids, total } = payoutTotal(c, b.lineIds);
      if (b.lineIds && ids.length !== b.lineIds.length) refuse('invalid', 'some lineIds are not payable');
      if (ids.length === 0 || total === 0) {
        const held = v.settlement.lines.find((l) => l.status === 'held');
        if (held) refuse('consent_missing', `nothing payable; line ${held.lineId} is held: ${held.reasons.join(', ')}`);
        refuse('nothing_to_do', 'no payable lines');
      }
      if (actor.role === 'supervisor') {
        const d = approverOf(total, actor);
        if (!d.allowed) refuse('over_authority', d.reason);
      }
    },
    apply(c, b, actor) {
      const { v, s } = c;
      const waiting = v.payouts.find((p) => p.status === 'awaiting_supervisor');
      if (waiting) {
        waiting.status = 'approved';
        waiting.approvedBy.push(actor.name);
        record(c, 'payout', actor.name, `payout ${waiting.payoutId} of ${waiting.requestedJpy} JPY approved by supervisor`);
        return;
      }
      const { ids, total } = payoutTotal(c, b.lineIds);
      s.payoutNo += 1;
      const payoutId = `${v.caseId}-P${s.payoutNo}`;
      const d = approverOf(total, actor);
      v.payouts.push({ payoutId, lineIds: ids, requestedJpy: total, status: d.allowed ? 'approved' : 'awaiting_supervisor', approvedBy: [actor.name] });
      for (const line of v.settlement.lines) if (ids.includes(line.lineId)) line.status = 'approved';
      record(
        c,
        'payout',
        actor.name,
        d.allowed
          ? `payout ${payoutId} of ${total} JPY approved`
          : `payout ${payoutId} of ${total} JPY exceeds ${actor.name}'s authority: awaits a supervisor`,
      );
      if (!d.allowed) {
        queueEmail(c, `payout-approval:${payoutId}`, { kind: 'role', role: 'supervisor' }, payoutApprovalRequest(c, payoutId, ids, total, actor));
      }
      if (v.status === 'response') setStatus(c, 'settlement', actor.name, 'payout approved');
    },
  },
};

function payoutApprovalRequest(c: CaseContext, payoutId: string, lineIds: string[], total: number, actor: Actor): EmailMessage {
  const lines = c.v.settlement.lines.filter((l) => lineIds.includes(l.lineId));
  if (c.rules.payoutApprovalMail) {
    const byCategory = new Map<CostCategory, number>();
    for (const l of lines) byCategory.set(l.category, (byCategory.get(l.category) ?? 0) + l.payableJpy);
    return {
      kind: 'payout_approval_request',
      language: CASE_LANGUAGE,
      // Each supervisor's own name replaces it when the worker resolves the role.
      recipientName: '',
      caseId: c.v.caseId,
      insuredName: c.policy.insuredName,
      policyNumber: c.v.policyNumber,
      payoutId,
      amountJpy: total,
      requestedBy: actor.name,
      requestedAt: nowIso(),
      authorityLimitJpy: actor.authorityLimitJpy ?? 0,
      lines: [...byCategory].map(([category, payableJpy]) => ({ category, payableJpy })),
    };
  }
  // Runs recorded before the payout-approval e-mail existed asked supervisors with the consent request (the same
  // activity, so only its words changed: they were English in a Japanese e-mail).
  const largest = [...lines].sort((a, b) => b.payableJpy - a.payableJpy)[0];
  const yen = total.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return {
    kind: 'consent_request',
    language: CASE_LANGUAGE,
    recipientName: '',
    caseId: c.v.caseId,
    category: largest?.category ?? 'forensic_investigation',
    amountJpy: total,
    vendor: { name: `保険金支払 ${payoutId}`, panel: true },
    requestedBy: actor.name,
    requestedAt: nowIso(),
    note: `保険金支払（${yen}円）は${actor.name}の支払権限額を超えるため、上席者の承認をお待ちしています。`,
  };
}

/** The main loop's step: pays every approved payout, drawing on the policy ledger first. */
export async function executePayouts(c: CaseContext): Promise<void> {
  const { v } = c;
  for (const p of v.payouts) {
    if (p.status !== 'approved') continue;
    const lines = v.settlement.lines.filter((l) => p.lineIds.includes(l.lineId));
    const grant = await money.drawFromPolicy({
      policyNumber: v.policyNumber,
      caseId: v.caseId,
      payoutId: p.payoutId,
      lines: lines.map((l) => ({ lineId: l.lineId, category: l.category, amountJpy: l.payableJpy })),
    });
    p.grantedJpy = grant.grantedJpy;
    if (grant.grantedJpy > 0) {
      const payment = await money.makePayment({ caseId: v.caseId, payoutId: p.payoutId, amountJpy: grant.grantedJpy, insuredId: v.insuredId });
      p.paymentId = payment.paymentId;
      p.paidAt = payment.paidAt;
    }
    p.status = 'paid';
    for (const g of grant.lines) {
      const line = v.settlement.lines.find((l) => l.lineId === g.lineId);
      if (!line) continue;
      line.status = 'paid';
      line.paidJpy = g.grantedJpy;
      line.payoutId = p.payoutId;
      if (g.grantedJpy < g.requestedJpy) {
        line.reasons = [...line.reasons, g.reason ?? 'period_limit_exhausted'];
        line.steps = [
          ...line.steps,
          {
            step: 'period_limit_at_payment',
            beforeJpy: g.requestedJpy,
            afterJpy: g.grantedJpy,
            explanation: 'the policy period limit shared by all cases of this policy had less left at payment',
          },
        ];
      }
    }
    recomputeSettlement(c);
    record(c, 'payout', 'system', `payout ${p.payoutId} paid ${grant.grantedJpy} JPY${grant.grantedJpy < p.requestedJpy ? ` of ${p.requestedJpy} requested` : ''}`);
    queueEmail(c, `payout:${p.payoutId}`, insuredContact(c), {
      kind: 'payout_notice',
      language: insuredLanguage(c),
      recipientName: c.report.contact.name,
      insuredName: c.policy.insuredName,
      caseId: v.caseId,
      policyNumber: v.policyNumber,
      amountJpy: grant.grantedJpy,
      lines: grant.lines.map((l) => ({
        category: lines.find((x) => x.lineId === l.lineId)?.category ?? 'forensic_investigation',
        payableJpy: l.grantedJpy,
        claimedJpy: l.requestedJpy,
      })),
      ...(p.paidAt ? { paidAt: p.paidAt } : {}),
    });
  }
}
