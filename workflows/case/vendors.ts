/**
 * Vendors track: panel vendors dispatched (counsel first, so forensic work stays under legal privilege), their
 * acknowledgement SLA (a vendor that misses it is replaced by the next on the panel), and the events they send back
 * through signed webhooks: acknowledgement, counsel's advice, forensic findings, invoices, letters mailed, enquiries.
 * Engagements by hand and by rule (`engage-vendor`, the call centre) are decided in engagements.ts.
 */
import { setHandler } from '@temporalio/workflow';
import {
  NOTICE_LANGUAGES,
  ackSlaMs,
  draftFaq,
  faqFactsOf,
  mayInvoice,
  type Cause,
  type CostCategory,
  type DataItem,
} from '../../domain/rules.js';
import { vendorEventSignal, vendorEventUpdate, type PanelVendor, type VendorEngagement, type VendorEventInput } from '../contract.js';
import { acts } from './activities.js';
import { addCostItem, recomputeSettlement } from './settlement.js';
import { nowIso, record, refuseLegacyUpdate, type CaseContext } from './state.js';
import { changeApplies } from './rules.js';
import { lettersReturned } from './notification.js';
import { counselApprovesNotice } from './notice-draft.js';
import { admit } from './trust.js';
import { applyFindings, findingsBody, receiveVendorFindings } from './triage.js';
import { publishCase } from './read-model.js';

const SEEN_EVENTS_KEPT = 1_000;

function nextPanelVendor(c: CaseContext, role: PanelVendor['role']): PanelVendor | undefined {
  const used = new Set(c.v.vendors.filter((e) => e.role === role).map((e) => e.vendorId));
  return c.s.panel.find((p) => p.role === role && !used.has(p.vendorId));
}

/** What a dispatch may say beyond the role: whom (a vendor of the panel named), who asked and why, what to tell. */
export interface DispatchOptions {
  /** Overrides what the vendor is told (the print vendor hears the number of letters, not of persons). */
  affectedPersons?: number;
  /** A vendor of the panel in that role (`engage-vendor`); without it the next one the case has not used. */
  vendorId?: string;
  engagedBy?: string;
  reason?: string;
}

export async function dispatch(c: CaseContext, role: PanelVendor['role'], actor: string, brief: DispatchOptions = {}): Promise<void> {
  const { v } = c;
  const vendor = brief.vendorId ? c.s.panel.find((p) => p.vendorId === brief.vendorId && p.role === role) : nextPanelVendor(c, role);
  if (!vendor) {
    record(c, 'vendor', actor, `no ${role} vendor left on the panel: the handler must engage one`);
    return;
  }
  const dispatchId = `${v.caseId}-${role}-${v.vendors.length + 1}`;
  const at = nowIso();
  const slaMs = c.rules.engageVendor ? ackSlaMs(role, c.input.settings.vendorAckSlaMs) : c.input.settings.vendorAckSlaMs;
  v.vendors.push({
    dispatchId,
    vendorId: vendor.vendorId,
    role,
    dispatchedAt: at,
    ackDueAt: new Date(Date.now() + slaMs).toISOString(),
    status: 'dispatched',
    slaBreached: false,
    invoicedJpy: 0,
    ...(brief.engagedBy ? { engagedBy: brief.engagedBy } : {}),
    ...(brief.reason ? { reason: brief.reason } : {}),
  });
  const callCenter = c.rules.engageVendor && role === 'call_center';
  if (callCenter) {
    (v.services ??= {}).callCenter = { vendorId: vendor.vendorId, phone: vendor.phone ?? null, enquiries: 0, dispatchId, engagedAt: at };
  }
  record(c, 'vendor', actor, `${role} ${vendor.name} (${vendor.vendorId}) dispatched`);
  await acts.dispatchVendor({
    caseId: v.caseId,
    dispatchId,
    vendorId: vendor.vendorId,
    role,
    brief: {
      cause: v.cause as Cause,
      dataItems: v.dataItems as DataItem[],
      affectedPersons: brief.affectedPersons ?? v.affectedPersons,
      discoveredAt: v.discoveredAt,
      ...(v.occurredAt ? { occurredAt: v.occurredAt } : {}),
      // The call centre answers persons from its FAQ, in each notice language: the case's facts, no person's data.
      ...(callCenter ? { faq: NOTICE_LANGUAGES.map((lang) => draftFaq(faqFactsOf(v, c.policy), lang)) } : {}),
    },
  });
}

