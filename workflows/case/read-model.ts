/**
 * The case's read model (see contract/read-model.ts): after a task changed the case, the parts of the view, the
 * timeline chunks and the latest command outcomes that changed are upserted to the memo, so the API reads the case
 * with `describe()` instead of a query that replays it. What was last written is remembered per field (starting from
 * the memo the run began with: the API's stamp alone, a first view in cases the API started before it stopped writing
 * one, or the memo carried over by continue-as-new), so a task writes only what it changed and a task that changed
 * nothing writes nothing.
 *
 * Runs recorded before the read model (`rules.readModel` false) keep the version count but write no memo: an upsert
 * is a command their histories do not have.
 */
import { upsertMemo, workflowInfo } from '@temporalio/workflow';
import {
  COMMAND_OUTCOMES_IN_MEMO,
  MEMO_KEYS,
  READ_MODEL_SCHEMA,
  notesMemoChunks,
  timelineMemoChunks,
  viewMemoParts,
  type ReadModelMeta,
  type WorkMemo,
} from '../contract.js';
import { nowIso, type CaseContext } from './state.js';
import { refreshFilings } from './filings.js';
import { refreshNoticeDrafts } from './notice-draft.js';
import { refreshServices } from './services.js';
import { syncSearchAttributes } from './visibility.js';

/** What the memo holds, by field, as JSON; read from the memo the run started with. */
export function writtenAtStart(): Map<string, string> {
  const memo = workflowInfo().memo ?? {};
  return new Map(Object.entries(memo).map(([key, value]) => [key, JSON.stringify(value)]));
}

/** Brings the case list (search attributes) and the read model (memo) up to date with the case. */
export function publishCase(c: CaseContext): void {
  // Services first: the plan is part of what the filings draft from.
  refreshServices(c);
  // The notice first: the persons-notice filing follows its approval.
  refreshNoticeDrafts(c);
  refreshFilings(c);
  syncSearchAttributes(c);
  publishReadModel(c);
}

function publishReadModel(c: CaseContext): void {
  const changed: Record<string, unknown> = {};
  const consider = (key: string, value: unknown): boolean => {
    const json = JSON.stringify(value);
    if (c.memoWritten.get(key) === json) return false;
    c.memoWritten.set(key, json);
    changed[key] = value;
    return true;
  };
  const { timeline } = c.s;
  let caseChanged = false;
  for (const [key, value] of Object.entries(viewMemoParts(c.v))) caseChanged = consider(key, value) || caseChanged;
  for (const [key, chunk] of Object.entries(timelineMemoChunks(timeline, c.timelineWritten))) {
    caseChanged = consider(key, chunk) || caseChanged;
  }
  c.timelineWritten = timeline.length;
  // Notes and documents have their own fields and reads: a change to them alone is no new version of the view.
  for (const [key, chunk] of Object.entries(notesMemoChunks(c.s.notes))) consider(key, chunk);
  if (c.s.documents?.length) consider(MEMO_KEYS.documents, c.s.documents);
  if (caseChanged) {
    c.v.version = (c.v.version ?? 0) + 1;
    c.v.updatedAt = nowIso();
    const meta: ReadModelMeta = { schema: READ_MODEL_SCHEMA, version: c.v.version, updatedAt: c.v.updatedAt, timelineEntries: timeline.length };
    consider(MEMO_KEYS.meta, meta);
  }
  consider(MEMO_KEYS.commands, (c.s.commands ?? []).slice(-COMMAND_OUTCOMES_IN_MEMO));
  if (c.rules.coverageDue && c.s.coverageEscalatedAt) {
    const work: WorkMemo = { coverageEscalatedAt: c.s.coverageEscalatedAt };
    consider(MEMO_KEYS.work, work);
  }
  if (c.rules.readModel && Object.keys(changed).length > 0) upsertMemo(changed);
}

/** The timeline entries the memo the run started with already holds. */
export function timelineAtStart(): number {
  const meta = workflowInfo().memo?.[MEMO_KEYS.meta] as ReadModelMeta | undefined;
  return meta?.timelineEntries ?? 0;
}
