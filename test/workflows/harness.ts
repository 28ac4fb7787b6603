import { inject } from 'vitest';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CaseActivities, SendEmailRequest, DispatchRequest, PaymentRequest, NoticeSliceRequest } from '../../activities/contract.js';
import { drawUpdate, putPolicyUpdate, type policyLedger } from '../../workflows/policy-ledger.js';
import { policyWorkflowId, POLICY_WORKFLOW_TYPE, type TrustedKey } from '../../workflows/contract.js';
import type { PolicyRecord } from '../../domain/index.js';
import { panel as defaultPanel, testSigner, uniqueId } from '../support/fixtures.js';

/** What the fake activities saw; the ledger is the real workflow, so limits are enforced as in production. */
export interface Seen {
  emails: SendEmailRequest[];
  dispatches: DispatchRequest[];
  payments: PaymentRequest[];
  slices: NoticeSliceRequest[];
}

export async function startHarness(env: TestWorkflowEnvironment, opts: { panel?: typeof defaultPanel; trustedKeys?: TrustedKey[] } = {}) {
  const taskQueue = uniqueId('tq');
  const seen: Seen = { emails: [], dispatches: [], payments: [], slices: [] };
  const paidIds = new Set<string>();
  // Slices or payments of a case wait here while a test holds them (to look at a campaign that has started and not
  // yet sent, or to send a command while the case's main loop waits on a payment); `waiting` names those held now.
  const holds = new Map<string, Promise<void>>();
  const waiting = new Set<string>();
  async function held(key: string): Promise<void> {
    const hold = holds.get(key);
    if (!hold) return;
    waiting.add(key);
    await hold;
    waiting.delete(key);
  }
  function hold(key: string): () => void {
    let release = () => {};
    holds.set(key, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      holds.delete(key);
      release();
    };
  }
  const activities: CaseActivities = {
    loadPanel() {
      return Promise.resolve(opts.panel ?? defaultPanel);
    },
    sendEmail(req) {
      seen.emails.push(req);
      return Promise.resolve({ delivered: 1, rejected: 0, messageIds: [`<${req.purpose}@test>`] });
    },
    dispatchVendor(req) {
      seen.dispatches.push(req);
      return Promise.resolve({ accepted: true });
    },
    async drawFromPolicy({ policyNumber, ...request }) {
      const handle = env.client.workflow.getHandle<typeof policyLedger>(policyWorkflowId(policyNumber));
      return handle.executeUpdate(drawUpdate, { args: [request], updateId: `draw-${request.payoutId}` });
    },
    async makePayment(req) {
      await held(`payment:${req.caseId}`);
      if (!paidIds.has(req.payoutId)) seen.payments.push(req);
      paidIds.add(req.payoutId);
      return { paymentId: `pay-${req.payoutId}`, paidAt: new Date().toISOString(), amountJpy: req.amountJpy };
    },
    trustedKeys() {
      return Promise.resolve(opts.trustedKeys ?? testSigner.trustedKeys);
    },
    async sendNoticeSlice(req) {
      await held(`slices:${req.caseId}`);
      seen.slices.push(req);
      return { processed: req.count, sent: req.count, failed: 0, letters: 0 };
    },
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities,
  });
  const running = worker.run();
  async function registerPolicy(policy: PolicyRecord): Promise<void> {
    const handle = await env.client.workflow.start(POLICY_WORKFLOW_TYPE, {
      workflowId: policyWorkflowId(policy.policyNumber),
      taskQueue,
      args: [{ policyNumber: policy.policyNumber }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    await handle.executeUpdate(putPolicyUpdate, { args: [policy] });
  }
  return {
    taskQueue,
    seen,
    registerPolicy,
    /** Holds the notice slices of a case until the returned function is called (keep it short: no heartbeats). */
    holdSlices(caseId: string): () => void {
      return hold(`slices:${caseId}`);
    },
    /** Holds the payments of a case until the returned function is called; `paymentWaiting` tells one is held. */
    holdPayments(caseId: string): () => void {
      return hold(`payment:${caseId}`);
    },
    paymentWaiting(caseId: string): boolean {
      return waiting.has(`payment:${caseId}`);
    },
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}
