import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createFileBlobStore } from '../../storage/blob-store.js';
import { parseKeyring } from '../../storage/crypto.js';
import { importPersonsCsv, readPersons } from '../../storage/persons.js';
import { generatedPersonsCsv } from './persons-scale.js';

const ROWS = Number(process.env['PERSONS_SCALE_ROWS'] ?? 1_000_000);
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it(`imports and reads back ${ROWS} rows with flat memory`, { timeout: 180_000 }, async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'persons-scale-'));
  const deps = { store: createFileBlobStore(dir), keyring: parseKeyring(`k1:${randomBytes(32).toString('base64')}`) };
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const { input, expected } = generatedPersonsCsv(ROWS);
    const startedAt = performance.now();
    const { ref, errors, errorCount } = await importPersonsCsv(input, deps, { caseId: 'scale', uploadId: 'u1', maxRows: ROWS });
    const importMs = performance.now() - startedAt;
    expect(ref).toMatchObject(expected);
    expect(errorCount).toBe(expected.rejected);
    expect(errors).toHaveLength(Math.min(1000, expected.rejected));
    expect(errors[0]).toEqual({ row: 101, column: 'name', reason: 'required' });

    const readStartedAt = performance.now();
    let count = 0;
    let outOfOrder = 0;
    for await (const { index } of readPersons(deps, ref)) {
      if (index !== count) outOfOrder += 1;
      count += 1;
    }
    const readMs = performance.now() - readStartedAt;
    expect(count).toBe(ref.accepted);
    expect(outOfOrder).toBe(0);

    const blobBytes = (await stat(path.join(dir, ref.key))).size;
    console.log(
      `persons-scale: ${ROWS} rows, import ${(importMs / 1000).toFixed(1)} s (${Math.round(ROWS / (importMs / 1000))} rows/s), ` +
        `read ${(readMs / 1000).toFixed(1)} s, blob ${(blobBytes / 2 ** 20).toFixed(1)} MiB, ` +
        `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)`,
    );
  } finally {
    clearInterval(sampler);
  }
});
