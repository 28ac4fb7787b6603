/**
 * An SMTP sink for the chaos soak: accepts everything and remembers, per recipient (envelope RCPT TO), how many
 * messages arrived and under which Message-IDs, reading only the header block of each message.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ChaosSink {
  readonly port: number;
  readonly total: number;
  /** Messages per recipient address (lower-cased). */
  readonly byRecipient: Map<string, { count: number; messageIds: string[] }>;
  /** Arrivals per recipient and Message-ID: more than one is a duplicate send. */
  duplicates(): { recipient: string; messageId: string; count: number }[];
  close(): Promise<void>;
}

const MESSAGE_ID = /^message-id:[ \t]*(<[^>\r\n]+>)/im;
const HEADER_LIMIT = 16 * 1024;

export async function startChaosSink(opts: { host?: string; port?: number } = {}): Promise<ChaosSink> {
  let total = 0;
  const byRecipient = new Map<string, { count: number; messageIds: string[] }>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 25 * 1024 * 1024,
    onData(stream, session, callback) {
      let head = '';
      let headDone = false;
      stream.on('data', (chunk: Buffer) => {
        if (headDone) return;
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end !== -1 || head.length > HEADER_LIMIT) {
          headDone = true;
          head = end === -1 ? head : head.slice(0, end);
        }
      });
      stream.on('error', callback);
      stream.on('end', () => {
        total += 1;
        const id = MESSAGE_ID.exec(head)?.[1] ?? '(none)';
        for (const rcpt of session.envelope.rcptTo) {
          const address = rcpt.address.toLowerCase();
          const entry = byRecipient.get(address) ?? { count: 0, messageIds: [] };
          entry.count += 1;
          entry.messageIds.push(id);
          byRecipient.set(address, entry);
        }
        callback();
      });
    },
  });
  server.on('error', () => {});
  server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as AddressInfo).port,
    get total() {
      return total;
    },
    byRecipient,
    duplicates() {
      const out: { recipient: string; messageId: string; count: number }[] = [];
      for (const [recipient, e] of byRecipient) {
        const per = new Map<string, number>();
        for (const id of e.messageIds) per.set(id, (per.get(id) ?? 0) + 1);
        for (const [messageId, count] of per) if (count > 1) out.push({ recipient, messageId, count });
      }
      return out;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
