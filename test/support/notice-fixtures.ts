/**
 * Shared by the notice tests, the campaign kill test's worker process and bench/notify: an affected-person CSV made
 * on the fly, the notice content, and `ActivityDeps` for `sendNoticeSlice` over real SMTP, a real file blob store and
 * a real vendor client (everything else the activities need is a stub that refuses to be used).
 */
import { Readable } from 'node:stream';
import type { ActivityDeps } from '../../activities/index.js';
import type { NoticeContent } from '../../activities/contract.js';
import type { DeliveryJournal } from '../../activities/notices.js';
import type { Mailer } from '../../activities/email/mailer.js';
import { createVendorClient, type VendorClient } from '../../activities/vendors/client.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { Keyring } from '../../storage/crypto.js';
import type { PersonsListRef } from '../../storage/persons.js';
import type { PersonsListRefInput } from '../../workflows/contract.js';

export const NOTICE: NoticeContent = {
  insuredName: '株式会社サンプル',
  caseRef: 'CASE-2026-0042',
  incidentOverview: '営業担当者が顧客名簿を保存したノートパソコンを電車内に置き忘れました。',
  dataItems: ['name', 'address', 'phone'],
  cause: 'device_loss',
  secondaryDamageRisk: '現時点で不正利用は確認されていません。',
  contactDesk: { name: '個人情報お問い合わせ窓口', phone: '0120-000-000', hours: '平日 9:00-18:00' },
  regimes: ['JP-APPI'],
};

/**
 * `rows` persons: every third in English, the rest in Japanese; one in `withoutEmailEvery` has only a postal address.
 * E-mail `p<i>@<domain>`; the caller can pick out recipients by that address.
 */
export function personsCsv(rows: number, opts: { withoutEmailEvery?: number; domain?: string } = {}): Readable {
  const every = opts.withoutEmailEvery ?? 0;
  const domain = opts.domain ?? 'example.com';
  function* chunks(): Generator<Buffer> {
    let batch = 'name,email,postal_address,language\n';
    for (let i = 0; i < rows; i++) {
      const lang = i % 3 === 0 ? 'en' : 'ja';
      const name = lang === 'en' ? `Person ${i}` : `山田 花子${i}`;
      if (every > 0 && i % every === every - 1) batch += `${name},,"東京都千代田区丸の内${i}丁目",${lang}\n`;
      else batch += `${name},p${i}@${domain},,${lang}\n`;
      if (batch.length > 60_000) {
        yield Buffer.from(batch, 'utf8');
        batch = '';
      }
    }
    if (batch) yield Buffer.from(batch, 'utf8');
  }
  return Readable.from(chunks());
}

/** What a workflow carries: the stored list's reference without anything else. */
export function refInput(ref: PersonsListRef): PersonsListRefInput {
  const { byLanguage: _byLanguage, ...rest } = ref;
  return rest;
}

function refused(what: string): never {
  throw new Error(`${what} is not available to notice tests`);
}

export function noticeDeps(parts: {
  mailer: Mailer;
  store: BlobStore;
  keyring: Keyring;
  journal: DeliveryJournal;
  apologySecret: Buffer;
  noticeConcurrency: number;
  vendorsUrl?: string;
  mailDomain?: string;
}): ActivityDeps {
  const vendors: VendorClient = parts.vendorsUrl
    ? createVendorClient({ baseUrl: parts.vendorsUrl, retries: 1, backoffMs: 10, timeoutMs: 5_000 })
    : (new Proxy({}, { get: () => () => refused('vendor client') }) as VendorClient);
  return {
    mailer: parts.mailer,
    mailDomain: parts.mailDomain ?? 'notices.example.jp',
    directory: { emailOf: () => undefined, withRole: () => [] },
    vendors,
    payments: { pay: () => refused('payments') },
    trustedKeys: () => [],
    panel: () => [],
    temporal: new Proxy({}, { get: () => refused('temporal client') }) as ActivityDeps['temporal'],
    persons: { store: parts.store, keyring: parts.keyring },
    journal: parts.journal,
    apologySecret: parts.apologySecret,
    noticeConcurrency: parts.noticeConcurrency,
  };
}
