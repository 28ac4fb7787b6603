/** Request coalescing: callers that want the same backend answer at the same moment share one call. */

/**
 * One call per key at a time: callers that ask while `start()` runs for that key share its promise, and the next
 * caller after it settles starts afresh.
 */
export function shareInFlight<T>(inFlight: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
  let pending = inFlight.get(key);
  if (!pending) {
    pending = start().finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}
