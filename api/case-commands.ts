/**
 * Human commands to a case: a signal carrying the caller's command id, then the case's answer read back from its read
 * model (see `commandSignal` in workflows/contract.ts for why this is not an Update, and contract/read-model.ts).
 *
 * 1. Read where the command stands from the case's memo (`describe()`, no worker). An outcome already recorded for
 *    this id (a retried request) is answered as it was.
 * 2. Otherwise signal it. The signal is durable the moment Temporal accepts it: it is applied even if every worker is
 *    down right now, and a second signal with the same id is ignored by the case. The case checks it (tenant, role,
 *    state, body, rules) and records the outcome, applied or refused with its reason, in the same task.
 * 3. Read the memo until the outcome is there. When it is not there in time the caller gets a 503 that says the
 *    command is recorded; the same request with the same Idempotency-Key then answers its outcome.
 *
 * A case from before the read model (no memo until it continues as new) is asked by query instead, as it always was.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  REFUSALS,
  commandOutcomesQuery,
  commandSignal,
  commandStatusQuery,
  parseRefusal,
  readModelFromMemo,
  refusalMessage,
  type CaseCommand,
  type CaseView,
  type CommandOutcome,
  type CommandStatus,
  type ReadModel,
} from '../workflows/contract.js';
import { ACTIONS, commandGate, type Action } from '../domain/index.js';
import { caseHandle } from './case-reads.js';
import type { ApiContext } from './context.js';
import { shareInFlight } from './in-flight.js';
import { HttpProblem } from './problem.js';
import { refusalText } from './problem-text.js';

export interface CommandTiming {
  /** How long a request waits for the case's answer before a 503 `command_pending`. */
  waitMs: number;
  /** How long the first question may take (Temporal or, for an old case, a worker that is away); past it the command is just sent. */
  checkMs: number;
}

export const DEFAULT_COMMAND_TIMING: CommandTiming = { waitMs: 20_000, checkMs: 2_000 };

/** The command's answer: the case view after it, or the refusal as a problem (the status its reason code maps to). */
export async function runCaseCommand(
  client: Client,
  handle: WorkflowHandle,
  command: CaseCommand,
  timing: CommandTiming = DEFAULT_COMMAND_TIMING,
): Promise<CaseView> {
  const first = await readModel(client, handle, timing.checkMs);
  if (!first) return runByQuery(client, handle, command, timing);
  const done = answeredFrom(first, command);
  if (done) return done;
  // What the read model can decide (tenant, role, a case that ended) is answered here and never reaches history; the
  // case's own rules decide the rest, and record a refusal like any outcome.
  const gate = first.view && isAction(command.action) ? commandGate(first.view, command.request.actor, command.action) : null;
  if (gate) throw refusalProblem(refusalMessage(gate.code, gate.text));

  await handle.signal(commandSignal, command);

  const deadline = Date.now() + timing.waitMs;
  let delay = 20;
  for (;;) {
    await sleep(Math.min(delay, Math.max(deadline - Date.now(), 0)));
    delay = Math.min(delay * 2, 500);
    const left = deadline - Date.now();
    if (left <= 0) break;
    const model = await readModel(client, handle, Math.max(left, 100)).catch(notFoundOrUndefined);
    const view = model && answeredFrom(model, command);
    if (view) return view;
  }
  // The memo keeps the latest outcomes only: one that many later commands pushed out is still in the case's state.
  const recent = await outcomes(client, handle, 2_000).catch(notFoundOrUndefined);
  const outcome = recent?.outcomes.find((o) => o.commandId === command.commandId);
  if (recent && outcome) {
    if (!outcome.applied) throw refusalProblem(outcome.refusal);
    return recent.view;
  }
  throw commandPending(command);
}

/** The case's read model, undefined for a case from before it. */
async function readModel(client: Client, handle: WorkflowHandle, ms: number): Promise<ReadModel | undefined> {
  const description = await client.withDeadline(Date.now() + ms, () => handle.describe());
  return readModelFromMemo(description.memo);
}

