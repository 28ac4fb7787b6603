/**
 * The case workflow's public contract: ids, task queue, search attributes, messages and the shapes they carry.
 * Imported by the workflow itself, the worker and the API, so it holds no code with side effects.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type {
  Action,
  CaseStatus,
  CostCategory,
  IncidentReport,
  Obligation,
  PersonsListRef,
  PolicyRecord,
  Role,
  Severity,
} from '../domain/index.js';
import type { Recipient } from '../activities/contract.js';
import type { EmailMessage } from '../activities/email/render.js';

export const DEFAULT_TASK_QUEUE = 'breach-claims';
export const CASE_WORKFLOW_TYPE = 'incidentCase';
export const CAMPAIGN_WORKFLOW_TYPE = 'notificationCampaign';
export const POLICY_WORKFLOW_TYPE = 'policyLedger';

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;

/** `case-<caseId>`: the business id is the workflow id, so a duplicate start is refused by Temporal itself. */
export function caseWorkflowId(caseId: string): string {
  if (!CASE_ID.test(caseId)) throw new Error(`invalid case id: ${JSON.stringify(caseId)}`);
  return `case-${caseId}`;
}

export function caseIdFromWorkflowId(workflowId: string): string | undefined {
  return workflowId.startsWith('case-') ? workflowId.slice('case-'.length) : undefined;
}

export function policyWorkflowId(policyNumber: string): string {
  return `policy-${policyNumber}`;
}

export function campaignWorkflowId(caseId: string, campaignNo: number): string {
  return `campaign-${caseId}-${campaignNo}`;
}

// Search attributes kept current by the case workflow, so the case list is one visibility query.
export const SA = {
  status: defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD),
  severity: defineSearchAttributeKey('CaseSeverity', SearchAttributeType.KEYWORD),
  insuredId: defineSearchAttributeKey('InsuredId', SearchAttributeType.KEYWORD),
  policyNumber: defineSearchAttributeKey('PolicyNumber', SearchAttributeType.KEYWORD),
  nextDeadline: defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME),
  overdue: defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL),
  overdueObligations: defineSearchAttributeKey('OverdueObligations', SearchAttributeType.INT),
  slaBreaches: defineSearchAttributeKey('VendorSlaBreaches', SearchAttributeType.INT),
  assignedTo: defineSearchAttributeKey('AssignedTo', SearchAttributeType.KEYWORD),
  reportedAt: defineSearchAttributeKey('ReportedAt', SearchAttributeType.DATETIME),
} as const;

const CLI_TYPES: Partial<Record<SearchAttributeType, { cliType: string; indexedValueType: number }>> = {
  [SearchAttributeType.KEYWORD]: { cliType: 'Keyword', indexedValueType: 2 },
  [SearchAttributeType.INT]: { cliType: 'Int', indexedValueType: 3 },
  [SearchAttributeType.BOOL]: { cliType: 'Bool', indexedValueType: 5 },
  [SearchAttributeType.DATETIME]: { cliType: 'Datetime', indexedValueType: 6 },
};

/** For server start-up, from `SA`: the CLI's `--search-attribute Name=Type` and the operator API's enum value. */
export const CASE_SEARCH_ATTRIBUTES: readonly { name: string; cliType: string; indexedValueType: number }[] = Object.values(SA).map(
  (key) => {
    const type = CLI_TYPES[key.type];
    if (!type) throw new Error(`search attribute ${key.name}: no server type for ${key.type}`);
    return { name: key.name, ...type };
  },
);

/** Who asks. The API resolves it from the key; validators decide on it. */
export interface Actor {
  name: string;
  role: Role;
  insuredId?: string;
  authorityLimitJpy?: number;
}

export interface PanelVendor {
  vendorId: string;
  role: 'forensics' | 'counsel' | 'call_center' | 'print_and_mail' | 'credit_monitoring' | 'public_relations';
  name: string;
}

