// Imports a generated affected-person CSV into a temporary file store, reads it back, and prints time and memory.
// `npx tsx bench/persons-import.ts [rows]` (default 1,000,000).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFileBlobStore } from '../storage/blob-store.js';
import { parseKeyring } from '../storage/crypto.js';
import { importPersonsCsv, readPersons } from '../storage/persons.js';
import { generatedPersonsCsv } from '../test/storage/persons-scale.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = await mkdtemp(path.join(tmpdir(), 'persons-bench-'));
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
let peak = process.memoryUsage.rss();
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
try {
  const deps = { store: createFileBlobStore(dir), keyring: parseKeyring(`k1:${randomBytes(32).toString('base64')}`) };
  const { input, expected } = generatedPersonsCsv(rows);
  const t0 = performance.now();
  const { ref, errorCount } = await importPersonsCsv(input, deps, { caseId: 'bench', uploadId: 'u1', maxRows: rows });
  const importS = (performance.now() - t0) / 1000;
  const importPeak = peak;
  const t1 = performance.now();
  let read = 0;
  for await (const _ of readPersons(deps, ref)) read += 1;
  const readS = (performance.now() - t1) / 1000;
  const ok =
    ref.accepted === expected.accepted && ref.duplicates === expected.duplicates && ref.rejected === expected.rejected && read === ref.accepted;
  console.log(
    JSON.stringify(
      {
        rows,
        accepted: ref.accepted,
        duplicates: ref.duplicates,
        rejected: ref.rejected,
        errorCount,
        countsMatch: ok,
        importSeconds: +importS.toFixed(2),
        importRowsPerSecond: Math.round(rows / importS),
        readSeconds: +readS.toFixed(2),
        readRowsPerSecond: Math.round(read / readS),
        blobSize: mib((await stat(path.join(dir, ref.key))).size),
        peakRssDuringImport: mib(importPeak),
        peakRss: mib(peak),
      },
      null,
      2,
    ),
  );
  if (!ok) process.exitCode = 1;
} finally {
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true });
}
