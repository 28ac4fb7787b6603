/**
 * Notice drafts track (rule `noticeDrafts`): the notice to persons as one versioned draft per notice language, edited
 * by the insured and the handlers, approved by counsel (its webhook `notice_approved`, or `approve-notice-draft` by a
 * handler on its behalf), and sent as approved.
 *
 * The parts are drafted from the view by the domain's `draftNotice`, the same function the API previews with, so the
 * case keeps only a summary per language (version, the SHA-256 of its parts, the hashes of edited parts and the blob
 * holding their texts). An approval names a version: the API froze that version's document in the blob store before
 * the command, and the case records its key and hash. A draft that moves on (an edit, or a fact it is drafted from)
 * loses its approval. `approve-notice` freezes the approved documents for the campaigns (`s.noticeDocuments`), which
 * read them from the blob store by key and check the hash: no notice text enters the case's history.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { NOTICE_LANGUAGES, draftNotice, isNoticePart, noticeDraftCanonical } from '../../domain/rules.js';
import type { ApproveNoticeBody, ApproveNoticeDraftBody } from '../../domain/schemas.js';
import type { Actor, EditNoticeDraftRequest, NoticeDraftSummary, VendorEventInput } from '../contract.js';
import type { CommandTable } from './command.js';
import { nowIso, record, refuse, type CaseContext } from './state.js';

const HASH = /^[0-9a-f]{64}$/;

function markerEdits(d: NoticeDraftSummary | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(d?.edited ?? {}).map(([code, e]) => [code, `edited:${e.sha256}`]));
}

function shaOf(c: CaseContext, language: 'ja' | 'en', d: NoticeDraftSummary | undefined): string {
  const canonical = noticeDraftCanonical(draftNotice(c.v, language, markerEdits(d)));
  return bytesToHex(sha256(new TextEncoder().encode(canonical)));
}

/** Brings every language's draft up to date with the case; a changed draft is a new version and loses its approval. */
export function refreshNoticeDrafts(c: CaseContext): void {
  if (!c.rules.noticeDrafts) return;
  // Sent: the campaigns have their documents, so the drafts stop following the case (a call centre engaged later is
  // printed under the approved words, not drafted into them).
  if (c.v.notice.approved) return;
  const drafts = (c.v.noticeDrafts ??= []);
  for (const language of NOTICE_LANGUAGES) {
    const found = drafts.find((d) => d.language === language);
    const sha = shaOf(c, language, found);
    if (!found) {
      drafts.push({ language, version: 1, sha });
      c.dirty = true;
      continue;
    }
    if (found.sha === sha) continue;
    found.version += 1;
    found.sha = sha;
    if (found.approved) {
      record(c, 'notice', 'system', `notice draft (${language}) moved on to version ${found.version}: the approval of version ${found.approved.version} no longer applies`);
      delete found.approved;
    }
    c.dirty = true;
  }
}

function draftOf(c: CaseContext, language: string): NoticeDraftSummary | undefined {
  return c.v.noticeDrafts?.find((d) => d.language === language);
}

/** Who may edit the notice: the insured (its own case) and the insurer's handlers. */
export const NOTICE_EDITORS = ['insured', 'handler', 'supervisor'] as const;

export function checkEditNoticeDraft(c: CaseContext, r: EditNoticeDraftRequest): void {
  if (r.actor.role === 'insured' && r.actor.insuredId !== c.v.insuredId) refuse('not_found', `case ${c.v.caseId} not found`);
  if (!(NOTICE_EDITORS as readonly string[]).includes(r.actor.role)) refuse('forbidden', `role ${r.actor.role} may not edit the notice`);
  if (!c.rules.noticeDrafts) refuse('wrong_state', 'this case keeps no notice drafts');
  if (c.v.notice.approved) refuse('wrong_state', 'the notice is approved and its campaign started: the draft no longer changes');
  const d = draftOf(c, r.language);
  if (!d) refuse('not_found', `no notice draft in ${String(r.language)} on this case`);
  if (d.version !== r.baseVersion) refuse('stale_version', `notice draft (${r.language}) is at version ${d.version}, not ${r.baseVersion}`);
  for (const [code, part] of Object.entries(r.parts ?? {})) {
    if (!isNoticePart(code)) refuse('invalid', `${code} is not a part of the notice`);
    if (part !== null && (typeof part.sha256 !== 'string' || !HASH.test(part.sha256) || !Number.isInteger(part.chars))) refuse('invalid', `part ${code}: not an edit reference`);
  }
  const stillEdited = Object.keys({ ...d.edited, ...r.parts }).filter((code) => (r.parts[code] === undefined ? d.edited?.[code] : r.parts[code]) !== null);
  if (stillEdited.length > 0 && typeof r.editsKey !== 'string') refuse('invalid', 'edited texts need their blob');
}

