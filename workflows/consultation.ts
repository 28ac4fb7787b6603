/**
 * One consultation of the 24-hour desk (domain.md section 8b): open → acknowledged → advised, then closed, or
 * converted into a case. A durable timer watches the acknowledgement: when no on-call handler acknowledged within the
 * hour, supervisors get an e-mail and the view records `escalatedAt`.
 *
 * Commands arrive as one signal and count only with the API's signature for this consultation (the trust boundary of
 * the case: contract/proof.ts, purpose `consultation-command`); one signed with a key the consultation does not know
 * waits until the worker vouches for the key; anything unsigned, altered or stale is refused and changes nothing. The
 * view lives in the memo (upserted when it changed), so the API never needs a worker to read it.
 *
 * `convert` records the case the API starts for it (the API starts it after this consultation took the command, with
 * the awareness time given here: `conversionAwareness` in domain/consultation.ts).
 */
import {
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';
import {
  CONSULTATION_ACK_MS,
  CONSULTATION_ACTIONS,
  CONSULTATION_ACTORS,
  CONSULTATION_END_STATUSES,
  CONSULTATION_LIMITS,
  consultationAckDueAt,
  consultationGate,
  type ConsultationAction,
} from '../domain/rules.js';
import { domainSchemas } from './preloaded/schemas.js';
import type { CaseActivities } from '../activities/contract.js';
import type { ConsultationEscalation } from '../activities/email/render.js';
import { SA, parseRefusal, refusalMessage, type RefusalCode, type TrustedKey } from './contract.js';
import { checkProof, type Distrust } from './case/trust.js';
import {
  CONSULTATION_MEMO,
  CONSULTATION_OUTCOMES_KEPT,
  CONSULTATION_SA,
  consultationCommandSignal,
  consultationViewQuery,
  firstConsultationView,
  type ConsultationCommand,
  type ConsultationInput,
  type ConsultationOutcome,
  type ConsultationView,
} from './consultation-contract.js';

const acts = proxyActivities<Pick<CaseActivities, 'sendEmail' | 'trustedKeys'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;

class Refusal extends Error {}
function refuse(code: RefusalCode, text: string): never {
  throw new Refusal(refusalMessage(code, text));
}

interface Desk {
  input: ConsultationInput;
  v: ConsultationView;
  keys: TrustedKey[];
  commands: ConsultationOutcome[];
  parked: ConsultationCommand[];
  dirty: boolean;
  memoWritten: Map<string, string>;
  lastSearchAttributes?: string;
}

export async function consultation(input: ConsultationInput): Promise<ConsultationView> {
  if (!CASE_ID.test(input.consultationId) || !input.insuredId || !input.policyNumber) {
    throw ApplicationFailure.nonRetryable('consultation input is incomplete', 'ConsultationInputError');
  }
  const ackDueAt = consultationAckDueAt(input.openedAt, input.ackWithinMs ?? CONSULTATION_ACK_MS);
  const memo = workflowInfo().memo ?? {};
  const d: Desk = {
    input,
    v: firstConsultationView(input, ackDueAt),
    keys: [...input.trust.keys],
    commands: [],
    parked: [],
    dirty: false,
    memoWritten: new Map(Object.entries(memo).map(([k, value]) => [k, JSON.stringify(value)])),
  };
  setHandler(consultationCommandSignal, (command) => receive(d, command, false));
  setHandler(consultationViewQuery, () => d.v);
  log.info('consultation opened', { consultationId: input.consultationId });

  while (!ended(d)) {
    await settleParked(d);
    publish(d);
    if (ended(d)) break;
    d.dirty = false;
    if (d.v.status === 'open' && d.v.escalatedAt === null) {
      const left = Date.parse(d.v.ackDueAt) - Date.now();
      const changed = left > 0 ? await condition(() => d.dirty, left) : false;
      if (!changed && d.v.status === 'open') await escalate(d);
    } else {
      await condition(() => d.dirty);
    }
  }
  await condition(allHandlersFinished);
  publish(d);
  log.info('consultation ended', { consultationId: input.consultationId, status: d.v.status });
  return d.v;
}

function ended(d: Desk): boolean {
  return CONSULTATION_END_STATUSES.includes(d.v.status);
}

function now(): string {
  return new Date(Date.now()).toISOString();
}

/** Nobody acknowledged within the hour: supervisors hear of it, once. */
async function escalate(d: Desk): Promise<void> {
  const { v } = d;
  v.escalatedAt = now();
  touch(d);
  publish(d);
  const message: ConsultationEscalation = {
    kind: 'consultation_escalation',
    language: 'ja',
    recipientName: '',
    consultationId: v.consultationId,
    insuredName: v.insuredName,
    policyNumber: v.policyNumber,
    openedAt: v.openedAt,
    ackDueAt: v.ackDueAt,
    asOf: v.escalatedAt,
    ...(v.awareAt ? { awareAt: v.awareAt } : {}),
  };
  try {
    await acts.sendEmail({ caseId: v.consultationId, purpose: 'consultation-escalation', to: { kind: 'role', role: 'supervisor' }, message });
  } catch (err) {
    // A permanent failure (no supervisor address) must not stop the desk: the work queue still shows it escalated.
    log.warn('consultation escalation not delivered', { consultationId: v.consultationId, error: (err as Error).message });
  }
}

function touch(d: Desk): void {
  d.v.version += 1;
  d.v.updatedAt = now();
  d.dirty = true;
}

/** The memo (view and latest outcomes) and the search attributes, each written only when it changed. */
function publish(d: Desk): void {
  const changed: Record<string, unknown> = {};
  const consider = (key: string, value: unknown) => {
    const json = JSON.stringify(value);
    if (d.memoWritten.get(key) === json) return;
    d.memoWritten.set(key, json);
    changed[key] = value;
  };
  consider(CONSULTATION_MEMO.view, d.v);
  consider(CONSULTATION_MEMO.commands, d.commands.slice(-CONSULTATION_OUTCOMES_KEPT));
  if (Object.keys(changed).length > 0) upsertMemo(changed);
  const open = d.v.status === 'open';
  const sa = JSON.stringify([d.v.status, open]);
  if (d.lastSearchAttributes === undefined) d.lastSearchAttributes = JSON.stringify(['open', true]); // as the API started it
  if (sa === d.lastSearchAttributes) return;
  d.lastSearchAttributes = sa;
  upsertSearchAttributes([
    { key: CONSULTATION_SA.status, value: d.v.status },
    { key: SA.nextDeadline, value: open ? new Date(d.v.ackDueAt) : null },
  ]);
}

function distrust(d: Desk, command: ConsultationCommand): Distrust | null {
  return checkProof(d.keys, 'consultation-command', d.v.consultationId, command, command.proof);
}

/** Parked commands (signed with a key this consultation did not know): ask the worker which keys it trusts, then retry. */
async function settleParked(d: Desk): Promise<void> {
  if (d.parked.length === 0) return;
  const vouched = await acts.trustedKeys();
  for (const k of vouched) if (!d.keys.some((x) => x.kid === k.kid)) d.keys.push(k);
  for (const command of d.parked.splice(0)) receive(d, command, true);
}

function receive(d: Desk, command: ConsultationCommand, fromPark: boolean): void {
  if (typeof command?.commandId !== 'string' || d.commands.some((o) => o.commandId === command.commandId)) return;
  const why = distrust(d, command);
  if (why === 'unknown_key' && !fromPark) {
    d.parked.push(command);
    d.dirty = true;
    return;
  }
  if (why !== null) {
    // No outcome is recorded, so a forger cannot take a real command's id.
    log.warn('untrusted consultation command refused', { consultationId: d.v.consultationId, why });
    return;
  }
  let refusal: string | null = null;
  try {
    apply(d, command);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    refusal = err instanceof Refusal || parseRefusal(message) ? message : refusalMessage('invalid', message);
  }
  d.commands.push({ commandId: command.commandId, applied: refusal === null, ...(refusal !== null ? { refusal } : {}) });
  if (d.commands.length > CONSULTATION_OUTCOMES_KEPT) d.commands.splice(0, d.commands.length - CONSULTATION_OUTCOMES_KEPT);
  d.dirty = true;
  // The outcome the caller waits for, in this same task.
  publish(d);
}

function isAction(name: unknown): name is ConsultationAction {
  return typeof name === 'string' && (CONSULTATION_ACTIONS as readonly string[]).includes(name);
}

/** Checks a command on the current state and applies it; throws a refusal (`code: text`) and changes nothing otherwise. */
function apply(d: Desk, command: ConsultationCommand): void {
  const { v } = d;
  const { actor } = command;
  if (!isAction(command.action)) refuse('invalid', `unknown command ${String(command.action)}`);
  if (!actor || !CONSULTATION_ACTORS.includes(actor.role)) refuse('forbidden', `role ${actor?.role} may not ${command.action}`);
  const gate = consultationGate(v.status, command.action);
  if (gate) refuse(gate.code, gate.text);
  const at = now();
  const acknowledge = () => {
    if (v.acknowledgedAt !== null) return;
    v.acknowledgedAt = at;
    v.acknowledgedBy = actor.name;
    if (v.status === 'open') v.status = 'acknowledged';
  };
  switch (command.action) {
    case 'acknowledge':
      acknowledge();
      break;
    case 'advise': {
      const body = domainSchemas().AdviseBodySchema.safeParse(command.body);
      if (!body.success) refuse('invalid', `advice must be plain text of 1-${CONSULTATION_LIMITS.maxAdviceChars} characters`);
      if (v.advice.length >= CONSULTATION_LIMITS.maxAdvice) refuse('invalid', `a consultation keeps at most ${CONSULTATION_LIMITS.maxAdvice} pieces of advice`);
      v.advice.push({ text: body.data.text, by: actor.name, at });
      v.status = 'advised';
      break;
    }
    case 'close': {
      const body = domainSchemas().CloseConsultationBodySchema.safeParse(command.body);
      if (!body.success) refuse('invalid', `a reason must be plain text of 1-${CONSULTATION_LIMITS.maxReasonChars} characters`);
      acknowledge();
      v.status = 'closed';
      v.closedAt = at;
      v.closeReason = body.data.reason;
      break;
    }
    case 'convert': {
      const caseId = (command.body as { caseId?: unknown }).caseId;
      if (typeof caseId !== 'string' || !CASE_ID.test(caseId)) refuse('invalid', 'caseId is not a case id');
      acknowledge();
      v.status = 'converted';
      v.caseId = caseId;
      v.convertedAt = at;
      v.convertedBy = actor.name;
      break;
    }
  }
  touch(d);
}
