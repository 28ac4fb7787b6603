/**
 * The case's filing summaries (`CaseView.filings`), kept by one pure function that the case workflow runs before every
 * publish (rule `filingDrafts`, case/filings.ts). Pure and free of Temporal, so the API may run it too. (The first
 * view the API writes with the start has no filings on purpose: an edit sent before the case's first task would
 * name a filing the case has not drafted yet.)
 *
 * The drafts come from the domain's `draftFilings` over the view; an edited item stands for its text by the text's
 * hash (the text itself is in the blob store), so a summary's `sha` changes with any item, from the facts or an edit,
 * and each change is a new version. A filed filing keeps the version and hash it was filed with.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { NOTICE_FILING_ID, NOTICE_PARTS_IN_FILING, draftFilings, type FilingDraft, type FilingFacts } from '../domain/rules.js';
import type { CaseView } from './contract.js';

/** SHA-256 of a draft's items (code, source, value, in order) and status: what a version stands for. */
export function draftSha(d: Pick<FilingDraft, 'items' | 'status'>): string {
  const canonical = JSON.stringify([d.status, Object.entries(d.items).map(([code, i]) => [code, i.source, i.value])]);
  return bytesToHex(sha256(new TextEncoder().encode(canonical)));
}

function markerEdits(v: CaseView): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const f of v.filings ?? []) {
    if (!f.edited) continue;
    out[f.filingId] = Object.fromEntries(Object.entries(f.edited).map(([code, e]) => [code, `edited:${e.sha256}`]));
  }
  // The persons notice follows the approved Japanese notice (rule `noticeDrafts`), by the approved document's hash;
  // an item the filing's editors changed stays theirs.
  const approved = approvedJapaneseNotice(v);
  if (approved) {
    const byNotice = Object.fromEntries(Object.keys(NOTICE_PARTS_IN_FILING).map((item) => [item, `notice:${approved.documentSha256}:${item}`]));
    out[NOTICE_FILING_ID] = { ...byNotice, ...(out[NOTICE_FILING_ID] ?? {}) };
  }
  return out;
}

/** The Japanese notice draft's approval when it is of the current version (what the persons notice follows). */
export function approvedJapaneseNotice(v: Pick<CaseView, 'noticeDrafts'>): { documentKey: string; documentSha256: string } | undefined {
  const d = v.noticeDrafts?.find((x) => x.language === 'ja');
  return d?.approved && d.approved.version === d.version ? d.approved : undefined;
}

/** What a draft's summary needs of it. */
type DraftDigest = Pick<FilingDraft, 'filingId' | 'obligationId' | 'regime' | 'audience' | 'kind' | 'status' | 'missing'> & { sha: string };

/**
 * The last drafts drafted, by the facts they were drafted from. The case refreshes its filings before every publish,
 * twice a pass, and every workflow task replays every pass of its run (workers keep no workflow cache), so a long
 * case drafted the same texts and hashed them with SHA-256 dozens of times a task; the facts are the same between
 * most of those calls, and their JSON costs a fraction of a draft. Drafting is pure, so this changes no result.
 */
let lastDrafts: { key: string; drafts: DraftDigest[] } | undefined;

function draftDigests(v: CaseView): DraftDigest[] {
  const edits = markerEdits(v);
  const key = JSON.stringify([filingFactsOf(v), edits]);
  if (lastDrafts?.key === key) return lastDrafts.drafts;
  const drafts = draftFilings(v, edits).map((d) => ({
    filingId: d.filingId,
    obligationId: d.obligationId,
    regime: d.regime,
    audience: d.audience,
    kind: d.kind,
    status: d.status,
    missing: d.missing,
    sha: draftSha(d),
  }));
  lastDrafts = { key, drafts };
  return drafts;
}

/** The fields of the view `draftFilings` reads (its `FilingFacts`), and only those. */
function filingFactsOf(v: CaseView): { [K in keyof Required<FilingFacts>]: unknown } {
  return {
    caseId: v.caseId,
    insuredName: v.insuredName,
    description: v.description,
    discoveredAt: v.discoveredAt,
    occurredAt: v.occurredAt,
    cause: v.cause,
    dataItems: v.dataItems,
    affectedPersons: v.affectedPersons,
    obligations: v.obligations,
    counselAdvice: v.counselAdvice,
    contact: v.contact,
    notice: v.notice,
    notifications: v.notifications,
    findingsLog: v.findingsLog,
    services: v.services?.preventionPlan,
  };
}

/** Brings `v.filings` up to date with the view; true when anything changed. Filed filings stay as filed. */
export function refreshFilingSummaries(v: CaseView): boolean {
  let changed = false;
  const filings = (v.filings ??= []);
  for (const d of draftDigests(v)) {
    const { sha } = d;
    const found = filings.find((f) => f.filingId === d.filingId);
    const obligation = v.obligations.find((o) => o.id === d.obligationId);
    if (!found) {
      filings.push({ filingId: d.filingId, regime: d.regime, audience: d.audience, kind: d.kind, status: d.status, version: 1, sha, missing: [...d.missing] });
      changed = true;
      continue;
    }
    if (found.status === 'filed') continue;
    // An obligation filed without naming a version (a filing recorded the old way) freezes its draft as it was.
    if (obligation?.status === 'done') {
      found.status = 'filed';
      changed = true;
      continue;
    }
    if (found.sha === sha && found.status === d.status && found.missing.join() === d.missing.join()) continue;
    if (found.sha !== sha) found.version += 1;
    found.sha = sha;
    found.status = d.status;
    found.missing = [...d.missing];
    changed = true;
  }
  return changed;
}
