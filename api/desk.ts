/**
 * The handler's desk on a case: notes and documents. Both are commands to the case (signed, answered from its read
 * model like every command) and both are read from the case's memo (`rm.n.*`, `rm.documents`), so no read waits on a
 * worker. A document's bytes go to the blob store first, sealed; the case records only its reference.
 *
 * Who sees what: everyone who may read the case sees its documents and its shared notes; internal notes are for the
 * insurer's people only and never reach an insured (not here, not on the timeline: the case never puts them there).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream';
import type { Request, Response } from 'express';
import { CASE_READERS, DOCUMENT_UPLOADERS, INPUT_LIMITS, NoteBodySchema } from '../domain/index.js';
import { BlobNotFoundError } from '../storage/blob-store.js';
import { cleanFileName, DOCUMENT_TYPES, DocumentTypeRefused, documentKey, openDocument, storeDocument } from '../storage/documents.js';
import {
  ADD_NOTE,
  ATTACH_DOCUMENT,
  documentsFromMemo,
  documentsQuery,
  notesFromMemo,
  notesQuery,
  type CaseNote,
  type DocumentRef,
} from '../workflows/contract.js';
import { caseHandle, describeCaseModel } from './case-reads.js';
import { commandCase } from './case-commands.js';
import type { ApiContext } from './context.js';
import { idempotencyKey } from './idempotency.js';
import { actorOf, type Principal } from './principals.js';
import { HttpProblem, problemResponse } from './problem.js';
import { boundedQuery } from './queries.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { CaseNoteSchema, CaseNotesSchema, CaseParamsSchema, DocumentListSchema, DocumentParamsSchema, DocumentRefSchema } from './schemas.js';
import { assertMayReadDescribed, caseNotFound, caseNotRunning, closedOrMissing, describeCase } from './tenancy.js';
import { ByteLimit } from './upload-limit.js';

export const DEFAULT_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024;

/** Notes and documents from the case's memo; by query for a case from before the read model. */
async function readDesk(ctx: ApiContext, principal: Principal, caseId: string): Promise<{ notes: CaseNote[]; documents: DocumentRef[] }> {
  const { description, model } = await describeCaseModel(ctx, caseId);
  assertMayReadDescribed(principal, caseId, description);
  if (model) return { notes: notesFromMemo(model.memo), documents: documentsFromMemo(model.memo) };
  const handle = caseHandle(ctx, caseId);
  const [notes, documents] = await Promise.all([
    boundedQuery(ctx, () => handle.query(notesQuery)),
    boundedQuery(ctx, () => handle.query(documentsQuery)),
  ]);
  return { notes, documents };
}

function notesFor(principal: Principal, notes: CaseNote[]): CaseNote[] {
  return principal.role === 'insured' ? notes.filter((n) => n.visibility === 'shared') : notes;
}

