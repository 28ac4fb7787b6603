import { readdirSync } from 'node:fs';

const golden = new URL('../../test/workflows/golden/', import.meta.url);

/** The newest recorded version of each golden scenario (`case-x-v6.json` over `-v5` over `case-x.json`), as paths. */
export function newestGoldens(): string[] {
  const newest = new Map<string, { version: number; file: string }>();
  for (const file of readdirSync(golden).filter((f) => f.endsWith('.json'))) {
    const m = /^(.*?)(?:-v(\d+))?\.json$/.exec(file)!;
    const version = Number(m[2] ?? 1);
    const prev = newest.get(m[1]!);
    if (!prev || prev.version < version) newest.set(m[1]!, { version, file });
  }
  return [...newest.values()].map((v) => new URL(v.file, golden).pathname).sort();
}
