/**
 * `sendNoticeSlice` against real protocols: a real SMTP server (smtp-server; mailparser reads what arrived), the real
 * encrypted file blob store and keyring, and the sandbox vendor service over HTTP for the letters.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NoticeSliceRequest, NoticeSliceResult } from '../../activities/contract.js';
import { createMailer, messageIdFor, type Mailer } from '../../activities/email/mailer.js';
import { renderEmail } from '../../activities/email/render.js';
import { apologyCodeFor, createFileJournal, createNoticeRenderer, createNoticeSender, loadApprovedNotices, LETTER_NAME_FIELD, type DeliveryJournal } from '../../activities/notices.js';
import { draftNotice } from '../../domain/notice-draft.js';
import { keepFiledDocument, sha256Hex } from '../../storage/filings.js';
import { verifyApologyCode } from '../../lib/apology-codes.js';
import { startSandbox, type VendorSandbox } from '../../sandbox/vendor-service.js';
import { createFileBlobStore, type BlobStore } from '../../storage/blob-store.js';
import { parseKeyring } from '../../storage/crypto.js';
import { importPersonsCsv, readPersons, type Person, type PersonsListRef } from '../../storage/persons.js';
import { startSmtpSink, type RecipientVerdict, type SmtpSink } from '../support/smtp-sink.js';
import { NOTICE, noticeDeps, personsCsv, refInput } from '../support/notice-fixtures.js';

const CASE = 'case-notices';
const DOMAIN = 'notices.example.jp';
const PRINT = 'vnd-print';
const ROWS = 40; // 8 of them (every fifth) without e-mail
const CONCURRENCY = 4;
const CODE_LINE = /^((?:[A-HJ-NP-Z2-9]{4}-){4}[A-HJ-NP-Z2-9]{4})$/m;

const keyring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);
const apologySecret = randomBytes(32);
let dir: string;
let store: BlobStore;
let ref: PersonsListRef;
let persons: { index: number; person: Person }[];
let sink: SmtpSink;
let sandbox: VendorSandbox;
let mailer: Mailer;
/** What the sink answers at RCPT TO; tests swap it. */
let verdict: (address: string) => RecipientVerdict = () => null;
const rcptAttempts = new Map<string, number>();
let campaignSeq = 0;
let journalSeq = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notices-'));
  store = createFileBlobStore(join(dir, 'blobs'));
  ({ ref } = await importPersonsCsv(personsCsv(ROWS, { withoutEmailEvery: 5 }), { store, keyring }, { caseId: CASE, uploadId: 'u1' }));
  persons = [];
  for await (const p of readPersons({ store, keyring }, ref)) persons.push(p);
  sink = await startSmtpSink({
    rejectRecipients: (address) => {
      rcptAttempts.set(address, (rcptAttempts.get(address) ?? 0) + 1);
      return verdict(address);
    },
  });
  sandbox = await startSandbox({ vendors: [{ vendorId: PRINT, role: 'print_and_mail', secret: 's' }] });
  mailer = createMailer({
    host: sink.host,
    port: sink.port,
    from: '"株式会社サンプル 個人情報窓口" <notices@example.jp>',
    pool: { maxConnections: 3, maxMessages: 100 },
    connectionTimeoutMs: 5_000,
  });
});
afterAll(async () => {
  mailer?.close();
  await sink?.close();
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  verdict = () => null;
  rcptAttempts.clear();
  sink.clear();
});

function freshJournal(): DeliveryJournal {
  return createFileJournal(join(dir, 'journal', String(++journalSeq)));
}

function sender(journal: DeliveryJournal, over: { mailer?: Mailer } = {}) {
  return createNoticeSender(
    noticeDeps({
      mailer: over.mailer ?? mailer,
      store,
      keyring,
      journal,
      apologySecret,
      noticeConcurrency: CONCURRENCY,
      vendorsUrl: sandbox.url,
      mailDomain: DOMAIN,
    }),
  );
}

