/**
 * The consultation desk's workflow under the time-skipping server: the 1-hour acknowledgement timer escalates to
 * supervisors by e-mail through the real `sendEmail` activity into a real SMTP server, an acknowledgement in time
 * stops it, an unsigned command is not obeyed, and a converted consultation's case runs the APPI preliminary clock
 * from the awareness time given in the consultation (the case itself runs on the harness's worker).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { inject } from 'vitest';
import { createActivities, type ActivityDeps } from '../../activities/index.js';
import { createMailer, type Mailer } from '../../activities/email/mailer.js';
import {
  CONSULTATION_ACK_MS,
  ConvertBodySchema,
  IncidentReportSchema,
  conversionReportInput,
  consultationAckDueAt,
  type ConsultationAction,
} from '../../domain/index.js';
import { CASE_WORKFLOW_TYPE, caseWorkflowId, viewQuery } from '../../workflows/contract.js';
import {
  CONSULTATION_MEMO,
  CONSULTATION_WORKFLOW_TYPE,
  consultationCommandSignal,
  consultationFromMemo,
  consultationWorkflowId,
  firstConsultationView,
  type ConsultationCommand,
  type ConsultationCommandBodies,
  type ConsultationInput,
  type ConsultationView,
} from '../../workflows/consultation-contract.js';
import { timeSkippingEnv } from '../support/temporal-env.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { actors, caseInput, policyRecord, reportBody, strangerSigner, testSigner, uniqueId } from '../support/fixtures.js';
import { startHarness } from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SUPERVISOR = { name: 'supervisor', email: 'supervisor@insurer.example.jp' };
const CONTACT = { name: '総務 花子', email: 'hanako.soumu@example.co.jp', phone: '03-1111-2222' };

let env: Awaited<ReturnType<typeof timeSkippingEnv>>;
let h: Awaited<ReturnType<typeof startHarness>>;
let sink: SmtpSink;
let mailer: Mailer;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueId('consult');

beforeAll(async () => {
  env = await timeSkippingEnv();
  h = await startHarness(env);
  sink = await startSmtpSink();
  mailer = createMailer({ host: sink.host, port: sink.port, from: 'desk@insurer.example.jp' });
  const deps = {
    mailer,
    mailDomain: 'insurer.example.jp',
    directory: {
      emailOf: (name: string) => (name === SUPERVISOR.name ? SUPERVISOR : undefined),
      withRole: (role: 'handler' | 'supervisor') => (role === 'supervisor' ? [SUPERVISOR] : []),
    },
    trustedKeys: () => testSigner.trustedKeys,
  } as unknown as ActivityDeps; // only sendEmail and trustedKeys run for a consultation
  const real = createActivities(deps);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: { sendEmail: (r: Parameters<typeof real.sendEmail>[0]) => real.sendEmail(r), trustedKeys: () => real.trustedKeys() },
  });
  running = worker.run();
}, 120_000);
afterAll(async () => {
  worker?.shutdown();
  await running;
  mailer?.close();
  await sink?.close();
  await h?.stop();
  await env?.stopServer();
});

async function open(overrides: Partial<ConsultationInput> = {}): Promise<{ handle: WorkflowHandle; input: ConsultationInput }> {
  const now = await env.currentTimeMs();
  const policy = policyRecord(uniqueId('PL'), {}, now);
  await h.registerPolicy(policy);
  const consultationId = `Q${uniqueId('T').replace(/[^A-Za-z0-9-]/g, '')}`.slice(0, 60);
  const input: ConsultationInput = {
    consultationId,
    insuredId: policy.insuredId,
    insuredName: policy.insuredName,
    policyNumber: policy.policyNumber,
    summary: '会員サイトに不審なログインが続いています。',
    awareAt: null,
    openedAt: new Date(now).toISOString(),
    openedBy: actors.insured,
    contact: CONTACT,
    trust: { keys: testSigner.trustedKeys },
    ...overrides,
  };
  const handle = await env.client.workflow.start(CONSULTATION_WORKFLOW_TYPE, {
    workflowId: consultationWorkflowId(consultationId),
    taskQueue,
    args: [input],
    memo: { [CONSULTATION_MEMO.view]: firstConsultationView(input, consultationAckDueAt(input.openedAt)), [CONSULTATION_MEMO.commands]: [] },
  });
  return { handle, input };
}

async function view(handle: WorkflowHandle): Promise<ConsultationView> {
  return consultationFromMemo((await handle.describe()).memo)!.view;
}

/** A command as the API sends it: signed for this consultation at the workflow's time. */
async function command<A extends ConsultationAction>(
  handle: WorkflowHandle,
  consultationId: string,
  action: A,
  body: ConsultationCommandBodies[A],
  opts: { signed?: boolean } = {},
): Promise<string> {
  const unsigned: ConsultationCommand = { commandId: uniqueId(action), action, actor: actors.handler, body };
  const issuedAt = new Date(await env.currentTimeMs()).toISOString();
  const signed = opts.signed === false ? unsigned : { ...unsigned, proof: testSigner.proof('consultation-command', consultationId, unsigned, issuedAt) };
  await handle.signal(consultationCommandSignal, signed);
  return unsigned.commandId;
}

