import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { timeSkippingEnv } from '../support/temporal-env.js';
import { startHarness } from './harness.js';
import { keepGolden, patchIdsOf, personsRef } from './scenario-kit.js';
import { LATER_RULE_PATCHES, RULEBOOK_PATCH } from '../../workflows/case/rules.js';
import { actors, caseInput, panel, policyRecord, report, strangerSigner, testSigner, uniqueId } from '../support/fixtures.js';
import { commandSigner, type CommandSigner } from '../../api/command-signer.js';
import { runCaseCommand } from '../../api/case-commands.js';
import { HttpProblem } from '../../api/problem.js';
import { firstView } from '../../api/first-view.js';
import {
  ADD_NOTE,
  ATTACH_DOCUMENT,
  ATTACH_PERSONS,
  CASE_WORKFLOW_TYPE,
  EDIT_FILING,
  EDIT_NOTICE_DRAFT,
  REOPEN_RETENTION_MS,
  documentsFromMemo,
  notesFromMemo,
  actionUpdates,
  attachPersonsUpdate,
  campaignProgressSignal,
  campaignWorkflowId,
  caseIdFromWorkflowId,
  caseWorkflowId,
  MEMO_KEYS,
  VIEW_PARTS,
  startMemo,
  commandOutcomesQuery,
  commandSignal,
  readModelFromMemo,
  timelineFromReadModel,
  type ReadModel,
  commandStatusQuery,
  parseRefusal,
  vendorEventSignal,
  vendorEventUpdate,
  viewQuery,
  timelineQuery,
  type Actor,
  type CaseCommand,
  type CaseResult,
  type CaseView,
  type PanelVendor,
  type ProofPurpose,
  type VendorEventInput,
} from '../../workflows/contract.js';
import { coverageDecisionDueAt, personsListRef, type Action, type PolicyRecord } from '../../domain/index.js';
import { createFileBlobStore, type BlobStore } from '../../storage/blob-store.js';
import { parseKeyring, type Keyring } from '../../storage/crypto.js';
import { importPersonsCsv, type EarlierWaveList } from '../../storage/persons.js';
import { renderEmail } from '../../activities/email/render.js';
import { strayLatinWords } from '../support/language-scan.js';

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

async function openCase(
  opts: { policy?: PolicyRecord; report?: Record<string, unknown>; policyOverrides?: Record<string, unknown> } = {},
): Promise<{ handle: WorkflowHandle; caseId: string; policy: PolicyRecord }> {
  const policy = opts.policy ?? policyRecord(uniqueId('PL'), opts.policyOverrides, await env.currentTimeMs());
  if (!opts.policy) await h.registerPolicy(policy);
  const caseId = uniqueId('C');
  const now = await env.currentTimeMs();
  const handle = await env.client.workflow.start(CASE_WORKFLOW_TYPE, {
    workflowId: caseWorkflowId(caseId),
    taskQueue: h.taskQueue,
    args: [
      // As the API files it: with the panel (the harness's `loadPanel` answers for cases filed without one).
      caseInput(caseId, policy, {
        report: report(policy.policyNumber, { ...reportTimes(now), ...opts.report }),
        reportedAt: new Date(now).toISOString(),
        panel,
      }),
    ],
  });
  return { handle, caseId, policy };
}

function reportTimes(now: number) {
  return { discoveredAt: new Date(now - 3_600_000).toISOString(), occurredAt: new Date(now - 3 * 86_400_000).toISOString() };
}

let commandNo = 0;

/** A message as the API sends it: signed for the handle's case, issued at the workflow's time (time skips here). */
async function signed<M extends CaseCommand | VendorEventInput>(
  handle: WorkflowHandle,
  purpose: ProofPurpose,
  message: M,
  opts: { signer?: CommandSigner; caseId?: string; issuedAt?: string } = {},
): Promise<M> {
  const caseId = opts.caseId ?? caseIdFromWorkflowId(handle.workflowId)!;
  const issuedAt = opts.issuedAt ?? new Date(await env.currentTimeMs()).toISOString();
  return { ...message, proof: (opts.signer ?? testSigner).proof(purpose, caseId, message, issuedAt) };
}

/** A command the way the API sends it (signal, then the outcome by query). */
function act(handle: WorkflowHandle, action: Action, actor: Actor, body: unknown): Promise<CaseView> {
  return command(handle, { commandId: `test-${++commandNo}`, action, request: { actor, body } });
}

async function command(handle: WorkflowHandle, cmd: CaseCommand): Promise<CaseView> {
  return runCaseCommand(env.client, handle, await signed(handle, 'command', cmd), { waitMs: 15_000, checkMs: 5_000 });
}

/** The refusal of a command (as the API's problem) or of a legacy Update (as its failure). */
async function refusal(p: Promise<unknown>): Promise<{ code: string; text: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HttpProblem) return { code: err.code, text: err.detail ?? '' };
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const parsed = parseRefusal((err as WorkflowUpdateFailedError).cause?.message ?? '');
    expect(parsed).toBeDefined();
    return parsed!;
  }
  throw new Error('expected the command to be refused');
}

/**
 * Counsel's approval of the current notice draft (rule `noticeDrafts`), as the API sends it on counsel's behalf: the
 * document key and hash stand for the version the API would have kept (the fake campaign does not read it).
 */
async function approveDraft(handle: WorkflowHandle, language: 'ja' | 'en' = 'ja'): Promise<CaseView> {
  const v = await settle(handle, (x) => (x.noticeDrafts ?? []).some((d) => d.language === language));
  const d = v.noticeDrafts!.find((x) => x.language === language)!;
  const documentSha256 = createHash('sha256').update(`${v.caseId}:${language}:${d.version}`).digest('hex');
  return act(handle, 'approve-notice-draft', actors.handler, { language, version: d.version, documentKey: `cases/${v.caseId}/notice/${language}-v${d.version}.json.enc`, documentSha256 });
}

/** The case's events after `from` that carried a command (signals named `command`). */
async function commandEvents(handle: WorkflowHandle, from: number) {
  const events = (await handle.fetchHistory()).events?.slice(from) ?? [];
  return events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === commandSignal.name);
}

/** Acknowledges every dispatched vendor the way the API delivers webhooks (a signal), and waits until the case has. */
async function ack(handle: WorkflowHandle, view: CaseView): Promise<CaseView> {
  const pending = view.vendors.filter((x) => x.status === 'dispatched');
  for (const e of pending) {
    const event: VendorEventInput = {
      eventId: `ack-${e.dispatchId}`,
      vendorId: e.vendorId,
      dispatchId: e.dispatchId,
      type: 'acknowledged',
      at: new Date(await env.currentTimeMs()).toISOString(),
    };
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', event));
  }
  const acknowledged = (v: CaseView) => pending.every((p) => v.vendors.find((x) => x.dispatchId === p.dispatchId)?.status === 'acknowledged');
  const after = await settle(handle, acknowledged);
  expect(acknowledged(after), 'vendors acknowledged').toBe(true);
  return after;
}

/**
 * The case's e-mails (as the workflow wrote them) rendered and scanned: in Japanese, with no English word but the
 * data they carry (the fixtures' English description, principal and vendor names).
 */
function expectJapaneseMail(caseId: string, purposes: string[]): void {
  const mails = h.seen.emails.filter((e) => e.caseId === caseId);
  expect(mails.map((m) => m.purpose)).toEqual(expect.arrayContaining(purposes));
  const values = ['Sales laptop left on a train; customer list on it.', 'handler', 'supervisor', 'insured-ins-001'];
  for (const m of mails) {
    expect(m.message.language, m.purpose).toBe('ja');
    const out = renderEmail(m.message);
    for (const text of [out.subject, out.text]) expect(strayLatinWords(text, { values }), `${m.purpose}: ${text}`).toEqual([]);
  }
}

/** Waits (in real time, up to 10 s) for something the harness sees. */
async function until(seen: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !seen(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!seen()) throw new Error(`timed out waiting: ${what}`);
}

