/**
 * The case's filing summaries (workflows/filing-summaries.ts) keep the last drafts by the facts they were drafted from,
 * since the case refreshes them twice a pass and every task replays every pass. A kept draft must never stand for facts
 * that changed: after each change below, every summary's hash is the hash of the draft drafted afresh from the view.
 */
import { describe, expect, it } from 'vitest';
import { firstView } from '../../api/first-view.js';
import { draftFilings } from '../../domain/rules.js';
import { draftSha, refreshFilingSummaries } from '../../workflows/filing-summaries.js';
import type { CaseView } from '../../workflows/contract.js';
import { caseInput, policyRecord } from '../support/fixtures.js';

function baseView(): CaseView {
  const view = firstView(caseInput('C-FILINGS-1', policyRecord('PL-FILINGS-1')));
  if (!view) throw new Error('no first view');
  return { ...view, version: 1, updatedAt: view.reportedAt };
}

const AT = '2026-12-01T00:00:00.000Z';
const changes: [string, (v: CaseView) => void][] = [
  ['more affected persons', (v) => (v.affectedPersons += 100)],
  ['a new description', (v) => (v.description = 'the laptop was found again')],
  ["counsel's advice", (v) => v.counselAdvice.push({ at: AT, vendorId: 'counsel-a', advice: 'notify the PPC today' })],
  ['findings recorded', (v) => (v.findingsLog = [...(v.findingsLog ?? []), { at: AT, by: 'handler', note: 'phishing e-mail' }])],
  ['another cause', (v) => (v.cause = 'misdelivery')],
  ['an obligation filed', (v) => (v.obligations[0]!.filedAt = AT)],
  ['the notice approved', (v) => (v.notice = { ...v.notice, approved: true, approvedAt: AT })],
  ['notices sent', (v) => (v.notifications = { ...v.notifications, total: 10, sent: 10, status: 'done' })],
];

describe('filing summaries: the drafts kept between refreshes follow every change of the facts', () => {
  it('writes nothing when nothing changed', () => {
    const v = baseView();
    expect(refreshFilingSummaries(v)).toBe(true);
    const before = structuredClone(v.filings);
    expect(refreshFilingSummaries(v)).toBe(false);
    expect(v.filings).toEqual(before);
  });

  it.each(changes)('%s: every summary hashes the draft of the changed view', (_name, change) => {
    const v = baseView();
    refreshFilingSummaries(v);
    refreshFilingSummaries(v);
    change(v);
    refreshFilingSummaries(v);
    const fresh = new Map(draftFilings(v).map((d) => [d.filingId, draftSha(d)]));
    expect(v.filings!.filter((f) => f.status !== 'filed').map((f) => [f.filingId, f.sha])).toEqual(
      v.filings!.filter((f) => f.status !== 'filed').map((f) => [f.filingId, fresh.get(f.filingId)]),
    );
  });

  it('gives a filing a new version when its facts change', () => {
    const v = baseView();
    refreshFilingSummaries(v);
    const versions = v.filings!.map((f) => f.version);
    v.affectedPersons += 100;
    expect(refreshFilingSummaries(v)).toBe(true);
    expect(v.filings!.some((f, i) => f.version > versions[i]!)).toBe(true);
  });
});
