/**
 * The handler's desk on the real product (startStack, the dev server's SQLite visibility): the work queue, the
 * search, the exports (parsed with csv-parse and added up against the case views) and the timeline's JSON lines.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverageDecisionDueAt } from '../../domain/index.js';
import { workItems } from '../../api/work.js';
import { currentJstMonth, jstMonth } from '../../api/exports.js';
import type { Principal } from '../../api/principals.js';
import type { CaseView, TimelineEntry } from '../../workflows/contract.js';
import { CASE_WORKFLOW_TYPE } from '../../workflows/contract.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { as, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let policyNumber: string;
const marker = uniqueId('zq').toLowerCase();
const cases: { provisional: string; covered: string; other: string } = { provisional: '', covered: '', other: '' };

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await fn();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    v = await fn();
  }
  return v;
}

const rows = (text: string) => parse<Record<string, string>>(text, { bom: true, columns: true, skip_empty_lines: true });
const view = async (caseId: string) => (await as(stack, 'handler')('GET', `/v1/cases/${caseId}`)).json as unknown as CaseView;

beforeAll(async () => {
  // The sandbox's forensic findings would date the leak and settle the provisional coverage: not within this file.
  stack = await startStack({ sandboxTiming: { findingsDelayMs: 10 * 60_000, invoiceDelayMs: 10 * 60_000 } });
  policyNumber = uniqueId('PL');
  // A spreadsheet formula as the insured's name: every CSV must neutralise it.
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody({ insuredName: '=HYPERLINK("http://x")株式会社' }))).status).toBe(201);
  const file = async (overrides: Record<string, unknown>) => {
    const res = await as(stack, 'insured-ins-001')('POST', '/v1/cases', reportBody(policyNumber, overrides));
    expect(res.status).toBe(201);
    return res.json.caseId as string;
  };
  cases.provisional = await file({ occurredAt: undefined, description: `USB stick lost ${marker} at the office` });
  cases.covered = await file({ description: 'Mail sent to the wrong customer list' });
  cases.other = await file({ affectedPersons: 40, description: 'Ｌａｐｔｏｐ stolen from a car' });
  // Each case's first task has run (the API's first view already says `response`) and its read model reached visibility.
  for (const caseId of Object.values(cases)) {
    await eventually(
      () => as(stack, 'ops')('GET', `/v1/cases/${caseId}/timeline`),
      (r) => Array.isArray(r.json) && (r.json as unknown[]).length > 2,
    );
  }
  await eventually(
    () => as(stack, 'ops')('GET', `/v1/exports/cases.csv?policyNumber=${policyNumber}`),
    (r) => r.status === 200 && rows(r.text).length === 3 && rows(r.text).every((x) => x.status === 'response' && x.assignedTo === ''),
  );
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

describe('GET /v1/work', () => {
  it('gives a handler the coverage to decide, due two Japanese business days after the report', async () => {
    const provisional = await view(cases.provisional);
    expect(provisional.coverage.decision).toBe('provisional');
    const res = await as(stack, 'handler')('GET', '/v1/work');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-work-truncated')).toBe('false');
    const all = (res.json as unknown as { caseId: string; task: string; detail?: string }[]).filter((i) => Object.values(cases).includes(i.caseId));
    // Unassigned cases are every handler's: with over 1,000 persons, each has its APPI preliminary report due within 7 days.
    for (const caseId of [cases.provisional, cases.covered]) {
      expect(all.filter((i) => i.caseId === caseId && i.task === 'filing_due').map((i) => i.detail)).toContain('JP-APPI:preliminary');
    }
    const items = all.filter((i) => i.task === 'decide_coverage');
    expect(items).toEqual([
      {
        caseId: cases.provisional,
        task: 'decide_coverage',
        dueAt: coverageDecisionDueAt(provisional.reportedAt),
        overdue: false,
        escalated: false,
        detail: 'occurrence_unknown',
        assignedTo: null,
        href: `/v1/cases/${cases.provisional}`,
      },
    ]);
  });

  it('is for handlers and supervisors only', async () => {
    for (const who of ['ops', 'admin', 'insured-ins-001']) expect((await as(stack, who)('GET', '/v1/work')).status, who).toBe(403);
    expect((await as(stack, 'supervisor')('GET', '/v1/work')).status).toBe(200);
  });
});

describe('workItems (what the queue makes of one case)', () => {
  const handler: Principal = { name: 'handler', role: 'handler', via: 'key' };
  const other: Principal = { name: 'someone', role: 'handler', via: 'key' };
  const supervisor: Principal = { name: 'supervisor', role: 'supervisor', via: 'key' };
  let base: CaseView;
  beforeAll(async () => {
    base = { ...(await view(cases.provisional)), assignedTo: 'handler' };
  });

  it('escalated coverage reaches every supervisor, not another handler', () => {
    const late = new Date(Date.parse(base.coverage.decideBy!) + 60_000);
    const escalated = { coverageEscalatedAt: late.toISOString() };
    const coverage = (items: { task: string }[]) => items.filter((i) => i.task === 'decide_coverage');
    expect(coverage(workItems(base, escalated, handler, late))).toEqual([expect.objectContaining({ overdue: true, escalated: true })]);
    expect(coverage(workItems(base, {}, handler, late))).toEqual([expect.objectContaining({ overdue: true, escalated: false })]);
    expect(workItems(base, escalated, supervisor, late)).toEqual([expect.objectContaining({ task: 'decide_coverage', escalated: true })]);
    expect(workItems(base, {}, supervisor, late)).toEqual([]);
    expect(workItems(base, escalated, other, late)).toEqual([]);
  });

  it('lists payouts over authority for supervisors, held consents, filings due within 7 days and SLA breaches', () => {
    const now = new Date(Date.parse(base.reportedAt) + 3_600_000);
    const v: CaseView = {
      ...base,
      coverage: { ...base.coverage, decision: 'covered' },
      payouts: [{ payoutId: 'P1', lineIds: ['L1'], requestedJpy: 9_000_000, status: 'awaiting_supervisor', approvedBy: ['handler'] }],
      settlement: {
        ...base.settlement,
        lines: [{ lineId: 'L1', category: 'call_center', claimedJpy: 1, payableJpy: 0, status: 'held', reasons: ['consent_missing'], steps: [], evidenceRef: 'x' }],
      },
      vendors: [
        { dispatchId: 'd1', vendorId: 'v1', role: 'forensics', dispatchedAt: base.reportedAt, ackDueAt: base.reportedAt, status: 'replaced', slaBreached: true, invoicedJpy: 0 },
      ],
    };
    const tasks = (who: Principal) => workItems(v, {}, who, now).map((i) => `${i.task}:${i.detail ?? ''}`).sort();
    const filings = v.obligations.filter((o) => o.audience === 'regulator' && Date.parse(o.dueAt) - now.getTime() <= 7 * 86_400_000);
    expect(filings.length).toBeGreaterThan(0);
    const common = ['consent:call_center', 'vendor_sla_breached:forensics:v1', ...filings.map((o) => `filing_due:${o.regime}:${o.kind}`)];
    expect(tasks(handler)).toEqual([...common].sort());
    expect(tasks(supervisor)).toEqual(['approve_payout:P1']);
    expect(tasks({ ...supervisor, name: 'handler' })).toEqual([...common, 'approve_payout:P1'].sort());
    expect(workItems({ ...v, status: 'closed' }, {}, handler, now)).toEqual([]);
  });
});

/** The search's answers, the same from the index as from the memo scan that stands in while it is built. */
function searchCases(name: string, searcher: () => Stack) {
  const ids = async (q: string, extra = '') =>
    ((await as(searcher(), 'handler')('GET', `/v1/cases?q=${encodeURIComponent(q)}${extra}`)).json.items as { caseId: string }[]).map((i) => i.caseId).sort();

  it(`${name}: finds the description, the insured name, the case id and the policy number`, async () => {
    expect(await ids(marker.toUpperCase())).toEqual([cases.provisional]);
    expect(await ids('laptop', `&policyNumber=${policyNumber}`)).toEqual([cases.other]); // full-width letters fold
    expect(await ids('HYPERLINK', `&policyNumber=${policyNumber}`)).toEqual(Object.values(cases).sort());
    expect(await ids(cases.covered.slice(0, -1))).toContain(cases.covered);
    expect(await ids(cases.covered.slice(3))).toEqual([cases.covered]); // a substring, not only a prefix
    expect(await ids(policyNumber)).toEqual(Object.values(cases).sort());
    expect(await ids(policyNumber, '&status=closed')).toEqual([]); // the list's other filters still apply
    expect(await ids(`${marker}-none`)).toEqual([]);
  });

  it(`${name}: keeps an insured to its own cases`, async () => {
    const res = await as(searcher(), 'insured-ins-002')('GET', `/v1/cases?q=${marker}`);
    expect(res.status).toBe(200);
    expect(res.json.items).toEqual([]);
    expect(((await as(searcher(), 'insured-ins-001')('GET', `/v1/cases?q=${marker}`)).json.items as { caseId: string }[]).map((i) => i.caseId)).toEqual([
      cases.provisional,
    ]);
  });
}