/** Like `settle`, from the read model the API reads (the memo) rather than from a query. */
async function settleModel(handle: WorkflowHandle, until: (m: ReadModel) => boolean): Promise<ReadModel> {
  const read = async () => readModelFromMemo((await handle.describe()).memo ?? {});
  for (let i = 0; i < 50; i++) {
    const m = await read();
    if (m && until(m)) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (await read())!;
}

async function settle(handle: WorkflowHandle, until: (v: CaseView) => boolean): Promise<CaseView> {
  for (let i = 0; i < 50; i++) {
    const v = await handle.query(viewQuery);
    if (until(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return handle.query(viewQuery);
}

/**
 * The case's result, waited for without `result()`: the time-skipping client unlocks time skipping while it waits,
 * and with nothing else scheduled the server jumps to the next deadline it knows (a default run timeout years away).
 */
async function finished(handle: WorkflowHandle): Promise<unknown> {
  for (let i = 0; i < 100; i++) {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') return handle.result();
    // A closed or denied case rests for its retention period, open to `reopen`: skip past it.
    if (i === 5 && ['closed', 'denied'].includes((await handle.query(viewQuery)).status)) await env.sleep(REOPEN_RETENTION_MS + 60_000);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('workflow still running');
}



describe('incidentCase lifecycle', () => {
  it('walks a covered case from report to closed, with counsel first, notices, filings and one payment', async () => {
    const { handle, caseId } = await openCase();
    let view = await settle(handle, (v) => v.vendors.length === 2);
    expect(view.status).toBe('response');
    expect(view.vendors.map((v) => v.role)).toEqual(['counsel', 'forensics']);
    // The view lists a vendor before its dispatch activity runs, and the e-mails go out after: wait for both.
    await settle(handle, () => h.seen.dispatches.filter((d) => d.caseId === caseId).length >= 2 && h.seen.emails.filter((e) => e.caseId === caseId).length >= 2);
    // Both briefs leave in one task (counsel is the first engagement, above), so either may reach its firm first.
    expect(h.seen.dispatches.filter((d) => d.caseId === caseId).map((d) => d.role).sort()).toEqual(['counsel', 'forensics']);
    expect(h.seen.emails.filter((e) => e.caseId === caseId).map((e) => e.purpose)).toEqual(
      expect.arrayContaining(['acknowledgement', 'new-case']),
    );
    // At filing nobody is assigned: the claims team hears of a new case, and nobody is told "assigned by system".
    const atFiling = h.seen.emails.filter((e) => e.caseId === caseId);
    expect(atFiling.find((e) => e.purpose === 'new-case')).toMatchObject({ to: { kind: 'role', role: 'handler' }, message: { kind: 'new_case', language: 'ja', coverage: 'covered' } });
    expect(atFiling.some((e) => e.message.kind === 'handler_assignment')).toBe(false);
    await ack(handle, view);

    view = await act(handle, 'assign', actors.supervisor, { assignee: 'handler' });
    expect(view.assignedTo).toBe('handler');
    await settle(handle, () => h.seen.emails.some((e) => e.caseId === caseId && e.purpose === 'assignment:handler'));
    expect(h.seen.emails.filter((e) => e.caseId === caseId && e.message.kind === 'handler_assignment')).toEqual([
      expect.objectContaining({ to: { kind: 'principal', name: 'handler' }, message: expect.objectContaining({ assignedBy: 'supervisor', recipientName: 'handler' }) }),
    ]);
    view = await command(handle, { commandId: 'persons:u1', action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsRef(1200) } });
    expect(view.affectedPersonsList?.accepted).toBe(1200);
    view = await act(handle, 'consent', actors.handler, { category: 'apology_payment' });
    await approveDraft(handle);
    view = await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    view = await settle(handle, (v) => v.notifications.status === 'done');
    expect(view.notifications).toMatchObject({ total: 1200, sent: 1200, failed: 0, status: 'done' });
    expect(h.seen.slices.filter((s) => s.caseId === caseId).every((s) => s.apology?.perPersonJpy === 500)).toBe(true);
    expect(view.obligations.filter((o) => o.audience === 'persons').every((o) => o.status === 'done')).toBe(true);

    for (const o of view.obligations.filter((x) => x.audience === 'regulator')) {
      view = await act(handle, 'record-filing', actors.insured, {
        regime: o.regime,
        kind: o.kind,
        filedAt: new Date(await env.currentTimeMs()).toISOString(),
        reference: `PPC-${o.kind}`,
      });
    }
    expect(view.obligations.every((o) => o.status === 'done')).toBe(true);

    view = await act(handle, 'submit-costs', actors.insured, {
      items: [
        { category: 'forensic_investigation', amountJpy: 400_000, evidenceRef: 'inv-001' },
        { category: 'apology_payment', amountJpy: 600_000, evidenceRef: 'vouchers-001', persons: 1200 },
      ],
    });
    expect(view.status).toBe('settlement');
    expect(view.settlement.payableJpy).toBe(1_000_000);
    expect(await refusal(act(handle, 'close', actors.handler, { reason: 'done' }))).toMatchObject({ code: 'wrong_state' });

    view = await act(handle, 'approve-payout', actors.handler, {});
    view = await settle(handle, (v) => v.payouts.every((p) => p.status === 'paid'));
    expect(view.payouts).toHaveLength(1);
    expect(view.settlement.paidJpy).toBe(1_000_000);
    expect(h.seen.payments.filter((p) => p.caseId === caseId)).toEqual([
      expect.objectContaining({ payoutId: `${caseId}-P1`, amountJpy: 1_000_000, insuredId: 'ins-001' }),
    ]);

    view = await act(handle, 'close', actors.handler, { reason: 'all paid, all filed' });
    expect(view.status).toBe('closed');
    // The result carries the final view and timeline, so the API can read the closed case without a replay.
    const result = (await finished(handle)) as CaseResult;
    expect(result).toMatchObject({ caseId, status: 'closed', view: { caseId, status: 'closed' } });
    const timeline = await handle.query(timelineQuery);
    expect(result.view).toEqual(await handle.query(viewQuery));
    expect(result.timeline).toEqual(timeline);
    // The read model in the memo is the same case, readable without a worker.
    const model = readModelFromMemo((await handle.describe()).memo)!;
    expect(model.view).toEqual(result.view);
    expect(model.meta.version).toBe(result.view?.version);
    expect(timelineFromReadModel(model)).toEqual(timeline);
    expect(timeline.map((t) => t.type)).toEqual(expect.arrayContaining(['reported', 'assign', 'notice', 'filing', 'costs', 'payout', 'status']));
    // Every person had an e-mail address: no letters, so no print vendor (intake's two briefs, in either order).
    expect(h.seen.dispatches.filter((d) => d.caseId === caseId).map((d) => d.role).sort()).toEqual(['counsel', 'forensics']);
    expectJapaneseMail(caseId, ['acknowledgement', 'new-case', 'assignment:handler', `payout:${caseId}-P1`]);
    await keepGolden(handle, 'case-covered-closed-v14-sends');
  });

  it('reminds the handler of the APPI preliminary report when 3 of its 5 days have passed', async () => {
    const { handle, caseId } = await openCase();
    const view = await settle(handle, (v) => v.vendors.length === 2);
    const prelim = view.obligations.find((o) => o.regime === 'JP-APPI' && o.kind === 'preliminary')!;
    expect(prelim.triggers).toContain('over_1000_persons');
    const reminders = () => h.seen.emails.filter((e) => e.caseId === caseId && e.purpose === `reminder:${prelim.id}`);
    await env.sleep('2 days');
    expect(reminders()).toHaveLength(0);
    await env.sleep('1 day');
    await settle(handle, () => reminders().length > 0);
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]?.message).toMatchObject({ kind: 'deadline_reminder', regime: 'JP-APPI', obligationKind: 'preliminary' });
  });

  it('denies a case that an exclusion applies to, with a denial letter naming the rule', async () => {
    const { handle, caseId } = await openCase({
      report: {
        circumstances: { naturalCatastrophe: true, warOrRiot: false, directedByInsuredOfficers: false, knownBeforeInception: false },
      },
    });
    expect(await finished(handle)).toMatchObject({ caseId, status: 'denied' });
    const view = await handle.query(viewQuery);
    expect(view.coverage.decision).toBe('denied');
    expect(view.coverage.reasons).toContain('natural_catastrophe');
    const letter = h.seen.emails.find((e) => e.caseId === caseId && e.purpose === 'denial');
    expect(letter?.message).toMatchObject({ kind: 'denial_letter', reasons: [expect.objectContaining({ code: 'natural_catastrophe' })] });
    expect(h.seen.dispatches.some((d) => d.caseId === caseId)).toBe(false);
    await keepGolden(handle, 'case-denied-exclusion-v6');
  });

  it('denies a leak caused by terrorism, naming it in the letter, unless the policy covers terrorism', async () => {
    const circumstances = { naturalCatastrophe: false, warOrRiot: false, terrorism: true, directedByInsuredOfficers: false, knownBeforeInception: false };
    const excluded = await openCase({ report: { circumstances } });
    expect(await finished(excluded.handle)).toMatchObject({ caseId: excluded.caseId, status: 'denied' });
    const letter = h.seen.emails.find((e) => e.caseId === excluded.caseId && e.purpose === 'denial');
    expect(letter?.message).toMatchObject({ kind: 'denial_letter', reasons: [expect.objectContaining({ code: 'terrorism', explanation: expect.stringMatching(/terror/i) })] });
    const covered = await openCase({ report: { circumstances }, policyOverrides: { coversTerrorism: true } });
    const view = await settle(covered.handle, (v) => v.status === 'response');
    expect(view.coverage.decision).toBe('covered');
    expect(view.coverage.reasons).not.toContain('terrorism');
  });

  it('keeps a case with an unknown occurrence provisional until findings date it', async () => {
    const { handle } = await openCase({ report: { occurredAt: undefined } });
    let view = await settle(handle, (v) => v.status === 'response');
    expect(view.coverage).toMatchObject({ decision: 'provisional', reasons: ['occurrence_unknown'] });
    expect(await refusal(act(handle, 'approve-payout', actors.handler, {}))).toMatchObject({ code: 'wrong_state' });
    const occurredAt = new Date((await env.currentTimeMs()) - 10 * 86_400_000).toISOString();
    view = await act(handle, 'record-findings', actors.handler, { occurredAt, affectedPersons: 2500 });
    expect(view.coverage.decision).toBe('covered');
    expect(view.affectedPersons).toBe(2500);
    expect(view.exposure.totalJpy).toBe(view.exposure.perPersonJpy * 2500);
  });

  it('escalates a coverage decision still open two Japanese business days after the report to supervisors', async () => {
    const { handle, caseId } = await openCase({ report: { occurredAt: undefined } });
    const view0 = await settle(handle, (v) => v.status === 'response' && v.vendors.length === 2);
    expect(view0.coverage.decision).toBe('provisional');
    expect(view0.coverage.decideBy).toBe(coverageDecisionDueAt(view0.reportedAt));
    await ack(handle, view0);
    // A minute before the due time nothing has happened; a minute after, supervisors are told, once.
    await env.sleep(Date.parse(view0.coverage.decideBy!) - (await env.currentTimeMs()) - 60_000);
    expect(h.seen.emails.filter((e) => e.caseId === caseId && e.purpose === 'coverage-escalation')).toEqual([]);
    await env.sleep('2 minutes');
    const escalated = (t: { type: string }[]) => t.some((e) => e.type === 'coverage_escalated');
    for (let i = 0; i < 50 && !escalated(await handle.query(timelineQuery)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(escalated(await handle.query(timelineQuery))).toBe(true);
    const mails = h.seen.emails.filter((e) => e.caseId === caseId && e.purpose === 'coverage-escalation');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual({ kind: 'role', role: 'supervisor' });
    expect(mails[0]!.message).toMatchObject({ kind: 'coverage_escalation', decideBy: view0.coverage.decideBy, reasons: ['occurrence_unknown'] });
    expectJapaneseMail(caseId, ['coverage-escalation']);
    // The work queue reads the escalation from the memo, beside the view.
    const memo = (await handle.describe()).memo ?? {};
    expect(memo[MEMO_KEYS.work]).toEqual({ coverageEscalatedAt: expect.any(String) });
    const decided = await act(handle, 'decide-coverage', actors.supervisor, { decision: 'covered', reason: 'occurrence within the period per counsel' });
    expect(decided.coverage.decision).toBe('covered');
    await env.sleep('3 days');
    expect(h.seen.emails.filter((e) => e.caseId === caseId && e.purpose === 'coverage-escalation')).toHaveLength(1);
    await keepGolden(handle, 'case-coverage-escalated-open-v7-work');
  });

  it('does not escalate a coverage decision made in time', async () => {
    const { handle, caseId } = await openCase({ report: { occurredAt: undefined } });
    const view0 = await settle(handle, (v) => v.status === 'response' && v.vendors.length === 2);
    await ack(handle, view0);
    await act(handle, 'decide-coverage', actors.handler, { decision: 'covered', reason: 'dated by counsel' });
    await env.sleep(Date.parse(view0.coverage.decideBy!) - (await env.currentTimeMs()) + 3_600_000);
    const view = await handle.query(viewQuery);
    expect(view.coverage.decideBy).toBe(view0.coverage.decideBy);
    expect(h.seen.emails.filter((e) => e.caseId === caseId && e.purpose === 'coverage-escalation')).toEqual([]);
    expect((await handle.query(timelineQuery)).some((e) => e.type === 'coverage_escalated')).toBe(false);
    await keepGolden(handle, 'case-coverage-decided-in-time-open-v7-work');
  });

  it('denies on findings that date the occurrence before the retroactive date', async () => {
    const { handle, caseId, policy } = await openCase({ report: { occurredAt: undefined } });
    await settle(handle, (v) => v.status === 'response');
    const before = new Date(Date.parse(policy.retroactiveDate) - 1000).toISOString();
    const view = await act(handle, 'record-findings', actors.handler, { occurredAt: before });
    expect(view.status).toBe('denied');
    expect(view.coverage.reasons).toContain('before_retroactive_date');
    expect(await finished(handle)).toMatchObject({ caseId, status: 'denied' });
    await keepGolden(handle, 'case-provisional-denied-on-findings-v6');
  });

  it('escalates a missed APPI preliminary deadline to handler, supervisor and insured and flags the case', async () => {
    const { handle, caseId } = await openCase();
    const view0 = await settle(handle, (v) => v.vendors.length === 2);
    await ack(handle, view0);
    await act(handle, 'assign', actors.handler, { assignee: 'handler' });
    await env.sleep('5 days');
    const view = await settle(handle, (v) => v.overdue);
    const prelim = view.obligations.find((o) => o.regime === 'JP-APPI' && o.kind === 'preliminary');
    expect(prelim?.status).toBe('overdue');
    expect(view.overdue).toBe(true);
    const purposes = h.seen.emails.filter((e) => e.caseId === caseId).map((e) => e.purpose);
    expect(purposes).toEqual(
      expect.arrayContaining([
        `reminder:${prelim!.id}`,
        `escalation:${prelim!.id}:handler`,
        `escalation:${prelim!.id}:supervisor`,
        `escalation:${prelim!.id}:insured`,
      ]),
    );
    // Filing late clears the flag but keeps the record that the deadline was missed.
    const after = await act(handle, 'record-filing', actors.handler, {
      regime: 'JP-APPI',
      kind: 'preliminary',
      filedAt: new Date(await env.currentTimeMs()).toISOString(),
    });
    const filed = after.obligations.find((o) => o.id === prelim!.id)!;
    expect(filed.status).toBe('done');
    expect(filed.missedAt).toBeDefined();
    expectJapaneseMail(caseId, [`escalation:${prelim!.id}:handler`, `escalation:${prelim!.id}:supervisor`, `escalation:${prelim!.id}:insured`]);
    await keepGolden(handle, 'case-escalated-open-v6');
  });

  it('stops the clock of an obligation that findings no longer trigger, and keeps it for the record', async () => {
    const { handle, caseId } = await openCase({ report: { residency: { JP: 1200 } } });
    await settle(handle, (v) => v.vendors.length === 2);
    const view = await act(handle, 'record-findings', actors.handler, { affectedPersons: 400 });
    const prelim = view.obligations.find((o) => o.regime === 'JP-APPI' && o.kind === 'preliminary')!;
    expect(prelim).toMatchObject({ status: 'pending', stillApplies: false });
    await env.sleep('6 days');
    const later = await handle.query(viewQuery);
    expect(later.obligations.find((o) => o.id === prelim.id)?.status).toBe('pending');
    expect(later.overdue).toBe(false);
    expect(h.seen.emails.filter((e) => e.caseId === caseId && e.purpose.includes(prelim.id))).toEqual([]);
    const recorded = await act(handle, 'record-filing', actors.handler, {
      regime: 'JP-APPI',
      kind: 'preliminary',
      notRequired: 'forensics confirmed 400 persons, no sensitive or financial data, no wrongful purpose',
    });
    expect(recorded.obligations.find((o) => o.id === prelim.id)).toMatchObject({ status: 'not_required' });
  });

  it('replaces a vendor that misses its acknowledgement SLA with the next on the panel', async () => {
    const { handle, caseId } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    await env.sleep('61 minutes');
    const view = await settle(handle, (v) => v.vendors.length === 4);
    expect(view.vendors.map((v) => `${v.vendorId}:${v.status}:${v.slaBreached}`)).toEqual([
      'counsel-a:replaced:true',
      'forensics-a:replaced:true',
      'counsel-b:dispatched:false',
      'forensics-b:dispatched:false',
    ]);
    // Intake's two briefs leave together (either may arrive first); the replacements one after the other.
    const briefed = h.seen.dispatches.filter((d) => d.caseId === caseId).map((d) => d.vendorId);
    expect([...briefed.slice(0, 2).sort(), ...briefed.slice(2)]).toEqual(['counsel-a', 'forensics-a', 'counsel-b', 'forensics-b']);
    await keepGolden(handle, 'case-vendor-replaced-open-v6');
  });

  it('makes a payout above the handler authority wait for a supervisor', async () => {
    const { handle, caseId } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    await act(handle, 'submit-costs', actors.insured, {
      items: [{ category: 'forensic_investigation', amountJpy: 3_000_000, evidenceRef: 'inv-big' }],
    });
    let view = await act(handle, 'approve-payout', actors.handler, {});
    expect(view.payouts[0]).toMatchObject({ status: 'awaiting_supervisor', requestedJpy: 3_000_000 });
    expect(h.seen.payments.some((p) => p.caseId === caseId)).toBe(false);
    expect(await refusal(act(handle, 'approve-payout', actors.handler, {}))).toMatchObject({ code: 'over_authority' });
    view = await act(handle, 'approve-payout', actors.supervisor, {});
    view = await settle(handle, (v) => v.payouts[0]?.status === 'paid');
    expect(view.payouts[0]?.approvedBy).toEqual(['handler', 'supervisor']);
    expect(h.seen.payments.filter((p) => p.caseId === caseId)).toHaveLength(1);
    // Supervisors are asked with the payout-approval e-mail, not the consent request it used to borrow.
    const asked = h.seen.emails.find((e) => e.caseId === caseId && e.purpose === `payout-approval:${caseId}-P1`);
    expect(asked?.message).toMatchObject({
      kind: 'payout_approval_request',
      payoutId: `${caseId}-P1`,
      amountJpy: 3_000_000,
      requestedBy: 'handler',
      authorityLimitJpy: 1_000_000,
      lines: [{ category: 'forensic_investigation', payableJpy: 3_000_000 }],
    });
    expectJapaneseMail(caseId, [`payout-approval:${caseId}-P1`]);
    await keepGolden(handle, 'case-supervisor-payout-open-v6');
  });

  it('starts the campaign of a notice approved while the case waits on a payment, not at its next clock', async () => {
    const { handle, caseId } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    await command(handle, { commandId: `persons:${caseId}`, action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsRef(20) } });
    await approveDraft(handle);
    await act(handle, 'submit-costs', actors.insured, { items: [{ category: 'forensic_investigation', amountJpy: 400_000, evidenceRef: 'inv-held' }] });
    const release = h.holdPayments(caseId);
    try {
      await act(handle, 'approve-payout', actors.handler, {});
      await until(() => h.paymentWaiting(caseId), 'the payment is held');
      // The approval lands while the main loop is past its campaign step, awaiting the payment.
      const approved = await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
      expect(approved.notice.approved).toBe(true);
    } finally {
      release();
    }
    // Time does not skip here (nothing waits on the result): the campaign starts now or never in this test.
    const view = await settle(handle, (v) => v.notifications.status === 'done' && v.payouts[0]?.status === 'paid');
    expect(view.notifications).toMatchObject({ total: 20, sent: 20, status: 'done' });
    expect(h.seen.slices.filter((x) => x.caseId === caseId).reduce((n, x) => n + x.count, 0)).toBe(20);
    await keepGolden(handle, 'case-notice-approved-during-payment-v14-sends');
  });

  it('lets two cases of one policy compete for the last of the period limit without overspending it', async () => {
    const policy = policyRecord(
      uniqueId('PL'),
      { responseCosts: { perIncidentLimitJpy: 1_000_000, periodLimitJpy: 1_000_000 } },
      await env.currentTimeMs(),
    );
    await h.registerPolicy(policy);
    const a = await openCase({ policy });
    const b = await openCase({ policy });
    for (const c of [a, b]) {
      await settle(c.handle, (v) => v.vendors.length === 2);
      await act(c.handle, 'submit-costs', actors.insured, {
        items: [{ category: 'forensic_investigation', amountJpy: 700_000, evidenceRef: `inv-${c.caseId}` }],
      });
    }
    await Promise.all([a, b].map((c) => act(c.handle, 'approve-payout', actors.handler, {})));
    const views = await Promise.all([a, b].map((c) => settle(c.handle, (v) => v.payouts[0]?.status === 'paid')));
    const paid = views.map((v) => v.settlement.paidJpy).sort((x, y) => x - y);
    expect(paid).toEqual([300_000, 700_000]);
    const short = views.find((v) => v.settlement.paidJpy === 300_000)!;
    expect(short.settlement.lines[0]?.reasons).toContain('period_limit_exhausted');
    expect(h.seen.payments.filter((p) => p.caseId === a.caseId || p.caseId === b.caseId).reduce((s, p) => s + p.amountJpy, 0)).toBe(1_000_000);
  });

  it('writes to an insured whose report asks for English in English, and to the claims team in Japanese', async () => {
    const contact = { name: 'Taro Yamada', email: 'taro@example.com', language: 'en' };
    const { handle, caseId } = await openCase({ report: { contact } });
    await settle(handle, () => h.seen.emails.filter((e) => e.caseId === caseId).length >= 2);
    const mails = h.seen.emails.filter((e) => e.caseId === caseId);
    expect(mails.find((e) => e.purpose === 'acknowledgement')?.message).toMatchObject({ kind: 'insured_ack', language: 'en', recipientName: 'Taro Yamada' });
    expect(mails.find((e) => e.purpose === 'new-case')?.message).toMatchObject({ kind: 'new_case', language: 'ja' });
    const ack = renderEmail(mails.find((e) => e.purpose === 'acknowledgement')!.message);
    expect(ack.text).toContain('- Upload the list of affected persons (CSV) so that notices can be prepared.');
    await act(handle, 'withdraw', actors.insured, { reason: 'found the laptop' });
  });

  it("writes a denial in the insured's language, with the reason in words", async () => {
    const contact = { name: 'Taro Yamada', email: 'taro@example.com', language: 'en' };
    const { handle, caseId } = await openCase({
      report: { contact, circumstances: { naturalCatastrophe: true, warOrRiot: false, terrorism: false, directedByInsuredOfficers: false, knownBeforeInception: false } },
    });
    await settle(handle, () => h.seen.emails.some((e) => e.caseId === caseId && e.purpose === 'denial'));
    const denial = h.seen.emails.find((e) => e.caseId === caseId && e.purpose === 'denial')!;
    expect(denial.message).toMatchObject({ kind: 'denial_letter', language: 'en', handler: null });
    expect(renderEmail(denial.message).text).toContain('Reason 1: Earthquake, eruption, tsunami, flood or storm surge');
    // And in Japanese (a report that does not say), with no English from the rules' explanations.
    const ja = await openCase({
      report: { circumstances: { naturalCatastrophe: true, warOrRiot: false, terrorism: false, directedByInsuredOfficers: false, knownBeforeInception: false } },
    });
    await settle(ja.handle, () => h.seen.emails.some((e) => e.caseId === ja.caseId && e.purpose === 'denial'));
    expectJapaneseMail(ja.caseId, ['denial']);
  });

  it('engages the print vendor when persons get letters, and counts the letters it confirms', async () => {
    const { handle, caseId } = await openCase();
    let view = await settle(handle, (v) => v.vendors.length === 2);
    await ack(handle, view);
    const ref = { ...personsRef(1200), withEmail: 1000, withoutEmail: 200 };
    await command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref } });
    await approveDraft(handle);
    await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    view = await settle(handle, (v) => v.notifications.status === 'done');
    const print = view.vendors.find((e) => e.role === 'print_and_mail');
    expect(print).toMatchObject({ vendorId: 'print-a', status: 'dispatched' });
    // Briefed with the letters it will get, before the campaign hands it any.
    expect(h.seen.dispatches.filter((d) => d.caseId === caseId && d.role === 'print_and_mail')).toEqual([
      expect.objectContaining({ vendorId: 'print-a', dispatchId: print!.dispatchId, brief: expect.objectContaining({ affectedPersons: 200 }) }),
    ]);
    expect(h.seen.slices.filter((s) => s.caseId === caseId).every((s) => s.printVendorId === 'print-a')).toBe(true);
    const at = new Date(await env.currentTimeMs()).toISOString();
    const mailed = (eventId: string, count: number): VendorEventInput => ({ eventId, vendorId: 'print-a', type: 'letters_mailed', at, count });
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', { eventId: `ack-${print!.dispatchId}`, vendorId: 'print-a', dispatchId: print!.dispatchId, type: 'acknowledged', at }));
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', mailed('evt_print-a_b1_letters_mailed', 150)));
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', mailed('evt_print-a_b1_letters_mailed', 150)));
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', mailed('evt_print-a_b2_letters_mailed', 50)));
    view = await settle(handle, (v) => v.notifications.lettersMailed === 200);
    expect(view.notifications).toMatchObject({ status: 'done', lettersMailed: 200 });
    const timeline = await handle.query(timelineQuery);
    expect(timeline.filter((t) => t.summary.endsWith('letters mailed')).map((t) => t.summary)).toEqual(['150 letters mailed', '50 letters mailed']);
    expect(timeline.some((t) => t.summary.includes('is not engaged'))).toBe(false);
    await keepGolden(handle, 'case-letters-mailed-open-v6');
  });

  it('keeps a withdrawal that arrives with the start: intake assesses the case and stops there', async () => {
    const policy = policyRecord(uniqueId('PL'), undefined, await env.currentTimeMs());
    await h.registerPolicy(policy);
    const caseId = uniqueId('C');
    const now = await env.currentTimeMs();
    const cmd: CaseCommand = { commandId: `test-${++commandNo}`, action: 'withdraw', request: { actor: actors.insured, body: { reason: 'filed twice' } } };
    // Signal-with-start puts the command in the case's first task, before intake has run (as when the API's withdraw
    // reaches a case that no worker has picked up yet).
    const handle = await env.client.workflow.signalWithStart(CASE_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [caseInput(caseId, policy, { report: report(policy.policyNumber, reportTimes(now)), reportedAt: new Date(now).toISOString() })],
      signal: commandSignal,
      signalArgs: [{ ...cmd, proof: testSigner.proof('command', caseId, cmd, new Date(now).toISOString()) }],
    });
    expect(await finished(handle)).toMatchObject({ caseId, status: 'withdrawn' });
    const view = await handle.query(viewQuery);
    expect(view.status).toBe('withdrawn');
    expect(view.severity).toBeDefined();
    expect(h.seen.dispatches.filter((d) => d.caseId === caseId)).toHaveLength(0);
    await keepGolden(handle, 'case-withdrawn-at-start-v8');
  });

  it('ends withdrawn when the insured withdraws its own case', async () => {
    const { handle, caseId } = await openCase();
    await settle(handle, (v) => v.status === 'response');
    const view = await act(handle, 'withdraw', actors.insured, { reason: 'false alarm: the laptop was found locked' });
    expect(view.status).toBe('withdrawn');
    expect(await finished(handle)).toMatchObject({ caseId, status: 'withdrawn' });
    await keepGolden(handle, 'case-withdrawn-v6');
  });
});

