/**
 * The services track under the time-skipping server: credit monitoring offered to the persons of a card-data case
 * (enrolment codes in the notice, enrolments counted, the count the evidence of the `credit_monitoring` cost line),
 * and the recurrence-prevention plan (from the findings and counsel's advice, kept by `update-prevention-measure`, a
 * reminder before a measure's due date, its progress in the final APPI report's prevention item).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { timeSkippingEnv } from '../support/temporal-env.js';
import { startHarness } from './harness.js';
import { keepGolden, personsRef } from './scenario-kit.js';
import { approveNoticeDraft } from './notice-approval.js';
import { actors, caseInput, policyRecord, report, testSigner, uniqueId } from '../support/fixtures.js';
import { runCaseCommand } from '../../api/case-commands.js';
import { HttpProblem } from '../../api/problem.js';
import { draftFilings, type Action, type PolicyRecord } from '../../domain/index.js';
import {
  ATTACH_PERSONS,
  CASE_WORKFLOW_TYPE,
  RECORD_ENROLMENT,
  caseIdFromWorkflowId,
  caseWorkflowId,
  timelineQuery,
  vendorEventSignal,
  viewQuery,
  type Actor,
  type CaseCommand,
  type CaseView,
  type VendorEventInput,
} from '../../workflows/contract.js';
import { renderEmail } from '../../activities/email/render.js';

let env: Awaited<ReturnType<typeof timeSkippingEnv>>;
let h: Awaited<ReturnType<typeof startHarness>>;

beforeAll(async () => {
  env = await timeSkippingEnv();
  h = await startHarness(env);
});
afterAll(async () => {
  await h?.stop();
  await env?.stopServer();
});

const DAY = 86_400_000;
const SERVICE_CATEGORIES = {
  forensic_investigation: { limitJpy: 10_000_000, payoutRatio: 1.0, consentRequired: false },
  notification: { limitJpy: 5_000_000, payoutRatio: 1.0, consentRequired: false },
  credit_monitoring: { limitJpy: 3_000_000, payoutRatio: 1.0, consentRequired: false },
  recurrence_prevention: { limitJpy: 3_000_000, payoutRatio: 1.0, consentRequired: false },
};

async function openCase(reportOverrides: Record<string, unknown>): Promise<{ handle: WorkflowHandle; caseId: string; policy: PolicyRecord }> {
  const now = await env.currentTimeMs();
  const policy = policyRecord(uniqueId('PL'), { categories: SERVICE_CATEGORIES }, now);
  await h.registerPolicy(policy);
  const caseId = uniqueId('C');
  const handle = await env.client.workflow.start(CASE_WORKFLOW_TYPE, {
    workflowId: caseWorkflowId(caseId),
    taskQueue: h.taskQueue,
    args: [
      caseInput(caseId, policy, {
        report: report(policy.policyNumber, {
          discoveredAt: new Date(now - 3_600_000).toISOString(),
          occurredAt: new Date(now - 3 * DAY).toISOString(),
          ...reportOverrides,
        }),
        reportedAt: new Date(now).toISOString(),
      }),
    ],
  });
  return { handle, caseId, policy };
}

let commandNo = 0;

async function command(handle: WorkflowHandle, cmd: CaseCommand): Promise<CaseView> {
  const caseId = caseIdFromWorkflowId(handle.workflowId)!;
  const issuedAt = new Date(await env.currentTimeMs()).toISOString();
  return runCaseCommand(env.client, handle, { ...cmd, proof: testSigner.proof('command', caseId, cmd, issuedAt) }, { waitMs: 15_000, checkMs: 5_000 });
}

function act(handle: WorkflowHandle, action: Action, actor: Actor, body: unknown): Promise<CaseView> {
  return command(handle, { commandId: `svc-${++commandNo}`, action, request: { actor, body } });
}

const ledgerKey = (n: number) => createHash('sha256').update(`code-${n}`).digest('hex');

function enrol(handle: WorkflowHandle, n: number, opts: { campaignNo?: number; actor?: Actor } = {}): Promise<CaseView> {
  return command(handle, {
    commandId: `enrolment:${ledgerKey(n)}`,
    action: RECORD_ENROLMENT,
    request: { actor: opts.actor ?? actors.handler, enrolment: { ledgerKey: ledgerKey(n), campaignNo: opts.campaignNo ?? 1, enrolledAt: new Date().toISOString() } },
  });
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

async function settle(handle: WorkflowHandle, until: (v: CaseView) => boolean): Promise<CaseView> {
  for (let i = 0; i < 100; i++) {
    const v = await handle.query(viewQuery);
    if (until(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return handle.query(viewQuery);
}

async function ackAll(handle: WorkflowHandle, view: CaseView): Promise<CaseView> {
  for (const e of view.vendors.filter((x) => x.status === 'dispatched')) {
    const event: VendorEventInput = { eventId: `ack-${e.dispatchId}`, vendorId: e.vendorId, dispatchId: e.dispatchId, type: 'acknowledged', at: new Date(await env.currentTimeMs()).toISOString() };
    const caseId = caseIdFromWorkflowId(handle.workflowId)!;
    await handle.signal(vendorEventSignal, { ...event, proof: testSigner.proof('vendor-event', caseId, event, new Date(await env.currentTimeMs()).toISOString()) });
  }
  return settle(handle, (v) => v.vendors.every((x) => x.status !== 'dispatched'));
}



const lineOf = (v: CaseView, category: string) => v.settlement.lines.find((l) => l.category === category);
const finalItem = (v: CaseView, code: string) => {
  const draft = draftFilings(v).find((d) => d.filingId === 'JP-APPI.regulator.final');
  return draft?.items[code];
};

describe('credit monitoring and recurrence prevention', () => {
  it('a card-data case offers credit monitoring in its notices, and its enrolments become the evidence of the credit_monitoring line', async () => {
    const { handle, caseId } = await openCase({ dataItems: ['name', 'email', 'credit_card'], affectedPersons: 800, residency: { JP: 800 }, cause: 'web_skimming' });
    let view = await settle(handle, (v) => v.status === 'response' && v.services?.creditMonitoring !== undefined);
    expect(view.services?.creditMonitoring).toMatchObject({ offered: true, enrolled: 0, items: ['credit_card'] });
    // No findings and no advice yet: the plan follows the investigation.
    expect(view.services?.preventionPlan).toEqual([]);
    view = await ackAll(handle, view);

    // Submitted before anyone enrolled: the line has no evidence yet and is held.
    view = await act(handle, 'submit-costs', actors.insured, { items: [{ category: 'credit_monitoring', amountJpy: 240_000, evidenceRef: 'cm-invoice-1' }] });
    expect(lineOf(view, 'credit_monitoring')).toMatchObject({ status: 'held', reasons: ['evidence_missing'], payableJpy: 0 });

    // No campaign has offered it yet: no code of this case can enrol.
    expect(await refusal(enrol(handle, 0))).toMatchObject({ code: 'invalid' });

    view = await command(handle, { commandId: 'persons:u1', action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsRef(800) } });
    await approveNoticeDraft(handle, act, settle);
    view = await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    view = await settle(handle, (v) => v.notifications.status === 'done');
    const slices = h.seen.slices.filter((s) => s.caseId === caseId);
    expect(slices.length).toBeGreaterThan(0);
    expect(slices.every((s) => s.notice.creditMonitoring === true)).toBe(true);
    expect(view.services?.creditMonitoring?.campaigns).toEqual([1]);

    view = await enrol(handle, 1);
    expect(view.services?.creditMonitoring?.enrolled).toBe(1);
    view = await enrol(handle, 2);
    view = await enrol(handle, 3);
    expect(view.services?.creditMonitoring?.enrolled).toBe(3);
    // The same enrolment again (the API retrying) counts once.
    view = await enrol(handle, 3);
    expect(view.services?.creditMonitoring?.enrolled).toBe(3);
    // A code of a campaign that never ran, the insured recording its own evidence: refused, nothing counted.
    expect(await refusal(enrol(handle, 4, { campaignNo: 2 }))).toMatchObject({ code: 'invalid' });
    expect(await refusal(enrol(handle, 5, { actor: actors.insured }))).toMatchObject({ code: 'forbidden' });

    view = await settle(handle, (v) => lineOf(v, 'credit_monitoring')?.status === 'payable');
    expect(view.services?.creditMonitoring?.enrolled).toBe(3);
    const line = lineOf(view, 'credit_monitoring')!;
    expect(line).toMatchObject({ status: 'payable', payableJpy: 240_000, reasons: [] });
    expect(line.evidenceRef).toBe('cm-invoice-1; 3 credit-monitoring enrolments counted on the case');
    expect(line.steps.find((s) => s.step === 'evidence')?.explanation).toContain('3 credit-monitoring enrolments');

    const timeline = (await handle.query(timelineQuery)).map((t) => t.summary);
    expect(timeline).toContain('credit monitoring offered: financial-risk items credit_card');
    expect(timeline.filter((s) => s === 'first credit-monitoring enrolment recorded')).toHaveLength(1);
    await keepGolden(handle, 'case-credit-monitoring-open-v10-credit');
  });

  it('a case without financial-risk items offers none: its notices carry no code and an enrolment is refused', async () => {
    const { handle, caseId } = await openCase({ dataItems: ['name', 'address'], affectedPersons: 1200 });
    let view = await settle(handle, (v) => v.status === 'response' && v.services?.creditMonitoring !== undefined);
    expect(view.services?.creditMonitoring).toEqual({ offered: false, enrolled: 0 });
    view = await command(handle, { commandId: 'persons:u1', action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsRef(1200) } });
    await approveNoticeDraft(handle, act, settle);
    view = await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    await settle(handle, (v) => v.notifications.status === 'done');
    expect(h.seen.slices.filter((s) => s.caseId === caseId).every((s) => s.notice.creditMonitoring === undefined)).toBe(true);
    expect(await refusal(enrol(handle, 1))).toMatchObject({ code: 'wrong_state' });
    // A credit_monitoring line without enrolments has no evidence.
    view = await act(handle, 'submit-costs', actors.insured, { items: [{ category: 'credit_monitoring', amountJpy: 10_000, evidenceRef: 'cm-x' }] });
    expect(lineOf(view, 'credit_monitoring')).toMatchObject({ status: 'held', reasons: ['evidence_missing'] });
  });

  it('a prevention plan from the findings and counsel’s advice, kept by the insured, reminded before its due dates, in the final report', async () => {
    const { handle, caseId } = await openCase({ dataItems: ['name', 'email', 'credit_card'], affectedPersons: 800, residency: { JP: 800 }, cause: 'web_skimming' });
    let view = await settle(handle, (v) => v.status === 'response' && v.services?.preventionPlan !== undefined);
    expect(finalItem(view, 'preventionMeasures')?.value ?? '').toBe('');
    view = await ackAll(handle, view);

    const findingsAt = await env.currentTimeMs();
    view = await act(handle, 'record-findings', actors.handler, { affectedPersons: 850, note: '管理画面のパスワードが使い回されていた。決済画面の改ざんは検知されなかった。' });
    const plan = () => view.services!.preventionPlan!;
    // web_skimming: monitoring and access control; card data: encryption; the note names access control and detection.
    expect(plan().map((m) => [m.measure, m.status, m.source])).toEqual([
      ['access_control', 'planned', ['cause', 'findings']],
      ['encryption', 'planned', ['data']],
      ['monitoring', 'planned', ['cause', 'findings']],
    ]);
    const due = (m: string) => Date.parse(plan().find((x) => x.measure === m)!.dueAt);
    expect(due('access_control') - findingsAt).toBeGreaterThanOrEqual(30 * DAY - 60_000);
    expect(due('access_control') - findingsAt).toBeLessThan(30 * DAY + 60_000);
    expect(due('encryption') - due('access_control')).toBe(30 * DAY);
    const before = view.filings!.find((f) => f.filingId === 'JP-APPI.regulator.final')!;
    expect(before.missing).not.toContain('preventionMeasures');
    expect(finalItem(view, 'preventionMeasures')?.value).toContain('再発防止計画（3件中0件実施済み）');

    // Counsel's advice on staff training adds a measure (a vendor event of the engaged counsel).
    const counsel = view.vendors.find((e) => e.role === 'counsel')!;
    const advice: VendorEventInput = { eventId: uniqueId('adv'), vendorId: counsel.vendorId, dispatchId: counsel.dispatchId, type: 'advice', at: new Date(await env.currentTimeMs()).toISOString(), advice: '従業員への研修を実施してください。' };
    await handle.signal(vendorEventSignal, { ...advice, proof: testSigner.proof('vendor-event', caseId, advice, new Date(await env.currentTimeMs()).toISOString()) });
    view = await settle(handle, (v) => (v.services?.preventionPlan?.length ?? 0) === 4);
    expect(plan().find((m) => m.measure === 'staff_training')).toMatchObject({ status: 'planned', source: ['counsel'] });

    const owner = 'EC事業部 システム課';
    view = await act(handle, 'update-prevention-measure', actors.insured, { measure: 'access_control', status: 'in_progress', owner });
    expect(plan().find((m) => m.measure === 'access_control')).toMatchObject({ status: 'in_progress', owner, updatedBy: 'insured-ins-001' });
    const after = view.filings!.find((f) => f.filingId === 'JP-APPI.regulator.final')!;
    expect(after.version).toBeGreaterThan(before.version);
    expect(finalItem(view, 'preventionMeasures')?.value).toContain(`アクセス制御の強化（担当: ${owner}`);
    // Nothing changes: refused, and another insured cannot see the case.
    expect(await refusal(act(handle, 'update-prevention-measure', actors.insured, { measure: 'access_control', status: 'in_progress' }))).toMatchObject({ code: 'nothing_to_do' });
    expect(await refusal(act(handle, 'update-prevention-measure', actors.otherInsured, { measure: 'access_control', status: 'done' }))).toMatchObject({ code: 'not_found' });
    expect(await refusal(act(handle, 'update-prevention-measure', actors.ops, { measure: 'access_control', status: 'done' }))).toMatchObject({ code: 'forbidden' });
    const past = new Date((await env.currentTimeMs()) - 3 * DAY).toISOString();
    expect(await refusal(act(handle, 'update-prevention-measure', actors.handler, { measure: 'encryption', status: 'planned', dueAt: past }))).toMatchObject({ code: 'invalid' });

    // A week before access control is due, the insured's contact is reminded; once.
    const reminders = () => h.seen.emails.filter((e) => e.caseId === caseId && e.purpose.startsWith('prevention-reminder:'));
    expect(reminders()).toHaveLength(0);
    await env.sleep(22 * DAY);
    expect(reminders()).toHaveLength(0);
    await env.sleep(1 * DAY + 3_600_000);
    view = await settle(handle, () => reminders().length > 0);
    expect(reminders().map((e) => e.purpose)).toEqual([`prevention-reminder:access_control:${plan().find((m) => m.measure === 'access_control')!.dueAt}`]);
    const mail = reminders()[0]!;
    expect(mail.to).toMatchObject({ kind: 'address', address: 'yamada@example.co.jp' });
    expect(mail.message).toMatchObject({ kind: 'prevention_reminder', language: 'ja', measure: 'access_control', owner, status: 'in_progress' });
    expect(renderEmail(mail.message).subject).toContain('アクセス制御の強化');
    expect(plan().find((m) => m.measure === 'access_control')!.remindedAt).toBeDefined();

    // Done: the final report counts it; no reminder follows for it.
    view = await act(handle, 'update-prevention-measure', actors.insured, { measure: 'access_control', status: 'done' });
    expect(finalItem(view, 'preventionMeasures')?.value).toContain('再発防止計画（4件中1件実施済み）');
    await env.sleep(10 * DAY);
    view = await handle.query(viewQuery);
    expect(plan().find((m) => m.measure === 'access_control')).toMatchObject({ status: 'done' });
    expect(reminders().filter((e) => e.purpose.includes('access_control'))).toHaveLength(1);
    await keepGolden(handle, 'case-prevention-plan-open-v10-credit');
  });
});