const metric = async (s: Stack, name: string) => {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

describe('GET /v1/cases?q= from the search index', () => {
  beforeAll(async () => {
    const usable = await eventually(() => metric(stack, 'breach_claims_search_index_usable'), (v) => v === 1, 60_000);
    expect(usable).toBe(1);
  }, 70_000);

  searchCases('index', () => stack);

  it('index: a case filed after the index was built is found at once', async () => {
    const late = uniqueId('late').toLowerCase();
    // Another policy: the exports below add up this file's three cases.
    const latePolicy = uniqueId('PL');
    expect((await as(stack, 'admin')('PUT', `/v1/policies/${latePolicy}`, policyBody())).status).toBe(201);
    const res = await as(stack, 'insured-ins-001')('POST', '/v1/cases', reportBody(latePolicy, { description: `Printer jam ${late}` }));
    expect(res.status).toBe(201);
    const found = await as(stack, 'handler')('GET', `/v1/cases?q=${late}`);
    expect((found.json.items as { caseId: string }[]).map((i) => i.caseId)).toEqual([res.json.caseId]);
    expect(await metric(stack, 'breach_claims_search_index_cases')).toBeGreaterThanOrEqual(4);
  });
});

describe('GET /v1/cases?q= by the memo scan (SEARCH_INDEX_MAX_CASES=0)', () => {
  let scanning: Stack;
  beforeAll(async () => {
    // The same payload keys, or the memos of the cases filed through the first stack could not be read.
    const keys = JSON.parse(await readFile(join(stack.dataDir, 'keys.json'), 'utf8')) as { payloadCodecKeys: string };
    scanning = await startStack({ inProcessWorker: false, env: { SEARCH_INDEX_MAX_CASES: '0', PAYLOAD_CODEC_KEYS: keys.payloadCodecKeys } });
  }, 60_000);
  afterAll(async () => {
    await scanning?.stop();
  });

  searchCases('scan', () => scanning);

  it('scan: the index stays off', async () => {
    expect(await metric(scanning, 'breach_claims_search_index_usable')).toBe(0);
    expect(await metric(scanning, 'breach_claims_search_index_cases')).toBe(0);
  });
});

describe('GET /v1/cases?q=', () => {
  it('refuses a page token with q, and quotes', async () => {
    expect((await as(stack, 'handler')('GET', `/v1/cases?q=x&pageToken=a.b`)).status).toBe(400);
    expect((await as(stack, 'handler')('GET', `/v1/cases?q=${encodeURIComponent("a'b")}`)).status).toBe(400);
  });

  it('the dev server’s SQLite visibility answers Keyword STARTS_WITH on WorkflowId and a custom attribute', async () => {
    const { Connection, Client } = await import('@temporalio/client');
    const { inject } = await import('vitest');
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const client = new Client({ connection });
      const query = `WorkflowType = '${CASE_WORKFLOW_TYPE}' AND (WorkflowId STARTS_WITH 'case-${cases.covered}' OR PolicyNumber STARTS_WITH '${policyNumber.slice(0, -2)}')`;
      const res = await client.workflowService.listWorkflowExecutions({ namespace: 'default', query, pageSize: 100 });
      const found = (res.executions ?? []).map((e) => e.execution?.workflowId);
      expect(found).toContain(`case-${cases.covered}`);
      expect(found).toContain(`case-${cases.other}`);
    } finally {
      await connection.close();
    }
  });
});