describe('a case started with the start memo alone', () => {
  // As `POST /v1/cases` starts it now: the request's hash and version 0's stamp (`startMemo`), no first view, and the
  // panel. The first task writes every part of the view; the run is kept as a golden that replays beside those started
  // with one.
  it('writes its whole view with its first task, reads as the first view said, and leaves a golden', async () => {
    const now = await env.currentTimeMs();
    const policy = policyRecord(uniqueId('PL'), undefined, now);
    await h.registerPolicy(policy);
    const caseId = uniqueId('C');
    const reportedAt = new Date(now).toISOString();
    const input = caseInput(caseId, policy, { report: report(policy.policyNumber, reportTimes(now)), reportedAt, panel });
    const handle = await env.client.workflow.start(CASE_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [input],
      memo: startMemo('start-memo-hash', reportedAt),
    });
    const started = (await handle.describe()).memo ?? {};
    expect(Object.keys(started).sort()).toEqual([MEMO_KEYS.meta, MEMO_KEYS.request].sort());

    const assigned = await act(handle, 'assign', actors.handler, { assignee: 'handler' });
    expect(assigned.assignedTo).toBe('handler');
    const memo = (await handle.describe()).memo ?? {};
    for (const part of Object.keys(VIEW_PARTS) as (keyof typeof VIEW_PARTS)[]) expect(memo[MEMO_KEYS.part(part)], part).toBeDefined();
    const model = readModelFromMemo(memo)!;
    expect(model.requestHash).toBe('start-memo-hash');
    expect(model.meta.version).toBeGreaterThan(0);
    // What the API answered the intake with (and reads before the first task) is what the case then wrote.
    const first = firstView(input)!;
    expect(model.view).toMatchObject({ caseId, status: first.status, severity: first.severity });
    const duties = (v: CaseView) => v.obligations.map((o) => `${o.regime}:${o.audience}:${o.kind}`);
    expect(duties(model.view!)).toEqual(duties(first));
    // The run follows the rulebook: one patch marker (and the SDK's upsert beside it), not one per rule and change;
    // the rules made after it follow.
    expect(patchIdsOf(await handle.fetchHistory())).toEqual([RULEBOOK_PATCH, ...Object.values(LATER_RULE_PATCHES)]);
    await keepGolden(handle, 'case-start-memo-open-v14-sends');
  });
});