/** Product decisions for the case clocks; carried in the input so a running case keeps the values it started with. */
export interface CaseSettings {
  /** Vendor acknowledgement SLA for forensics and counsel (domain.md section 7: 1 hour). */
  vendorAckSlaMs: number;
  /** Persons per notification slice handled by one campaign activity. */
  campaignSliceSize: number;
  /** Events after which a run continues as new (default 1,000; see `RUN_HISTORY_EVENTS` in incident-case.ts). */
  runHistoryEvents?: number;
}

export const DEFAULT_CASE_SETTINGS: CaseSettings = {
  vendorAckSlaMs: 60 * 60 * 1000,
  campaignSliceSize: 2_000,
};

export interface CaseInput {
  caseId: string;
  report: IncidentReport;
  policy: PolicyRecord;
  reportedAt: string;
  reportedBy: Actor;
  /** sha256 of the canonical request body, for the idempotency check on POST /v1/cases. */
  requestHash: string;
  settings: CaseSettings;
  /** Present when the run continues as new. */
  state?: CaseState;
}

export interface TimelineEntry {
  at: string;
  type: string;
  actor: string;
  summary: string;
}

/**
 * An obligation as the case shows it: the domain's `Obligation`, with the reminder sent and the time its deadline
 * passed unmet (kept even if it was filed late afterwards).
 */
export type ObligationView = Obligation;

export interface VendorEngagement {
  dispatchId: string;
  vendorId: string;
  role: PanelVendor['role'];
  dispatchedAt: string;
  ackDueAt: string;
  status: 'dispatched' | 'acknowledged' | 'replaced' | 'failed';
  acknowledgedAt?: string;
  slaBreached: boolean;
  invoicedJpy: number;
}

export interface SettlementLineView {
  lineId: string;
  category: CostCategory;
  claimedJpy: number;
  payableJpy: number;
  status: 'payable' | 'held' | 'paid' | 'approved';
  reasons: string[];
  steps: { step: string; beforeJpy: number; afterJpy: number; explanation: string }[];
  evidenceRef: string;
  paidJpy?: number;
  payoutId?: string;
}

export interface PayoutView {
  payoutId: string;
  lineIds: string[];
  requestedJpy: number;
  grantedJpy?: number;
  status: 'awaiting_supervisor' | 'approved' | 'paid' | 'failed';
  approvedBy: string[];
  paymentId?: string;
  paidAt?: string;
  reason?: string;
}

export interface CaseView {
  caseId: string;
  status: CaseStatus;
  policyNumber: string;
  insuredId: string;
  reportedAt: string;
  discoveredAt: string;
  occurredAt: string | null;
  cause: string;
  dataItems: string[];
  affectedPersons: number;
  severity: Severity;
  severityReasons: string[];
  coverage: {
    decision: 'covered' | 'provisional' | 'denied';
    reasons: string[];
    explanations: string[];
    /** The facts the decision rests on, as a handler reads them. */
    facts: string[];
    computed?: { decision: string; reasons: string[] };
    override?: { decision: string; reason: string; by: string; at: string };
  };
  exposure: {
    perPersonJpy: number;
    persons: number;
    totalJpy: number;
    factors: { x: number; y: number; identifiability: number; socialResponsibility: number; responseQuality: number };
  };
  reserve: { totalJpy: number; byCategory: Record<string, number> };
  obligations: ObligationView[];
  vendors: VendorEngagement[];
  counselAdvice: { at: string; vendorId: string; advice: string }[];
  consents: { category: string; limitJpy?: number; vendorId?: string; note?: string; by: string; at: string }[];
  notice: { approved: boolean; language?: string; templateVersion?: string; approvedBy?: string; approvedAt?: string };
  affectedPersonsList: {
    uploadId: string;
    accepted: number;
    withEmail: number;
    withoutEmail: number;
    duplicates: number;
    rejected: number;
    checksum: string;
  } | null;
  notifications: { total: number; sent: number; failed: number; letters: number; status: string };
  settlement: { lines: SettlementLineView[]; payableJpy: number; paidJpy: number; heldJpy: number };
  payouts: PayoutView[];
  assignedTo: string | null;
  nextDeadline: string | null;
  overdue: boolean;
  closedAt?: string;
  closeReason?: string;
}

