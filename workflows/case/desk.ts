/**
 * The handler's desk: notes and documents. Neither is a contract action (each has its own endpoint and its own
 * read), so they arrive as their own commands (`ADD_NOTE`, `ATTACH_DOCUMENT`), signed like every command, and live in
 * the case's state and in their own memo fields (contract/read-model.ts), never in the case view.
 *
 * The insured reads the timeline, so an internal note never goes on it; a shared note does (who, when, its id, not its
 * words: they are read at the notes endpoint). A document is recorded by reference only (id, name, type, size,
 * sha256, who, when); its contents stay encrypted in the blob store.
 */
import { INPUT_LIMITS, mayAddNote, DOCUMENT_UPLOADERS } from '../../domain/rules.js';
import { domainSchemas } from '../preloaded/schemas.js';
import type { AddNoteRequest, AttachDocumentRequest } from '../contract.js';
import { nowIso, record, refuse, type CaseContext } from './state.js';

function checkTenant(c: CaseContext, actor: AddNoteRequest['actor']): void {
  if (actor.role === 'insured' && actor.insuredId !== c.v.insuredId) refuse('not_found', `case ${c.v.caseId} not found`);
}

export function checkAddNote(c: CaseContext, { actor, note }: AddNoteRequest): void {
  checkTenant(c, actor);
  const parsed = domainSchemas().NoteBodySchema.safeParse(note);
  if (!parsed.success) refuse('invalid', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  if (!mayAddNote(actor.role, parsed.data.visibility)) refuse('forbidden', `role ${actor.role} may not add ${parsed.data.visibility} notes`);
  if ((c.s.notes?.length ?? 0) >= INPUT_LIMITS.maxNotesPerCase) refuse('invalid', `a case keeps at most ${INPUT_LIMITS.maxNotesPerCase} notes`);
}

export function addNote(c: CaseContext, { actor, note }: AddNoteRequest): void {
  const body = domainSchemas().NoteBodySchema.parse(note);
  const notes = (c.s.notes ??= []);
  const noteId = `N${notes.length + 1}`;
  notes.push({ noteId, at: nowIso(), by: actor.name, role: actor.role, visibility: body.visibility, text: body.text });
  if (body.visibility === 'shared') record(c, 'note', actor.name, `shared note ${noteId} added`);
  else c.dirty = true;
}

export function checkAttachDocument(c: CaseContext, { actor, document }: AttachDocumentRequest): void {
  checkTenant(c, actor);
  if (!DOCUMENT_UPLOADERS.includes(actor.role)) refuse('forbidden', `role ${actor.role} may not upload`);
  const documents = c.s.documents ?? [];
  if (documents.some((d) => d.documentId === document.documentId)) refuse('duplicate', `document ${document.documentId} is attached already`);
  if (documents.length >= INPUT_LIMITS.maxDocumentsPerCase) {
    refuse('invalid', `a case keeps at most ${INPUT_LIMITS.maxDocumentsPerCase} documents`);
  }
}

export function attachDocument(c: CaseContext, { actor, document }: AttachDocumentRequest): void {
  const { documentId, name, contentType, size, sha256 } = document;
  (c.s.documents ??= []).push({ documentId, name, contentType, size, sha256, by: actor.name, at: nowIso() });
  record(c, 'document', actor.name, `document ${documentId} attached (${contentType}, ${size} bytes)`);
}
