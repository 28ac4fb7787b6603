/**
 * Case lists and dashboard counts from Temporal visibility, built from the search attributes the case workflow
 * keeps current, and the insured's name and the description's start from the facts part of the read model in the memo
 * each listed execution carries: never one query or describe per case, since a query on an uncached workflow replays
 * its whole history.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import { CASE_STATUSES, SEVERITIES } from '../domain/vocabulary.js';
import { CASE_WORKFLOW_TYPE, SA, caseIdFromWorkflowId, caseWorkflowId } from '../workflows/contract.js';
import { executionStatusName, listCaseRecords, memoFacts, type CaseRecord } from './case-records.js';
import type { ApiContext } from './context.js';
import { HttpProblem } from './problem.js';
import { searchFold, type CaseFacts } from './search-index.js';
import type { CaseListQuery, CaseSummary, DashboardSummary } from './schemas.js';

const BASE = `WorkflowType = '${CASE_WORKFLOW_TYPE}'`;

/** Values reach the query only after schema validation; quoting is the second lock. */
function lit(value: string): string {
  if (/['"\\]/.test(value)) throw new HttpProblem(400, 'validation', { key: 'validation.filter_quotes' });
  return `'${value}'`;
}

export function listQuery(filters: Omit<CaseListQuery, 'pageSize' | 'pageToken' | 'q'>): string {
  const clauses = [BASE];
  if (filters.status) clauses.push(`${SA.status.name} = ${lit(filters.status)}`);
  if (filters.severity) clauses.push(`${SA.severity.name} = ${lit(filters.severity)}`);
  if (filters.insuredId) clauses.push(`${SA.insuredId.name} = ${lit(filters.insuredId)}`);
  if (filters.policyNumber) clauses.push(`${SA.policyNumber.name} = ${lit(filters.policyNumber)}`);
  if (filters.assignedTo) clauses.push(`${SA.assignedTo.name} = ${lit(filters.assignedTo)}`);
  if (filters.dueBefore) clauses.push(`${SA.nextDeadline.name} < ${lit(new Date(filters.dueBefore).toISOString())}`);
  if (filters.overdue !== undefined) clauses.push(`${SA.overdue.name} = ${filters.overdue ? 'true' : 'false'}`);
  return clauses.join(' AND ');
}

function iso(d: Date | undefined): string | null {
  return d ? d.toISOString() : null;
}

/**
 * Page tokens are Temporal's, bound to the query they continue: `<token>.<check>`. A token that is not one we handed
 * out for these filters is refused at once; passed through, the server answers it with UNKNOWN, which the client
 * retries with back-off for some twenty seconds before the caller hears of it (found by the schemathesis run).
 */
function tokenCheck(query: string, token: string): string {
  return createHash('sha256').update(`${query}\u0000${token}`).digest('base64url').slice(0, 22);
}

export function wrapPageToken(query: string, raw: Uint8Array): string {
  const token = Buffer.from(raw).toString('base64url');
  return `${token}.${tokenCheck(query, token)}`;
}

export function unwrapPageToken(query: string, wrapped: string): Buffer | undefined {
  const dot = wrapped.indexOf('.');
  if (dot <= 0) return undefined;
  const token = wrapped.slice(0, dot);
  const given = Buffer.from(wrapped.slice(dot + 1));
  const expected = Buffer.from(tokenCheck(query, token));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return Buffer.from(token, 'base64url');
}

export async function listCases(
  ctx: ApiContext,
  query: string,
  pageSize: number,
  pageToken: string | undefined,
  /** The facts of a case when the caller has them already (the search index): its memo is then not decoded. */
  knownFacts?: (caseId: string) => CaseFacts | undefined,
): Promise<{ items: CaseSummary[]; nextPageToken: string | null }> {
  const badToken = () =>
    new HttpProblem(400, 'validation', { key: 'validation.page_token' }, [
      { path: '/pageToken', message: 'unknown page token', code: 'invalid_page_token', in: 'query' },
    ]);
  const rawToken = pageToken ? unwrapPageToken(query, pageToken) : undefined;
  if (pageToken && !rawToken) throw badToken();
  let response;
  try {
    response = await ctx.client.workflowService.listWorkflowExecutions({
      namespace: ctx.deps.temporal.namespace,
      query,
      pageSize,
      ...(rawToken ? { nextPageToken: rawToken } : {}),
    });
  } catch (err) {
    // The server answers a token it cannot read with UNKNOWN or INVALID_ARGUMENT; either way the token is at fault.
    const code = (err as { code?: unknown }).code;
    if (pageToken && (code === 2 || code === 3)) throw badToken();
    throw err;
  }
  const items: CaseSummary[] = [];
  const executions = (response.executions ?? []).filter((e) => caseIdFromWorkflowId(e.execution?.workflowId ?? ''));
  const facts = await Promise.all(
    executions.map((e) => {
      const workflowId = e.execution?.workflowId ?? '';
      const known = knownFacts?.(caseIdFromWorkflowId(workflowId) ?? '');
      return known ? Promise.resolve(known) : memoFacts(ctx, workflowId, e.memo?.fields);
    }),
  );
  for (const [i, e] of executions.entries()) {
    const workflowId = e.execution?.workflowId ?? '';
    const caseId = caseIdFromWorkflowId(workflowId);
    if (!caseId) continue;
    const f = facts[i];
    const sa = decodeTypedSearchAttributes(e.searchAttributes?.indexedFields);
    const status = sa.get(SA.status) as CaseSummary['status'] | undefined;
    const severity = sa.get(SA.severity) as CaseSummary['severity'] | undefined;
    items.push({
      caseId,
      status: status ?? null,
      severity: severity ?? null,
      insuredId: sa.get(SA.insuredId) ?? null,
      policyNumber: sa.get(SA.policyNumber) ?? null,
      insuredName: f?.insuredName ?? null,
      summary: typeof f?.description === 'string' ? summaryOf(f.description) : null,
      reportedAt: iso(sa.get(SA.reportedAt)),
      nextDeadline: iso(sa.get(SA.nextDeadline)),
      overdue: sa.get(SA.overdue) ?? false,
      overdueObligations: sa.get(SA.overdueObligations) ?? 0,
      vendorSlaBreaches: sa.get(SA.slaBreaches) ?? 0,
      assignedTo: sa.get(SA.assignedTo) ?? null,
      executionStatus: executionStatusName(e.status),
      href: `/v1/cases/${caseId}`,
    });
  }
  const next = response.nextPageToken;
  return { items, nextPageToken: next && next.length > 0 ? wrapPageToken(query, next) : null };
}

/** How much of an incident's description a list shows. */
export const SUMMARY_CHARS = 120;

/** The start of a description on one line, cut at a character (not inside a surrogate pair) with an ellipsis. */
export function summaryOf(description: string): string {
  const line = description.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length <= SUMMARY_CHARS ? line : `${chars.slice(0, SUMMARY_CHARS - 1).join('')}…`;
}

/** Whether the visibility store answers `GROUP BY` on a custom attribute (SQL stores group by ExecutionStatus only). */
let groupBySupported: boolean | undefined;

async function countByValue<V extends string>(
  ctx: ApiContext,
  attribute: string,
  values: readonly V[],
): Promise<Record<V, number>> {
  const out = Object.fromEntries(values.map((v) => [v, 0])) as Record<V, number>;
  if (groupBySupported !== false) {
    try {
      const grouped = await ctx.client.workflow.count(`${BASE} GROUP BY ${attribute}`);
      for (const g of grouped.groups) {
        const v = g.groupValues[0];
        if (typeof v === 'string' && v in out) out[v as V] = g.count;
      }
      groupBySupported = true;
      return out;
    } catch {
      groupBySupported = false;
    }
  }
  const counts = await Promise.all(values.map((v) => ctx.client.workflow.count(`${BASE} AND ${attribute} = ${lit(v)}`)));
  values.forEach((v, i) => (out[v] = counts[i]!.count));
  return out;
}

export async function dashboardSummary(ctx: ApiContext): Promise<DashboardSummary> {
  const now = ctx.now();
  const in24h = new Date(now.getTime() + 24 * 3_600_000);
  const open = `${BASE} AND ExecutionStatus = 'Running'`;
  const [byStatus, bySeverity, due, overdue, sla] = await Promise.all([
    countByValue(ctx, SA.status.name, CASE_STATUSES),
    countByValue(ctx, SA.severity.name, SEVERITIES),
    ctx.client.workflow.count(
      `${open} AND ${SA.nextDeadline.name} >= ${lit(now.toISOString())} AND ${SA.nextDeadline.name} < ${lit(in24h.toISOString())}`,
    ),
    ctx.client.workflow.count(`${BASE} AND ${SA.overdue.name} = true`),
    ctx.client.workflow.count(`${BASE} AND ${SA.slaBreaches.name} > 0`),
  ]);
  // Every case has a status, so the total is the sum of its counts: a count of its own, taken a moment apart from
  // them (SQL visibility counts each status with a query of its own), disagreed with them while cases were filed.
  const total = Object.values<number>(byStatus).reduce((a, b) => a + b, 0);
  return {
    total,
    byStatus,
    bySeverity,
    dueNext24h: due.count,
    overdue: overdue.count,
    vendorSlaBreaches: sla.count,
  };
}

/** Cases the memo fallback of a search reads at most (100 a page) before it answers with what it found. */
export const SEARCH_SCAN_MAX_CASES = 2_000;

/** Whether a case's record matches the search text: its id, policy number, the insured's name or the description. */
export function matchesSearch(r: CaseRecord, q: string): boolean {
  const needle = searchFold(q);
  const hay = [r.caseId, r.policyNumber ?? '', r.view?.insuredName ?? '', r.view?.description ?? ''];
  return hay.some((h) => searchFold(h).includes(needle));
}

/** Matching cases whose current summaries one visibility call reads (`WorkflowId IN (...)`). */
const SEARCH_ID_CHUNK = 100;

/**
 * `GET /v1/cases?q=`, never a query of a case.
 * - From the search index (api/search-index.ts), once it is built: the index matches the text in memory among the
 *   cases of the caller's fixed filters (insured, policy), newest first; visibility then answers the current
 *   summaries of those cases under every filter of the list (`<filters> AND WorkflowId IN (...)`), a hundred ids a
 *   call, until a page is full.
 * - Until the index is built (the first seconds after the API starts), two passes: visibility's Keyword prefix match
 *   (`WorkflowId STARTS_WITH 'case-<q>' OR PolicyNumber STARTS_WITH '<q>'`, which the SQL stores answer, SQLite
 *   included), then the decoded memos of the listed cases, newest first, at most `SEARCH_SCAN_MAX_CASES`.
 * The answer is one page of at most `pageSize` matches (no next page); `searchTruncated` says the fallback's scan hit
 * its bound before it had read every case.
 */
export async function searchCases(
  ctx: ApiContext,
  where: Omit<CaseListQuery, 'pageSize' | 'pageToken' | 'q'>,
  q: string,
  pageSize: number,
): Promise<{ items: CaseSummary[]; nextPageToken: null; searchTruncated: boolean }> {
  const base = listQuery(where);
  if (ctx.searchIndex.ready()) {
    const ids = ctx.searchIndex.match(q, { insuredId: where.insuredId, policyNumber: where.policyNumber });
    const items: CaseSummary[] = [];
    // The first call asks for as many cases as the page needs (most matches pass the other filters too); the
    // further calls, if any, for a hundred at a time.
    for (let i = 0; i < ids.length && items.length < pageSize; ) {
      const chunk = ids.slice(i, i + (i === 0 ? pageSize : SEARCH_ID_CHUNK));
      i += chunk.length;
      const query = `${base} AND WorkflowId IN (${chunk.map((id) => lit(caseWorkflowId(id))).join(', ')})`;
      const page = await listCases(ctx, query, chunk.length, undefined, (id) => ctx.searchIndex.facts(id));
      const byId = new Map(page.items.map((s) => [s.caseId, s]));
      for (const id of chunk) {
        const s = byId.get(id);
        if (s && items.length < pageSize) items.push(s);
      }
    }
    return { items, nextPageToken: null, searchTruncated: false };
  }
  return scanSearch(ctx, base, q, pageSize);
}

async function scanSearch(
  ctx: ApiContext,
  base: string,
  q: string,
  pageSize: number,
): Promise<{ items: CaseSummary[]; nextPageToken: null; searchTruncated: boolean }> {
  const found = new Map<string, CaseSummary>();
  const prefix = `${base} AND (WorkflowId STARTS_WITH ${lit(`case-${q}`)} OR ${SA.policyNumber.name} STARTS_WITH ${lit(q)})`;
  if (prefixSupported !== false) {
    try {
      const page = await listCases(ctx, prefix, pageSize, undefined);
      for (const s of page.items) found.set(s.caseId, s);
      prefixSupported = true;
    } catch (err) {
      // A visibility store without STARTS_WITH answers INVALID_ARGUMENT: the memo pass finds prefixes too.
      if ((err as { code?: unknown }).code !== 3) throw err;
      prefixSupported = false;
    }
  }
  let truncated = false;
  if (found.size < pageSize) {
    const { records, truncated: cut } = listCaseRecords(ctx, base, SEARCH_SCAN_MAX_CASES);
    for await (const r of records) {
      if (found.size >= pageSize) break;
      if (found.has(r.caseId) || !matchesSearch(r, q)) continue;
      found.set(r.caseId, recordSummary(r));
    }
    truncated = cut();
  }
  return { items: [...found.values()].slice(0, pageSize), nextPageToken: null, searchTruncated: truncated };
}

let prefixSupported: boolean | undefined;

function recordSummary(r: CaseRecord): CaseSummary {
  const v = r.view;
  return {
    caseId: r.caseId,
    status: v?.status ?? null,
    severity: v?.severity ?? null,
    insuredId: r.insuredId,
    policyNumber: r.policyNumber,
    insuredName: v?.insuredName ?? null,
    summary: typeof v?.description === 'string' ? summaryOf(v.description) : null,
    reportedAt: v?.reportedAt ?? null,
    nextDeadline: v?.nextDeadline ?? null,
    overdue: v?.overdue ?? false,
    overdueObligations: v ? v.obligations.filter((o) => o.status === 'overdue').length : 0,
    vendorSlaBreaches: v ? v.vendors.filter((e) => e.slaBreached).length : 0,
    assignedTo: r.assignedTo,
    executionStatus: r.running ? 'RUNNING' : r.executionStatus,
    href: `/v1/cases/${r.caseId}`,
  };
}