/** The main loop's step: replaces every vendor whose acknowledgement is overdue. */
export async function checkVendorSlas(c: CaseContext): Promise<void> {
  for (const e of [...c.v.vendors]) {
    if (e.status === 'dispatched' && Date.parse(e.ackDueAt) <= Date.now()) {
      e.status = 'replaced';
      e.slaBreached = true;
      record(c, 'vendor', 'system', `${e.role} ${e.vendorId} missed its acknowledgement SLA: replaced`);
      await dispatch(c, e.role, 'system');
    }
  }
}

function vendorEngaged(c: CaseContext, vendorId: string): boolean {
  return c.v.vendors.some((e) => e.vendorId === vendorId);
}

/** Remembers an event id; false when it was seen before (a redelivery, which changes nothing). */
function firstSighting(c: CaseContext, eventId: string): boolean {
  const seen = c.s.seenEventIds;
  if (seen.includes(eventId)) return false;
  seen.push(eventId);
  if (seen.length > SEEN_EVENTS_KEPT) seen.shift();
  return true;
}

/** A vendor event from an engaged vendor; false for a redelivery. */
function applyOnce(c: CaseContext, event: VendorEventInput): boolean {
  if (!firstSighting(c, event.eventId)) return false;
  applyVendorEvent(c, event);
  publishCase(c);
  return true;
}

/**
 * A vendor event as the API delivers it, once it has checked the webhook's signature and signed the event itself.
 * A signal cannot be refused, so an event from a vendor that is not engaged is ignored here, with a trace on the
 * timeline (once: a redelivery of it is a duplicate like any other).
 */
export function receiveVendorEvent(c: CaseContext, event: VendorEventInput, fromPark = false): void {
  if (!admit(c, 'vendor-event', { kind: 'vendor-event', event }, event.proof, typeof event.type === 'string' ? `vendor event ${event.type}` : 'a message that is not a vendor event', fromPark)) return;
  if (vendorEngaged(c, event.vendorId)) {
    applyOnce(c, event);
    return;
  }
  if (!firstSighting(c, event.eventId)) return;
  record(c, 'vendor', `vendor:${event.vendorId}`, `${event.type} event ignored: vendor ${event.vendorId} is not engaged on this case`);
}

export function registerVendorEvents(c: CaseContext): void {
  setHandler(vendorEventSignal, (event) => {
    receiveVendorEvent(c, event);
    if (c.rules.readModel) publishCase(c);
  });
  // The earlier delivery, kept registered for the cases that received it (their histories replay it). Nothing may
  // use it any more: it carries no signature of the API, so it is refused before it reaches history.
  setHandler(vendorEventUpdate, (event) => ({ accepted: true, duplicate: !applyOnce(c, event) }), {
    validator: refuseLegacyUpdate,
  });
}

