/** What the settlement track records: the cost items as submitted and the reserve's changes (workflows/case/settlement.ts). */
import type { CostCategory } from '../../domain/rules.js';

/** One change of the reserve: when, to what, why and by whom (the case keeps them with the `reserveHistory` rule). */
export interface ReserveChange {
  at: string;
  totalJpy: number;
  byCategory: Record<string, number>;
  why: string;
  actor: string;
}

/** What `submit-costs` and vendor invoices add; kept as submitted so the settlement can be recomputed. */
export interface CostItemRecord {
  lineId: string;
  category: CostCategory;
  amountJpy: number;
  evidenceRef: string;
  persons?: number;
  description?: string;
  submittedBy: string;
  submittedAt: string;
}
