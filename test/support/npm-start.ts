/**
 * `npm start` as a user runs it, for tests of the supervisor (the approach of scripts/smoke.mjs): a temporary data
 * folder, free ports, its own process group (a terminal's Ctrl-C reaches the whole group, so `signal` does too).
 * `processes()` finds every process of this run, whatever its parent, by the DATA_DIR in its environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.js';
import { until } from './wait.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface NpmStart {
  dataDir: string;
  url: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** To the whole process group, as Ctrl-C (SIGINT) in a terminal. */
  signal(sig: NodeJS.Signals): void;
  /** API keys by principal name, from the data folder's development principals. */
  keys(): Record<string, string>;
  /** The pids of `.data/run/*.pid` (start, worker, api, temporal). */
  runPids(): Record<string, number>;
  /** Every live process with this run's DATA_DIR in its environment (npm, the supervisor, its children). */
  processes(): number[];
  /** Kills whatever is left and removes the data folder. */
  cleanup(): Promise<void>;
}

export function alivePid(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function processesWithEnv(entry: string): number[] {
  if (!existsSync('/proc')) return [];
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`);
      if (environ.toString('utf8').split('\0').includes(entry)) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found.filter((pid) => pid !== process.pid && alivePid(pid));
}

export async function startNpmStart(opts: { env?: Record<string, string>; readyTimeoutMs?: number } = {}): Promise<NpmStart> {
  const dataDir = await mkdtemp(join(tmpdir(), 'breach-claims-npm-start-'));
  const ports = {
    PORT: String(await freePort()),
    TEMPORAL_EMBEDDED_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    SMTP_PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
  };
  const env: NodeJS.ProcessEnv = { ...process.env, ...ports, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...opts.env };
  // Not the test runner's settings: `npm start` is the embedded default.
  delete env.NODE_ENV;
  delete env.TEMPORAL_ADDRESS;
  const url = `http://127.0.0.1:${ports.PORT}`;
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  const runPids = () => {
    const dir = join(dataDir, 'run');
    if (!existsSync(dir)) return {};
    return Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.pid'))
        .map((f) => [f.slice(0, -4), Number(readFileSync(join(dir, f), 'utf8'))] as const)
        .filter(([, pid]) => pid > 0),
    );
  };
  const processes = () => processesWithEnv(`DATA_DIR=${dataDir}`);
  const run: NpmStart = {
    dataDir,
    url,
    child,
    exited,
    output: () => out,
    signal,
    keys: () => {
      const principals = JSON.parse(readFileSync(join(dataDir, 'principals.json'), 'utf8')) as { name: string; key: string }[];
      return Object.fromEntries(principals.map((p) => [p.name, p.key]));
    },
    runPids,
    processes,
    async cleanup() {
      signal('SIGKILL');
      for (const pid of [...processes(), ...Object.values(runPids())]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  const gone = exited.then(({ code, signal: sig }) => {
    throw new Error(`npm start exited (${code ?? sig}) before it was ready:\n${out.slice(-3000)}`);
  });
  const ready = until(
    async () => {
      try {
        return (await fetch(`${url}/readyz`)).ok;
      } catch {
        return false;
      }
    },
    Boolean,
    opts.readyTimeoutMs ?? 90_000,
    'npm start to answer /readyz',
    250,
  );
  try {
    await Promise.race([ready, gone]);
  } catch (err) {
    await run.cleanup();
    throw err;
  }
  gone.catch(() => undefined);
  return run;
}
