/**
 * The policy ledger's public contract: the Updates and queries of `policyLedger` and the shapes they carry.
 * Imported by the workflow itself, the activities (draws) and the API (put and read a policy), so it holds no code
 * with side effects: only `define*` from `@temporalio/workflow` and types. Ids and the workflow type name are in
 * `contract.ts` (`policyWorkflowId`, `POLICY_WORKFLOW_TYPE`); the draw arithmetic is `grantDraw` in `domain/payout.ts`.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DrawGrant, DrawRequest, PeriodUsage } from '../domain/rules.js';
import type { PolicyRecord } from '../domain/schemas.js';

export type { DrawGrant, DrawLine, DrawRequest, PeriodUsage } from '../domain/rules.js';

export interface LedgerState {
  policy: PolicyRecord | null;
  version: number;
  usage: PeriodUsage;
  /** Grants by payout id: a retried draw answers the grant it got the first time. */
  grants: Record<string, DrawGrant>;
}

export interface LedgerInput {
  policyNumber: string;
  state?: LedgerState;
  /** Events after which a run continues as new; default `LEDGER_RUN_EVENTS` (tests set it low). */
  runEvents?: number;
}

/** The workflow's signature, for typed handles (`getHandle<PolicyLedgerWorkflow>`) without importing its code. */
export type PolicyLedgerWorkflow = (input: LedgerInput) => Promise<void>;

export const putPolicyUpdate = defineUpdate<{ policy: PolicyRecord; version: number; created: boolean }, [PolicyRecord]>(
  'put-policy',
);
export const drawUpdate = defineUpdate<DrawGrant, [DrawRequest]>('draw');
export const policyQuery = defineQuery<{ policy: PolicyRecord | null; version: number }>('policy');
export const usageQuery = defineQuery<PeriodUsage>('usage');

/**
 * The ledger's read model in its memo: the policy with its version, and the period's usage, kept current by the ledger
 * so the API reads a policy with `describe()` (no worker, no replay). Absent in ledgers from before it until they
 * continue as new.
 */
export const LEDGER_MEMO = { policy: 'ledger.policy', usage: 'ledger.usage' } as const;

export interface LedgerPolicyMemo {
  policy: PolicyRecord | null;
  version: number;
}
