import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifySmtpError, createMailer, messageIdFor, SmtpSendError, type Mailer } from '../../activities/email/mailer.js';
import { renderEmail, type PersonNotice } from '../../activities/email/render.js';
import { listCaughtMessages, startMailCatcher } from '../../sandbox/mail-catcher.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const DOMAIN = 'notices.example.jp';

function notice(overrides: Partial<PersonNotice> = {}): PersonNotice {
  return {
    kind: 'person_notice',
    language: 'ja',
    recipientName: '山田 花子',
    insuredName: '株式会社サンプル',
    caseRef: 'CASE-2026-0042',
    incidentOverview: '営業担当者が顧客名簿を保存したノートパソコンを電車内に置き忘れました。',
    dataItems: ['name', 'address', 'phone'],
    cause: 'device_loss',
    secondaryDamageRisk: '現時点で不正利用は確認されていません。',
    contactDesk: { name: '個人情報お問い合わせ窓口', phone: '0120-000-000' },
    regimes: ['JP-APPI'],
    ...overrides,
  };
}

function outgoing(to: string, msg: PersonNotice, recipientKey: string) {
  return {
    to,
    ...renderEmail(msg),
    messageId: messageIdFor({ caseId: 'case-0042', recipientKey, purpose: 'person_notice', domain: DOMAIN }),
  };
}

