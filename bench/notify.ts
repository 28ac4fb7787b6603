// Notification campaign throughput: a campaign of N affected persons (default 100,000, about 5 % without e-mail)
// through the `notificationCampaign` workflow and the real `sendNoticeSlice` activity, into a local SMTP sink that only
// counts Message-IDs, next to a bare nodemailer loop (same pooled transport settings, same concurrency, same sink,
// the same rendered notice) in the same run. Both senders run in child processes; the worker's RSS is sampled from
// /proc every 200 ms.
//
//   npx tsx bench/notify.ts [--persons 100000] [--concurrency 16] [--pool 8] [--slice 10000] [--no-bare | --bare-once]
//                           [--profile-worker DIR]
//
// Targets (issue 5): workflow rate >= 0.7 of the bare loop's, 0 duplicates, 0 lost, worker peak RSS < 500 MB.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { createMailer, messageIdFor } from '../activities/email/mailer.js';
import { renderEmail } from '../activities/email/render.js';
import { startDevServer, temporalBinaries } from '../main/temporal.js';
import { bundleWorkflows } from '../main/runtime.js';
import { createFileBlobStore } from '../storage/blob-store.js';
import { parseKeyring } from '../storage/crypto.js';
import { importPersonsCsv, readPersons } from '../storage/persons.js';
import { freePort } from '../test/support/ports.js';
import { NOTICE, personsCsv, refInput } from '../test/support/notice-fixtures.js';
import type { notificationCampaign as Campaign } from '../workflows/notification-campaign.js';
import type { policyLedger as Ledger } from '../workflows/policy-ledger.js';
import { startCountingSink } from './lib/counting-sink.js';

const ROOT = resolve(import.meta.dirname, '..');
const SELF = resolve(import.meta.dirname, 'notify.ts');
const WORKER_SCRIPT = resolve(ROOT, 'test/support/campaign-worker.ts');
const CASE = 'bench-notify';
const DOMAIN = 'bench.example.jp';

const { values: args } = parseArgs({
  options: {
    persons: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '16' },
    pool: { type: 'string', default: '8' },
    slice: { type: 'string', default: '10000' },
    'no-bare': { type: 'boolean', default: false },
    /** One bare run (before the campaign) instead of one before and one after. */
    'bare-once': { type: 'boolean', default: false },
    'bare-child': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of the worker process into this folder. */
    'profile-worker': { type: 'string' },
  },
});