function request(over: Partial<NoticeSliceRequest> = {}): NoticeSliceRequest {
  return {
    caseId: CASE,
    campaignNo: ++campaignSeq,
    ref: refInput(ref),
    from: 0,
    count: ROWS,
    notice: NOTICE,
    apology: null,
    printVendorId: PRINT,
    ...over,
  };
}

function run(send: ReturnType<typeof createNoticeSender>, req: NoticeSliceRequest, attempt = 1): Promise<NoticeSliceResult> {
  return new MockActivityEnvironment({ attempt }).run(send, req);
}

const expectedId = (req: NoticeSliceRequest, p: Person) =>
  messageIdFor({ caseId: req.caseId, recipientKey: `person:${p.personId}`, purpose: `notice-${req.campaignNo}`, domain: DOMAIN });

const withEmail = (from = 0, count = ROWS) => persons.filter(({ index, person }) => index >= from && index < from + count && person.email);
const withoutEmail = (from = 0, count = ROWS) => persons.filter(({ index, person }) => index >= from && index < from + count && !person.email);

function countById(messages: ParsedMail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.messageId ?? '', (counts.get(m.messageId ?? '') ?? 0) + 1);
  return counts;
}

function journalCounts(journal: DeliveryJournal, req: NoticeSliceRequest) {
  const outcomes = [...journal.load(`${req.caseId}/${req.campaignNo}/${req.from}`).values()];
  return {
    sent: outcomes.filter((o) => o === 'sent').length,
    failed: outcomes.filter((o) => o === 'rejected').length,
    letters: outcomes.filter((o) => o === 'letter').length,
  };
}

