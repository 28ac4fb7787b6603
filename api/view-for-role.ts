/**
 * Role-shaped case views: which fields of the case view each role gets (the contract's role matrix, as data), and
 * the one pure function that shapes a view for its reader. Every answer of the API that carries a case view (a read,
 * a command's answer, the 201 of intake and its idempotent 200, the persons upload, a closed case's result) goes
 * through `viewForRole` or `sendCaseView`; `test/security/view-shape.test.ts` holds each of them to the matrix.
 *
 * The insured gets everything about its case except the insurer's internal figures and work items:
 * - `exposure`: the JNSA damages estimate (per-person amount × persons, with its factors). It is the insurer's own
 *   estimate of what the affected persons might claim, a basis for reserving and for negotiating liability claims;
 *   shown to the insured it would be read as an offer or an entitlement.
 * - `reserve`: the 支払備金 the insurer books for the case, by cost category. An accounting provision of the insurer,
 *   not a limit, a promise or a consent; what the insured may spend is in `consents`, what it is paid in `settlement`.
 * - `heldFindings`: a vendor's findings held for a handler's `confirm-findings` because they would lower the persons,
 *   move the occurrence date or lift a duty. Until a handler confirms them they are not facts of the case but an item
 *   of the insurer's review (an insured reading "duty lifted" there could skip a filing it still owes); once
 *   confirmed they change the shared fields (persons, occurrence, obligations) like any findings.
 *
 * Decided and kept for the insured: `coverage` whole, its `computed` record included. The computed decision is the
 * policy wording applied to the insured's own facts (no figure, nothing the insured could not work out from its
 * policy), the timeline's coverage entry names it anyway, and an insured whose claim a handler overrides is owed
 * the grounds of the decision. Likewise `settlement` (what it is paid and why, step by step), `vendors` (who works on
 * its incident, with their invoices, which become its cost items) and `counselAdvice` (advice on its notices).
 */
import type { Request, Response } from 'express';
import type { Role } from '../domain/vocabulary.js';
import type { CaseView, TimelineEntry } from '../workflows/contract.js';
import { localizeTimeline, localizeView, type CaseTextLanguage } from './case-text.js';
import { etagMatches, sendWithEtag } from './etag.js';
import { problemLanguage } from './problem-text.js';

export type CaseViewField = keyof CaseView;

/**
 * Whose each top-level field of the case view is: `shared` (the insured gets it too) or `insurer` (the insurer's
 * people only). Exhaustive by type: a field added to `CaseView` does not compile until it is classified here, and at
 * run time a field this table does not list (a newer worker's) is not sent to an insured.
 */
export const CASE_VIEW_FIELD_AUDIENCE = {
  caseId: 'shared',
  status: 'shared',
  policyNumber: 'shared',
  insuredId: 'shared',
  reportedAt: 'shared',
  discoveredAt: 'shared',
  occurredAt: 'shared',
  cause: 'shared',
  dataItems: 'shared',
  affectedPersons: 'shared',
  severity: 'shared',
  severityReasons: 'shared',
  // The insured's own report: its words and its contact person.
  insuredName: 'shared',
  description: 'shared',
  contact: 'shared',
  coverage: 'shared',
  exposure: 'insurer',
  reserve: 'insurer',
  obligations: 'shared',
  // The insured writes and files them: summaries only (texts are read at the filings endpoints).
  filings: 'shared',
  // Findings' notes feed the insured's own filings (cause, prevention measures).
  findingsLog: 'shared',
  vendors: 'shared',
  // What the insured asked for, and the services run for its persons: the call centre (its number, its enquiries), the
  // credit monitoring offered to its customers with their enrolment count, its own prevention plan.
  vendorRequests: 'shared',
  services: 'shared',
  counselAdvice: 'shared',
  consents: 'shared',
  notice: 'shared',
  // The insured edits its notice too: summaries only (texts are read at the notice preview).
  noticeDrafts: 'shared',
  affectedPersonsList: 'shared',
  notifications: 'shared',
  settlement: 'shared',
  payouts: 'shared',
  assignedTo: 'shared',
  nextDeadline: 'shared',
  overdue: 'shared',
  closedAt: 'shared',
  closeReason: 'shared',
  // A vendor's unconfirmed findings (persons, dates, duties) are the insurer's to weigh before they become the case's.
  heldFindings: 'insurer',
  // The 公表 and the enquiry desk are the insured's own measures; the duty they meet is its duty.
  announcements: 'shared',
  enquiryDesk: 'shared',
  substituteMeasures: 'shared',
  // The contract gives every reader of a case its version. It moves with the insurer's figures too, so an insured can
  // tell that the case changed, never what changed.
  version: 'shared',
  updatedAt: 'shared',
} as const satisfies Record<CaseViewField, 'shared' | 'insurer'>;

type Audience = typeof CASE_VIEW_FIELD_AUDIENCE;
/** The fields only the insurer's people get. */
export type InsurerOnlyField = { [K in keyof Audience]: Audience[K] extends 'insurer' ? K : never }[keyof Audience];
/** The case view as an insured receives it. */
export type InsuredCaseView = Omit<CaseView, InsurerOnlyField>;

const ALL_FIELDS = Object.freeze(Object.keys(CASE_VIEW_FIELD_AUDIENCE) as CaseViewField[]);
export const INSURER_ONLY_FIELDS = Object.freeze(ALL_FIELDS.filter((f) => CASE_VIEW_FIELD_AUDIENCE[f] === 'insurer')) as readonly InsurerOnlyField[];
const SHARED_FIELDS = Object.freeze(ALL_FIELDS.filter((f) => CASE_VIEW_FIELD_AUDIENCE[f] === 'shared'));

