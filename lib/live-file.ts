/**
 * A configuration file read now and again whenever it changes (its modification time or size), checked at most once
 * per `checkIntervalMs`, so that an edit applies without a restart. The first read throws on a bad file, so start-up
 * fails fast; a file that turns bad later (say, half-written by an editor) keeps the last good value and reports
 * through `onReloadError`. The principals file (api/principals.ts) and the vendor panel (main/vendors.ts) read so.
 */
import { statSync } from 'node:fs';

export interface LiveFileOptions {
  onReloadError?: (err: Error) => void;
  /** Default 1,000 ms. */
  checkIntervalMs?: number;
  now?: () => number;
}

export function liveFile<T>(file: string, parse: (file: string) => T, opts: LiveFileOptions = {}): () => T {
  const interval = opts.checkIntervalMs ?? 1000;
  const now = opts.now ?? Date.now;
  let value = parse(file);
  let { mtimeMs, size } = statSync(file);
  let checkedAt = now();
  return () => {
    const t = now();
    if (t - checkedAt < interval) return value;
    checkedAt = t;
    try {
      const st = statSync(file);
      if (st.mtimeMs !== mtimeMs || st.size !== size) {
        value = parse(file);
        mtimeMs = st.mtimeMs;
        size = st.size;
      }
    } catch (err) {
      opts.onReloadError?.(err as Error);
    }
    return value;
  };
}
