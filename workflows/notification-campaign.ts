/**
 * Notices and apologies to every affected person, as a child of the case so that a million recipients never
 * weigh on the case's own history. The list travels as a reference; each slice is one activity that heartbeats
 * its cursor, so a worker killed mid-slice resumes where it stopped rather than sending again.
 */
import { continueAsNew, getExternalWorkflowHandle, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CaseActivities, NoticeContent } from '../activities/contract.js';
import { campaignProgressSignal, type CampaignProgress, type PersonsListRefInput } from './contract.js';

const { sendNoticeSlice } = proxyActivities<Pick<CaseActivities, 'sendNoticeSlice'>>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export interface CampaignInput {
  caseId: string;
  campaignNo: number;
  parentWorkflowId: string;
  ref: PersonsListRefInput;
  sliceSize: number;
  notice: NoticeContent;
  apology: { perPersonJpy: number } | null;
  printVendorId: string | null;
  /**
   * The case's token for this campaign's progress: a signal without it is not from this child (anyone who reaches
   * Temporal can signal the case). Absent for campaigns started before tokens; carried across continue-as-new.
   */
  token?: string;
  /** Carried across continue-as-new. */
  cursor?: number;
  counts?: { sent: number; failed: number; letters: number };
}

export async function notificationCampaign(input: CampaignInput): Promise<CampaignProgress> {
  if (input.sliceSize < 1) throw new Error('sliceSize must be at least 1');
  const parent = getExternalWorkflowHandle(input.parentWorkflowId);
  const counts = { sent: 0, failed: 0, letters: 0, ...input.counts };
  let cursor = input.cursor ?? 0;
  const total = input.ref.accepted;

  const progress = (done: boolean): CampaignProgress => ({
    campaignNo: input.campaignNo,
    total,
    ...counts,
    done,
    ...(input.token ? { token: input.token } : {}),
  });

  while (cursor < total) {
    const result = await sendNoticeSlice({
      caseId: input.caseId,
      campaignNo: input.campaignNo,
      ref: input.ref,
      from: cursor,
      count: Math.min(input.sliceSize, total - cursor),
      notice: input.notice,
      apology: input.apology,
      printVendorId: input.printVendorId,
    });
    cursor += result.processed;
    counts.sent += result.sent;
    counts.failed += result.failed;
    counts.letters += result.letters;
    if (result.processed === 0) break;
    await parent.signal(campaignProgressSignal, progress(cursor >= total));
    if (cursor < total && workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof notificationCampaign>({ ...input, cursor, counts });
    }
  }
  const final = progress(true);
  if (cursor >= total && total === 0) await parent.signal(campaignProgressSignal, final);
  return final;
}