async function outcome(handle: WorkflowHandle, commandId: string): Promise<{ applied: boolean; refusal?: string }> {
  for (let i = 0; i < 200; i++) {
    const found = consultationFromMemo((await handle.describe()).memo)?.commands.find((o) => o.commandId === commandId);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no outcome for ${commandId}`);
}

const mailsFor = (consultationId: string) => sink.messages.filter((m) => (m.subject ?? '').includes(consultationId));

describe('the 24-hour desk: acknowledgement within the hour', () => {
  it('escalates to supervisors by e-mail when nobody acknowledged within 1 hour, and ignores an unsigned acknowledgement', { timeout: 120_000 }, async () => {
    const { handle, input } = await open();
    // Typed into Temporal directly, without the API's signature: not obeyed.
    const unsigned = await command(handle, input.consultationId, 'acknowledge', {}, { signed: false });
    // Signed with a key neither the consultation nor the worker trusts (parked, then refused); and a real signature
    // of this command for another consultation: neither is obeyed, and neither leaves an outcome under its id.
    const forged: ConsultationCommand = { commandId: uniqueId('forged'), action: 'acknowledge', actor: actors.handler, body: {} };
    const issuedAt = new Date(await env.currentTimeMs()).toISOString();
    await handle.signal(consultationCommandSignal, { ...forged, proof: strangerSigner.proof('consultation-command', input.consultationId, forged, issuedAt) });
    const elsewhere: ConsultationCommand = { ...forged, commandId: uniqueId('elsewhere') };
    await handle.signal(consultationCommandSignal, { ...elsewhere, proof: testSigner.proof('consultation-command', 'Q-another-one', elsewhere, issuedAt) });
    await new Promise((r) => setTimeout(r, 500));
    const seen = consultationFromMemo((await handle.describe()).memo)!;
    expect(seen.commands.map((o) => o.commandId)).not.toEqual(expect.arrayContaining([unsigned]));
    expect(seen.commands).toEqual([]);
    expect(seen.view.status).toBe('open');
    await env.sleep(CONSULTATION_ACK_MS - 5 * 60_000);
    expect(mailsFor(input.consultationId)).toHaveLength(0);
    expect((await view(handle)).escalatedAt).toBeNull();

    await env.sleep(10 * 60_000);
    for (let i = 0; i < 100 && mailsFor(input.consultationId).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const mails = mailsFor(input.consultationId);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    const env0 = sink.envelopes[sink.messages.indexOf(mail)]!;
    expect(env0.to).toEqual([SUPERVISOR.email]);
    expect(mail.headers.get('content-language')).toBe('ja');
    expect(mail.subject).toContain('相談受付の期限超過');
    expect(mail.text).toContain(input.policyNumber);
    // The insured's staff member is personal data: not in the e-mail.
    for (const pii of [CONTACT.name, CONTACT.email, CONTACT.phone]) expect(`${mail.subject}\n${mail.text}\n${String(mail.html)}`).not.toContain(pii);

    const v = await view(handle);
    expect(v.status).toBe('open');
    expect(v.escalatedAt).not.toBeNull();
    expect(Date.parse(v.escalatedAt!) - Date.parse(input.openedAt)).toBeGreaterThanOrEqual(CONSULTATION_ACK_MS);
    expect(Date.parse(v.escalatedAt!) - Date.parse(input.openedAt)).toBeLessThan(CONSULTATION_ACK_MS + 60_000);

    // Late, but a handler takes it now: acknowledged, and nobody is told twice.
    const late = await command(handle, input.consultationId, 'acknowledge', {});
    expect(await outcome(handle, late)).toMatchObject({ applied: true });
    await env.sleep(2 * HOUR);
    expect(mailsFor(input.consultationId)).toHaveLength(1);
    expect((await view(handle)).status).toBe('acknowledged');
  });

  it('does not escalate a consultation acknowledged in time', { timeout: 120_000 }, async () => {
    const { handle, input } = await open();
    await env.sleep(40 * 60_000);
    const id = await command(handle, input.consultationId, 'acknowledge', {});
    expect(await outcome(handle, id)).toEqual({ commandId: id, applied: true });
    await env.sleep(3 * HOUR);
    // A moment of real time for an e-mail that should not come.
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsFor(input.consultationId)).toHaveLength(0);
    const v = await view(handle);
    expect(v).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'handler', escalatedAt: null });
    expect(Date.parse(v.acknowledgedAt!) - Date.parse(input.openedAt)).toBeGreaterThanOrEqual(40 * 60_000);

    // A second acknowledgement is nothing to do; advice before an acknowledgement is refused (another consultation).
    const again = await command(handle, input.consultationId, 'acknowledge', {});
    expect(await outcome(handle, again)).toMatchObject({ applied: false, refusal: 'nothing_to_do: consultation is already acknowledged' });
    const other = await open();
    const early = await command(other.handle, other.input.consultationId, 'advise', { text: '証跡を保全してください' });
    expect(await outcome(other.handle, early)).toMatchObject({ applied: false, refusal: 'wrong_state: consultation is open: acknowledge it first' });
    const closed = await command(other.handle, other.input.consultationId, 'close', { reason: '相談のみで解決' });
    expect(await outcome(other.handle, closed)).toMatchObject({ applied: true });
    expect(await other.handle.result()).toMatchObject({ status: 'closed', closeReason: '相談のみで解決', acknowledgedBy: 'handler' });
  });
});

describe('the 24-hour desk: conversion into a case', () => {
  it("a converted consultation's case has its APPI preliminary report due 5 days after the awareness time given, not after the conversion", { timeout: 120_000 }, async () => {
    const now = await env.currentTimeMs();
    const awareAt = new Date(now - 20 * HOUR).toISOString();
    const { handle, input } = await open({ awareAt });
    const ack = await command(handle, input.consultationId, 'acknowledge', {});
    expect(await outcome(handle, ack)).toMatchObject({ applied: true });
    const advise = await command(handle, input.consultationId, 'advise', { text: 'ログを保全し、影響範囲を確認してください。' });
    expect(await outcome(handle, advise)).toMatchObject({ applied: true });
    expect((await view(handle)).status).toBe('advised');

    // Two days of investigation later, it is a leak: the handler converts.
    await env.sleep(2 * DAY);
    const convertedAt = await env.currentTimeMs();
    const caseId = uniqueId('C');
    const conv = await command(handle, input.consultationId, 'convert', { caseId });
    expect(await outcome(handle, conv)).toMatchObject({ applied: true });
    const done = (await handle.result()) as ConsultationView;
    expect(done).toMatchObject({ status: 'converted', caseId, convertedBy: 'handler', escalatedAt: null });

    // The case, started as the API starts it: the report from the conversion body and the consultation.
    const body = ConvertBodySchema.parse({
      ...reportBody(input.policyNumber, {}, convertedAt),
      discoveredAt: undefined,
      occurredAt: new Date(Date.parse(awareAt) - DAY).toISOString(),
    });
    const report = IncidentReportSchema.parse(conversionReportInput(done, body));
    expect(report.discoveredAt).toBe(awareAt);
    const policy = policyRecord(input.policyNumber, {}, now);
    const caseHandle = await env.client.workflow.start(CASE_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [caseInput(caseId, policy, { report, reportedAt: new Date(convertedAt).toISOString(), reportedBy: actors.handler })],
    });
    const caseView = await caseHandle.query(viewQuery);
    const preliminary = caseView.obligations.find((o) => o.regime === 'JP-APPI' && o.kind === 'preliminary');
    expect(preliminary).toBeDefined();
    expect(preliminary!.dueAt).toBe(new Date(Date.parse(awareAt) + 5 * DAY).toISOString());
    // Not five days after the conversion: three days and four hours were left when it was converted.
    expect(Date.parse(preliminary!.dueAt) - convertedAt).toBe(5 * DAY - 20 * HOUR - (convertedAt - now));
    await caseHandle.terminate('test done');
  });

  it('without an awareness time given, the case is aware from when the insured called', () => {
    const openedAt = '2026-11-20T01:00:00.000Z';
    const base = ConvertBodySchema.parse({ ...reportBody('PL-1'), discoveredAt: undefined, occurredAt: '2026-11-19T00:00:00.000Z' });
    expect(IncidentReportSchema.parse(conversionReportInput({ awareAt: null, openedAt }, base)).discoveredAt).toBe(openedAt);
    // A report that names an earlier awareness moves the clocks earlier, a later one never moves them later.
    const earlier = { ...base, discoveredAt: '2026-11-19T12:00:00.000Z' };
    expect(IncidentReportSchema.parse(conversionReportInput({ awareAt: null, openedAt }, earlier)).discoveredAt).toBe('2026-11-19T12:00:00.000Z');
    const later = { ...base, discoveredAt: '2026-11-21T12:00:00.000Z' };
    expect(IncidentReportSchema.parse(conversionReportInput({ awareAt: null, openedAt }, later)).discoveredAt).toBe(openedAt);
  });
});
