/**
 * `notificationCampaign` end to end on the dev server: the workflow bundle, the real `sendNoticeSlice` over a real SMTP
 * server, the encrypted file blob store and the sandbox print vendor. The parent it reports to is a running
 * `policyLedger` (it has no handler for the progress signal, so the signals stay in its history, where we read them).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMailer, messageIdFor, type Mailer } from '../../activities/email/mailer.js';
import { createFileJournal, createNoticeSender } from '../../activities/notices.js';
import { startSandbox, type VendorSandbox } from '../../sandbox/vendor-service.js';
import { createFileBlobStore } from '../../storage/blob-store.js';
import { parseKeyring } from '../../storage/crypto.js';
import { importPersonsCsv, readPersons, type PersonsListRef } from '../../storage/persons.js';
import type { CampaignProgress } from '../../workflows/contract.js';
import type { notificationCampaign as Campaign } from '../../workflows/notification-campaign.js';
import type { policyLedger as Ledger } from '../../workflows/policy-ledger.js';
import { NOTICE, noticeDeps, personsCsv, refInput } from '../support/notice-fixtures.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const CASE = 'case-campaign';
const DOMAIN = 'notices.example.jp';
const PRINT = 'vnd-print';
const ROWS = 5_250; // every 21st without e-mail: 5,000 e-mails and 250 letters
const SLICE = 1_000;

let env: TestWorkflowEnvironment;
let dir: string;
let sink: SmtpSink;
let sandbox: VendorSandbox;
let mailer: Mailer;
let ref: PersonsListRef;
const keyring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);
const store = () => createFileBlobStore(join(dir, 'blobs'));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'campaign-'));
  ({ ref } = await importPersonsCsv(personsCsv(ROWS, { withoutEmailEvery: 21 }), { store: store(), keyring }, { caseId: CASE, uploadId: 'u1' }));
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
  sink = await startSmtpSink();
  sandbox = await startSandbox({ vendors: [{ vendorId: PRINT, role: 'print_and_mail', secret: 's' }] });
  mailer = createMailer({ host: sink.host, port: sink.port, from: 'notices@example.jp', pool: { maxConnections: 5, maxMessages: 1000 } });
});
afterAll(async () => {
  mailer?.close();
  await sink?.close();
  await sandbox?.close();
  await env?.teardown();
  await rm(dir, { recursive: true, force: true });
});

describe('notificationCampaign', () => {
  it('sends 5,000 notices, each exactly once, and 250 letters, in slices of 1,000, and reports every slice to its parent', { timeout: 180_000 }, async () => {
    expect(ref).toMatchObject({ accepted: ROWS, withEmail: 5_000, withoutEmail: 250 });
    const taskQueue = `campaign-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: {
        sendNoticeSlice: createNoticeSender(
          noticeDeps({
            mailer,
            store: store(),
            keyring,
            journal: createFileJournal(join(dir, 'journal')),
            apologySecret: randomBytes(32),
            noticeConcurrency: 8,
            vendorsUrl: sandbox.url,
            mailDomain: DOMAIN,
          }),
        ),
      },
    });

    const parentId = `ledger-parent-${randomUUID()}`;
    const parent = await env.client.workflow.start<typeof Ledger>('policyLedger', {
      taskQueue,
      workflowId: parentId,
      args: [{ policyNumber: 'P-CAMPAIGN' }],
    });
    try {
      const result = await worker.runUntil(
        env.client.workflow.execute<typeof Campaign>('notificationCampaign', {
          taskQueue,
          workflowId: `campaign-${randomUUID()}`,
          args: [
            {
              caseId: CASE,
              campaignNo: 1,
              parentWorkflowId: parentId,
              ref: refInput(ref),
              sliceSize: SLICE,
              notice: NOTICE,
              apology: { perPersonJpy: 500 },
              printVendorId: PRINT,
            },
          ],
        }),
      );
      expect(result).toEqual({ campaignNo: 1, total: ROWS, sent: 5_000, failed: 0, letters: 250, done: true });

      // At the SMTP server: 5,000 messages, 5,000 distinct Message-IDs, exactly the ones the persons should get.
      expect(sink.messages).toHaveLength(5_000);
      const expected = new Set<string>();
      for await (const { person } of readPersons({ store: store(), keyring }, ref)) {
        if (person.email) expected.add(messageIdFor({ caseId: CASE, recipientKey: `person:${person.personId}`, purpose: 'notice-1', domain: DOMAIN }));
      }
      expect(new Set(sink.messages.map((m) => m.messageId))).toEqual(expected);

      // Letters: one batch per slice, 250 in all, nobody twice.
      const batches = sandbox.letters().filter((b) => b.caseId === CASE);
      expect(batches).toHaveLength(Math.ceil(ROWS / SLICE));
      const lettered = batches.flatMap((b) => b.letters.map((l) => l.personId));
      expect(lettered).toHaveLength(250);
      expect(new Set(lettered).size).toBe(250);

      // The parent heard of every slice, the last one saying done.
      const history = await parent.fetchHistory();
      const progress = (history.events ?? [])
        .filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'campaign-progress')
        .map((e) => {
          const payload = e.workflowExecutionSignaledEventAttributes!.input!.payloads![0]!;
          return JSON.parse(Buffer.from(payload.data!).toString('utf8')) as CampaignProgress;
        });
      expect(progress).toHaveLength(Math.ceil(ROWS / SLICE));
      expect(progress.map((p) => p.sent + p.letters)).toEqual([1000, 2000, 3000, 4000, 5000, 5250]);
      expect(progress.at(-1)).toEqual(result);
    } finally {
      await parent.terminate('test over').catch(() => undefined);
    }
  });
});
