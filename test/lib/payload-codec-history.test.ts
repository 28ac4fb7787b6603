/**
 * End to end on the shared dev server: with the codec on client and worker, what Temporal stores is ciphertext, yet
 * the application reads its data back as before.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';
import { createEncryptionCodec, dataConverterFor, ENCRYPTED_ENCODING } from '../../lib/payload-codec.js';
import { parseKeyring } from '../../storage/crypto.js';
import { policyQuery, putPolicyUpdate, type policyLedger } from '../../workflows/policy-ledger.js';
import { POLICY_WORKFLOW_TYPE, policyWorkflowId } from '../../workflows/contract.js';
import { policyRecord, uniqueId } from '../support/fixtures.js';

const SECRET = '株式会社サンプル機密';
const SECRET_UTF8 = Buffer.from(SECRET, 'utf8');
// How a JSON encoder that escapes non-ASCII would write it.
const SECRET_ESCAPED = [...SECRET].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
const { Payload: PayloadMessage } = proto.temporal.api.common.v1;

const keyring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);

function containsSecret(bytes: Buffer): boolean {
  return bytes.includes(SECRET_UTF8) || bytes.includes(Buffer.from(SECRET_ESCAPED, 'latin1'));
}

/** Every Payload in a history, except search attributes, which by design bypass codecs (and hold no personal data). */
function payloadsIn(node: unknown, path: string[] = [], out: { path: string; payload: Payload }[] = []) {
  if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) return out;
  if (path.includes('searchAttributes')) return out;
  // A patch marker's data is the SDK's own (the patch id), written by the core without the codec.
  if (path.includes('markerRecordedEventAttributes')) return out;
  const rec = node as Record<string, unknown>;
  const meta = rec.metadata as Record<string, unknown> | undefined;
  if (meta && typeof meta === 'object' && ArrayBuffer.isView(meta.encoding)) {
    out.push({ path: path.join('.'), payload: rec });
    return out;
  }
  for (const [k, v] of Object.entries(rec)) payloadsIn(v, [...path, k], out);
  return out;
}

describe('encrypted payloads in a real history', () => {
  const address = inject('temporalAddress');
  const taskQueue = uniqueId('tq-codec');
  const policyNumber = uniqueId('PN-CODEC');
  const policy = policyRecord(policyNumber, { insuredName: SECRET });

  let connection: Connection;
  let nativeConnection: NativeConnection;
  let client: Client;
  let rawClient: Client;
  let worker: Worker;
  let running: Promise<void>;
  let handle: WorkflowHandle<typeof policyLedger>;

  beforeAll(async () => {
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace: 'default', dataConverter: dataConverterFor(keyring) });
    rawClient = new Client({ connection, namespace: 'default' });
    nativeConnection = await NativeConnection.connect({ address });
    worker = await Worker.create({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      dataConverter: dataConverterFor(keyring),
    });
    running = worker.run();
    handle = await client.workflow.start<typeof policyLedger>(POLICY_WORKFLOW_TYPE, {
      workflowId: policyWorkflowId(policyNumber),
      taskQueue,
      args: [{ policyNumber }],
    });
    const result = await handle.executeUpdate(putPolicyUpdate, { args: [policy] });
    expect(result.policy.insuredName).toBe(SECRET);
  });

  afterAll(async () => {
    await handle?.terminate('test done').catch(() => undefined);
    worker?.shutdown();
    await running;
    await nativeConnection?.close();
    await connection?.close();
  });

  it('a client with the codec reads the policy back through the query', async () => {
    const { policy: stored, version } = await handle.query(policyQuery);
    expect(version).toBe(1);
    expect(stored?.insuredName).toBe(SECRET);
    expect(stored).toEqual(policy);
  });

  it('a client without the codec cannot read the answer', async () => {
    const raw = rawClient.workflow.getHandle<typeof policyLedger>(handle.workflowId);
    await expect(raw.query(policyQuery)).rejects.toThrow(/encoding/i);
  });

  it('the raw history holds no plaintext of the policy, in any serialised form', async () => {
    const history = await rawClient.workflow.getHandle(handle.workflowId).fetchHistory();
    const events = history.events ?? [];
    const types = events.map((e) => e.eventType);
    expect(types).toContain(proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);

    const binary = Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish());
    const json = Buffer.from(historyToJSON(history), 'utf8');
    // Positive control: the serialisation does carry readable strings (the task queue name sits in the start event).
    expect(binary.includes(Buffer.from(taskQueue))).toBe(true);
    expect(json.includes(Buffer.from(taskQueue))).toBe(true);
    // And the detector would see the name in an unencrypted payload of the same policy.
    const plainPayload = Buffer.from(PayloadMessage.encode(defaultPayloadConverter.toPayload(policy)).finish());
    expect(containsSecret(plainPayload)).toBe(true);

    expect(containsSecret(binary)).toBe(false);
    expect(containsSecret(json)).toBe(false);

    // Every payload (start input, update argument and result) is sealed, and the name is really inside them.
    const found = payloadsIn(history);
    expect(found.length).toBeGreaterThanOrEqual(3);
    for (const { path, payload } of found) {
      expect(Buffer.from(payload.metadata!.encoding!).toString(), path).toBe(ENCRYPTED_ENCODING);
    }
    const opened = await createEncryptionCodec(keyring).decode(found.map((f) => f.payload));
    const withSecret = opened.filter((p) => Buffer.from(p.data ?? []).includes(SECRET_UTF8));
    expect(withSecret.length).toBeGreaterThanOrEqual(2);
  });
});
