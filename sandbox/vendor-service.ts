import { setMaxListeners } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  DispatchRequestSchema,
  LettersRequestSchema,
  PaymentRequestSchema,
  type DispatchBrief,
  type Letter,
  type LetterNotice,
  type Payment,
  type VendorEvent,
  type VendorRole,
} from '../lib/vendor-events.js';
import { WRONGFUL_PURPOSE_CAUSES } from '../domain/vocabulary.js';
import { ROLE_COST_CATEGORY, ackSlaMs } from '../domain/vendor-services.js';
import { mulberry32, randomInt } from './vendor-prng.js';
import { deliverWebhook, type DeliveryPolicy, type DeliveryRecord } from './vendor-webhooks.js';

/**
 * Sandbox vendor and payment service, for development and tests only: one Express app plays every panel vendor role
 * and a bank-transfer style payment API, calls back through signed webhooks, and fails on request.
 *
 * Nothing runs at import. A process entry starts it:
 *
 *   const sandbox = await startSandbox({ port: 4010, vendors, webhookUrl: (id) => `${apiUrl}/v1/webhooks/vendors/${id}` });
 *   process.once('SIGTERM', () => void sandbox.close());
 */

export const FAULT_MODES = ['5xx', 'timeout', 'slow_ack', 'no_ack'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const FaultsSchema = z.strictObject({
  rate: z.number().min(0).max(1),
  modes: z.array(z.enum(FAULT_MODES)),
  seed: z.number().int().optional(),
});
export type Faults = z.infer<typeof FaultsSchema>;

/** Body of the control call that makes a call centre report its enquiries so far. */
const EnquiriesSchema = z.strictObject({ total: z.number().int().min(0) });

/** Body of the control call that makes a print vendor report returned letters. */
const ReturnedLettersSchema = z.strictObject({ count: z.number().int().min(1) });
const NoticeApprovalSchema = z.strictObject({ language: z.enum(['ja', 'en']), version: z.number().int().positive() });

export interface SandboxVendor {
  vendorId: string;
  role: VendorRole;
  /** Several secrets sign every webhook with each, as a vendor does while a rotation is under way. */
  secret: string | string[];
  /** A call centre's line: it opens one per case and names it in its acknowledgement (without it, it names none). */
  phone?: string;
}

export interface SandboxTiming {
  ackDelayMs: number;
  /** From the acknowledgement to findings (forensics) or advice (counsel). */
  findingsDelayMs: number;
  /** From the previous event to the invoice. */
  invoiceDelayMs: number;
  /**
   * How late a `slow_ack` acknowledgement comes: past the one-hour acknowledgement SLA by default. A role with a longer
   * SLA (domain `ackSlaMs`) is late by as many times this as its SLA is hours.
   */
  slowAckDelayMs: number;
  /** From the acknowledgement to a call centre's first enquiry report, and between its reports. */
  enquiriesDelayMs: number;
  /** How long a `timeout` fault holds a request open before answering: longer than clients wait. */
  holdMs: number;
  /** From accepting a letters batch to the `letters_mailed` event. */
  lettersDelayMs: number;
  webhookRetryMs: number;
  webhookMaxAttempts: number;
  webhookTimeoutMs: number;
}

export const DEFAULT_TIMING: SandboxTiming = {
  ackDelayMs: 500,
  findingsDelayMs: 3_000,
  invoiceDelayMs: 2_000,
  slowAckDelayMs: 65 * 60_000,
  enquiriesDelayMs: 2_000,
  holdMs: 30_000,
  lettersDelayMs: 1_000,
  webhookRetryMs: 500,
  webhookMaxAttempts: 8,
  webhookTimeoutMs: 5_000,
};

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Where a vendor posts its webhooks. Without it events are recorded as `skipped` and nothing is sent. */
  webhookUrl?: (vendorId: string) => string;
  vendors: SandboxVendor[];
  seed?: number;
  timing?: Partial<SandboxTiming>;
}

export interface DispatchRecord {
  vendorId: string;
  dispatchId: string;
  caseId: string;
  role: VendorRole;
  brief: DispatchBrief;
  idempotencyKey: string;
  receivedAt: string;
  ackFault: 'slow_ack' | 'no_ack' | null;
  events: DeliveryRecord[];
}

