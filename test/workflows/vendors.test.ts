/**
 * Engaging vendors (issue 14 parts 2 and 3) under the time-skipping server: the call centre engaged by rule for more
 * than 1,000 notices, briefed with its FAQ, printed on the notices, replaced when it misses its acknowledgement SLA,
 * and counting the enquiries it reports; `engage-vendor` by hand with the consent gate where the policy asks for one,
 * and the engaged vendor's invoice becoming a cost line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { timeSkippingEnv } from '../support/temporal-env.js';
import { startHarness } from './harness.js';
import { keepGolden, personsRef } from './scenario-kit.js';
import { approveNoticeDraft } from './notice-approval.js';
import { actors, caseInput, panel as basePanel, policyRecord, report, testSigner, uniqueId } from '../support/fixtures.js';
import { runCaseCommand } from '../../api/case-commands.js';
import { HttpProblem } from '../../api/problem.js';
import {
  ATTACH_PERSONS,
  CASE_WORKFLOW_TYPE,
  caseIdFromWorkflowId,
  caseWorkflowId,
  commandSignal,
  timelineQuery,
  vendorEventSignal,
  viewQuery,
  type Actor,
  type CaseCommand,
  type CaseView,
  type PanelVendor,
  type ProofPurpose,
  type VendorEventInput,
} from '../../workflows/contract.js';
import type { Action, PolicyRecord } from '../../domain/index.js';

const PANEL: PanelVendor[] = [
  ...basePanel,
  { vendorId: 'callcenter-a', role: 'call_center', name: 'Call Centre A', phone: '0120-000-111' },
  { vendorId: 'callcenter-b', role: 'call_center', name: 'Call Centre B', phone: '0120-000-222' },
  { vendorId: 'pr-a', role: 'public_relations', name: 'PR A' },
  { vendorId: 'prevention-a', role: 'recurrence_prevention', name: 'Security Consulting A' },
];

const CATEGORIES = {
  forensic_investigation: { limitJpy: 10_000_000, payoutRatio: 1.0, consentRequired: false },
  legal_counsel: { limitJpy: 5_000_000, payoutRatio: 1.0, consentRequired: false },
  notification: { limitJpy: 5_000_000, payoutRatio: 1.0, consentRequired: false },
  apology_payment: { limitJpy: 10_000_000, payoutRatio: 1.0, consentRequired: true, perVictimCapJpy: 500 },
  call_center: { limitJpy: 5_000_000, payoutRatio: 0.9, consentRequired: false },
  public_relations: { limitJpy: 3_000_000, payoutRatio: 1.0, consentRequired: true },
  recurrence_prevention: { limitJpy: 3_000_000, payoutRatio: 1.0, consentRequired: true },
};

let env: Awaited<ReturnType<typeof timeSkippingEnv>>;
let h: Awaited<ReturnType<typeof startHarness>>;

beforeAll(async () => {
  env = await timeSkippingEnv();
  h = await startHarness(env, { panel: PANEL });
});
afterAll(async () => {
  await h?.stop();
  await env?.stopServer();
});

async function openCase(): Promise<{ handle: WorkflowHandle; caseId: string; policy: PolicyRecord }> {
  const now = await env.currentTimeMs();
  const policy = policyRecord(uniqueId('PL'), { categories: CATEGORIES }, now);
  await h.registerPolicy(policy);
  const caseId = uniqueId('C');
  const times = { discoveredAt: new Date(now - 3_600_000).toISOString(), occurredAt: new Date(now - 3 * 86_400_000).toISOString() };
  const handle = await env.client.workflow.start(CASE_WORKFLOW_TYPE, {
    workflowId: caseWorkflowId(caseId),
    taskQueue: h.taskQueue,
    args: [caseInput(caseId, policy, { report: report(policy.policyNumber, times), reportedAt: new Date(now).toISOString() })],
  });
  return { handle, caseId, policy };
}

let commandNo = 0;

async function signed<M extends CaseCommand | VendorEventInput>(handle: WorkflowHandle, purpose: ProofPurpose, message: M): Promise<M> {
  const caseId = caseIdFromWorkflowId(handle.workflowId)!;
  return { ...message, proof: testSigner.proof(purpose, caseId, message, new Date(await env.currentTimeMs()).toISOString()) };
}

async function command(handle: WorkflowHandle, cmd: CaseCommand): Promise<CaseView> {
  return runCaseCommand(env.client, handle, await signed(handle, 'command', cmd), { waitMs: 15_000, checkMs: 5_000 });
}

function act(handle: WorkflowHandle, action: Action, actor: Actor, body: unknown): Promise<CaseView> {
  return command(handle, { commandId: `vendors-${++commandNo}`, action, request: { actor, body } });
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; text: string }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpProblem);
    return { code: (err as HttpProblem).code, text: (err as HttpProblem).detail ?? '' };
  }
  throw new Error('expected the command to be refused');
}

async function vendorEvent(handle: WorkflowHandle, event: Omit<VendorEventInput, 'at'>): Promise<void> {
  await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', { ...event, at: new Date(await env.currentTimeMs()).toISOString() }));
}

async function settle(handle: WorkflowHandle, until: (v: CaseView) => boolean): Promise<CaseView> {
  for (let i = 0; i < 50; i++) {
    const v = await handle.query(viewQuery);
    if (until(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return handle.query(viewQuery);
}

/** Acknowledges every dispatched vendor, and waits until the case has. */
async function ackAll(handle: WorkflowHandle, view: CaseView): Promise<CaseView> {
  const pending = view.vendors.filter((x) => x.status === 'dispatched');
  for (const e of pending) await vendorEvent(handle, { eventId: `ack-${e.dispatchId}`, vendorId: e.vendorId, dispatchId: e.dispatchId, type: 'acknowledged' });
  const done = (v: CaseView) => pending.every((p) => v.vendors.find((x) => x.dispatchId === p.dispatchId)?.status === 'acknowledged');
  const after = await settle(handle, done);
  expect(done(after), 'vendors acknowledged').toBe(true);
  return after;
}



