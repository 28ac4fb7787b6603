// What the case's read model costs in Temporal: the memo's size per case and the bytes each workflow task adds to
// history when it upserts the parts it changed (issue 12: "keep the memo small, measure it").
//
//   npx tsx bench/memo-size.ts [history.json ...]
//
// Reads each history (default: the newest golden history of every scenario in test/workflows/golden) and prints, from
// its WorkflowPropertiesModified events: how many tasks wrote the memo, the encoded bytes per write (mean, p50, max),
// the whole memo at the end (the last write of every field), and what a run of RUN_HISTORY_EVENTS events would weigh
// at this rate against Temporal's 50 MB history limit. Sizes are the encrypted payloads as stored (data + metadata).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';
import { newestGoldens } from './lib/goldens.js';

/** The case continues as new at this many events (workflows/incident-case.ts). */
const RUN_HISTORY_EVENTS = 1_000;
const HISTORY_LIMIT_BYTES = 50 * 1024 * 1024;

const payloadBytes = (p: proto.temporal.api.common.v1.IPayload) =>
  (p.data?.length ?? 0) + Object.entries(p.metadata ?? {}).reduce((a, [k, v]) => a + k.length + (v?.length ?? 0), 0);

const quantile = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]! : 0);

const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : newestGoldens();
console.log('history | events | history KiB | memo writes | bytes/write mean | p50 | max | memo at end | run of 1,000 events');
let withMemo = 0;
for (const file of files) {
  const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
  const events = history.events ?? [];
  const historyBytes = proto.temporal.api.history.v1.History.encode(history).finish().length;
  const writes: number[] = [];
  const last = new Map<string, number>();
  for (const e of events) {
    const fields = e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields;
    if (!fields) continue;
    let bytes = 0;
    for (const [k, p] of Object.entries(fields)) {
      const b = payloadBytes(p);
      bytes += b;
      last.set(k, b);
    }
    writes.push(bytes);
  }
  if (writes.length) withMemo++;
  const memoEnd = [...last.values()].reduce((a, b) => a + b, 0);
  const mean = writes.length ? writes.reduce((a, b) => a + b, 0) / writes.length : 0;
  const perRun = (historyBytes / Math.max(events.length, 1)) * RUN_HISTORY_EVENTS;
  console.log(
    [
      basename(file),
      events.length,
      (historyBytes / 1024).toFixed(1),
      writes.length,
      Math.round(mean),
      quantile(writes, 0.5),
      Math.max(0, ...writes),
      memoEnd,
      `${(perRun / 1024 / 1024).toFixed(2)} MB (${((perRun / HISTORY_LIMIT_BYTES) * 100).toFixed(1)} % of 50 MB)`,
    ].join(' | '),
  );
}
if (withMemo === 0) console.log('no history here wrote a read model (histories from before it keep none)');
