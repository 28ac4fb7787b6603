/**
 * An SMTP server for benches that accepts everything, reads only the header block of each message (no MIME
 * parsing: fast enough for 100,000 messages) and hands each arrival's Message-ID and envelope recipients to the
 * caller, which counts what it needs.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Arrival {
  /** The Message-ID header, angle brackets included, or undefined when there is none. */
  messageId: string | undefined;
  /** Envelope RCPT TO addresses, lower-cased. */
  recipients: string[];
}

export interface HeaderSink {
  readonly port: number;
  /** A plain function (no `this`), so it can be passed on as `close: sink.close`. */
  close: () => Promise<void>;
}

const MESSAGE_ID = /^message-id:[ \t]*(<[^>\r\n]+>)/im;
const HEADER_LIMIT = 16 * 1024;

export async function startHeaderSink(
  onArrival: (arrival: Arrival) => void,
  opts: { host?: string; port?: number } = {},
): Promise<HeaderSink> {
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
        onArrival({
          messageId: MESSAGE_ID.exec(head)?.[1],
          recipients: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
        });
        callback();
      });
    },
  });
  server.on('error', () => {});
  server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
