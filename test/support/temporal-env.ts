import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';

type Create = (opts: {
  server: { type: 'existing' };
  address: string;
  namespace: string;
  supportsTimeSkipping: boolean;
  connectionOptions: Record<string, never>;
}) => Promise<TestWorkflowEnvironment>;

/**
 * An environment on the run's shared time-skipping server. The SDK's public `createFromExistingServer` always
 * turns time skipping off, and `createTimeSkipping` starts a server per file with a hard-coded 5 s start-up limit
 * (flaky on 2 cores), so we use the factory both of them call, with time skipping on.
 */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const create = (TestWorkflowEnvironment as unknown as { create: Create }).create.bind(TestWorkflowEnvironment);
  return create({
    server: { type: 'existing' },
    address: inject('timeSkippingAddress'),
    namespace: 'default',
    supportsTimeSkipping: true,
    connectionOptions: {},
  });
}

/** An environment on the run's shared dev server (real time, visibility with our search attributes). */
export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
}