describe('mailer over a real SMTP server', () => {
  let sink: SmtpSink;
  let mailer: Mailer;

  beforeAll(async () => {
    sink = await startSmtpSink({
      rejectRecipients: (addr) => (addr.startsWith('gone@') ? 550 : addr.startsWith('busy@') ? 451 : null),
    });
    mailer = createMailer({
      host: '127.0.0.1',
      port: sink.port,
      from: '"株式会社サンプル 個人情報窓口" <notices@example.jp>',
      pool: { maxConnections: 2, maxMessages: 50 },
      connectionTimeoutMs: 5_000,
    });
  });
  afterAll(async () => {
    mailer.close();
    await sink.close();
  });
  beforeEach(() => sink.clear());

  it('verifies the connection', async () => {
    await expect(mailer.verify()).resolves.toBeUndefined();
  });

  it('delivers a Japanese notice with its subject and body intact and headers encoded on the wire', async () => {
    const out = outgoing('"山田 花子" <hanako@example.jp>', notice(), 'person-1');
    const result = await mailer.send(out);
    expect(result).toMatchObject({ status: 'sent', messageId: out.messageId });
    const [mail] = await sink.waitFor(1);
    expect(mail?.subject).toBe('【重要】個人情報漏洩に関するお詫びとお知らせ（株式会社サンプル）');
    expect(mail?.text).toContain('山田 花子 様');
    expect(mail?.text).toContain('端末・記録媒体の紛失');
    expect(mail?.html).toContain('お問い合わせ窓口');
    expect(mail?.from?.value[0]?.name).toBe('株式会社サンプル 個人情報窓口');
    expect(mail?.headers.get('auto-submitted')).toBe('auto-generated');
    const contentType = mail?.headers.get('content-type') as { value: string } | undefined;
    expect(contentType?.value).toBe('multipart/alternative');

    const raw = sink.raw[0]!.toString('latin1');
    const headerSection = raw.slice(0, raw.search(/\r\n\r\n/));
    // Every header byte is 7-bit ASCII; the Japanese travels as RFC 2047 encoded words.
    expect(/^[\x00-\x7f]*$/.test(headerSection)).toBe(true);
    expect(headerSection).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im);
    expect(raw).toMatch(/Content-Type: text\/plain; charset=utf-8/i);
    expect(raw).toMatch(/Content-Type: text\/html; charset=utf-8/i);
  });

  it('delivers an English notice with GDPR and California content', async () => {
    const msg = notice({ language: 'en', recipientName: 'Jane Doe', regimes: ['EU-GDPR', 'US-CA'] });
    await mailer.send(outgoing('jane@example.com', msg, 'person-2'));
    const [mail] = await sink.waitFor(1);
    expect(mail?.subject).toBe('Notice of Data Breach - 株式会社サンプル');
    for (const heading of ['What Happened', 'What Information Was Involved', 'What We Are Doing', 'What You Can Do', 'For More Information']) {
      expect(mail?.text).toContain(heading);
      expect(mail?.html).toContain(heading);
    }
    expect(mail?.text).toContain('Article 34');
    expect(mail?.text).toContain('Likely consequences');
    expect(mail?.text).toContain('Measures taken or proposed');
  });

  it('gives the same Message-ID to the same notice for the same person, and another to another person', async () => {
    const first = outgoing('hanako@example.jp', notice(), 'person-1');
    const again = outgoing('hanako@example.jp', notice(), 'person-1');
    const other = outgoing('taro@example.jp', notice({ recipientName: '山田 太郎' }), 'person-3');
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
    expect(first.messageId).toMatch(/^<[0-9a-f]{32}@notices\.example\.jp>$/);
    expect(first.messageId).not.toContain('hanako');

    await mailer.send(first);
    await mailer.send(again);
    const mails = await sink.waitFor(2);
    expect(mails.map((m) => m.messageId)).toEqual([first.messageId, first.messageId]);
  });

  it('sets In-Reply-To and References when answering a thread', async () => {
    const parent = messageIdFor({ caseId: 'case-0042', recipientKey: 'insured', purpose: 'insured_ack', domain: DOMAIN });
    await mailer.send({ ...outgoing('yamada@example.co.jp', notice(), 'insured'), inReplyTo: parent });
    const [mail] = await sink.waitFor(1);
    expect(mail?.inReplyTo).toBe(parent);
    expect(mail?.references).toBe(parent);
  });

  it('escapes a hostile name in the HTML part that arrives', async () => {
    await mailer.send(outgoing('x@example.jp', notice({ recipientName: '<script>alert(1)</script>' }), 'person-4'));
    const [mail] = await sink.waitFor(1);
    expect(mail?.html).not.toContain('<script>');
    expect(mail?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail?.text).toContain('<script>alert(1)</script> 様');
  });

  it('returns rejected, without throwing, when the server refuses the recipient for good (550)', async () => {
    const out = outgoing('gone@example.jp', notice(), 'person-5');
    const result = await mailer.send(out);
    expect(result).toEqual({ status: 'rejected', messageId: out.messageId, code: 550, reason: expect.stringContaining('550') });
    expect(sink.messages).toHaveLength(0);
  });

  it('returns rejected for an address that is not one', async () => {
    const result = await mailer.send(outgoing('not-an-address', notice(), 'person-6'));
    expect(result).toMatchObject({ status: 'rejected', code: 'EENVELOPE' });
  });

  it('throws a transient error for 451 so the activity is retried', async () => {
    const error = await mailer.send(outgoing('busy@example.jp', notice(), 'person-7')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SmtpSendError);
    expect(classifySmtpError(error)).toBe('transient');
    expect((error as SmtpSendError).responseCode).toBe(451);
    expect((error as SmtpSendError).nonRetryable).toBe(false);
    expect((error as Error).message).not.toContain('busy@example.jp');
  });

  it('throws a transient error when no server listens', async () => {
    const dead = createMailer({ host: '127.0.0.1', port: 1, from: 'a@example.jp', connectionTimeoutMs: 2_000 });
    try {
      const error = await dead.send(outgoing('x@example.jp', notice(), 'person-8')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SmtpSendError);
      expect((error as SmtpSendError).kind).toBe('transient');
    } finally {
      dead.close();
    }
  });
});

