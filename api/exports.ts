/**
 * Exports for the insurer's operations (admin, ops, supervisor): the case list as CSV with the list's filters, the
 * monthly bordereau per policy, and a case's timeline as JSON lines (its audit trail). All are read from the case list
 * and each case's read model (api/case-records.ts): no query of a case, no worker involved.
 *
 * What they never carry: affected persons' data (the persons list stays in the blob store; a case knows only counts)
 * and the contact of the report. CSV is written by csv-stringify, streamed row by row, UTF-8 with a byte order mark
 * (Excel in Japan reads UTF-8 without one as Shift_JIS), every text cell that a spreadsheet would run as a formula
 * neutralised by lib/csv-safe.ts.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import { neutraliseSpreadsheetFormula } from '../lib/csv-safe.js';
import { TERMINAL_STATUSES } from '../domain/index.js';
import { CASE_WORKFLOW_TYPE, SA, type TimelineEntry } from '../workflows/contract.js';
import { describeCaseModel, readTimeline } from './case-reads.js';
import { listCaseRecords, type CaseRecord } from './case-records.js';
import type { ApiContext } from './context.js';
import { HttpProblem, problemResponse } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { BordereauQuerySchema, CaseExportQuerySchema, CaseParamsSchema } from './schemas.js';
import { assertMayReadDescribed } from './tenancy.js';
import { listQuery } from './visibility.js';

const EXPORT_ROLES = ['admin', 'ops', 'supervisor'] as const;

export const CASE_EXPORT_COLUMNS = [
  'caseId',
  'status',
  'severity',
  'policyNumber',
  'insuredId',
  'reportedAt',
  'discoveredAt',
  'occurredAt',
  'cause',
  'affectedPersons',
  'coverageDecision',
  'coverageDecideBy',
  'assignedTo',
  'nextDeadline',
  'overdue',
  'overdueObligations',
  'vendorSlaBreaches',
  'reserveJpy',
  'payableJpy',
  'paidJpy',
] as const;

export const BORDEREAU_COLUMNS = [
  'month',
  'policyNumber',
  'insuredId',
  'insuredName',
  'cases',
  'casesReportedInMonth',
  'openCases',
  'reserveJpy',
  'paidInMonthJpy',
  'paidToDateJpy',
] as const;

type Row = Record<string, string | number | boolean | null>;

function csv(columns: readonly string[]) {
  return stringify({
    header: true,
    columns: [...columns],
    bom: true,
    record_delimiter: 'windows',
    cast: { string: (v: string) => neutraliseSpreadsheetFormula(v), boolean: (v: boolean) => (v ? 'true' : 'false') },
  });
}

/**
 * Streams `rows` as CSV. The first row is read before the headers go out, so a Temporal that cannot answer is still a
 * problem+json; a failure later cuts the response off (a client sees an incomplete transfer, never a short file
 * that looks whole).
 */
