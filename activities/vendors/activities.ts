import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DispatchBriefSchema } from '../../lib/vendor-events.js';
import type { CaseActivities, DispatchRequest, PaymentRequest, PaymentResult } from '../contract.js';
import { VendorRequestError, type PaymentClient, type VendorClient } from './client.js';

export type VendorActivities = Pick<CaseActivities, 'dispatchVendor' | 'makePayment'>;

/** The cancellation signal when running as an activity; nothing when called directly (tests, scripts). */
function activitySignal(): { signal?: AbortSignal } {
  try {
    return { signal: Context.current().cancellationSignal };
  } catch {
    return {};
  }
}

/**
 * Hands Temporal the client's verdict: a refused request fails the activity for good, an exhausted one lets the
 * activity's retry policy try again later with the same idempotency key.
 */
function toFailure(err: unknown): unknown {
  if (!(err instanceof VendorRequestError)) return err;
  return ApplicationFailure.create({
    type: 'VendorRequestError',
    message: err.message,
    nonRetryable: !err.retryable,
    details: [{ operation: err.operation, status: err.status, problemType: err.problemType, attempts: err.attempts }],
    cause: err,
  });
}

export function createVendorActivities(deps: { vendors: VendorClient; payments: PaymentClient }): VendorActivities {
  return {
    async dispatchVendor(request: DispatchRequest): Promise<{ accepted: boolean }> {
      const brief = DispatchBriefSchema.safeParse(request.brief);
      if (!brief.success) {
        throw ApplicationFailure.nonRetryable('dispatch brief outside the domain vocabulary', 'InvalidDispatchBrief');
      }
      try {
        const receipt = await deps.vendors.dispatch(
          {
            vendorId: request.vendorId,
            dispatchId: request.dispatchId,
            caseId: request.caseId,
            role: request.role,
            brief: brief.data,
          },
          activitySignal(),
        );
        return { accepted: receipt.accepted };
      } catch (err) {
        throw toFailure(err);
      }
    },

    async makePayment(request: PaymentRequest): Promise<PaymentResult> {
      try {
        const paid = await deps.payments.pay(
          {
            payoutId: request.payoutId,
            caseId: request.caseId,
            amountJpy: request.amountJpy,
            payee: { insuredId: request.insuredId },
          },
          activitySignal(),
        );
        return { paymentId: paid.paymentId, paidAt: paid.paidAt, amountJpy: paid.amountJpy };
      } catch (err) {
        throw toFailure(err);
      }
    },
  };
}
