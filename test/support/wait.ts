/**
 * Polls `fn` until `ok` accepts its value (answers truthy) or `ms` pass. Without `what` it answers the last value
 * either way (the caller's assertion then says what was wrong); with `what` a time-out throws, naming what was awaited.
 */
export async function until<T>(
  fn: () => Promise<T> | T,
  ok: (v: T) => unknown,
  ms = 30_000,
  what?: string,
  intervalMs = 200,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) {
      if (what) throw new Error(`timed out after ${ms} ms waiting for ${what}: ${JSON.stringify(v)?.slice(0, 500)}`);
      return v;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
