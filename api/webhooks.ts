import { WorkflowNotFoundError } from '@temporalio/client';
import { verifyWebhook, SIGNATURE_HEADER } from '../lib/webhook-signature.js';
import { VendorEventSchema, type VendorEvent } from '../lib/vendor-events.js';
import { vendorEventSignal, type VendorEventInput } from '../workflows/contract.js';
import { caseHandle, readView } from './case-reads.js';
import { freezeNoticeVersion } from './notice-draft.js';
import type { ApiContext } from './context.js';
import { HttpProblem, problemResponse, validationProblem, zodFieldErrors } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { CaseIdSchema, VendorParamsSchema, WebhookAcceptedSchema } from './schemas.js';
import { caseNotFound } from './tenancy.js';

function toEventInput(vendorId: string, e: VendorEvent): VendorEventInput {
  const base = { eventId: e.eventId, vendorId, at: new Date(e.at).toISOString() };
  switch (e.type) {
    case 'acknowledged':
      return { ...base, type: e.type, dispatchId: e.dispatchId, ...(e.phone ? { phone: e.phone } : {}) };
    case 'findings': {
      const f = e.findings;
      return {
        ...base,
        type: e.type,
        dispatchId: e.dispatchId,
        findings: { ...f, ...(f.occurredAt ? { occurredAt: new Date(f.occurredAt).toISOString() } : {}) },
      };
    }
    case 'advice':
      return { ...base, type: e.type, dispatchId: e.dispatchId, advice: e.advice };
    case 'invoice':
      return {
        ...base,
        type: e.type,
        dispatchId: e.dispatchId,
        amountJpy: e.amountJpy,
        category: e.category,
        evidenceRef: e.evidenceRef,
      };
    case 'letters_mailed':
      return { ...base, type: e.type, count: e.count };
    case 'letters_returned':
      return { ...base, type: e.type, batchId: e.batchId, count: e.count };
    case 'enquiries_reported':
      return { ...base, type: e.type, dispatchId: e.dispatchId, total: e.total };
    case 'notice_approved':
      // The document is frozen by `withNoticeDocument` before the signal; without it the case refuses the approval.
      return { ...base, type: e.type, dispatchId: e.dispatchId, noticeApproval: { language: e.language, version: e.version, documentKey: '', documentSha256: '' } };
  }
}

/**
 * Counsel's `notice_approved`: when the sender is the case's engaged counsel and the version is the draft's current
 * one, the version's document is kept in the blob store and the event names it. Otherwise the event goes on as it is
 * and the case notes why it refused it (a vendor cannot make the API write documents for cases it is not counsel of).
 */
async function withNoticeDocument(ctx: ApiContext, caseId: string, input: VendorEventInput): Promise<VendorEventInput> {
  const a = input.noticeApproval;
  if (input.type !== 'notice_approved' || !a) return input;
  const view = await readView(ctx, caseId).catch(() => undefined);
  if (!view || !view.vendors.some((e) => e.vendorId === input.vendorId && e.role === 'counsel' && e.dispatchId === input.dispatchId)) return input;
  try {
    const frozen = await freezeNoticeVersion(ctx, view, a.language, a.version);
    return frozen ? { ...input, noticeApproval: { ...a, ...frozen } } : input;
  } catch (err) {
    if (err instanceof HttpProblem && err.status === 412) return input;
    throw err;
  }
}

export function webhookRoutes(ctx: ApiContext): RouteDef[] {
  const unauthorised = () => new HttpProblem(401, 'signature_invalid', { key: 'signature_invalid.header' });
  return [
    defineRoute({
      method: 'post',
      path: '/v1/webhooks/vendors/:vendorId',
      operationId: 'vendorWebhook',
      summary: 'Vendor callback',
      description:
        'Signed with `BC-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`; no API key. ' +
        'A redelivered event (same eventId) is accepted again and changes nothing; so is an event from a vendor not ' +
        'engaged on the case, which the case notes on its timeline. The case applies the event after the answer.',
      tags: ['vendors'],
      auth: 'signature',
      params: VendorParamsSchema,
      body: { kind: 'raw', schema: VendorEventSchema, name: 'VendorEvent', limit: ctx.deps.limits?.webhookMaxBytes ?? '1mb' },
      responses: {
        202: { description: 'Accepted', schema: WebhookAcceptedSchema, name: 'WebhookAccepted' },
        400: problemResponse('Not a vendor event'),
        401: problemResponse('Signature missing, expired or wrong (or unknown vendor)'),
        404: problemResponse('No such case, or the case is closed'),
      },
      handle: async (req, res, { params: { vendorId }, body: raw }) => {
        const vendor = ctx.deps.vendors.find((v) => v.vendorId === vendorId);
        // An unknown vendor gets the same answer as a bad signature: vendor ids are not to be probed.
        if (!vendor || vendor.secrets.length === 0) throw unauthorised();
        const verdict = verifyWebhook({
          secret: vendor.secrets,
          header: req.headers[SIGNATURE_HEADER.toLowerCase()],
          rawBody: raw,
          nowSec: ctx.now().getTime() / 1000,
        });
        if (!verdict.ok) {
          ctx.log.warn({ vendorId, reason: verdict.reason }, 'webhook signature refused');
          throw unauthorised();
        }
        let json: unknown;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HttpProblem(400, 'malformed_json', { key: 'malformed_json.body' });
        }
        const parsed = VendorEventSchema.safeParse(json);
        if (!parsed.success) throw validationProblem(zodFieldErrors(parsed.error));
        const event = parsed.data;
        if (!CaseIdSchema.safeParse(event.caseId).success) throw caseNotFound(event.caseId);
        // A signal, not an Update: a worker killed while an Update is processed can leave a history the SDK cannot
        // replay (sdk-rust #943/#1146), and webhooks arrive exactly then. The case de-duplicates by event id and
        // ignores, on its timeline, events from vendors it has not engaged; a closed case is a 404.
        try {
          const input = await withNoticeDocument(ctx, event.caseId, toEventInput(vendorId, event));
          const proof = ctx.deps.signer.proof('vendor-event', event.caseId, input);
          await caseHandle(ctx, event.caseId).signal(vendorEventSignal, { ...input, proof });
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw caseNotFound(event.caseId);
          throw err;
        }
        ctx.changes.bump(event.caseId);
        res.status(202).json({ accepted: true });
      },
    }),
  ];
}
