/** The shapes of a case: who acts, its input and settings, the view the API shows, and the state a run carries on. */
import type {
  CaseStatus,
  CostCategory,
  EngageRole,
  Obligation,
  Role,
  Severity,
  SubstituteMeasureObligation,
  VendorRole,
} from '../../domain/rules.js';
import type { EnquiryDesk, IncidentReport, PolicyRecord } from '../../domain/schemas.js';
import type { Recipient } from '../../activities/contract.js';
import type { EmailMessage } from '../../activities/email/render.js';
import type { CaseCommand, CommandOutcome, PersonsListRefInput, VendorEventInput } from './messages.js';
import type { TrustedKey } from './proof.js';
import type { CaseNote, DocumentRef } from './desk.js';
import type { FilingSummary, NoticeDraftSummary } from './filings.js';
import type { Announcement, NotificationWave } from './notification.js';
import type { CostItemRecord, ReserveChange } from './settlement.js';
import type { CaseServices } from './services.js';
import type { HeldFindings, PanelVendor, VendorEngagement, VendorRequest } from './vendors.js';

/** A signed message whose key the case does not know yet. */
export type ParkedMessage = { kind: 'command'; command: CaseCommand } | { kind: 'vendor-event'; event: VendorEventInput };

/** Who asks. The API resolves it from the key; validators decide on it. */
export interface Actor {
  name: string;
  role: Role;
  insuredId?: string;
  authorityLimitJpy?: number;
}

/** Product decisions for the case clocks; carried in the input so a running case keeps the values it started with. */
export interface CaseSettings {
  /** Vendor acknowledgement SLA for forensics and counsel (domain.md section 7: 1 hour). */
  vendorAckSlaMs: number;
  /** Persons per notification slice handled by one campaign activity. */
  campaignSliceSize: number;
  /** Events after which a run continues as new (default 1,000; see `RUN_HISTORY_EVENTS` in incident-case.ts). */
  runHistoryEvents?: number;
  /**
   * How long a closed or denied case stays open to `reopen` before its workflow completes (runs with the
   * `reopenable` rule; default `REOPEN_RETENTION_MS`).
   */
  reopenRetentionMs?: number;
}

