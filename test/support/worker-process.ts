/**
 * The real worker (`main/worker.ts`) as a child process of a test, wired to a stack started without its in-process
 * worker, for tests that kill it. Resolves once it polls; `stopAll` kills what is left at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { workerEnv, type Stack } from './stack.js';

const ROOT = resolve(import.meta.dirname, '../..');

export const alive = (w: ChildProcess) => w.exitCode === null && w.signalCode === null;

export class WorkerProcesses {
  readonly all: ChildProcess[] = [];

  constructor(private readonly stack: () => Stack) {}

  async start(env: Record<string, string> = {}): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/worker.ts'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', ...workerEnv(this.stack()), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.all.push(child);
    let out = '';
    const keep = (c: Buffer) => (out = (out + c.toString()).slice(-4000));
    child.stderr.on('data', keep);
    await new Promise<void>((ready, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker not ready after 45 s:\n${out}`)), 45_000);
      child.stdout.on('data', (c: Buffer) => {
        keep(c);
        if (out.includes('[worker] polling')) {
          clearTimeout(timer);
          ready();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`worker exited (${code ?? signal}) before it was ready:\n${out}`));
      });
    });
    return child;
  }

  async kill(child: ChildProcess): Promise<void> {
    if (!alive(child)) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }

  /**
   * The worker dies mid-call: SIGKILLs every running worker, clears the sandbox's faults (so the retry is answered)
   * and starts a new worker. Returns when the kill happened.
   */
  async killAndReplace(): Promise<number> {
    for (const w of this.all.filter(alive)) await this.kill(w);
    const killedAt = Date.now();
    this.stack().sandbox.setFaults({ rate: 0, modes: [] });
    await this.start();
    return killedAt;
  }

  async stopAll(): Promise<void> {
    const left = this.all.filter(alive);
    for (const w of left) w.kill('SIGKILL');
    await Promise.all(left.map((w) => once(w, 'exit')));
  }
}
