/**
 * Figures for bench/api.ts: latency percentiles, one row per scenario (with its target and whether the run met it),
 * tallies of HTTP answers by status, and the markdown tables the bench prints.
 */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Row {
  section: string;
  scenario: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The target as a reader checks it, e.g. "p99 < 50 ms"; empty for a baseline. */
  target: string;
  /** Whether this run met the target: undefined when the row has none. */
  met: boolean | undefined;
  note: string;
}

export function row(
  section: string,
  scenario: string,
  latencies: number[],
  seconds: number,
  extra: { note?: string; target?: string; met?: (r: Row) => boolean } = {},
): Row {
  const sorted = [...latencies].sort((a, b) => a - b);
  const r: Row = {
    section,
    scenario,
    requests: latencies.length,
    seconds,
    rps: seconds > 0 ? latencies.length / seconds : NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : NaN,
    target: extra.target ?? '',
    met: undefined,
    note: extra.note ?? '',
  };
  if (extra.met) r.met = extra.met(r);
  return r;
}

/** Counts by key: HTTP statuses ("200", "304", "409 wrong_state", "network ECONNRESET", ...). */
export class Tally {
  readonly counts = new Map<string, number>();

  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Everything but the keys listed. */
  total(except: string[] = []): number {
    let n = 0;
    for (const [k, v] of this.counts) if (!except.includes(k)) n += v;
    return n;
  }

  /** "409 wrong_state × 3, 503 command_pending × 1", largest first; `none` when empty. */
  format(except: string[] = [], none = 'none'): string {
    const parts = [...this.counts]
      .filter(([k]) => !except.includes(k))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([k, v]) => `${k} × ${v}`);
    return parts.length > 0 ? parts.join(', ') : none;
  }
}

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');
const verdict = (r: Row) => (r.met === undefined ? '' : r.met ? 'met' : 'MISSED');

function table(head: string[], body: string[][], left: Set<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (left.has(i) ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|')}|`,
    ...body.map(line),
  ];
}

/** One section's table, printed as soon as the section is done. */
export function printTable(title: string, rows: Row[]): void {
  const head = ['scenario', 'requests', 's', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'target', 'note'];
  const body = rows.map((r) => [
    r.scenario,
    String(r.requests),
    fmt(r.seconds),
    fmt(r.rps),
    fmt(r.p50),
    fmt(r.p95),
    fmt(r.p99),
    fmt(r.max),
    r.target ? `${r.target}: ${verdict(r)}` : '',
    r.note,
  ]);
  console.log(`\n${title}`);
  for (const l of table(head, body, new Set([0, 8, 9]))) console.log(l);
}

/** Every row of the run in one table, section by section, with the targets and whether they were met. */
export function printFigures(rows: Row[]): void {
  const head = ['section', 'scenario', 'n', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'target', 'result'];
  const body = rows.map((r) => [
    r.section,
    r.scenario,
    String(r.requests),
    fmt(r.rps),
    fmt(r.p50),
    fmt(r.p95),
    fmt(r.p99),
    fmt(r.max),
    r.target || '(baseline)',
    verdict(r),
  ]);
  console.log('\nFigures (each target row against the baseline rows of its section, same run)');
  for (const l of table(head, body, new Set([0, 1, 8, 9]))) console.log(l);
  const missed = rows.filter((r) => r.met === false);
  console.log(missed.length === 0 ? 'All targets met.' : `Targets missed: ${missed.map((r) => `${r.section} / ${r.scenario}`).join('; ')}`);
}
