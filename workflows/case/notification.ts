/**
 * Notification track: the affected-person list (attached by reference, never the persons), the notice text's
 * approval, and the campaign child that notifies every person; its progress comes back by signal, and the persons
 * obligations are done when it ends.
 */
import { ParentClosePolicy, patched, setHandler, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { secondaryDamageRisk } from '../../domain/index.js';
import { campaignProgressSignal, campaignWorkflowId, type AttachPersonsRequest } from '../contract.js';
import { personsListSummary } from '../case-view.js';
import { notificationCampaign } from '../notification-campaign.js';
import type { CommandTable } from './command.js';
import { isTerminal, nowIso, record, refuse, type CaseContext } from './state.js';
import { publishCase } from './read-model.js';
import { assess, caseFacts } from './triage.js';
import { dispatch } from './vendors.js';

/** From this patch on a campaign's progress must carry the token the case gave it. */
const CAMPAIGN_TOKEN_PATCH = 'campaign-progress-token';

export const notificationCommands: CommandTable<'approve-notice'> = {
  'approve-notice': {
    check(c) {
      if (c.v.coverage.decision === 'denied') refuse('wrong_state', 'coverage is denied');
      if (c.v.notice.approved) refuse('nothing_to_do', 'the notice is already approved');
    },
    apply(c, b, actor) {
      c.v.notice = { approved: true, language: b.language, templateVersion: b.templateVersion ?? 'v1', approvedBy: actor.name, approvedAt: nowIso() };
      record(c, 'notice', actor.name, `notice text approved (${b.language}, ${c.v.notice.templateVersion})`);
    },
  },
};

export function checkAttachPersons(c: CaseContext, { actor }: AttachPersonsRequest): void {
  const { v, s } = c;
  if (actor.role === 'insured' && actor.insuredId !== v.insuredId) refuse('not_found', `case ${v.caseId} not found`);
  if (!['insured', 'handler', 'supervisor'].includes(actor.role)) refuse('forbidden', `role ${actor.role} may not upload`);
  if (isTerminal(v.status)) refuse('wrong_state', `case is ${v.status}`);
  if (s.campaignRunning || s.campaignNo > 0) refuse('wrong_state', 'notices were already sent from an earlier list');
}

export function attachPersons(c: CaseContext, { actor, ref }: AttachPersonsRequest): void {
  c.v.affectedPersonsList = personsListSummary(ref);
  c.s.personsRef = ref;
  record(c, 'persons', actor.name, `affected-person list attached: ${ref.accepted} persons (${ref.duplicates} duplicates, ${ref.rejected} rejected)`);
}

export function registerCampaignProgress(c: CaseContext): void {
  setHandler(campaignProgressSignal, (p) => {
    const { v, s } = c;
    if (p?.campaignNo !== s.campaignNo) return;
    if (s.campaignToken !== undefined && p.token !== s.campaignToken) {
      // Progress comes only from the campaign child, which carries the case's token; anything else is forged.
      record(c, 'refused', 'system', `campaign progress refused: it does not carry campaign ${s.campaignNo}'s token`);
      if (c.rules.readModel) publishCase(c);
      return;
    }
    const mailed = v.notifications.lettersMailed;
    v.notifications = {
      total: p.total,
      sent: p.sent,
      failed: p.failed,
      letters: p.letters,
      status: p.done ? 'done' : 'sending',
      // The print vendor's confirmations may arrive before the campaign's progress does.
      ...(mailed !== undefined ? { lettersMailed: mailed } : {}),
    };
    if (p.done) {
      s.campaignRunning = false;
      record(c, 'notification', 'campaign', `campaign ${p.campaignNo} done: ${p.sent} e-mails, ${p.letters} letters, ${p.failed} failed`);
      for (const o of v.obligations) {
        if (o.audience === 'persons' && (o.status === 'pending' || o.status === 'overdue')) {
          o.status = 'done';
          o.filedAt = nowIso();
          o.reference = campaignWorkflowId(v.caseId, p.campaignNo);
        }
      }
      // Clocks that run from the notice to persons (the California AG's sample copy) now run from when it went out.
      if (c.rules.personsNoticeAnchor) assess(c, 'system', 'persons notified');
    }
    c.dirty = true;
    if (c.rules.readModel) publishCase(c);
  });
}

/** The main loop's step: starts the campaign once the list is attached, the notice approved and coverage not denied. */
export async function maybeStartCampaign(c: CaseContext): Promise<void> {
  const { v, s, policy, report, input } = c;
  if (s.campaignRunning || s.campaignNo > 0 || !s.personsRef || !v.notice.approved) return;
  if (v.coverage.decision === 'denied' || isTerminal(v.status)) return;
  s.campaignNo += 1;
  s.campaignRunning = true;
  if (patched(CAMPAIGN_TOKEN_PATCH)) s.campaignToken = uuid4();
  else delete s.campaignToken;
  const apologyTerms = policy.categories.apology_payment;
  const consented = v.consents.some((x) => x.category === 'apology_payment');
  const f = caseFacts(c);
  const personsRegimes = [...new Set(v.obligations.filter((o) => o.audience === 'persons').map((o) => o.regime))];
  v.notifications = { total: s.personsRef.accepted, sent: 0, failed: 0, letters: 0, status: 'sending' };
  record(c, 'notification', 'system', `campaign ${s.campaignNo} started for ${s.personsRef.accepted} persons`);
  let printVendorId = s.panel.find((p) => p.role === 'print_and_mail')?.vendorId ?? null;
  if (c.rules.printVendorEngaged) {
    // Persons without e-mail get letters: the print vendor is engaged (briefed with the number of letters) before
    // the campaign hands it any, so its confirmation finds the engagement it belongs to.
    printVendorId = null;
    if (s.personsRef.withoutEmail > 0) {
      await dispatch(c, 'print_and_mail', 'system', { affectedPersons: s.personsRef.withoutEmail });
      printVendorId = [...v.vendors].reverse().find((e) => e.role === 'print_and_mail')?.vendorId ?? null;
    }
  }
  await startChild(notificationCampaign, {
    workflowId: campaignWorkflowId(v.caseId, s.campaignNo),
    parentClosePolicy: ParentClosePolicy.ABANDON,
    args: [
      {
        caseId: v.caseId,
        campaignNo: s.campaignNo,
        parentWorkflowId: workflowInfo().workflowId,
        ref: s.personsRef,
        sliceSize: input.settings.campaignSliceSize,
        notice: {
          insuredName: policy.insuredName,
          caseRef: v.caseId,
          incidentOverview: report.description,
          dataItems: [...f.dataItems],
          cause: f.cause,
          secondaryDamageRisk: secondaryDamageRisk([...f.dataItems]),
          contactDesk: {
            name: policy.insuredName,
            ofInsured: true,
            ...(report.contact.phone ? { phone: report.contact.phone } : {}),
            email: report.contact.email,
          },
          regimes: personsRegimes,
        },
        apology: apologyTerms && consented && apologyTerms.perVictimCapJpy ? { perPersonJpy: apologyTerms.perVictimCapJpy } : null,
        printVendorId,
        ...(s.campaignToken ? { token: s.campaignToken } : {}),
      },
    ],
  });
}
