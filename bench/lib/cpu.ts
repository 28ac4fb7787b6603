/**
 * CPU time of processes on this machine, from /proc/<pid>/stat (user + system, in clock ticks of 1/100 s on Linux):
 * the figures beside a rate say which process paid for it.
 */
import { readFileSync } from 'node:fs';

const TICK_MS = 10;

/** User plus system CPU milliseconds the process has used so far; 0 when it cannot be read (not Linux, gone). */
export function cpuMsOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU milliseconds per named process used while `fn` ran. */
export async function cpuDuring<T>(pids: Record<string, number | undefined>, fn: () => Promise<T>): Promise<{ value: T; cpuMs: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === process.pid ? process.cpuUsage() : cpuMsOf(pid)]));
  const value = await fn();
  const cpuMs: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const b = before[name]!;
    if (typeof b === 'number') cpuMs[name] = cpuMsOf(pid) - b;
    else {
      const d = process.cpuUsage(b);
      cpuMs[name] = (d.user + d.system) / 1000;
    }
  }
  return { value, cpuMs };
}

/** `server 1.2 ms, worker 3.4 ms, ...` per item. */
export function formatCpuPer(cpuMs: Record<string, number>, items: number): string {
  return Object.entries(cpuMs)
    .map(([name, ms]) => `${name} ${(ms / items).toFixed(1)}`)
    .join(', ');
}
