/** The case's activities, by type only (the worker registers the code). */
import { proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../../activities/contract.js';

/**
 * E-mails, dispatches and the quick reads. The e-mails and dispatches heartbeat while their call is in flight, so an
 * attempt whose worker died is retried within seconds: without the heartbeat time-out it waited for its start-to-close
 * minute, and intake's four activities, in flight together, made a kill there likely to cost the case a minute.
 * (Activity options are not part of what a replay checks: running cases take it at their next activity.)
 */
export const acts = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
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
