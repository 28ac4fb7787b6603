/**
 * Exactly-once when the worker dies mid-campaign: the worker runs in a child process (test/support/campaign-worker.ts)
 * against the dev server; once about a third of the notices have arrived at the SMTP server it is SIGKILLed, a new
 * worker process is started, and the campaign must finish with every person notified and no more duplicates than
 * the sends that were in flight at the kill (at most the notice concurrency, each under its twin's Message-ID).
 *
 * The retry waits for the activity's heartbeat timeout (30 s in the workflow) to notice the dead attempt.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messageIdFor } from '../../activities/email/mailer.js';
import { createFileBlobStore } from '../../storage/blob-store.js';
import { parseKeyring } from '../../storage/crypto.js';
import { importPersonsCsv, readPersons, type PersonsListRef } from '../../storage/persons.js';
import type { notificationCampaign as Campaign } from '../../workflows/notification-campaign.js';
import type { policyLedger as Ledger } from '../../workflows/policy-ledger.js';
import { NOTICE, personsCsv, refInput } from '../support/notice-fixtures.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { until } from '../support/wait.js';

const waitUntil = (check: () => boolean, timeoutMs: number, what: string) => until(check, (ok) => ok, timeoutMs, what, 10);

const CASE = 'case-kill';
const DOMAIN = 'notices.example.jp';
const ROWS = 3_000;
const SLICE = 750; // the kill lands inside the second slice
const KILL_AT = 1_000;
const CONCURRENCY = 8;
const WORKER_SCRIPT = resolve(import.meta.dirname, '../support/campaign-worker.ts');

const keyringText = `k1:${randomBytes(32).toString('base64')}`;
const keyring = parseKeyring(keyringText);
let dir: string;
let ref: PersonsListRef;
let sink: SmtpSink;
let connection: Connection;
let client: Client;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'campaign-kill-'));
  ({ ref } = await importPersonsCsv(personsCsv(ROWS), { store: createFileBlobStore(join(dir, 'blobs')), keyring }, { caseId: CASE, uploadId: 'u1' }));
  sink = await startSmtpSink();
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await connection?.close();
  await sink?.close();
  await rm(dir, { recursive: true, force: true });
});

async function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
    cwd: resolve(import.meta.dirname, '../..'),
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      SMTP_PORT: String(sink.port),
      SMTP_POOL_CONNECTIONS: '4',
      BLOB_DIR: join(dir, 'blobs'),
      PERSONS_KEYRING: keyringText,
      APOLOGY_SECRET: randomBytes(32).toString('base64'),
      JOURNAL_DIR: join(dir, 'journal'),
      NOTICE_CONCURRENCY: String(CONCURRENCY),
      MAIL_DOMAIN: DOMAIN,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 30 s:\n${err}`)), 30_000);
    child.stdout.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before it was ready:\n${err}`));
    });
  });
  return child;
}

describe('notification campaign when the worker is killed', () => {
  it('notifies every person, with no more duplicates than the sends in flight at the kill', { timeout: 180_000 }, async () => {
    const started = Date.now();
    const taskQueue = `campaign-kill-${randomUUID()}`;
    const first = await startWorkerProcess(taskQueue);

    const parentId = `ledger-parent-${randomUUID()}`;
    const parent = await client.workflow.start<typeof Ledger>('policyLedger', { taskQueue, workflowId: parentId, args: [{ policyNumber: 'P-KILL' }] });
    try {
      const handle = await client.workflow.start<typeof Campaign>('notificationCampaign', {
        taskQueue,
        workflowId: `campaign-kill-${randomUUID()}`,
        args: [
          {
            caseId: CASE,
            campaignNo: 1,
            parentWorkflowId: parentId,
            ref: refInput(ref),
            sliceSize: SLICE,
            notice: NOTICE,
            apology: { perPersonJpy: 500 },
            printVendorId: null,
          },
        ],
      });

      await waitUntil(() => sink.messages.length >= KILL_AT, 40_000, `${KILL_AT} messages`);
      first.kill('SIGKILL');
      await once(first, 'exit');
      const atKill = sink.messages.length;
      const killedAt = Date.now();

      await startWorkerProcess(taskQueue);
      const result = await handle.result();
      const resumedAfterMs = Date.now() - killedAt;

      const expected = new Set<string>();
      for await (const { person } of readPersons({ store: createFileBlobStore(join(dir, 'blobs')), keyring }, ref)) {
        expected.add(messageIdFor({ caseId: CASE, recipientKey: `person:${person.personId}`, purpose: 'notice-1', domain: DOMAIN }));
      }
      const counts = new Map<string, number>();
      for (const m of sink.messages) counts.set(m.messageId ?? '(none)', (counts.get(m.messageId ?? '(none)') ?? 0) + 1);
      const missing = [...expected].filter((id) => !counts.has(id));
      const strangers = [...counts.keys()].filter((id) => !expected.has(id));
      const duplicates = [...counts.values()].reduce((n, c) => n + (c - 1), 0);

      console.log(
        `[campaign-kill] persons ${ROWS}, killed at ${atKill} messages, messages ${sink.messages.length}, unique ${counts.size}, ` +
          `duplicates ${duplicates} (limit ${CONCURRENCY}), missing ${missing.length}, campaign finished ${resumedAfterMs} ms after the kill, ` +
          `test ${Date.now() - started} ms`,
      );
      expect(atKill).toBeLessThan(ROWS);
      expect(missing).toEqual([]);
      expect(strangers).toEqual([]);
      expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
      expect(sink.messages.length).toBe(ROWS + duplicates);
      // The journal counted each person once, whatever was resent.
      expect(result).toEqual({ campaignNo: 1, total: ROWS, sent: ROWS, failed: 0, letters: 0, done: true });
    } finally {
      await parent.terminate('test over').catch(() => undefined);
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
      await Promise.all(workers.filter((w) => w.exitCode === null && w.signalCode === null).map((w) => once(w, 'exit')));
    }
  });
});
