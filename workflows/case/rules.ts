/**
 * Rule changes that running cases must not see halfway through a run. Each is a `patched()` marker decided once, at
 * the start of a run: a run recorded before the change replays without the marker and keeps the old rule to its end;
 * every new run (and every run after continue-as-new) follows the new rule. Deciding once keeps the queries (which
 * validate commands) free of patch calls, and a run from following two rules at once.
 *
 * The rulebook: a run that starts now records one marker, `RULEBOOK_PATCH`, and follows every rule of `RULE_PATCHES`
 * and every change of `RULEBOOK_CHANGES` (those that older runs meet mid-run). Before it each new run recorded a
 * marker per rule and per change it met, and the SDK adds a `TemporalChangeVersion` upsert to every marker: 2 × 22
 * events in a young case, half of its history, which every workflow task replays (workers keep no workflow cache).
 * Runs recorded before the rulebook replay their own markers as before. Both lists are closed: a rule or change
 * made after the rulebook asks a patch of its own in every run, until a next rulebook takes it in.
 */
import { patched } from '@temporalio/workflow';

export interface CaseRules {
  /** The run follows the rulebook (`RULEBOOK_PATCH`): every rule here holds, and so does every change of `changeApplies`. */
  rulebook: boolean;
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
  /** At filing the claims team gets a "new case filed" e-mail, not an assignment; assignment mail comes from `assign`. */
  newCaseMail: boolean;
  /**
   * A campaign whose list has persons without e-mail dispatches the print-and-mail vendor first (an engagement in
   * `vendors`), and that vendor's `letters_mailed` events count on the case (`notifications.lettersMailed`).
   */
  printVendorEngaged: boolean;
  /** Every change of the reserve is kept with when, why and by whom (`reserve.history`). */
  reserveHistory: boolean;
  /**
   * A closed or denied case keeps running (resting, no clocks) for `reopenRetentionMs` so that a supervisor may
   * `reopen` it; runs without the rule complete when they close, and such cases cannot be reopened.
   */
  reopenable: boolean;
  /**
   * The coverage decision is due two Japanese business days after the report (`coverage.decideBy`): the case keeps a
   * timer for it, and when it passes with coverage still provisional it escalates to supervisors (an e-mail and
   * `coverage.escalatedAt`).
   */
  coverageDue: boolean;
  /**
   * A command that ended the case among the signals delivered with its start (an insured's withdrawal sent before the
   * first task ran) stands: intake assesses the case and stops, instead of moving it on to triage and response.
   */
  endedBeforeIntake: boolean;
  /**
   * A list uploaded after the first list's campaign started is a new notification wave (de-duplicated at upload
   * against every earlier wave), notified by a campaign of its own; `notifications.waves[]` counts each and the
   * persons obligations are done when every wave is. Unreachable persons (failed e-mails, returned letters) are
   * counted, and a substitute-measure duty follows. Runs without the rule refuse a list once notices went out.
   */
  notificationWaves: boolean;
  /**
   * The case drafts a filing per regulator obligation and persons notice (`filings` in the view, versioned on every
   * change), takes `edit-filing` commands, keeps the findings' notes for the drafts (`findingsLog`), and a
   * `record-filing` may name the version filed with its document's hash (workflows/case/filings.ts).
   */
  filingDrafts: boolean;
  /**
   * The notice to persons is a versioned draft per notice language (`noticeDrafts` in the view), edited through
   * `edit-notice-draft` and approved by counsel (webhook `notice_approved`, or `approve-notice-draft` on its behalf);
   * `approve-notice` is refused (`notice_draft_not_approved`) until the language's current version is approved, and
   * the campaigns send the approved documents (workflows/case/notice-draft.ts).
   */
  noticeDrafts: boolean;
  /**
   * `engage-vendor` engages any panel role (call centre, PR, credit monitoring, recurrence prevention, and counsel,
   * forensics, print-and-mail by hand), an insured's request waiting for consent where the policy asks for it; each
   * role has its acknowledgement SLA (domain `ackSlaMs`); a campaign of more than 1,000 notices engages the call centre
   * first, briefed with its FAQ, and its notices print the call centre's number; `enquiries_reported` events count on
   * `services.callCenter` (workflows/case/vendors.ts). Runs without the rule refuse `engage-vendor`.
   */
  engageVendor: boolean;
  /**
   * Credit monitoring (workflows/case/services.ts): offered in the notice, with an enrolment code per person, when any
   * leaked item carries the financial-risk flag (`services.creditMonitoring`); `record-enrolment` commands count the
   * enrolments, and a `credit_monitoring` cost line cites them as its evidence (held while there are none).
   */
  creditMonitoring: boolean;
  /**
   * A recurrence-prevention plan (`services.preventionPlan`) from the findings and counsel's advice, kept by
   * `update-prevention-measure`, with an e-mail reminder before each measure's due date; the filings' prevention
   * measures word its progress.
   */
  preventionPlan: boolean;
  /**
   * Work that does not wait on other work leaves in one workflow task (workers keep no workflow cache, so each task
   * replays the case): intake dispatches counsel and forensics from the panel in the case's input and sends its two
   * e-mails together (workflows/case/intake.ts), and each drain of the outbox sends to everyone at once, one e-mail
   * after another per recipient so that a person's e-mails keep their order (workflows/case/messages.ts).
   */
  sendsTogether: boolean;
}

