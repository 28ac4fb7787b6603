/**
 * What every handler shares: the dependencies the process wires in, the clock, and the change counter and caches
 * that are per app (several apps in one process, as in tests, never share them).
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { CaseReadCache } from './case-reads.js';
import { ChangeCounter } from './changes.js';
import type { ApiDeps } from './deps.js';
import { PolicyCache } from './policy-reads.js';
import { PollCache } from './poll-cache.js';
import { CaseSearchIndex } from './search-index.js';
import { createSso, ssoSettings, type SsoService } from './sso.js';

export interface ApiContext {
  deps: ApiDeps;
  client: Client;
  taskQueue: string;
  now: () => Date;
  changes: ChangeCounter;
  pollCache: PollCache;
  caseReads: CaseReadCache;
  /** Policies read for intake, briefly kept (see `policyForIntake`). */
  policyCache: PolicyCache;
  log: Logger;
  /** What `GET /v1/cases?q=` matches, for every case (see search-index.ts). */
  searchIndex: CaseSearchIndex;
  /** The pages' single sign-on and the sessions it handed out (off unless configured). */
  sso: SsoService;
}

export function createContext(deps: ApiDeps): ApiContext {
  const ctx: Omit<ApiContext, 'searchIndex'> = {
    deps,
    client: deps.temporal.client,
    taskQueue: deps.temporal.taskQueue,
    now: deps.now ?? (() => new Date()),
    changes: new ChangeCounter(),
    pollCache: new PollCache(),
    caseReads: new CaseReadCache(),
    policyCache: new PolicyCache(),
    log: deps.logger,
    sso: createSso(ssoSettings(deps.config), { logger: deps.logger }),
  };
  return { ...ctx, searchIndex: new CaseSearchIndex(ctx, deps.limits?.searchIndex) };
}
