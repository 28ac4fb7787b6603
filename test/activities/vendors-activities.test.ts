import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVendorActivities, type VendorActivities } from '../../activities/vendors/activities.js';
import { createPaymentClient, createVendorClient } from '../../activities/vendors/client.js';
import { startSandbox, type VendorSandbox } from '../../sandbox/vendor-service.js';

let sandbox: VendorSandbox;
let activities: VendorActivities;

beforeAll(async () => {
  sandbox = await startSandbox({
    vendors: [{ vendorId: 'vnd-f', role: 'forensics', secret: 's' }],
    timing: { holdMs: 1_000 },
  });
  activities = createVendorActivities({
    vendors: createVendorClient({ baseUrl: sandbox.url, retries: 1, backoffMs: 5 }),
    payments: createPaymentClient({ baseUrl: sandbox.url, retries: 1, backoffMs: 5, timeoutMs: 150 }),
  });
});
afterAll(async () => {
  await sandbox?.close();
});

describe('vendor activities', () => {
  it('dispatches through the client', async () => {
    await expect(
      activities.dispatchVendor({ caseId: 'c', dispatchId: 'd-1', vendorId: 'vnd-f', role: 'forensics', brief: { cause: 'misdelivery' } }),
    ).resolves.toEqual({ accepted: true });
  });

  it('fails for good on a refused request or a brief outside the vocabulary', async () => {
    const refused = await activities
      .dispatchVendor({ caseId: 'c', dispatchId: 'd-2', vendorId: 'vnd-none', role: 'forensics', brief: {} })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ type: 'VendorRequestError', nonRetryable: true });

    const odd = await activities
      .dispatchVendor({ caseId: 'c', dispatchId: 'd-3', vendorId: 'vnd-f', role: 'forensics', brief: JSON.parse('{"cause":"aliens"}') })
      .catch((e: unknown) => e);
    expect(odd).toMatchObject({ type: 'InvalidDispatchBrief', nonRetryable: true });
  });

  it('leaves a timed-out payment retryable, and the retry returns the one payment made', async () => {
    sandbox.setFaults({ rate: 1, modes: ['timeout'] });
    const request = { caseId: 'c', payoutId: 'po-1', amountJpy: 30_000, insuredId: 'ins-001' };
    const failed = await activities.makePayment(request).catch((e: unknown) => e);
    expect(failed).toMatchObject({ type: 'VendorRequestError', nonRetryable: false });
    sandbox.setFaults({ rate: 0, modes: [] });
    const paid = await activities.makePayment(request);
    expect(paid).toMatchObject({ amountJpy: 30_000 });
    expect(sandbox.payments()).toHaveLength(1);
    expect(sandbox.payments()[0]?.paymentId).toBe(paid.paymentId);
  });
});
