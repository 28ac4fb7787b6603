/**
 * An SMTP sink for throughput runs: accepts everything, reads only the header block of each message for its
 * Message-ID and throws the rest away (no MIME parsing), and counts arrivals per Message-ID.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CountingSink {
  readonly port: number;
  /** Messages accepted (DATA completed). */
  readonly total: number;
  /** Arrivals per Message-ID (angle brackets included). */
  readonly byId: Map<string, number>;
  /** Messages that arrived without a Message-ID header. */
  readonly withoutId: number;
  reset(): void;
  close(): Promise<void>;
}

const MESSAGE_ID = /^message-id:[ \t]*(<[^>\r\n]+>)/im;
const HEADER_LIMIT = 16 * 1024;

export async function startCountingSink(opts: { host?: string } = {}): Promise<CountingSink> {
  let total = 0;
  let withoutId = 0;
  const byId = new Map<string, number>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 25 * 1024 * 1024,
    onData(stream, _session, callback) {
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
        const id = MESSAGE_ID.exec(head)?.[1];
        if (id) byId.set(id, (byId.get(id) ?? 0) + 1);
        else withoutId += 1;
        callback();
      });
    },
  });
  server.on('error', () => {});
  server.listen(0, opts.host ?? '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as AddressInfo).port,
    get total() {
      return total;
    },
    get withoutId() {
      return withoutId;
    },
    byId,
    reset() {
      total = 0;
      withoutId = 0;
      byId.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