describe('exports', () => {
  it('cases.csv: the list’s filters, one row per case, adding up to the case views; formulas neutralised', async () => {
    const res = await as(stack, 'supervisor')('GET', `/v1/exports/cases.csv?policyNumber=${policyNumber}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = new Uint8Array(await (await fetch(`${stack.url}/v1/exports/cases.csv?policyNumber=${policyNumber}`, { headers: { authorization: `Bearer ${stack.keys.ops}` } })).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const got = rows(res.text);
    expect(got.map((r) => r.caseId).sort()).toEqual(Object.values(cases).sort());
    let reserve = 0;
    for (const r of got) {
      const v = await view(r.caseId!);
      expect(r).toMatchObject({
        status: v.status,
        severity: v.severity,
        policyNumber,
        insuredId: 'ins-001',
        coverageDecision: v.coverage.decision,
        affectedPersons: String(v.affectedPersons),
        reserveJpy: String(v.reserve.totalJpy),
        paidJpy: String(v.settlement.paidJpy),
      });
      reserve += Number(r.reserveJpy);
    }
    expect(reserve).toBe((await Promise.all(Object.values(cases).map(view))).reduce((a, v) => a + v.reserve.totalJpy, 0));
    // Never persons' data or the report's contact.
    expect(res.text).not.toMatch(/yamada|example\.co\.jp|山田/i);
    const filtered = rows((await as(stack, 'ops')('GET', `/v1/exports/cases.csv?policyNumber=${policyNumber}&severity=${got[0]!.severity}`)).text);
    expect(filtered.every((r) => r.severity === got[0]!.severity)).toBe(true);
  });

  it('bordereau.csv: one row per policy for the month, adding up to the case views', async () => {
    const month = currentJstMonth(new Date());
    const res = await as(stack, 'admin')('GET', `/v1/exports/bordereau.csv?month=${month}`);
    expect(res.status).toBe(200);
    const row = rows(res.text).find((r) => r.policyNumber === policyNumber);
    const views = await Promise.all(Object.values(cases).map(view));
    expect(row).toEqual({
      month,
      policyNumber,
      insuredId: 'ins-001',
      insuredName: `'=HYPERLINK("http://x")株式会社`,
      cases: '3',
      casesReportedInMonth: '3',
      openCases: '3',
      reserveJpy: String(views.reduce((a, v) => a + v.reserve.totalJpy, 0)),
      paidInMonthJpy: '0',
      paidToDateJpy: '0',
    });
    // A month before the cases has none of them.
    const before = new Date(jstMonth(month).start - 86_400_000);
    const earlier = rows((await as(stack, 'admin')('GET', `/v1/exports/bordereau.csv?month=${currentJstMonth(before)}`)).text);
    expect(earlier.find((r) => r.policyNumber === policyNumber)).toBeUndefined();
    expect((await as(stack, 'admin')('GET', '/v1/exports/bordereau.csv?month=2026-13')).status).toBe(400);
  });

  it('timeline.jsonl: the case’s timeline, one JSON object a line', async () => {
    const res = await as(stack, 'ops')('GET', `/v1/cases/${cases.covered}/timeline.jsonl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/jsonl/);
    const lines = res.text.trimEnd().split('\n').map((l) => JSON.parse(l) as TimelineEntry);
    const timeline = (await as(stack, 'supervisor')('GET', `/v1/cases/${cases.covered}/timeline`)).json as unknown as TimelineEntry[];
    expect(lines).toEqual(timeline);
    expect(lines.length).toBeGreaterThan(2);
  });

  it('are for admin, ops and supervisors only', async () => {
    for (const who of ['handler', 'insured-ins-001']) {
      for (const path of ['/v1/exports/cases.csv', '/v1/exports/bordereau.csv', `/v1/cases/${cases.covered}/timeline.jsonl`]) {
        const res = await as(stack, who)('GET', path);
        expect(res.status, `${who} ${path}`).toBe(403);
        expect((res.json as { code?: unknown }).code).toBe('forbidden');
      }
    }
  });
});
