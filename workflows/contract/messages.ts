/**
 * The messages a case takes and answers: commands (signal, with the outcome by query), refusals and their codes,
 * vendor events, campaign progress, the read queries, and the legacy Updates kept for replay.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { ACTIONS, type Action, type PersonsListRef } from '../../domain/rules.js';
import type { NoteBody } from '../../domain/schemas.js';
import type { Actor, CaseView, TimelineEntry } from './case.js';
import type { CaseNote, DocumentRef } from './desk.js';
import type { Proof } from './proof.js';
import type { RECORD_ENROLMENT, RecordEnrolmentRequest } from './services.js';

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
  /** A filing edit or `record-filing` named a version that is no longer the filing's current one. */
  stale_version: 412,
  /** `approve-notice` before counsel approved a version of the notice in that language (rule `noticeDrafts`). */
  notice_draft_not_approved: 409,
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
/** Actions added after commands became signals: they have no Update. */
const SIGNAL_ONLY_ACTIONS = ['confirm-findings', 'reopen', 'record-announcement', 'approve-notice-draft', 'engage-vendor', 'update-prevention-measure'] as const satisfies readonly Action[];
export type LegacyAction = Exclude<Action, (typeof SIGNAL_ONLY_ACTIONS)[number]>;
const LEGACY_ACTIONS = ACTIONS.filter((a): a is LegacyAction => !(SIGNAL_ONLY_ACTIONS as readonly Action[]).includes(a));

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
  type: 'acknowledged' | 'findings' | 'advice' | 'invoice' | 'letters_mailed' | 'letters_returned' | 'notice_approved' | 'enquiries_reported';
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
  /** The print vendor's batch (`letters_returned`): which campaign's letters came back. */
  batchId?: string;
  /**
   * Counsel approved a version of the notice (`notice_approved`): the API froze that version's document in the blob
   * store before it signalled, and names it here.
   */
  noticeApproval?: { language: 'ja' | 'en'; version: number; documentKey: string; documentSha256: string };
  /** The call centre's line for the case (`acknowledged`). */
  phone?: string;
  /** The call centre's enquiries so far (`enquiries_reported`). */
  total?: number;
  /** The API's signature, given after it verified the vendor's webhook (see contract/proof.ts). */
  proof?: Proof;
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
  /** The token the case gave this campaign (see `CampaignInput.token`). */
  token?: string;
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
export type CaseCommand = (
  | { commandId: string; action: Action; request: ActionRequest }
  | { commandId: string; action: typeof ATTACH_PERSONS; request: AttachPersonsRequest }
  | { commandId: string; action: typeof ADD_NOTE; request: AddNoteRequest }
  | { commandId: string; action: typeof ATTACH_DOCUMENT; request: AttachDocumentRequest }
  | { commandId: string; action: typeof EDIT_FILING; request: EditFilingRequest }
  | { commandId: string; action: typeof EDIT_NOTICE_DRAFT; request: EditNoticeDraftRequest }
  | { commandId: string; action: typeof RECORD_ENROLMENT; request: RecordEnrolmentRequest }
) & {
  /** The API's signature (required from the `signed-messages` patch on; see contract/proof.ts). */
  proof?: Proof;
};

export const ATTACH_PERSONS = 'attach-affected-persons';
/** A note (`POST /v1/cases/{caseId}/notes`): not a contract action, because it has its own endpoint and read. */
export const ADD_NOTE = 'add-note';
/** A document stored in the blob store, attached by reference (`POST /v1/cases/{caseId}/documents`). */
export const ATTACH_DOCUMENT = 'attach-document';

/**
 * An edit of a filing (`PATCH /v1/cases/{caseId}/filings/{filingId}`): the API stored the edited texts of the new
 * version in the blob store first (`editsKey`); the case records their hashes, so no item text travels in history.
 */
export const EDIT_FILING = 'edit-filing';

export interface EditFilingRequest {
  actor: Actor;
  filingId: string;
  /** The version the editor saw (If-Match): a filing that moved on since is refused (`stale_version`). */
  baseVersion: number;
  /** The items changed by this edit: the new text's hash and length, or null when the item follows the case again. */
  items: Record<string, { sha256: string; chars: number } | null>;
  /** The blob with every edited text of the new version; null when no item stays edited. */
  editsKey: string | null;
}

/** An edit of the notice draft in one language (`PATCH /v1/cases/{caseId}/notice-draft?lang=`), texts by hash. */
export const EDIT_NOTICE_DRAFT = 'edit-notice-draft';

export interface EditNoticeDraftRequest {
  actor: Actor;
  language: 'ja' | 'en';
  /** The version the editor saw (If-Match). */
  baseVersion: number;
  /** The parts changed: the new text's hash and length, or null when the part follows the case again. */
  parts: Record<string, { sha256: string; chars: number } | null>;
  /** The blob with every edited text of the new version; null when no part stays edited. */
  editsKey: string | null;
}

export interface AddNoteRequest {
  actor: Actor;
  note: NoteBody;
}

export interface AttachDocumentRequest {
  actor: Actor;
  document: Omit<DocumentRef, 'by' | 'at'>;
}

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
/** For cases without a read model only: the notes and documents are otherwise read from the memo. */
export const notesQuery = defineQuery<CaseNote[]>('notes');
export const documentsQuery = defineQuery<DocumentRef[]>('documents');
