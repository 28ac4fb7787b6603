/**
 * The case's read model: its view, timeline and latest command outcomes kept by the case itself in its Temporal memo,
 * so that the API answers reads with `describe()` (no worker, no replay). The memo is split into parts, each one memo
 * field, so that a workflow task writes only the parts it changed; the payload codec encrypts every field like any
 * other payload.
 *
 * This module is the one definition of the layout, used by the workflow that writes it (`case/read-model.ts`), by the
 * API that writes the first parts with the start (`api/intake.ts`) and reads them (`api/case-reads.ts`).
 */
import type { CaseView, TimelineEntry } from './case.js';
import type { CaseNote, DocumentRef } from './desk.js';
import type { CommandOutcome } from './messages.js';

/** The layout's version: a reader that meets another one falls back to the queries. */
export const READ_MODEL_SCHEMA = 1;

/** Every memo field of the read model starts with this, so other memo fields can live beside it. */
const PREFIX = 'rm.';

/** Fields of the view that describe the read model itself, not the case: kept in the meta part. */
export type ReadModelStamp = 'version' | 'updatedAt';

/**
 * The view's parts: each top-level field of `CaseView` in exactly one (checked by type below and by
 * `test/workflows/read-model.test.ts`). Grouped by what changes together, so a task rewrites little.
 */
export const VIEW_PARTS = {
  facts: [
    'caseId',
    'policyNumber',
    'insuredId',
    'reportedAt',
    'discoveredAt',
    'occurredAt',
    'cause',
    'dataItems',
    'affectedPersons',
    'affectedPersonsList',
    'severity',
    'severityReasons',
    'insuredName',
    'description',
    'contact',
    'findingsLog',
  ],
  status: ['status', 'assignedTo', 'nextDeadline', 'overdue', 'closedAt', 'closeReason'],
  coverage: ['coverage', 'consents', 'heldFindings'],
  exposure: ['exposure'],
  reserve: ['reserve'],
  obligations: ['obligations', 'filings'],
  // `services` joins an existing part: a new part would be a memo field that runs recorded before it never wrote.
  vendors: ['vendors', 'counselAdvice', 'vendorRequests', 'services'],
  notifications: ['notice', 'noticeDrafts', 'notifications', 'announcements', 'enquiryDesk', 'substituteMeasures'],
  settlement: ['settlement', 'payouts'],
} as const satisfies Record<string, readonly (keyof CaseView)[]>;

export type ViewPart = keyof typeof VIEW_PARTS;
type PartedField = (typeof VIEW_PARTS)[ViewPart][number];
/** A field of `CaseView` in no part does not compile. */
const everyFieldParted: Exclude<keyof CaseView, PartedField | ReadModelStamp> extends never ? true : never = true;
void everyFieldParted;

/** Timeline entries per memo field: a new entry rewrites only the last chunk. */
export const TIMELINE_CHUNK = 25;
/** Command outcomes kept in the memo (the case keeps more in its state): enough for a caller waiting on its own. */
export const COMMAND_OUTCOMES_IN_MEMO = 20;

export interface ReadModelMeta {
  schema: number;
  /** Grows with every change of the view or the timeline. */
  version: number;
  /** When that change was made (UTC, workflow time). */
  updatedAt: string;
  /** How many timeline entries the `t.<n>` chunks hold in all. */
  timelineEntries: number;
}

export const MEMO_KEYS = {
  meta: `${PREFIX}meta`,
  commands: `${PREFIX}commands`,
  /** What `POST /v1/cases` hashed, to answer a retried intake (written with the start). */
  request: `${PREFIX}request`,
  /**
   * The insurer's work items that are not part of the view (`WorkMemo`): the work queue reads them with the case list.
   * Written by runs that follow `rules.coverageDue`.
   */
  work: `${PREFIX}work`,
  part: (part: ViewPart) => `${PREFIX}v.${part}`,
  timelineChunk: (n: number) => `${PREFIX}t.${n}`,
  /** Notes in chunks of `NOTES_CHUNK` (absent until the first note): never part of the view, which an insured reads. */
  notesChunk: (n: number) => `${PREFIX}n.${n}`,
  /** The document references (absent until the first document). */
  documents: `${PREFIX}documents`,
} as const;

/** Notes per memo field: a new note rewrites only the last chunk. */
export const NOTES_CHUNK = 25;

/** The memo fields of the notes, in whole chunks (none when there are no notes, so older runs write nothing new). */
export function notesMemoChunks(notes: readonly CaseNote[] | undefined): Record<string, CaseNote[]> {
  const out: Record<string, CaseNote[]> = {};
  for (let n = 0; notes && n * NOTES_CHUNK < notes.length; n++) out[MEMO_KEYS.notesChunk(n)] = notes.slice(n * NOTES_CHUNK, (n + 1) * NOTES_CHUNK);
  return out;
}

