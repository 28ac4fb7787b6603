import {
  DispatchAcceptedSchema,
  LettersAcceptedSchema,
  PaymentSchema,
  VENDOR_ROLES,
  type DispatchBrief,
  type Letter,
  type LetterNotice,
  type Payment,
  type VendorRole,
} from '../../lib/vendor-events.js';
import { VendorRequestError, requestJson, type HttpDeps, type RetryPolicy } from './http.js';

export { VendorRequestError } from './http.js';
export type { VendorRole, DispatchBrief, Letter, Payment } from '../../lib/vendor-events.js';

/**
 * HTTP adapters for panel vendors and the payment API. Built once at worker start and closed over by the vendor
 * activities; every call is safe to repeat because it carries an idempotency key derived from the business id.
 */

export interface HttpClientOptions {
  timeoutMs?: number;
  /** Attempts after the first. The Temporal activity retry policy retries again, later, on a retryable error. */
  retries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** For tests. */
  fetch?: typeof fetch;
  random?: () => number;
}

export interface VendorClientOptions extends HttpClientOptions {
  /** One base URL for every vendor, or one per vendor id (panel vendors live at different hosts). */
  baseUrl: string | ((vendorId: string) => string);
}

export interface DispatchInput<R extends VendorRole = VendorRole> {
  vendorId: string;
  dispatchId: string;
  caseId: string;
  role: R;
  brief: DispatchBrief;
}

export interface DispatchReceipt {
  dispatchId: string;
  accepted: true;
  /** True when the vendor had already received this dispatch (a retry after a lost answer). */
  replayed: boolean;
}

export interface LettersInput {
  vendorId: string;
  batchId: string;
  caseId: string;
  letters: Letter[];
  /** The approved notice per language the letters print (rule `noticeDrafts`). */
  notices?: LetterNotice[];
}

export interface LettersReceipt {
  batchId: string;
  accepted: number;
  replayed: boolean;
}

export interface CallOptions {
  /** Cancels the call, e.g. the activity's cancellation signal. */
  signal?: AbortSignal;
}

/** What every panel vendor does: take a dispatch, then report back through webhooks. */
export interface RoleAdapter<R extends VendorRole> {
  readonly role: R;
  dispatch(input: Omit<DispatchInput<R>, 'role'> & { role?: R }, options?: CallOptions): Promise<DispatchReceipt>;
}

export type ForensicsAdapter = RoleAdapter<'forensics'>;
export type CounselAdapter = RoleAdapter<'counsel'>;
export type CallCenterAdapter = RoleAdapter<'call_center'>;
export type CreditMonitoringAdapter = RoleAdapter<'credit_monitoring'>;
export type PublicRelationsAdapter = RoleAdapter<'public_relations'>;
export type RecurrencePreventionAdapter = RoleAdapter<'recurrence_prevention'>;
/** Print-and-mail also takes batches of letters for persons without an e-mail address. */
export interface PrintAndMailAdapter extends RoleAdapter<'print_and_mail'> {
  sendLetters(input: LettersInput, options?: CallOptions): Promise<LettersReceipt>;
}

export interface VendorAdapters {
  forensics: ForensicsAdapter;
  counsel: CounselAdapter;
  call_center: CallCenterAdapter;
  print_and_mail: PrintAndMailAdapter;
  credit_monitoring: CreditMonitoringAdapter;
  public_relations: PublicRelationsAdapter;
  recurrence_prevention: RecurrencePreventionAdapter;
}

export interface VendorClient extends VendorAdapters {
  /** The adapter for a role known only at run time (from the panel). */
  adapter<R extends VendorRole>(role: R): VendorAdapters[R];
  dispatch(input: DispatchInput, options?: CallOptions): Promise<DispatchReceipt>;
  sendLetters(input: LettersInput, options?: CallOptions): Promise<LettersReceipt>;
}

export interface PaymentInput {
  payoutId: string;
  caseId: string;
  amountJpy: number;
  payee: { insuredId: string };
}

export interface PaymentReceipt extends Payment {
  /** True when the payment API had already made this payment (a retry after a lost answer). */
  replayed: boolean;
}

export interface PaymentClient {
  pay(input: PaymentInput, options?: CallOptions): Promise<PaymentReceipt>;
}

/** The keys are derived, never random, so a retried activity presents the same key as the attempt that was lost. */
export const idempotencyKeys = {
  dispatch: (dispatchId: string) => `dispatch:${dispatchId}`,
  letters: (batchId: string) => `letters:${batchId}`,
  payout: (payoutId: string) => `payout:${payoutId}`,
};

function policyOf(opts: HttpClientOptions): RetryPolicy {
  const policy = {
    timeoutMs: opts.timeoutMs ?? 5_000,
    retries: opts.retries ?? 3,
    backoffMs: opts.backoffMs ?? 200,
    maxBackoffMs: opts.maxBackoffMs ?? 10_000,
  };
  if (!(policy.timeoutMs > 0) || !(policy.retries >= 0) || !(policy.backoffMs >= 0)) {
    throw new RangeError('timeoutMs must be positive, retries and backoffMs not negative');
  }
  return policy;
}