export interface LetterBatchRecord {
  vendorId: string;
  batchId: string;
  caseId: string;
  letters: Letter[];
  /** The approved notice texts the letters print, when the case sent them. */
  notices?: LetterNotice[];
  idempotencyKey: string;
  receivedAt: string;
  events: DeliveryRecord[];
}

export interface PaymentRecord extends Payment {
  caseId: string;
  payee: { insuredId: string };
  idempotencyKey: string;
}

export interface SandboxState {
  faults: Faults;
  requests: number;
  faultsInjected: Record<FaultMode, number>;
  dispatches: DispatchRecord[];
  letterBatches: Array<Omit<LetterBatchRecord, 'letters'> & { count: number }>;
  payments: PaymentRecord[];
}

export interface VendorSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
  setFaults(faults: Faults): void;
  state(): SandboxState;
  dispatches(): DispatchRecord[];
  payments(): PaymentRecord[];
  letters(): LetterBatchRecord[];
}

const COST_CATEGORY: Record<VendorRole, string> = ROLE_COST_CATEGORY;


/** Which faults make sense where: acknowledgement faults only mean something for a dispatch. */
const APPLICABLE: Record<'dispatch' | 'letters' | 'payment', readonly FaultMode[]> = {
  dispatch: FAULT_MODES,
  letters: ['5xx', 'timeout'],
  payment: ['5xx', 'timeout'],
};

interface StoredAnswer {
  fingerprint: string;
  status: number;
  replayStatus: number;
  body: unknown;
}

class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

function problem(res: Response, status: number, code: string, detail: string): void {
  res
    .status(status)
    .type('application/problem+json')
    .json({ type: `urn:breach-claims:sandbox:${code}`, title: code.replaceAll('_', ' '), status, detail });
}

function idempotencyKeyOf(req: Request): string {
  const key = req.get('idempotency-key')?.trim();
  if (!key) throw new Problem(400, 'idempotency_key_required', 'the Idempotency-Key header is required');
  if (key.length > 255) throw new Problem(400, 'idempotency_key_invalid', 'the Idempotency-Key header is too long');
  return key;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    // Field paths only: the values might be personal data a caller sent by mistake.
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(body)');
    throw new Problem(400, 'invalid_body', `invalid fields: ${[...new Set(fields)].join(', ')}`);
  }
  return parsed.data;
}

