/**
 * The notice to persons as a versioned draft (rule `noticeDrafts`): previewed per language as a person will receive
 * it, edited part by part with `If-Match`, and approved by counsel version by version.
 *
 * Reads never need a worker: the case's memo has one summary per language (`view.noticeDrafts`), and the API drafts
 * the parts with the same domain function the case numbers its versions with (`draftNotice`), from the view and the
 * edited texts (sealed in the blob store, checked against the hashes the case recorded). An approval (the action
 * `approve-notice-draft`, or counsel's webhook `notice_approved`) first keeps the approved version's document in the
 * blob store, once (`approvedNoticeKey`), and the command names its key and SHA-256: the campaigns send those bytes.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  NOTICE_LANGUAGES,
  NOTICE_LIMITS,
  NOTICE_PARTS,
  ApprovedNoticeSchema,
  NoticeDraftEditBodySchema,
  draftNotice,
  noticeDocument,
  type ApprovedNotice,
  type ApproveNoticeDraftBody,
  type NoticeDraft,
} from '../domain/index.js';
import { toHtml, toText } from '../lib/email-document.js';
import { approvedNoticeKey, getEdits, getFiledDocument, keepFiledDocument, newNoticeEditsKey, putEdits, sha256Hex, type FilingStoreDeps } from '../storage/filings.js';
import { EDIT_NOTICE_DRAFT, type CaseView, type NoticeDraftSummary } from '../workflows/contract.js';
import { describeCaseModel, readView } from './case-reads.js';
import { commandCase } from './case-commands.js';
import type { ApiContext } from './context.js';
import { idempotencyKey } from './idempotency.js';
import { actorOf, type Principal } from './principals.js';
import { HttpProblem, problemResponse } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { CaseParamsSchema } from './schemas.js';
import { assertMayReadDescribed, closedOrMissing } from './tenancy.js';

export const NOTICE_READERS = ['insured', 'handler', 'supervisor', 'ops', 'admin'] as const;
export const NOTICE_EDITOR_ROLES = ['insured', 'handler', 'supervisor'] as const;

type Language = (typeof NOTICE_LANGUAGES)[number];

const LangQuerySchema = z.object({ lang: z.enum(NOTICE_LANGUAGES) }).strict();

const PartSchema = z.object({ label: z.string(), value: z.string(), source: z.enum(['case', 'edited']) });

const NoticePreviewSchema = z.object({
  language: z.enum(NOTICE_LANGUAGES),
  version: z.number().int(),
  sha: z.string().describe('SHA-256 of the parts at this version'),
  approved: z
    .object({
      version: z.number().int(),
      by: z.string(),
      at: z.string(),
      onBehalfOf: z.string().optional(),
      documentSha256: z.string(),
    })
    .optional()
    .describe('The current version’s approval (absent until counsel approved it; a new edit needs a new approval)'),
  parts: z.record(z.string(), PartSchema),
  subject: z.string(),
  text: z.string().describe('The text part of the e-mail, for a sample person'),
  html: z.string().describe('The HTML part of the e-mail, for a sample person: every text escaped, no script, nothing loaded'),
});

type Deps = FilingStoreDeps;

function storeDeps(ctx: ApiContext): Deps {
  return { store: ctx.deps.blobStore, keyring: ctx.deps.keyring };
}

async function readCase(ctx: ApiContext, principal: Principal, caseId: string): Promise<CaseView> {
  const described = await describeCaseModel(ctx, caseId);
  assertMayReadDescribed(principal, caseId, described.description);
  return described.model?.view ?? readView(ctx, caseId);
}

function summaryOf(view: CaseView, language: Language): NoticeDraftSummary {
  const found = view.noticeDrafts?.find((d) => d.language === language);
  if (!found) throw new HttpProblem(404, 'not_found', { key: 'not_found.notice_draft', params: { language } });
  return found;
}

/** The edited texts of a draft's current version, checked against the hashes the case recorded. */
async function editedTexts(deps: Deps, d: NoticeDraftSummary): Promise<Record<string, string>> {
  if (!d.editsKey || !d.edited) return {};
  const texts = await getEdits(deps, d.editsKey);
  const out: Record<string, string> = {};
  for (const [code, ref] of Object.entries(d.edited)) {
    const text = texts[code];
    if (text === undefined || sha256Hex(text) !== ref.sha256) throw new Error(`notice draft ${d.language}: the stored text of ${code} does not match the case's hash`);
    out[code] = text;
  }
  return out;
}

/**
 * The draft as it stands: once the notice went out, the approved version's kept document (what was sent, whatever
 * the case learnt since, such as a call centre engaged later); before, drafted from the view and the edited texts.
 */