export function editNoticeDraft(c: CaseContext, r: EditNoticeDraftRequest): void {
  const d = draftOf(c, r.language)!;
  const edited = { ...(d.edited ?? {}) };
  for (const [code, part] of Object.entries(r.parts)) {
    if (part === null) delete edited[code];
    else edited[code] = { sha256: part.sha256, chars: part.chars, by: r.actor.name, at: nowIso() };
  }
  if (Object.keys(edited).length > 0) {
    d.edited = edited;
    d.editsKey = r.editsKey!;
  } else {
    delete d.edited;
    delete d.editsKey;
  }
  const before = d.version;
  refreshNoticeDrafts(c);
  record(c, 'notice', r.actor.name, `notice draft (${r.language}) edited: version ${before} → ${d.version}`);
}

interface Approval {
  language: string;
  version: number;
  documentKey?: string;
  documentSha256?: string;
}

function checkApproval(c: CaseContext, a: Approval): NoticeDraftSummary {
  if (!c.rules.noticeDrafts) refuse('wrong_state', 'this case keeps no notice drafts');
  if (c.v.notice.approved) refuse('nothing_to_do', 'the notice is already approved');
  const d = draftOf(c, a.language);
  if (!d) refuse('not_found', `no notice draft in ${a.language} on this case`);
  if (d.version !== a.version) refuse('stale_version', `notice draft (${a.language}) is at version ${d.version}, not ${a.version}`);
  if (d.approved?.version === a.version) refuse('nothing_to_do', `version ${a.version} of the notice (${a.language}) is approved already`);
  const key = a.documentKey;
  if (typeof key !== 'string' || !key.startsWith(`cases/${c.v.caseId}/notice/${a.language}-v${a.version}.`) || !HASH.test(a.documentSha256 ?? '')) {
    refuse('invalid', 'an approval needs the approved version’s document (documentKey, documentSha256)');
  }
  return d;
}

function approve(c: CaseContext, d: NoticeDraftSummary, a: Approval, by: string, onBehalfOf: string | undefined): void {
  d.approved = { version: a.version, by, at: nowIso(), ...(onBehalfOf ? { onBehalfOf } : {}), documentKey: a.documentKey!, documentSha256: a.documentSha256! };
  const sha = a.documentSha256!.slice(0, 12);
  if (onBehalfOf) record(c, 'notice', by, `notice draft (${d.language}) version ${a.version} approved on behalf of ${onBehalfOf} (document ${sha})`);
  else record(c, 'notice', by, `notice draft (${d.language}) version ${a.version} approved (document ${sha})`);
}

/** Counsel's approval through its webhook: only from the case's engaged counsel; a stale or malformed one is noted. */
export function counselApprovesNotice(c: CaseContext, event: VendorEventInput): void {
  const who = `vendor:${event.vendorId}`;
  const a = event.noticeApproval;
  if (!c.rules.noticeDrafts || !a) {
    record(c, 'refused', who, 'notice approval ignored: this case keeps no notice drafts');
    return;
  }
  try {
    const d = checkApproval(c, a);
    approve(c, d, a, who, undefined);
  } catch (err) {
    record(c, 'refused', who, `notice approval refused: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const noticeDraftCommands: CommandTable<'approve-notice-draft'> = {
  'approve-notice-draft': {
    check(c, b: ApproveNoticeDraftBody) {
      checkApproval(c, b);
    },
    apply(c, b: ApproveNoticeDraftBody, actor: Actor) {
      approve(c, draftOf(c, b.language)!, b, actor.name, b.onBehalfOf);
    },
  },
};

/** `approve-notice` with the rule: refused until the language's current version is approved. */
export function checkNoticeApproved(c: CaseContext, b: ApproveNoticeBody): void {
  if (!c.rules.noticeDrafts) return;
  const d = draftOf(c, b.language);
  if (!d?.approved || d.approved.version !== d.version) {
    refuse('notice_draft_not_approved', `no version of the notice in ${b.language} is approved by counsel (draft at version ${d?.version ?? 0})`);
  }
}

/** Freezes the approved documents for the campaigns: the named language's, and any other language's approved one. */
export function freezeNoticeDocuments(c: CaseContext): void {
  if (!c.rules.noticeDrafts) return;
  const docs = (c.v.noticeDrafts ?? []).filter((d) => d.approved && d.approved.version === d.version);
  c.s.noticeDocuments = docs.map((d) => ({ language: d.language, version: d.approved!.version, key: d.approved!.documentKey, sha256: d.approved!.documentSha256 }));
  c.v.notice.documents = docs.map((d) => ({ language: d.language, version: d.approved!.version, documentSha256: d.approved!.documentSha256 }));
}
