/**
 * Filings of a case: the drafts for the regulators and the persons notices, read as JSON, printable HTML or PDF, and
 * edited item by item with `If-Match`.
 *
 * Reads never need a worker: the case's memo has one summary per filing (`view.filings`: status, version, hash,
 * missing items, the hashes of edited items and the blob that holds their texts), and the API drafts the items with
 * the same domain function the case numbers its versions with (`draftFiling`), from the view and the edited texts.
 * An edit stores the new version's edited texts first (sealed, `storage/filings.ts`) and then sends the case an
 * `edit-filing` command with their hashes, so no item text enters the case's history. A filed version's document is
 * kept in the blob store as filed and answered from there, unchanged.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  FILING_ID_PATTERN,
  FILING_LIMITS,
  FilingEditBodySchema,
  ApprovedNoticeSchema,
  NOTICE_FILING_ID,
  draftFiling,
  noticeFilingTexts,
  filingTemplate,
  isFilingItem,
  type FilingDraft,
  type RecordFilingBody,
  type Regime,
} from '../domain/index.js';
import { filedDocumentKey, getEdits, getFiledDocument, keepFiledDocument, newEditsKey, putEdits, sha256Hex, type FilingStoreDeps } from '../storage/filings.js';
import { EDIT_FILING, type CaseView, type FilingSummary } from '../workflows/contract.js';
import { approvedJapaneseNotice } from '../workflows/filing-summaries.js';
import { describeCaseModel, readView } from './case-reads.js';
import { commandCase } from './case-commands.js';
import type { ApiContext } from './context.js';
import { renderFilingHtml, renderFilingPdf, type FilingDocumentMeta } from './filing-render.js';
import { idempotencyKey } from './idempotency.js';
import { actorOf, type Principal } from './principals.js';
import { HttpProblem, problemResponse } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { CaseIdSchema, CaseParamsSchema } from './schemas.js';
import { assertMayReadDescribed, closedOrMissing } from './tenancy.js';

export const FILING_READERS = ['insured', 'handler', 'supervisor', 'ops', 'admin'] as const;
export const FILING_EDITOR_ROLES = ['insured', 'handler', 'supervisor'] as const;

const FilingParamsSchema = z.object({ caseId: CaseIdSchema, filingId: z.string().max(64).regex(FILING_ID_PATTERN) }).strict();

const FilingSummarySchema = z.object({
  filingId: z.string(),
  regime: z.string(),
  audience: z.enum(['regulator', 'persons']),
  kind: z.string(),
  status: z.enum(['draft', 'ready', 'filed']),
  version: z.number().int(),
  sha: z.string().describe('SHA-256 of the items at this version'),
  missing: z.array(z.string()),
  filed: z.object({ version: z.number().int(), sha256: z.string(), filedAt: z.string(), by: z.string() }).optional(),
});

const FilingItemSchema = z.object({ label: z.string(), value: z.string(), source: z.enum(['case', 'edited']) });

const FilingSchema = FilingSummarySchema.extend({
  title: z.string(),
  language: z.enum(['ja', 'en']),
  dueAt: z.string(),
  items: z.record(z.string(), FilingItemSchema),
});

const FilingListSchema = z.object({ filings: z.array(FilingSummarySchema) });

type Deps = FilingStoreDeps;

function storeDeps(ctx: ApiContext): Deps {
  return { store: ctx.deps.blobStore, keyring: ctx.deps.keyring };
}

async function readCase(ctx: ApiContext, principal: Principal, caseId: string): Promise<CaseView> {
  const described = await describeCaseModel(ctx, caseId);
  assertMayReadDescribed(principal, caseId, described.description);
  return described.model?.view ?? readView(ctx, caseId);
}

function notFound(filingId: string): HttpProblem {
  return new HttpProblem(404, 'not_found', { key: 'not_found.filing', params: { filingId } });
}

function summaryOf(view: CaseView, filingId: string): FilingSummary {
  const found = view.filings?.find((f) => f.filingId === filingId);
  if (!found) throw notFound(filingId);
  return found;
}

function listed(f: FilingSummary): z.infer<typeof FilingSummarySchema> {
  return {
    filingId: f.filingId,
    regime: f.regime,
    audience: f.audience,
    kind: f.kind,
    status: f.status,
    version: f.version,
    sha: f.sha,
    missing: f.missing,
    ...(f.filed ? { filed: { version: f.filed.version, sha256: f.filed.sha256, filedAt: f.filed.filedAt, by: f.filed.by } } : {}),
  };
}

/** The edited texts of a filing's current version, checked against the hashes the case recorded. */
async function editedTexts(deps: Deps, f: FilingSummary): Promise<Record<string, string>> {
  if (!f.editsKey || !f.edited) return {};
  const texts = await getEdits(deps, f.editsKey);
  const out: Record<string, string> = {};
  for (const [code, ref] of Object.entries(f.edited)) {
    const text = texts[code];
    if (text === undefined || sha256Hex(text) !== ref.sha256) throw new Error(`filing ${f.filingId}: the stored text of ${code} does not match the case's hash`);
    out[code] = text;
  }
  return out;
}

