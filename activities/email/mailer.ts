/**
 * Sending e-mail over SMTP. One pooled nodemailer transport per mailer, created once at worker start and shared by
 * every activity. SMTP is not idempotent, so each message carries a deterministic Message-ID and failures are split
 * into permanent ones (recorded per recipient, never retried) and transient ones (thrown, so Temporal retries them).
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { NodemailerError } from 'nodemailer';

export interface MailerConfig {
  host: string;
  port: number;
  /** Implicit TLS (port 465). Without it nodemailer still upgrades with STARTTLS when the server offers it. */
  secure?: boolean;
  user?: string;
  pass?: string;
  /** Envelope and header sender, e.g. `"Breach Claims" <notices@example.jp>`. */
  from: string;
  pool?: { maxConnections: number; maxMessages: number };
  connectionTimeoutMs?: number;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** From {@link messageIdFor}, angle brackets included. */
  messageId: string;
  inReplyTo?: string;
  headers?: Record<string, string>;
}

export type SendResult =
  | { status: 'sent'; messageId: string; response: string }
  | { status: 'rejected'; messageId: string; code: number | string; reason: string };

export type SmtpFailureKind = 'permanent' | 'transient';

/** Minimal logger shape so the mailer can run under Temporal's activity logger or pino alike. */
export interface MailerLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface Mailer {
  send(m: OutgoingEmail): Promise<SendResult>;
  verify(): Promise<void>;
  close(): void;
}

/**
 * A send that failed without a per-recipient verdict. `nonRetryable` is set for session-wide permanent failures (bad
 * credentials, bad configuration): retrying cannot help and blaming the recipient would be wrong.
 */
export class SmtpSendError extends Error {
  readonly kind: SmtpFailureKind;
  readonly nonRetryable: boolean;
  readonly code: string | undefined;
  readonly responseCode: number | undefined;
  readonly messageId: string;

  constructor(kind: SmtpFailureKind, messageId: string, err: NodemailerError) {
    // The server's reply often echoes the recipient address; workflow histories must not hold it.
    super(`SMTP ${kind} failure${err.code ? ` ${err.code}` : ''}${err.responseCode ? ` ${err.responseCode}` : ''}: ${redactAddresses(err.response ?? err.message)}`);
    this.name = 'SmtpSendError';
    this.kind = kind;
    this.nonRetryable = kind === 'permanent';
    this.code = err.code;
    this.responseCode = err.responseCode;
    this.messageId = messageId;
  }
}

const DEFAULT_POOL = { maxConnections: 5, maxMessages: 100 } as const;
const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
// A stalled DATA phase must end well inside the activity's start-to-close timeout so the retry is ours, not a kill.
const SOCKET_TIMEOUT_MS = 60_000;

export function createMailer(config: MailerConfig, options: { logger?: MailerLogger } = {}): Mailer {
  const connectionTimeout = config.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
  const pool = config.pool ?? DEFAULT_POOL;
  const transport = nodemailer.createTransport({
    pool: true,
    host: config.host,
    port: config.port,
    secure: config.secure ?? false,
    auth: config.user ? { user: config.user, pass: config.pass ?? '' } : undefined,
    maxConnections: pool.maxConnections,
    maxMessages: pool.maxMessages,
    connectionTimeout,
    greetingTimeout: connectionTimeout,
    socketTimeout: SOCKET_TIMEOUT_MS,
    // nodemailer's own logging would print envelopes, i.e. recipient addresses.
    logger: false,
    debug: false,
  });
  const log = options.logger;

  return {
    async send(m) {
      try {
        const info = await transport.sendMail({
          from: config.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          messageId: m.messageId,
          inReplyTo: m.inReplyTo,
          references: m.inReplyTo,
          headers: { 'Auto-Submitted': 'auto-generated', ...m.headers },
        });
        return { status: 'sent', messageId: m.messageId, response: info.response };
      } catch (raw) {
        const err = asNodemailerError(raw);
        const kind = classifySmtpError(err);
        if (kind === 'permanent' && isAboutThisMessage(err)) {
          const code = err.responseCode ?? err.code ?? 'unknown';
          log?.warn('smtp message rejected', { messageId: m.messageId, code });
          return { status: 'rejected', messageId: m.messageId, code, reason: redactAddresses(err.response ?? err.message) };
        }
        throw new SmtpSendError(kind, m.messageId, err);
      }
    },
    async verify() {
      try {
        await transport.verify();
      } catch (raw) {
        const err = asNodemailerError(raw);
        throw new SmtpSendError(classifySmtpError(err), '', err);
      }
    },
    close() {
      transport.close();
    },
  };
}

/**
 * `<hash@domain>` from the case, an opaque recipient key and the purpose: the same notice to the same person always
 * has the same id, so a resend after a crash can be recognised downstream. Never pass an e-mail address as the key.
 */
export function messageIdFor(parts: { caseId: string; recipientKey: string; purpose: string; domain: string }): string {
  const domain = parts.domain.trim().toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(domain)) throw new RangeError(`not a domain for a Message-ID: ${JSON.stringify(parts.domain)}`);
  // JSON of an array keeps ("a:b","c") and ("a","b:c") apart.
  const digest = createHash('sha256').update(JSON.stringify([parts.caseId, parts.recipientKey, parts.purpose])).digest('hex');
  // Hex, because some relays and archives compare Message-IDs case-insensitively.
  return `<${digest.slice(0, 32)}@${domain}>`;
}

const PERMANENT_CODES = new Set(['EENVELOPE', 'EAUTH', 'ENOAUTH', 'ECONFIG', 'EMAXRECIPIENTS']);

/**
 * permanent: a 5xx reply (503 excepted: it means the session was in the wrong state), an envelope the client refuses
 * to send (bad address), bad credentials or configuration. transient: 4xx, connection errors, time-outs, and anything
 * unrecognised, whose retries the activity's retry policy caps.
 */
export function classifySmtpError(err: unknown): SmtpFailureKind {
  const e = asNodemailerError(err);
  const reply = replyCodeOf(e);
  if (reply !== undefined) return reply >= 500 && reply < 600 && reply !== 503 ? 'permanent' : 'transient';
  if (e.code && PERMANENT_CODES.has(e.code)) return 'permanent';
  return 'transient';
}

function replyCodeOf(e: NodemailerError): number | undefined {
  if (typeof e.responseCode === 'number') return e.responseCode;
  // An EENVELOPE for refused recipients carries the replies per recipient; with one recipient per message the
  // first is the verdict.
  const first = e.rejectedErrors?.[0];
  return typeof first?.responseCode === 'number' ? first.responseCode : undefined;
}

// Failures of the session (credentials, configuration) are permanent but say nothing about this recipient.
function isAboutThisMessage(e: NodemailerError): boolean {
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.code === 'ECONFIG') return false;
  const reply = replyCodeOf(e);
  if (reply === 530 || reply === 534 || reply === 535 || reply === 538) return false;
  return true;
}

function asNodemailerError(err: unknown): NodemailerError {
  if (err instanceof Error) return err;
  return Object.assign(new Error(String(err)), { code: undefined });
}

const ADDRESS = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+/g;

export function redactAddresses(text: string): string {
  return text.replace(ADDRESS, '<redacted>');
}