/** What `submit-costs` and vendor invoices add; kept as submitted so the settlement can be recomputed. */
export interface CostItemRecord {
  lineId: string;
  category: CostCategory;
  amountJpy: number;
  evidenceRef: string;
  persons?: number;
  description?: string;
  submittedBy: string;
  submittedAt: string;
}

/**
 * What a case returns when it ends. The final view and timeline ride along so that the API reads a closed case
 * from its result instead of a query: a query of a closed workflow replays its whole history on a worker, and a
 * history the SDK cannot replay (sdk-rust #1146) would leave a closed case unreadable. Cases that ended before
 * these were added return only the id and status.
 */
export interface CaseResult {
  caseId: string;
  status: CaseStatus;
  view?: CaseView;
  timeline?: TimelineEntry[];
}

/** Everything a run carries into the next one on continue-as-new. */
export interface CaseState {
  view: CaseView;
  timeline: TimelineEntry[];
  costItems: CostItemRecord[];
  findings: { occurredAt?: string | null; cause?: string; wrongfulPurpose?: boolean; encrypted?: boolean; residency?: Record<string, number> };
  seenEventIds: string[];
  campaignNo: number;
  campaignRunning: boolean;
  payoutNo: number;
  lineNo: number;
  /** E-mails decided but not yet sent; the main loop drains it, so a crash never loses one. */
  outbox: { purpose: string; to: Recipient; message: EmailMessage }[];
  panel: PanelVendor[];
  personsRef: PersonsListRefInput | null;
  /** The outcomes of the latest commands (see `commandSignal`), oldest first; absent in states from before them. */
  commands?: CommandOutcome[];
}

export interface ActionRequest<B = unknown> {
  actor: Actor;
  body: B;
}

/** A refusal's reason code travels in the error message as `code: text`, and the API maps codes to statuses. */
export const REFUSALS = {
  forbidden: 403,
  wrong_state: 409,
  not_found: 404,
  over_authority: 403,
  consent_missing: 422,
  invalid: 422,
  nothing_to_do: 409,
  duplicate: 409,
} as const;
export type RefusalCode = keyof typeof REFUSALS;

export function refusalMessage(code: RefusalCode, text: string): string {
  return `${code}: ${text}`;
}

export function parseRefusal(message: string): { code: RefusalCode; text: string } | undefined {
  const m = /^([a-z_]+): (.*)$/s.exec(message);
  if (!m || !(m[1]! in REFUSALS)) return undefined;
  return { code: m[1] as RefusalCode, text: m[2]! };
}

/**
 * The contract actions as Updates with validators. The API sends `commandSignal` instead (see there for why); these
 * stay registered, with the same validation, so that cases which received them replay and an integrator's worker-side
 * tooling that used them keeps working. An action added since is a command signal only.
 */
const LEGACY_ACTIONS = [
  'assign',
  'decide-coverage',
  'consent',
  'record-findings',
  'approve-notice',
  'record-filing',
  'submit-costs',
  'approve-payout',
  'deny',
  'withdraw',
  'close',
] as const satisfies readonly Action[];
export type LegacyAction = (typeof LEGACY_ACTIONS)[number];

export type ActionUpdates = { [A in LegacyAction]: ReturnType<typeof defineUpdate<CaseView, [ActionRequest]>> };

export const actionUpdates = Object.fromEntries(
  LEGACY_ACTIONS.map((action) => [action, defineUpdate<CaseView, [ActionRequest]>(action)]),
) as ActionUpdates;

/** An uploaded affected-person list as workflows carry it: a reference to the encrypted blob, never the persons. */
export type PersonsListRefInput = PersonsListRef;

/**
 * An uploaded affected-person list attached by reference (never the persons themselves). The API now sends it as a
 * `commandSignal`; the Update stays registered so that cases which received it still replay.
 */