export function deskRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/cases/:caseId/notes',
      operationId: 'addCaseNote',
      summary: 'Add a note to a case',
      description:
        `Plain text of 1-${INPUT_LIMITS.maxNoteChars} characters (no control characters but line breaks and tabs), ` +
        '`internal` (the insurer’s people only) or `shared` (the insured sees it too). An insured may add shared notes ' +
        `to its own cases; a shared note goes on the timeline (who and when, not the words), an internal one never. A case keeps at most ${INPUT_LIMITS.maxNotesPerCase} notes. ` +
        'With an Idempotency-Key a retried note is added once.',
      tags: ['desk'],
      auth: { roles: ['insured', 'handler', 'supervisor'] },
      params: CaseParamsSchema,
      body: { kind: 'json', schema: NoteBodySchema, name: 'NoteBody', example: { text: '再保険者へ報告済み', visibility: 'internal' } },
      responses: {
        201: { description: 'The note as recorded', schema: CaseNoteSchema, name: 'CaseNote' },
        400: problemResponse('Invalid body'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not add notes, or an insured an internal one'),
        404: problemResponse('No such case (or another insured’s)'),
        409: problemResponse('The case no longer runs, or the Idempotency-Key was used before for another note'),
        415: problemResponse('Not JSON'),
        422: problemResponse('Refused by the case (e.g. too many notes)'),
        503: problemResponse('Recorded but not yet answered by the case (repeat with the same Idempotency-Key), or Temporal unreachable'),
      },
      handle: async (req, res, { params: { caseId }, body, principal }) => {
        if (principal.role === 'insured' && body.visibility === 'internal') {
          throw new HttpProblem(403, 'forbidden', { key: 'forbidden.role', params: { role: principal.role, what: 'add internal notes' } });
        }
        const commandId = `${principal.name}:note:${idempotencyKey(req) ?? randomUUID()}`;
        try {
          await commandCase(ctx, caseId, { commandId, action: ADD_NOTE, request: { actor: actorOf(principal), note: body } });
        } catch (err) {
          return closedOrMissing(ctx, caseId, err, principal);
        }
        ctx.changes.bump(caseId);
        const { notes } = await readDesk(ctx, principal, caseId);
        const note = [...notes].reverse().find((n) => n.by === principal.name && n.text === body.text && n.visibility === body.visibility);
        // The case answers a command id it has seen before without rerunning it: a key reused for other words.
        if (!note) throw new HttpProblem(409, 'idempotency_conflict', { key: 'idempotency_conflict.note' });
        res.status(201).json(note);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId/notes',
      operationId: 'listCaseNotes',
      summary: 'List the notes of a case',
      description: 'Oldest first. An insured gets the shared notes only.',
      tags: ['desk'],
      auth: { roles: CASE_READERS },
      params: CaseParamsSchema,
      responses: {
        200: { description: 'The notes the caller may see', schema: CaseNotesSchema, name: 'CaseNotes' },
        401: problemResponse('No or unknown key'),
        404: problemResponse('No such case (or another insured’s)'),
      },
      handle: async (_req, res, { params: { caseId }, principal }) => {
        const { notes } = await readDesk(ctx, principal, caseId);
        res.vary('Authorization');
        res.json({ notes: notesFor(principal, notes) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/cases/:caseId/documents',
      operationId: 'uploadCaseDocument',
      summary: 'Upload a document to a case',
      description:
        'The raw file as the body, with its `Content-Type` and its name in `X-File-Name` (percent-encoded UTF-8 for ' +
        `non-ASCII names). At most ${DEFAULT_DOCUMENT_MAX_BYTES} bytes by default (DOCUMENT_MAX_BYTES). The type is read from the ` +
        `content (magic bytes), not from the name or the header: accepted are ${DOCUMENT_TYPES.join(', ')}. Streamed and ` +
        'sealed at rest; the case records its reference (id, name, type, size, sha256, who, when). A body over the limit, ' +
        'of a refused type or cut off half way leaves nothing stored.',
      tags: ['desk'],
      auth: { roles: DOCUMENT_UPLOADERS },
      params: CaseParamsSchema,
      body: { kind: 'stream', contentType: '*/*', description: 'The document’s bytes' },
      responses: {
        201: { description: 'Stored and attached', schema: DocumentRefSchema, name: 'DocumentRef', headers: { Location: 'the document' } },
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not upload'),
        404: problemResponse('No such case (or another insured’s)'),
        409: problemResponse('The case no longer runs'),
        413: problemResponse('Larger than the limit'),
        415: problemResponse('Not a document of an accepted type (by its content)'),
        422: problemResponse('Refused by the case (e.g. too many documents)'),
        503: problemResponse('Recorded but not yet answered by the case, or Temporal unreachable'),
      },
      handle: (req, res, { params: { caseId }, principal }) => uploadDocument(ctx, req, res, principal, caseId),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId/documents',
      operationId: 'listCaseDocuments',
      summary: 'List the documents of a case',
      description: 'Oldest first: references only (id, name, type, size, sha256, who, when).',
      tags: ['desk'],
      auth: { roles: CASE_READERS },
      params: CaseParamsSchema,
      responses: {
        200: { description: 'The documents', schema: DocumentListSchema, name: 'DocumentList' },
        401: problemResponse('No or unknown key'),
        404: problemResponse('No such case (or another insured’s)'),
      },
      handle: async (_req, res, { params: { caseId }, principal }) => {
        const { documents } = await readDesk(ctx, principal, caseId);
        res.vary('Authorization');
        res.json({ documents });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId/documents/:documentId',
      operationId: 'downloadCaseDocument',
      summary: 'Download a document of a case',
      description: 'The bytes as uploaded, with the type found in them, as an attachment.',
      tags: ['desk'],
      auth: { roles: CASE_READERS },
      params: DocumentParamsSchema,
      responses: {
        200: { description: 'The document', contentType: 'application/octet-stream' },
        400: problemResponse('Not a document id (D and 24 hexadecimal digits)'),
        401: problemResponse('No or unknown key'),
        404: problemResponse('No such case or document (or another insured’s)'),
      },
      handle: async (_req, res, { params: { caseId, documentId }, principal }) => {
        const { documents } = await readDesk(ctx, principal, caseId);
        const ref = documents.find((d) => d.documentId === documentId);
        if (!ref) throw new HttpProblem(404, 'not_found', { key: 'not_found.document', params: { documentId } });
        let body;
        try {
          body = await openDocument({ store: ctx.deps.blobStore, keyring: ctx.deps.keyring }, caseId, documentId);
        } catch (err) {
          if (err instanceof BlobNotFoundError) throw new HttpProblem(404, 'not_found', { key: 'not_found.document', params: { documentId } });
          throw err;
        }
        ctx.log.info({ audit: 'document.download', principal: principal.name, role: principal.role, caseId, documentId }, 'audit: document downloaded');
        res.status(200);
        res.setHeader('Content-Type', ref.contentType);
        res.setHeader('Content-Disposition', `attachment; filename="document"; filename*=UTF-8''${encodeURIComponent(ref.name)}`);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Cache-Control', 'private, no-store');
        res.vary('Authorization');
        pipeline(body, res, () => undefined);
      },
    }),
  ];
}

async function uploadDocument(ctx: ApiContext, req: Request, res: Response, principal: Principal, caseId: string): Promise<void> {
  const max = ctx.deps.limits?.documentMaxBytes ?? DEFAULT_DOCUMENT_MAX_BYTES;
  const tooLarge = () =>
    new HttpProblem(413, 'payload_too_large', { key: 'payload_too_large.document', params: { limit: max } }, undefined, { limit: max }, {
      Connection: 'close',
    });
  if (Number(req.headers['content-length'] ?? 0) > max) throw tooLarge();
  const d = await describeCase(ctx, principal, caseId);
  if (d.status.name !== 'RUNNING') throw caseNotRunning(caseId, d);
  const rawName = req.headers['x-file-name'];
  const name = cleanFileName(typeof rawName === 'string' ? rawName : undefined, INPUT_LIMITS.maxFileNameChars);

  const documentId = `D${randomBytes(12).toString('hex')}`;
  const deps = { store: ctx.deps.blobStore, keyring: ctx.deps.keyring };
  const limiter = new ByteLimit(max);
  pipeline(req, limiter, () => undefined);
  let stored;
  try {
    stored = await storeDocument(limiter, deps, { caseId, documentId });
  } catch (err) {
    if (limiter.exceeded) throw tooLarge();
    if (err instanceof DocumentTypeRefused) {
      throw new HttpProblem(415, 'unsupported_media_type', { key: 'unsupported_media_type.document', params: { types: DOCUMENT_TYPES.join(', ') } }, undefined, {
        accepted: DOCUMENT_TYPES,
      });
    }
    // The client went away half way: the store kept nothing; the answer is for the log, nobody reads it.
    throw new HttpProblem(400, 'validation', { key: 'validation.upload_incomplete' });
  }
  try {
    await commandCase(ctx, caseId, {
      commandId: `document:${documentId}`,
      action: ATTACH_DOCUMENT,
      request: { actor: actorOf(principal), document: { documentId, name, ...stored } },
    });
  } catch (err) {
    // Refused or no such case: nothing may keep a document no case refers to. A pending command will attach it.
    if (!(err instanceof HttpProblem && err.code === 'command_pending')) await deps.store.delete(documentKey(caseId, documentId)).catch(() => undefined);
    return closedOrMissing(ctx, caseId, err, principal);
  }
  ctx.changes.bump(caseId);
  ctx.log.info(
    { audit: 'document.upload', principal: principal.name, role: principal.role, caseId, documentId, contentType: stored.contentType, size: stored.size },
    'audit: document uploaded',
  );
  const { documents } = await readDesk(ctx, principal, caseId);
  const ref = documents.find((x) => x.documentId === documentId);
  if (!ref) throw caseNotFound(caseId);
  res.status(201).location(`/v1/cases/${encodeURIComponent(caseId)}/documents/${documentId}`).json(ref);
}
