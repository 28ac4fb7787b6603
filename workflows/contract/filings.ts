/** What the filings track records: summaries of the drafts, never their texts (workflows/case/filings.ts). */

/** An edited item of a filing as the case records it: never its text (that is in the blob store), its hash and size. */
export interface FilingEditRef {
  sha256: string;
  chars: number;
  by: string;
  at: string;
}

/** A filing as the case view lists it (see `CaseView.filings`). */
export interface FilingSummary {
  filingId: string;
  regime: string;
  audience: 'regulator' | 'persons';
  kind: string;
  status: 'draft' | 'ready' | 'filed';
  version: number;
  /** SHA-256 of the draft's items at this version (edited items by the hash of their text). */
  sha: string;
  missing: string[];
  /** Edited items by code (absent until the first edit). */
  edited?: Record<string, FilingEditRef>;
  /** The blob holding the edited texts of this version (absent until the first edit). */
  editsKey?: string;
  /** The version filed: its document is kept unchanged in the blob store (`documentKey`), its SHA-256 on the timeline. */
  filed?: { version: number; sha256: string; at: string; by: string; filedAt: string };
}

/**
 * The notice to persons in one language as the case keeps it (rule `noticeDrafts`): its version grows with every
 * change of its parts, from the facts or an edit; edited texts are in the blob store (`editsKey`), the case keeps their
 * hashes. `approved` names the version counsel approved and the frozen document the API kept of it; an approval is
 * dropped when the draft moves on (a new edit needs a new approval).
 */
export interface NoticeDraftSummary {
  language: 'ja' | 'en';
  version: number;
  /** SHA-256 of the parts at this version (edited parts by the hash of their text). */
  sha: string;
  edited?: Record<string, FilingEditRef>;
  editsKey?: string;
  approved?: NoticeApproval;
}

export interface NoticeApproval {
  version: number;
  /** Who approved: counsel's vendor id (webhook `notice_approved`), or the handler's name. */
  by: string;
  at: string;
  /** The handler approved on counsel's behalf (counsel's name or vendor id). */
  onBehalfOf?: string;
  /** The approved version's document in the blob store, and the SHA-256 of its bytes. */
  documentKey: string;
  documentSha256: string;
}
