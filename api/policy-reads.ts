/** Reading policies from their ledger workflows, and the brief memory of them that case intake relies on. */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { PolicyRecord } from '../domain/schemas.js';
import { policyWorkflowId } from '../workflows/contract.js';
import { LEDGER_MEMO, policyQuery, usageQuery, type LedgerPolicyMemo, type PeriodUsage } from '../workflows/policy-ledger-contract.js';
import type { ApiContext } from './context.js';
import { shareInFlight } from './in-flight.js';
import type { Principal } from './principals.js';
import { boundedQuery } from './queries.js';

export interface KnownPolicy {
  policy: PolicyRecord;
  version: number;
  /** The period's usage as the ledger's memo holds it (absent from cached intake reads and from ledgers before it). */
  usage?: PeriodUsage;
}

/** Policies this process read or wrote lately, and the ledger reads under way. */
export class PolicyCache {
  readonly entries = new Map<string, { at: number; value: KnownPolicy }>();
  readonly inFlight = new Map<string, Promise<KnownPolicy | undefined>>();

  remember(policyNumber: string, value: KnownPolicy): void {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(policyNumber, { at: Date.now(), value });
  }
}

/**
 * The registered policy, or undefined when the number is unknown (no ledger, or a ledger never given terms): from the
 * ledger's memo (`describe()`, no worker), or by query for a ledger from before its read model.
 */
export async function readPolicy(ctx: ApiContext, policyNumber: string): Promise<KnownPolicy | undefined> {
  const handle = ctx.client.workflow.getHandle(policyWorkflowId(policyNumber));
  try {
    const { memo } = await ctx.client.withDeadline(Date.now() + 5_000, () => handle.describe());
    const held = memo?.[LEDGER_MEMO.policy] as LedgerPolicyMemo | undefined;
    const usage = memo?.[LEDGER_MEMO.usage] as PeriodUsage | undefined;
    if (held) return held.policy ? { policy: held.policy, version: held.version, ...(usage ? { usage } : {}) } : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await boundedQuery(ctx, () => handle.query(policyQuery));
      if (!answer.policy) return undefined;
      const usage = await boundedQuery(ctx, () => handle.query(usageQuery));
      return { policy: answer.policy, version: answer.version, usage };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      // Each attempt is bounded (see `boundedQuery`); a few more before giving up.
      if (attempt >= 4) throw err;
    }
  }
}

/**
 * The policy for a new case. Reading it is a query to the policy's ledger workflow, which waits in the worker's queue
 * behind every other task: under load that query, not the start, set the intake rate. Intake therefore reuses a
 * policy it read in the last `limits.policyCacheTtlMs` (default 5 s); an older entry (up to 6 × that) is still used
 * while one refresh runs in the background, and concurrent misses share one read. A PUT through this process replaces
 * the entry at once; the case workflow's payouts draw against the ledger itself. Unknown numbers are never kept.
 */
export async function policyForIntake(ctx: ApiContext, policyNumber: string): Promise<KnownPolicy | undefined> {
  const ttl = ctx.deps.limits?.policyCacheTtlMs ?? 5000;
  if (ttl <= 0) return readPolicy(ctx, policyNumber);
  const cache = ctx.policyCache;
  const refresh = () =>
    shareInFlight(cache.inFlight, policyNumber, async () => {
      const found = await readPolicy(ctx, policyNumber);
      if (found) cache.remember(policyNumber, found);
      else cache.entries.delete(policyNumber);
      return found;
    });
  const hit = cache.entries.get(policyNumber);
  const age = hit ? Date.now() - hit.at : Infinity;
  if (hit && age < ttl) return hit.value;
  if (hit && age < 6 * ttl) {
    refresh().catch((err: unknown) => ctx.log.warn({ err: (err as Error).message, policyNumber }, 'policy refresh failed'));
    return hit.value;
  }
  return refresh();
}

/** An insured sees only the policies it holds; anyone else's is "not found". */
export function mayReadPolicy(principal: Principal, policy: PolicyRecord): boolean {
  return principal.role !== 'insured' || principal.insuredId === policy.insuredId;
}