describe('work that leaves together (sendsTogether)', () => {
  type Event = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
  /** The activities each workflow task scheduled, task by task (the tasks that scheduled none are left out). */
  function scheduledByTask(events: Event[]): string[][] {
    const tasks: string[][] = [];
    let current: string[] | undefined;
    for (const e of events) {
      if (e.workflowTaskCompletedEventAttributes) tasks.push((current = []));
      else if (e.workflowTaskScheduledEventAttributes) current = undefined;
      const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (name && current) current.push(name);
    }
    return tasks.filter((t) => t.length > 0).map((t) => t.sort());
  }

  async function fileCase(withPanel?: PanelVendor[], discoveredDaysAgo?: number) {
    const now = await env.currentTimeMs();
    const policy = policyRecord(uniqueId('PL'), undefined, now);
    await h.registerPolicy(policy);
    const caseId = uniqueId('C');
    const times = discoveredDaysAgo
      ? { discoveredAt: new Date(now - discoveredDaysAgo * 86_400_000).toISOString(), occurredAt: new Date(now - (discoveredDaysAgo + 1) * 86_400_000).toISOString() }
      : reportTimes(now);
    const input = caseInput(caseId, policy, {
      report: report(policy.policyNumber, times),
      reportedAt: new Date(now).toISOString(),
      ...(withPanel ? { panel: withPanel } : {}),
    });
    const handle = await env.client.workflow.start(CASE_WORKFLOW_TYPE, { workflowId: caseWorkflowId(caseId), taskQueue: h.taskQueue, args: [input] });
    const view = await settle(handle, (v) => v.vendors.length === 2);
    return { handle, caseId, view, events: (await handle.fetchHistory()).events ?? [] };
  }

  it('dispatches counsel and forensics from the panel in its input and sends both e-mails, all from the first task', async () => {
    // Firms the harness's `loadPanel` does not know: the dispatches prove that the input's panel was used.
    const { caseId, view, events } = await fileCase([
      { vendorId: 'counsel-in', role: 'counsel', name: 'Input Law' },
      { vendorId: 'forensics-in', role: 'forensics', name: 'Input Forensics' },
    ]);
    expect(scheduledByTask(events)[0]).toEqual(['dispatchVendor', 'dispatchVendor', 'sendEmail', 'sendEmail']);
    expect(events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'loadPanel')).toBe(false);
    // Counsel is still the first engagement, and briefed first.
    expect(view.vendors.map((e) => [e.dispatchId, e.vendorId, e.status])).toEqual([
      [`${caseId}-counsel-1`, 'counsel-in', 'dispatched'],
      [`${caseId}-forensics-2`, 'forensics-in', 'dispatched'],
    ]);
    expect(h.seen.dispatches.filter((d) => d.caseId === caseId).map((d) => d.vendorId).sort()).toEqual(['counsel-in', 'forensics-in']);
    expect(h.seen.emails.filter((m) => m.caseId === caseId).map((m) => m.purpose).sort()).toEqual(['acknowledgement', 'new-case']);
  });

  it('asks the worker for the panel first when the input has none, then schedules the rest together', async () => {
    const { caseId, view, events } = await fileCase();
    expect(scheduledByTask(events).slice(0, 2)).toEqual([['loadPanel'], ['dispatchVendor', 'dispatchVendor', 'sendEmail', 'sendEmail']]);
    expect(view.vendors.map((e) => e.vendorId)).toEqual(['counsel-a', 'forensics-a']);
    expect(h.seen.emails.filter((m) => m.caseId === caseId).map((m) => m.purpose).sort()).toEqual(['acknowledgement', 'new-case']);
  });

  it("sends a pass's e-mails to everyone at once, and each recipient's in the order they were queued", async () => {
    // Reported a week after discovery: the APPI preliminary report and the GDPR notice are overdue at filing, so the
    // first pass reminds the handlers of each and escalates each to handlers, supervisors and the insured.
    const { handle, caseId } = await fileCase(panel, 7);
    const sent = () => h.seen.emails.filter((m) => m.caseId === caseId && m.purpose !== 'acknowledgement' && m.purpose !== 'new-case');
    await settle(handle, () => sent().length === 8);
    const byTask = scheduledByTask((await handle.fetchHistory()).events ?? []);
    // Intake's task, then one that sends to the three recipients at once.
    expect(byTask.slice(0, 2)).toEqual([
      ['dispatchVendor', 'dispatchVendor', 'sendEmail', 'sendEmail'],
      ['sendEmail', 'sendEmail', 'sendEmail'],
    ]);
    // Queued per obligation: its reminder, then its escalations. Each recipient gets them in that order.
    const of = (kind: string, role?: string) =>
      sent()
        .filter((m) => (role ? m.to.kind === 'role' && m.to.role === role : m.to.kind === kind))
        .map((m) => m.purpose);
    const order = of('role', 'supervisor').map((p) => p.replace(/^escalation:(.*):supervisor$/, '$1'));
    expect(order.sort()).toEqual(['EU-GDPR:regulator:notice', 'JP-APPI:regulator:preliminary']);
    const [first, second] = of('role', 'supervisor').map((p) => p.replace(/^escalation:(.*):supervisor$/, '$1'));
    expect(of('address')).toEqual([`escalation:${first}:insured`, `escalation:${second}:insured`]);
    expect(of('role', 'handler')).toEqual([`reminder:${first}`, `escalation:${first}:handler`, `reminder:${second}`, `escalation:${second}:handler`]);
    await keepGolden(handle, 'case-overdue-at-filing-open-v14-sends');
  });
});

describe('one rulebook: rules the workflow applied differently from domain/ before', () => {
  const DAY_MS = 86_400_000;

  it('anchors the California Attorney General copy to the day notices went out, not to the notice deadline', async () => {
    const { handle } = await openCase({ report: { residency: { JP: 600, 'US-CA': 600 } } });
    await settle(handle, (v) => v.vendors.length === 2);
    const ag = (v: CaseView) => v.obligations.find((o) => o.id === 'US-CA:regulator:notice')!;
    const before = await handle.query(viewQuery);
    expect(Date.parse(ag(before).dueAt)).toBe(Date.parse(before.discoveredAt) + 45 * DAY_MS);
    await command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsRef(1200) } });
    await approveDraft(handle);
    await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    const view = await settle(handle, (v) => v.notifications.status === 'done' && ag(v).dueAt !== ag(before).dueAt);
    const notified = view.obligations.find((o) => o.id === 'US-CA:persons:notice')!;
    expect(notified.status).toBe('done');
    expect(Date.parse(ag(view).dueAt)).toBe(Date.parse(notified.filedAt!) + 15 * DAY_MS);
    await keepGolden(handle, 'case-persons-notified-open-v6');
  });

  it('shows an overdue obligation as the next deadline until it is filed', async () => {
    const { handle } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    await env.sleep('5 days');
    const view = await settle(handle, (v) => v.overdue);
    const open = view.obligations.filter((o) => (o.status === 'pending' || o.status === 'overdue') && o.stillApplies !== false);
    const earliest = open.map((o) => o.dueAt).sort()[0];
    expect(view.obligations.find((o) => o.dueAt === earliest)?.status).toBe('overdue');
    expect(view.nextDeadline).toBe(earliest);
  });

  it('refuses a filing that matches two obligations until it names the audience', async () => {
    const { handle } = await openCase({ report: { residency: { JP: 600, 'US-CA': 600 } } });
    await settle(handle, (v) => v.vendors.length === 2);
    const filedAt = new Date(await env.currentTimeMs()).toISOString();
    const refused = await refusal(act(handle, 'record-filing', actors.insured, { regime: 'US-CA', kind: 'notice', filedAt }));
    expect(refused.code).toBe('invalid');
    expect(refused.text).toMatch(/audience/);
    const view = await act(handle, 'record-filing', actors.insured, { regime: 'US-CA', kind: 'notice', audience: 'regulator', filedAt });
    expect(view.obligations.find((o) => o.id === 'US-CA:regulator:notice')?.status).toBe('done');
    expect(view.obligations.find((o) => o.id === 'US-CA:persons:notice')?.status).toBe('pending');
  });

  it('takes a consent for one vendor only when the vendor is on the panel', async () => {
    const { handle } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    const markup = await refusal(act(handle, 'consent', actors.handler, { category: 'forensic_investigation', vendorId: '<img src=x onerror=alert(1)>' }));
    expect(markup).toMatchObject({ code: 'invalid', text: 'vendorId is not a vendor of the panel' });
    const view = await act(handle, 'consent', actors.handler, { category: 'forensic_investigation', vendorId: 'forensics-b' });
    expect(view.consents.map((c) => c.vendorId)).toEqual(['forensics-b']);
  });

  it('lifts the APPI duties when findings show the leaked data was strongly encrypted', async () => {
    const { handle } = await openCase({ report: { residency: { JP: 1200 } } });
    await settle(handle, (v) => v.vendors.length === 2);
    const appi = (v: CaseView) => v.obligations.filter((o) => o.regime === 'JP-APPI');
    expect(appi(await handle.query(viewQuery)).every((o) => o.stillApplies !== false)).toBe(true);
    const view = await act(handle, 'record-findings', actors.handler, { encrypted: true, note: 'full-disk encryption confirmed' });
    expect(appi(view).length).toBeGreaterThan(0);
    expect(appi(view).every((o) => o.stillApplies === false)).toBe(true);
  });
});

