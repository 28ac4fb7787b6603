/**
 * The contract actions and the persons list as Updates with validators: no longer sent by the API (commands arrive
 * as signals, see `commandSignal`), kept registered with the same checks so that cases which received them replay.
 */
import { setHandler } from '@temporalio/workflow';
import { actionUpdates, attachPersonsUpdate } from '../contract.js';
import { applyAction, applyAttachPersons, checkAction } from './commands.js';
import { checkAttachPersons } from './notification.js';
import type { CaseContext } from './state.js';

export function registerLegacyUpdates(c: CaseContext): void {
  for (const action of Object.keys(actionUpdates) as (keyof typeof actionUpdates)[]) {
    setHandler(
      actionUpdates[action],
      (request) => {
        applyAction(c, action, request);
        return c.v;
      },
      { validator: (request) => checkAction(c, action, request) },
    );
  }
  setHandler(
    attachPersonsUpdate,
    (request) => {
      applyAttachPersons(c, request);
      return c.v;
    },
    { validator: (request) => checkAttachPersons(c, request) },
  );
}
