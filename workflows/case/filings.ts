/**
 * Filings track (rule `filingDrafts`): one draft per regulator obligation and per persons notice, numbered by the case.
 *
 * The texts are drafted from the case view by the domain's `draftFilings`, the same function the API renders with,
 * so the case keeps only a summary per filing (id, status, version, the SHA-256 of its items, what is missing, the
 * hashes of edited items): `refreshFilings` runs before every publish and gives a filing a new version whenever its
 * items change, from the facts or an edit. Edited texts never enter history: the API stores them in the blob store and
 * the `edit-filing` command carries their hashes (`EditFilingRequest`). A filed version is frozen: its document is
 * kept by the API in the blob store, its SHA-256 goes on the timeline (`markFiled`, from `record-filing`).
 */
import { filingTemplate, isFilingItem, type Regime } from '../../domain/rules.js';
import type { EditFilingRequest, FilingSummary } from '../contract.js';
import { refreshFilingSummaries } from '../filing-summaries.js';
import { nowIso, record, refuse, type CaseContext } from './state.js';

/** Brings every filing's summary up to date with the case (see filing-summaries.ts); a changed draft is a new version. */
export function refreshFilings(c: CaseContext): void {
  if (!c.rules.filingDrafts) return;
  if (refreshFilingSummaries(c.v)) c.dirty = true;
}

function filingOf(c: CaseContext, filingId: string): FilingSummary | undefined {
  return c.v.filings?.find((f) => f.filingId === filingId);
}

function checkTenant(c: CaseContext, actor: EditFilingRequest['actor']): void {
  if (actor.role === 'insured' && actor.insuredId !== c.v.insuredId) refuse('not_found', `case ${c.v.caseId} not found`);
}

/** Who may edit a filing: the insured (its own case) and the insurer's handlers. */
export const FILING_EDITORS = ['insured', 'handler', 'supervisor'] as const;

export function checkEditFiling(c: CaseContext, r: EditFilingRequest): void {
  checkTenant(c, r.actor);
  if (!(FILING_EDITORS as readonly string[]).includes(r.actor.role)) refuse('forbidden', `role ${r.actor.role} may not edit filings`);
  if (!c.rules.filingDrafts) refuse('wrong_state', 'this case keeps no filing drafts');
  const f = filingOf(c, r.filingId);
  if (!f) refuse('not_found', `no filing ${r.filingId} on this case`);
  if (f.status === 'filed') refuse('wrong_state', `filing ${r.filingId} is filed (version ${f.filed?.version ?? f.version}) and no longer changes`);
  if (f.version !== r.baseVersion) refuse('stale_version', `filing ${r.filingId} is at version ${f.version}, not ${r.baseVersion}`);
  const template = filingTemplate(f.regime as Regime, f.audience);
  for (const [code, item] of Object.entries(r.items ?? {})) {
    if (!isFilingItem(template, code)) refuse('invalid', `${code} is not an item of filing ${r.filingId}`);
    if (item !== null && (typeof item.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(item.sha256) || !Number.isInteger(item.chars))) {
      refuse('invalid', `item ${code}: not an edit reference`);
    }
  }
  const stillEdited = Object.keys({ ...f.edited, ...r.items }).filter((code) => (r.items[code] === undefined ? f.edited?.[code] : r.items[code]) !== null);
  if (stillEdited.length > 0 && typeof r.editsKey !== 'string') refuse('invalid', 'edited texts need their blob');
}

export function editFiling(c: CaseContext, r: EditFilingRequest): void {
  const f = filingOf(c, r.filingId)!;
  const edited = { ...(f.edited ?? {}) };
  for (const [code, item] of Object.entries(r.items)) {
    if (item === null) delete edited[code];
    else edited[code] = { sha256: item.sha256, chars: item.chars, by: r.actor.name, at: nowIso() };
  }
  if (Object.keys(edited).length > 0) {
    f.edited = edited;
    f.editsKey = r.editsKey!;
  } else {
    delete f.edited;
    delete f.editsKey;
  }
  const before = f.version;
  refreshFilings(c);
  const codes = Object.keys(r.items).join(', ');
  record(c, 'filing_edit', r.actor.name, `filing ${f.filingId} edited (${codes}): version ${before} → ${f.version}`);
}

/**
 * `record-filing` naming a version: refused unless it is the filing's current version and the API gave the filed
 * document's hash. Returns the filing, or undefined when the case keeps no drafts or none matches the obligation.
 */
export function checkFiledVersion(c: CaseContext, obligationId: string, version: number | undefined, documentSha256: string | undefined): void {
  if (!c.rules.filingDrafts || version === undefined) return;
  const f = c.v.filings?.find((x) => `${x.regime}:${x.audience}:${x.kind}` === obligationId);
  if (!f) refuse('not_found', `no filing for ${obligationId} on this case`);
  if (f.status === 'filed') refuse('nothing_to_do', `filing ${f.filingId} is filed already`);
  if (f.version !== version) refuse('stale_version', `filing ${f.filingId} is at version ${f.version}, not ${version}`);
  if (documentSha256 === undefined) refuse('invalid', 'filingVersion needs the filed document (documentSha256)');
}

/** Freezes the filing of a filed obligation at the version filed; the timeline names it with version and hash. */
export function markFiled(
  c: CaseContext,
  obligationId: string,
  version: number,
  documentSha256: string,
  filedAt: string,
  by: string,
): { filingId: string; version: number; sha: string } | undefined {
  const f = c.v.filings?.find((x) => `${x.regime}:${x.audience}:${x.kind}` === obligationId);
  if (!f) return undefined;
  f.status = 'filed';
  f.filed = { version, sha256: documentSha256, at: nowIso(), by, filedAt };
  return { filingId: f.filingId, version, sha: documentSha256 };
}

/** Findings kept for the drafts (cause, prevention measures), a bounded list. */
export const FINDINGS_LOG_KEPT = 50;

export function logFindings(c: CaseContext, by: string, note: string | undefined): void {
  if (!c.rules.filingDrafts) return;
  const log = (c.v.findingsLog ??= []);
  log.push({ at: nowIso(), by, ...(note?.trim() ? { note: note.trim() } : {}) });
  if (log.length > FINDINGS_LOG_KEPT) log.splice(0, log.length - FINDINGS_LOG_KEPT);
}
