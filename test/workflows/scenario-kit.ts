/**
 * What the time-skipping scenario tests share: keeping a finished scenario's history as a golden (with
 * RECORD_GOLDEN=1; replay.test.ts replays every golden against every later version of the workflow code), and the
 * reference to an uploaded persons list the harness's campaign reads, and the patch ids a run recorded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export async function keepGolden(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_GOLDEN !== '1') return;
  const history = await handle.fetchHistory();
  const dir = new URL('./golden/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.json`, dir), historyToJSON(history));
}

/** A list of `accepted` persons, all with e-mail. */
export const personsRef = (accepted: number) => ({
  key: 'cases/x/persons/u1.ndjson.enc',
  uploadId: 'u1',
  total: accepted,
  accepted,
  duplicates: 0,
  rejected: 0,
  withEmail: accepted,
  withoutEmail: 0,
  checksum: 'abc',
});

/** The ids of the `patched()` markers in a run's history, in order (the SDK records each as a `core_patch` marker). */
export function patchIdsOf(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? [])
    .map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_patch')
    .flatMap((m) => Object.values(m!.details ?? {}).flatMap((d) => (d.payloads ?? []).map((p) => (JSON.parse(Buffer.from(p.data ?? []).toString()) as { id: string }).id)));
}
