/**
 * The 24-hour consultation desk (事故相談窓口, domain.md section 8b): an insured asks for help before it knows whether
 * it has a claim. An on-call handler acknowledges within an hour (product decision), supervisors hear of it when
 * nobody did, and the consultation ends with advice and a close, or becomes a case whose regulators' clocks run from
 * the awareness time the insured gave, not from the conversion. Pure rules, shared by the workflow and the API.
 */
import type { ConvertBody } from './consultation-schemas.js';
import { toMs, toUtcIso } from './time.js';
import type { Role } from './vocabulary.js';

export const CONSULTATION_STATUSES = ['open', 'acknowledged', 'advised', 'closed', 'converted'] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];
export const CONSULTATION_END_STATUSES: readonly ConsultationStatus[] = ['closed', 'converted'];

export const CONSULTATION_ACTIONS = ['acknowledge', 'advise', 'convert', 'close'] as const;
export type ConsultationAction = (typeof CONSULTATION_ACTIONS)[number];

/** Product decision: an on-call handler acknowledges a consultation within this long of its opening. */
export const CONSULTATION_ACK_MS = 60 * 60_000;

export const CONSULTATION_LIMITS = {
  maxSummaryChars: 2000,
  maxAdviceChars: 4000,
  maxReasonChars: 2000,
  /** Advice entries one consultation keeps (its state and memo stay small). */
  maxAdvice: 50,
} as const;

/** Who may do what on a consultation: the insured opens and reads its own; the insurer's people answer it. */
export const CONSULTATION_OPENERS: readonly Role[] = ['insured'];
export const CONSULTATION_READERS: readonly Role[] = ['insured', 'handler', 'supervisor', 'ops', 'admin'];
export const CONSULTATION_ACTORS: readonly Role[] = ['handler', 'supervisor'];

export function consultationAckDueAt(openedAt: string, ackWithinMs: number = CONSULTATION_ACK_MS): string {
  return new Date(toMs(openedAt) + ackWithinMs).toISOString();
}

/**
 * The awareness a converted case starts from: the time the insured gave in the consultation, or, when it gave none,
 * the time it called (it knew by then at the latest). A report that names an earlier awareness moves it earlier;
 * never later, because the regulators' clocks ran from the first knowledge, not from the conversion.
 */
export function conversionAwareness(consultation: { awareAt: string | null; openedAt: string }, reported?: string): string {
  const given = toUtcIso(consultation.awareAt ?? consultation.openedAt);
  if (reported === undefined) return given;
  return toMs(reported) < toMs(given) ? toUtcIso(reported) : given;
}

/**
 * Whether a consultation in `status` takes `action` (null) or why not. Advice needs someone to have acknowledged it;
 * acknowledging twice is nothing to do; an ended consultation takes nothing. Closing or converting an open one
 * acknowledges it on the way.
 */
export function consultationGate(
  status: ConsultationStatus,
  action: ConsultationAction,
): { code: 'wrong_state' | 'nothing_to_do'; text: string } | null {
  if (CONSULTATION_END_STATUSES.includes(status)) return { code: 'wrong_state', text: `consultation is ${status}` };
  if (action === 'acknowledge' && status !== 'open') return { code: 'nothing_to_do', text: 'consultation is already acknowledged' };
  if (action === 'advise' && status === 'open') return { code: 'wrong_state', text: 'consultation is open: acknowledge it first' };
  return null;
}

/**
 * The incident report a conversion files (to be parsed with `IncidentReportSchema`): the handler's report with the
 * awareness of `conversionAwareness`. The API and the tests build the case from it alike.
 */
export function conversionReportInput(consultation: { awareAt: string | null; openedAt: string }, body: ConvertBody): Record<string, unknown> {
  return { ...body, discoveredAt: conversionAwareness(consultation, body.discoveredAt) };
}
