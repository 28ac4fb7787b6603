/** What the handler's desk records on a case: notes and documents (workflows/case/desk.ts). */
import type { Role } from '../../domain/rules.js';

/** A note on a case (`POST /v1/cases/{caseId}/notes`): plain text, internal to the insurer or shared with the insured. */
export interface CaseNote {
  noteId: string;
  at: string;
  by: string;
  role: Role;
  visibility: 'internal' | 'shared';
  text: string;
}

/**
 * A document uploaded to a case, as the case records it: never its contents (those are encrypted in the blob store,
 * under a key derived from the case and the document id), only what a list shows and a download checks.
 */
export interface DocumentRef {
  documentId: string;
  /** The file name the uploader gave (X-File-Name), cleaned of paths and control characters. */
  name: string;
  /** The type found in the content (magic bytes), not the one the uploader claimed. */
  contentType: string;
  size: number;
  sha256: string;
  by: string;
  at: string;
}
