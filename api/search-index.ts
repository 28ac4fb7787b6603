/**
 * The search index of `GET /v1/cases?q=`: what a search matches (the case id, the policy number, the insured's name
 * and the description) for every case, in this API process's memory, so that a search reads no memo and scans no
 * list: it matches in memory, then asks visibility for the current summaries of the matching cases only.
 *
 * Why in memory: these four never change after a case is filed (the id and the policy number are fixed at intake, the
 * name and the description come with the report), and two of them cannot be search attributes (search attributes are
 * not encrypted, and a description is the insured's free text, which can name people). So the index is built once
 * from the case list's memos (the facts part of the read model) and then only grows: each refresh lists the cases
 * started since the previous refresh began (`StartTime >=` that time less `overlapMs`, for the visibility store's lag
 * and the clocks' skew), and re-reads the few cases it saw without facts yet (a case denied at intake gets its memo
 * from its first task). A search never waits for a refresh; cases this process files are in the index at once.
 *
 * Every API instance keeps its own index; it is derived from Temporal and costs nothing to lose. Memory: about the
 * description's length per case (a few hundred bytes), so 100,000 cases fit in tens of megabytes; past `maxCases` the
 * index stops growing and searches fall back to the bounded memo scan (see `searchCases`).
 */
import type { temporal } from '@temporalio/proto';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import { CASE_WORKFLOW_TYPE, SA, caseIdFromWorkflowId, caseWorkflowId } from '../workflows/contract.js';
import { memoFacts } from './case-records.js';
import type { ApiContext } from './context.js';

/** What the index needs of the API's context (it is part of that context). */
export type IndexContext = Pick<ApiContext, 'client' | 'deps' | 'log'>;

/** What a case summary shows of the facts part of the read model. */
export interface CaseFacts {
  insuredName?: string;
  description?: string;
}

type RawExecution = NonNullable<temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse['executions']>[number];

interface Entry {
  caseId: string;
  insuredId: string | null;
  policyNumber: string | null;
  /** Start time in ms (the server's clock): newest first is the answer's order. */
  startedMs: number;
  /** The searched texts, folded (see `searchFold`), joined by a character no folded text contains. */
  hay: string;
  /** Whether the texts include the insured's name and the description (from the memo's facts or from the filing). */
  hasFacts: boolean;
}

export interface SearchIndexOptions {
  /** A search starts a refresh of the index when its last one is older than this (without waiting for it). */
  refreshMs?: number;
  /** How far before the previous refresh a refresh lists again: visibility's lag plus the clocks' skew (5 s). */
  overlapMs?: number;
  /** Cases the index holds at most (0: no index; every search scans). */
  maxCases?: number;
  /** Build the index as the API starts, not at the first search (what a served API does; tests leave it lazy). */
  warm?: boolean;
}

/** Lower case, NFKC (full-width letters and digits match half-width ones, as a Japanese user types them). */
export function searchFold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

const SEPARATOR = '\u0000';
const BASE = `WorkflowType = '${CASE_WORKFLOW_TYPE}'`;
/** Cases seen without facts are re-read in chunks of this many ids (`WorkflowId IN (...)`). */
const ID_CHUNK = 100;
/** A case still without facts this long after it started is no longer re-read. */
const GIVE_UP_MS = 3_600_000;

function startedMsOf(e: RawExecution): number {
  const t = e.startTime;
  if (!t) return 0;
  return Number(t.seconds ?? 0) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6);
}

export class CaseSearchIndex {
  private readonly entries = new Map<string, Entry>();
  /** The unfolded facts, for the summaries of a search's answer (no memo decoded per answer). */
  private readonly texts = new Map<string, CaseFacts>();
  /** Newest first; rebuilt when entries were added since. */
  private ordered: Entry[] = [];
  private orderedStale = false;
  /** Cases listed before their memo had facts: re-read on each refresh until it has. */
  private readonly withoutFacts = new Set<string>();
  private built = false;
  private full = false;
  private lastRefreshMs = 0;
  private running: Promise<void> | undefined;
  private readonly refreshMs: number;
  private readonly overlapMs: number;
  private readonly maxCases: number;

  constructor(
    private readonly ctx: IndexContext,
    options: SearchIndexOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 1_000;
    this.overlapMs = options.overlapMs ?? 5_000;
    this.maxCases = options.maxCases ?? 200_000;
  }