async function currentDraft(deps: Deps, view: CaseView, d: NoticeDraftSummary): Promise<NoticeDraft> {
  if (view.notice.approved && d.approved?.version === d.version && d.approved.documentKey) {
    const kept = await getFiledDocument(deps, d.approved.documentKey);
    const parsed = kept ? ApprovedNoticeSchema.safeParse(JSON.parse(kept.toString('utf8'))) : undefined;
    if (parsed?.success && sha256Hex(kept!) === d.approved.documentSha256) return parsed.data.draft;
  }
  return draftNotice(view, d.language, await editedTexts(deps, d));
}

const SAMPLE_NAME: Record<Language, string> = { ja: '山田 太郎', en: 'Alex Smith' };

function previewJson(view: CaseView, d: NoticeDraftSummary, draft: NoticeDraft): z.infer<typeof NoticePreviewSchema> {
  const doc = noticeDocument(draft, { recipientName: SAMPLE_NAME[d.language], ...(view.insuredName ? { insuredName: view.insuredName } : {}) });
  const approved = d.approved && d.approved.version === d.version ? d.approved : undefined;
  return {
    language: d.language,
    version: d.version,
    sha: d.sha,
    ...(approved
      ? {
          approved: {
            version: approved.version,
            by: approved.by,
            at: approved.at,
            ...(approved.onBehalfOf ? { onBehalfOf: approved.onBehalfOf } : {}),
            documentSha256: approved.documentSha256,
          },
        }
      : {}),
    parts: draft.parts,
    subject: doc.subject,
    text: toText(doc),
    html: toHtml(doc),
  };
}

function etagOf(version: number): string {
  return `"v${version}"`;
}

async function answerPreview(ctx: ApiContext, req: Request, res: Response, view: CaseView, d: NoticeDraftSummary): Promise<void> {
  const etag = etagOf(d.version);
  res.set('ETag', etag);
  res.set('Cache-Control', 'private, no-cache');
  res.vary('Authorization');
  if ((req.headers['if-none-match'] ?? '').split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).json(previewJson(view, d, await currentDraft(storeDeps(ctx), view, d)));
}

