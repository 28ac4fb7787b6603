/**
 * What a forensic finding may do to a case. Findings move everything (coverage, obligations, exposure), so a vendor's
 * finding is checked before it counts: one that cannot be true is refused; one that would lower the persons, move an
 * occurrence date already known, or lift a regulatory duty waits for a handler's confirmation, with the before and
 * after shown. A handler's own findings are checked for truth only (the handler is the one who confirms).
 */
import { INPUT_LIMITS } from './limits.js';
import { toMs } from './time.js';
import type { CostCategory, VendorRole } from './vocabulary.js';

/** Clock skew tolerated between a vendor's clock and ours for "not in the future". */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export interface FindingsChange {
  affectedPersons?: number;
  occurredAt?: string;
}

export type FindingsProblem = 'occurred_after_discovery' | 'occurred_in_future' | 'persons_out_of_bounds';

export const FINDINGS_PROBLEM_TEXT: Record<FindingsProblem, string> = {
  occurred_after_discovery: 'the leak cannot have begun after it was discovered',
  occurred_in_future: 'the occurrence date is in the future',
  persons_out_of_bounds: `affected persons must be between 0 and ${INPUT_LIMITS.maxAffectedPersons}`,
};

/** Why a finding cannot be true of this case (empty: it can). */
export function findingsProblems(f: FindingsChange, discoveredAt: string, nowIso: string): FindingsProblem[] {
  const out: FindingsProblem[] = [];
  if (f.occurredAt !== undefined) {
    if (toMs(f.occurredAt) > toMs(discoveredAt)) out.push('occurred_after_discovery');
    if (toMs(f.occurredAt) > toMs(nowIso) + FUTURE_TOLERANCE_MS) out.push('occurred_in_future');
  }
  if (f.affectedPersons !== undefined) {
    if (!Number.isInteger(f.affectedPersons) || f.affectedPersons < 0 || f.affectedPersons > INPUT_LIMITS.maxAffectedPersons) {
      out.push('persons_out_of_bounds');
    }
  }
  return out;
}

export type FindingsConcern = 'lowers_persons' | 'moves_occurrence' | 'lifts_duty';

export const FINDINGS_CONCERN_TEXT: Record<FindingsConcern, string> = {
  lowers_persons: 'fewer affected persons than the case holds',
  moves_occurrence: 'another occurrence date than the one the case holds',
  lifts_duty: 'a regulatory duty would no longer apply',
};

/** The facts a finding is judged on: persons, occurrence, and the duties (obligation ids) the rules derive. */
export interface FindingsSide {
  affectedPersons: number;
  occurredAt: string | null;
  obligations: readonly string[];
}

/** What in a vendor's finding needs a handler's confirmation (empty: it may be applied as it comes). */
export function findingsConcerns(before: FindingsSide, after: FindingsSide): FindingsConcern[] {
  const out: FindingsConcern[] = [];
  if (after.affectedPersons < before.affectedPersons) out.push('lowers_persons');
  if (before.occurredAt !== null && after.occurredAt !== null && toMs(after.occurredAt) !== toMs(before.occurredAt)) out.push('moves_occurrence');
  if (before.obligations.some((id) => !after.obligations.includes(id))) out.push('lifts_duty');
  return out;
}

/** The cost categories a panel vendor of each role may invoice (an invoice in another category is not its work). */
export const VENDOR_ROLE_CATEGORIES: Readonly<Record<VendorRole, readonly CostCategory[]>> = {
  forensics: ['forensic_investigation'],
  counsel: ['legal_counsel', 'litigation_costs'],
  call_center: ['call_center'],
  print_and_mail: ['notification'],
  credit_monitoring: ['credit_monitoring'],
  public_relations: ['public_relations'],
  recurrence_prevention: ['recurrence_prevention'],
};

export function mayInvoice(role: VendorRole, category: string): boolean {
  return (VENDOR_ROLE_CATEGORIES[role] as readonly string[]).includes(category);
}