describe('the call centre', () => {
  it('is engaged by rule for more than 1,000 notices, with its FAQ; the notices print its number; one that misses its SLA is replaced', async () => {
    const { handle, caseId } = await openCase();
    let view = await settle(handle, (v) => v.vendors.length === 2);
    await ackAll(handle, view);
    await command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsRef(1_200) } });
    await approveNoticeDraft(handle, act, settle);
    await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    view = await settle(handle, (v) => v.notifications.status === 'done');
    const first = view.vendors.find((e) => e.role === 'call_center')!;
    expect(first).toMatchObject({ vendorId: 'callcenter-a', status: 'dispatched' });
    expect(view.services?.callCenter).toMatchObject({ vendorId: 'callcenter-a', phone: '0120-000-111', enquiries: 0, dispatchId: first.dispatchId });
    // One hour to acknowledge, like forensics and counsel.
    expect(Date.parse(first.ackDueAt) - Date.parse(first.dispatchedAt)).toBe(3_600_000);

    // Briefed with the FAQ in both notice languages, drafted from the case's facts: no person's data in it.
    const briefed = h.seen.dispatches.find((d) => d.caseId === caseId && d.role === 'call_center')!;
    expect(briefed.brief.faq?.map((f) => f.lang)).toEqual(['ja', 'en']);
    expect(briefed.brief.faq?.[0]?.entries.map((e) => e.topic)).toEqual(['what_happened', 'what_leaked', 'what_to_do', 'contact']);
    expect(briefed.brief.faq?.[0]?.entries.at(-1)?.answer).toContain('0120-000-111');
    expect(JSON.stringify(briefed.brief)).not.toMatch(/山田|yamada|Sales laptop/);

    // Every notice names the insured's enquiry desk with the call centre's number, not the reporter's contact.
    const slices = h.seen.slices.filter((s) => s.caseId === caseId);
    expect(slices.length).toBeGreaterThan(0);
    for (const s of slices) expect(s.notice.contactDesk).toEqual({ name: '株式会社サンプル', ofInsured: true, callCenter: true, phone: '0120-000-111' });

    // The call centre never acknowledges: an hour later the next one on the panel takes over.
    await env.sleep('61 minutes');
    view = await settle(handle, (v) => v.vendors.filter((e) => e.role === 'call_center').length === 2);
    expect(view.vendors.filter((e) => e.role === 'call_center').map((e) => `${e.vendorId}:${e.status}:${e.slaBreached}`)).toEqual([
      'callcenter-a:replaced:true',
      'callcenter-b:dispatched:false',
    ]);
    const second = view.vendors.find((e) => e.vendorId === 'callcenter-b')!;
    expect(view.services?.callCenter).toMatchObject({ vendorId: 'callcenter-b', phone: '0120-000-222', enquiries: 0, dispatchId: second.dispatchId });
    expect(h.seen.dispatches.filter((d) => d.caseId === caseId && d.role === 'call_center').map((d) => d.vendorId)).toEqual(['callcenter-a', 'callcenter-b']);

    // It acknowledges with the line it opened for the case, and reports its enquiries so far: the count only grows.
    await vendorEvent(handle, { eventId: 'cc-b-ack', vendorId: 'callcenter-b', dispatchId: second.dispatchId, type: 'acknowledged', phone: '0120-000-333' });
    await vendorEvent(handle, { eventId: 'cc-b-enq-1', vendorId: 'callcenter-b', dispatchId: second.dispatchId, type: 'enquiries_reported', total: 40 });
    await vendorEvent(handle, { eventId: 'cc-b-enq-2', vendorId: 'callcenter-b', dispatchId: second.dispatchId, type: 'enquiries_reported', total: 95 });
    await vendorEvent(handle, { eventId: 'cc-b-enq-late', vendorId: 'callcenter-b', dispatchId: second.dispatchId, type: 'enquiries_reported', total: 60 });
    // The replaced call centre's report counts for nothing.
    await vendorEvent(handle, { eventId: 'cc-a-enq', vendorId: 'callcenter-a', dispatchId: first.dispatchId, type: 'enquiries_reported', total: 500 });
    view = await settle(handle, (v) => v.services?.callCenter?.phone === '0120-000-333' && v.services.callCenter.enquiries === 95);
    expect(view.services?.callCenter).toMatchObject({ vendorId: 'callcenter-b', phone: '0120-000-333', enquiries: 95 });
    const timeline = (await handle.query(timelineQuery)).map((t) => t.summary);
    expect(timeline).toEqual(
      expect.arrayContaining([
        'call centre engaged by rule: 1200 notices, more than 1000',
        'call_center callcenter-a missed its acknowledgement SLA: replaced',
        'call centre callcenter-b opened line 0120-000-333',
        'call centre callcenter-b reported 95 enquiries so far',
        'enquiries report of callcenter-a ignored: it is not the engaged call centre',
      ]),
    );
    expect(timeline.filter((t) => t.includes('reported') && t.includes('enquiries so far'))).toHaveLength(2);

    // Asked for again while one is engaged: refused; by name, another one may be engaged.
    expect(await refusal(act(handle, 'engage-vendor', actors.insured, { role: 'call_center', reason: 'more lines' }))).toMatchObject({ code: 'duplicate' });
    await keepGolden(handle, 'case-call-center-replaced-open-v10-vendors');
  });

  it('is engaged on the insured’s request for a small list too, before any notice goes out', async () => {
    const { handle, caseId } = await openCase();
    let view = await settle(handle, (v) => v.vendors.length === 2);
    view = await act(handle, 'engage-vendor', actors.insured, { role: 'call_center', reason: 'customers call the shop' });
    view = await settle(handle, (v) => v.vendors.some((e) => e.role === 'call_center'));
    expect(view.vendors.find((e) => e.role === 'call_center')).toMatchObject({ vendorId: 'callcenter-a', engagedBy: 'insured-ins-001', reason: 'customers call the shop' });
    // No consent is asked for a call centre (domain.md section 3).
    expect(view.vendorRequests).toBeUndefined();
    await command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsRef(50) } });
    await approveNoticeDraft(handle, act, settle);
    await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    view = await settle(handle, (v) => v.notifications.status === 'done');
    expect(view.vendors.filter((e) => e.role === 'call_center')).toHaveLength(1);
    const slices = h.seen.slices.filter((x) => x.caseId === caseId);
    expect(slices.length).toBeGreaterThan(0);
    for (const s of slices) expect(s.notice.contactDesk.phone).toBe('0120-000-111');
  });
});

