/**
 * The activities the worker registers, built once over long-lived dependencies (one pooled SMTP transport, one
 * HTTP client per vendor API, one Temporal client, one blob store). Each activity is a thin translation between a
 * workflow's request and a real protocol; failures that retrying cannot fix are non-retryable ApplicationFailures.
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { CaseActivities, Recipient, SendEmailResult } from './contract.js';
import { renderEmail, type EmailMessage } from './email/render.js';
import { messageIdFor, SmtpSendError, type Mailer } from './email/mailer.js';
import { VendorRequestError, type PaymentClient, type VendorClient } from './vendors/client.js';
import { createNoticeSender, type DeliveryJournal } from './notices.js';
import { drawUpdate, type PolicyLedgerWorkflow } from '../workflows/policy-ledger-contract.js';
import { policyWorkflowId, type PanelVendor, type TrustedKey } from '../workflows/contract.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { Keyring } from '../storage/crypto.js';

/** Who a principal name or role reaches by e-mail; the worker reads it from the principals file. */
export interface Directory {
  emailOf(name: string): { name: string; email: string } | undefined;
  withRole(role: 'handler' | 'supervisor'): { name: string; email: string }[];
}

export interface ActivityDeps {
  mailer: Mailer;
  mailDomain: string;
  directory: Directory;
  vendors: VendorClient;
  payments: PaymentClient;
  panel: () => PanelVendor[];
  temporal: { client: Client; taskQueue: string };
  persons: { store: BlobStore; keyring: Keyring };
  journal: DeliveryJournal;
  /** Secret behind the apology codes: unique per person, unguessable, reproducible after a crash. */
  apologySecret: Buffer;
  /** SMTP sends in flight per slice; also the most notices a killed worker can send twice. */
  noticeConcurrency: number;
  /** Public keys of the API's command signatures this worker trusts (configuration; see workflows/contract/proof.ts). */
  trustedKeys: () => TrustedKey[];
}

function vendorFailure(err: unknown): never {
  if (err instanceof VendorRequestError && !err.retryable) {
    throw ApplicationFailure.nonRetryable(err.message, 'VendorRequestRejected');
  }
  throw err;
}

/**
 * Heartbeats every 2 s until stopped, so the case's heartbeat time-outs (10 s in workflows/case/activities.ts) notice
 * a dead worker long before the start-to-close time-out would. `progress` is what each heartbeat carries (the
 * e-mails' resume point), since a heartbeat replaces the details of the one before.
 */
function heartbeatWhileInFlight(progress: () => unknown = () => undefined, everyMs = 2_000): { stop(): void } {
  const ctx = Context.current();
  ctx.heartbeat(progress());
  const timer = setInterval(() => ctx.heartbeat(progress()), everyMs);
  return { stop: () => clearInterval(timer) };
}

export function createActivities(deps: ActivityDeps): CaseActivities {
  function resolve(to: Recipient): { key: string; email: string; name?: string }[] {
    switch (to.kind) {
      case 'address':
        return [{ key: to.key, email: to.address }];
      case 'principal': {
        const p = deps.directory.emailOf(to.name);
        return p ? [{ key: `principal:${p.name}`, email: p.email, name: p.name }] : [];
      }
      case 'role':
        return deps.directory.withRole(to.role).map((p) => ({ key: `principal:${p.name}`, email: p.email, name: p.name }));
    }
  }

  return {
    loadPanel() {
      return Promise.resolve(deps.panel());
    },

    trustedKeys() {
      return Promise.resolve(deps.trustedKeys());
    },

    async sendEmail({ caseId, purpose, to, message }) {
      const recipients = resolve(to);
      const result: SendEmailResult = { delivered: 0, rejected: 0, messageIds: [] };
      if (recipients.length === 0) {
        log.warn('no e-mail address for recipient', { caseId, purpose, kind: to.kind });
        return result;
      }
      // Resume after the recipients an earlier attempt already reached.
      const done = (Context.current().info.heartbeatDetails as number | undefined) ?? 0;
      let reached = done;
      const beat = heartbeatWhileInFlight(() => reached);
      try {
        for (let i = done; i < recipients.length; i++) {
          const r = recipients[i]!;
          const personal: EmailMessage = r.name ? { ...message, recipientName: r.name } : message;
          const rendered = renderEmail(personal);
          const messageId = messageIdFor({ caseId, recipientKey: r.key, purpose, domain: deps.mailDomain });
          try {
            const sent = await deps.mailer.send({ to: r.email, ...rendered, messageId, headers: { 'Content-Language': personal.language } });
            if (sent.status === 'sent') result.delivered += 1;
            else result.rejected += 1;
            result.messageIds.push(messageId);
          } catch (err) {
            if (err instanceof SmtpSendError && err.nonRetryable) {
              throw ApplicationFailure.nonRetryable(err.message, 'SmtpPermanentFailure');
            }
            throw err;
          }
          reached = i + 1;
          Context.current().heartbeat(reached);
        }
      } finally {
        beat.stop();
      }
      return result;
    },

    async dispatchVendor({ caseId, dispatchId, vendorId, role, brief }) {
      const beat = heartbeatWhileInFlight();
      try {
        const receipt = await deps.vendors.dispatch(
          { caseId, dispatchId, vendorId, role, brief },
          { signal: Context.current().cancellationSignal },
        );
        return { accepted: receipt.accepted };
      } catch (err) {
        vendorFailure(err);
      } finally {
        beat.stop();
      }
    },

    async drawFromPolicy({ policyNumber, ...request }) {
      const handle = deps.temporal.client.workflow.getHandle<PolicyLedgerWorkflow>(policyWorkflowId(policyNumber));
      const beat = heartbeatWhileInFlight();
      try {
        // The payout id as update id: a retried draw gets the grant the first attempt got.
        return await handle.executeUpdate(drawUpdate, { args: [request], updateId: `draw-${request.payoutId}` });
      } finally {
        beat.stop();
      }
    },

    async makePayment({ caseId, payoutId, amountJpy, insuredId }) {
      const beat = heartbeatWhileInFlight();
      try {
        const paid = await deps.payments.pay(
          { caseId, payoutId, amountJpy, payee: { insuredId } },
          { signal: Context.current().cancellationSignal },
        );
        return { paymentId: paid.paymentId, paidAt: paid.paidAt, amountJpy: paid.amountJpy };
      } catch (err) {
        vendorFailure(err);
      } finally {
        beat.stop();
      }
    },

    sendNoticeSlice: createNoticeSender(deps),
  };
}
