/**
 * A stand-in for the Temporal client, for tests about HTTP concerns only (problem shape, auth, limits, caching,
 * documentation). Behaviour of cases is tested against the real dev server and worker.
 */
import { testSigner } from '../support/fixtures.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { pino, type Logger } from 'pino';
import type { ApiDeps } from '../../api/app.js';
import { principalDirectory, type PrincipalEntry } from '../../api/principals.js';
import { loadConfig } from '../../main/config.js';
import { createFileBlobStore } from '../../storage/blob-store.js';
import { parseKeyring } from '../../storage/crypto.js';
import {
  MEMO_KEYS,
  READ_MODEL_SCHEMA,
  TIMELINE_CHUNK,
  viewMemoParts,
  type CaseCommand,
  type CaseInput,
  type CaseView,
  type CommandOutcome,
  type TimelineEntry,
} from '../../workflows/contract.js';
import { LEDGER_MEMO } from '../../workflows/policy-ledger-contract.js';

export const KEYS = {
  admin: 'key-admin-0123456789abcdef',
  ops: 'key-ops-0123456789abcdef',
  handler: 'key-handler-0123456789abcdef',
  supervisor: 'key-supervisor-0123456789abcdef',
  insured1: 'key-insured1-0123456789abcdef',
  insured2: 'key-insured2-0123456789abcdef',
} as const;

export const PRINCIPALS: PrincipalEntry[] = [
  { key: KEYS.admin, role: 'admin', name: 'admin' },
  { key: KEYS.ops, role: 'ops', name: 'ops' },
  { key: KEYS.handler, role: 'handler', name: 'handler', authorityLimitJpy: 1_000_000 },
  { key: KEYS.supervisor, role: 'supervisor', name: 'supervisor', authorityLimitJpy: 50_000_000 },
  { key: KEYS.insured1, role: 'insured', name: 'insured-ins-001', insuredId: 'ins-001' },
  { key: KEYS.insured2, role: 'insured', name: 'insured-ins-002', insuredId: 'ins-002' },
];

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

interface FakeWorkflow {
  type: string;
  input: unknown;
  status: 'RUNNING' | 'COMPLETED';
  sa: Map<string, unknown>;
  view?: Record<string, unknown>;
  /** What `result()` answers once the workflow is COMPLETED. */
  result?: unknown;
  /** Set to make every query fail, as a history the worker cannot replay does. */
  queryError?: Error;
  /** Whether the workflow keeps a read model in its memo (false: a case or ledger from before it). */
  readModel: boolean;
  /** The read model's version: grows with every command the fake case answers. */
  version: number;
  /** The case's timeline, as its read model holds it (in chunks of `TIMELINE_CHUNK`). */
  timeline?: TimelineEntry[];
}

type UpdateFn = (workflowId: string, name: string, args: unknown[], opts: { updateId?: string }) => Promise<unknown>;
/** What the fake case does with a command: refuse it (`code: text`) or apply it, answering a view. */
type CommandFn = (workflowId: string, command: CaseCommand) => Promise<{ refusal?: string; view?: unknown }>;

/** Runs a fake method's body as the real client's async methods run: a throw is a rejected promise, never synchronous. */
function settle<T>(body: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(body()));
}

export class FakeTemporal {
  readonly workflows = new Map<string, FakeWorkflow>();
  readonly calls = {
    count: 0,
    list: 0,
    update: [] as { workflowId: string; name: string; args: unknown[]; updateId?: string }[],
    signal: [] as { workflowId: string; name: string; args: unknown[] }[],
    query: [] as { workflowId: string; name: string }[],
    describe: [] as { workflowId: string }[],
    /** Commands as the case received them (by signal), in order. */
    command: [] as ({ workflowId: string } & CaseCommand)[],
  };
  onUpdate: UpdateFn = () => Promise.resolve({});
  onCommand: CommandFn = () => Promise.resolve({});
  /** Recorded command outcomes by workflow id and command id, as the case keeps them. */
  private readonly outcomes = new Map<string, { outcome: CommandOutcome; view: unknown }>();
  systemInfoDelayMs = 0;

