/**
 * Rule changes that running cases must not see halfway through a run. Each is a `patched()` marker decided once, at
 * the start of a run: a run recorded before the change replays without the marker and keeps the old rule to its end;
 * every new run (and every run after continue-as-new) records the marker and follows the new rule. Deciding once
 * keeps the queries (which validate commands) free of patch calls, and a run from following two rules at once.
 */
import { patched } from '@temporalio/workflow';

export interface CaseRules {
  /** Obligations counted from the notice to persons (US-CA AG copy) run from when notices went out. */
  personsNoticeAnchor: boolean;
  /** The next deadline includes overdue obligations (the earliest open one), and skips those no longer applying. */
  overdueInNextDeadline: boolean;
  /** A filing that matches more than one obligation (GDPR's two notices) is refused until it names the audience. */
  filingNeedsAudience: boolean;
  /** `record-findings` may state that the data was encrypted, and the obligations follow. */
  encryptedFindings: boolean;
  /** A payout over the requester's authority asks supervisors with its own e-mail, not the consent request. */
  payoutApprovalMail: boolean;
  /** A handler's findings must be possible (occurrence not after discovery nor in the future, persons in bounds). */
  findingsChecked: boolean;
  /** A consent for one vendor names a vendor of the case's panel. */
  consentPanelVendor: boolean;
  /** The case keeps its read model in its memo (see read-model.ts). */
  readModel: boolean;
}

export const RULE_PATCHES: Readonly<Record<keyof CaseRules, string>> = {
  personsNoticeAnchor: 'persons-notice-anchor',
  overdueInNextDeadline: 'next-deadline-includes-overdue',
  filingNeedsAudience: 'filing-needs-audience',
  encryptedFindings: 'encrypted-findings',
  payoutApprovalMail: 'payout-approval-mail',
  findingsChecked: 'findings-checked',
  consentPanelVendor: 'consent-panel-vendor',
  readModel: 'case-read-model',
};

export function caseRules(): CaseRules {
  const rules = {} as Record<keyof CaseRules, boolean>;
  for (const [rule, patchId] of Object.entries(RULE_PATCHES) as [keyof CaseRules, string][]) rules[rule] = patched(patchId);
  return rules;
}
