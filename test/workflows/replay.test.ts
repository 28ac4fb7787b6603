import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it, inject } from 'vitest';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';

// Histories of real runs (recorded by case.test.ts with RECORD_GOLDEN=1), replayed against today's workflow code:
// a change that running cases could not survive fails here before it is deployed.
const dir = new URL('./golden/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('replay of golden histories', () => {
  it('has golden histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
    const results = Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      [{ workflowId: file.replace(/\.json$/, ''), history }],
    );
    for await (const result of results) {
      expect(result.error, String(result.error)).toBeUndefined();
    }
  });
});
