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
