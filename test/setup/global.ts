/**
 * Starts what the tests share, once per run: the Temporal dev server (API and integration tests; with
 * TEST_TEMPORAL=cluster a real cluster on PostgreSQL, `npm run test:cluster`) and one bundle of the workflow code.
 * Test files reach them through `inject()`. Time-skipping servers are per file (time skipping is global to a
 * server): see test/support/temporal-env.ts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer, temporalBinaries } from '../../main/temporal.js';
import { bundleWorkflows } from '../../main/runtime.js';
import { freeClusterPorts, startCluster } from '../../main/cluster.js';
import { freePort } from '../support/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
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
  for (const bin of [bins.cli, bins.testServer]) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run setup\` (or set TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH)`);
  }

  // TEST_TEMPORAL=cluster: the same tests on a real Temporal cluster on PostgreSQL (main/cluster.ts) instead.
  const onCluster = process.env.TEST_TEMPORAL === 'cluster';
  const [dev, bundle] = await Promise.all([
    onCluster
      ? startCluster({ dir: join(dir, 'cluster'), ports: await freeClusterPorts() })
      : startDevServer({ cli: bins.cli, port: await freePort(), namespace: 'default', dbFile: join(dir, 'temporal.db') }),
    bundleWorkflows(),
  ]);
  const bundlePath = join(dir, 'workflows.js');
  await writeFile(bundlePath, bundle.code);

  project.provide('temporalAddress', dev.address);
  project.provide('workflowBundlePath', bundlePath);
  console.log(`[global-setup] ${onCluster ? 'Temporal cluster' : 'dev server'} ${dev.address}, bundle ready in ${Date.now() - started} ms`);

  return async () => {
    await dev.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
