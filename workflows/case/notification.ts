/**
 * Notification track: the affected-person list (attached by reference, never the persons), the notice text's
 * approval, and the campaign child that notifies every person; its progress comes back by signal, and the persons
 * obligations are done when it ends.
 */
import { ParentClosePolicy, setHandler, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { CALL_CENTER_NOTICE_THRESHOLD, callCenterNeeded, secondaryDamageRisk } from '../../domain/rules.js';
import { refreshSubstituteMeasures } from './announcements.js';
import { campaignProgressSignal, campaignWorkflowId, type AttachPersonsRequest, type CampaignProgress, type NotificationWave, type PersonsListRefInput } from '../contract.js';
import { personsListSummary } from '../case-view.js';
import { notificationCampaign } from '../notification-campaign.js';
import type { CommandTable } from './command.js';
import { noteOfferingCampaign, offersCreditMonitoring } from './services.js';
import { isTerminal, nowIso, record, refuse, type CaseContext } from './state.js';
import { changeApplies } from './rules.js';
import { publishCase } from './read-model.js';
import { assess, caseFacts } from './triage.js';
import { dispatch } from './vendors.js';
import { activeCallCenter } from './engagements.js';
import { checkNoticeApproved, freezeNoticeDocuments } from './notice-draft.js';

export const notificationCommands: CommandTable<'approve-notice'> = {
  'approve-notice': {
    check(c, b) {
      if (c.v.coverage.decision === 'denied') refuse('wrong_state', 'coverage is denied');
      if (c.v.notice.approved) refuse('nothing_to_do', 'the notice is already approved');
      checkNoticeApproved(c, b);
    },
    apply(c, b, actor) {
      c.v.notice = { approved: true, language: b.language, templateVersion: b.templateVersion ?? 'v1', approvedBy: actor.name, approvedAt: nowIso() };
      freezeNoticeDocuments(c);
      const drafts = c.v.notice.documents?.map((d) => `${d.language}:${d.version}`).join(', ');
      record(c, 'notice', actor.name, drafts ? `notice approved (${b.language}): sends the approved drafts ${drafts}` : `notice text approved (${b.language}, ${c.v.notice.templateVersion})`);
    },
  },
};

export function checkAttachPersons(c: CaseContext, { actor, ref }: AttachPersonsRequest): void {
  const { v, s } = c;
  if (actor.role === 'insured' && actor.insuredId !== v.insuredId) refuse('not_found', `case ${v.caseId} not found`);
  if (!['insured', 'handler', 'supervisor'].includes(actor.role)) refuse('forbidden', `role ${actor.role} may not upload`);
  if (isTerminal(v.status)) refuse('wrong_state', `case is ${v.status}`);
  if (c.rules.notificationWaves) {
    // Before the first campaign starts, a list replaces the first; after, it is a new wave, which must have been
    // de-duplicated against exactly the waves the case has (another upload may have become a wave meanwhile).
    const earlier = s.campaignNo > 0 ? (s.waves ?? []).map((w) => w.ref.uploadId) : [];
    const against = ref.earlierWaves ?? [];
    if (earlier.length !== against.length || earlier.some((id, i) => id !== against[i])) {
      if (earlier.length === 0) refuse('wrong_state', 'no campaign has started: the list replaces the first one');
      refuse('wrong_state', 'the case has other waves than the list was checked against: upload it again');
    }
    return;
  }
  if (s.campaignRunning || s.campaignNo > 0) refuse('wrong_state', 'notices were already sent from an earlier list');
}

export function attachPersons(c: CaseContext, request: AttachPersonsRequest): void {
  const { actor, ref } = request;
  if (c.rules.notificationWaves && c.s.campaignNo > 0) {
    attachWave(c, request);
    return;
  }
  c.v.affectedPersonsList = personsListSummary(ref);
  c.s.personsRef = ref;
  if (c.rules.notificationWaves) {
    c.s.waves = [{ wave: 1, ref, done: false }];
    c.v.notifications.waves = [newWave(1, ref)];
    c.v.notifications.unreachable ??= 0;
  }
  record(c, 'persons', actor.name, `affected-person list attached: ${ref.accepted} persons (${ref.duplicates} duplicates, ${ref.rejected} rejected)`);
}

function newWave(wave: number, ref: PersonsListRefInput): NotificationWave {
  return {
    wave,
    uploadId: ref.uploadId,
    checksum: ref.checksum,
    total: ref.accepted,
    sent: 0,
    failed: 0,
    bounced: 0,
    letters: 0,
    lettersReturned: 0,
    duplicatesRemoved: ref.duplicatesRemoved ?? 0,
    status: 'not_started',
  };
}

/**
 * A follow-up wave: the persons obligations a campaign marked done are open again until this wave is notified too
 * (an obligation filed by hand, or not required, stays as it is).
 */
function attachWave(c: CaseContext, { actor, ref }: AttachPersonsRequest): void {
  const { v, s } = c;
  const waves = (s.waves ??= []);
  const wave = waves.length + 1;
  waves.push({ wave, ref, done: false });
  (v.notifications.waves ??= []).push(newWave(wave, ref));
  v.affectedPersonsList = personsListSummary(ref);
  s.personsRef = ref;
  totalWaves(c);
  record(
    c,
    'persons',
    actor.name,
    `wave ${wave} attached: ${ref.accepted} persons (${ref.duplicatesRemoved ?? 0} already in earlier waves, ${ref.duplicates} duplicates, ${ref.rejected} rejected)`,
  );
  const campaignIds = new Set(waves.filter((w) => w.campaignNo !== undefined).map((w) => campaignWorkflowId(v.caseId, w.campaignNo!)));
  for (const o of v.obligations) {
    if (o.audience === 'persons' && o.status === 'done' && o.reference !== undefined && campaignIds.has(o.reference)) {
      o.status = 'pending';
      delete o.filedAt;
      delete o.reference;
    }
  }
}

/** The case's counts as the sums over its waves; done only when every wave is. */
function totalWaves(c: CaseContext): void {
  const n = c.v.notifications;
  const waves = n.waves ?? [];
  const sum = (k: 'total' | 'sent' | 'failed' | 'letters' | 'bounced' | 'lettersReturned') => waves.reduce((a, w) => a + w[k], 0);
  n.total = sum('total');
  n.sent = sum('sent');
  n.failed = sum('failed');
  n.letters = sum('letters');
  n.unreachable = sum('failed') + sum('bounced') + sum('lettersReturned');
  n.status = waves.every((w) => w.status === 'done') ? 'done' : waves.some((w) => w.status !== 'not_started') ? 'sending' : 'not_started';
  refreshSubstituteMeasures(c);
}

/**
 * Letters the print vendor reports returned undelivered (`letters_returned`), counted for the wave whose campaign
 * sent the batch (its id is `<caseId>-<campaignNo>-<from>`), else for the latest wave that sent letters.
 */
export function lettersReturned(c: CaseContext, batchId: string | undefined, count: number): void {
  const waves = c.v.notifications.waves ?? [];
  const m = batchId?.startsWith(`${c.v.caseId}-`) ? /^(\d+)-\d+$/.exec(batchId.slice(c.v.caseId.length + 1)) : null;
  const campaignNo = m ? Number(m[1]) : undefined;
  const byCampaign = (c.s.waves ?? []).find((w) => w.campaignNo !== undefined && w.campaignNo === campaignNo);
  const target = waves.find((w) => w.wave === byCampaign?.wave) ?? [...waves].reverse().find((w) => w.letters > 0 || w.status !== 'not_started');
  if (!target) return;
  target.lettersReturned += count;
  totalWaves(c);
}

/** A wave campaign's progress: its wave's counts, the totals, and the persons obligations once every wave is done. */
function waveProgress(c: CaseContext, p: CampaignProgress): void {
  const { v, s } = c;
  const state = (s.waves ?? []).find((w) => w.campaignNo === p.campaignNo);
  const wave = v.notifications.waves?.find((w) => w.wave === state?.wave);
  if (!state || !wave) return;
  Object.assign(wave, { total: p.total, sent: p.sent, failed: p.failed, letters: p.letters, status: p.done ? 'done' : 'sending' });
  totalWaves(c);
  if (!p.done) return;
  state.done = true;
  s.campaignRunning = false;
  record(c, 'notification', 'campaign', `campaign ${p.campaignNo} done: ${p.sent} e-mails, ${p.letters} letters, ${p.failed} failed`);
  if (!(s.waves ?? []).every((w) => w.done)) return;
  for (const o of v.obligations) {
    if (o.audience === 'persons' && (o.status === 'pending' || o.status === 'overdue')) {
      o.status = 'done';
      o.filedAt = nowIso();
      o.reference = campaignWorkflowId(v.caseId, p.campaignNo);
    }
  }
  if (c.rules.personsNoticeAnchor) assess(c, 'system', 'persons notified');
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
    if (c.rules.notificationWaves) {
      waveProgress(c, p);
      c.dirty = true;
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
  if (s.campaignRunning || !v.notice.approved) return;
  if (v.coverage.decision === 'denied' || isTerminal(v.status)) return;
  // Waves are notified one after the other, each by its own campaign; without the rule there is one list only.
  const wave = c.rules.notificationWaves ? (s.waves ?? []).find((w) => w.campaignNo === undefined) : undefined;
  if (c.rules.notificationWaves ? !wave : s.campaignNo > 0 || !s.personsRef) return;
  const ref = wave ? wave.ref : s.personsRef!;
  s.campaignNo += 1;
  s.campaignRunning = true;
  if (wave) wave.campaignNo = s.campaignNo;
  if (changeApplies(c, 'campaignToken')) s.campaignToken = uuid4();
  else delete s.campaignToken;
  const apologyTerms = policy.categories.apology_payment;
  const consented = v.consents.some((x) => x.category === 'apology_payment');
  const f = caseFacts(c);
  const personsRegimes = [...new Set(v.obligations.filter((o) => o.audience === 'persons').map((o) => o.regime))];
  // Credit monitoring offered (rule `creditMonitoring`): every notice of this campaign carries an enrolment code.
  const offered = offersCreditMonitoring(c);
  if (offered) noteOfferingCampaign(c, s.campaignNo);
  if (wave) {
    const shown = v.notifications.waves?.find((w) => w.wave === wave.wave);
    if (shown) shown.status = 'sending';
    totalWaves(c);
  } else v.notifications = { total: ref.accepted, sent: 0, failed: 0, letters: 0, status: 'sending' };
  record(c, 'notification', 'system', `campaign ${s.campaignNo} started for ${ref.accepted} persons`);
  if (c.rules.engageVendor && callCenterNeeded(v.notifications.total) && !activeCallCenter(c)) {
    // More than 1,000 notices: the persons get a call centre (domain.md 8b), engaged before the notices that print it.
    record(c, 'vendor', 'system', `call centre engaged by rule: ${v.notifications.total} notices, more than ${CALL_CENTER_NOTICE_THRESHOLD}`);
    await dispatch(c, 'call_center', 'system', { reason: `more than ${CALL_CENTER_NOTICE_THRESHOLD} notices` });
  }
  const callCenterPhone = c.rules.engageVendor ? v.services?.callCenter?.phone : null;
  let printVendorId = s.panel.find((p) => p.role === 'print_and_mail')?.vendorId ?? null;
  if (c.rules.printVendorEngaged) {
    // Persons without e-mail get letters: the print vendor is engaged (briefed with the number of letters) before
    // the campaign hands it any, so its confirmation finds the engagement it belongs to.
    printVendorId = null;
    if (ref.withoutEmail > 0) {
      // A print vendor engaged by hand (`engage-vendor`) and still engaged takes the letters: the panel may have no other.
      const byHand = c.rules.engageVendor && v.vendors.some((e) => e.role === 'print_and_mail' && e.engagedBy && (e.status === 'dispatched' || e.status === 'acknowledged'));
      if (!byHand) await dispatch(c, 'print_and_mail', 'system', { affectedPersons: ref.withoutEmail });
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
        ref,
        sliceSize: input.settings.campaignSliceSize,
        notice: {
          insuredName: policy.insuredName,
          caseRef: v.caseId,
          incidentOverview: report.description,
          dataItems: [...f.dataItems],
          cause: f.cause,
          secondaryDamageRisk: secondaryDamageRisk([...f.dataItems]),
          // Once a call centre is engaged, the insured's enquiry desk is its line (not the reporter's own contact).
          contactDesk: callCenterPhone
            ? { name: policy.insuredName, ofInsured: true, callCenter: true, phone: callCenterPhone }
            : {
                name: policy.insuredName,
                ofInsured: true,
                ...(report.contact.phone ? { phone: report.contact.phone } : {}),
                email: report.contact.email,
              },
          regimes: personsRegimes,
          ...(s.noticeDocuments?.length ? { approved: { defaultLanguage: v.notice.language === 'en' ? 'en' : 'ja', documents: s.noticeDocuments } } : {}),
          ...(offered ? { creditMonitoring: true } : {}),
        },
        apology: apologyTerms && consented && apologyTerms.perVictimCapJpy ? { perPersonJpy: apologyTerms.perVictimCapJpy } : null,
        printVendorId,
        ...(s.campaignToken ? { token: s.campaignToken } : {}),
      },
    ],
  });
}
