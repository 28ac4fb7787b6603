/** An SMTP sink for throughput runs: counts arrivals per Message-ID (see header-sink.ts). */
import { startHeaderSink } from './header-sink.js';

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

export async function startCountingSink(opts: { host?: string } = {}): Promise<CountingSink> {
  let total = 0;
  let withoutId = 0;
  const byId = new Map<string, number>();
  const sink = await startHeaderSink(({ messageId }) => {
    total += 1;
    if (messageId) byId.set(messageId, (byId.get(messageId) ?? 0) + 1);
    else withoutId += 1;
  }, opts);
  return {
    port: sink.port,
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
    close: sink.close,
  };
}