describe('classifySmtpError', () => {
  const err = (fields: Record<string, unknown>) => Object.assign(new Error('x'), fields);
  it.each([
    [{ responseCode: 550 }, 'permanent'],
    [{ responseCode: 553, code: 'EENVELOPE' }, 'permanent'],
    [{ responseCode: 554, code: 'EMESSAGE' }, 'permanent'],
    [{ code: 'EENVELOPE' }, 'permanent'],
    [{ code: 'EAUTH', responseCode: 535 }, 'permanent'],
    [{ responseCode: 503 }, 'transient'],
    [{ responseCode: 451 }, 'transient'],
    [{ responseCode: 421, code: 'EPROTOCOL' }, 'transient'],
    [{ code: 'EENVELOPE', rejectedErrors: [{ responseCode: 452 }] }, 'transient'],
    [{ code: 'ECONNECTION' }, 'transient'],
    [{ code: 'ETIMEDOUT' }, 'transient'],
    [{ code: 'ESOCKET' }, 'transient'],
    [{}, 'transient'],
  ] as const)('%o is %s', (fields, kind) => {
    expect(classifySmtpError(err(fields))).toBe(kind);
  });

  it('treats a non-error value as transient', () => {
    expect(classifySmtpError('boom')).toBe('transient');
  });
});

describe('messageIdFor', () => {
  it('keeps part boundaries apart', () => {
    const a = messageIdFor({ caseId: 'a:b', recipientKey: 'c', purpose: 'p', domain: DOMAIN });
    const b = messageIdFor({ caseId: 'a', recipientKey: 'b:c', purpose: 'p', domain: DOMAIN });
    expect(a).not.toBe(b);
  });

  it('refuses a domain that would break the header', () => {
    expect(() => messageIdFor({ caseId: 'a', recipientKey: 'b', purpose: 'p', domain: 'x>\r\nBcc: y' })).toThrow(RangeError);
  });
});

describe('mail catcher', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mail-catcher-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every message as an .eml file that mailparser can read, and lists them from headers', async () => {
    const catcher = await startMailCatcher({ port: 0, dir });
    const mailer = createMailer({ host: '127.0.0.1', port: catcher.port, from: 'notices@example.jp' });
    try {
      const first = outgoing('hanako@example.jp', notice(), 'person-1');
      const second = outgoing('jane@example.com', notice({ language: 'en', regimes: ['US-CA'] }), 'person-2');
      expect(await mailer.send(first)).toMatchObject({ status: 'sent' });
      expect(await mailer.send(second)).toMatchObject({ status: 'sent' });
      expect(catcher.count()).toBe(2);

      const files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
      expect(files).toHaveLength(2);
      // The file name carries the Message-ID, '@' and other unsafe characters replaced.
      expect(files[0]).toContain(first.messageId.slice(1, -1).replace('@', '_'));
      expect(files[0]).toMatch(/^\d{8}T\d{9}Z-[A-Za-z0-9._-]+\.eml$/);

      const parsed = await simpleParser(await readFile(join(dir, files[0]!)));
      expect(parsed.subject).toBe('【重要】個人情報漏洩に関するお詫びとお知らせ（株式会社サンプル）');
      expect(parsed.messageId).toBe(first.messageId);
      expect(parsed.text).toContain('山田 花子 様');

      const listed = await listCaughtMessages(dir);
      expect(listed).toHaveLength(2);
      expect(listed[0]?.subject).toBe('Notice of Data Breach - 株式会社サンプル');
      expect(listed[1]).toMatchObject({
        file: files[0],
        subject: '【重要】個人情報漏洩に関するお詫びとお知らせ（株式会社サンプル）',
        toCount: 1,
        messageId: first.messageId,
      });
      expect(Number.isNaN(Date.parse(listed[1]!.date))).toBe(false);
      expect(listed[1]!.sizeBytes).toBeGreaterThan(1000);
    } finally {
      mailer.close();
      await catcher.close();
    }
  });

  it('lists nothing for a folder that does not exist yet', async () => {
    await expect(listCaughtMessages(join(dir, 'missing'))).resolves.toEqual([]);
  });
});
