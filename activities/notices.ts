/**
 * One slice of a notification campaign: read the persons [from, from+count) from the encrypted list, e-mail those
 * with an address (bounded concurrency over the pooled transport) and hand the others to the print-and-mail vendor
 * in one idempotent batch.
 *
 * Exactly-once: every sent notice is appended to a delivery journal before the next one starts on that lane, and a
 * retried slice skips what the journal holds. Heartbeats alone cannot do this, since the SDK throttles them and a
 * killed worker loses the last seconds of progress. What can be sent twice after a SIGKILL is only what was in flight
 * at that instant: at most `noticeConcurrency` messages, each with the same Message-ID as its twin.
 */
import { createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { NoticeSliceRequest, NoticeSliceResult } from './contract.js';
import type { ActivityDeps } from './index.js';
import { renderEmail } from './email/render.js';
import { messageIdFor, SmtpSendError } from './email/mailer.js';
import { VendorRequestError } from './vendors/client.js';
import { readPersons, type Person } from '../storage/persons.js';

/** Where a slice records each person it has finished with, and what it sent them. */
export interface DeliveryJournal {
  load(slice: string): Map<number, 'sent' | 'rejected' | 'letter'>;
  append(slice: string, index: number, outcome: 'sent' | 'rejected' | 'letter'): void;
}

/**
 * A journal of append-only files. Appends are synchronous writes: they survive the process being killed (the
 * kernel has them), which is the failure this guards against. Workers on several machines need the folder on
 * shared storage.
 */
export function createFileJournal(dir: string): DeliveryJournal {
  const path = (slice: string) => join(dir, `${slice.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
  return {
    load(slice) {
      const done = new Map<number, 'sent' | 'rejected' | 'letter'>();
      let text = '';
      try {
        text = readFileSync(path(slice), 'utf8');
      } catch {
        return done;
      }
      for (const line of text.split('\n')) {
        const [index, outcome] = line.split(' ');
        if (index && (outcome === 'sent' || outcome === 'rejected' || outcome === 'letter')) done.set(Number(index), outcome);
      }
      return done;
    },
    append(slice, index, outcome) {
      const file = path(slice);
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, `${index} ${outcome}\n`);
    },
  };
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A voucher code tied to one person of one campaign: unique, unguessable without the secret, and reproducible. */
export function apologyCodeFor(secret: Buffer, caseId: string, campaignNo: number, personId: string): string {
  const mac = createHmac('sha256', secret).update(`${caseId}\u0000${campaignNo}\u0000${personId}`).digest();
  let code = '';
  for (let i = 0; i < 12; i++) code += CODE_ALPHABET[mac[i]! % CODE_ALPHABET.length];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}`;
}

export function createNoticeSender(deps: ActivityDeps) {
  return async function sendNoticeSlice(req: NoticeSliceRequest): Promise<NoticeSliceResult> {
    const slice = `${req.caseId}/${req.campaignNo}/${req.from}`;
    const done = deps.journal.load(slice);
    const result: NoticeSliceResult = { processed: 0, sent: 0, failed: 0, letters: 0 };
    for (const outcome of done.values()) {
      if (outcome === 'sent') result.sent += 1;
      else if (outcome === 'rejected') result.failed += 1;
    }
    const end = req.from + req.count;
    const letters: { index: number; person: Person }[] = [];
    const ctx = Context.current();

    const source = readPersons(deps.persons, req.ref, { from: req.from })[Symbol.asyncIterator]();
    let exhausted = false;
    async function next(): Promise<{ index: number; person: Person } | undefined> {
      if (exhausted) return undefined;
      const item = await source.next();
      if (item.done || item.value.index >= end) {
        exhausted = true;
        return undefined;
      }
      return item.value;
    }

    let sinceHeartbeat = 0;
    async function lane(): Promise<void> {
      for (;;) {
        const item = await next();
        if (!item) return;
        const { index, person } = item;
        if (done.has(index)) continue;
        if (!person.email) {
          letters.push(item);
          continue;
        }
        const rendered = renderEmail({
          kind: 'person_notice',
          language: person.language,
          recipientName: person.name,
          ...req.notice,
          ...(req.apology ? { apologyCode: apologyCodeFor(deps.apologySecret, req.caseId, req.campaignNo, person.personId) } : {}),
        });
        const messageId = messageIdFor({
          caseId: req.caseId,
          recipientKey: `person:${person.personId}`,
          purpose: `notice-${req.campaignNo}`,
          domain: deps.mailDomain,
        });
        try {
          const sent = await deps.mailer.send({ to: person.email, ...rendered, messageId });
          const outcome = sent.status === 'sent' ? 'sent' : 'rejected';
          deps.journal.append(slice, index, outcome);
          done.set(index, outcome);
          if (outcome === 'sent') result.sent += 1;
          else result.failed += 1;
        } catch (err) {
          if (err instanceof SmtpSendError && err.nonRetryable) {
            throw ApplicationFailure.nonRetryable(err.message, 'SmtpPermanentFailure');
          }
          throw err;
        }
        if (++sinceHeartbeat >= 50) {
          sinceHeartbeat = 0;
          ctx.heartbeat({ slice, done: done.size });
        }
      }
    }

    const lanes = Array.from({ length: Math.max(1, deps.noticeConcurrency) }, () => lane());
    await Promise.all(lanes);

    if (letters.length > 0) {
      if (!req.printVendorId) {
        log.warn('no print-and-mail vendor on the panel', { caseId: req.caseId, letters: letters.length });
        result.failed += letters.length;
      } else {
        try {
          await deps.vendors.sendLetters(
            {
              vendorId: req.printVendorId,
              batchId: `${req.caseId}-${req.campaignNo}-${req.from}`,
              caseId: req.caseId,
              letters: letters.map(({ person }) => ({ personId: person.personId, language: person.language })),
            },
            { signal: ctx.cancellationSignal },
          );
        } catch (err) {
          if (err instanceof VendorRequestError && !err.retryable) {
            throw ApplicationFailure.nonRetryable(err.message, 'VendorRequestRejected');
          }
          throw err;
        }
        for (const { index } of letters) deps.journal.append(slice, index, 'letter');
      }
    }
    for (const outcome of deps.journal.load(slice).values()) if (outcome === 'letter') result.letters += 1;
    result.processed = req.count;
    return result;
  };
}
