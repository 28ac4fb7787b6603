import { setTimeout as sleep } from 'node:timers/promises';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook } from '../lib/webhook-signature.js';
import type { VendorEvent } from '../lib/vendor-events.js';

export type DeliveryStatus = 'scheduled' | 'delivering' | 'delivered' | 'failed' | 'skipped' | 'cancelled';

/** What the sandbox remembers about one webhook event, for tests and the control endpoint. */
export interface DeliveryRecord {
  eventId: string;
  type: VendorEvent['type'];
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  deliveredAt: string | null;
}

export interface DeliveryPolicy {
  retryBaseMs: number;
  maxAttempts: number;
  attemptTimeoutMs: number;
}

const MAX_RETRY_GAP_MS = 60_000;

/**
 * Posts one event until the receiver answers 2xx or the attempts run out. The event id and body stay the same on
 * every attempt so the receiver can de-duplicate; the signature is made afresh each time because its timestamp must
 * fall inside the receiver's replay window.
 */
export async function deliverWebhook(opts: {
  url: string;
  secret: string | readonly string[];
  event: VendorEvent;
  record: DeliveryRecord;
  policy: DeliveryPolicy;
  signal: AbortSignal;
}): Promise<void> {
  const { url, secret, event, record, policy, signal } = opts;
  const body = JSON.stringify(event);
  record.status = 'delivering';
  while (record.attempts < policy.maxAttempts) {
    if (record.attempts > 0) {
      const gap = Math.min(policy.retryBaseMs * 2 ** (record.attempts - 1), MAX_RETRY_GAP_MS);
      await sleep(gap, undefined, { signal });
    }
    record.attempts += 1;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'breach-claims-sandbox-vendor/1',
          [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(Date.now() / 1000)),
          [EVENT_ID_HEADER]: event.eventId,
        },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(policy.attemptTimeoutMs)]),
      });
      record.lastStatus = res.status;
      // The body is drained so the connection can be reused; its content does not matter.
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        record.status = 'delivered';
        record.deliveredAt = new Date().toISOString();
        return;
      }
    } catch (err) {
      if (signal.aborted) throw err;
      record.lastStatus = null;
    }
  }
  record.status = 'failed';
}
