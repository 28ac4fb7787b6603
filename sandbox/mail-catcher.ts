/**
 * The embedded default's mail catcher: a local SMTP server that keeps every message as an .eml file, so `npm start`
 * needs no mail server and a user can open what the engine sent in any mail client. Development only.
 */
import { once } from 'node:events';
import { mkdir, open, readdir, rename, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface MailCatcherOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Folder the .eml files go to; created when missing. */
  dir: string;
  /** Largest message accepted, in bytes. */
  maxMessageBytes?: number;
}

export interface MailCatcher {
  readonly port: number;
  close(): Promise<void>;
  /** Messages written since start. */
  count(): number;
}

export interface CaughtMessage {
  file: string;
  subject: string;
  toCount: number;
  /** ISO-8601 from the Date header, or the file's modification time when the header is missing. */
  date: string;
  messageId?: string;
  sizeBytes: number;
}

const DEFAULT_MAX_BYTES = 25 * 1024 * 1024;
// Headers of a message the engine sends fit in a few kilobytes; reading more would only slow the list page.
const HEADER_READ_BYTES = 64 * 1024;

export async function startMailCatcher(options: MailCatcherOptions): Promise<MailCatcher> {
  const host = options.host ?? '127.0.0.1';
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_BYTES;
  await mkdir(options.dir, { recursive: true });
  let written = 0;
  let sequence = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: maxBytes,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error('5.3.4 Message too big'), { responseCode: 552 }));
          return;
        }
        const bytes = Buffer.concat(chunks);
        const name = emlFileName(new Date(), messageIdOf(bytes), (sequence += 1));
        const finalPath = join(options.dir, name);
        const tmpPath = `${finalPath}.part`;
        // Rename after the write so a reader listing the folder never sees half a message.
        writeFile(tmpPath, bytes)
          .then(() => rename(tmpPath, finalPath))
          .then(() => {
            written += 1;
            callback(null, `Message caught as ${name}`);
          })
          .catch((err: unknown) => {
            const e = err instanceof Error ? err : new Error(String(err));
            callback(Object.assign(e, { responseCode: 451 }));
          });
      });
    },
  });

  let listening = false;
  const failedToListen = new Promise<never>((_, reject) => {
    server.on('error', (err: Error) => {
      // After start-up the server reports client-side failures (resets, time-outs) here; they concern one session
      // only, and an unhandled 'error' event would take the whole process down.
      if (!listening) reject(err);
    });
  });
  server.listen(options.port, host);
  await Promise.race([once(server.server, 'listening'), failedToListen]);
  listening = true;
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    count: () => written,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `20261125T000000123Z-<message-id>-0001.eml`: sorts by arrival, and the id finds a message from the logs. */
export function emlFileName(at: Date, messageId: string | undefined, sequence: number): string {
  const stamp = at.toISOString().replace(/[-:.]/g, '');
  const id = (messageId ?? randomUUID()).replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || 'no-id';
  return `${stamp}-${id}-${String(sequence).padStart(4, '0')}.eml`;
}

function headerBlock(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

function messageIdOf(bytes: Buffer): string | undefined {
  const unfolded = headerBlock(bytes.subarray(0, HEADER_READ_BYTES)).replace(/\r?\n[ \t]+/g, ' ');
  const match = /^message-id:\s*(<[^>\r\n]*>)/im.exec(unfolded);
  return match?.[1];
}

/** Newest first. Reads only the header section of each file. */
export async function listCaughtMessages(dir: string): Promise<CaughtMessage[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.eml'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out = await Promise.all(names.map((name) => readCaught(join(dir, name), name)));
  return out.sort((a, b) => (a.file < b.file ? 1 : a.file > b.file ? -1 : 0));
}

async function readCaught(path: string, file: string): Promise<CaughtMessage> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_READ_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_READ_BYTES, 0);
    const info = await stat(path);
    const headers = headerBlock(buffer.subarray(0, bytesRead));
    const parsed = await simpleParser(`${headers}\r\n\r\n`, { skipHtmlToText: true, skipTextToHtml: true });
    return {
      file,
      subject: parsed.subject ?? '',
      toCount: countAddresses(parsed.to),
      date: (parsed.headers.has('date') && parsed.date ? parsed.date : info.mtime).toISOString(),
      ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
      sizeBytes: info.size,
    };
  } finally {
    await handle.close();
  }
}

function countAddresses(to: AddressObject | AddressObject[] | undefined): number {
  if (!to) return 0;
  const objects = Array.isArray(to) ? to : [to];
  let n = 0;
  for (const o of objects) for (const a of o.value) n += a.group ? a.group.length : 1;
  return n;
}