function ifMatchVersion(req: Request, d: NoticeDraftSummary): number {
  const header = req.headers['if-match'];
  if (!header) throw new HttpProblem(428, 'precondition_required', { key: 'precondition_required.notice_draft', params: { version: d.version } });
  const versions = header
    .split(',')
    .map((t) => /^"v(\d+)"$/.exec(t.trim())?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
  if (!versions.includes(d.version)) throw new HttpProblem(412, 'stale_version', { key: 'stale_version.notice_draft', params: { language: d.language, version: d.version } });
  return d.version;
}

async function editNoticeDraft(
  ctx: ApiContext,
  req: Request,
  res: Response,
  principal: Principal,
  caseId: string,
  language: Language,
  body: z.infer<typeof NoticeDraftEditBodySchema>,
): Promise<void> {
  const view = await readCase(ctx, principal, caseId);
  const d = summaryOf(view, language);
  if (view.notice.approved) throw new HttpProblem(409, 'wrong_state', { key: 'wrong_state.notice_sent' });
  const baseVersion = ifMatchVersion(req, d);
  const deps = storeDeps(ctx);
  const texts = await editedTexts(deps, d);
  const parts: Record<string, { sha256: string; chars: number } | null> = {};
  for (const [code, text] of Object.entries(body.parts)) {
    if (text === undefined) continue;
    if (text === null) {
      delete texts[code];
      parts[code] = null;
    } else {
      texts[code] = text;
      parts[code] = { sha256: sha256Hex(text), chars: [...text].length };
    }
  }
  const editsKey = Object.keys(texts).length > 0 ? newNoticeEditsKey(caseId, language) : null;
  if (editsKey) await putEdits(deps, editsKey, texts);
  let after: CaseView;
  try {
    const commandId = `${principal.name}:edit-notice-draft:${idempotencyKey(req) ?? randomUUID()}`;
    after = await commandCase(ctx, caseId, { commandId, action: EDIT_NOTICE_DRAFT, request: { actor: actorOf(principal), language, baseVersion, parts, editsKey } });
  } catch (err) {
    if (editsKey && !(err instanceof HttpProblem && err.code === 'command_pending')) await deps.store.delete(editsKey).catch(() => undefined);
    return closedOrMissing(ctx, caseId, err, principal);
  }
  ctx.changes.bump(caseId);
  ctx.log.info({ audit: 'notice_draft.edit', principal: principal.name, role: principal.role, caseId, language, parts: Object.keys(parts) }, 'audit: notice draft edited');
  await answerPreview(ctx, req, res, after, summaryOf(after, language));
}

/**
 * Before an approval reaches the case (the action, or counsel's webhook): the named version must be the draft's
 * current one (412 otherwise), and its document is kept once in the blob store; the approval then names its key and
 * the SHA-256 of its bytes (anything a client sent in their place is replaced).
 */
export async function freezeNoticeVersion(
  ctx: ApiContext,
  view: CaseView,
  language: Language,
  version: number,
): Promise<{ documentKey: string; documentSha256: string } | undefined> {
  const d = view.noticeDrafts?.find((x) => x.language === language);
  if (!d) return undefined;
  if (d.version !== version) throw new HttpProblem(412, 'stale_version', { key: 'stale_version.notice_draft', params: { language, version: d.version } });
  const deps = storeDeps(ctx);
  const document: ApprovedNotice = { caseId: view.caseId, language, version, draft: await currentDraft(deps, view, d) };
  const key = approvedNoticeKey(view.caseId, language, version);
  const kept = await keepFiledDocument(deps, key, Buffer.from(JSON.stringify(document), 'utf8'));
  return { documentKey: key, documentSha256: sha256Hex(kept) };
}

/** The body of `approve-notice-draft` as the case gets it: with the frozen document's key and hash. */
export async function prepareApproveNoticeDraft(ctx: ApiContext, principal: Principal, caseId: string, body: ApproveNoticeDraftBody): Promise<ApproveNoticeDraftBody> {
  const { documentKey: _k, documentSha256: _s, ...rest } = body;
  const view = await readCase(ctx, principal, caseId);
  const frozen = await freezeNoticeVersion(ctx, view, body.language, body.version);
  return frozen ? { ...rest, ...frozen } : rest;
}

const READ_RESPONSES = {
  400: problemResponse('No or unknown language (lang=ja|en)'),
  401: problemResponse('No or unknown key'),
  404: problemResponse('No such case (or another insured’s), or the case keeps no notice draft (yet)'),
  503: problemResponse('The case has not written its first view yet (case_starting), or Temporal unreachable'),
};

export function noticeDraftRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId/notice-preview',
      operationId: 'previewCaseNotice',
      summary: 'Preview the notice to persons in one language',
      description:
        'What a person will receive in that language, drafted from the case and its edited parts: the parts (`label`, `value`, `source`: `case` or `edited`), ' +
        'the subject, and the e-mail’s text and HTML parts for a sample person (every text escaped). `version` grows with every change of a part, from the facts or an edit; ' +
        '`approved` names the current version’s approval by counsel. ETag `"v<version>"`: send it as `If-Match` to edit. Cases from before notice drafts answer 404.',
      tags: ['notice'],
      auth: { roles: NOTICE_READERS },
      params: CaseParamsSchema,
      query: LangQuerySchema,
      responses: {
        200: { description: 'The notice preview', schema: NoticePreviewSchema, name: 'NoticePreview', headers: { ETag: 'the version' } },
        304: { description: 'Not modified (If-None-Match)' },
        ...READ_RESPONSES,
      },
      handle: async (req, res, { params: { caseId }, query: { lang }, principal }) => {
        const view = await readCase(ctx, principal, caseId);
        await answerPreview(ctx, req, res, view, summaryOf(view, lang));
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/cases/:caseId/notice-draft',
      operationId: 'editCaseNoticeDraft',
      summary: 'Edit parts of the notice to persons in one language',
      description:
        `Part texts by code (${NOTICE_PARTS.join(', ')}): plain text (no markup, no control characters but line breaks and tabs), ` +
        `the subject one line of at most ${NOTICE_LIMITS.maxSubjectChars} characters, every other part at most ${NOTICE_LIMITS.maxPartChars}; ` +
        'or null to let a part follow the case again. Needs `If-Match` with the preview’s ETag (`"v<version>"`): 428 without it, 412 when the draft has moved on. ' +
        'Each edit is a new version, and a new version needs a new approval by counsel. Once the notice is approved and sent the draft no longer changes (409).',
      tags: ['notice'],
      auth: { roles: NOTICE_EDITOR_ROLES },
      params: CaseParamsSchema,
      query: LangQuerySchema,
      body: { kind: 'json', schema: NoticeDraftEditBodySchema, name: 'NoticeDraftEditBody', example: { parts: { whatWeAreDoing: '外部の専門機関と調査を進めています。' } } },
      responses: {
        200: { description: 'The preview at the new version', schema: NoticePreviewSchema, name: 'NoticePreview', headers: { ETag: 'the new version' } },
        400: problemResponse('Invalid body or language'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Role may not edit the notice'),
        404: problemResponse('No such case (or another insured’s), or no notice draft (yet)'),
        409: problemResponse('The notice is approved and sent, or the case no longer runs'),
        412: problemResponse('If-Match names an older version (stale_version)'),
        415: problemResponse('Not JSON'),
        422: problemResponse('Refused by the case'),
        428: problemResponse('No If-Match'),
        503: problemResponse('Recorded but not yet answered by the case (repeat with the same Idempotency-Key), or Temporal unreachable'),
      },
      handle: (req, res, { params: { caseId }, query: { lang }, body, principal }) => editNoticeDraft(ctx, req, res, principal, caseId, lang, body),
    }),
  ];
}
