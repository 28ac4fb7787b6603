/**
 * Engagements by hand and by rule (rule `engageVendor`): `engage-vendor` decides the vendor, the consent it needs and
 * the role's acknowledgement SLA with the domain's `decideEngagement`, queues what the main loop dispatches, and
 * keeps an insured's request waiting for consent; `activeCallCenter` tells the campaign whether its notices have a
 * call centre. The dispatch itself, the SLAs and the vendors' events are in vendors.ts.
 */

import {
  consentOnCase,
  decideEngagement,
  type EngagementDecision,
  type EngagementFacts,
  type Role,
  vendorRoleOf,
} from '../../domain/rules.js';
import { recomputeSettlement } from './settlement.js';
import { isTerminal, nowIso, record, refuse, type CaseContext } from './state.js';
import type { CommandTable } from './command.js';
import { dispatch } from './vendors.js';

/** The call centre engaged now, if any (not replaced nor failed). */
export function activeCallCenter(c: CaseContext): boolean {
  return c.v.vendors.some((e) => e.role === 'call_center' && (e.status === 'dispatched' || e.status === 'acknowledged'));
}

function engagementFacts(c: CaseContext): EngagementFacts {
  // Engagements decided and not yet dispatched count as engaged, so two commands in one task cannot engage twice.
  const queued = (c.s.engageQueue ?? []).map((q) => ({ role: q.role, vendorId: q.vendorId }));
  return { ...c.v, vendorRequests: [...(c.v.vendorRequests ?? []), ...queued] };
}

function decide(c: CaseContext, body: { role: Parameters<typeof decideEngagement>[0]['role']; vendorId?: string }, role: Role): EngagementDecision {
  return decideEngagement(body, engagementFacts(c), c.s.panel, c.policy, role);
}

/** Carries out an engagement decided: waits for consent, or consents (a handler's engagement) and queues the dispatch. */
function applyEngagement(c: CaseContext, d: Extract<EngagementDecision, { ok: true }>, reason: string, by: string): void {
  const { v } = c;
  const at = nowIso();
  if (d.consent === 'awaiting') {
    const requests = (v.vendorRequests ??= []);
    requests.push({
      requestId: `${v.caseId}-request-${v.vendors.length + requests.length + 1}`,
      role: d.role,
      vendorId: d.vendorId,
      category: d.category,
      reason,
      requestedBy: by,
      requestedAt: at,
      status: 'awaiting_consent',
    });
    record(c, 'vendor', by, `${d.role} ${d.vendorId} requested: waits for consent to ${d.category}`);
    return;
  }
  if (d.consent === 'by_engagement') {
    // The insurer's own people engaging a vendor is the insurer's consent to its costs (domain.md section 3).
    v.consents.push({ category: d.category, vendorId: d.vendorId, note: `engage-vendor: ${reason}`, by, at });
    record(c, 'consent', by, `consent to ${d.category}`);
    recomputeSettlement(c);
  }
  if (!d.covered) record(c, 'vendor', by, `${d.category} is not covered by the policy: invoices of ${d.vendorId} will not be payable`);
  (c.s.engageQueue ??= []).push({ role: d.role, vendorId: d.vendorId, reason, by });
  record(c, 'vendor', by, `${d.role} ${d.vendorId} to be engaged: ${reason}`);
}

/** The panel is loaded by the case's first task: a command that comes before it is decided once it is. */
function panelLoaded(c: CaseContext): boolean {
  return c.s.panel.length > 0;
}

export const vendorCommands: CommandTable<'engage-vendor'> = {
  'engage-vendor': {
    check(c, b, actor) {
      if (!c.rules.engageVendor) refuse('wrong_state', 'this case predates engage-vendor: its vendors are engaged at triage only');
      if (c.v.coverage.decision === 'denied') refuse('wrong_state', 'coverage is denied');
      if (!panelLoaded(c)) return;
      const d = decide(c, b, actor.role);
      if (!d.ok) refuse(d.code, d.reason);
    },
    apply(c, b, actor) {
      if (!panelLoaded(c)) {
        (c.s.engageUndecided ??= []).push({ role: b.role, ...(b.vendorId ? { vendorId: b.vendorId } : {}), reason: b.reason, by: actor.name, byRole: actor.role });
        record(c, 'vendor', actor.name, `${vendorRoleOf(b.role)} to be engaged once the panel is loaded: ${b.reason}`);
        return;
      }
      const d = decide(c, b, actor.role);
      if (d.ok) applyEngagement(c, d, b.reason, actor.name);
    },
  },
};

/**
 * The main loop's step: the insured's requests whose consent has come are released, then every engagement decided is
 * dispatched (handlers decide, the loop does the work, so a command's answer never waits on a vendor).
 */
export async function engageRequested(c: CaseContext): Promise<void> {
  if (!c.rules.engageVendor) return;
  const { v, s } = c;
  if (v.coverage.decision === 'denied' || isTerminal(v.status)) return;
  for (let u = s.engageUndecided?.shift(); u; u = s.engageUndecided?.shift()) {
    const d = decide(c, { role: u.role, ...(u.vendorId ? { vendorId: u.vendorId } : {}) }, u.byRole);
    if (d.ok) applyEngagement(c, d, u.reason, u.by);
    else record(c, 'refused', u.by, `engage-vendor ${vendorRoleOf(u.role)} refused: ${d.reason}`);
  }
  if (s.engageUndecided?.length === 0) delete s.engageUndecided;
  if (v.vendorRequests?.length) {
    for (const r of [...v.vendorRequests]) {
      if (!consentOnCase(v, r.category, r.vendorId)) continue;
      v.vendorRequests = v.vendorRequests.filter((x) => x.requestId !== r.requestId);
      (s.engageQueue ??= []).push({ role: r.role, vendorId: r.vendorId, reason: r.reason, by: r.requestedBy });
      record(c, 'vendor', 'system', `${r.role} ${r.vendorId} released: consent to ${r.category} given`);
    }
    if (v.vendorRequests.length === 0) delete v.vendorRequests;
  }
  for (let next = s.engageQueue?.shift(); next; next = s.engageQueue?.shift()) {
    await dispatch(c, next.role, next.by, { vendorId: next.vendorId, engagedBy: next.by, reason: next.reason });
  }
  if (s.engageQueue?.length === 0) delete s.engageQueue;
}