async function sendCsv(res: Response, filename: string, columns: readonly string[], rows: AsyncIterable<Row>): Promise<void> {
  const it = rows[Symbol.asyncIterator]();
  const first = await it.next();
  res.status(200);
  res.set('Content-Type', 'text/csv; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${filename}"`);
  res.set('Cache-Control', 'private, no-store');
  async function* all(): AsyncGenerator<Row> {
    if (!first.done) yield first.value;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  try {
    await pipeline(Readable.from(all()), csv(columns), res);
  } catch (err) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

function caseRow(r: CaseRecord): Row {
  const v = r.view;
  return {
    caseId: r.caseId,
    status: v?.status ?? null,
    severity: v?.severity ?? null,
    policyNumber: r.policyNumber,
    insuredId: r.insuredId,
    reportedAt: v?.reportedAt ?? null,
    discoveredAt: v?.discoveredAt ?? null,
    occurredAt: v?.occurredAt ?? null,
    cause: v?.cause ?? null,
    affectedPersons: v?.affectedPersons ?? null,
    coverageDecision: v?.coverage.decision ?? null,
    coverageDecideBy: v?.coverage.decideBy ?? null,
    assignedTo: r.assignedTo,
    nextDeadline: v?.nextDeadline ?? null,
    overdue: v?.overdue ?? null,
    overdueObligations: v ? v.obligations.filter((o) => o.status === 'overdue').length : null,
    vendorSlaBreaches: v ? v.vendors.filter((e) => e.slaBreached).length : null,
    reserveJpy: v?.reserve.totalJpy ?? null,
    payableJpy: v?.settlement.payableJpy ?? null,
    paidJpy: v?.settlement.paidJpy ?? null,
  };
}

async function* caseRows(ctx: ApiContext, query: string): AsyncGenerator<Row> {
  for await (const r of listCaseRecords(ctx, query).records) yield caseRow(r);
}

const JST_MS = 9 * 3_600_000;

/** The JST month `YYYY-MM` as UTC instants [start, end). */
export function jstMonth(month: string): { start: number; end: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { start: Date.UTC(y, m - 1, 1) - JST_MS, end: Date.UTC(y, m, 1) - JST_MS };
}

export function currentJstMonth(now: Date): string {
  return new Date(now.getTime() + JST_MS).toISOString().slice(0, 7);
}

/** One row per policy with a case reported before the month's end (JST), from the cases' read models. */
export async function bordereauRows(ctx: ApiContext, month: string): Promise<Row[]> {
  const { start, end } = jstMonth(month);
  const query = `WorkflowType = '${CASE_WORKFLOW_TYPE}' AND ${SA.reportedAt.name} < '${new Date(end).toISOString()}'`;
  const byPolicy = new Map<string, Row & { cases: number; casesReportedInMonth: number; openCases: number; reserveJpy: number; paidInMonthJpy: number; paidToDateJpy: number }>();
  for await (const r of listCaseRecords(ctx, query).records) {
    const v = r.view;
    if (!v) continue;
    let row = byPolicy.get(v.policyNumber);
    if (!row) {
      row = {
        month,
        policyNumber: v.policyNumber,
        insuredId: v.insuredId,
        insuredName: v.insuredName ?? null,
        cases: 0,
        casesReportedInMonth: 0,
        openCases: 0,
        reserveJpy: 0,
        paidInMonthJpy: 0,
        paidToDateJpy: 0,
      };
      byPolicy.set(v.policyNumber, row);
    }
    if (row.insuredName === null && v.insuredName) row.insuredName = v.insuredName;
    row.cases++;
    const reported = Date.parse(v.reportedAt);
    if (reported >= start) row.casesReportedInMonth++;
    if (!TERMINAL_STATUSES.includes(v.status)) {
      row.openCases++;
      row.reserveJpy += v.reserve.totalJpy;
    }
    for (const p of v.payouts) {
      if (p.status !== 'paid' || !p.paidAt) continue;
      const paidAt = Date.parse(p.paidAt);
      const amount = p.grantedJpy ?? p.requestedJpy;
      if (paidAt < end) row.paidToDateJpy += amount;
      if (paidAt >= start && paidAt < end) row.paidInMonthJpy += amount;
    }
  }
  return [...byPolicy.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}


export function exportRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/exports/cases.csv',
      operationId: 'exportCasesCsv',
      summary: 'Export the case list as CSV',
      description:
        'Every case the case list\u2019s filters match (no paging), one row each, streamed: ' +
        `${CASE_EXPORT_COLUMNS.join(', ')}. UTF-8 with BOM, CRLF; text cells a spreadsheet would run as formulas are ` +
        'prefixed with an apostrophe. Times UTC, amounts integer yen. Never carries affected persons\u2019 data or the report\u2019s contact.',
      tags: ['exports'],
      auth: { roles: EXPORT_ROLES },
      query: CaseExportQuerySchema,
      responses: {
        200: { description: 'The cases as CSV', contentType: 'text/csv', headers: { 'Content-Disposition': 'attachment' } },
        400: problemResponse('Invalid filter'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Not admin, ops or supervisor'),
      },
      handle: async (_req, res, { query }) => {
        await sendCsv(res, 'cases.csv', CASE_EXPORT_COLUMNS, caseRows(ctx, listQuery(query)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/exports/bordereau.csv',
      operationId: 'exportBordereauCsv',
      summary: 'Export the monthly bordereau as CSV',
      description:
        'One row per policy with cases reported before the end of the month (JST; the current month when `month` is ' +
        `omitted): ${BORDEREAU_COLUMNS.join(', ')}. \`cases\`: reported up to the month\u2019s end; \`openCases\` and \`reserveJpy\`: ` +
        'cases still open and their reserve as of the export; `paidInMonthJpy` and `paidToDateJpy`: payouts paid in the month ' +
        'and up to its end. Same CSV rules as the case export.',
      tags: ['exports'],
      auth: { roles: EXPORT_ROLES },
      query: BordereauQuerySchema,
      responses: {
        200: { description: 'The bordereau as CSV', contentType: 'text/csv', headers: { 'Content-Disposition': 'attachment' } },
        400: problemResponse('Invalid month'),
        401: problemResponse('No or unknown key'),
        403: problemResponse('Not admin, ops or supervisor'),
      },
      handle: async (_req, res, { query }) => {
        const month = query.month ?? currentJstMonth(ctx.now());
        const rows = await bordereauRows(ctx, month);
        await sendCsv(res, `bordereau-${month}.csv`, BORDEREAU_COLUMNS, Readable.from(rows));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId/timeline.jsonl',
      operationId: 'exportCaseTimeline',
      summary: 'Export a case timeline as JSON lines',
      description:
        'The audit trail of a case: every timeline entry (`at`, `type`, `actor`, `summary`), oldest first, one JSON object a ' +
        'line (`application/jsonl`), from the case\u2019s read model. The whole timeline, insurer-only entries included.',
      tags: ['exports'],
      auth: { roles: EXPORT_ROLES },
      params: CaseParamsSchema,
      responses: {
        200: { description: 'The timeline as JSON lines', contentType: 'application/jsonl', headers: { 'Content-Disposition': 'attachment' } },
        401: problemResponse('No or unknown key'),
        403: problemResponse('Not admin, ops or supervisor'),
        404: problemResponse('No such case'),
      },
      handle: async (_req, res, { params: { caseId }, principal }) => {
        const described = await describeCaseModel(ctx, caseId);
        assertMayReadDescribed(principal, caseId, described.description);
        const timeline: TimelineEntry[] = await readTimeline(ctx, caseId, described);
        if (!Array.isArray(timeline)) throw new HttpProblem(404, 'not_found', { key: 'not_found.case', params: { caseId } });
        res.status(200);
        res.set('Content-Type', 'application/jsonl; charset=utf-8');
        res.set('Content-Disposition', `attachment; filename="${caseId}-timeline.jsonl"`);
        res.set('Cache-Control', 'private, no-store');
        res.send(timeline.map((e) => JSON.stringify({ at: e.at, type: e.type, actor: e.actor, summary: e.summary })).join('\n') + (timeline.length ? '\n' : ''));
      },
    }),
  ];
}