  /** A running case; `readModel: false` makes it a case from before the read model (read by query only). */
  addCase(caseId: string, insuredId: string, view: Record<string, unknown> = {}, options: { readModel?: boolean } = {}): void {
    this.workflows.set(`case-${caseId}`, {
      type: 'incidentCase',
      input: { requestHash: 'h' },
      status: 'RUNNING',
      sa: new Map<string, unknown>([['InsuredId', insuredId]]),
      view: { caseId, insuredId, status: 'reported', ...view },
      readModel: options.readModel ?? true,
      version: 1,
    });
  }

  /** The memo a workflow holds: the case's read model (view parts, outcomes) or the ledger's policy. */
  private memoOf(workflowId: string, wf: FakeWorkflow): Record<string, unknown> {
    if (!wf.readModel) return {};
    if (wf.type === 'policyLedger') return { [LEDGER_MEMO.policy]: wf.view };
    const mine = [...this.outcomes].filter(([k]) => k.startsWith(`${workflowId} `)).map(([, o]) => o);
    const view = (mine.at(-1)?.view ?? wf.view ?? {}) as unknown as CaseView;
    return {
      [MEMO_KEYS.meta]: { schema: READ_MODEL_SCHEMA, version: wf.version, updatedAt: '2026-12-01T00:00:00.000Z', timelineEntries: wf.timeline?.length ?? 0 },
      ...Object.fromEntries(
        Array.from({ length: Math.ceil((wf.timeline?.length ?? 0) / TIMELINE_CHUNK) }, (_, n) => [
          MEMO_KEYS.timelineChunk(n),
          wf.timeline!.slice(n * TIMELINE_CHUNK, (n + 1) * TIMELINE_CHUNK),
        ]),
      ),
      [MEMO_KEYS.request]: { requestHash: (wf.input as CaseInput).requestHash },
      [MEMO_KEYS.commands]: mine.map((o) => o.outcome),
      ...viewMemoParts(view),
    };
  }

  handle(workflowId: string) {
    const get = () => {
      const wf = this.workflows.get(workflowId);
      if (!wf) throw new WorkflowNotFoundError(`${workflowId} not found`, workflowId, undefined);
      return wf;
    };
    return {
      workflowId,
      query: (def: { name: string }, ...args: unknown[]) =>
        settle(() => {
          this.calls.query.push({ workflowId, name: def.name });
          const wf = get();
          if (wf.queryError) throw wf.queryError;
          if (def.name === 'command-outcomes') {
            const mine = [...this.outcomes].filter(([k]) => k.startsWith(`${workflowId} `)).map(([, o]) => o);
            return { outcomes: mine.map((o) => o.outcome), view: mine.at(-1)?.view ?? wf.view };
          }
          if (def.name === 'command-status') {
            const command = args[0] as CaseCommand;
            const known = this.outcomes.get(`${workflowId} ${command.commandId}`);
            return { outcome: known?.outcome ?? null, refusal: null, view: known?.view ?? wf.view };
          }
          if (def.name === 'view') return wf.view;
          if (def.name === 'timeline') return [];
          if (def.name === 'requestHash') return (wf.input as CaseInput).requestHash;
          if (def.name === 'policy') return wf.view ?? { policy: null, version: 0 };
          throw new Error(`unknown query ${def.name}`);
        }),
      describe: () =>
        settle(() => {
          const wf = get();
          this.calls.describe.push({ workflowId });
          return {
            status: { name: wf.status },
            typedSearchAttributes: { get: (k: { name: string }) => wf.sa.get(k.name) },
            memo: this.memoOf(workflowId, wf),
          };
        }),
      result: () =>
        settle(() => {
          const wf = get();
          if (wf.status !== 'COMPLETED') throw new Error('the fake waits for no workflow: set status COMPLETED first');
          return wf.result;
        }),
      executeUpdate: async (def: { name: string }, opts: { args: unknown[]; updateId?: string }) => {
        get();
        this.calls.update.push({ workflowId, name: def.name, args: opts.args, ...(opts.updateId ? { updateId: opts.updateId } : {}) });
        return this.onUpdate(workflowId, def.name, opts.args, opts);
      },
      // Like Temporal: a signal to a workflow that is missing or closed is a WorkflowNotFoundError.
      signal: async (def: { name: string }, ...args: unknown[]) => {
        const wf = get();
        if (wf.status !== 'RUNNING') throw new WorkflowNotFoundError('workflow execution already completed', workflowId, undefined);
        this.calls.signal.push({ workflowId, name: def.name, args });
        if (def.name === 'command') {
          const command = args[0] as CaseCommand;
          const key = `${workflowId} ${command.commandId}`;
          if (this.outcomes.has(key)) return;
          this.calls.command.push({ workflowId, ...command });
          const { refusal, view } = await this.onCommand(workflowId, command);
          const outcome: CommandOutcome = { commandId: command.commandId, applied: !refusal, ...(refusal ? { refusal } : {}) };
          this.outcomes.set(key, { outcome, view: view ?? wf.view });
          if (!refusal) wf.version += 1;
        }
      },
    };
  }

