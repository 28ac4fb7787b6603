/**
 * Human commands: the registry built from the tracks' command tables, the checks every command passes first (tenant,
 * role, state, body), the `command` signal the API sends with the caller's command id, and the queries that answer
 * whether the case would take a command and what became of one.
 */
import { log, setHandler } from '@temporalio/workflow';
import { commandGate, type Action } from '../../domain/rules.js';
import { domainSchemas } from '../preloaded/schemas.js';
import {
  ADD_NOTE,
  ATTACH_DOCUMENT,
  ATTACH_PERSONS,
  COMMAND_OUTCOMES_KEPT,
  EDIT_FILING,
  EDIT_NOTICE_DRAFT,
  RECORD_ENROLMENT,
  documentsQuery,
  notesQuery,
  commandOutcomesQuery,
  commandSignal,
  commandStatusQuery,
  parseRefusal,
  refusalMessage,
  requestHashQuery,
  timelineQuery,
  viewQuery,
  type ActionRequest,
  type AddNoteRequest,
  type AttachDocumentRequest,
  type AttachPersonsRequest,
  type EditFilingRequest,
  type EditNoticeDraftRequest,
  type RecordEnrolmentRequest,
  type CaseCommand,
  type CommandOutcome,
  type ParkedMessage,
} from '../contract.js';
import type { CommandDef, CommandTable } from './command.js';
import { clockCommands } from './clocks.js';
import { closingCommands } from './closing.js';
import { addNote, attachDocument, checkAddNote, checkAttachDocument } from './desk.js';
import { checkEditFiling, editFiling } from './filings.js';
import { checkEditNoticeDraft, editNoticeDraft, noticeDraftCommands } from './notice-draft.js';
import { announcementCommands } from './announcements.js';
import { attachPersons, checkAttachPersons, notificationCommands } from './notification.js';
import { checkRecordEnrolment, recordEnrolment, servicesCommands } from './services.js';
import { settlementCommands } from './settlement.js';
import { refuse, type CaseContext } from './state.js';
import { triageCommands } from './triage.js';
import { admit } from './trust.js';
import { receiveVendorEvent } from './vendors.js';
import { vendorCommands } from './engagements.js';
import { publishCase } from './read-model.js';

/** Every case action, owned by exactly one track (the type makes a missing or unowned action a compile error). */
export const COMMANDS: CommandTable = {
  ...triageCommands,
  ...settlementCommands,
  ...clockCommands,
  ...notificationCommands,
  ...announcementCommands,
  ...closingCommands,
  ...noticeDraftCommands,
  ...vendorCommands,
  ...servicesCommands,
};

export function isAction(name: string): name is Action {
  return Object.hasOwn(COMMANDS, name);
}