export const attachPersonsUpdate = defineUpdate<CaseView, [AttachPersonsRequest]>(
  'attach-affected-persons',
);

export interface VendorEventInput {
  eventId: string;
  vendorId: string;
  type: 'acknowledged' | 'findings' | 'advice' | 'invoice' | 'letters_mailed';
  dispatchId?: string;
  at: string;
  findings?: {
    affectedPersons?: number;
    dataItems?: string[];
    occurredAt?: string;
    cause?: string;
    wrongfulPurpose?: boolean;
    residency?: Record<string, number>;
    summary?: string;
  };
  advice?: string;
  amountJpy?: number;
  category?: string;
  evidenceRef?: string;
  count?: number;
}

/**
 * A verified vendor webhook as an Update (the event id as update id). No longer sent: the API signals instead (see
 * `vendorEventSignal`). Kept registered because cases started before the change received it and must replay.
 */
export const vendorEventUpdate = defineUpdate<{ accepted: boolean; duplicate: boolean }, [VendorEventInput]>(
  'vendor-event',
);

/**
 * A verified vendor webhook, as sent by the API. A signal rather than an Update: webhooks arrive while workers die,
 * and a worker killed mid-Update can leave a history the SDK cannot replay (sdk-rust #943/#1146). The case
 * de-duplicates by event id, and ignores (recording it on the timeline) an event from a vendor not engaged on it.
 */
export const vendorEventSignal = defineSignal<[VendorEventInput]>('vendor-event-signal');

export interface CampaignProgress {
  campaignNo: number;
  total: number;
  sent: number;
  failed: number;
  letters: number;
  done: boolean;
}

/** Sent by the notification campaign child after each slice. */
export const campaignProgressSignal = defineSignal<[CampaignProgress]>('campaign-progress');

/**
 * A human command (a contract action, or attaching an uploaded affected-person list) as the API sends it: a signal
 * with the caller's command id, answered through `commandOutcomeQuery`.
 *
 * Why not the Updates above: with TypeScript SDK 1.24.0 a worker killed in the middle of a workflow task can leave
 * an accepted Update recorded after the commands of the same task, and that history no longer replays ("Update
 * machine does not handle this event", sdk-rust #943/#1146); the case is then stuck. The chaos soak found it. A signal
 * is an ordinary history event, so replay cannot order it differently. The case validates a command exactly as the
 * Update validators did; a refusal is recorded as the command's outcome and changes nothing else. The API asks
 * `commandStatusQuery` first, so a command refused on the state the caller saw never reaches history at all.
 */
export type CaseCommand =
  | { commandId: string; action: Action; request: ActionRequest }
  | { commandId: string; action: typeof ATTACH_PERSONS; request: AttachPersonsRequest };

export const ATTACH_PERSONS = 'attach-affected-persons';

export interface AttachPersonsRequest {
  actor: Actor;
  ref: PersonsListRefInput;
}

/** What became of a command: applied, or refused with the reason (`code: text`, see `parseRefusal`). */
export interface CommandOutcome {
  commandId: string;
  applied: boolean;
  refusal?: string;
}

/** How many command outcomes a case remembers (a retry with the same command id within them is answered, not rerun). */
export const COMMAND_OUTCOMES_KEPT = 200;

export const commandSignal = defineSignal<[CaseCommand]>('command');

/**
 * Where a command stands: its outcome once the case has received it; before that, the refusal the case would give
 * it on its current state (null when it would take it). Changes nothing; the view is the case as it is now.
 */
export interface CommandStatus {
  outcome: CommandOutcome | null;
  refusal: string | null;
  view: CaseView;
}

export const commandStatusQuery = defineQuery<CommandStatus, [CaseCommand]>('command-status');

/** The outcomes the case remembers (oldest first) and its view: one answer for everyone waiting on that case. */
export const commandOutcomesQuery = defineQuery<{ outcomes: CommandOutcome[]; view: CaseView }>('command-outcomes');

export const viewQuery = defineQuery<CaseView>('view');
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');
export const requestHashQuery = defineQuery<string>('requestHash');
