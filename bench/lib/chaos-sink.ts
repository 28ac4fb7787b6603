/** An SMTP sink for the chaos soak: per recipient, how many messages arrived under which Message-IDs (see header-sink.ts). */
import { startHeaderSink } from './header-sink.js';

export interface ChaosSink {
  readonly port: number;
  readonly total: number;
  /** Messages per recipient address (lower-cased). */
  readonly byRecipient: Map<string, { count: number; messageIds: string[] }>;
  /** Arrivals per recipient and Message-ID: more than one is a duplicate send. */
  duplicates(): { recipient: string; messageId: string; count: number }[];
  close(): Promise<void>;
}

export async function startChaosSink(opts: { host?: string; port?: number } = {}): Promise<ChaosSink> {
  let total = 0;
  const byRecipient = new Map<string, { count: number; messageIds: string[] }>();
  const sink = await startHeaderSink(({ messageId, recipients }) => {
    total += 1;
    for (const address of recipients) {
      const entry = byRecipient.get(address) ?? { count: 0, messageIds: [] };
      entry.count += 1;
      entry.messageIds.push(messageId ?? '(none)');
      byRecipient.set(address, entry);
    }
  }, opts);
  return {
    port: sink.port,
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
    close: sink.close,
  };
}
