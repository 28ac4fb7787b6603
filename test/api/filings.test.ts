/**
 * Filings through the real API and a real worker: a 1,200-person Japanese case's drafts as JSON, printable HTML and a
 * PDF whose extracted text (poppler's `pdftotext`) holds the nine APPI item labels in Japanese; edits with If-Match
 * (428 without, 412 stale), plain text only, tenant isolation; `record-filing` keeps the filed PDF and its SHA-256,
 * and the filed version is answered again unchanged.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPI_REPORT_ITEMS, FILING_ITEM_LABELS } from '../../domain/index.js';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { until } from '../support/wait.js';

const run = promisify(execFile);
const SHOTS = 'test-results/screenshots';
let stack: Stack;
let caseId: string;
const PRELIMINARY = 'JP-APPI.regulator.preliminary';
const FINAL = 'JP-APPI.regulator.final';

beforeAll(async () => {
  stack = await startStack();
  const policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
  const created = await as(stack, 'insured-ins-001')(
    'POST',
    '/v1/cases',
    reportBody(policyNumber, { affectedPersons: 1200, dataItems: ['name', 'address', 'phone'], cause: 'device_loss', residency: { JP: 1200 } }),
  );
  expect(created.status, created.text).toBe(201);
  caseId = created.json.caseId;
  await until(() => as(stack, 'handler')('GET', `/v1/cases/${caseId}/filings`), (r) => (r.json?.filings?.length ?? 0) > 0, 30_000);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function pdfText(pdf: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'filing-'));
  try {
    await writeFile(join(dir, 'f.pdf'), pdf);
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', join(dir, 'f.pdf'), '-']);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function pdf(who: string, filingId: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const res = await fetch(`${stack.url}/v1/cases/${caseId}/filings/${filingId}`, { headers: { authorization: `Bearer ${stack.keys[who]}`, accept: 'application/pdf' } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

describe('filings of a 1,200-person Japanese case', () => {
  it('lists the drafts, and answers the preliminary report with 1,200 persons and the data items in Japanese', async () => {
    const insured = as(stack, 'insured-ins-001');
    const list = await insured('GET', `/v1/cases/${caseId}/filings`);
    expect(list.status).toBe(200);
    const ids = list.json.filings.map((f: { filingId: string }) => f.filingId);
    expect(ids).toEqual(expect.arrayContaining([PRELIMINARY, FINAL, 'JP-APPI.persons.notice']));
    const final = list.json.filings.find((f: { filingId: string }) => f.filingId === FINAL);
    // Counsel's advice from the sandbox may already have filled the prevention measures; the rest waits on the case.
    expect(final.status).toBe('draft');
    expect(final.missing).toEqual(expect.arrayContaining(['cause', 'responseToPersons', 'publicAnnouncement']));
    expect(final.missing.filter((m: string) => m !== 'preventionMeasures')).toEqual(['cause', 'responseToPersons', 'publicAnnouncement']);

    const prelim = await insured('GET', `/v1/cases/${caseId}/filings/${PRELIMINARY}`);
    expect(prelim.status, prelim.text).toBe(200);
    expect(prelim.headers.get('etag')).toBe(`"v${prelim.json.version}"`);
    expect(prelim.json).toMatchObject({ status: 'ready', language: 'ja' });
    expect(prelim.json.items.personsCount).toEqual({ label: '本人の数', value: '1,200人', source: 'case' });
    expect(prelim.json.items.dataItems.value).toBe('氏名、住所、電話番号');

    expect((await as(stack, 'insured-ins-002')('GET', `/v1/cases/${caseId}/filings`)).status).toBe(404);
    expect((await as(stack, 'insured-ins-002')('GET', `/v1/cases/${caseId}/filings/${PRELIMINARY}`)).status).toBe(404);
    expect((await insured('GET', `/v1/cases/${caseId}/filings/EU-GDPR.regulator.notice`)).status).toBe(404);
    expect((await insured('GET', `/v1/cases/${caseId}/filings/not-a-filing`)).status).toBe(400);
  });

  it('renders printable HTML and a PDF whose text holds the nine item labels in Japanese', async () => {
    const html = await as(stack, 'handler')('GET', `/v1/cases/${caseId}/filings/${FINAL}`, undefined, { accept: 'text/html' });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    for (const code of APPI_REPORT_ITEMS) expect(html.text).toContain(FILING_ITEM_LABELS[code]!.ja);

    const doc = await pdf('insured-ins-001', FINAL);
    expect(doc.status).toBe(200);
    expect(doc.type).toBe('application/pdf');
    expect(doc.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // Line breaks fall where the page width puts them: compare the text without them.
    const text = (await pdfText(doc.bytes)).replace(/\s+/g, '');
    for (const code of APPI_REPORT_ITEMS) expect(text, code).toContain(FILING_ITEM_LABELS[code]!.ja.replace(/\s+/g, ''));
    expect(text).toContain('1,200人');
    expect(text).toContain('氏名、住所、電話番号');
    // Its first page as a PNG for people to look at (poppler's pdftoppm), kept with the other screenshots.
    await mkdir(SHOTS, { recursive: true });
    const dir = await mkdtemp(join(tmpdir(), 'filing-'));
    await writeFile(join(dir, 'final.pdf'), doc.bytes);
    await run('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', join(dir, 'final.pdf'), join(SHOTS, 'filing-final-appi-page1')]);
    await rm(dir, { recursive: true, force: true });
    expect((await stat(join(SHOTS, 'filing-final-appi-page1.png'))).size).toBeGreaterThan(10_000);
  });

  it('edits with If-Match: 428 without, 412 stale, plain text only; the edit is a new version marked edited', async () => {
    const insured = as(stack, 'insured-ins-001');
    const before = await insured('GET', `/v1/cases/${caseId}/filings/${FINAL}`);
    const etag = before.headers.get('etag')!;
    const body = { items: { publicAnnouncement: '2026年11月25日、当社ウェブサイトにて公表。' } };
    expect((await insured('PATCH', `/v1/cases/${caseId}/filings/${FINAL}`, body)).status).toBe(428);
    expect((await insured('PATCH', `/v1/cases/${caseId}/filings/${FINAL}`, body, { 'if-match': '"v999"' })).status).toBe(412);
    const html = await insured('PATCH', `/v1/cases/${caseId}/filings/${FINAL}`, { items: { overview: '<img src=x onerror=alert(1)>' } }, { 'if-match': etag });
    expect(html.status).toBe(400);
    expect(html.headers.get('content-type')).toContain('application/problem+json');
    expect((await insured('PATCH', `/v1/cases/${caseId}/filings/${FINAL}`, { items: { nature: 'x' } }, { 'if-match': etag })).status).toBe(422);
    expect((await as(stack, 'ops')('PATCH', `/v1/cases/${caseId}/filings/${FINAL}`, body, { 'if-match': etag })).status).toBe(403);
    expect((await as(stack, 'insured-ins-002')('PATCH', `/v1/cases/${caseId}/filings/${FINAL}`, body, { 'if-match': etag })).status).toBe(404);

    // The sandbox's vendors report while this runs (counsel's advice moves the draft on): a client that meets 412
    // reads the filing again and edits the version it now sees.
    let seen = before;
    let edited = await insured('PATCH', `/v1/cases/${caseId}/filings/${FINAL}`, body, { 'if-match': etag });
    for (let i = 0; i < 5 && edited.status === 412; i++) {
      await new Promise((r) => setTimeout(r, 500));
      seen = await insured('GET', `/v1/cases/${caseId}/filings/${FINAL}`);
      edited = await insured('PATCH', `/v1/cases/${caseId}/filings/${FINAL}`, body, { 'if-match': seen.headers.get('etag')! });
    }
    expect(edited.status, edited.text).toBe(200);
    expect(edited.json.version).toBeGreaterThan(Number(seen.json.version));
    expect(edited.json.items.publicAnnouncement).toMatchObject({ value: body.items.publicAnnouncement, source: 'edited' });
    expect(edited.json.missing).toContain('responseToPersons');
    expect(edited.json.missing).not.toContain('publicAnnouncement');
    expect(edited.headers.get('etag')).toBe(`"v${edited.json.version}"`);
    expect((await insured('PATCH', `/v1/cases/${caseId}/filings/${FINAL}`, body, { 'if-match': seen.headers.get('etag')! })).status).toBe(412);
    // The text is in the blob store, not in the case's view.
    expect((await insured('GET', `/v1/cases/${caseId}`)).text).not.toContain('当社ウェブサイトにて公表');

    // Findings change the facts: the edited item keeps its text, the others follow.
    const found = await as(stack, 'handler')('POST', `/v1/cases/${caseId}/actions/record-findings`, { affectedPersons: 1300, note: '端末は暗号化されていなかった。全台暗号化を実施する。' });
    expect(found.status, found.text).toBe(200);
    const after = await insured('GET', `/v1/cases/${caseId}/filings/${FINAL}`);
    expect(after.json.version).toBeGreaterThan(Number(edited.json.version));
    expect(after.json.items.personsCount.value).toBe('1,300人');
    expect(after.json.items.publicAnnouncement).toMatchObject({ value: body.items.publicAnnouncement, source: 'edited' });
    expect(after.json.missing).toEqual(['responseToPersons']);
    expect(after.json.items.preventionMeasures.value).toContain('全台暗号化');
  });

  it('records the filing of a version: the PDF is kept, its SHA-256 is on the timeline, and the filed version answers unchanged', async () => {
    const insured = as(stack, 'insured-ins-001');
    let current = await insured('GET', `/v1/cases/${caseId}/filings/${PRELIMINARY}`);
    const filedAt = new Date().toISOString();
    const stale = await insured('POST', `/v1/cases/${caseId}/actions/record-filing`, { regime: 'JP-APPI', kind: 'preliminary', filedAt, filingVersion: current.json.version + 5 });
    expect(stale.status).toBe(412);
    const file = () =>
      insured('POST', `/v1/cases/${caseId}/actions/record-filing`, {
        regime: 'JP-APPI',
        kind: 'preliminary',
        filedAt,
        reference: 'PPC-1',
        filingVersion: current.json.version,
        documentSha256: '00'.repeat(32),
      });
    let filed = await file();
    for (let i = 0; i < 5 && filed.status === 412; i++) {
      await new Promise((r) => setTimeout(r, 500));
      current = await insured('GET', `/v1/cases/${caseId}/filings/${PRELIMINARY}`);
      filed = await file();
    }
    expect(filed.status, filed.text).toBe(200);
    const summary = filed.json.filings.find((f: { filingId: string }) => f.filingId === PRELIMINARY);
    expect(summary).toMatchObject({ status: 'filed', filed: { version: current.json.version } });
    expect(summary.filed.sha256).not.toBe('00'.repeat(32));

    const first = await pdf('insured-ins-001', PRELIMINARY);
    expect(createHash('sha256').update(first.bytes).digest('hex')).toBe(summary.filed.sha256);
    const timeline = await insured('GET', `/v1/cases/${caseId}/timeline`);
    expect(timeline.text).toContain(summary.filed.sha256);

    // The facts move on; the filed version does not.
    await as(stack, 'handler')('POST', `/v1/cases/${caseId}/actions/record-findings`, { dataItems: ['credit_card'] });
    const again = await pdf('handler', PRELIMINARY);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    const json = await insured('GET', `/v1/cases/${caseId}/filings/${PRELIMINARY}`);
    expect(json.json.items.personsCount.value).toBe('1,300人');
    expect(json.json.items.dataItems.value).toBe('氏名、住所、電話番号');
    const patch = await insured('PATCH', `/v1/cases/${caseId}/filings/${PRELIMINARY}`, { items: { otherMatters: 'x' } }, { 'if-match': `"v${current.json.version}"` });
    expect(patch.status).toBe(409);
  });

  it('files the current version when another API instance saw the filing move on (its own read is older than the case)', async () => {
    // Behind a load balancer: B has just read the case (its describe is cached for a moment); A edits the final
    // report, which gives it a new version B does not know of. B's record-filing without a version files the new one.
    const other = await stack.anotherApi();
    const viaB = (path: string, body: unknown) =>
      fetch(`${other.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${stack.keys['insured-ins-001']}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const insured = as(stack, 'insured-ins-001');
    const seenByB = await fetch(`${other.url}/v1/cases/${caseId}/filings/${FINAL}`, { headers: { authorization: `Bearer ${stack.keys['insured-ins-001']}` } });
    expect(seenByB.status).toBe(200);
    const versionSeenByB = Number((await seenByB.json()).version);
    let edited = { status: 412 } as Awaited<ReturnType<typeof insured>>;
    for (let i = 0; i < 5 && edited.status === 412; i++) {
      const now = await insured('GET', `/v1/cases/${caseId}/filings/${FINAL}`);
      edited = await insured('PATCH', `/v1/cases/${caseId}/filings/${FINAL}`, { items: { otherMatters: `B の後に A が編集 ${i}` } }, { 'if-match': now.headers.get('etag')! });
    }
    expect(edited.status, edited.text).toBe(200);
    expect(edited.json.version).toBeGreaterThan(versionSeenByB);
    const filed = await viaB(`/v1/cases/${caseId}/actions/record-filing`, { regime: 'JP-APPI', kind: 'final', filedAt: new Date().toISOString(), reference: 'PPC-2' });
    const text = await filed.text();
    expect(filed.status, text).toBe(200);
    const summary = (JSON.parse(text) as { filings: { filingId: string; status: string; filed: { version: number } }[] }).filings.find((f) => f.filingId === FINAL)!;
    expect(summary.status).toBe('filed');
    expect(summary.filed.version).toBeGreaterThanOrEqual(Number(edited.json.version));
  });
});
