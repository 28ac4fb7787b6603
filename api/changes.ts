/** The change counter the API's read caches compare before answering from memory. */

/**
 * Bumped whenever this process changes a case. The polling caches compare it before any backend call; timers in the
 * workflows change cases too, which the caches' short TTL covers (and other API instances, which do not share it).
 */
export class ChangeCounter {
  value = 0;
  private readonly cases = new Map<string, number>();

  /** Something changed; with a case id, that case (its cached reads are then stale). */
  bump(caseId?: string): void {
    this.value += 1;
    if (caseId === undefined) return;
    if (this.cases.size > 100_000) this.cases.clear();
    this.cases.set(caseId, (this.cases.get(caseId) ?? 0) + 1);
  }

  /** How often this process changed the case: a cached read of an older count is stale. */
  ofCase(caseId: string): number {
    return this.cases.get(caseId) ?? 0;
  }
}