/** The filing's draft at its current version, from the view, the approved notice (persons notice) and its edited texts. */
export async function currentDraft(deps: Deps, view: CaseView, f: FilingSummary): Promise<FilingDraft> {
  const o = view.obligations.find((x) => x.regime === f.regime && x.audience === f.audience && x.kind === f.kind);
  if (!o) throw notFound(f.filingId);
  return draftFiling(view, o, { ...(await approvedNoticeTexts(deps, view, f)), ...(await editedTexts(deps, f)) });
}

/**
 * The persons notice follows the approved Japanese notice (rule `noticeDrafts`): its overview, data items, secondary
 * damage and enquiry desk in the approved words, read from the document kept at approval and checked by its hash.
 */
async function approvedNoticeTexts(deps: Deps, view: CaseView, f: FilingSummary): Promise<Record<string, string>> {
  const approved = f.filingId === NOTICE_FILING_ID ? approvedJapaneseNotice(view) : undefined;
  if (!approved) return {};
  const bytes = await getFiledDocument(deps, approved.documentKey);
  if (!bytes || sha256Hex(bytes) !== approved.documentSha256) throw new Error(`filing ${f.filingId}: the approved notice does not match the case's hash`);
  return noticeFilingTexts(ApprovedNoticeSchema.parse(JSON.parse(bytes.toString('utf8'))).draft);
}

interface FiledSnapshot {
  draft: FilingDraft;
  meta: FilingDocumentMeta;
}

function filingJson(f: FilingSummary, d: FilingDraft) {
  return { ...listed(f), title: d.title, language: d.language, dueAt: d.dueAt, items: d.items };
}

type Representation = 'json' | 'html' | 'pdf';

function representation(req: Request): Representation {
  const best = req.accepts(['application/json', 'text/html', 'application/pdf']);
  return best === 'text/html' ? 'html' : best === 'application/pdf' ? 'pdf' : 'json';
}

/** One ETag per filing version and representation; `If-Match` on an edit names the JSON one (`"v<version>"`). */
function etagOf(version: number, rep: Representation): string {
  return rep === 'json' ? `"v${version}"` : `"v${version}.${rep}"`;
}

function sendDocument(req: Request, res: Response, rep: Representation, version: number, body: Buffer | string, fileName: string): void {
  const etag = etagOf(version, rep);
  res.set('ETag', etag);
  res.set('Cache-Control', 'private, no-cache');
  res.vary('Accept');
  res.vary('Authorization');
  if ((req.headers['if-none-match'] ?? '').split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return;
  }
  if (rep === 'pdf') {
    res.setHeader('Content-Disposition', `inline; filename="${fileName}.pdf"`);
    res.status(200).type('application/pdf').send(body);
  } else if (rep === 'html') {
    // A printable page: no script runs in it, and it loads nothing.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.status(200).type('text/html; charset=utf-8').send(body);
  } else res.status(200).type('application/json').send(body);
}

async function answerFiling(ctx: ApiContext, req: Request, res: Response, caseId: string, view: CaseView, f: FilingSummary, rep: Representation = representation(req)): Promise<void> {
  const deps = storeDeps(ctx);
  if (f.filed) {
    const snapshot = await getFiledDocument(deps, filedDocumentKey(caseId, f.filingId, f.filed.version, 'json'));
    const pdf = rep === 'pdf' ? await getFiledDocument(deps, filedDocumentKey(caseId, f.filingId, f.filed.version, 'pdf')) : undefined;
    if (snapshot && (rep !== 'pdf' || pdf)) {
      const { draft, meta } = JSON.parse(snapshot.toString('utf8')) as FiledSnapshot;
      const body = rep === 'pdf' ? pdf! : rep === 'html' ? renderFilingHtml(draft, meta) : JSON.stringify(filingJson(f, draft));
      sendDocument(req, res, rep, f.filed.version, body, f.filingId);
      return;
    }
  }
  const draft = await currentDraft(deps, view, f);
  const meta: FilingDocumentMeta = { caseId, version: f.version, status: f.status, asOf: view.updatedAt ?? view.reportedAt };
  const body = rep === 'pdf' ? await renderFilingPdf(draft, meta) : rep === 'html' ? renderFilingHtml(draft, meta) : JSON.stringify(filingJson(f, draft));
  sendDocument(req, res, rep, f.version, body, f.filingId);
}

