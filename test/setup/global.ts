/**
 * Starts what the tests share, once per run: the Temporal dev server (API and integration tests), the time-skipping
 * test server (workflow tests), and one bundle of the workflow code. Test files reach them through `inject()`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectWithRetry, startDevServer, temporalBinaries } from '../../main/temporal.js';
import { bundleWorkflows } from '../../main/runtime.js';
import { CASE_SEARCH_ATTRIBUTES } from '../../workflows/contract.js';
import { freePort } from '../support/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    timeSkippingAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'breach-claims-test-'));
  const bins = temporalBinaries({
    TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
    TEMPORAL_TEST_SERVER_PATH: process.env.TEMPORAL_TEST_SERVER_PATH,
  });

  const [devPort, skipPort] = [await freePort(), await freePort()];
  const skipping = spawn(bins.testServer, [String(skipPort)], { stdio: 'ignore' });
  const [dev, bundle] = await Promise.all([
    startDevServer({ cli: bins.cli, port: devPort, namespace: 'default', dbFile: join(dir, 'temporal.db') }),
    bundleWorkflows(),
    connectWithRetry({ address: `127.0.0.1:${skipPort}` }).then(async (c) => {
      // The test server cannot list search attributes, but registers them; without them upserts are refused.
      await c.operatorService.addSearchAttributes({
        namespace: 'default',
        searchAttributes: Object.fromEntries(CASE_SEARCH_ATTRIBUTES.map((a) => [a.name, a.indexedValueType])),
      });
      await c.close();
    }),
  ]);
  const bundlePath = join(dir, 'workflows.js');
  await writeFile(bundlePath, bundle.code);

  project.provide('temporalAddress', dev.address);
  project.provide('timeSkippingAddress', `127.0.0.1:${skipPort}`);
  project.provide('workflowBundlePath', bundlePath);
  console.log(`[global-setup] dev server ${dev.address}, time-skipping 127.0.0.1:${skipPort}, bundle ready in ${Date.now() - started} ms`);

  return async () => {
    skipping.kill('SIGTERM');
    await dev.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
