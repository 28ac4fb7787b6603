/**
 * The contract actions and the persons list as Updates: no longer sent by the API (commands arrive as signed signals,
 * see `commandSignal`), kept registered so that cases which received them replay. Their validators refuse every new
 * one: an Update carries no signature of the API, so anyone who reaches Temporal could send it (validators do not
 * run on replay, so the accepted ones in old histories still apply).
 */
import { setHandler } from '@temporalio/workflow';
import { actionUpdates, attachPersonsUpdate } from '../contract.js';
import { applyAction } from './commands.js';
import { attachPersons } from './notification.js';
import { publishCase } from './read-model.js';
import { refuseLegacyUpdate, type CaseContext } from './state.js';

export function registerLegacyUpdates(c: CaseContext): void {
  for (const action of Object.keys(actionUpdates) as (keyof typeof actionUpdates)[]) {
    setHandler(
      actionUpdates[action],
      (request) => {
        applyAction(c, action, request);
        publishCase(c);
        return c.v;
      },
      { validator: refuseLegacyUpdate },
    );
  }
  setHandler(
    attachPersonsUpdate,
    (request) => {
      attachPersons(c, request);
      publishCase(c);
      return c.v;
    },
    { validator: refuseLegacyUpdate },
  );
}
