/** The case's activities, by type only (the worker registers the code). */
import { proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../../activities/contract.js';

export const acts = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * Money leaves through here: a longer time-out, and the payment key makes every retry the same payment. The activities
 * heartbeat while their call is in flight, so an attempt whose worker died is retried within seconds, not minutes.
 */
export const money = proxyActivities<Pick<CaseActivities, 'drawFromPolicy' | 'makePayment'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