/**
 * The role matrix: the top-level fields of the case view each role gets. The insurer's people get the whole view
 * (`ALL_FIELDS`, and also any field newer than this table); an insured gets the shared fields and nothing else; a
 * vendor reads no case (it only calls its webhook) and would get nothing.
 */
export const CASE_VIEW_FIELDS: Readonly<Record<Role, readonly CaseViewField[]>> = Object.freeze({
  insured: SHARED_FIELDS,
  handler: ALL_FIELDS,
  supervisor: ALL_FIELDS,
  ops: ALL_FIELDS,
  admin: ALL_FIELDS,
  vendor: Object.freeze([]),
});

/** Whether the role gets the view as the case answered it, fields this table does not know yet included. */
export function seesWholeView(role: Role): boolean {
  return CASE_VIEW_FIELDS[role] === ALL_FIELDS;
}

/**
 * The case view as `role` may see it. Pure: the view is never changed (it may be a cached read shared by callers of
 * other roles); a role that gets everything receives the same object, any other a new object holding exactly the
 * fields its row of the matrix lists (those the view has).
 */
export function viewForRole(view: CaseView, role: 'insured'): InsuredCaseView;
export function viewForRole(view: CaseView, role: Role): CaseView | InsuredCaseView;
export function viewForRole(view: CaseView, role: Role): CaseView | InsuredCaseView {
  if (seesWholeView(role)) return view;
  const shaped: Record<string, unknown> = {};
  for (const field of CASE_VIEW_FIELDS[role]) {
    if (Object.prototype.hasOwnProperty.call(view, field)) shaped[field] = view[field];
  }
  return shaped as InsuredCaseView;
}

/**
 * Timeline entry types that belong to the insurer's people only. None of today's entries carries an internal figure
 * (an `assessment` names severity, coverage and the count of obligations, never an amount); `reserve` and `exposure`
 * are held back should the case ever record their changes on its timeline (`reserve.history` in the contract).
 */
export const INSURER_ONLY_TIMELINE_TYPES: readonly string[] = Object.freeze(['reserve', 'exposure', 'coverage_escalated']);

/** The timeline as `role` may see it (pure; the entries are not copied). */
export function timelineForRole(entries: readonly TimelineEntry[], role: Role): TimelineEntry[] {
  if (seesWholeView(role)) return [...entries];
  return entries.filter((e) => !INSURER_ONLY_TIMELINE_TYPES.includes(e.type));
}

/** A sentence for the API document: which fields an insured does not get. */
export const INSURED_VIEW_NOTE =
  `Shaped by the caller's role (the role matrix, x-fields-by-role on CaseView): an insured does not get ` +
  `${INSURER_ONLY_FIELDS.map((f) => `\`${f}\``).join(', ')} (the insurer's internal figures and work items) and gets the ` +
  `InsuredCaseView shape; handler, supervisor, ops and admin get every field.`;

/** The OpenAPI note of `Content-Language` on an answer carrying the case's recorded texts. */
export const CASE_TEXT_LANGUAGE_HEADER = {
  'Content-Language': 'The language of the texts the case recorded (summaries, explanations): ja for Accept-Language: ja, else en (as recorded)',
} as const;

/**
 * The language the case's recorded texts are answered in (`Accept-Language`, as for problems: `ja` when preferred,
 * English otherwise), named by `Content-Language`; the answer varies with the header.
 */
export function caseTextLanguage(req: Request, res: Response): CaseTextLanguage {
  const lang = problemLanguage(req);
  res.vary('Accept-Language');
  res.set('Content-Language', lang);
  return lang;
}

/** The case view as `role` may see it, its recorded texts in `lang` (English: as recorded). */
export function viewForReader(view: CaseView, role: Role, lang: CaseTextLanguage): CaseView | InsuredCaseView {
  return localizeView(viewForRole(view, role), lang);
}

/** The timeline as `role` may see it, each summary in `lang`. */
export function timelineForReader(entries: readonly TimelineEntry[], role: Role, lang: CaseTextLanguage): TimelineEntry[] {
  return localizeTimeline(timelineForRole(entries, role), lang);
}

/**
 * Sends a case view shaped for the caller under a strong ETag naming the case's `version`, the shape (one version,
 * one view per shape: the insurer's whole view, an insured's) and the language of its recorded texts. A view from
 * before the read model (no version) is tagged by its body. The body depends on who asks and in which language, hence
 * `Vary: Authorization, Accept-Language` (the answer is `private` already).
 */
export function sendCaseView(req: Request, res: Response, status: number, view: CaseView, principal: { role: Role }): void {
  res.vary('Authorization');
  const lang = caseTextLanguage(req, res);
  if (view.version === undefined) return sendWithEtag(req, res, status, viewForReader(view, principal.role, lang));
  // The version names the body: a poller's repeat is answered 304 before the view is shaped, worded or serialised.
  const etag = versionEtag(view.caseId, view.version, principal.role, lang);
  res.set('Cache-Control', 'private, no-cache');
  res.set('ETag', etag);
  if (status === 200 && etagMatches(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  res.status(status).type('application/json').send(JSON.stringify(viewForReader(view, principal.role, lang)));
}

/**
 * The strong ETag of a case view: the case, its version, the reader's shape of it and the language of its recorded
 * texts name exactly one body (English, the record, adds nothing: the tags English readers hold stay valid).
 */
export function versionEtag(caseId: string, version: number, role: Role, lang: CaseTextLanguage = 'en'): string {
  const shape = seesWholeView(role) ? '' : `.${role}`;
  const language = lang === 'en' ? '' : `.${lang}`;
  return `"${caseId}.v${version}${shape}${language}"`;
}