/** The notes a memo holds, oldest first. */
export function notesFromMemo(memo: Record<string, unknown> | undefined): CaseNote[] {
  const notes: CaseNote[] = [];
  for (let n = 0; memo?.[MEMO_KEYS.notesChunk(n)] !== undefined; n++) notes.push(...(memo[MEMO_KEYS.notesChunk(n)] as CaseNote[]));
  return notes;
}

/** The document references a memo holds, oldest first. */
export function documentsFromMemo(memo: Record<string, unknown> | undefined): DocumentRef[] {
  return (memo?.[MEMO_KEYS.documents] as DocumentRef[] | undefined) ?? [];
}

/** The memo fields of a view's parts (not its stamp: that is in the meta part). */
export function viewMemoParts(view: CaseView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = view as unknown as Record<string, unknown>;
  for (const [part, keys] of Object.entries(VIEW_PARTS) as [ViewPart, readonly string[]][]) {
    const value: Record<string, unknown> = {};
    for (const key of keys) if (fields[key] !== undefined) value[key] = fields[key];
    out[MEMO_KEYS.part(part)] = value;
  }
  return out;
}

/** The memo fields of a timeline from entry `from` on, in whole chunks (the chunk holding `from` is rewritten). */
export function timelineMemoChunks(timeline: readonly TimelineEntry[], from = 0): Record<string, TimelineEntry[]> {
  const out: Record<string, TimelineEntry[]> = {};
  for (let n = Math.floor(from / TIMELINE_CHUNK); n * TIMELINE_CHUNK < timeline.length; n++) {
    out[MEMO_KEYS.timelineChunk(n)] = timeline.slice(n * TIMELINE_CHUNK, (n + 1) * TIMELINE_CHUNK);
  }
  return out;
}

/** The memo's `work` field. */
export interface WorkMemo {
  /** When the coverage decision passed its due time undecided and supervisors were told. */
  coverageEscalatedAt?: string;
}

/** The read model as found in a memo, or undefined when the memo holds none (a case from before it, or another layout). */
export interface ReadModel {
  meta: ReadModelMeta;
  /** Absent until the first view was written (a case denied at intake, before its first task). */
  view?: CaseView;
  commands: CommandOutcome[];
  requestHash?: string;
  memo: Record<string, unknown>;
}

export function readModelFromMemo(memo: Record<string, unknown> | undefined): ReadModel | undefined {
  if (!memo) return undefined;
  const meta = memo[MEMO_KEYS.meta] as ReadModelMeta | undefined;
  if (!meta || meta.schema !== READ_MODEL_SCHEMA) return undefined;
  const request = memo[MEMO_KEYS.request] as { requestHash?: string } | undefined;
  const view = viewFromMemo(memo, meta);
  return {
    meta,
    ...(view ? { view } : {}),
    commands: (memo[MEMO_KEYS.commands] as CommandOutcome[] | undefined) ?? [],
    ...(request?.requestHash ? { requestHash: request.requestHash } : {}),
    memo,
  };
}

function viewFromMemo(memo: Record<string, unknown>, meta: ReadModelMeta): CaseView | undefined {
  const view: Record<string, unknown> = {};
  for (const part of Object.keys(VIEW_PARTS) as ViewPart[]) {
    const value = memo[MEMO_KEYS.part(part)] as Record<string, unknown> | undefined;
    if (!value) return undefined;
    Object.assign(view, value);
  }
  view.version = meta.version;
  view.updatedAt = meta.updatedAt;
  return view as unknown as CaseView;
}

/** The timeline from a read model's chunks; undefined when a chunk is missing (never expected). */
export function timelineFromReadModel(model: ReadModel): TimelineEntry[] | undefined {
  const entries: TimelineEntry[] = [];
  for (let n = 0; n * TIMELINE_CHUNK < model.meta.timelineEntries; n++) {
    const chunk = model.memo[MEMO_KEYS.timelineChunk(n)] as TimelineEntry[] | undefined;
    if (!chunk) return undefined;
    entries.push(...chunk);
  }
  return entries.slice(0, model.meta.timelineEntries);
}

/**
 * The memo a case starts with, written by the API with the start: the request's hash (a retried intake compares it)
 * and the stamp of version 0. No view: Temporal copies the memo into every visibility record, so a first view here
 * slowed every start; until the case's first task writes its view, the API computes it from the start event's input
 * (api/start-view.ts). Cases started with a first view here (before that) read it as their memo holds it.
 */
export function startMemo(requestHash: string, reportedAt: string): Record<string, unknown> {
  const meta: ReadModelMeta = { schema: READ_MODEL_SCHEMA, version: 0, updatedAt: reportedAt, timelineEntries: 0 };
  return {
    [MEMO_KEYS.request]: { requestHash },
    [MEMO_KEYS.meta]: meta,
  };
}