function applyVendorEvent(c: CaseContext, event: VendorEventInput): void {
  const { v } = c;
  const who = `vendor:${event.vendorId}`;
  // From this patch on an event counts only for the engagement it names, of the vendor that sent it, and only within
  // that vendor's role; a case recorded before replays its events as they were applied.
  const bound = changeApplies(c, 'vendorEngagementBound');
  // Letters are confirmed per batch, not per dispatch: they count for the sender's print-and-mail engagement.
  const letters = (event.type === 'letters_mailed' && c.rules.printVendorEngaged) || (event.type === 'letters_returned' && c.rules.notificationWaves);
  const engagement = letters
    ? [...v.vendors].reverse().find((e) => e.role === 'print_and_mail' && e.vendorId === event.vendorId)
    : bound
      ? v.vendors.find((e) => e.dispatchId === event.dispatchId && e.vendorId === event.vendorId)
      : v.vendors.find((e) => (event.dispatchId ? e.dispatchId === event.dispatchId : e.vendorId === event.vendorId));
  if (bound && !engagement) {
    record(c, 'refused', who, `${event.type} event refused: dispatch ${event.dispatchId ?? '(none)'} is not an engagement of ${event.vendorId} on this case`);
    return;
  }
  switch (event.type) {
    case 'acknowledged':
      if (engagement && engagement.status === 'dispatched') {
        engagement.status = 'acknowledged';
        engagement.acknowledgedAt = event.at;
        record(c, 'vendor', who, `${engagement.role} ${event.vendorId} acknowledged`);
        const line = v.services?.callCenter;
        if (c.rules.engageVendor && event.phone && line?.dispatchId === engagement.dispatchId && line.phone !== event.phone) {
          line.phone = event.phone;
          record(c, 'vendor', who, `call centre ${event.vendorId} opened line ${event.phone}`);
        }
      } else record(c, 'vendor', who, 'late acknowledgement ignored (vendor already replaced)');
      break;
    case 'advice':
      v.counselAdvice.push({ at: event.at, vendorId: event.vendorId, advice: event.advice ?? '' });
      record(c, 'counsel', who, 'counsel advice recorded');
      break;
    case 'findings':
      if (bound) receiveVendorFindings(c, event.eventId, event.vendorId, event.findings ?? {});
      else applyFindings(c, findingsBody(event.findings ?? {}), who);
      break;
    case 'invoice':
      if (bound && event.category && !mayInvoice(engagement!.role, event.category)) {
        record(c, 'refused', who, `invoice ${event.eventId} refused: ${event.category} is not the work of a ${engagement!.role} vendor`);
        break;
      }
      receiveInvoice(c, event, engagement);
      break;
    case 'letters_mailed':
      if (letters) v.notifications.lettersMailed = (v.notifications.lettersMailed ?? 0) + (event.count ?? 0);
      record(c, 'notification', who, `${event.count ?? 0} letters mailed`);
      break;
    case 'notice_approved':
      if (engagement && engagement.role !== 'counsel') {
        record(c, 'refused', who, `notice approval refused: ${event.vendorId} is not the case's counsel`);
        break;
      }
      counselApprovesNotice(c, event);
      break;
    case 'enquiries_reported':
      if (c.rules.engageVendor) receiveEnquiries(c, event, engagement);
      break;
    case 'letters_returned':
      // Runs without the waves rule count no unreachable persons: the event is noted only.
      if (letters) lettersReturned(c, event.batchId, event.count ?? 0);
      record(c, 'notification', who, `${event.count ?? 0} letters returned undelivered`);
      break;
  }
}

/** A call centre's enquiries so far: a total, so the count only grows (a late or repeated report changes nothing). */
function receiveEnquiries(c: CaseContext, event: VendorEventInput, engagement: VendorEngagement | undefined): void {
  const who = `vendor:${event.vendorId}`;
  const line = c.v.services?.callCenter;
  if (!engagement || engagement.role !== 'call_center' || line?.dispatchId !== engagement.dispatchId) {
    record(c, 'refused', who, `enquiries report of ${event.vendorId} ignored: it is not the engaged call centre`);
    return;
  }
  const total = event.total ?? 0;
  if (total <= line.enquiries) return;
  line.enquiries = total;
  line.reportedAt = event.at;
  record(c, 'vendor', who, `call centre ${event.vendorId} reported ${total} enquiries so far`);
}

function receiveInvoice(c: CaseContext, event: VendorEventInput, engagement: VendorEngagement | undefined): void {
  const { v } = c;
  const who = `vendor:${event.vendorId}`;
  if (engagement && event.amountJpy) engagement.invoicedJpy += event.amountJpy;
  if (!event.amountJpy || !event.category || v.coverage.decision === 'denied') return;
  addCostItem(c, {
    category: event.category as CostCategory,
    amountJpy: event.amountJpy,
    evidenceRef: event.evidenceRef ?? `invoice:${event.eventId}`,
    description: `panel vendor ${event.vendorId} invoice`,
    submittedBy: who,
    submittedAt: event.at,
  });
  if (!v.consents.some((x) => x.category === event.category && x.vendorId === event.vendorId)) {
    // Panel vendors are pre-consented (domain.md section 7).
    v.consents.push({ category: event.category, vendorId: event.vendorId, note: 'panel vendor', by: 'panel', at: event.at });
  }
  record(c, 'costs', who, `invoice of ${event.amountJpy} JPY added as a cost item`);
  recomputeSettlement(c);
}
