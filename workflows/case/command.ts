/**
 * What a track declares for each case action it owns. The registry (commands.ts) parses the body with the action's
 * schema and checks who may act before either function runs, so a track sees a valid body from an allowed actor.
 */
import type { Action } from '../../domain/rules.js';
import type { ActionBodies } from '../../domain/schemas.js';
import type { Actor } from '../contract.js';
import type { CaseContext } from './state.js';

export interface CommandDef<B> {
  /** Refuses (`refuse(code, text)`) when the case cannot take the command now. Reads state, never changes it. */
  check?: (c: CaseContext, body: B, actor: Actor) => void;
  /** Applies a command that passed its check. */
  apply: (c: CaseContext, body: B, actor: Actor) => void;
}

/** The commands one track owns. */
export type CommandTable<A extends Action = Action> = { [K in A]: CommandDef<ActionBodies[K]> };