// ---------------------------------------------------------------------------------------------------------------
// The bare loop, run as a child process of the bench: `concurrency` sendMail calls in flight over one pooled
// transport, the notice rendered once per language, a distinct Message-ID per message. Prints its timing as JSON.
if (args['bare-child']) {
  const n = Number(process.env.BARE_MESSAGES);
  const concurrency = Number(process.env.BARE_CONCURRENCY);
  const mailer = createMailer({
    host: '127.0.0.1',
    port: Number(process.env.SMTP_PORT),
    from: '"株式会社サンプル 個人情報窓口" <notices@example.jp>',
    pool: { maxConnections: Number(process.env.SMTP_POOL_CONNECTIONS), maxMessages: 1000 },
  });
  // The campaign's mix: every third person in English (quoted-printable bodies), the rest in Japanese (base64).
  const notice = (language: 'ja' | 'en') =>
    renderEmail({ kind: 'person_notice', language, recipientName: language === 'ja' ? '山田 花子1' : 'Person 0', ...NOTICE, apologyCode: 'ABCD-EFGH-JK23-LMNP-QRST' });
  const rendered = { ja: notice('ja'), en: notice('en') };
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const k = next++;
        const r = await mailer.send({ to: `p${k}@example.com`, ...rendered[k % 3 === 0 ? 'en' : 'ja'], messageId: `<bare-${k}@${DOMAIN}>` });
        if (r.status !== 'sent') failed += 1;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage();
  mailer.close();
  process.stdout.write(`${JSON.stringify({ sent: n - failed, failed, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------------
const persons = Number(args.persons);
const concurrency = Number(args.concurrency);
const pool = Number(args.pool);
const sliceSize = Number(args.slice);
const mb = (kb: number) => Math.round(kb / 1024);

function rssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function sampleRss(pid: number): { stop(): { peakKb: number; lastKb: number } } {
  let peakKb = 0;
  let lastKb = 0;
  const timer = setInterval(() => {
    const kb = rssKb(pid);
    if (kb !== undefined) {
      lastKb = kb;
      peakKb = Math.max(peakKb, kb);
    }
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      return { peakKb, lastKb };
    },
  };
}

function childOutput(child: ChildProcess): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-8000)));
  return { out: () => out, err: () => err };
}

const dir = await mkdtemp(join(tmpdir(), 'bench-notify-'));
const children: ChildProcess[] = [];
let stopServer: (() => Promise<void>) | undefined;
const sink = await startCountingSink();
try {
  // Temporal dev server on a temporary SQLite file, and the workflow bundle.
  const t0 = performance.now();
  const port = await freePort();
  const [server, bundle] = await Promise.all([
    startDevServer({ cli: temporalBinaries({ TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH: undefined }).cli, port, namespace: 'default', dbFile: join(dir, 'temporal.db') }),
    bundleWorkflows(),
  ]);
  stopServer = () => server.stop();
  const bundlePath = join(dir, 'workflows.js');
  await writeFile(bundlePath, bundle.code);

  // The affected-person list: generated CSV, imported (validated, de-duplicated, sealed) into a file blob store.
  const keyringText = `k1:${randomBytes(32).toString('base64')}`;
  const keyring = parseKeyring(keyringText);
  const store = createFileBlobStore(join(dir, 'blobs'));
  const { ref } = await importPersonsCsv(personsCsv(persons, { withoutEmailEvery: 20 }), { store, keyring }, {
    caseId: CASE,
    uploadId: 'u1',
    maxRows: Math.max(persons, 1),
  });
  const expectedIds = new Set<string>();
  for await (const { person } of readPersons({ store, keyring }, ref)) {
    if (person.email) expectedIds.add(messageIdFor({ caseId: CASE, recipientKey: `person:${person.personId}`, purpose: 'notice-1', domain: DOMAIN }));
  }
  console.error(
    `setup ${((performance.now() - t0) / 1000).toFixed(1)} s: ${ref.accepted} persons, ${ref.withEmail} with e-mail, ${ref.withoutEmail} without; ` +
      `concurrency ${concurrency}, SMTP pool ${pool}, slice ${sliceSize}`,
  );

  async function bare() {
    sink.reset();
    const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--bare-child'], {
      cwd: ROOT,
      env: {
        ...process.env,
        BARE_MESSAGES: String(ref.withEmail),
        BARE_CONCURRENCY: String(concurrency),
        SMTP_PORT: String(sink.port),
        SMTP_POOL_CONNECTIONS: String(pool),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const io = childOutput(child);
    const rss = sampleRss(child.pid!);
    const [code] = (await once(child, 'exit')) as [number | null];
    const { peakKb } = rss.stop();
    if (code !== 0) throw new Error(`bare loop failed (${code}):\n${io.err()}`);
    const r = JSON.parse(io.out().trim().split('\n').at(-1)!) as { sent: number; failed: number; seconds: number; cpuSeconds: number };
    const result = { rate: r.sent / r.seconds, seconds: r.seconds, peakKb, sent: r.sent, atSink: sink.total, cpuMsPerMessage: (r.cpuSeconds * 1000) / r.sent };
    console.error(
      `bare loop: ${r.sent} in ${r.seconds.toFixed(1)} s = ${Math.round(result.rate)}/s, peak RSS ${mb(peakKb)} MB, ` +
        `CPU ${result.cpuMsPerMessage.toFixed(2)} ms/message`,
    );
    return result;
  }

  async function workflow() {
    sink.reset();
    const taskQueue = `bench-notify-${randomUUID()}`;
    const profile = args['profile-worker'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args['profile-worker'])}`] : [];
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', WORKER_SCRIPT], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: server.address,
        TASK_QUEUE: taskQueue,
        WORKFLOW_BUNDLE: bundlePath,
        SMTP_PORT: String(sink.port),
        SMTP_POOL_CONNECTIONS: String(pool),
        BLOB_DIR: join(dir, 'blobs'),
        PERSONS_KEYRING: keyringText,
        APOLOGY_SECRET: randomBytes(32).toString('base64'),
        JOURNAL_DIR: join(dir, `journal-${taskQueue}`),
        NOTICE_CONCURRENCY: String(concurrency),
        MAIL_DOMAIN: DOMAIN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const io = childOutput(child);
    const rss = sampleRss(child.pid!);
    await new Promise<void>((ready, reject) => {
      const check = setInterval(() => {
        if (io.out().includes('ready')) {
          clearInterval(check);
          ready();
        }
      }, 20);
      child.once('exit', (code) => {
        clearInterval(check);
        reject(new Error(`worker exited (${code}):\n${io.err()}`));
      });
    });
    const readyKb = rssKb(child.pid!) ?? 0;
    const cpuAtReady = cpuSeconds(child.pid!);

    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const parentId = `bench-parent-${randomUUID()}`;
    const parent = await client.workflow.start<typeof Ledger>('policyLedger', { taskQueue, workflowId: parentId, args: [{ policyNumber: 'P-BENCH' }] });
    const t = performance.now();
    const result = await client.workflow.execute<typeof Campaign>('notificationCampaign', {
      taskQueue,
      workflowId: `bench-campaign-${randomUUID()}`,
      args: [
        {
          caseId: CASE,
          campaignNo: 1,
          parentWorkflowId: parentId,
          ref: refInput(ref),
          sliceSize,
          notice: NOTICE,
          apology: { perPersonJpy: 500 },
          printVendorId: null,
        },
      ],
    });
    const seconds = (performance.now() - t) / 1000;
    const cpuMsPerMessage = ((cpuSeconds(child.pid!) - cpuAtReady) * 1000) / Math.max(1, result.sent);
    const { peakKb } = rss.stop();
    await parent.terminate('bench over');
    await connection.close();
    child.kill('SIGTERM');
    await once(child, 'exit');

    let duplicates = 0;
    let strangers = 0;
    for (const [id, n] of sink.byId) {
      if (!expectedIds.has(id)) strangers += n;
      else duplicates += n - 1;
    }
    let lost = 0;
    for (const id of expectedIds) if (!sink.byId.has(id)) lost += 1;
    const out = { rate: result.sent / seconds, seconds, peakKb, readyKb, result, duplicates, lost, strangers, atSink: sink.total, cpuMsPerMessage };
    console.error(
      `workflow: ${result.sent} in ${seconds.toFixed(1)} s = ${Math.round(out.rate)}/s, peak RSS ${mb(peakKb)} MB, ` +
        `CPU ${cpuMsPerMessage.toFixed(2)} ms/message, duplicates ${duplicates}, lost ${lost}`,
    );
    return out;
  }

  const bareBefore = args['no-bare'] ? undefined : await bare();
  const wf = await workflow();
  // The machine's other load changes over minutes: a bare run on each side of the campaign, averaged, is fairer.
  const bareAfter = !args['bare-once'] && !args['no-bare'] ? await bare() : undefined;
  const bareRate = bareBefore && bareAfter ? (bareBefore.rate + bareAfter.rate) / 2 : bareBefore?.rate;

  const ratio = bareRate ? wf.rate / bareRate : undefined;
  const pass = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const rows: [string, string, string, string][] = [
    ['messages/s, workflow', `${Math.round(wf.rate)}`, '', ''],
    ...(bareBefore ? [['messages/s, bare nodemailer loop (before)', `${Math.round(bareBefore.rate)}`, '', ''] as [string, string, string, string]] : []),
    ...(bareAfter ? [['messages/s, bare nodemailer loop (after)', `${Math.round(bareAfter.rate)}`, '', ''] as [string, string, string, string]] : []),
    ...(ratio !== undefined ? [[`ratio workflow / bare${bareAfter ? ' (mean)' : ''}`, ratio.toFixed(2), '>= 0.70', pass(ratio >= 0.7)] as [string, string, string, string]] : []),
    ['duplicates (same Message-ID twice)', String(wf.duplicates), '0', pass(wf.duplicates === 0)],
    ['lost (person with e-mail, no message)', String(wf.lost), '0', pass(wf.lost === 0)],
    ['worker peak RSS (MB)', String(mb(wf.peakKb)), '< 500', pass(mb(wf.peakKb) < 500)],
    ['worker RSS when ready (MB)', String(mb(wf.readyKb)), '', ''],
    ['sender CPU ms per message, workflow worker', wf.cpuMsPerMessage.toFixed(2), '', ''],
    ...(bareBefore ? [['sender CPU ms per message, bare loop', bareBefore.cpuMsPerMessage.toFixed(2), '', ''] as [string, string, string, string]] : []),
    ...(bareBefore ? [['bare loop peak RSS (MB)', String(mb(bareBefore.peakKb)), '', ''] as [string, string, string, string]] : []),
    ['campaign result sent / letters / failed', `${wf.result.sent} / ${wf.result.letters} / ${wf.result.failed}`, `${ref.withEmail} / 0 / ${ref.withoutEmail}`, pass(wf.result.sent === ref.withEmail)],
    ['messages at the sink (workflow phase)', String(wf.atSink), String(ref.withEmail), pass(wf.atSink === ref.withEmail && wf.strangers === 0)],
    ['campaign wall time (s)', wf.seconds.toFixed(1), '', ''],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`\nbench/notify: ${ref.accepted} persons (${ref.withEmail} e-mail), concurrency ${concurrency}, SMTP pool ${pool}, slice ${sliceSize}`);
  for (const r of rows) console.log(`  ${r[0].padEnd(w[0]!)}  ${r[1].padStart(w[1]!)}  ${r[2].padEnd(w[2]!)}  ${r[3]}`);
  const missed = rows.some((r) => r[3] === 'MISSED');
  if (missed) process.exitCode = 1;
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sink.close();
  await stopServer?.();
  await rm(dir, { recursive: true, force: true });
}