describe('engage-vendor', () => {
  it('takes an engagement sent with the case’s start and decides it once the panel is loaded', async () => {
    const now = await env.currentTimeMs();
    const policy = policyRecord(uniqueId('PL'), { categories: CATEGORIES }, now);
    await h.registerPolicy(policy);
    const caseId = uniqueId('C');
    const times = { discoveredAt: new Date(now - 3_600_000).toISOString(), occurredAt: new Date(now - 3 * 86_400_000).toISOString() };
    const cmd: CaseCommand = { commandId: `vendors-${++commandNo}`, action: 'engage-vendor', request: { actor: actors.handler, body: { role: 'public_relations', reason: 'press at the door' } } };
    // Signal-with-start puts the command in the case's first task, before intake has loaded the panel.
    const handle = await env.client.workflow.signalWithStart(CASE_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [caseInput(caseId, policy, { report: report(policy.policyNumber, times), reportedAt: new Date(now).toISOString() })],
      signal: commandSignal,
      signalArgs: [{ ...cmd, proof: testSigner.proof('command', caseId, cmd, new Date(now).toISOString()) }],
    });
    const view = await settle(handle, (v) => v.vendors.some((e) => e.role === 'public_relations'));
    expect(view.vendors.map((e) => e.role)).toEqual(['counsel', 'forensics', 'public_relations']);
    expect(view.consents).toEqual([expect.objectContaining({ category: 'public_relations', vendorId: 'pr-a', by: 'handler' })]);
    const timeline = (await handle.query(timelineQuery)).map((t) => t.summary);
    expect(timeline).toEqual(expect.arrayContaining(['public_relations to be engaged once the panel is loaded: press at the door', 'public_relations pr-a to be engaged: press at the door']));
  });

  it('lets a print vendor engaged by hand take the campaign’s letters, without a second dispatch', async () => {
    const { handle, caseId } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    await act(handle, 'engage-vendor', actors.handler, { role: 'print_mail', reason: 'letters to customers without e-mail' });
    await settle(handle, (v) => v.vendors.some((e) => e.role === 'print_and_mail'));
    const ref = { ...personsRef(40), withEmail: 30, withoutEmail: 10 };
    await command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref } });
    await approveNoticeDraft(handle, act, settle);
    await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    const view = await settle(handle, (v) => v.notifications.status === 'done');
    expect(view.vendors.filter((e) => e.role === 'print_and_mail').map((e) => [e.vendorId, e.engagedBy])).toEqual([['print-a', 'handler']]);
    expect(h.seen.dispatches.filter((d) => d.caseId === caseId && d.role === 'print_and_mail')).toHaveLength(1);
    const slices = h.seen.slices.filter((x) => x.caseId === caseId);
    expect(slices.length).toBeGreaterThan(0);
    expect(slices.every((x) => x.printVendorId === 'print-a')).toBe(true);
    expect((await handle.query(timelineQuery)).some((t) => t.summary.includes('vendor left on the panel'))).toBe(false);
  });

  it('gates PR on consent when the insured asks, takes a handler’s engagement as consent, and books the invoices', async () => {
    const { handle, caseId } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);

    expect(await refusal(act(handle, 'engage-vendor', actors.ops, { role: 'public_relations', reason: 'x' }))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(act(handle, 'engage-vendor', actors.handler, { role: 'public_relations', vendorId: 'pr-z', reason: 'x' }))).toEqual({
      code: 'invalid',
      text: 'vendor pr-z is not on the panel',
    });
    expect(await refusal(act(handle, 'engage-vendor', actors.handler, { role: 'call_center', vendorId: 'pr-a', reason: 'x' }))).toMatchObject({ code: 'invalid' });
    expect(await refusal(act(handle, 'engage-vendor', actors.handler, { role: 'credit_monitoring', reason: 'x' }))).toEqual({
      code: 'wrong_state',
      text: 'no credit_monitoring vendor left on the panel',
    });

    // The insured asks for a PR firm: the policy asks for prior consent, so the request waits.
    let view = await act(handle, 'engage-vendor', actors.insured, { role: 'public_relations', reason: 'press enquiries' });
    expect(view.vendorRequests).toEqual([
      expect.objectContaining({ role: 'public_relations', vendorId: 'pr-a', category: 'public_relations', requestedBy: 'insured-ins-001', status: 'awaiting_consent' }),
    ]);
    expect(view.vendors.some((e) => e.role === 'public_relations')).toBe(false);
    expect(await refusal(act(handle, 'engage-vendor', actors.insured, { role: 'public_relations', reason: 'again' }))).toMatchObject({ code: 'duplicate' });

    // The handler consents to the category: the request is released and the vendor dispatched.
    await act(handle, 'consent', actors.handler, { category: 'public_relations', limitJpy: 2_000_000 });
    view = await settle(handle, (v) => v.vendors.some((e) => e.role === 'public_relations'));
    expect(view.vendorRequests).toBeUndefined();
    const pr = view.vendors.find((e) => e.role === 'public_relations')!;
    expect(pr).toMatchObject({ vendorId: 'pr-a', status: 'dispatched', engagedBy: 'insured-ins-001' });
    // Four hours to acknowledge a PR engagement.
    expect(Date.parse(pr.ackDueAt) - Date.parse(pr.dispatchedAt)).toBe(4 * 3_600_000);
    expect(h.seen.dispatches.find((d) => d.caseId === caseId && d.role === 'public_relations')?.brief.faq).toBeUndefined();

    // A handler engaging the recurrence-prevention consultant consents by engaging.
    view = await act(handle, 'engage-vendor', actors.handler, { role: 'recurrence_prevention', reason: 'access control review after findings' });
    expect(view.consents).toEqual(
      expect.arrayContaining([expect.objectContaining({ category: 'recurrence_prevention', vendorId: 'prevention-a', by: 'handler', note: 'engage-vendor: access control review after findings' })]),
    );
    view = await settle(handle, (v) => v.vendors.some((e) => e.role === 'recurrence_prevention'));

    // Their invoices become cost lines; one in another vendor's category is refused.
    const prevention = view.vendors.find((e) => e.role === 'recurrence_prevention')!;
    await vendorEvent(handle, { eventId: 'pr-inv', vendorId: 'pr-a', dispatchId: pr.dispatchId, type: 'invoice', amountJpy: 1_200_000, category: 'public_relations', evidenceRef: 'inv-pr-1' });
    await vendorEvent(handle, { eventId: 'prev-inv', vendorId: 'prevention-a', dispatchId: prevention.dispatchId, type: 'invoice', amountJpy: 800_000, category: 'recurrence_prevention', evidenceRef: 'inv-prev-1' });
    await vendorEvent(handle, { eventId: 'prev-inv-x', vendorId: 'prevention-a', dispatchId: prevention.dispatchId, type: 'invoice', amountJpy: 900_000, category: 'public_relations', evidenceRef: 'inv-prev-x' });
    view = await settle(handle, (v) => v.settlement.lines.length >= 2);
    const lines = view.settlement.lines.map((l) => [l.category, l.claimedJpy, l.payableJpy, l.status]);
    expect(lines).toEqual(
      expect.arrayContaining([
        ['public_relations', 1_200_000, 1_200_000, 'payable'],
        ['recurrence_prevention', 800_000, 800_000, 'payable'],
      ]),
    );
    expect(view.settlement.lines).toHaveLength(2);
    await keepGolden(handle, 'case-engage-vendor-consent-open-v10-vendors');
  });
});