describe('trust: only what the API signed for this case changes it', () => {
  const mallory: Actor = { name: 'mallory', role: 'supervisor', authorityLimitJpy: 999_999_999_999 };
  const grab = (prefix: string): CaseCommand => ({
    commandId: uniqueId(prefix),
    action: 'assign',
    request: { actor: mallory, body: { assignee: 'mallory' } },
  });

  async function failedTasks(handle: WorkflowHandle): Promise<number> {
    return ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
  }

  it('refuses forged, altered, foreign and stale messages on the timeline, changing nothing and failing no task', async () => {
    const { handle } = await openCase();
    const view0 = await settle(handle, (v) => v.vendors.length === 2);
    const other = await openCase();
    const at = new Date(await env.currentTimeMs()).toISOString();
    const genuine = await signed(handle, 'command', {
      commandId: uniqueId('altered'),
      action: 'assign',
      request: { actor: actors.handler, body: { assignee: 'handler' } },
    });
    const twoDaysAgo = new Date((await env.currentTimeMs()) - 2 * 86_400_000).toISOString();
    const forgeries: CaseCommand[] = [
      grab('unsigned'),
      await signed(handle, 'command', grab('stranger'), { signer: strangerSigner }),
      { ...genuine, request: { ...genuine.request, body: { assignee: 'mallory' } } },
      await signed(handle, 'command', grab('foreign'), { caseId: other.caseId }),
      await signed(handle, 'command', grab('stale'), { issuedAt: twoDaysAgo }),
    ];
    for (const forged of forgeries) await handle.signal(commandSignal, forged);
    const findings: VendorEventInput = { eventId: 'evt_forged', vendorId: 'forensics-a', type: 'findings', at, findings: { affectedPersons: 0 } };
    await handle.signal(vendorEventSignal, findings);
    // A genuine command last: once it is answered, the six before it were handled.
    const view = await act(handle, 'consent', actors.handler, { category: 'apology_payment' });

    const refused = (await handle.query(timelineQuery)).filter((e) => e.type === 'refused');
    expect(refused.map((e) => e.summary)).toEqual([
      expect.stringMatching(/^command assign refused: it carries no signature/),
      expect.stringMatching(/^command assign refused: its signature does not match/),
      expect.stringMatching(/^command assign refused: its signature does not match/),
      expect.stringMatching(/^command assign refused: its signature does not match/),
      expect.stringMatching(/^command assign refused: it was issued too long ago/),
      expect.stringMatching(/^vendor event findings refused: it carries no signature/),
    ]);
    expect(view.assignedTo).toBeNull();
    expect(view.affectedPersons).toBe(view0.affectedPersons);
    expect(view.consents.map((c) => c.by)).toEqual(['handler']);
    // No outcome is recorded for a forgery, so none can pre-empt the command id of a real command.
    for (const forged of forgeries) expect((await handle.query(commandStatusQuery, forged)).outcome).toBeNull();
    expect(await failedTasks(handle)).toBe(0);
    await keepGolden(handle, 'case-forged-messages-open-v6');
  });

  it('takes campaign progress only from its campaign: a forged "done" marks nothing done', async () => {
    const { handle } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    await command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsRef(1200) } });
    // The notice is not approved, so no campaign runs yet; then one starts and the forger claims it is done.
    await handle.signal(campaignProgressSignal, { campaignNo: 1, total: 1200, sent: 1200, failed: 0, letters: 0, done: true });
    await approveDraft(handle);
    await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    await handle.signal(campaignProgressSignal, { campaignNo: 1, total: 1200, sent: 1200, failed: 0, letters: 0, done: true });
    const view = await settle(handle, (v) => v.notifications.status === 'done');
    const refused = (await handle.query(timelineQuery)).filter((e) => e.type === 'refused').map((e) => e.summary);
    expect(refused).toEqual([expect.stringMatching(/^campaign progress refused: it does not carry campaign 1's token/)]);
    // The real campaign finished and marked the persons notices done; the forgery before it changed nothing.
    expect(view.notifications).toMatchObject({ total: 1200, sent: 1200, status: 'done' });
    expect(h.seen.slices.filter((sl) => sl.caseId === caseIdFromWorkflowId(handle.workflowId)).length).toBeGreaterThan(0);
    expect(await failedTasks(handle)).toBe(0);
  });

  it('parks a message signed with a key it does not know until the worker vouches for the key (rotation, older cases)', async () => {
    const policy = policyRecord(uniqueId('PL'), {}, await env.currentTimeMs());
    await h.registerPolicy(policy);
    const caseId = uniqueId('C');
    const now = await env.currentTimeMs();
    const handle = await env.client.workflow.start(CASE_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      // A case that trusts no key of its own, like one started before signatures: the worker vouches for testSigner's.
      args: [caseInput(caseId, policy, { report: report(policy.policyNumber, reportTimes(now)), reportedAt: new Date(now).toISOString(), trust: { keys: [] } })],
    });
    await settle(handle, (v) => v.vendors.length === 2);
    const view = await act(handle, 'assign', actors.handler, { assignee: 'handler' });
    expect(view.assignedTo).toBe('handler');
    const unknown = commandSigner(`z9:${'77'.repeat(32)}`);
    await handle.signal(commandSignal, await signed(handle, 'command', grab('unknown-key'), { signer: unknown }));
    await act(handle, 'consent', actors.handler, { category: 'apology_payment' });
    const refused = (await handle.query(timelineQuery)).filter((e) => e.type === 'refused');
    expect(refused.map((e) => e.summary)).toEqual([expect.stringMatching(/signed with a key neither the case nor the worker trusts/)]);
    expect((await handle.query(viewQuery)).assignedTo).toBe('handler');
    expect(await failedTasks(handle)).toBe(0);
  });
});

describe('the read model', () => {
  /** The memo fields each WorkflowPropertiesModified event after `from` wrote, and their encoded sizes. */
  async function memoWrites(handle: WorkflowHandle, from: number) {
    const events = (await handle.fetchHistory()).events?.slice(from) ?? [];
    return events
      .map((e) => e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields)
      .filter((f): f is NonNullable<typeof f> => !!f)
      .map((fields) => Object.fromEntries(Object.entries(fields).map(([k, p]) => [k, (p.data?.length ?? 0) + JSON.stringify(p.metadata ?? {}).length])));
  }

  it('writes only the parts a command changed, encrypted, and stays small', async () => {
    const { handle } = await openCase();
    // The memo, not a query: a query sees intake's engagements as soon as their task ran, before their activities
    // ended and the view was written.
    await settleModel(handle, (m) => m.view?.vendors.length === 2);
    const before = (await handle.fetchHistory()).events?.length ?? 0;
    const view = await act(handle, 'assign', actors.handler, { assignee: 'handler' });
    expect(view.assignedTo).toBe('handler');
    const writes = await memoWrites(handle, before);
    expect(writes).toHaveLength(1);
    expect(Object.keys(writes[0]!).sort()).toEqual(
      [MEMO_KEYS.commands, MEMO_KEYS.meta, MEMO_KEYS.part('status'), MEMO_KEYS.timelineChunk(0)].sort(),
    );
    // Encrypted by the payload codec like every payload: no plaintext of the view in history.
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain('"assignedTo"');
    const bytes = Object.values(writes[0]!).reduce((a, b) => a + b, 0);
    expect(bytes).toBeLessThan(4_096);
    const memo = (await handle.describe()).raw.workflowExecutionInfo?.memo?.fields ?? {};
    const whole = Object.values(memo).reduce((a, p) => a + (p.data?.length ?? 0), 0);
    expect(whole).toBeGreaterThan(0);
    expect(whole).toBeLessThan(64 * 1024);
  });
});

describe('incidentCase refusals', () => {
  it('refuses the wrong tenant, the wrong role, missing consent and bad bodies; only the case’s own rules see them', async () => {
    const { handle } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    const before = (await handle.fetchHistory()).events?.length ?? 0;
    expect(await refusal(act(handle, 'withdraw', actors.otherInsured, { reason: 'not mine' }))).toMatchObject({ code: 'not_found' });
    expect(await refusal(act(handle, 'assign', actors.ops, { assignee: 'handler' }))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(act(handle, 'approve-payout', actors.insured, {}))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(act(handle, 'consent', actors.handler, { category: 'bitcoin' }))).toMatchObject({ code: 'invalid' });
    await act(handle, 'submit-costs', actors.insured, {
      items: [{ category: 'apology_payment', amountJpy: 100_000, evidenceRef: 'vouchers', persons: 200 }],
    });
    const after = (await handle.fetchHistory()).events?.length ?? 0;
    const refusedPayout = await refusal(act(handle, 'approve-payout', actors.handler, {}));
    expect(refusedPayout.code).toBe('consent_missing');
    const view = await handle.query(viewQuery);
    expect(view.settlement.lines[0]).toMatchObject({ status: 'held', reasons: expect.arrayContaining(['consent_missing']) });
    // The tenant and role refusals were answered from the read model and never reached history; the bad body and the
    // missing consent are the case's own rules: they came by signal (as the accepted submit-costs did), refused there.
    const signalled = await commandEvents(handle, before);
    expect(signalled.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)).toHaveLength(3);
    const outcomes = (await handle.query(commandOutcomesQuery)).outcomes.map((o) => [o.applied, o.refusal && parseRefusal(o.refusal)?.code]);
    expect(outcomes.slice(-3)).toEqual([[false, 'invalid'], [true, undefined], [false, 'consent_missing']]);
    const events = (await handle.fetchHistory()).events?.slice(before) ?? [];
    expect(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);
    expect(after).toBeGreaterThan(before);
  });
});

