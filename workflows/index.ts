// The worker's workflow bundle entry: every workflow type the task queue serves.
export { incidentCase } from './incident-case.js';
export { notificationCampaign } from './notification-campaign.js';
export { policyLedger } from './policy-ledger.js';
export { consultation } from './consultation.js';