  /** Whether the index holds every case (built, not full): only then may a search answer from it alone. */
  get usable(): boolean {
    return this.maxCases > 0 && this.built && !this.full;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Starts the first build without waiting for it (at API start, so the first search need not). */
  warm(): void {
    if (this.maxCases === 0) return;
    void this.refresh().catch((err: unknown) => this.ctx.log.warn({ err: String(err) }, 'search index: first build failed; a search retries it'));
  }

  /**
   * Whether a search may answer from the index now (false while it is first built, when full or off: the caller then
   * scans); starts a refresh in the background when one is due (one at a time).
   */
  ready(): boolean {
    if (this.maxCases === 0) return false;
    if (!this.built) {
      // The first build may take seconds over many cases: a search does not wait for it.
      this.refresh().catch(() => undefined);
      return false;
    }
    // Once built, a search never waits for a refresh: it answers from what the index holds (this process's own
    // filings are in at once, see `filed`) and the refresh it starts brings in other processes' within a second.
    if (Date.now() - this.lastRefreshMs >= this.refreshMs) {
      this.refresh().catch((err: unknown) => this.ctx.log.warn({ err: String(err) }, 'search index: refresh failed'));
    }
    return this.usable;
  }

  /** The insured's name and the description of a case the index holds, as its memo's facts give them. */
  facts(caseId: string): CaseFacts | undefined {
    return this.texts.get(caseId);
  }

  /** Case ids whose texts contain the folded needle, newest first, among those with the given fixed attributes. */
  match(q: string, where: { insuredId?: string; policyNumber?: string }): string[] {
    if (this.orderedStale) {
      this.ordered = [...this.entries.values()].sort((a, b) => b.startedMs - a.startedMs);
      this.orderedStale = false;
    }
    const needle = searchFold(q);
    const out: string[] = [];
    for (const e of this.ordered) {
      if (where.insuredId !== undefined && e.insuredId !== where.insuredId) continue;
      if (where.policyNumber !== undefined && e.policyNumber !== where.policyNumber) continue;
      if (e.hay.includes(needle)) out.push(e.caseId);
    }
    return out;
  }

  /** A case this process just filed: searchable at once, before visibility lists it. */
  filed(c: { caseId: string; insuredId: string; policyNumber: string; insuredName: string; description: string }, nowMs: number): void {
    if (this.maxCases === 0) return;
    const known = this.entries.get(c.caseId);
    // A refresh may have listed the case a moment before (its memo without facts yet): what was filed replaces that.
    if (known ? known.hasFacts : this.entries.size >= this.maxCases) return;
    this.withoutFacts.delete(c.caseId);
    this.entries.set(c.caseId, {
      caseId: c.caseId,
      insuredId: c.insuredId,
      policyNumber: c.policyNumber,
      startedMs: known?.startedMs ?? nowMs,
      hay: [c.caseId, c.policyNumber, c.insuredName, c.description].map(searchFold).join(SEPARATOR),
      hasFacts: true,
    });
    this.texts.set(c.caseId, { insuredName: c.insuredName, description: c.description });
    this.orderedStale = true;
  }

  private refresh(): Promise<void> {
    this.running ??= this.doRefresh().finally(() => (this.running = undefined));
    return this.running;
  }

  private async doRefresh(): Promise<void> {
    const startedAt = Date.now();
    // Every case started before the last refresh began (less the lag and clock skew allowed) was listed by it.
    const since = this.built ? new Date(this.lastRefreshMs - this.overlapMs) : undefined;
    await this.scan(since ? `${BASE} AND StartTime >= '${since.toISOString()}'` : BASE);
    const retry = [...this.withoutFacts];
    for (let i = 0; i < retry.length; i += ID_CHUNK) {
      const ids = retry.slice(i, i + ID_CHUNK).map((id) => `'${caseWorkflowId(id)}'`);
      await this.scan(`${BASE} AND WorkflowId IN (${ids.join(', ')})`);
    }
    this.built = true;
    this.lastRefreshMs = startedAt;
  }

  private async scan(query: string): Promise<void> {
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.ctx.client.workflowService.listWorkflowExecutions({
        namespace: this.ctx.deps.temporal.namespace,
        query,
        pageSize: 1_000,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      for (const e of page.executions ?? []) await this.add(e);
      nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    } while (nextPageToken);
  }

  private async add(e: RawExecution): Promise<void> {
    const workflowId = e.execution?.workflowId ?? '';
    const caseId = caseIdFromWorkflowId(workflowId);
    if (!caseId) return;
    const startedMs = startedMsOf(e);
    if (this.entries.get(caseId)?.hasFacts) return;
    if (!this.entries.has(caseId) && this.entries.size >= this.maxCases) {
      this.full = true;
      return;
    }
    const sa = decodeTypedSearchAttributes(e.searchAttributes?.indexedFields);
    const facts = await memoFacts(this.ctx, workflowId, e.memo?.fields);
    // Read again after the wait: this process may have filed the case meanwhile, with its facts (see `filed`).
    const known = this.entries.get(caseId);
    if (known?.hasFacts) return;
    const policyNumber = sa.get(SA.policyNumber) ?? null;
    const texts = [caseId, policyNumber ?? '', facts?.insuredName ?? '', typeof facts?.description === 'string' ? facts.description : ''];
    this.entries.set(caseId, {
      caseId,
      insuredId: sa.get(SA.insuredId) ?? null,
      policyNumber,
      startedMs: known?.startedMs ?? startedMs,
      hay: texts.map(searchFold).join(SEPARATOR),
      hasFacts: facts !== undefined,
    });
    if (facts) {
      this.texts.set(caseId, {
        ...(facts.insuredName ? { insuredName: facts.insuredName } : {}),
        ...(typeof facts.description === 'string' ? { description: facts.description } : {}),
      });
    }
    this.orderedStale = true;
    // A case without facts an hour after it started is from before the read model: its id and policy are indexed.
    if (facts || startedMs < Date.now() - GIVE_UP_MS) this.withoutFacts.delete(caseId);
    else this.withoutFacts.add(caseId);
  }
}