  get client(): Client {
    return {
      withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
      workflow: {
        getHandle: (id: string) => this.handle(id),
        start: (type: string, opts: { workflowId: string; args: unknown[] }) =>
          settle(() => {
            if (this.workflows.has(opts.workflowId)) {
              throw new WorkflowExecutionAlreadyStartedError('already started', opts.workflowId, type);
            }
            const input = opts.args[0] as CaseInput;
            this.workflows.set(opts.workflowId, {
              type,
              input,
              status: 'RUNNING',
              sa: new Map(),
              view: { caseId: input.caseId, insuredId: input.policy.insuredId, status: 'reported' },
              readModel: true,
              version: 0,
            });
            return this.handle(opts.workflowId);
          }),
        count: () => {
          this.calls.count += 1;
          return Promise.resolve({ count: this.workflows.size, groups: [] });
        },
        executeUpdateWithStart: () => Promise.resolve({ policy: {}, version: 1, created: true }),
      },
      workflowService: {
        getSystemInfo: async () => {
          if (this.systemInfoDelayMs > 0) await new Promise((r) => setTimeout(r, this.systemInfoDelayMs));
          return {};
        },
        listWorkflowExecutions: () => {
          this.calls.list += 1;
          return Promise.resolve({ executions: [], nextPageToken: new Uint8Array() });
        },
      },
    } as unknown as Client;
  }

  addPolicy(policyNumber: string, insuredId: string): void {
    this.workflows.set(`policy-${policyNumber}`, {
      type: 'policyLedger',
      input: {},
      status: 'RUNNING',
      sa: new Map(),
      view: { policy: { policyNumber, insuredId, insuredName: 'x' }, version: 1 },
      readModel: true,
      version: 1,
    });
  }
}

/** Log lines written by the app, to check what never appears in them. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

export async function fakeDeps(
  fake: FakeTemporal,
  overrides: Partial<ApiDeps> & { env?: Record<string, string> } = {},
): Promise<ApiDeps> {
  const { env, ...rest } = overrides;
  const dir = await mkdtemp(join(tmpdir(), 'bc-api-test-'));
  return {
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }),
    temporal: { client: fake.client, namespace: 'default', taskQueue: 'test-queue' },
    principals: principalDirectory(PRINCIPALS),
    blobStore: createFileBlobStore(join(dir, 'blobs')),
    keyring: parseKeyring(`k1:${Buffer.alloc(32, 7).toString('base64')}`),
    vendors: [{ vendorId: 'forensics-a', role: 'forensics', name: 'Forensics A', secrets: ['whsec-old', 'whsec-new'] }],
    logger: pino({ level: 'silent' }),
    signer: testSigner,
    ...rest,
  };
}
