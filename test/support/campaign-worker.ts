/**
 * A worker process for the campaign kill test and bench/notify: serves the workflow bundle and the real
 * `sendNoticeSlice` (pooled SMTP, encrypted file blob store, file delivery journal) on one task queue.
 * Configured by environment variables only, so a test can SIGKILL it and start another just like it:
 *
 *   TEMPORAL_ADDRESS TASK_QUEUE WORKFLOW_BUNDLE SMTP_PORT BLOB_DIR PERSONS_KEYRING APOLOGY_SECRET JOURNAL_DIR
 *   NOTICE_CONCURRENCY SMTP_POOL_CONNECTIONS [SMTP_POOL_MAX_MESSAGES] [VENDORS_URL] [MAIL_DOMAIN]
 *
 * Run with `node --import tsx test/support/campaign-worker.ts`. Prints `ready` on stdout once it polls.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createMailer } from '../../activities/email/mailer.js';
import { createFileJournal, createNoticeSender } from '../../activities/notices.js';
import { createFileBlobStore } from '../../storage/blob-store.js';
import { parseKeyring } from '../../storage/crypto.js';
import { noticeDeps } from './notice-fixtures.js';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

Runtime.install({ logger: new DefaultLogger('WARN') });

const mailer = createMailer({
  host: process.env.SMTP_HOST ?? '127.0.0.1',
  port: Number(env('SMTP_PORT')),
  from: '"株式会社サンプル 個人情報窓口" <notices@example.jp>',
  pool: { maxConnections: Number(env('SMTP_POOL_CONNECTIONS')), maxMessages: Number(process.env.SMTP_POOL_MAX_MESSAGES ?? 1000) },
});
const deps = noticeDeps({
  mailer,
  store: createFileBlobStore(env('BLOB_DIR')),
  keyring: parseKeyring(env('PERSONS_KEYRING')),
  journal: createFileJournal(env('JOURNAL_DIR')),
  apologySecret: Buffer.from(env('APOLOGY_SECRET'), 'base64'),
  noticeConcurrency: Number(env('NOTICE_CONCURRENCY')),
  ...(process.env.VENDORS_URL ? { vendorsUrl: process.env.VENDORS_URL } : {}),
  ...(process.env.MAIL_DOMAIN ? { mailDomain: process.env.MAIL_DOMAIN } : {}),
});

const connection = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') });
const worker = await Worker.create({
  connection,
  taskQueue: env('TASK_QUEUE'),
  workflowBundle: { codePath: env('WORKFLOW_BUNDLE') },
  activities: { sendNoticeSlice: createNoticeSender(deps) },
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => worker.shutdown());
const running = worker.run();
process.stdout.write('ready\n');
try {
  await running;
} finally {
  mailer.close();
  await connection.close();
}
