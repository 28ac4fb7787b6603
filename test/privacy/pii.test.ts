/**
 * Personal data discipline: a full case through the real stack (API over HTTP, worker with real activities, SMTP,
 * sandbox vendors), then a search for the affected persons' names, e-mail addresses and postal addresses everywhere
 * they must not be: the API's logs, the worker's SDK logs (activities and workflows), /metrics, the case's search
 * attributes and memo, the workflow histories (raw through a codec-less client, and decoded through the codec), every
 * API answer including errors, and every file under the data folder (the list is sealed at rest).
 * Also checks the audit trail: who uploaded the list (API audit log line, timeline entry), and the system's reads.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { Payload } from '@temporalio/common';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { loadSecrets, prepareRuntimeFiles } from '../../main/runtime.js';
import { createEncryptionCodec } from '../../lib/payload-codec.js';
import { parseKeyring } from '../../storage/crypto.js';
import { campaignWorkflowId, caseWorkflowId, policyWorkflowId } from '../../workflows/contract.js';
import { until } from '../support/wait.js';
import { approveNotice } from '../support/notice-approval.js';

const PERSONS = [
  { name: '秘密 花子', email: 'hanako.himitsu@privacy-test.example', address: '' },
  { name: 'Secretia Privatus', email: 'secretia.privatus@privacy-test.example', address: '' },
  { name: '匿名 次郎', email: '', address: '大阪府大阪市北区秘匿町9-8-7' },
];
/** Whole values and the distinctive parts of them, so a partial leak (a surname, a local part) is caught too. */
const NEEDLES = [
  ...PERSONS.flatMap((p) => [p.name, p.email, p.address]).filter(Boolean),
  '花子',
  'Secretia',
  'Privatus',
  '次郎',
  'hanako.himitsu',
  'secretia.privatus',
  '秘匿町',
];
/** A bad row whose values must not be echoed in the error. */
const BAD_ROW = { name: '漏洩 禁止子', email: 'not-an-email-kinshiko', language: 'xx' };
NEEDLES.push(BAD_ROW.name, BAD_ROW.email, 'kinshiko', '禁止子');

function leaks(haystack: string): string[] {
  return NEEDLES.filter((n) => haystack.includes(n));
}

const apiLog: string[] = [];
const sdkLog: string[] = [];
const answers: string[] = [];
let stack: Stack;
let restoreSdkLogger: () => void = () => undefined;

beforeAll(async () => {
  // The test process's Runtime logger (installed by test/setup/runtime.ts at WARN) is shared by every worker in this
  // process: wrap its methods so every level reaches the buffer too, and put them back afterwards.
  const logger = Runtime.instance().logger as unknown as Record<string, unknown>;
  const saved: Record<string, unknown> = {};
  for (const method of ['log', 'trace', 'debug', 'info', 'warn', 'error']) {
    const original = logger[method] as (...a: unknown[]) => void;
    saved[method] = Object.prototype.hasOwnProperty.call(logger, method) ? original : undefined;
    logger[method] = (...args: unknown[]) => {
      sdkLog.push(JSON.stringify(args, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
      return original.apply(logger, args);
    };
  }
  restoreSdkLogger = () => {
    for (const [method, original] of Object.entries(saved)) {
      if (original === undefined) delete logger[method];
      else logger[method] = original;
    }
  };
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      apiLog.push(chunk.toString('utf8'));
      done();
    },
  });
  stack = await startStack({ logger: pino({ level: 'trace' }, sink) });
});

afterAll(async () => {
  await stack?.stop();
  restoreSdkLogger();
});


/**
 * Every payload object ({ metadata, data }) in a history, wherever it sits, except search attributes: those are
 * indexed by the server and so never pass the codec (their values are searched in the raw text instead).
 */
/**
 * Every payload the product wrote, wherever it sits. Patch markers are left out: their details are written by the
 * SDK's core, not through the payload codec, and hold only the patch id (checked: `patchMarkersHoldOnlyIds`).
 */
function payloadsIn(value: unknown, out: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object') return out;
  if (value instanceof Uint8Array) return out;
  const o = value as Record<string, unknown>;
  if (o.data instanceof Uint8Array && o.metadata && typeof o.metadata === 'object') out.push(o);
  for (const [k, v] of Object.entries(o)) if (k !== 'searchAttributes' && k !== 'markerRecordedEventAttributes') payloadsIn(v, out);
  return out;
}

