/**
 * Counsel's approval of the notice draft before `approve-notice` (rule `noticeDrafts`): a case refuses the notice
 * until the language's current draft version is approved. Drivers of the real stack approve through the API as a
 * handler on counsel's behalf, the version read from the preview once the case has drafted it.
 */
import type { Json } from './json.js';
import { until } from './wait.js';

type Call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; json: Json; headers: Headers }>;

/** Approves the current notice draft in `language` on counsel's behalf; answers the version approved. */
export async function approveNoticeDraft(handler: Call, caseId: string, language: 'ja' | 'en' = 'ja'): Promise<number> {
  const preview = await until(
    () => handler('GET', `/v1/cases/${caseId}/notice-preview?lang=${language}`),
    (r) => r.status === 200,
    30_000,
    `notice draft (${language}) of ${caseId}`,
  );
  const version = preview.json.version as number;
  const approved = await handler('POST', `/v1/cases/${caseId}/actions/approve-notice-draft`, { language, version, onBehalfOf: 'Sandbox Counsel' });
  // 412: the draft moved on since the preview (a vendor's findings); the caller's retry reads it again.
  if (approved.status === 412) return version;
  if (approved.status !== 200) throw new Error(`approve-notice-draft answered ${approved.status}: ${JSON.stringify(approved.json)}`);
  return version;
}

/**
 * Approves the draft and then the notice, which starts the campaign (the two steps every driver takes). A vendor's
 * findings may move the draft on between the two (a new version needs a new approval): then both are repeated.
 */
export async function approveNotice(handler: Call, caseId: string, language: 'ja' | 'en' = 'ja'): Promise<{ status: number; json: Json }> {
  for (let attempt = 1; ; attempt++) {
    await approveNoticeDraft(handler, caseId, language);
    const answer = await handler('POST', `/v1/cases/${caseId}/actions/approve-notice`, { language });
    if (answer.status !== 409 || answer.json?.code !== 'notice_draft_not_approved' || attempt >= 3) return answer;
  }
}
