/**
 * The activities' signatures, as workflows see them. Workflows import this module by type only; the worker
 * registers `createActivities(deps)` (activities/index.ts), which must satisfy it.
 */
import type { Cause, DataItem, Faq } from '../domain/index.js';
import type { EmailMessage } from './email/render.js';
import type { DrawGrant, DrawRequest } from '../workflows/policy-ledger.js';
import type { PanelVendor, PersonsListRefInput, TrustedKey } from '../workflows/contract.js';

/** Who an e-mail goes to: an address the case holds (the insured's contact) or a principal resolved by the worker. */
export type Recipient =
  | { kind: 'address'; address: string; key: string }
  | { kind: 'principal'; name: string }
  | { kind: 'role'; role: 'handler' | 'supervisor' };

export interface SendEmailRequest {
  caseId: string;
  /** What the message is for; with the recipient it makes the deterministic Message-ID. */
  purpose: string;
  to: Recipient;
  message: EmailMessage;
}

export interface SendEmailResult {
  delivered: number;
  rejected: number;
  messageIds: string[];
}

export interface DispatchRequest {
  caseId: string;
  dispatchId: string;
  vendorId: string;
  role: PanelVendor['role'];
  /** `faq`: a call centre's FAQ in each notice language (domain `draftFaq`: the case's facts, no personal data). */
  brief: { cause?: Cause; dataItems?: DataItem[]; affectedPersons?: number; discoveredAt?: string; occurredAt?: string; faq?: Faq[] };
}

export interface NoticeContent {
  insuredName: string;
  caseRef: string;
  incidentOverview: string;
  dataItems: string[];
  cause: string;
  secondaryDamageRisk: string;
  /** With `ofInsured`, `name` is the insured's and each notice words "its customer enquiry desk" in its language. */
  /** `callCenter`: the desk is the call centre the case engaged (rule `engageVendor`), its number printed even on an approved text. */
  contactDesk: { name: string; ofInsured?: boolean; callCenter?: boolean; phone?: string; email?: string; hours?: string };
  regimes: string[];
  measures?: string;
  /**
   * The approved notice drafts (rule `noticeDrafts`): each person gets the document of its language, or of
   * `defaultLanguage` when its language has none; read from the blob store by key and checked against its SHA-256.
   */
  approved?: { defaultLanguage: 'ja' | 'en'; documents: { language: 'ja' | 'en'; version: number; key: string; sha256: string }[] };
  /** Credit monitoring is offered: each notice carries the person's enrolment code (lib/enrolment-codes.ts). */
  creditMonitoring?: boolean;
}

export interface NoticeSliceRequest {
  caseId: string;
  campaignNo: number;
  ref: PersonsListRefInput;
  from: number;
  count: number;
  notice: NoticeContent;
  /** Apology code per person when the policy covers apology payments and the handler consented. */
  apology: { perPersonJpy: number } | null;
  printVendorId: string | null;
}

export interface NoticeSliceResult {
  processed: number;
  sent: number;
  failed: number;
  letters: number;
}

export interface PaymentRequest {
  caseId: string;
  payoutId: string;
  amountJpy: number;
  insuredId: string;
}

export interface PaymentResult {
  paymentId: string;
  paidAt: string;
  amountJpy: number;
}

export interface CaseActivities {
  loadPanel(): Promise<PanelVendor[]>;
  sendEmail(request: SendEmailRequest): Promise<SendEmailResult>;
  dispatchVendor(request: DispatchRequest): Promise<{ accepted: boolean }>;
  drawFromPolicy(request: DrawRequest & { policyNumber: string }): Promise<DrawGrant>;
  makePayment(request: PaymentRequest): Promise<PaymentResult>;
  sendNoticeSlice(request: NoticeSliceRequest): Promise<NoticeSliceResult>;
  /** The public keys this worker's configuration trusts for the API's signatures (rotation, older cases). */
  trustedKeys(): Promise<TrustedKey[]>;
}