/** The plaintext a patch marker carries: its id and whether it is deprecated, nothing of the case. */
function patchMarkersHoldOnlyIds(history: { events?: { markerRecordedEventAttributes?: unknown }[] | null }): void {
  for (const e of history.events ?? []) {
    if (!e.markerRecordedEventAttributes) continue;
    const text = bytesAsText(e.markerRecordedEventAttributes);
    expect(text).toMatch(/core_patch|patch/);
    expect(text).not.toMatch(/@|山田|yamada/);
  }
}

function bytesAsText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    // A Buffer reaches the replacer already turned into { type: 'Buffer', data: [...] } by its toJSON.
    if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return Buffer.from((v as { data: number[] }).data).toString('utf8');
    }
    if (typeof v === 'bigint') return String(v);
    // A Long (an int64 of the history) prints its number.
    if (v && typeof v === 'object' && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toString(): string }).toString();
    return v;
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe('personal data stays out of logs, metrics, visibility, histories and errors', () => {
  it('runs a full case and finds no affected person anywhere it must not be', { timeout: 120_000 }, async () => {
    const record =
      (principal: string) =>
      async (...args: Parameters<ReturnType<typeof as>>) => {
        const r = await as(stack, principal)(...args);
        answers.push(`${args[0]} ${args[1]} -> ${r.status} ${r.text}`);
        return r;
      };
    const admin = record('admin');
    const insured = record('insured-ins-001');
    const other = record('insured-ins-002');
    const handler = record('handler');
    const supervisor = record('supervisor');
    const policyNumber = uniqueId('PL');

    expect((await admin('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
    const created = await insured('POST', '/v1/cases', reportBody(policyNumber, { affectedPersons: 3 }), { 'idempotency-key': uniqueId('k') });
    expect(created.status).toBe(201);
    const caseId: string = created.json.caseId;

    const csv = [
      'name,email,postal_address,language',
      ...PERSONS.map((p) => `${p.name},${p.email},${p.address},ja`),
      `${BAD_ROW.name},${BAD_ROW.email},,ja`,
      `${BAD_ROW.name},kinshiko@privacy-test.example,,${BAD_ROW.language}`,
    ].join('\n');

    // Errors: another insured, an unusable list (every row bad), then the real upload with two bad rows.
    expect((await other('PUT', `/v1/cases/${caseId}/affected-persons`, csv, { 'content-type': 'text/csv' })).status).toBe(404);
    const allBad = await insured('PUT', `/v1/cases/${caseId}/affected-persons`, `name,email,postal_address,language\n${BAD_ROW.name},${BAD_ROW.email},,ja\n`, {
      'content-type': 'text/csv',
    });
    expect(allBad.status).toBe(422);
    const upload = await insured('PUT', `/v1/cases/${caseId}/affected-persons`, csv, { 'content-type': 'text/csv' });
    expect(upload.status, upload.text).toBe(200);
    expect(upload.json.errorCount).toBe(2);

    expect((await handler('POST', `/v1/cases/${caseId}/actions/consent`, { category: 'apology_payment' })).status).toBe(200);
    expect((await approveNotice(handler, caseId)).status).toBe(200);
    const notified = await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json.notifications.status === 'done',
    );
    expect(notified.json.notifications).toMatchObject({ total: 3, sent: 2, letters: 1, failed: 0 });
    // The notices did go out, with the names in them: the search below is not blind.
    await stack.smtp.waitFor(2, 10_000);
    expect(stack.smtp.messages.some((m) => (m.text ?? '').includes(PERSONS[0]!.name))).toBe(true);

    for (const o of notified.json.obligations.filter((x: { status: string }) => x.status === 'pending' || x.status === 'overdue')) {
      const r = await insured('POST', `/v1/cases/${caseId}/actions/record-filing`, {
        regime: o.regime,
        kind: o.kind,
        audience: o.audience,
        filedAt: new Date().toISOString(),
        reference: `REF-${o.regime}-${o.kind}`,
      });
      expect(r.status, r.text).toBe(200);
    }
    await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json.vendors.length >= 2 && r.json.vendors.every((v: { invoicedJpy: number }) => v.invoicedJpy > 0),
    );
    expect(
      (await insured('POST', `/v1/cases/${caseId}/actions/submit-costs`, { items: [{ category: 'notification', amountJpy: 300, evidenceRef: 'postage-001' }] }))
        .status,
    ).toBe(200);
    await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json.settlement.lines.some((l: { status: string }) => l.status === 'payable'),
    );
    const approval = await handler('POST', `/v1/cases/${caseId}/actions/approve-payout`, {});
    expect(approval.status, approval.text).toBe(200);
    if (approval.json.payouts.at(-1).status === 'awaiting_supervisor') {
      expect((await supervisor('POST', `/v1/cases/${caseId}/actions/approve-payout`, {})).status).toBe(200);
    }
    await until(
      () => handler('GET', `/v1/cases/${caseId}`),
      (r) => r.json.payouts.every((p: { status: string }) => p.status === 'paid'),
    );
    const closed = await until(
      () => handler('POST', `/v1/cases/${caseId}/actions/close`, { reason: 'privacy test' }),
      (r) => r.status === 200,
      20_000,
    );
    expect(closed.status, closed.text).toBe(200);
    const timeline = await insured('GET', `/v1/cases/${caseId}/timeline`);
    expect(timeline.status).toBe(200);
    // A command refused by a validator, and a 404: their messages too.
    await handler('POST', `/v1/cases/${caseId}/actions/approve-notice`, { language: 'ja' });
    await insured('GET', `/v1/cases/${caseId}-nope`);

    // ---- where personal data must not be ----------------------------------------------------------------------
    const metrics = await fetch(`${stack.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('http_requests_total');

    const connection = stack.api.client.connection;
    const namespace = stack.config.TEMPORAL_NAMESPACE;
    const codecless = new Client({ connection, namespace });
    const ids = [caseWorkflowId(caseId), campaignWorkflowId(caseId, 1), policyWorkflowId(policyNumber)];
    const descriptions: string[] = [];
    const rawHistories: string[] = [];
    const decodedHistories: string[] = [];
    const files = await prepareRuntimeFiles(stack.config);
    const codec = createEncryptionCodec(parseKeyring(loadSecrets(stack.config, files).payloadCodecKeys));
    for (const id of ids) {
      const handle = codecless.workflow.getHandle(id);
      // The raw description: a client without the codec cannot decode the memo (the read model), which is the point.
      const d = await codecless.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId: id } });
      descriptions.push(bytesAsText(d.workflowExecutionInfo));
      const memo = Object.values(d.workflowExecutionInfo?.memo?.fields ?? {});
      if (id !== campaignWorkflowId(caseId, 1)) expect(memo.length, `${id} keeps a read model`).toBeGreaterThan(0);
      for (const p of memo) expect(Buffer.from(p.metadata!.encoding!).toString()).toMatch(/encrypted/);
      const history = await handle.fetchHistory();
      const raw = bytesAsText(history);
      rawHistories.push(raw);
      const payloads = payloadsIn(history);
      expect(payloads.length).toBeGreaterThan(0);
      patchMarkersHoldOnlyIds(history);
      // Encrypted on the wire and at rest: every payload of the case carries the codec's encoding.
      for (const p of payloads) expect(Buffer.from(p.metadata!.encoding!).toString()).toMatch(/encrypted/);
      decodedHistories.push(bytesAsText(await codec.decode(payloads)));
    }
    // The decoded history is readable (the search is not blind): the case id and the insured contact are in it.
    expect(decodedHistories[0]).toContain(caseId);
    expect(rawHistories[0]).not.toContain('yamada@example.co.jp');

    const stored: string[] = [];
    for (const f of await filesUnder(stack.dataDir)) stored.push(`${f}\n${(await readFile(f)).toString('utf8')}`);

    // Errors name rows and columns, never values.
    expect(upload.json.errors.length).toBe(2);
    expect(leaks(JSON.stringify(upload.json.errors))).toEqual([]);

    const places: Record<string, string> = {
      'API log': apiLog.join(''),
      'worker/SDK log': sdkLog.join('\n'),
      metrics,
      'search attributes and memo': descriptions.join('\n'),
      'raw history (codec-less client)': rawHistories.join('\n'),
      'decoded history payloads': decodedHistories.join('\n'),
      'API answers and errors': answers.join('\n'),
      'files under the data folder': stored.join('\n'),
    };
    const found = Object.fromEntries(Object.entries(places).map(([where, text]) => [where, leaks(text)]));
    expect(found).toEqual(Object.fromEntries(Object.keys(places).map((k) => [k, []])));
    expect(apiLog.length).toBeGreaterThan(0);
    expect(sdkLog.length).toBeGreaterThan(0);

    // ---- the audit trail ----------------------------------------------------------------------------------------
    const audit = apiLog.flatMap((l) => l.split('\n')).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.audit);
    expect(audit).toEqual([
      expect.objectContaining({
        audit: 'affected_persons.upload',
        principal: 'insured-ins-001',
        role: 'insured',
        caseId,
        accepted: 3,
        rejected: 2,
      }),
    ]);
    expect(sdkLog.some((l) => l.includes('affected_persons.read') && l.includes(caseId))).toBe(true);
    expect(timeline.json.some((e: { type: string; actor: string }) => e.type === 'persons' && e.actor === 'insured-ins-001')).toBe(true);
  });
});
