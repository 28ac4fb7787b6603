import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VendorEventSchema, type VendorEvent } from '../../lib/vendor-events.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, verifyWebhook } from '../../lib/webhook-signature.js';

export interface ReceivedWebhook {
  vendorId: string;
  eventId: string | undefined;
  verified: boolean;
  reason: string | null;
  event: VendorEvent | null;
}

/**
 * A stand-in for the API's webhook endpoint: verifies each signature over the raw bytes as the API must, and can be
 * told to fail the first deliveries so the sandbox's retries show.
 */
export async function startWebhookReceiver(secrets: Record<string, string | string[]>): Promise<{
  url: string;
  urlFor: (vendorId: string) => string;
  received: ReceivedWebhook[];
  /** Answers 500 to the next `n` deliveries for `vendorId`. */
  failNext: (n: number, vendorId: string) => void;
  waitFor: (pred: (w: ReceivedWebhook) => boolean, timeoutMs?: number) => Promise<ReceivedWebhook>;
  close: () => Promise<void>;
}> {
  const received: ReceivedWebhook[] = [];
  const failures = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const vendorId = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      const toFail = failures.get(vendorId) ?? 0;
      if (toFail > 0) {
        failures.set(vendorId, toFail - 1);
        res.writeHead(500).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const secret = secrets[vendorId];
      const check = secret
        ? verifyWebhook({ secret, header: req.headers[SIGNATURE_HEADER.toLowerCase()], rawBody: raw, nowSec: Date.now() / 1000 })
        : ({ ok: false, reason: 'unknown vendor' } as const);
      const parsed = VendorEventSchema.safeParse(JSON.parse(raw.toString('utf8')));
      const eventIdHeader = req.headers[EVENT_ID_HEADER.toLowerCase()];
      received.push({
        vendorId,
        eventId: Array.isArray(eventIdHeader) ? eventIdHeader[0] : eventIdHeader,
        verified: check.ok,
        reason: check.ok ? null : check.reason,
        event: parsed.success ? parsed.data : null,
      });
      res.writeHead(check.ok ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    urlFor: (vendorId) => `${url}/v1/webhooks/vendors/${encodeURIComponent(vendorId)}`,
    received,
    failNext: (n, vendorId) => {
      failures.set(vendorId, n);
    },
    async waitFor(pred, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = received.find(pred);
        if (hit) return hit;
        if (Date.now() > until) throw new Error('webhook did not arrive in time');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