describe('commands by signal', () => {
  async function outcomeOf(handle: WorkflowHandle, cmd: CaseCommand) {
    for (let i = 0; i < 100; i++) {
      const status = await handle.query(commandStatusQuery, cmd);
      if (status.outcome) return status;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no outcome for ${cmd.commandId}`);
  }

  it('applies a command id once, however often it arrives, and answers it from the recorded outcome', async () => {
    const { handle } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    const cmd: CaseCommand = {
      commandId: 'insured:submit-costs:key-1',
      action: 'submit-costs',
      request: { actor: actors.insured, body: { items: [{ category: 'forensic_investigation', amountJpy: 300_000, evidenceRef: 'inv-1' }] } },
    };
    await handle.signal(commandSignal, await signed(handle, 'command', cmd));
    await handle.signal(commandSignal, await signed(handle, 'command', cmd));
    const status = await outcomeOf(handle, cmd);
    expect(status.outcome).toEqual({ commandId: cmd.commandId, applied: true });
    // The API's retry with the same id: answered, not sent again, not applied again.
    const view = await command(handle, cmd);
    expect(view.settlement.lines).toHaveLength(1);
    expect((await handle.query(timelineQuery)).filter((e) => e.type === 'costs')).toHaveLength(1);
    expect(await commandEvents(handle, 0)).toHaveLength(2);
  });

  it('records a refusal that reaches the case by signal (its state moved on after the check), and changes nothing else', async () => {
    const { handle } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    const before = await handle.query(viewQuery);
    const timeline = (await handle.query(timelineQuery)).length;
    const cmd: CaseCommand = { commandId: 'ops:assign:1', action: 'assign', request: { actor: actors.ops, body: { assignee: 'handler' } } };
    await handle.signal(commandSignal, await signed(handle, 'command', cmd));
    const status = await outcomeOf(handle, cmd);
    expect(status.outcome?.applied).toBe(false);
    expect(parseRefusal(status.outcome?.refusal ?? '')).toMatchObject({ code: 'forbidden' });
    expect(status.view.assignedTo).toBe(before.assignedTo);
    expect((await handle.query(timelineQuery)).length).toBe(timeline);
    // And the API answers the same refusal for that id, as a problem with the reason's status.
    expect(await refusal(command(handle, cmd))).toMatchObject({ code: 'forbidden' });
  });

  it('refuses, rather than fails on, a command the API would never send (an unknown action, a body that breaks the rules)', async () => {
    const { handle } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    const unknown = { commandId: 'x:1', action: 'launch-rocket', request: { actor: actors.handler, body: {} } } as unknown as CaseCommand;
    const broken: CaseCommand = { commandId: 'x:2', action: 'consent', request: { actor: actors.handler, body: { category: 42 } } };
    await handle.signal(commandSignal, await signed(handle, 'command', unknown));
    await handle.signal(commandSignal, await signed(handle, 'command', broken));
    expect(parseRefusal((await outcomeOf(handle, unknown)).outcome?.refusal ?? '')).toMatchObject({ code: 'invalid' });
    expect(parseRefusal((await outcomeOf(handle, broken)).outcome?.refusal ?? '')).toMatchObject({ code: 'invalid' });
    // The case goes on taking commands.
    expect((await act(handle, 'assign', actors.handler, { assignee: 'handler' })).assignedTo).toBe('handler');
  });

  it('refuses every legacy Update, which carries no signature of the API, before it reaches history', async () => {
    const { handle } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    const before = (await handle.fetchHistory()).events?.length ?? 0;
    const assign = await refusal(handle.executeUpdate(actionUpdates.assign, { args: [{ actor: actors.supervisor, body: { assignee: 'mallory' } }] }));
    expect(assign).toMatchObject({ code: 'forbidden', text: expect.stringMatching(/signed by the API/) });
    expect(await refusal(handle.executeUpdate(attachPersonsUpdate, { args: [{ actor: actors.insured, ref: personsRef(5) }] }))).toMatchObject({ code: 'forbidden' });
    const view = await handle.query(viewQuery);
    expect(view.assignedTo).toBeNull();
    expect(view.affectedPersonsList).toBeNull();
    const events = (await handle.fetchHistory()).events?.slice(before) ?? [];
    expect(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);
  });
});

describe('vendor events', () => {
  it('applies a signalled event once, ignores its redelivery, and ignores (on the timeline) a vendor not engaged', async () => {
    const { handle } = await openCase();
    let view = await settle(handle, (v) => v.vendors.length === 2);
    const forensics = view.vendors.find((e) => e.role === 'forensics')!;
    const at = new Date(await env.currentTimeMs()).toISOString();
    const invoice: VendorEventInput = {
      eventId: `evt_${forensics.vendorId}_${forensics.dispatchId}_invoice`,
      vendorId: forensics.vendorId,
      dispatchId: forensics.dispatchId,
      type: 'invoice',
      at,
      amountJpy: 250_000,
      category: 'forensic_investigation',
      evidenceRef: 'inv-forensics-1',
    };
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', invoice));
    view = await settle(handle, (v) => v.settlement.lines.length === 1);
    expect(view.settlement.lines).toHaveLength(1);
    expect(view.vendors.find((e) => e.dispatchId === forensics.dispatchId)?.invoicedJpy).toBe(250_000);
    const before = { view, timeline: await handle.query(timelineQuery) };

    // The same event again (a redelivery), then an event from a panel vendor the case never engaged, twice.
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', invoice));
    const stranger: VendorEventInput = {
      eventId: 'evt_forensics-b_x_findings',
      vendorId: 'forensics-b',
      type: 'findings',
      at,
      findings: { affectedPersons: 99_999, cause: 'insider_misuse' },
    };
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', stranger));
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', stranger));
    // Last, an acknowledgement: once it shows, the three before it were handled.
    view = await ack(handle, view);

    const timeline = await handle.query(timelineQuery);
    const added = timeline.slice(before.timeline.length);
    expect(added.map((e) => [e.type, e.actor, e.summary])).toEqual([
      ['vendor', 'vendor:forensics-b', 'findings event ignored: vendor forensics-b is not engaged on this case'],
      ...view.vendors.filter((e) => e.status === 'acknowledged').map((e) => ['vendor', `vendor:${e.vendorId}`, `${e.role} ${e.vendorId} acknowledged`]),
    ]);
    // Nothing but the acknowledgements (and with them the case's change stamp) changed the case.
    const ackless = ({ version: _v, updatedAt: _u, ...v }: CaseView) => ({
      ...v,
      vendors: v.vendors.map(({ status: _s, acknowledgedAt: _a, ...rest }) => rest),
    });
    expect(ackless(view)).toEqual(ackless(before.view));
    expect(view.affectedPersons).toBe(before.view.affectedPersons);
    expect(view.vendors.map((e) => e.vendorId)).not.toContain('forensics-b');
    await keepGolden(handle, 'case-vendor-signals-open-v6');
  });

  it('takes a vendor event only for its own engagement and role, refusing the rest on the timeline', async () => {
    const { handle } = await openCase();
    const view = await settle(handle, (v) => v.vendors.length === 2);
    const other = await openCase();
    const otherView = await settle(other.handle, (v) => v.vendors.length === 2);
    const forensics = view.vendors.find((e) => e.role === 'forensics')!;
    const at = new Date(await env.currentTimeMs()).toISOString();
    const invoice = (eventId: string, dispatchId: string, category: string): VendorEventInput => ({
      eventId, vendorId: forensics.vendorId, dispatchId, type: 'invoice', at, amountJpy: 4_000_000, category, evidenceRef: eventId,
    });
    // The forensic firm invoices legal counsel's work, then bills this case with the other case's dispatch id.
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', invoice('evt-wrong-role', forensics.dispatchId, 'legal_counsel')));
    const foreignDispatch = otherView.vendors.find((e) => e.role === 'forensics')!.dispatchId;
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', invoice('evt-foreign', foreignDispatch, 'forensic_investigation')));
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', invoice('evt-ok', forensics.dispatchId, 'forensic_investigation')));
    const after = await settle(handle, (v) => v.settlement.lines.length > 0);
    expect(after.settlement.lines.map((l) => [l.category, l.claimedJpy])).toEqual([['forensic_investigation', 4_000_000]]);
    const refused = (await handle.query(timelineQuery)).filter((e) => e.type === 'refused').map((e) => e.summary);
    expect(refused).toEqual([
      expect.stringMatching(/^invoice evt-wrong-role refused: legal_counsel is not the work of a forensics vendor/),
      expect.stringMatching(new RegExp(`^invoice event refused: dispatch ${foreignDispatch} is not an engagement of ${forensics.vendorId}`)),
    ]);
  });

  it('refuses impossible findings, holds those that lower persons, move the date or lift a duty, and applies them on confirmation', async () => {
    const { handle } = await openCase({ report: { residency: { JP: 1200 } } });
    const view = await settle(handle, (v) => v.vendors.length === 2);
    const forensics = view.vendors.find((e) => e.role === 'forensics')!;
    const at = new Date(await env.currentTimeMs()).toISOString();
    const findings = (eventId: string, f: VendorEventInput['findings']): VendorEventInput => ({
      eventId, vendorId: forensics.vendorId, dispatchId: forensics.dispatchId, type: 'findings', at, findings: f,
    });
    // A year after discovery: after it, and in the future (the probe sent 2030-01-01; time skips in these tests).
    const nextYear = new Date(Date.parse(view.discoveredAt) + 365 * 86_400_000).toISOString();
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', findings('evt-2030', { occurredAt: nextYear })));
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', findings('evt-zero', { affectedPersons: 0 })));
    const held = await settle(handle, (v) => (v.heldFindings ?? []).length === 1);
    expect(held.heldFindings![0]).toMatchObject({
      findingsId: 'evt-zero',
      concerns: expect.arrayContaining(['lowers_persons', 'lifts_duty']),
      before: { affectedPersons: 1200 },
      after: { affectedPersons: 0 },
    });
    expect(held.affectedPersons).toBe(1200);
    expect(held.occurredAt).toBe(view.occurredAt);
    expect(held.coverage.decision).toBe('covered');
    const refused = (await handle.query(timelineQuery)).filter((e) => e.type === 'refused').map((e) => e.summary);
    expect(refused).toEqual([expect.stringMatching(/^findings evt-2030 refused: the leak cannot have begun after it was discovered; the occurrence date is in the future/)]);
    expect(await refusal(act(handle, 'confirm-findings', actors.handler, { findingsId: 'evt-none', decision: 'apply', reason: 'x' }))).toMatchObject({ code: 'nothing_to_do' });
    const confirmed = await act(handle, 'confirm-findings', actors.handler, { findingsId: 'evt-zero', decision: 'apply', reason: 'the list was recovered unopened' });
    expect(confirmed.affectedPersons).toBe(0);
    expect(confirmed.heldFindings).toEqual([]);
    // A handler's own findings must be possible too.
    const late = new Date(Date.parse(view.discoveredAt) + 3_600_000).toISOString();
    expect(await refusal(act(handle, 'record-findings', actors.handler, { occurredAt: late }))).toMatchObject({ code: 'invalid' });
    await keepGolden(handle, 'case-findings-held-open-v6');
  });

  it('refuses the legacy vendor-event Update, and takes the same event signed by the API once', async () => {
    const { handle } = await openCase();
    const view = await settle(handle, (v) => v.vendors.length === 2);
    const counsel = view.vendors.find((e) => e.role === 'counsel')!;
    const event: VendorEventInput = {
      eventId: 'evt_legacy_advice',
      vendorId: counsel.vendorId,
      dispatchId: counsel.dispatchId,
      type: 'advice',
      at: new Date(await env.currentTimeMs()).toISOString(),
      advice: 'notify the regulator',
    };
    expect(await refusal(handle.executeUpdate(vendorEventUpdate, { args: [event] }))).toMatchObject({ code: 'forbidden' });
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', event));
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', event));
    await ack(handle, view);
    expect((await handle.query(viewQuery)).counselAdvice).toHaveLength(1);
  });
});

describe("the handler's desk: notes, documents, reserve history, reopen", () => {
  const note = (handle: WorkflowHandle, actor: Actor, text: string, visibility: 'internal' | 'shared') =>
    command(handle, { commandId: `note-${++commandNo}`, action: ADD_NOTE, request: { actor, note: { text, visibility } } });
  const attach = (handle: WorkflowHandle, actor: Actor, documentId: string) =>
    command(handle, {
      commandId: `doc-${documentId}-${++commandNo}`,
      action: ATTACH_DOCUMENT,
      request: { actor, document: { documentId, name: 'invoice.pdf', contentType: 'application/pdf', size: 1234, sha256: 'ab'.repeat(32) } },
    });

  it('keeps internal notes off the timeline, shared ones on it, documents by reference, and evidence that names one', async () => {
    const { handle } = await openCase();
    await settle(handle, (v) => v.status === 'response');
    const model = () => settleModel(handle, (m) => !!m.view);
    const versionBefore = (await model()).meta.version;
    await note(handle, actors.handler, '社内メモ: 再保険者への報告を検討', 'internal');
    // An internal note is no change of the view the insured reads: same version, nothing on the timeline.
    expect((await model()).meta.version).toBe(versionBefore);
    await note(handle, actors.insured, 'Invoice from the forensic firm attached.', 'shared');
    expect(await refusal(note(handle, actors.insured, 'trying internal', 'internal'))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(note(handle, actors.otherInsured, 'not my case', 'shared'))).toMatchObject({ code: 'not_found' });
    expect(await refusal(note(handle, actors.ops, 'ops may only read', 'shared'))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(note(handle, actors.handler, 'bad \u0007 bell', 'shared'))).toMatchObject({ code: 'invalid' });

    const memo = (await handle.describe()).memo;
    const notes = notesFromMemo(memo);
    expect(notes.map((n) => [n.noteId, n.visibility, n.by])).toEqual([
      ['N1', 'internal', 'handler'],
      ['N2', 'shared', 'insured-ins-001'],
    ]);
    const timeline = timelineFromReadModel(readModelFromMemo(memo)!)!;
    expect(timeline.filter((t) => t.type === 'note')).toEqual([expect.objectContaining({ actor: 'insured-ins-001', summary: 'shared note N2 added' })]);
    expect(JSON.stringify(timeline)).not.toContain('社内メモ');
    expect(JSON.stringify(readModelFromMemo(memo)!.view)).not.toContain('社内メモ');

    const documentId = 'D' + '0a'.repeat(12);
    await attach(handle, actors.insured, documentId);
    expect(await refusal(attach(handle, actors.insured, documentId))).toMatchObject({ code: 'duplicate' });
    expect(await refusal(attach(handle, actors.ops, 'D' + '0b'.repeat(12)))).toMatchObject({ code: 'forbidden' });
    const docs = documentsFromMemo((await handle.describe()).memo);
    expect(docs).toEqual([expect.objectContaining({ documentId, name: 'invoice.pdf', contentType: 'application/pdf', size: 1234, by: 'insured-ins-001' })]);

    const missing = 'D' + 'ff'.repeat(12);
    expect(
      await refusal(act(handle, 'submit-costs', actors.insured, { items: [{ category: 'forensic_investigation', amountJpy: 100_000, evidenceRef: missing }] })),
    ).toMatchObject({ code: 'invalid', text: `evidenceRef ${missing} names no document of this case` });
    const view = await act(handle, 'submit-costs', actors.insured, { items: [{ category: 'forensic_investigation', amountJpy: 100_000, evidenceRef: documentId }] });
    expect(view.settlement.lines.at(-1)).toMatchObject({ category: 'forensic_investigation', claimedJpy: 100_000 });
    await keepGolden(handle, 'case-desk-notes-documents-open-v7-docs');
  });

  it('keeps the reserve history: the triage, then each change with why and who', async () => {
    const { handle } = await openCase();
    let view = await settle(handle, (v) => v.status === 'response');
    expect(view.reserve.history).toEqual([
      expect.objectContaining({ actor: 'system', why: 'triage', totalJpy: view.reserve.totalJpy, byCategory: view.reserve.byCategory }),
    ]);
    view = await act(handle, 'record-findings', actors.handler, { affectedPersons: view.affectedPersons * 10 });
    expect(view.reserve.history).toHaveLength(2);
    expect(view.reserve.history?.[1]).toMatchObject({ actor: 'handler', why: 'recomputed after findings', totalJpy: view.reserve.totalJpy });
    expect(view.reserve.history?.[1]?.totalJpy).toBeGreaterThan(view.reserve.history?.[0]?.totalJpy ?? Infinity);
    // Findings that change nothing the reserve rests on add no entry.
    view = await act(handle, 'record-findings', actors.handler, { cause: view.cause as 'device_loss' });
    expect(view.reserve.history).toHaveLength(2);
  });

  it('rests a closed case, lets only a supervisor reopen it, and resumes its clocks and settlement', async () => {
    const { handle, caseId } = await openCase();
    let view = await settle(handle, (v) => v.status === 'response');
    for (const o of view.obligations) {
      view = await act(handle, 'record-filing', actors.handler, { regime: o.regime, kind: o.kind, audience: o.audience, notRequired: 'test: handled elsewhere' });
    }
    view = await act(handle, 'close', actors.handler, { reason: 'nothing to pay' });
    expect(view.status).toBe('closed');
    await env.sleep('30 days');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await refusal(act(handle, 'reopen', actors.handler, { reason: 'a late invoice' }))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(act(handle, 'consent', actors.handler, { category: 'notification' }))).toMatchObject({ code: 'wrong_state' });
    view = await act(handle, 'reopen', actors.supervisor, { reason: 'a late invoice arrived' });
    expect(view.status).toBe('response');
    expect(view.closedAt).toBeUndefined();
    expect(await refusal(act(handle, 'reopen', actors.supervisor, { reason: 'again' }))).toMatchObject({ code: 'wrong_state' });
    // The settlement works again: costs are taken and paid.
    view = await act(handle, 'submit-costs', actors.insured, { items: [{ category: 'forensic_investigation', amountJpy: 200_000, evidenceRef: 'late-inv-1' }] });
    expect(view.status).toBe('settlement');
    await act(handle, 'approve-payout', actors.handler, {});
    view = await settle(handle, (v) => v.payouts.length > 0 && v.payouts.every((p) => p.status === 'paid'));
    expect(h.seen.payments.filter((p) => p.caseId === caseId)).toHaveLength(1);
    const timeline = await handle.query(timelineQuery);
    expect(timeline.filter((t) => t.type === 'reopened')).toEqual([expect.objectContaining({ actor: 'supervisor', summary: 'case reopened: a late invoice arrived' })]);
    view = await act(handle, 'close', actors.supervisor, { reason: 'late invoice paid' });
    expect(view.status).toBe('closed');
    expect(await finished(handle)).toMatchObject({ caseId, status: 'closed' });
    await keepGolden(handle, 'case-reopened-closed-v7-docs');
  });

  it('reopens a denied case, whose clocks run again, and ends a resting case after its retention period', async () => {
    const circumstances = { naturalCatastrophe: true, warOrRiot: false, directedByInsuredOfficers: false, knownBeforeInception: false };
    const { handle, caseId } = await openCase({ report: { circumstances } });
    let view = await settle(handle, (v) => v.status === 'denied');
    expect(view.status).toBe('denied');
    view = await act(handle, 'reopen', actors.supervisor, { reason: 'the quake did not cause the leak' });
    expect(view.status).toBe('triage');
    view = await act(handle, 'decide-coverage', actors.supervisor, { decision: 'covered', reason: 'the leak predates the quake' });
    expect(view.status).toBe('response');
    // The clocks resume: the APPI preliminary report is reminded again.
    const reminders = () => h.seen.emails.filter((e) => e.caseId === caseId && e.message.kind === 'deadline_reminder');
    await env.sleep('4 days');
    await settle(handle, () => reminders().length > 0);
    expect(reminders().length).toBeGreaterThan(0);

    const other = await openCase({ report: { circumstances } });
    await settle(other.handle, (v) => v.status === 'denied');
    expect(await finished(other.handle)).toMatchObject({ caseId: other.caseId, status: 'denied' });
    await keepGolden(handle, 'case-denied-reopened-open-v7-docs');
  });

  it('never rests a withdrawn case: it ends, and reopen is refused by the gate', async () => {
    const { handle, caseId } = await openCase();
    await settle(handle, (v) => v.status === 'response');
    await act(handle, 'withdraw', actors.insured, { reason: 'false alarm' });
    expect(await finished(handle)).toMatchObject({ caseId, status: 'withdrawn' });
  });
});

describe('notification waves, 公表 and substitute measures', () => {
  let dir: string;
  let persons: { store: BlobStore; keyring: Keyring };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'waves-'));
    persons = { store: createFileBlobStore(dir), keyring: parseKeyring(`k1:${randomBytes(32).toString('base64')}`) };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A list of persons `from`..`to`-1 by e-mail, stored and de-duplicated as the upload does it. */
  async function upload(caseId: string, uploadId: string, rows: string[], earlier?: EarlierWaveList[]) {
    const csv = `name,email,language\n${rows.join('\n')}\n`;
    const { ref } = await importPersonsCsv(Readable.from([Buffer.from(csv)]), persons, { caseId, uploadId, ...(earlier ? { earlier } : {}) });
    return ref;
  }
  const row = (i: number, shout = false) => `本人 ${i},${shout ? `Person${i}@Example.JP` : `person${i}@example.jp`},ja`;
  const range = (from: number, to: number, shout = false) => Array.from({ length: to - from }, (_, k) => row(from + k, shout));
  const listOf = (ref: { key: string; uploadId: string; accepted: number; checksum: string }) => ({ key: ref.key, uploadId: ref.uploadId, accepted: ref.accepted, checksum: ref.checksum });
  const personsDone = (v: CaseView) => v.obligations.filter((o) => o.audience === 'persons').every((o) => o.status === 'done');

  it('notifies a second wave of 300 persons, 100 of them in the first, as 200 more; the persons notice is done when both waves are', async () => {
    const { handle, caseId } = await openCase();
    let view = await settle(handle, (v) => v.vendors.length === 2);
    await ack(handle, view);
    const first = await upload(caseId, 'w1', range(0, 400));
    expect(first.accepted).toBe(400);
    await command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsListRef(first) } });
    await approveDraft(handle);
    await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    view = await settle(handle, (v) => v.notifications.status === 'done');
    expect(view.notifications).toMatchObject({ total: 400, sent: 400, status: 'done', unreachable: 0 });
    expect(view.notifications.waves).toEqual([expect.objectContaining({ wave: 1, uploadId: 'w1', total: 400, sent: 400, duplicatesRemoved: 0, status: 'done' })]);
    expect(personsDone(view)).toBe(true);

    // 名寄せ at upload: the 100 of the first wave are found again though their addresses are written in capitals.
    const second = await upload(caseId, 'w2', [...range(300, 400, true), ...range(400, 600)], [listOf(first)]);
    expect(second).toMatchObject({ total: 300, accepted: 200, duplicatesRemoved: 100, earlierWaves: ['w1'] });
    // A list not checked against the case's waves is refused, and so is one checked against waves it does not have.
    const unchecked = await upload(caseId, 'w2x', range(400, 600));
    expect(await refusal(command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsListRef(unchecked) } }))).toMatchObject({ code: 'wrong_state' });

    const release = h.holdSlices(caseId);
    try {
      await command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsListRef(second) } });
      view = await settle(handle, (v) => v.notifications.waves?.[1]?.status === 'sending');
      expect(view.notifications.waves?.[1]).toMatchObject({ wave: 2, uploadId: 'w2', total: 200, sent: 0, duplicatesRemoved: 100, status: 'sending' });
      expect(view.notifications).toMatchObject({ total: 600, sent: 400, status: 'sending' });
      // The first wave's notice is no longer the whole of it.
      expect(personsDone(view)).toBe(false);
      const stale = await upload(caseId, 'w3', range(600, 610), [listOf(first)]);
      expect(await refusal(command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsListRef(stale) } }))).toMatchObject({
        code: 'wrong_state',
      });
    } finally {
      release();
    }
    view = await settle(handle, (v) => v.notifications.status === 'done');
    expect(view.notifications).toMatchObject({ total: 600, sent: 600, failed: 0, status: 'done', unreachable: 0 });
    expect(view.notifications.waves?.map((w) => [w.wave, w.total, w.sent, w.duplicatesRemoved, w.status])).toEqual([
      [1, 400, 400, 0, 'done'],
      [2, 200, 200, 100, 'done'],
    ]);
    expect(personsDone(view)).toBe(true);
    expect(view.obligations.filter((o) => o.audience === 'persons').map((o) => o.reference)).toEqual(
      view.obligations.filter((o) => o.audience === 'persons').map(() => campaignWorkflowId(caseId, 2)),
    );
    const slices = h.seen.slices.filter((s) => s.caseId === caseId);
    expect(slices.filter((s) => s.campaignNo === 2).reduce((n, s) => n + s.count, 0)).toBe(200);
    expect(slices.filter((s) => s.campaignNo === 2).every((s) => s.ref.uploadId === 'w2')).toBe(true);
    const timeline = await handle.query(timelineQuery);
    expect(timeline.map((t) => t.summary)).toEqual(
      expect.arrayContaining(['wave 2 attached: 200 persons (100 already in earlier waves, 0 duplicates, 0 rejected)', 'campaign 2 done: 200 e-mails, 0 letters, 0 failed']),
    );
    await keepGolden(handle, 'case-notification-waves-open-v9-waves');
  });

  it('replaces the first list while no campaign has started, as before waves', async () => {
    const { handle, caseId } = await openCase();
    await settle(handle, (v) => v.vendors.length === 2);
    const a = await upload(caseId, 'a1', range(0, 10));
    const b = await upload(caseId, 'b1', range(0, 12));
    await command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsListRef(a) } });
    const view = await command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsListRef(b) } });
    expect(view.affectedPersonsList?.uploadId).toBe('b1');
    expect(view.notifications.waves).toEqual([expect.objectContaining({ wave: 1, uploadId: 'b1', total: 12, status: 'not_started' })]);
  });

  it('counts returned letters as unreachable, asks for substitute measures, and is satisfied by an announcement with an enquiry desk', async () => {
    const { handle, caseId } = await openCase();
    let view = await settle(handle, (v) => v.vendors.length === 2);
    await ack(handle, view);
    const ref = { ...personsRef(300), uploadId: 'u-letters', withEmail: 250, withoutEmail: 50 };
    await command(handle, { commandId: uniqueId('persons'), action: ATTACH_PERSONS, request: { actor: actors.insured, ref } });
    await approveDraft(handle);
    await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    view = await settle(handle, (v) => v.notifications.status === 'done');
    expect(view.substituteMeasures).toBeUndefined();
    const print = view.vendors.find((e) => e.role === 'print_and_mail')!;
    const at = new Date(await env.currentTimeMs()).toISOString();
    const returned = (eventId: string, count: number): VendorEventInput => ({ eventId, vendorId: print.vendorId, type: 'letters_returned', at, count, batchId: `${caseId}-1-0` });
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', returned('evt_ret_1', 5)));
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', returned('evt_ret_1', 5)));
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', returned('evt_ret_2', 2)));
    view = await settle(handle, (v) => v.notifications.unreachable === 7);
    expect(view.notifications.unreachable).toBe(7);
    expect(view.notifications.waves?.[0]).toMatchObject({ wave: 1, lettersReturned: 7 });
    expect(view.substituteMeasures).toEqual({ id: 'JP-APPI:public:substitute_measures', status: 'pending', unreachable: 7, missing: ['announcement', 'enquiry_desk'] });

    const now = await env.currentTimeMs();
    expect(await refusal(act(handle, 'record-announcement', actors.supervisor, { publishedAt: new Date(now).toISOString(), channel: 'website' }))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(act(handle, 'record-announcement', actors.insured, { publishedAt: new Date(now + 86_400_000).toISOString(), channel: 'website' }))).toMatchObject({
      code: 'invalid',
    });
    expect(await refusal(act(handle, 'record-announcement', actors.insured, { publishedAt: new Date(now).toISOString(), channel: 'billboard' }))).toMatchObject({ code: 'invalid' });
    view = await act(handle, 'record-announcement', actors.insured, { publishedAt: new Date(now - 3_600_000).toISOString(), channel: 'website', url: 'https://example.jp/oshirase' });
    expect(view.announcements).toEqual([expect.objectContaining({ channel: 'website', url: 'https://example.jp/oshirase', by: 'insured-ins-001' })]);
    expect(view.substituteMeasures).toMatchObject({ status: 'pending', missing: ['enquiry_desk'] });
    view = await act(handle, 'record-announcement', actors.handler, {
      publishedAt: new Date(now).toISOString(),
      channel: 'press',
      enquiryDesk: { phone: '0120-000-000', hours: '平日 9:00-18:00' },
    });
    expect(view.announcements?.map((a) => a.channel)).toEqual(['website', 'press']);
    expect(view.enquiryDesk).toMatchObject({ phone: '0120-000-000', hours: '平日 9:00-18:00', by: 'handler' });
    expect(view.substituteMeasures).toEqual({ id: 'JP-APPI:public:substitute_measures', status: 'done', unreachable: 7, missing: [] });
    const summaries = (await handle.query(timelineQuery)).map((t) => t.summary);
    expect(summaries.filter((s) => s.startsWith('substitute measures'))).toEqual([
      'substitute measures needed: 5 persons unreachable',
      'substitute measures in place: announcement and enquiry desk recorded',
    ]);
    expect(summaries.filter((s) => s.endsWith('letters returned undelivered'))).toEqual(['5 letters returned undelivered', '2 letters returned undelivered']);
    await keepGolden(handle, 'case-substitute-measures-open-v9-waves');
  });
});

describe('filings: drafts per regulator obligation and persons notice, versioned, edited by hash, filed by version', () => {
  const hash = (text: string) => createHash('sha256').update(text).digest('hex');
  const edit = (handle: WorkflowHandle, actor: Actor, filingId: string, baseVersion: number, items: Record<string, string | null>) =>
    command(handle, {
      commandId: `edit-filing-${++commandNo}`,
      action: EDIT_FILING,
      request: {
        actor,
        filingId,
        baseVersion,
        items: Object.fromEntries(Object.entries(items).map(([code, text]) => [code, text === null ? null : { sha256: hash(text), chars: text.length }])),
        editsKey: `cases/x/filings/${filingId}/edits-${commandNo}.json.enc`,
      },
    });
  const filing = (v: CaseView, id: string) => v.filings?.find((f) => f.filingId === id);

  it('a 1,200-person Japanese case: drafts, an edit, findings that complete the final, a stale edit refused, the preliminary filed by version', async () => {
    const { handle } = await openCase({ report: { affectedPersons: 1200, dataItems: ['name', 'address', 'phone'], cause: 'device_loss', residency: { JP: 1200 } } });
    const opened = await settle(handle, (v) => v.status === 'response' && (v.filings?.length ?? 0) > 0);
    expect(opened.filings!.map((f) => [f.filingId, f.status, f.version])).toEqual(
      expect.arrayContaining([
        ['JP-APPI.regulator.preliminary', 'ready', 1],
        ['JP-APPI.regulator.final', 'draft', 1],
        ['JP-APPI.persons.notice', 'ready', 1],
      ]),
    );
    expect(filing(opened, 'JP-APPI.regulator.final')!.missing).toEqual(['cause', 'responseToPersons', 'publicAnnouncement', 'preventionMeasures']);
    // The view holds summaries only: no item text of the drafts.
    expect(JSON.stringify(opened.filings)).not.toContain('氏名');

    const announced = '2026年11月25日、当社ウェブサイトにて公表。';
    const edited = await edit(handle, actors.insured, 'JP-APPI.regulator.final', 1, { publicAnnouncement: announced, responseToPersons: '本人への通知は準備中。' });
    const final = filing(edited, 'JP-APPI.regulator.final')!;
    expect(final).toMatchObject({ version: 2, missing: ['cause', 'preventionMeasures'], edited: { publicAnnouncement: { sha256: hash(announced), by: 'insured-ins-001' } } });
    expect(JSON.stringify(edited)).not.toContain(announced);
    expect(await refusal(edit(handle, actors.handler, 'JP-APPI.regulator.final', 1, { otherMatters: 'x' }))).toMatchObject({ code: 'stale_version' });
    expect(await refusal(edit(handle, actors.otherInsured, 'JP-APPI.regulator.final', 2, { otherMatters: 'x' }))).toMatchObject({ code: 'not_found' });
    expect(await refusal(edit(handle, actors.ops, 'JP-APPI.regulator.final', 2, { otherMatters: 'x' }))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(edit(handle, actors.handler, 'JP-APPI.regulator.final', 2, { nature: 'x' }))).toMatchObject({ code: 'invalid' });

    const found = await act(handle, 'record-findings', actors.handler, { affectedPersons: 1250, note: '端末のディスクは暗号化されていなかった。今後は全台を暗号化する。' });
    const completed = filing(found, 'JP-APPI.regulator.final')!;
    expect(completed.version).toBe(3);
    expect(completed.missing).toEqual([]);
    expect(completed.status).toBe('ready');
    expect(found.findingsLog).toEqual([expect.objectContaining({ by: 'handler', note: expect.stringContaining('暗号化') })]);

    const preliminary = filing(found, 'JP-APPI.regulator.preliminary')!;
    const at = new Date(await env.currentTimeMs()).toISOString();
    const sha = 'ab'.repeat(32);
    expect(
      await refusal(act(handle, 'record-filing', actors.insured, { regime: 'JP-APPI', kind: 'preliminary', filedAt: at, filingVersion: preliminary.version + 1, documentSha256: sha })),
    ).toMatchObject({ code: 'stale_version' });
    const filed = await act(handle, 'record-filing', actors.insured, { regime: 'JP-APPI', kind: 'preliminary', filedAt: at, filingVersion: preliminary.version, documentSha256: sha });
    expect(filing(filed, 'JP-APPI.regulator.preliminary')).toMatchObject({ status: 'filed', version: preliminary.version, filed: { version: preliminary.version, sha256: sha } });
    const timeline = await handle.query(timelineQuery);
    expect(timeline.at(-1)!.summary).toContain(`as filing JP-APPI.regulator.preliminary version ${preliminary.version}, document SHA-256 ${sha}`);
    // A filed version never changes, whatever the facts do next.
    const later = await act(handle, 'record-findings', actors.handler, { dataItems: ['credit_card'] });
    expect(filing(later, 'JP-APPI.regulator.preliminary')).toMatchObject({ status: 'filed', version: preliminary.version, sha: preliminary.sha });
    expect(filing(later, 'JP-APPI.regulator.final')!.version).toBe(4);
    expect(await refusal(edit(handle, actors.handler, 'JP-APPI.regulator.preliminary', preliminary.version, { otherMatters: 'x' }))).toMatchObject({ code: 'wrong_state' });
    await keepGolden(handle, 'case-filings-open-v9-filings');
  });
});

describe('notice drafts: per language, versioned, edited by hash, approved by counsel, sent as approved', () => {
  const hash = (text: string) => createHash('sha256').update(text).digest('hex');
  const edit = (handle: WorkflowHandle, actor: Actor, language: 'ja' | 'en', baseVersion: number, parts: Record<string, string | null>) =>
    command(handle, {
      commandId: `edit-notice-${++commandNo}`,
      action: EDIT_NOTICE_DRAFT,
      request: {
        actor,
        language,
        baseVersion,
        parts: Object.fromEntries(Object.entries(parts).map(([code, text]) => [code, text === null ? null : { sha256: hash(text), chars: text.length }])),
        editsKey: `cases/x/notice/${language}-edits-${commandNo}.json.enc`,
      },
    });
  const draft = (v: CaseView, language: string) => v.noticeDrafts?.find((d) => d.language === language);
  const approval = (caseId: string, language: string, version: number) => ({
    language,
    version,
    documentKey: `cases/${caseId}/notice/${language}-v${version}.json.enc`,
    documentSha256: hash(`${caseId}:${language}:${version}`),
  });

  it('refuses approve-notice until counsel approves the current version; a new edit needs a new approval; the campaign gets the approved documents', async () => {
    const { handle, caseId } = await openCase({ report: { affectedPersons: 1200, dataItems: ['name', 'address', 'phone'], cause: 'device_loss', residency: { JP: 1200 } } });
    let view = await settle(handle, (v) => v.status === 'response' && (v.noticeDrafts?.length ?? 0) === 2);
    expect(view.noticeDrafts!.map((d) => [d.language, d.version, d.approved])).toEqual([
      ['ja', 1, undefined],
      ['en', 1, undefined],
    ]);
    view = await ack(handle, view);
    await command(handle, { commandId: `persons:${caseId}`, action: ATTACH_PERSONS, request: { actor: actors.insured, ref: personsRef(1200) } });
    expect(await refusal(act(handle, 'approve-notice', actors.handler, { language: 'ja' }))).toMatchObject({ code: 'notice_draft_not_approved' });

    const sentence = '外部の専門機関と原因の調査を進めており、全端末の暗号化を実施します。';
    const edited = await edit(handle, actors.insured, 'ja', 1, { whatWeAreDoing: sentence });
    expect(draft(edited, 'ja')).toMatchObject({ version: 2, edited: { whatWeAreDoing: { sha256: hash(sentence), by: 'insured-ins-001' } } });
    expect(draft(edited, 'en')!.version).toBe(1);
    expect(JSON.stringify(edited)).not.toContain(sentence);
    expect(await refusal(edit(handle, actors.handler, 'ja', 1, { opening: 'x' }))).toMatchObject({ code: 'stale_version' });
    expect(await refusal(edit(handle, actors.otherInsured, 'ja', 2, { opening: 'x' }))).toMatchObject({ code: 'not_found' });
    expect(await refusal(edit(handle, actors.ops, 'ja', 2, { opening: 'x' }))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(edit(handle, actors.handler, 'ja', 2, { signature: 'x' }))).toMatchObject({ code: 'invalid' });

    expect(await refusal(act(handle, 'approve-notice-draft', actors.handler, approval(caseId, 'ja', 1)))).toMatchObject({ code: 'stale_version' });
    expect(await refusal(act(handle, 'approve-notice-draft', actors.handler, { language: 'ja', version: 2 }))).toMatchObject({ code: 'invalid' });
    expect(await refusal(act(handle, 'approve-notice-draft', actors.insured, approval(caseId, 'ja', 2)))).toMatchObject({ code: 'forbidden' });
    view = await act(handle, 'approve-notice-draft', actors.handler, { ...approval(caseId, 'ja', 2), onBehalfOf: '弁護士 佐藤' });
    expect(draft(view, 'ja')!.approved).toMatchObject({ version: 2, by: 'handler', onBehalfOf: '弁護士 佐藤', documentKey: `cases/${caseId}/notice/ja-v2.json.enc` });

    // A new edit after the approval: version 3, no approval, approve-notice refused again.
    view = await edit(handle, actors.handler, 'ja', 2, { opening: 'このたびはご迷惑をおかけし、深くお詫び申し上げます。' });
    expect(draft(view, 'ja')).toMatchObject({ version: 3 });
    expect(draft(view, 'ja')!.approved).toBeUndefined();
    expect(await refusal(act(handle, 'approve-notice', actors.handler, { language: 'ja' }))).toMatchObject({ code: 'notice_draft_not_approved' });

    // Counsel approves version 3 through its webhook; a vendor that is not counsel is refused on the timeline.
    const counsel = view.vendors.find((e) => e.role === 'counsel')!;
    const forensics = view.vendors.find((e) => e.role === 'forensics')!;
    const at = new Date(await env.currentTimeMs()).toISOString();
    const approvedEvent = (e: typeof counsel, id: string): VendorEventInput => ({
      eventId: id,
      vendorId: e.vendorId,
      dispatchId: e.dispatchId,
      type: 'notice_approved',
      at,
      noticeApproval: approval(caseId, 'ja', 3) as VendorEventInput['noticeApproval'] & object,
    });
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', approvedEvent(forensics, `na-f-${caseId}`)));
    await handle.signal(vendorEventSignal, await signed(handle, 'vendor-event', approvedEvent(counsel, `na-c-${caseId}`)));
    view = await settle(handle, (v) => draft(v, 'ja')?.approved?.version === 3);
    expect(draft(view, 'ja')!.approved).toMatchObject({ version: 3, by: `vendor:${counsel.vendorId}` });
    expect((await handle.query(timelineQuery)).some((t) => t.type === 'refused' && t.summary.includes('is not the case\'s counsel'))).toBe(true);

    view = await act(handle, 'approve-notice', actors.handler, { language: 'ja' });
    expect(view.notice).toMatchObject({ approved: true, documents: [{ language: 'ja', version: 3, documentSha256: hash(`${caseId}:ja:3`) }] });
    // The draft no longer changes once the notice went out.
    expect(await refusal(edit(handle, actors.handler, 'ja', 3, { opening: 'x' }))).toMatchObject({ code: 'wrong_state' });
    await settle(handle, () => h.seen.slices.some((x) => x.caseId === caseId));
    const slices = h.seen.slices.filter((x) => x.caseId === caseId);
    expect(slices.every((x) => x.notice.approved?.documents.length === 1 && x.notice.approved.documents[0]!.key === `cases/${caseId}/notice/ja-v3.json.enc`)).toBe(true);
    expect(slices[0]!.notice.approved).toMatchObject({ defaultLanguage: 'ja', documents: [{ language: 'ja', version: 3, sha256: hash(`${caseId}:ja:3`) }] });
    view = await settle(handle, (v) => v.notifications.status === 'done');
    expect(view.notifications.sent).toBe(1200);
    await keepGolden(handle, 'case-notice-draft-open-v10-notice');
  });
});