describe('sendNoticeSlice', () => {
  it('sends one notice per person with e-mail, in the person’s language, with deterministic Message-IDs; letters go to the vendor in one batch', async () => {
    const req = request();
    const heartbeats: unknown[] = [];
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (d: unknown) => heartbeats.push(d));
    const result = await env.run(sender(freshJournal()), req);

    expect(result).toEqual({ processed: ROWS, sent: 32, failed: 0, letters: 8 });
    expect(sink.messages).toHaveLength(32);
    expect(heartbeats.length).toBeGreaterThan(0);
    const subject = (language: 'ja' | 'en') => renderEmail({ kind: 'person_notice', language, recipientName: 'x', ...NOTICE }).subject;
    expect(subject('ja')).toMatch(/お詫び/);
    expect(subject('en')).toMatch(/apology and notice/i);
    const byId = new Map(sink.messages.map((m, i) => [m.messageId, { m, to: sink.envelopes[i]!.to }]));
    expect(byId.size).toBe(32);
    for (const { person } of withEmail()) {
      const got = byId.get(expectedId(req, person));
      expect(got, person.email).toBeDefined();
      expect(got!.to).toEqual([person.email]);
      expect(got!.m.text).toContain(person.name);
      expect(got!.m.html).toContain(person.name);
      if (person.language === 'ja') {
        expect(got!.m.subject).toBe(subject('ja'));
        expect(got!.m.text).toContain(`${person.name} 様`);
      } else {
        expect(got!.m.subject).toBe(subject('en'));
        expect(got!.m.text).toContain(`Dear ${person.name},`);
      }
      // Without an apology payment there is no code.
      expect(got!.m.text).not.toMatch(CODE_LINE);
    }
    expect(new Set(sink.messages.map((m) => m.subject))).toEqual(new Set([subject('ja'), subject('en')]));

    const batches = sandbox.letters().filter((b) => b.batchId === `${CASE}-${req.campaignNo}-0`);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.letters).toEqual(withoutEmail().map(({ person }) => ({ personId: person.personId, language: person.language })));
  });

  it('gives each person an apology code of their own, the same on every retry', async () => {
    const req = request({ apology: { perPersonJpy: 500 } });
    await run(sender(freshJournal()), req);
    const first = new Map(sink.messages.map((m) => [m.messageId!, m.text!.match(CODE_LINE)?.[1]]));
    expect(first.size).toBe(32);
    for (const { index, person } of withEmail()) {
      const code = first.get(expectedId(req, person))!;
      expect(code).toBe(apologyCodeFor(apologySecret, CASE, req.campaignNo, index));
      // The API checks it with the secret alone, and it names the person's place in the list.
      expect(verifyApologyCode(apologySecret, CASE, code)).toMatchObject({ valid: true, campaignNo: req.campaignNo, index });
    }
    expect(new Set(first.values()).size).toBe(32);

    // A retry that has lost its journal sends again: the same person gets the same code under the same Message-ID.
    sink.clear();
    await run(sender(freshJournal()), req, 2);
    const second = new Map(sink.messages.map((m) => [m.messageId!, m.text!.match(CODE_LINE)?.[1]]));
    expect(second).toEqual(first);
    // Codes belong to a campaign: the next campaign's codes are new.
    const other = apologyCodeFor(apologySecret, CASE, req.campaignNo + 1, withEmail()[0]!.index);
    expect(first.get(expectedId(req, withEmail()[0]!.person))).not.toBe(other);
  });

  it('resumes a slice after the server failed mid-way (451): every person exactly one message, the journal’s counts returned', async () => {
    const journal = freshJournal();
    const send = sender(journal);
    const req = request({ from: 5, count: 30 });
    let accepted = 0;
    verdict = () => (++accepted <= 9 ? null : 451);

    const failed = await run(send, req).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(ApplicationFailure);
    expect(String(failed)).toMatch(/SMTP transient failure/);
    expect(sink.messages).toHaveLength(9);
    expect(journalCounts(journal, req)).toEqual({ sent: 9, failed: 0, letters: 0 });

    verdict = () => null;
    const result = await run(send, req, 2);
    const expected = { sent: withEmail(5, 30).length, failed: 0, letters: withoutEmail(5, 30).length };
    expect(result).toEqual({ processed: 30, ...expected });
    expect(journalCounts(journal, req)).toEqual(expected);

    const counts = countById(sink.messages);
    expect(sink.messages).toHaveLength(expected.sent);
    for (const { person } of withEmail(5, 30)) expect(counts.get(expectedId(req, person)), person.email).toBe(1);

    // A third run (the activity retried after its result was lost) sends nothing more.
    const again = await run(send, req, 3);
    expect(again).toEqual(result);
    expect(sink.messages).toHaveLength(expected.sent);
    expect(sandbox.letters().filter((b) => b.batchId === `${CASE}-${req.campaignNo}-5`)).toHaveLength(1);
  });

  it('stops every lane at the first transient failure: nothing is sent after the attempt has failed', async () => {
    const journal = freshJournal();
    const req = request();
    const busy = withEmail()[3]!.person.email!;
    verdict = (address) => (address === busy ? 451 : null);

    await expect(run(sender(journal), req)).rejects.toThrow(/SMTP transient failure/);
    const atFailure = sink.messages.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages.length).toBe(atFailure);
    // Everything that reached the server was journaled, so the retry will not send it again.
    expect(journalCounts(journal, req).sent).toBe(atFailure);
    expect(atFailure).toBeLessThan(32);
  });

  it('counts a recipient refused for good (550) as failed and never tries it again', async () => {
    const journal = freshJournal();
    const send = sender(journal);
    const req = request();
    const gone = withEmail()[5]!.person;
    verdict = (address) => (address === gone.email ? 550 : null);

    const result = await run(send, req);
    expect(result).toEqual({ processed: ROWS, sent: 31, failed: 1, letters: 8 });
    expect(rcptAttempts.get(gone.email!)).toBe(1);
    expect(sink.messages.map((m) => m.messageId)).not.toContain(expectedId(req, gone));

    const retried = await run(send, req, 2);
    expect(retried).toEqual(result);
    expect(rcptAttempts.get(gone.email!)).toBe(1);
    expect(sink.messages).toHaveLength(31);
  });

  it('fails for good, without blaming any recipient, when the server refuses the credentials', async () => {
    const auth = new SMTPServer({
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(_auth, _session, callback) {
        callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    auth.on('error', () => {});
    auth.listen(0, '127.0.0.1');
    await once(auth.server, 'listening');
    const badMailer = createMailer({
      host: '127.0.0.1',
      port: (auth.server.address() as AddressInfo).port,
      user: 'notices',
      pass: 'wrong',
      from: 'notices@example.jp',
      pool: { maxConnections: 2, maxMessages: 10 },
      connectionTimeoutMs: 5_000,
    });
    const journal = freshJournal();
    const req = request();
    try {
      const failed = await run(sender(journal, { mailer: badMailer }), req).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(ApplicationFailure);
      expect(failed).toMatchObject({ type: 'SmtpPermanentFailure', nonRetryable: true });
      expect(String((failed as Error).message)).toMatch(/535/);
      expect(journalCounts(journal, req)).toEqual({ sent: 0, failed: 0, letters: 0 });
    } finally {
      badMailer.close();
      await new Promise<void>((r) => auth.close(() => r()));
    }
  });
});

describe('createNoticeRenderer', () => {
  it('renders exactly what renderEmail renders, for ordinary and hostile names, with and without a code', () => {
    const render = createNoticeRenderer(NOTICE);
    const names = ['山田 花子', 'Person 7', `<script>alert("x")</script>`, `O'Brien & Sons`, '$& $1 $$', 'a\nb', '\uE000name\uE001', ''];
    for (const language of ['ja', 'en'] as const) {
      for (const name of names) {
        for (const apologyCode of [undefined, 'ABCD-EFGH-JK23-LMNP-QRST']) {
          const full = renderEmail({ kind: 'person_notice', language, recipientName: name, ...NOTICE, ...(apologyCode ? { apologyCode } : {}) });
          expect(render(language, name, apologyCode)).toEqual(full);
        }
      }
    }
  });

  it('with credit monitoring offered, fills the enrolment code beside the apology code exactly as a full rendering', () => {
    const render = createNoticeRenderer({ ...NOTICE, creditMonitoring: true });
    for (const language of ['ja', 'en'] as const) {
      for (const name of ['山田 花子', `O'Brien & <b>`, 'a\nb']) {
        for (const apologyCode of [undefined, 'ABCD-EFGH-JK23-LMNP-QRST']) {
          const enrolmentCode = 'ZY3W-V9TS-RQ4N-ML7J-HG2E';
          const full = renderEmail({ kind: 'person_notice', language, recipientName: name, ...NOTICE, enrolmentCode, ...(apologyCode ? { apologyCode } : {}) });
          const got = render(language, name, apologyCode, enrolmentCode);
          expect(got).toEqual(full);
          expect(got.text).toContain(enrolmentCode);
          expect(got.text).toContain(language === 'ja' ? 'クレジットモニタリング' : 'credit monitoring');
        }
      }
      // Without a code (an older caller), nothing about monitoring is printed.
      expect(render(language, '山田 花子').text).not.toContain(language === 'ja' ? 'クレジットモニタリング' : 'credit monitoring');
    }
  });
});

describe('approved notice documents (rule noticeDrafts)', () => {
  const draftFor = (language: 'ja' | 'en', sentence: string) =>
    draftNotice(
      { caseId: CASE, insuredName: '株式会社サンプル', discoveredAt: '2026-11-20T00:00:00.000Z', occurredAt: null, cause: 'device_loss', dataItems: ['name'] },
      language,
      { whatWeAreDoing: sentence },
    );
  async function keep(language: 'ja' | 'en', version: number, sentence: string) {
    const key = `cases/${CASE}/notice/${language}-v${version}.json.enc`;
    const bytes = Buffer.from(JSON.stringify({ caseId: CASE, language, version, draft: draftFor(language, sentence) }), 'utf8');
    await keepFiledDocument({ store, keyring }, key, bytes);
    return { language, version, key, sha256: sha256Hex(bytes) };
  }

  it('renders each person the approved document of its language (or the default one), checked by its hash', async () => {
    const ja = await keep('ja', 3, '専門機関と調査を進めています。');
    const en = await keep('en', 2, 'We are investigating with outside experts.');
    const notice = { ...NOTICE, approved: { defaultLanguage: 'ja' as const, documents: [ja, en] } };
    const drafts = await loadApprovedNotices({ store, keyring }, notice);
    const render = createNoticeRenderer(notice, drafts);
    expect(render('ja', '佐藤 花子').text).toContain('専門機関と調査を進めています。');
    expect(render('en', 'Alex <b>').text).toContain('We are investigating with outside experts.');
    expect(render('en', 'Alex <b>').html).toContain('Alex &lt;b&gt;');
    expect(render('en', 'Alex').subject).toBe(drafts!.get('en')!.parts.subject.value);
    // Only the Japanese approved: an English reader gets the Japanese approved text, not the built-in English one.
    const onlyJa = { ...NOTICE, approved: { defaultLanguage: 'ja' as const, documents: [ja] } };
    expect(createNoticeRenderer(onlyJa, await loadApprovedNotices({ store, keyring }, onlyJa))('en', 'Alex').text).toContain('専門機関と調査を進めています。');
    // Without approved documents: the built-in notice, as before the rule.
    expect(await loadApprovedNotices({ store, keyring }, NOTICE)).toBeUndefined();
  });

  it('sends a slice in the approved words: the e-mails, and the letters the print vendor gets (the name a merge field)', async () => {
    const ja = await keep('ja', 5, '当社は全端末を暗号化しました。');
    const en = await keep('en', 5, 'We have encrypted every laptop.');
    const req = request({ notice: { ...NOTICE, approved: { defaultLanguage: 'ja', documents: [ja, en] } } });
    const before = sink.messages.length;
    const result = await run(sender(freshJournal()), req);
    expect(result).toMatchObject({ sent: 32, letters: 8 });
    const mine = sink.messages.slice(before);
    expect(mine.filter((m) => m.text?.includes('当社は全端末を暗号化しました。')).length + mine.filter((m) => m.text?.includes('We have encrypted every laptop.')).length).toBe(32);
    const batch = sandbox.letters().find((b) => b.batchId === `${CASE}-${req.campaignNo}-0`)!;
    expect(batch.notices?.map((n) => [n.language, n.version])).toEqual([
      ['ja', 5],
      ['en', 5],
    ]);
    expect(batch.notices![0]!.text).toContain('当社は全端末を暗号化しました。');
    expect(batch.notices![0]!.text).toContain(`${LETTER_NAME_FIELD} 様`);
    expect(batch.notices![1]!.text).toContain('We have encrypted every laptop.');
    // No person's name travels in the notices: only the merge field.
    for (const { person } of withoutEmail()) expect(JSON.stringify(batch.notices)).not.toContain(person.name);
  });

  it('never sends a document that does not hash to what the case recorded, or is missing', async () => {
    const ja = await keep('ja', 4, '調査中です。');
    const tampered = { ...NOTICE, approved: { defaultLanguage: 'ja' as const, documents: [{ ...ja, sha256: 'ab'.repeat(32) }] } };
    const err = await loadApprovedNotices({ store, keyring }, tampered).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).type).toBe('ApprovedNoticeMismatch');
    const missing = { ...NOTICE, approved: { defaultLanguage: 'ja' as const, documents: [{ ...ja, key: `cases/${CASE}/notice/ja-v99.json.enc` }] } };
    expect(((await loadApprovedNotices({ store, keyring }, missing).catch((e: unknown) => e)) as ApplicationFailure).type).toBe('ApprovedNoticeMissing');
  });
});