/** The rules of `RULE_PATCHES`; a rule made after the rulebook is excluded here and listed in `LATER_RULE_PATCHES`. */
type RulebookRule = Exclude<keyof CaseRules, 'rulebook' | keyof typeof LATER_RULE_PATCHES>;

/** One marker for every rule of `RULE_PATCHES` and every change of `RULEBOOK_CHANGES` (see the top of this file). */
export const RULEBOOK_PATCH = 'case-rulebook-1';

/** The rules the rulebook brings, each with the patch a run from before it recorded. Closed: see `LATER_RULE_PATCHES`. */
export const RULE_PATCHES: Readonly<Record<RulebookRule, string>> = {
  personsNoticeAnchor: 'persons-notice-anchor',
  overdueInNextDeadline: 'next-deadline-includes-overdue',
  filingNeedsAudience: 'filing-needs-audience',
  encryptedFindings: 'encrypted-findings',
  payoutApprovalMail: 'payout-approval-mail',
  findingsChecked: 'findings-checked',
  consentPanelVendor: 'consent-panel-vendor',
  readModel: 'case-read-model',
  newCaseMail: 'new-case-mail',
  printVendorEngaged: 'print-vendor-engaged',
  reserveHistory: 'reserve-history',
  reopenable: 'reopenable-after-close',
  coverageDue: 'coverage-decision-due',
  endedBeforeIntake: 'ended-before-intake',
  notificationWaves: 'notification-waves',
  filingDrafts: 'filing-drafts',
  noticeDrafts: 'notice-drafts',
  engageVendor: 'engage-vendor',
  creditMonitoring: 'credit-monitoring',
  preventionPlan: 'prevention-plan',
};

/**
 * Rules made after the rulebook: each asks its own patch in every run, rulebook runs included (they were recorded
 * without it), until a next rulebook takes it in.
 */
export const LATER_RULE_PATCHES = {
  sendsTogether: 'sends-together',
} as const satisfies Partial<Record<keyof CaseRules, string>>;

/**
 * Changes that runs from before them meet mid-run, asked where they happen (a signal handler, a step of the main
 * loop) with `changeApplies`; the rulebook brings every one. Closed like `RULE_PATCHES`: a change made after the
 * rulebook calls `patched()` itself, in rulebook runs too.
 */
export const RULEBOOK_CHANGES = {
  /** Signals must carry the API's signature (workflows/case/trust.ts). */
  signedMessages: 'signed-messages',
  /** A vendor event counts only for the engagement it names (workflows/case/vendors.ts). */
  vendorEngagementBound: 'vendor-engagement-bound',
  /** A campaign's progress carries the token the case gave it (workflows/case/notification.ts). */
  campaignToken: 'campaign-progress-token',
  /** A run continues as new at its own history bound (workflows/incident-case.ts). */
  boundedRun: 'bounded-run-history',
  /** A change made while a pass awaits runs another pass (workflows/incident-case.ts). */
  lateChange: 'late-change-runs-a-pass',
} as const;

export function caseRules(): CaseRules {
  const rulebook = patched(RULEBOOK_PATCH);
  const rules: Record<string, boolean> = { rulebook };
  for (const [rule, patchId] of Object.entries(RULE_PATCHES)) rules[rule] = rulebook || patched(patchId);
  for (const [rule, patchId] of Object.entries(LATER_RULE_PATCHES)) rules[rule] = patched(patchId);
  return rules as unknown as CaseRules;
}

/**
 * Whether a change of `RULEBOOK_CHANGES` applies now: always in a run that follows the rulebook, with no marker; in a
 * run from before it, as the change's own patch says (a run recorded before the change replays without it).
 */
export function changeApplies(c: { readonly rules: CaseRules }, change: keyof typeof RULEBOOK_CHANGES): boolean {
  return c.rules.rulebook || patched(RULEBOOK_CHANGES[change]);
}
