/**
 * Counsel's approval of the current notice draft (rule `noticeDrafts`), as the API sends it on counsel's behalf, for
 * the time-skipping tests that drive a case to its notices: the document key and hash stand for the version the API
 * would have kept (the harness's campaign does not read it).
 */
import { createHash } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { Action } from '../../domain/index.js';
import type { Actor, CaseView } from '../../workflows/contract.js';
import { actors } from '../support/fixtures.js';

export async function approveNoticeDraft(
  handle: WorkflowHandle,
  act: (handle: WorkflowHandle, action: Action, actor: Actor, body: unknown) => Promise<CaseView>,
  settle: (handle: WorkflowHandle, until: (v: CaseView) => boolean) => Promise<CaseView>,
  language: 'ja' | 'en' = 'ja',
): Promise<CaseView> {
  const v = await settle(handle, (x) => (x.noticeDrafts ?? []).some((d) => d.language === language));
  const d = v.noticeDrafts?.find((x) => x.language === language);
  if (!d) throw new Error(`the case drafted no notice in ${language}`);
  const documentSha256 = createHash('sha256').update(`${v.caseId}:${language}:${d.version}`).digest('hex');
  return act(handle, 'approve-notice-draft', actors.handler, { language, version: d.version, documentKey: `cases/${v.caseId}/notice/${language}-v${d.version}.json.enc`, documentSha256 });
}