function parseBody(action: Action, request: ActionRequest): unknown {
  const parsed = domainSchemas().ACTION_SCHEMAS[action].safeParse(request.body);
  if (!parsed.success) refuse('invalid', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

function definition(action: Action): CommandDef<unknown> {
  return COMMANDS[action] as CommandDef<unknown>;
}

/** Refuses the command if the case cannot take it now; changes nothing. */
export function checkAction(c: CaseContext, action: Action, request: ActionRequest): void {
  const { actor } = request;
  const gate = commandGate(c.v, actor, action);
  if (gate) refuse(gate.code, gate.text);
  const body = parseBody(action, request);
  definition(action).check?.(c, body, actor);
}

/** Applies a command that passed `checkAction`. */
export function applyAction(c: CaseContext, action: Action, request: ActionRequest): void {
  definition(action).apply(c, domainSchemas().ACTION_SCHEMAS[action].parse(request.body), request.actor);
}

/** The refusal of a command on the current state (`code: text`), or null when the case would take it. */
function checkCommand(c: CaseContext, command: Omit<CaseCommand, 'commandId'>): string | null {
  try {
    if (command.action === ATTACH_PERSONS) checkAttachPersons(c, command.request as AttachPersonsRequest);
    else if (command.action === ADD_NOTE) checkAddNote(c, command.request as AddNoteRequest);
    else if (command.action === ATTACH_DOCUMENT) checkAttachDocument(c, command.request as AttachDocumentRequest);
    else if (command.action === EDIT_FILING) checkEditFiling(c, command.request as EditFilingRequest);
    else if (command.action === EDIT_NOTICE_DRAFT) checkEditNoticeDraft(c, command.request as EditNoticeDraftRequest);
    else if (command.action === RECORD_ENROLMENT) checkRecordEnrolment(c, command.request as RecordEnrolmentRequest);
    else if (isAction(command.action)) checkAction(c, command.action, command.request as ActionRequest);
    else refuse('invalid', `unknown command ${String(command.action)}`);
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Checks refuse with a reason code. Anything else (a body the API should have refused) is refused as invalid
    // too: a signal that threw would fail every replay of the case, where an Update would merely reject.
    return parseRefusal(message) ? message : refusalMessage('invalid', message);
  }
}

function commandOutcome(c: CaseContext, commandId: string): CommandOutcome | null {
  return (c.s.commands ?? []).find((x) => x.commandId === commandId) ?? null;
}

function receiveCommand(c: CaseContext, command: CaseCommand, fromPark = false): void {
  // A command id seen before (the API retrying, or a caller reusing its Idempotency-Key) is answered, not rerun.
  if (commandOutcome(c, command.commandId)) return;
  if (!admit(c, 'command', { kind: 'command', command }, command.proof, typeof command.action === 'string' ? `command ${command.action}` : 'a message that is not a command', fromPark)) return;
  let refusal = checkCommand(c, command);
  if (refusal === null) {
    try {
      if (command.action === ATTACH_PERSONS) attachPersons(c, command.request);
      else if (command.action === ADD_NOTE) addNote(c, command.request);
      else if (command.action === ATTACH_DOCUMENT) attachDocument(c, command.request);
      else if (command.action === EDIT_FILING) editFiling(c, command.request);
      else if (command.action === EDIT_NOTICE_DRAFT) editNoticeDraft(c, command.request);
      else if (command.action === RECORD_ENROLMENT) recordEnrolment(c, command.request);
      else applyAction(c, command.action, command.request);
    } catch (err) {
      // A command that throws after its check passed is a bug; the case must still go on (see above).
      log.error('command failed after validation', { caseId: c.v.caseId, action: command.action, error: String(err) });
      refusal = refusalMessage('invalid', 'the command could not be applied');
    }
  }
  const commands = (c.s.commands ??= []);
  commands.push({ commandId: command.commandId, applied: refusal === null, ...(refusal !== null ? { refusal } : {}) });
  if (commands.length > COMMAND_OUTCOMES_KEPT) commands.splice(0, commands.length - COMMAND_OUTCOMES_KEPT);
  // The case list and the read model, with the outcome the caller is waiting for, in this same task. (Runs from
  // before the read model brought only the list up to date, and only after a command that applied.)
  if (c.rules.readModel || refusal === null) publishCase(c);
}

/** A parked message whose key the worker was asked about, back to its receiver. */
export function receiveParked(c: CaseContext, parked: ParkedMessage): void {
  if (parked.kind === 'command') receiveCommand(c, parked.command, true);
  else receiveVendorEvent(c, parked.event, true);
}

export function registerCommands(c: CaseContext): void {
  setHandler(commandSignal, (command) => receiveCommand(c, command));
  setHandler(commandOutcomesQuery, () => ({ outcomes: c.s.commands ?? [], view: c.v }));
  setHandler(commandStatusQuery, (command) => {
    const outcome = commandOutcome(c, command.commandId);
    if (outcome) return { outcome, refusal: null, view: c.v };
    c.checkingByQuery = true;
    try {
      return { outcome, refusal: checkCommand(c, command), view: c.v };
    } finally {
      c.checkingByQuery = false;
    }
  });
  setHandler(viewQuery, () => c.v);
  setHandler(timelineQuery, () => c.s.timeline);
  setHandler(requestHashQuery, () => c.input.requestHash);
  setHandler(notesQuery, () => c.s.notes ?? []);
  setHandler(documentsQuery, () => c.s.documents ?? []);
}
