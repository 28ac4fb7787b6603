/**
 * What a policy period has paid and has left, per period limit and per cost category: the figures of
 * `GET /v1/policies/{policyNumber}` (`usage`), from the ledger's period usage. Pure, and the same arithmetic as
 * `grantDraw`: a category's remainder is what a draw could still have of it, so it is capped by what is left of the
 * period limit it counts against (liability or response costs).
 */
import type { PeriodUsage } from './payout.js';
import type { Policy } from './schemas.js';
import { isLiabilityCategory, type CostCategory } from './vocabulary.js';

export interface Remaining {
  paidJpy: number;
  remainingJpy: number;
}

export interface PolicyUsage {
  liability: Remaining;
  responseCosts: Remaining;
  /** Every category the policy covers. */
  categories: Partial<Record<CostCategory, Remaining>>;
}

export const NO_USAGE: PeriodUsage = { responseJpy: 0, liabilityJpy: 0, byCategory: {} };

export function policyUsage(policy: Pick<Policy, 'categories' | 'liability' | 'responseCosts'>, usage: PeriodUsage = NO_USAGE): PolicyUsage {
  const left = (limit: number, paid: number) => Math.max(0, limit - paid);
  const liability = { paidJpy: usage.liabilityJpy, remainingJpy: left(policy.liability.periodLimitJpy, usage.liabilityJpy) };
  const responseCosts = { paidJpy: usage.responseJpy, remainingJpy: left(policy.responseCosts.periodLimitJpy, usage.responseJpy) };
  const categories: Partial<Record<CostCategory, Remaining>> = {};
  for (const [category, terms] of Object.entries(policy.categories) as [CostCategory, { limitJpy: number } | undefined][]) {
    if (!terms) continue;
    const paidJpy = usage.byCategory[category] ?? 0;
    const period = isLiabilityCategory(category) ? liability : responseCosts;
    categories[category] = { paidJpy, remainingJpy: Math.min(left(terms.limitJpy, paidJpy), period.remainingJpy) };
  }
  return { liability, responseCosts, categories };
}
