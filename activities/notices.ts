/**
 * One slice of a notification campaign: read the persons [from, from+count) from the encrypted list, e-mail those
 * with an address (bounded concurrency over the pooled transport) and hand the others to the print-and-mail vendor
 * in one idempotent batch.
 *
 * Exactly-once: every sent notice is appended to a delivery journal before the next one starts on that lane, and a
 * retried slice skips what the journal holds. Heartbeats alone cannot do this, since the SDK throttles them and a
 * killed worker loses the last seconds of progress. What can be sent twice after a SIGKILL is only what was in flight
 * at that instant: at most `noticeConcurrency` messages, each with the same Message-ID as its twin.
 *
 * When one send fails, the other lanes stop taking persons and the attempt waits for the sends already in flight
 * (recording them) before it fails: an attempt never keeps sending after Temporal has been told it failed, which
 * would race the retry and send twice.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { NoticeContent, NoticeSliceRequest, NoticeSliceResult } from './contract.js';
import type { ActivityDeps } from './index.js';
import { renderEmail, type RenderedEmail } from './email/render.js';
import { escapeHtml } from './email/format.js';
import { messageIdFor, SmtpSendError } from './email/mailer.js';
import { VendorRequestError } from './vendors/client.js';
import { readPersons, type Person, type PersonLanguage } from '../storage/persons.js';
import { makeApologyCode } from '../lib/apology-codes.js';
import { getFiledDocument, sha256Hex, type FilingStoreDeps } from '../storage/filings.js';
import { noticeDocument, type NoticeDraft } from '../domain/notice-draft.js';
import { ApprovedNoticeSchema } from '../domain/notice-draft-schemas.js';
import { makeEnrolmentCode } from '../lib/enrolment-codes.js';
import { toText } from '../lib/email-document.js';
import type { LetterNotice } from '../lib/vendor-events.js';

export type DeliveryOutcome = 'sent' | 'rejected' | 'letter';

/** Where a slice records each person it has finished with, and what it sent them. */
export interface DeliveryJournal {
  load(slice: string): Map<number, DeliveryOutcome>;
  append(slice: string, index: number, outcome: DeliveryOutcome): void;
  /** Several outcomes in one write, all or none as far as a crash goes (optional; falls back to `append`). */
  appendMany?(slice: string, entries: ReadonlyArray<readonly [index: number, outcome: DeliveryOutcome]>): void;
}

/**
 * A journal of append-only files. Appends are synchronous writes: they survive the process being killed (the
 * kernel has them), which is the failure this guards against. Workers on several machines need the folder on
 * shared storage.
 */