function ifMatchVersion(req: Request, f: FilingSummary): number {
  const header = req.headers['if-match'];
  if (!header) throw new HttpProblem(428, 'precondition_required', { key: 'precondition_required.filing', params: { version: f.version } });
  const tags = header.split(',').map((t) => t.trim());
  const versions = tags.map((t) => /^"v(\d+)(?:\.(?:html|pdf))?"$/.exec(t)?.[1]).filter((v): v is string => v !== undefined).map(Number);
  if (!versions.includes(f.version)) throw new HttpProblem(412, 'stale_version', { key: 'stale_version.filing', params: { filingId: f.filingId, version: f.version } });
  return f.version;
}

async function editFiling(ctx: ApiContext, req: Request, res: Response, principal: Principal, caseId: string, filingId: string, body: z.infer<typeof FilingEditBodySchema>): Promise<void> {
  const view = await readCase(ctx, principal, caseId);
  const f = summaryOf(view, filingId);
  if (f.status === 'filed') throw new HttpProblem(409, 'wrong_state', { key: 'wrong_state.filing_filed', params: { filingId } });
  // A body no version of this filing could take is refused before the version is compared: it is wrong either way.
  const template = filingTemplate(f.regime as Regime, f.audience);
  const unknown = Object.keys(body.items).filter((code) => !isFilingItem(template, code));
  if (unknown.length > 0) {
    throw new HttpProblem(
      422,
      'invalid',
      { key: 'refusal.filing_item_unknown', params: { code: unknown.join(', '), filingId } },
      unknown.map((code) => ({ path: `/items/${code}`, message: `not an item of ${filingId}`, code: 'unknown_item', in: 'body' as const })),
    );
  }
  const baseVersion = ifMatchVersion(req, f);
  const deps = storeDeps(ctx);
  const texts = await editedTexts(deps, f);
  const items: Record<string, { sha256: string; chars: number } | null> = {};
  for (const [code, text] of Object.entries(body.items)) {
    if (text === null || text === undefined) {
      delete texts[code];
      items[code] = null;
    } else {
      texts[code] = text;
      items[code] = { sha256: sha256Hex(text), chars: [...text].length };
    }
  }
  const editsKey = Object.keys(texts).length > 0 ? newEditsKey(caseId, filingId) : null;
  if (editsKey) await putEdits(deps, editsKey, texts);
  let after: CaseView;
  try {
    const commandId = `${principal.name}:edit-filing:${idempotencyKey(req) ?? randomUUID()}`;
    after = await commandCase(ctx, caseId, { commandId, action: EDIT_FILING, request: { actor: actorOf(principal), filingId, baseVersion, items, editsKey } });
  } catch (err) {
    if (editsKey && !(err instanceof HttpProblem && err.code === 'command_pending')) await deps.store.delete(editsKey).catch(() => undefined);
    return closedOrMissing(ctx, caseId, err, principal);
  }
  ctx.changes.bump(caseId);
  ctx.log.info({ audit: 'filing.edit', principal: principal.name, role: principal.role, caseId, filingId, items: Object.keys(items) }, 'audit: filing edited');
  await answerFiling(ctx, req, res, caseId, after, summaryOf(after, filingId), 'json');
}

/**
 * Before `record-filing` reaches the case: the filing of that obligation is rendered at the version named (the current
 * one when none is), its PDF and items kept once in the blob store, and the command carries the version and the PDF's
 * SHA-256 (a `documentSha256` sent by the client is replaced). A case without drafts gets the body as sent.
 */
export async function prepareRecordFiling(ctx: ApiContext, principal: Principal, caseId: string, body: RecordFilingBody): Promise<RecordFilingBody> {
  if (!('filedAt' in body)) return body;
  const { documentSha256: _ignored, ...rest } = body;
  const view = await readCase(ctx, principal, caseId);
  const matches = (view.filings ?? []).filter((f) => f.regime === body.regime && f.kind === body.kind && (body.audience === undefined || f.audience === body.audience));
  if (matches.length !== 1 || matches[0]!.status === 'filed') return rest;
  const f = matches[0]!;
  const version = body.filingVersion ?? f.version;
  if (version !== f.version) throw new HttpProblem(412, 'stale_version', { key: 'stale_version.filing', params: { filingId: f.filingId, version: f.version } });
  const deps = storeDeps(ctx);
  const draft = await currentDraft(deps, view, f);
  const meta: FilingDocumentMeta = { caseId, version, status: 'filed', asOf: view.updatedAt ?? view.reportedAt };
  const snapshot: FiledSnapshot = { draft, meta };
  // The items first, then the PDF: a filed version always has both (a retry finds what the first attempt kept).
  await keepFiledDocument(deps, filedDocumentKey(caseId, f.filingId, version, 'json'), Buffer.from(JSON.stringify(snapshot), 'utf8'));
  const pdf = await keepFiledDocument(deps, filedDocumentKey(caseId, f.filingId, version, 'pdf'), await renderFilingPdf(draft, meta));
  return { ...rest, filingVersion: version, documentSha256: sha256Hex(pdf) };
}

