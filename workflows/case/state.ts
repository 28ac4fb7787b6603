/**
 * The one state every track of a case works on, and the few helpers they all use. A track is a plain module of
 * functions over `CaseContext` (not a child workflow): coverage gates notices and payouts, findings move obligations
 * and exposure, and every command is checked against the whole case, so the tracks share one truth.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { TERMINAL_STATUSES, type CaseStatus } from '../../domain/rules.js';
import type { IncidentReport, PolicyRecord } from '../../domain/schemas.js';
import { domainSchemas } from '../preloaded/schemas.js';
import type { Recipient } from '../../activities/contract.js';
import type { EmailMessage } from '../../activities/email/render.js';
import { refusalMessage, type CaseInput, type CaseState, type CaseView, type RefusalCode } from '../contract.js';
import { newCaseView } from '../case-view.js';
import type { CaseRules } from './rules.js';

export interface CaseContext {
  readonly input: CaseInput;
  /** The report as parsed at the start of this run (defaults applied). */
  readonly report: IncidentReport;
  readonly policy: PolicyRecord;
  /** Everything carried across continue-as-new. */
  readonly s: CaseState;
  /** `s.view`, the case as the API shows it. */
  readonly v: CaseView;
  /** Which rule changes this run follows (see rules.ts). */
  readonly rules: CaseRules;
  /** Set by handlers and signals: the main loop looks again. */
  dirty: boolean;
  /**
   * True while a query checks a command. A query sees the workflow's clock as of its last task, which can be hours
   * old, so a rule about the time (a filing dated in the future) is left to the command's own arrival.
   */
  checkingByQuery: boolean;
  /** The search-attribute values last upserted, so a task upserts only what changed. */
  lastSearchAttributes: string;
  /** The read model's memo fields as last written, as JSON (see read-model.ts). */
  memoWritten: Map<string, string>;
  /** Timeline entries the memo holds. */
  timelineWritten: number;
  /** What the prevention plan was last proposed from (see services.ts): unchanged facts are not read again. */
  planInputs?: string;
}

export function isTerminal(status: CaseStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function openContext(input: CaseInput, rules: CaseRules, memo: { written: Map<string, string>; timelineEntries: number }): CaseContext {
  const report = parseReport(input);
  const s = input.state ?? initialState(input);
  return {
    input,
    report,
    policy: input.policy,
    s,
    v: s.view,
    rules,
    dirty: false,
    checkingByQuery: false,
    lastSearchAttributes: '',
    memoWritten: memo.written,
    timelineWritten: memo.timelineEntries,
  };
}

/** A start whose input is not a case (e.g. a plaintext payload the codec refused) fails the run, with the reason. */
function parseReport(input: CaseInput): IncidentReport {
  const parsed = domainSchemas().IncidentReportSchema.safeParse(input?.report);
  if (!parsed.success || typeof input.caseId !== 'string' || !input.policy) {
    throw ApplicationFailure.nonRetryable('the case input is not an incident report with its policy', 'InvalidCaseInput');
  }
  return parsed.data;
}

function initialState(input: CaseInput): CaseState {
  return {
    view: newCaseView(input),
    timeline: [{ at: input.reportedAt, type: 'reported', actor: input.reportedBy.name, summary: 'incident reported' }],
    costItems: [],
    findings: {},
    seenEventIds: [],
    campaignNo: 0,
    campaignRunning: false,
    payoutNo: 0,
    lineNo: 0,
    outbox: [],
    panel: [],
    personsRef: null,
  };
}

/** Workflow time (deterministic: Temporal's clock for the task), as an ISO string. */
export function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

/** The validator of every legacy Update: they carry no signature of the API (see case/trust.ts). */
export function refuseLegacyUpdate(_request: unknown): never {
  return refuse('forbidden', 'the case takes commands only as signals signed by the API');
}

/** Refuses a command with its reason code (`code: text`, see `parseRefusal`). */
export function refuse(code: RefusalCode, text: string): never {
  throw new Error(refusalMessage(code, text));
}

export function record(c: CaseContext, type: string, actor: string, summary: string): void {
  c.s.timeline.push({ at: nowIso(), type, actor, summary });
  c.dirty = true;
}

export function setStatus(c: CaseContext, status: CaseStatus, actor: string, why: string): void {
  if (c.v.status === status) return;
  if (isTerminal(status) && !isTerminal(c.v.status)) c.s.statusBeforeEnd = c.v.status;
  record(c, 'status', actor, `${c.v.status} → ${status}: ${why}`);
  c.v.status = status;
}

/** E-mails are decided in handlers and sent by the main loop (`flushOutbox`), so a crash never loses one. */
export function queueEmail(c: CaseContext, purpose: string, to: Recipient, message: EmailMessage): void {
  c.s.outbox.push({ purpose, to, message });
  c.dirty = true;
}
