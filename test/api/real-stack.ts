/**
 * The API on the run's real Temporal dev server with a real worker running the real workflow bundle. Activities are
 * stand-ins that succeed (no SMTP, vendors or payments): these suites are about the HTTP contract on real cases.
 * When `test/support/stack.ts` (real activities) lands, only this file needs to change.
 */
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import { pino } from 'pino';
import { inject } from 'vitest';
import type { CaseActivities, PaymentRequest } from '../../activities/contract.js';
import type { DrawRequest } from '../../workflows/policy-ledger.js';
import { buildApp } from '../../api/app.js';
import { principalDirectory } from '../../api/principals.js';
import { testSigner, uniqueId } from '../support/fixtures.js';
import { fakeDeps, FakeTemporal, PRINCIPALS } from './fake-temporal.js';

export interface RealStack {
  app: Express;
  client: Client;
  taskQueue: string;
  close(): Promise<void>;
}

const stubActivities: CaseActivities = {
  loadPanel: () => Promise.resolve([]),
  trustedKeys: () => Promise.resolve(testSigner.trustedKeys),
  sendEmail: () => Promise.resolve({ delivered: 1, rejected: 0, messageIds: ['<stub@test>'] }),
  dispatchVendor: () => Promise.resolve({ accepted: true }),
  drawFromPolicy: (r: DrawRequest) =>
    Promise.resolve({
      payoutId: r.payoutId,
      lines: r.lines.map((l) => ({ lineId: l.lineId, requestedJpy: l.amountJpy, grantedJpy: l.amountJpy })),
      grantedJpy: r.lines.reduce((a, l) => a + l.amountJpy, 0),
    }),
  makePayment: (r: PaymentRequest) => Promise.resolve({ paymentId: `pay-${r.payoutId}`, paidAt: new Date().toISOString(), amountJpy: r.amountJpy }),
  sendNoticeSlice: () => Promise.reject(new Error('not used in API tests')),
};

export async function startRealStack(): Promise<RealStack> {
  const address = inject('temporalAddress');
  const taskQueue = uniqueId('api');
  const { NativeConnection } = await import('@temporalio/worker');
  const workerConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: workerConnection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: stubActivities,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const base = await fakeDeps(new FakeTemporal());
  const app = buildApp({
    ...base,
    temporal: { client, namespace: 'default', taskQueue },
    principals: principalDirectory(PRINCIPALS),
    logger: pino({ level: 'silent' }),
  });
  return {
    app,
    client,
    taskQueue,
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await workerConnection.close();
    },
  };
}