function depsOf(opts: HttpClientOptions): HttpDeps {
  return { fetch: opts.fetch ?? globalThis.fetch, random: opts.random ?? Math.random };
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

export function createVendorClient(opts: VendorClientOptions): VendorClient {
  const policy = policyOf(opts);
  const deps = depsOf(opts);
  const baseOf = typeof opts.baseUrl === 'string' ? () => opts.baseUrl as string : opts.baseUrl;
  const vendorUrl = (vendorId: string, path: string) =>
    joinUrl(baseOf(vendorId), `/v1/vendors/${encodeURIComponent(vendorId)}${path}`);

  async function dispatch(input: DispatchInput, options: CallOptions = {}): Promise<DispatchReceipt> {
    const { vendorId, dispatchId, caseId, role, brief } = input;
    const res = await requestJson(
      {
        operation: `dispatch ${role}`,
        url: vendorUrl(vendorId, '/dispatches'),
        method: 'POST',
        idempotencyKey: idempotencyKeys.dispatch(dispatchId),
        body: { dispatchId, caseId, role, brief },
        schema: DispatchAcceptedSchema,
        ...options,
      },
      policy,
      deps,
    );
    if (res.data.dispatchId !== dispatchId) {
      throw new VendorRequestError({
        message: `dispatch ${role}: the vendor acknowledged another dispatch id`,
        retryable: false,
        operation: `dispatch ${role}`,
        status: res.status,
        attempts: res.attempts,
      });
    }
    return { dispatchId: res.data.dispatchId, accepted: true, replayed: res.replayed };
  }

  async function sendLetters(input: LettersInput, options: CallOptions = {}): Promise<LettersReceipt> {
    const { vendorId, batchId, caseId, letters, notices } = input;
    const res = await requestJson(
      {
        operation: 'send letters',
        url: vendorUrl(vendorId, '/letters'),
        method: 'POST',
        idempotencyKey: idempotencyKeys.letters(batchId),
        // Rebuilt field by field so nothing but the opaque person id and language leaves the process.
        body: {
          batchId,
          caseId,
          letters: letters.map((l) => ({ personId: l.personId, language: l.language })),
          ...(notices?.length ? { notices: notices.map((n) => ({ language: n.language, version: n.version, subject: n.subject, text: n.text })) } : {}),
        },
        schema: LettersAcceptedSchema,
        ...options,
      },
      policy,
      deps,
    );
    if (res.data.batchId !== batchId || res.data.accepted !== letters.length) {
      throw new VendorRequestError({
        message: 'send letters: the vendor accepted another batch or another count',
        retryable: false,
        operation: 'send letters',
        status: res.status,
        attempts: res.attempts,
      });
    }
    return { batchId, accepted: res.data.accepted, replayed: res.replayed };
  }

  function roleAdapter<R extends VendorRole>(role: R): RoleAdapter<R> {
    return {
      role,
      dispatch: (input, options) => {
        if (input.role !== undefined && input.role !== role) {
          throw new TypeError(`the ${role} adapter cannot dispatch a ${input.role}`);
        }
        return dispatch({ ...input, role }, options);
      },
    };
  }

  const adapters: VendorAdapters = {
    forensics: roleAdapter('forensics'),
    counsel: roleAdapter('counsel'),
    call_center: roleAdapter('call_center'),
    print_and_mail: { ...roleAdapter('print_and_mail'), sendLetters },
    credit_monitoring: roleAdapter('credit_monitoring'),
    public_relations: roleAdapter('public_relations'),
    recurrence_prevention: roleAdapter('recurrence_prevention'),
  };

  return {
    ...adapters,
    adapter: <R extends VendorRole>(role: R): VendorAdapters[R] => {
      if (!VENDOR_ROLES.includes(role)) throw new TypeError(`unknown vendor role ${String(role)}`);
      return adapters[role];
    },
    dispatch,
    sendLetters,
  };
}

export interface PaymentClientOptions extends HttpClientOptions {
  baseUrl: string;
}

export function createPaymentClient(opts: PaymentClientOptions): PaymentClient {
  const policy = policyOf(opts);
  const deps = depsOf(opts);
  return {
    async pay(input, options = {}) {
      const { payoutId, caseId, amountJpy, payee } = input;
      const res = await requestJson(
        {
          operation: 'pay',
          url: joinUrl(opts.baseUrl, '/v1/payments'),
          method: 'POST',
          idempotencyKey: idempotencyKeys.payout(payoutId),
          body: { payoutId, caseId, amountJpy, payee: { insuredId: payee.insuredId } },
          schema: PaymentSchema,
          ...options,
        },
        policy,
        deps,
      );
      // Money: an answer about another payout or another amount is never taken as success.
      if (res.data.payoutId !== payoutId || res.data.amountJpy !== amountJpy) {
        throw new VendorRequestError({
          message: 'pay: the payment API answered for another payout or amount',
          retryable: false,
          operation: 'pay',
          status: res.status,
          attempts: res.attempts,
        });
      }
      return { ...res.data, replayed: res.replayed || res.status === 200 };
    },
  };
}
