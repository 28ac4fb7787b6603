/**
 * An in-process SMTP server for tests: accepts everything (or refuses chosen recipients with 550 or 451), parses what
 * arrives with mailparser and keeps it in memory in arrival order.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export type RecipientVerdict = 550 | 451 | null;

export interface SmtpSinkOptions {
  /** Decide per recipient: 550 refuses for good, 451 asks to try later, null accepts. */
  rejectRecipients?: (address: string) => RecipientVerdict;
  host?: string;
}

export interface SinkEnvelope {
  from: string;
  to: string[];
}

export interface SmtpSink {
  readonly port: number;
  readonly host: string;
  /** Parsed messages, in the order their DATA finished. */
  readonly messages: ParsedMail[];
  /** The raw bytes of each message, same order as `messages`, to check the wire encoding. */
  readonly raw: Buffer[];
  readonly envelopes: SinkEnvelope[];
  /** Resolves once at least `n` messages have arrived since the last clear(). */
  waitFor(n: number, timeoutMs?: number): Promise<ParsedMail[]>;
  clear(): void;
  close(): Promise<void>;
}

const REPLIES: Record<550 | 451, string> = {
  550: '5.1.1 Mailbox unavailable',
  451: '4.3.0 Temporary failure, try again later',
};

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1';
  const messages: ParsedMail[] = [];
  const raw: Buffer[] = [];
  const envelopes: SinkEnvelope[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 25 * 1024 * 1024,
    onRcptTo(address, _session: SMTPServerSession, callback) {
      const verdict = options.rejectRecipients?.(address.address) ?? null;
      if (verdict === null) return callback();
      callback(Object.assign(new Error(REPLIES[verdict]), { responseCode: verdict }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        const bytes = Buffer.concat(chunks);
        simpleParser(bytes)
          .then((parsed) => {
            messages.push(parsed);
            raw.push(bytes);
            envelopes.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            });
            callback();
            notify();
          })
          .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
      });
    },
  });

  // Client resets end one session; without a listener the 'error' event would crash the test process.
  server.on('error', () => {});
  server.listen(0, host);
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    host,
    messages,
    raw,
    envelopes,
    waitFor(n, timeoutMs = 5_000) {
      if (messages.length >= n) return Promise.resolve(messages.slice());
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(messages.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`smtp sink: ${messages.length} of ${n} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    clear() {
      messages.length = 0;
      raw.length = 0;
      envelopes.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