const READ_RESPONSES = {
  401: problemResponse('No or unknown key'),
  404: problemResponse('No such case or filing (or another insured’s)'),
  503: problemResponse('The case has not written its first view yet (case_starting), or Temporal unreachable'),
};

export function filingRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId/filings',
      operationId: 'listCaseFilings',
      summary: 'List the filings of a case',
      description:
        'One filing per obligation whose audience is `regulator` and per persons notice, drafted from the case: status `draft`, `ready` or `filed`, ' +
        'its version (a new one with every change of its items, from the facts or an edit), the SHA-256 of its items and the items still missing. ' +
        'A final JP-APPI report is ready only when all nine items are answered. Cases from before filing drafts list none.',
      tags: ['filings'],
      auth: { roles: FILING_READERS },
      params: CaseParamsSchema,
      responses: {
        200: { description: 'The filings', schema: FilingListSchema, name: 'FilingList' },
        ...READ_RESPONSES,
      },
      handle: async (_req, res, { params: { caseId }, principal }) => {
        const view = await readCase(ctx, principal, caseId);
        res.vary('Authorization');
        res.json({ filings: (view.filings ?? []).map(listed) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId/filings/:filingId',
      operationId: 'getCaseFiling',
      summary: 'Read a filing of a case',
      description:
        'The filing with its items (`label`, `value`, `source`: `case` or `edited`), in the regulator’s language (Japanese for the PPC). ' +
        '`Accept: text/html` gives a printable page, `Accept: application/pdf` a PDF with the Japanese font embedded. ' +
        'A filed filing answers the document kept when it was filed, unchanged. ETag `"v<version>"` (JSON); send it as `If-Match` to edit.',
      tags: ['filings'],
      auth: { roles: FILING_READERS },
      params: FilingParamsSchema,
      responses: {
        200: { description: 'The filing (JSON; or text/html, application/pdf by Accept)', schema: FilingSchema, name: 'Filing', headers: { ETag: 'the version and representation' } },
        304: { description: 'Not modified (If-None-Match)' },
        400: problemResponse('Not a filing id'),
        ...READ_RESPONSES,
      },
      handle: async (req, res, { params: { caseId, filingId }, principal }) => {
        const view = await readCase(ctx, principal, caseId);
        await answerFiling(ctx, req, res, caseId, view, summaryOf(view, filingId));
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/cases/:caseId/filings/:filingId',
      operationId: 'editCaseFiling',
      summary: 'Edit items of a filing',
      description:
        `Item texts by code: plain text of 1-${FILING_LIMITS.maxItemChars} characters (no markup, no control characters but line breaks and tabs), ` +
        'or null to let an item follow the case again. Needs `If-Match` with the filing’s ETag (`"v<version>"`): 428 without it, 412 when the filing ' +
        'has moved on. An edited item keeps its text and is marked `source: "edited"`; the other items keep following the facts. Each edit is a new version. ' +
        'A filed filing no longer changes (409).',
      tags: ['filings'],
      auth: { roles: FILING_EDITOR_ROLES },
      params: FilingParamsSchema,
      body: { kind: 'json', schema: FilingEditBodySchema, name: 'FilingEditBody', example: { items: { publicAnnouncement: '2026年11月25日、当社ウェブサイトにて公表。' } } },
      responses: {
        200: { description: 'The filing at its new version', schema: FilingSchema, name: 'Filing', headers: { ETag: 'the new version' } },
        400: problemResponse('Invalid body'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not edit filings'),
        404: problemResponse('No such case or filing (or another insured’s)'),
        409: problemResponse('The filing is filed, or the case no longer runs'),
        412: problemResponse('If-Match names an older version (stale_version)'),
        415: problemResponse('Not JSON'),
        422: problemResponse('An item that is not one of this filing'),
        428: problemResponse('No If-Match'),
        503: problemResponse('Recorded but not yet answered by the case (repeat with the same Idempotency-Key), or Temporal unreachable'),
      },
      handle: (req, res, { params: { caseId, filingId }, body, principal }) => editFiling(ctx, req, res, principal, caseId, filingId, body),
    }),
  ];
}