export async function startSandbox(opts: SandboxOptions): Promise<VendorSandbox> {
  const timing: SandboxTiming = { ...DEFAULT_TIMING, ...opts.timing };
  const host = opts.host ?? '127.0.0.1';
  const seed = opts.seed ?? 1;
  const vendors = new Map(opts.vendors.map((v) => [v.vendorId, v]));
  const delivery: DeliveryPolicy = {
    retryBaseMs: timing.webhookRetryMs,
    maxAttempts: timing.webhookMaxAttempts,
    attemptTimeoutMs: timing.webhookTimeoutMs,
  };

  let faults: Faults = { rate: 0, modes: [] };
  let faultRandom = mulberry32(seed);
  // A separate stream, so switching faults on does not change the figures vendors invent.
  const contentRandom = mulberry32(seed ^ 0x5bd1e995);
  let requests = 0;
  const faultsInjected: Record<FaultMode, number> = { '5xx': 0, timeout: 0, slow_ack: 0, no_ack: 0 };

  const answers = new Map<string, StoredAnswer>();
  const dispatches = new Map<string, DispatchRecord>();
  const batches = new Map<string, LetterBatchRecord>();
  const payments = new Map<string, PaymentRecord>();

  const stopping = new AbortController();
  // Every pending callback and held answer listens on it: hundreds at once in a soak are expected, not a leak.
  setMaxListeners(0, stopping.signal);
  const background = new Set<Promise<void>>();

  function setFaults(next: Faults): void {
    const parsed = FaultsSchema.parse(next);
    faults = { rate: parsed.rate, modes: [...new Set(parsed.modes)] };
    if (parsed.seed !== undefined) {
      faults.seed = parsed.seed;
      faultRandom = mulberry32(parsed.seed);
    }
  }

  function drawFault(kind: keyof typeof APPLICABLE): FaultMode | null {
    const modes = faults.modes.filter((m) => APPLICABLE[kind].includes(m));
    if (faults.rate <= 0 || modes.length === 0) return null;
    if (faultRandom() >= faults.rate) return null;
    const mode = modes[Math.floor(faultRandom() * modes.length)] ?? null;
    if (mode) faultsInjected[mode] += 1;
    return mode;
  }

  function runInBackground(work: () => Promise<void>): void {
    // Failures are visible on the delivery records; a sandbox must not bring its host process down over one.
    const p = work().catch(() => undefined);
    background.add(p);
    void p.finally(() => background.delete(p));
  }

  function newRecord(event: VendorEvent): DeliveryRecord {
    return {
      eventId: event.eventId,
      type: event.type,
      status: opts.webhookUrl ? 'scheduled' : 'skipped',
      attempts: 0,
      lastStatus: null,
      deliveredAt: null,
    };
  }

  /** Runs a vendor's callbacks in order: each waits its delay after the previous one was delivered or given up. */
  function schedule(
    vendor: SandboxVendor,
    steps: Array<{ delayMs: number; build: (at: string) => VendorEvent }>,
    records: DeliveryRecord[],
  ): void {
    runInBackground(async () => {
      for (const step of steps) {
        await sleep(step.delayMs, undefined, { signal: stopping.signal, ref: false });
        const event = step.build(new Date().toISOString());
        const record = newRecord(event);
        records.push(record);
        if (!opts.webhookUrl) continue;
        await deliverWebhook({
          url: opts.webhookUrl(vendor.vendorId),
          secret: vendor.secret,
          event,
          record,
          policy: delivery,
          signal: stopping.signal,
        });
      }
    });
  }

  function invent(record: DispatchRecord): {
    findings: Extract<VendorEvent, { type: 'findings' }>['findings'];
    advice: string;
    amountJpy: number;
    enquiries: number[];
  } {
    const persons = record.brief.affectedPersons ?? randomInt(contentRandom, 100, 5_000);
    const cause = record.brief.cause ?? 'external_attack';
    // A real forensic firm dates the leak no later than its discovery: the insured's date when it gave one, else
    // 1 to 14 days before the discovery (or before now, for a brief without dates).
    const discovered = record.brief.discoveredAt ? Date.parse(record.brief.discoveredAt) : Date.now();
    const occurred = record.brief.occurredAt
      ? new Date(record.brief.occurredAt)
      : new Date(discovered - randomInt(contentRandom, 1, 14) * 86_400_000);
    const perPerson: Record<VendorRole, number> = {
      forensics: 0,
      counsel: 0,
      call_center: 100,
      print_and_mail: 150,
      credit_monitoring: 1_000,
      public_relations: 0,
      recurrence_prevention: 0,
    };
    const base: Record<VendorRole, [number, number]> = {
      forensics: [2_000_000, 6_000_000],
      counsel: [500_000, 2_000_000],
      call_center: [300_000, 800_000],
      print_and_mail: [50_000, 150_000],
      credit_monitoring: [100_000, 300_000],
      public_relations: [800_000, 1_500_000],
      recurrence_prevention: [1_000_000, 3_000_000],
    };
    const [lo, hi] = base[record.role];
    // A call centre hears from a few per cent of the persons notified, most of them in the first days.
    const firstEnquiries = Math.max(1, Math.round(persons * randomInt(contentRandom, 1, 3) / 100));
    const enquiries = [firstEnquiries, firstEnquiries + Math.max(1, Math.round(persons * randomInt(contentRandom, 1, 3) / 100))];
    const amount = randomInt(contentRandom, lo, hi) + perPerson[record.role] * persons;
    return {
      findings: {
        affectedPersons: persons,
        dataItems: record.brief.dataItems ?? ['name', 'email'],
        occurredAt: occurred.toISOString(),
        cause,
        wrongfulPurpose: WRONGFUL_PURPOSE_CAUSES.includes(cause),
        residency: { JP: persons },
        summary: `Sandbox forensic report: ${cause.replaceAll('_', ' ')}, ${persons} records exposed.`,
      },
      advice:
        'Sandbox counsel advice: file the preliminary report with the PPC within the deadline and notify the ' +
        'affected persons without delay.',
      amountJpy: Math.round(amount / 1_000) * 1_000,
      enquiries,
    };
  }

  function startDispatchCallbacks(vendor: SandboxVendor, record: DispatchRecord): void {
    if (record.ackFault === 'no_ack') return;
    const made = invent(record);
    const common = (type: string, at: string) => ({
      eventId: `evt_${record.vendorId}_${record.dispatchId}_${type}`,
      dispatchId: record.dispatchId,
      caseId: record.caseId,
      at,
    });
    const slowBy = ackSlaMs(record.role, 3_600_000) / 3_600_000;
    const steps: Array<{ delayMs: number; build: (at: string) => VendorEvent }> = [
      {
        delayMs: record.ackFault === 'slow_ack' ? timing.slowAckDelayMs * slowBy : timing.ackDelayMs,
        build: (at) => ({ type: 'acknowledged', ...common('acknowledged', at), ...(vendor.phone ? { phone: vendor.phone } : {}) }),
      },
    ];
    if (record.role === 'forensics') {
      steps.push({
        delayMs: timing.findingsDelayMs,
        build: (at) => ({ type: 'findings', ...common('findings', at), findings: made.findings }),
      });
    } else if (record.role === 'counsel') {
      steps.push({
        delayMs: timing.findingsDelayMs,
        build: (at) => ({ type: 'advice', ...common('advice', at), advice: made.advice }),
      });
    } else if (record.role === 'call_center') {
      made.enquiries.forEach((total, n) => {
        steps.push({
          delayMs: timing.enquiriesDelayMs,
          build: (at) => ({ type: 'enquiries_reported', ...common(`enquiries_${n + 1}`, at), total }),
        });
      });
    }
    steps.push({
      delayMs: timing.invoiceDelayMs,
      build: (at) => ({
        type: 'invoice',
        ...common('invoice', at),
        amountJpy: made.amountJpy,
        category: COST_CATEGORY[record.role],
        evidenceRef: `sandbox://invoices/${record.vendorId}/${record.dispatchId}`,
      }),
    });
    schedule(vendor, steps, record.events);
  }

  /**
   * Answers from the idempotency store when the key was seen, else performs `effect` once and stores its answer.
   * The lookup and the effect run without an await between them, so two concurrent requests with one key cannot
   * both perform it.
   */
  function idempotent(
    scope: string,
    key: string,
    fingerprint: string,
    effect: () => { status: number; replayStatus: number; body: unknown },
  ): { status: number; body: unknown; replayed: boolean } {
    const storeKey = `${scope}\u0000${key}`;
    const seen = answers.get(storeKey);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        throw new Problem(409, 'idempotency_key_reused', 'this Idempotency-Key was used with a different body');
      }
      return { status: seen.replayStatus, body: seen.body, replayed: true };
    }
    const done = effect();
    answers.set(storeKey, { fingerprint, ...done });
    return { status: done.status, body: done.body, replayed: false };
  }

  function send(res: Response, answer: { status: number; body: unknown; replayed: boolean }): void {
    if (answer.replayed) res.set('Idempotent-Replayed', 'true');
    res.status(answer.status).json(answer.body);
  }

  function vendorOf(req: Request): SandboxVendor {
    const vendorId = String(req.params.vendorId);
    const vendor = vendors.get(vendorId);
    if (!vendor) throw new Problem(404, 'unknown_vendor', 'no such vendor in the sandbox');
    return vendor;
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '5mb' }));

  /**
   * Faults are drawn before anything else, as a flaky gateway in front of the vendor would. A `timeout` lets the
   * request take its effect and holds only the answer, which is the case that matters: the client gives up, the
   * money moved, and the retry with the same key must find it.
   */
  function faulty(kind: keyof typeof APPLICABLE) {
    return (_req: Request, res: Response, next: NextFunction): void => {
      requests += 1;
      const fault = drawFault(kind);
      res.locals.fault = fault;
      if (fault === '5xx') {
        problem(res, 503, 'unavailable', 'sandbox fault injection: service unavailable');
        return;
      }
      if (fault === 'timeout') {
        const json = res.json.bind(res);
        res.json = (body: unknown) => {
          // The abort listener is removed with the timer, so held answers do not pile listeners on the signal.
          const release = () => {
            clearTimeout(timer);
            stopping.signal.removeEventListener('abort', release);
          };
          const timer = setTimeout(() => {
            release();
            if (!res.writableEnded && !res.destroyed) json(body);
          }, timing.holdMs);
          res.once('close', release);
          stopping.signal.addEventListener('abort', release, { once: true });
          return res;
        };
      }
      next();
    };
  }

  app.post('/v1/vendors/:vendorId/dispatches', faulty('dispatch'), (req, res) => {
    const vendor = vendorOf(req);
    const key = idempotencyKeyOf(req);
    const body = parseBody(DispatchRequestSchema, req.body);
    if (body.role !== vendor.role) {
      throw new Problem(422, 'role_mismatch', `vendor ${vendor.vendorId} plays ${vendor.role}, not ${body.role}`);
    }
    const answer = idempotent(`dispatch:${vendor.vendorId}`, key, JSON.stringify(body), () => {
      const id = `${vendor.vendorId}\u0000${body.dispatchId}`;
      if (dispatches.has(id)) {
        throw new Problem(409, 'dispatch_exists', 'this dispatchId was already sent under another Idempotency-Key');
      }
      const fault = res.locals.fault as FaultMode | null;
      const record: DispatchRecord = {
        vendorId: vendor.vendorId,
        dispatchId: body.dispatchId,
        caseId: body.caseId,
        role: body.role,
        brief: body.brief,
        idempotencyKey: key,
        receivedAt: new Date().toISOString(),
        ackFault: fault === 'slow_ack' || fault === 'no_ack' ? fault : null,
        events: [],
      };
      dispatches.set(id, record);
      startDispatchCallbacks(vendor, record);
      return { status: 202, replayStatus: 202, body: { dispatchId: body.dispatchId, accepted: true } };
    });
    send(res, answer);
  });

  app.post('/v1/vendors/:vendorId/letters', faulty('letters'), (req, res) => {
    const vendor = vendorOf(req);
    if (vendor.role !== 'print_and_mail') {
      throw new Problem(422, 'role_mismatch', `vendor ${vendor.vendorId} does not print and mail letters`);
    }
    const key = idempotencyKeyOf(req);
    const body = parseBody(LettersRequestSchema, req.body);
    const answer = idempotent(`letters:${vendor.vendorId}`, key, JSON.stringify(body), () => {
      const id = `${vendor.vendorId}\u0000${body.batchId}`;
      if (batches.has(id)) {
        throw new Problem(409, 'batch_exists', 'this batchId was already sent under another Idempotency-Key');
      }
      const record: LetterBatchRecord = {
        vendorId: vendor.vendorId,
        batchId: body.batchId,
        caseId: body.caseId,
        letters: body.letters,
        ...(body.notices ? { notices: body.notices } : {}),
        idempotencyKey: key,
        receivedAt: new Date().toISOString(),
        events: [],
      };
      batches.set(id, record);
      schedule(
        vendor,
        [
          {
            delayMs: timing.lettersDelayMs,
            build: (at) => ({
              type: 'letters_mailed',
              eventId: `evt_${vendor.vendorId}_${body.batchId}_letters_mailed`,
              batchId: body.batchId,
              caseId: body.caseId,
              at,
              count: body.letters.length,
            }),
          },
        ],
        record.events,
      );
      return { status: 202, replayStatus: 202, body: { batchId: body.batchId, accepted: body.letters.length } };
    });
    send(res, answer);
  });

  app.post('/v1/payments', faulty('payment'), (req, res) => {
    const key = idempotencyKeyOf(req);
    const body = parseBody(PaymentRequestSchema, req.body);
    const answer = idempotent('payments', key, JSON.stringify(body), () => {
      const existing = payments.get(body.payoutId);
      if (existing) {
        // A second key for one payout is a caller bug that would pay twice; refuse it and say which payment stands.
        throw new Problem(
          409,
          'payout_already_paid',
          `payout already paid as ${existing.paymentId} under another Idempotency-Key`,
        );
      }
      const payment: PaymentRecord = {
        paymentId: `pay_${String(payments.size + 1).padStart(6, '0')}`,
        payoutId: body.payoutId,
        amountJpy: body.amountJpy,
        status: 'paid',
        paidAt: new Date().toISOString(),
        caseId: body.caseId,
        payee: body.payee,
        idempotencyKey: key,
      };
      payments.set(body.payoutId, payment);
      const { paymentId, payoutId, amountJpy, status, paidAt } = payment;
      return { status: 201, replayStatus: 200, body: { paymentId, payoutId, amountJpy, status, paidAt } };
    });
    send(res, answer);
  });

  app.get('/v1/payments', (_req, res) => {
    res.json({ payments: [...payments.values()] });
  });

  function state(): SandboxState {
    return structuredClone({
      faults,
      requests,
      faultsInjected,
      dispatches: [...dispatches.values()],
      letterBatches: [...batches.values()].map(({ letters, ...rest }) => ({ ...rest, count: letters.length })),
      payments: [...payments.values()],
    });
  }

  app.post('/_control/faults', (req, res) => {
    setFaults(parseBody(FaultsSchema, req.body));
    res.json({ faults });
  });
  // A print vendor's returned letters (宛所不明で返送) arrive days after the mailing, and only some: a test or a developer
  // says how many of a batch came back, and the vendor reports them by webhook (`letters_returned`).
  app.post('/_control/letters/:vendorId/:batchId/returned', (req, res) => {
    const vendorId = String(req.params['vendorId']);
    const batchId = String(req.params['batchId']);
    const record = batches.get(`${vendorId}\u0000${batchId}`);
    const vendor = vendors.get(vendorId);
    if (!record || !vendor) throw new Problem(404, 'batch_not_found', 'no such letters batch of this vendor');
    const { count } = parseBody(ReturnedLettersSchema, req.body);
    if (count > record.letters.length) throw new Problem(422, 'too_many_returned', `the batch has ${record.letters.length} letters`);
    const n = record.events.filter((e) => e.type === 'letters_returned').length + 1;
    schedule(
      vendor,
      [
        {
          delayMs: 0,
          build: (at) => ({ type: 'letters_returned', eventId: `evt_${vendorId}_${batchId}_letters_returned_${n}`, batchId, caseId: record.caseId, at, count }),
        },
      ],
      record.events,
    );
    res.status(202).json({ batchId, returned: count });
  });
  // Counsel reads the notice draft and approves a version of it (rule `noticeDrafts`): a test or a developer says which,
  // and the counsel vendor of that dispatch reports it by webhook (`notice_approved`).
  app.post('/_control/counsel/:vendorId/:dispatchId/notice-approved', (req, res) => {
    const vendorId = String(req.params['vendorId']);
    const dispatchId = String(req.params['dispatchId']);
    const record = dispatches.get(`${vendorId}\u0000${dispatchId}`);
    const vendor = vendors.get(vendorId);
    if (!record || !vendor || record.role !== 'counsel') throw new Problem(404, 'dispatch_not_found', 'no such counsel dispatch of this vendor');
    const { language, version } = parseBody(NoticeApprovalSchema, req.body);
    schedule(
      vendor,
      [
        {
          delayMs: 0,
          build: (at) => ({
            type: 'notice_approved',
            eventId: `evt_${vendorId}_${dispatchId}_notice_approved_${language}_${version}`,
            dispatchId,
            caseId: record.caseId,
            at,
            language,
            version,
          }),
        },
      ],
      record.events,
    );
    res.status(202).json({ dispatchId, language, version });
  });
  // A call centre's enquiry volume: a test or a developer says how many enquiries a dispatch has had so far, and the
  // call centre reports the total by webhook (`enquiries_reported`).
  app.post('/_control/enquiries/:vendorId/:dispatchId', (req, res) => {
    const vendorId = String(req.params['vendorId']);
    const dispatchId = String(req.params['dispatchId']);
    const record = dispatches.get(`${vendorId}\u0000${dispatchId}`);
    const vendor = vendors.get(vendorId);
    if (!record || !vendor || record.role !== 'call_center') throw new Problem(404, 'dispatch_not_found', 'no such call-centre dispatch of this vendor');
    const { total } = parseBody(EnquiriesSchema, req.body);
    const n = record.events.filter((e) => e.type === 'enquiries_reported').length + 1;
    schedule(
      vendor,
      [
        {
          delayMs: 0,
          build: (at) => ({ type: 'enquiries_reported', eventId: `evt_${vendorId}_${dispatchId}_enquiries_control_${n}`, dispatchId, caseId: record.caseId, at, total }),
        },
      ],
      record.events,
    );
    res.status(202).json({ dispatchId, total });
  });
  app.get('/_control/state', (_req, res) => {
    res.json(state());
  });

  app.use((_req: Request, res: Response) => problem(res, 404, 'not_found', 'no such route in the sandbox'));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof Problem) return problem(res, err.status, err.code, err.message);
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return problem(res, status, 'bad_request', 'the request could not be read');
    }
    return problem(res, 500, 'internal', 'sandbox error');
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    setFaults,
    state,
    dispatches: () => structuredClone([...dispatches.values()]),
    payments: () => structuredClone([...payments.values()]),
    letters: () => structuredClone([...batches.values()]),
    async close() {
      stopping.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...background]);
    },
  };
}