/** A closed or denied case can be reopened for a year (late invoices, a regulator's follow-up, a lawsuit). */
export const REOPEN_RETENTION_MS = 365 * 24 * 60 * 60 * 1000;

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
  /** The public keys whose signatures the case takes on commands and vendor events (see contract/proof.ts). */
  trust?: { keys: TrustedKey[] };
  /**
   * The vendor panel at filing (the API reads the same vendors file as the worker), so that intake dispatches without
   * first asking an activity for it. Cases started without it load the worker's panel (`loadPanel`).
   */
  panel?: PanelVendor[];
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
  /** The policyholder's name as the policy gives it (absent in views written before it was kept). */
  insuredName?: string;
  /** What happened, as the report tells it (absent in views written before it was kept). */
  description?: string;
  /** The insured's contact person for this incident, from the report (absent in views written before it was kept). */
  contact?: { name: string; email: string; phone?: string };
  coverage: {
    decision: 'covered' | 'provisional' | 'denied';
    reasons: string[];
    explanations: string[];
    /** The facts the decision rests on, as a handler reads them. */
    facts: string[];
    computed?: { decision: string; reasons: string[] };
    /** One per reason, in order: what the denial letter lists (absent in views written before it existed). */
    grounds?: { reason: string; explanation: string; facts: string[] }[];
    override?: { decision: string; reason: string; by: string; at: string };
    /** When the coverage decision is due: two Japanese business days after the report (absent in older runs). */
    decideBy?: string;
  };
  exposure: {
    perPersonJpy: number;
    persons: number;
    totalJpy: number;
    factors: { x: number; y: number; identifiability: number; socialResponsibility: number; responseQuality: number };
  };
  /** `history`: every change of the reserve, oldest first (absent in runs from before the `reserveHistory` rule). */
  reserve: { totalJpy: number; byCategory: Record<string, number>; history?: ReserveChange[] };
  obligations: ObligationView[];
  vendors: VendorEngagement[];
  /** Engagements the insured asked for that wait for consent (rule `engageVendor`; absent until the first). */
  vendorRequests?: VendorRequest[];
  /**
   * The insurer's services on the case: the call centre (rule `engageVendor`), credit monitoring offered to the persons
   * and its enrolments (rule `creditMonitoring`), the recurrence-prevention plan (rule `preventionPlan`). Absent until
   * the first service starts, and in runs from before those rules.
   */
  services?: CaseServices;
  counselAdvice: { at: string; vendorId: string; advice: string }[];
  consents: { category: string; limitJpy?: number; vendorId?: string; note?: string; by: string; at: string }[];
  /**
   * The notice's approval. With rule `noticeDrafts`, `documents` are the approved drafts the campaigns send (one per
   * notice language that had an approved version when `approve-notice` ran), by version and document hash.
   */
  notice: {
    approved: boolean;
    language?: string;
    templateVersion?: string;
    approvedBy?: string;
    approvedAt?: string;
    documents?: { language: 'ja' | 'en'; version: number; documentSha256: string }[];
  };
  affectedPersonsList: {
    uploadId: string;
    accepted: number;
    withEmail: number;
    withoutEmail: number;
    duplicates: number;
    rejected: number;
    checksum: string;
  } | null;
  /**
   * `letters`: handed to the print-and-mail vendor; `lettersMailed`: what that vendor confirmed it mailed (its
   * `letters_mailed` events; cases from before the print vendor was engaged never count them).
   */
  notifications: {
    total: number;
    sent: number;
    failed: number;
    letters: number;
    status: string;
    lettersMailed?: number;
    /**
     * One per affected-person list, the first list being wave 1; the counts above are their sums (runs with the
     * `notificationWaves` rule, once a list is attached).
     */
    waves?: NotificationWave[];
    /** Persons the notices did not reach (SMTP rejections, bounces, returned letters), over all waves. */
    unreachable?: number;
  };
  /** Every 公表 recorded (`record-announcement`), oldest first; absent until the first. */
  announcements?: Announcement[];
  /** The enquiry desk for persons, as last recorded with an announcement; absent until one is. */
  enquiryDesk?: EnquiryDesk & { recordedAt: string; by: string };
  /** The APPI substitute-measure duty, once any person is unreachable (domain `substituteMeasureObligation`). */
  substituteMeasures?: SubstituteMeasureObligation;
  settlement: { lines: SettlementLineView[]; payableJpy: number; paidJpy: number; heldJpy: number };
  payouts: PayoutView[];
  assignedTo: string | null;
  nextDeadline: string | null;
  overdue: boolean;
  closedAt?: string;
  closeReason?: string;
  /** Vendor findings waiting for a handler's `confirm-findings` (absent until the first is held). */
  heldFindings?: HeldFindings[];
  /**
   * One summary per filing (a regulator obligation or a persons notice; rule `filingDrafts`): its version grows with
   * every change of its text, from the facts or an edit. The texts are drafted from this view (domain/filings.ts);
   * edited texts are in the blob store (`editsKey`), so the view stays small. Absent in runs from before the rule.
   */
  filings?: FilingSummary[];
  /** The notice to persons per notice language (rule `noticeDrafts`; workflows/case/notice-draft.ts). */
  noticeDrafts?: NoticeDraftSummary[];
  /** Findings recorded on the case, with their notes (rule `filingDrafts`; prevention measures and cause draw on them). */
  findingsLog?: { at: string; by: string; note?: string }[];
  /** Grows with every change of the case (view or timeline); absent in views written before the read model. */
  version?: number;
  /** When the case last changed (UTC). */
  updatedAt?: string;
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
  /**
   * The affected-person lists in wave order (runs with `rules.notificationWaves`); `campaignNo` once its campaign
   * started (campaigns run one after the other).
   */
  waves?: { wave: number; ref: PersonsListRefInput; campaignNo?: number; done: boolean }[];
  /** The outcomes of the latest commands (see `commandSignal`), oldest first; absent in states from before them. */
  commands?: CommandOutcome[];
  /** The token the running campaign's progress must carry (campaigns started before tokens have none). */
  campaignToken?: string;
  /** Public keys trusted so far: the input's, and those the worker vouched for (rotation, older cases). */
  trustedKeys?: TrustedKey[];
  /** Signed messages waiting for the worker to vouch for their key (see case/trust.ts). */
  parked?: ParkedMessage[];
  /** Notes, oldest first (absent until the first). */
  notes?: CaseNote[];
  /** Document references, oldest first (absent until the first). */
  documents?: DocumentRef[];
  /** The status the case had before it ended, for `reopen`. */
  statusBeforeEnd?: CaseStatus;
  /** When a reopenable case began to wait, closed or denied, for a `reopen` (cleared when reopened). */
  restingSince?: string;
  /** When the coverage decision passed its due time undecided and supervisors were told (`rules.coverageDue`). */
  coverageEscalatedAt?: string;
  /** The approved notice documents `approve-notice` froze for the campaigns (rule `noticeDrafts`), by language. */
  noticeDocuments?: { language: 'ja' | 'en'; version: number; key: string; sha256: string }[];
  /** Engagements decided by `engage-vendor` (or a consent that released one), for the main loop to dispatch. */
  engageQueue?: { role: VendorRole; vendorId: string; reason: string; by: string }[];
  /**
   * `engage-vendor` commands that arrived while the case was still opening (its panel not loaded yet): decided by the
   * main loop once it is, with the same rule the command would have met.
   */
  engageUndecided?: { role: EngageRole; vendorId?: string; reason: string; by: string; byRole: Role }[];
}
