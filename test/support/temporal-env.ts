import { spawn } from 'node:child_process';
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { addSearchAttributes, connectWithRetry, temporalBinaries } from '../../main/temporal.js';
import { freePort } from './ports.js';

type Create = (opts: {
  server: { type: 'existing' };
  address: string;
  namespace: string;
  supportsTimeSkipping: boolean;
  connectionOptions: Record<string, never>;
}) => Promise<TestWorkflowEnvironment>;

/**
 * A time-skipping environment on a test server of this file's own. Time skipping is global to a server, so test
 * files running side by side must not share one. We start the server ourselves (the SDK's start-up allows 5 s,
 * flaky on 2 cores) and use the factory that `createTimeSkipping` and `createFromExistingServer` both call, since the
 * public `createFromExistingServer` always turns time skipping off.
 */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment & { stopServer(): Promise<void> }> {
  const port = await freePort();
  const { testServer } = temporalBinaries({
    TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
    TEMPORAL_TEST_SERVER_PATH: process.env.TEMPORAL_TEST_SERVER_PATH,
  });
  const child = spawn(testServer, [String(port)], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const address = `127.0.0.1:${port}`;
  const connection = await connectWithRetry({ address });
  // The test server cannot list search attributes but registers them; without them upserts are refused.
  await addSearchAttributes(connection, 'default');
  await connection.close();
  const create = (TestWorkflowEnvironment as unknown as { create: Create }).create.bind(TestWorkflowEnvironment);
  const env = await create({
    server: { type: 'existing' },
    address,
    namespace: 'default',
    supportsTimeSkipping: true,
    connectionOptions: {},
  });
  return Object.assign(env, {
    async stopServer() {
      await env.teardown();
      child.kill('SIGTERM');
      await exited;
    },
  });
}

/** An environment on the run's shared dev server (real time, visibility with our search attributes). */
export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
}