export function createFileJournal(dir: string): DeliveryJournal {
  const path = (slice: string) => join(dir, `${slice.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
  // Open descriptors of the slices written lately: one write(2) per outcome instead of open, write, close.
  const open = new Map<string, number>();
  let made = false;
  const write = (slice: string, text: string): void => {
    let fd = open.get(slice);
    if (fd === undefined) {
      if (!made) {
        mkdirSync(dir, { recursive: true });
        made = true;
      }
      fd = openSync(path(slice), 'a');
      open.set(slice, fd);
      if (open.size > 32) {
        const [oldest, oldFd] = open.entries().next().value!;
        open.delete(oldest);
        closeSync(oldFd);
      }
    }
    writeSync(fd, text);
  };
  return {
    load(slice) {
      const done = new Map<number, DeliveryOutcome>();
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
      write(slice, `${index} ${outcome}\n`);
    },
    appendMany(slice, entries) {
      if (entries.length === 0) return;
      write(slice, entries.map(([index, outcome]) => `${index} ${outcome}\n`).join(''));
    },
  };
}

/**
 * The apology (voucher) code of person `index` of a campaign's list: unique per person, unguessable without the
 * secret, reproducible on a retry, and checkable by the API without the list (see lib/apology-codes.ts).
 */
export function apologyCodeFor(secret: Buffer, caseId: string, campaignNo: number, index: number): string {
  return makeApologyCode(secret, caseId, campaignNo, index);
}

/** The credit-monitoring enrolment code of person `index` of a campaign's list (like apology codes, keyed to enrolment). */
export function enrolmentCodeFor(secret: Buffer, caseId: string, campaignNo: number, index: number): string {
  return makeEnrolmentCode(secret, caseId, campaignNo, index);
}

// Private-use characters: nothing the renderer escapes, trims or folds, and nothing a name from the list holds.
const NAME_SLOT = '\uE000name\uE001';
const CODE_SLOT = '\uE000code\uE001';
const ENROL_SLOT = '\uE000enrol\uE001';
// Names that could change the document's shape (line breaks, controls) or collide with a slot are rendered in full.
const UNSAFE_NAME = /[\u0000-\u001f\u007f\u2028\u2029\uE000\uE001]/;
const SAMPLE = { name: `O'Brien <b>&"</b> 山田 $& $1 様`, code: 'ABCD-EFGH-JK23-LMNP-QRST', enrol: 'ZYXW-VUTS-RQPN-MLKJ-HGFE' };

const fill = (template: string, slot: string, value: string): string => template.split(slot).join(value);

/**
 * Renders a notice per person from one rendering per language: the document is the same for everyone but the name,
 * the apology code and the enrolment code, so the slots are filled by substitution (escaped for the HTML part). Each
 * template is checked once against a full rendering of a hostile sample; a language whose template does not match is
 * rendered in full for every person.
 */
export function createNoticeRenderer(
  notice: NoticeContent,
  approved?: ReadonlyMap<string, NoticeDraft>,
): (language: PersonLanguage, name: string, apologyCode?: string, enrolmentCode?: string) => RenderedEmail {
  const { approved: _refs, creditMonitoring: _offered, ...content } = notice;
  const draftFor = (language: PersonLanguage): NoticeDraft | undefined => approved?.get(language) ?? approved?.get(notice.approved?.defaultLanguage ?? 'ja');
  const direct = (language: PersonLanguage, name: string, apologyCode?: string, enrolmentCode?: string): RenderedEmail => {
    const draft = draftFor(language);
    return renderEmail({
      kind: 'person_notice',
      language: draft?.language ?? language,
      recipientName: name,
      ...content,
      ...(apologyCode ? { apologyCode } : {}),
      ...(enrolmentCode ? { enrolmentCode } : {}),
      ...(draft ? { approvedDraft: draft } : {}),
    });
  };
  const templates = new Map<string, RenderedEmail | null>();
  const templateFor = (language: PersonLanguage, withCode: boolean, withEnrol: boolean): RenderedEmail | null => {
    const key = `${language}/${withCode}/${withEnrol}`;
    let t = templates.get(key);
    if (t === undefined) {
      t = direct(language, NAME_SLOT, withCode ? CODE_SLOT : undefined, withEnrol ? ENROL_SLOT : undefined);
      const code = withCode ? SAMPLE.code : undefined;
      const enrol = withEnrol ? SAMPLE.enrol : undefined;
      const ok = !t.subject.includes('\uE000') && sameEmail(personalise(t, SAMPLE.name, code, enrol), direct(language, SAMPLE.name, code, enrol));
      if (!ok) log.warn('notice template does not match a full rendering; rendering each notice in full', { language });
      templates.set(key, (t = ok ? t : null));
    }
    return t;
  };
  return (language, name, apologyCode, enrolmentCode) => {
    if (UNSAFE_NAME.test(name)) return direct(language, name, apologyCode, enrolmentCode);
    const t = templateFor(language, apologyCode !== undefined, enrolmentCode !== undefined);
    return t ? personalise(t, name, apologyCode, enrolmentCode) : direct(language, name, apologyCode, enrolmentCode);
  };
}

function personalise(t: RenderedEmail, name: string, code: string | undefined, enrol?: string): RenderedEmail {
  let text = fill(t.text, NAME_SLOT, name);
  let html = fill(t.html, NAME_SLOT, escapeHtml(name));
  if (code !== undefined) {
    text = fill(text, CODE_SLOT, code);
    html = fill(html, CODE_SLOT, escapeHtml(code));
  }
  if (enrol !== undefined) {
    text = fill(text, ENROL_SLOT, enrol);
    html = fill(html, ENROL_SLOT, escapeHtml(enrol));
  }
  return { subject: t.subject, text, html };
}

function sameEmail(a: RenderedEmail, b: RenderedEmail): boolean {
  return a.subject === b.subject && a.text === b.text && a.html === b.html;
}

/**
 * The approved notice documents a campaign sends (rule `noticeDrafts`), read from the blob store by key: a document
 * whose bytes do not hash to what the case recorded is never sent (the slice fails for good).
 */
export async function loadApprovedNotices(store: FilingStoreDeps, notice: NoticeContent): Promise<Map<string, NoticeDraft> | undefined> {
  if (!notice.approved?.documents.length) return undefined;
  const out = new Map<string, NoticeDraft>();
  for (const ref of notice.approved.documents) {
    const bytes = await getFiledDocument(store, ref.key);
    if (!bytes) throw ApplicationFailure.nonRetryable(`approved notice ${ref.language} v${ref.version} is missing from the blob store`, 'ApprovedNoticeMissing');
    if (sha256Hex(bytes) !== ref.sha256) throw ApplicationFailure.nonRetryable(`approved notice ${ref.language} v${ref.version} does not match its SHA-256`, 'ApprovedNoticeMismatch');
    const parsed = ApprovedNoticeSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    if (!parsed.success || parsed.data.version !== ref.version || parsed.data.language !== ref.language) {
      throw ApplicationFailure.nonRetryable(`approved notice ${ref.language} v${ref.version} is not a notice document`, 'ApprovedNoticeInvalid');
    }
    out.set(ref.language, parsed.data.draft);
  }
  return out;
}

/** The approved notices as the print vendor prints them: each language's text, the name a merge field. */
export function letterNotices(notice: NoticeContent, approved: ReadonlyMap<string, NoticeDraft>): LetterNotice[] {
  return (notice.approved?.documents ?? [])
    .filter((ref) => approved.has(ref.language))
    .map((ref) => {
      const doc = noticeDocument(approved.get(ref.language)!, {
        recipientName: LETTER_NAME_FIELD,
        insuredName: notice.insuredName,
        ...(notice.contactDesk.callCenter && notice.contactDesk.phone ? { callCenterPhone: notice.contactDesk.phone } : {}),
      });
      return { language: ref.language, version: ref.version, subject: doc.subject, text: toText(doc) };
    });
}

/** Where the print vendor puts the person's name in a letter. */
export const LETTER_NAME_FIELD = '{{name}}';

const HEARTBEAT_EVERY_MS = 1_000;

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
    const approved = await loadApprovedNotices(deps.persons, req.notice);
    const render = createNoticeRenderer(req.notice, approved);
    const purpose = `notice-${req.campaignNo}`;

    // The first failure stops every lane from taking another person; sends in flight finish and are journaled.
    let failure: { error: unknown } | undefined;
    const stopped = (): boolean => failure !== undefined || ctx.cancellationSignal.aborted;

    // Audit: the system reads the sealed list to send notices (who, which list and range; never the persons).
    log.info('audit: affected-person list read for notices', {
      audit: 'affected_persons.read',
      principal: 'system:notification-campaign',
      caseId: req.caseId,
      campaignNo: req.campaignNo,
      uploadId: req.ref.uploadId,
      from: req.from,
      count: req.count,
      attempt: ctx.info.attempt,
    });
    const source = readPersons(deps.persons, req.ref, { from: req.from })[Symbol.asyncIterator]();
    let exhausted = false;
    async function next(): Promise<{ index: number; person: Person } | undefined> {
      if (exhausted || stopped()) return undefined;
      const item = await source.next();
      if (item.done || item.value.index >= end) {
        exhausted = true;
        return undefined;
      }
      return item.value;
    }

    async function lane(): Promise<void> {
      try {
        for (;;) {
          const item = await next();
          if (!item) return;
          const { index, person } = item;
          if (done.has(index)) continue;
          if (!person.email) {
            letters.push(item);
            continue;
          }
          const apologyCode = req.apology ? apologyCodeFor(deps.apologySecret, req.caseId, req.campaignNo, index) : undefined;
          const enrolmentCode = req.notice.creditMonitoring ? enrolmentCodeFor(deps.apologySecret, req.caseId, req.campaignNo, index) : undefined;
          const rendered = render(person.language, person.name, apologyCode, enrolmentCode);
          const messageId = messageIdFor({ caseId: req.caseId, recipientKey: `person:${person.personId}`, purpose, domain: deps.mailDomain });
          const sent = await deps.mailer.send({ to: person.email, ...rendered, messageId, headers: { 'Content-Language': person.language } });
          const outcome = sent.status === 'sent' ? 'sent' : 'rejected';
          deps.journal.append(slice, index, outcome);
          done.set(index, outcome);
          if (outcome === 'sent') result.sent += 1;
          else result.failed += 1;
        }
      } catch (err) {
        failure ??= { error: err };
      }
    }

    const heartbeat = () => ctx.heartbeat({ slice, done: done.size });
    heartbeat();
    const ticker = setInterval(heartbeat, HEARTBEAT_EVERY_MS);
    try {
      await Promise.all(Array.from({ length: Math.max(1, deps.noticeConcurrency) }, () => lane()));
    } finally {
      clearInterval(ticker);
      // Closes the decrypting stream when the slice ends before the list does.
      await source.return?.(undefined).catch(() => undefined);
    }
    if (failure) {
      const err = failure.error;
      if (err instanceof SmtpSendError && err.nonRetryable) {
        throw ApplicationFailure.nonRetryable(err.message, 'SmtpPermanentFailure');
      }
      throw err;
    }
    if (ctx.cancellationSignal.aborted) await ctx.cancelled;

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
              ...(approved ? { notices: letterNotices(req.notice, approved) } : {}),
            },
            { signal: ctx.cancellationSignal },
          );
        } catch (err) {
          if (err instanceof VendorRequestError && !err.retryable) {
            throw ApplicationFailure.nonRetryable(err.message, 'VendorRequestRejected');
          }
          throw err;
        }
        // One write: a crash leaves either every letter of the batch journaled or none, so a retry resends the
        // same batch (same body, same idempotency key) rather than a part of it under the same key.
        const entries = letters.map(({ index }) => [index, 'letter'] as const);
        if (deps.journal.appendMany) deps.journal.appendMany(slice, entries);
        else for (const [index, outcome] of entries) deps.journal.append(slice, index, outcome);
        for (const [index] of entries) done.set(index, 'letter');
      }
    }
    for (const outcome of done.values()) if (outcome === 'letter') result.letters += 1;
    result.processed = req.count;
    return result;
  };
}
