/** Names and ids: task queue, workflow types, workflow ids, and the search attributes the case list is built from. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DEFAULT_TASK_QUEUE = 'breach-claims';
export const CASE_WORKFLOW_TYPE = 'incidentCase';
export const CAMPAIGN_WORKFLOW_TYPE = 'notificationCampaign';
export const POLICY_WORKFLOW_TYPE = 'policyLedger';
export const CONSULTATION_WORKFLOW_TYPE = 'consultation';

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;

/** `case-<caseId>`: the business id is the workflow id, so a duplicate start is refused by Temporal itself. */
export function caseWorkflowId(caseId: string): string {
  if (!CASE_ID.test(caseId)) throw new Error(`invalid case id: ${JSON.stringify(caseId)}`);
  return `case-${caseId}`;
}

export function caseIdFromWorkflowId(workflowId: string): string | undefined {
  return workflowId.startsWith('case-') ? workflowId.slice('case-'.length) : undefined;
}

export function policyWorkflowId(policyNumber: string): string {
  return `policy-${policyNumber}`;
}

/** `consultation-<consultationId>`: one workflow per consultation of the 24-hour desk. */
export function consultationWorkflowId(consultationId: string): string {
  if (!CASE_ID.test(consultationId)) throw new Error(`invalid consultation id: ${JSON.stringify(consultationId)}`);
  return `consultation-${consultationId}`;
}

export function consultationIdFromWorkflowId(workflowId: string): string | undefined {
  return workflowId.startsWith('consultation-') ? workflowId.slice('consultation-'.length) : undefined;
}

export function campaignWorkflowId(caseId: string, campaignNo: number): string {
  return `campaign-${caseId}-${campaignNo}`;
}

// Search attributes kept current by the case workflow, so the case list is one visibility query.
export const SA = {
  status: defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD),
  severity: defineSearchAttributeKey('CaseSeverity', SearchAttributeType.KEYWORD),
  insuredId: defineSearchAttributeKey('InsuredId', SearchAttributeType.KEYWORD),
  policyNumber: defineSearchAttributeKey('PolicyNumber', SearchAttributeType.KEYWORD),
  nextDeadline: defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME),
  overdue: defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL),
  overdueObligations: defineSearchAttributeKey('OverdueObligations', SearchAttributeType.INT),
  slaBreaches: defineSearchAttributeKey('VendorSlaBreaches', SearchAttributeType.INT),
  assignedTo: defineSearchAttributeKey('AssignedTo', SearchAttributeType.KEYWORD),
  reportedAt: defineSearchAttributeKey('ReportedAt', SearchAttributeType.DATETIME),
} as const;

/**
 * The consultation list's own attribute; a consultation also carries `InsuredId` and `PolicyNumber` of `SA` (and
 * `NextDeadline`, its acknowledgement due time while open). Never the contact: it is personal data.
 */
export const CONSULTATION_SA = {
  status: defineSearchAttributeKey('ConsultationStatus', SearchAttributeType.KEYWORD),
} as const;

const CLI_TYPES: Partial<Record<SearchAttributeType, { cliType: string; indexedValueType: number }>> = {
  [SearchAttributeType.KEYWORD]: { cliType: 'Keyword', indexedValueType: 2 },
  [SearchAttributeType.INT]: { cliType: 'Int', indexedValueType: 3 },
  [SearchAttributeType.BOOL]: { cliType: 'Bool', indexedValueType: 5 },
  [SearchAttributeType.DATETIME]: { cliType: 'Datetime', indexedValueType: 6 },
};

/** For server start-up, from `SA` and `CONSULTATION_SA`: the CLI's `--search-attribute Name=Type` and the operator API's enum value. */
export const CASE_SEARCH_ATTRIBUTES: readonly { name: string; cliType: string; indexedValueType: number }[] = [...Object.values(SA), ...Object.values(CONSULTATION_SA)].map(
  (key) => {
    const type = CLI_TYPES[key.type];
    if (!type) throw new Error(`search attribute ${key.name}: no server type for ${key.type}`);
    return { name: key.name, ...type };
  },
);
