/**
 * The consultation workflow's public contract (the 24-hour desk, domain.md section 8b): its input, view, command
 * signal and read model. Imported by the workflow, the worker and the API, so it holds no code with side effects: only
 * `define*` from `@temporalio/workflow`, types and pure helpers. Ids, the workflow type and the search attribute are in
 * `contract/ids.ts` (`consultationWorkflowId`, `CONSULTATION_WORKFLOW_TYPE`, `CONSULTATION_SA`).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ConsultationAction, ConsultationStatus } from '../domain/rules.js';
import type { Actor } from './contract/case.js';
import type { Proof, TrustedKey } from './contract/proof.js';

export { CONSULTATION_SA, CONSULTATION_WORKFLOW_TYPE, consultationIdFromWorkflowId, consultationWorkflowId } from './contract/ids.js';

/** The insured's staff member to call back: personal data, kept out of logs and search attributes. */
export interface ConsultationContact {
  name: string;
  email: string;
  phone?: string;
  language?: 'ja' | 'en';
}

export interface ConsultationInput {
  consultationId: string;
  insuredId: string;
  insuredName: string;
  policyNumber: string;
  summary: string;
  /** When the insured says it became aware (「知った」時点); null when it does not know. */
  awareAt: string | null;
  openedAt: string;
  openedBy: Actor;
  contact: ConsultationContact;
  /** Public keys of the API whose signatures the consultation takes (see contract/proof.ts). */
  trust: { keys: TrustedKey[] };
  /** How long an on-call handler has to acknowledge; `CONSULTATION_ACK_MS` when absent. */
  ackWithinMs?: number;
}

export interface ConsultationAdvice {
  text: string;
  by: string;
  at: string;
}

/** The consultation as the API answers it (the memo holds exactly this). */
export interface ConsultationView {
  consultationId: string;
  insuredId: string;
  insuredName: string;
  policyNumber: string;
  status: ConsultationStatus;
  summary: string;
  awareAt: string | null;
  openedAt: string;
  openedBy: string;
  ackDueAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  /** When supervisors were told that nobody acknowledged in time. */
  escalatedAt: string | null;
  advice: ConsultationAdvice[];
  closedAt: string | null;
  closeReason: string | null;
  /** The case it became, once converted. */
  caseId: string | null;
  convertedAt: string | null;
  convertedBy: string | null;
  contact: ConsultationContact;
  /** Grows with every change. */
  version: number;
  updatedAt: string;
}

/** The command bodies as the consultation takes them. `convert` carries the case the API starts for it. */
export interface ConsultationCommandBodies {
  acknowledge: Record<string, never>;
  advise: { text: string };
  close: { reason: string };
  convert: { caseId: string };
}

export interface ConsultationCommand<A extends ConsultationAction = ConsultationAction> {
  commandId: string;
  action: A;
  actor: Actor;
  body: ConsultationCommandBodies[A];
  /** The API's signature for this consultation (purpose `consultation-command`). */
  proof?: Proof;
}

export interface ConsultationOutcome {
  commandId: string;
  applied: boolean;
  /** `code: text` (see `parseRefusal` in contract/messages.ts). */
  refusal?: string;
}

export const consultationCommandSignal = defineSignal<[ConsultationCommand]>('consultation-command');
/** For tests and tooling: the memo answers every read. */
export const consultationViewQuery = defineQuery<ConsultationView>('consultation-view');

/** Outcomes a consultation remembers in its state and memo (a retried command id is answered from them). */
export const CONSULTATION_OUTCOMES_KEPT = 50;

export const CONSULTATION_MEMO = { view: 'cq.view', commands: 'cq.commands' } as const;

export interface ConsultationReadModel {
  view: ConsultationView;
  commands: ConsultationOutcome[];
}

/** The read model from a (decoded) memo; undefined when the memo holds none. */
export function consultationFromMemo(memo: Record<string, unknown> | undefined | null): ConsultationReadModel | undefined {
  const view = memo?.[CONSULTATION_MEMO.view] as ConsultationView | undefined;
  if (!view || typeof view.consultationId !== 'string') return undefined;
  const commands = memo?.[CONSULTATION_MEMO.commands];
  return { view, commands: Array.isArray(commands) ? (commands as ConsultationOutcome[]) : [] };
}

/** The view a new consultation starts with: the API writes it with the start, so the first read needs no worker. */
export function firstConsultationView(input: ConsultationInput, ackDueAt: string): ConsultationView {
  return {
    consultationId: input.consultationId,
    insuredId: input.insuredId,
    insuredName: input.insuredName,
    policyNumber: input.policyNumber,
    status: 'open',
    summary: input.summary,
    awareAt: input.awareAt,
    openedAt: input.openedAt,
    openedBy: input.openedBy.name,
    ackDueAt,
    acknowledgedAt: null,
    acknowledgedBy: null,
    escalatedAt: null,
    advice: [],
    closedAt: null,
    closeReason: null,
    caseId: null,
    convertedAt: null,
    convertedBy: null,
    contact: input.contact,
    version: 0,
    updatedAt: input.openedAt,
  };
}

export type ConsultationWorkflow = (input: ConsultationInput) => Promise<ConsultationView>;
