/**
 * What the services track records (workflows/case/services.ts): credit monitoring for the affected persons and the
 * recurrence-prevention plan, and the call centre that workflows/case/vendors.ts engages: an object of optional keys,
 * each there once its service starts.
 */
import type { CreditMonitoringService, PreventionMeasure } from '../../domain/rules.js';
import type { Actor } from './case.js';

export interface CaseServices {
  /** Rule `engageVendor`: the call centre engaged now (the latest not replaced), its enquiry number and the enquiries it reported. */
  callCenter?: { vendorId: string; phone: string | null; enquiries: number; dispatchId: string; engagedAt: string; reportedAt?: string };
  /** Rule `creditMonitoring`: offered when any leaked item carries the financial-risk flag; enrolments counted. */
  creditMonitoring?: CreditMonitoringService;
  /** Rule `preventionPlan`: the measures, from the findings and counsel's advice, with owners and due dates. */
  preventionPlan?: PreventionMeasure[];
}

/**
 * A credit-monitoring enrolment (`POST /v1/cases/{caseId}/credit-monitoring/enrolments`): the API verified the code
 * and won its single use in the enrolment ledger (blob store) first; the case counts it. The code itself never
 * travels: `ledgerKey` is the hash of its canonical form, `campaignNo` the campaign that issued it.
 */
export const RECORD_ENROLMENT = 'record-enrolment';

export interface RecordEnrolmentRequest {
  actor: Actor;
  enrolment: { ledgerKey: string; campaignNo: number; enrolledAt: string };
}
