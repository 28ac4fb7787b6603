/** The case's vendors: the panel it draws from, its engagements, and the insured's requests waiting for consent. */
import type { CostCategory, VendorRole } from '../../domain/rules.js';
import type { VendorEventInput } from './messages.js';

export interface PanelVendor {
  vendorId: string;
  role: VendorRole;
  name: string;
  /** A call centre's enquiry number, printed on the notices once it is engaged (the vendor may open another line). */
  phone?: string;
}

export interface VendorEngagement {
  dispatchId: string;
  vendorId: string;
  role: PanelVendor['role'];
  dispatchedAt: string;
  ackDueAt: string;
  status: 'dispatched' | 'acknowledged' | 'replaced' | 'failed';
  acknowledgedAt?: string;
  slaBreached: boolean;
  invoicedJpy: number;
  /** Who engaged it by `engage-vendor` and why (absent for the engagements the case makes itself). */
  engagedBy?: string;
  reason?: string;
}

/** An `engage-vendor` of the insured waiting for the insurer's consent to the role's cost category. */
export interface VendorRequest {
  requestId: string;
  role: VendorRole;
  vendorId: string;
  category: CostCategory;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  status: 'awaiting_consent';
}

/** A vendor's finding that would lower the persons, move the occurrence date or lift a duty, with before and after. */
export interface HeldFindings {
  findingsId: string;
  vendorId: string;
  at: string;
  concerns: string[];
  before: { affectedPersons: number; occurredAt: string | null; obligations: string[] };
  after: { affectedPersons: number; occurredAt: string | null; obligations: string[] };
  findings: VendorFindings;
}

/** What a vendor's findings may state (the `findings` of a vendor event). */
export type VendorFindings = NonNullable<VendorEventInput['findings']>;
