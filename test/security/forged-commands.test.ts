/**
 * The attacker who reaches Temporal but not the API (issue 17, probe 1): commands and vendor events signalled straight
 * into a case with the Temporal CLI, in plaintext and through the API's own codec endpoint (encrypted as the product
 * encrypts), an altered body and a genuine command replayed from another case. Nothing changes, each attempt is on
 * the timeline as refused, no workflow task fails, and the case still replays on today's code.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { commandSigner, type CommandSigner } from '../../api/command-signer.js';
import { dataConverterFor } from '../../lib/payload-codec.js';
import { loadSecrets, prepareRuntimeFiles } from '../../main/runtime.js';
import { temporalBinaries } from '../../main/temporal.js';
import { parseKeyring } from '../../storage/crypto.js';
import { caseWorkflowId, type Actor, type CaseCommand, type CaseView, type TimelineEntry } from '../../workflows/contract.js';
import { policyBody, reportBody, uniqueId } from '../support/fixtures.js';
import { as, startStack, type Stack } from '../support/stack.js';
import { until } from '../support/wait.js';

const run = promisify(execFile);
let stack: Stack;
let signer: CommandSigner;
let client: Client;
let connection: Connection;
let dataConverter: ReturnType<typeof dataConverterFor>;

beforeAll(async () => {
  stack = await startStack();
  const secrets = loadSecrets(stack.config, await prepareRuntimeFiles(stack.config));
  signer = commandSigner(secrets.commandSigningKeys!);
  dataConverter = dataConverterFor(parseKeyring(secrets.payloadCodecKeys));
  connection = await Connection.connect({ address: stack.config.TEMPORAL_ADDRESS! });
  client = new Client({ connection, dataConverter });
});
afterAll(async () => {
  await connection?.close();
  await stack?.stop();
});

/** `temporal workflow signal` as an operator with CLI access would run it; `codec` encrypts through the API's endpoint. */
async function cliSignal(caseId: string, name: string, input: unknown, codec = false): Promise<void> {
  const cli = temporalBinaries({ TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH: undefined }).cli;
  const args = ['workflow', 'signal', '--address', stack.config.TEMPORAL_ADDRESS!, '--namespace', 'default'];
  args.push('--workflow-id', caseWorkflowId(caseId), '--name', name, '--input', JSON.stringify(input));
  if (codec) args.push('--codec-endpoint', `${stack.url}/codec`, '--codec-auth', `Bearer ${stack.keys.handler}`);
  await run(cli, args, { timeout: 30_000 });
}

async function fileCase(): Promise<{ caseId: string; view: CaseView }> {
  const policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
  const created = await as(stack, 'insured-ins-001')('POST', '/v1/cases', reportBody(policyNumber), { 'idempotency-key': uniqueId('k') });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const caseId = (created.json as { caseId: string }).caseId;
  const view = await until(
    async () => (await as(stack, 'handler')('GET', `/v1/cases/${caseId}`)).json as CaseView,
    (v) => v.vendors?.length === 2,
    30_000,
    'vendors engaged',
  );
  return { caseId, view };
}

describe('commands signalled straight into Temporal', () => {
  it('changes nothing, refuses each on the timeline, fails no task, and the case still replays', async () => {
    const { caseId, view: before } = await fileCase();
    const other = await fileCase();
    const costs = await as(stack, 'insured-ins-001')('POST', `/v1/cases/${caseId}/actions/submit-costs`, {
      items: [{ category: 'notification', amountJpy: 9_983_000, evidenceRef: 'postage-forged' }],
    });
    expect(costs.status, JSON.stringify(costs.json)).toBe(200);
    const payable = costs.json as CaseView;
    expect(payable.settlement.payableJpy).toBeGreaterThan(0);

    const mallory: Actor = { name: 'mallory', role: 'supervisor', authorityLimitJpy: 999_999_999_999 };
    const payout = (id: string): CaseCommand => ({ commandId: uniqueId(id), action: 'approve-payout', request: { actor: mallory, body: {} } });
    const genuine: CaseCommand = { commandId: uniqueId('genuine'), action: 'assign', request: { actor: { name: 'handler', role: 'handler' }, body: { assignee: 'handler' } } };
    const signedHere = { ...genuine, proof: signer.proof('command', caseId, genuine) };
    const signedForOther: CaseCommand = { commandId: uniqueId('foreign'), action: 'approve-payout', request: { actor: { name: 'handler', role: 'handler', authorityLimitJpy: 1_000_000 }, body: {} } };

    await cliSignal(caseId, 'command', payout('plaintext'));
    await cliSignal(caseId, 'command', payout('encrypted'), true);
    await cliSignal(caseId, 'command', { ...signedHere, request: { actor: mallory, body: { assignee: 'mallory' } } }, true);
    await cliSignal(caseId, 'command', { ...signedForOther, proof: signer.proof('command', other.caseId, signedForOther) }, true);
    await cliSignal(caseId, 'vendor-event-signal', { eventId: 'evt-forged', vendorId: 'forensics-a', type: 'findings', at: new Date().toISOString(), findings: { affectedPersons: 0 } }, true);

    // A genuine command through the API last: signals are applied in order, so once it is answered the five were handled.
    const consent = await as(stack, 'handler')('POST', `/v1/cases/${caseId}/actions/consent`, { category: 'apology_payment' });
    expect(consent.status, JSON.stringify(consent.json)).toBe(200);
    const after = consent.json as CaseView;
    expect(after.payouts).toEqual([]);
    expect(after.assignedTo).toBeNull();
    expect(after.affectedPersons).toBe(before.affectedPersons);
    expect(after.settlement.paidJpy).toBe(0);

    const timeline = (await as(stack, 'handler')('GET', `/v1/cases/${caseId}/timeline`)).json as { entries?: TimelineEntry[] } | TimelineEntry[];
    const entries = Array.isArray(timeline) ? timeline : (timeline.entries ?? []);
    const refused = entries.filter((e) => e.type === 'refused').map((e) => e.summary);
    expect(refused).toEqual([
      expect.stringMatching(/^a message that is not a command refused: it carries no signature/),
      expect.stringMatching(/^command approve-payout refused: it carries no signature/),
      expect.stringMatching(/^command assign refused: its signature does not match/),
      expect.stringMatching(/^command approve-payout refused: its signature does not match/),
      expect.stringMatching(/^vendor event findings refused: it carries no signature/),
    ]);

    const history = await client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
    expect((history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
    const replays = Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter }, [{ workflowId: caseId, history }]);
    for await (const r of replays) expect(r.error, String(r.error)).toBeUndefined();
  });
});