function answeredFrom(model: ReadModel, command: CaseCommand): CaseView | undefined {
  const outcome = model.commands.find((o) => o.commandId === command.commandId);
  if (!outcome) return undefined;
  if (!outcome.applied) throw refusalProblem(outcome.refusal);
  return model.view;
}

function commandPending(command: CaseCommand): HttpProblem {
  return new HttpProblem(
    503,
    'command_pending',
    { key: 'command_pending.recorded' },
    undefined,
    { commandId: command.commandId },
    { 'Retry-After': '5' },
  );
}

/**
 * A case from before the read model, by query (each a replay on a worker): ask whether the case would take the command
 * (a refusal on the current state is answered at once and leaves no trace in history), signal it, poll the outcome.
 */
async function runByQuery(client: Client, handle: WorkflowHandle, command: CaseCommand, timing: CommandTiming): Promise<CaseView> {
  const ask = (ms: number) => client.withDeadline(Date.now() + ms, () => handle.query(commandStatusQuery, command));
  const answered = (status: CommandStatus | undefined): CaseView | undefined => {
    if (status?.outcome) {
      if (status.outcome.applied) return status.view;
      throw refusalProblem(status.outcome.refusal);
    }
    return undefined;
  };

  const first = await ask(timing.checkMs).catch(notFoundOrUndefined);
  const done = answered(first);
  if (done) return done;
  if (first?.refusal) throw refusalProblem(first.refusal);

  await handle.signal(commandSignal, command);

  const deadline = Date.now() + timing.waitMs;
  let delay = 50;
  for (;;) {
    await sleep(Math.min(delay, Math.max(deadline - Date.now(), 0)));
    delay = Math.min(delay * 2, 1_000);
    const left = deadline - Date.now();
    if (left <= 0) break;
    const recent = await outcomes(client, handle, Math.max(left, 100)).catch(notFoundOrUndefined);
    const outcome = recent?.outcomes.find((o) => o.commandId === command.commandId);
    const view = answered(recent && { outcome: outcome ?? null, refusal: null, view: recent.view });
    if (view) return view;
  }
  throw commandPending(command);
}

/** `runCaseCommand` for a case of this API, waiting as long as `limits.commandWaitMs` says. */
export function commandCase(ctx: ApiContext, caseId: string, command: CaseCommand): Promise<CaseView> {
  const waitMs = ctx.deps.limits?.commandWaitMs;
  const signed: CaseCommand = { ...command, proof: ctx.deps.signer.proof('command', caseId, command) };
  return runCaseCommand(ctx.client, caseHandle(ctx, caseId), signed, {
    ...DEFAULT_COMMAND_TIMING,
    ...(waitMs !== undefined ? { waitMs } : {}),
  });
}

/**
 * Every replay of a case costs the worker time (it keeps no cache: see WORKER_MAX_CACHED_WORKFLOWS), so the requests of
 * this process waiting on one old case share one query of its outcomes at a time instead of each asking on its own.
 */
const inFlight = new Map<string, Promise<CommandOutcomes>>();

type CommandOutcomes = { outcomes: CommandOutcome[]; view: CaseView };

function outcomes(client: Client, handle: WorkflowHandle, ms: number): Promise<CommandOutcomes> {
  return shareInFlight(inFlight, handle.workflowId, () => client.withDeadline(Date.now() + ms, () => handle.query(commandOutcomesQuery)));
}

/** A missing (or closed) case is the caller's answer; any other failure to ask (a worker away) means "ask again". */
function notFoundOrUndefined(err: unknown): undefined {
  if (err instanceof WorkflowNotFoundError) throw err;
  return undefined;
}

function refusalProblem(message: string | undefined): HttpProblem {
  const refusal = parseRefusal(message ?? '');
  if (!refusal) return new HttpProblem(422, 'invalid', message ?? { key: 'invalid.refused' });
  return new HttpProblem(REFUSALS[refusal.code], refusal.code, refusalText(refusal.code, refusal.text) ?? refusal.text);
}

function isAction(name: string): name is Action {
  return (ACTIONS as readonly string[]).includes(name);
}
