/**
 * `npm start`: the whole product on one machine. Without TEMPORAL_ADDRESS it runs the embedded default: the
 * Temporal CLI dev server on a SQLite file under DATA_DIR, a mail catcher writing .eml files, the sandbox vendors,
 * and then the worker and the API as child processes (restarted if they die). With TEMPORAL_SERVER=cluster
 * (`npm run cluster`) it embeds a real Temporal cluster on PostgreSQL instead (main/cluster.ts), and WORKERS and
 * API_INSTANCES run more than one of each. With TEMPORAL_ADDRESS it embeds no server and only runs the workers and
 * the APIs against it, as production does.
 *
 * Stopping (SIGINT, i.e. Ctrl-C, or SIGTERM) is one ordered sequence, each step bounded (STOP_BOUNDS_MS) and logged
 * as `[stop] <step> stopped`: no more restarts; the API (stops taking requests); the worker (drains: finishes its
 * workflow tasks against a server that is still up); the Temporal dev server; the mail catcher; the sandbox. The
 * children run in their own process groups, so a terminal's Ctrl-C reaches only this process and the order holds;
 * a step that overruns its bound is SIGKILLed, and whatever is left at STOP_BOUNDS_MS.total is killed outright.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { loadConfig, ConfigError, type Config } from './config.js';
import { startDevServer, temporalBinaries, type DevServer } from './temporal.js';
import { settingsPorts, startCluster, type Cluster } from './cluster.js';
import { ensureUiCodecToken, prepareRuntimeFiles, WORKER_SHUTDOWN } from './runtime.js';
import { loadVendors } from './vendors.js';
import { startMailCatcher, type MailCatcher } from '../sandbox/mail-catcher.js';
import { startSandbox, type VendorSandbox } from '../sandbox/vendor-service.js';

const root = resolve(import.meta.dirname, '..');

function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, host, () => server.close(() => done(true)));
  });
}

async function refuseTakenPorts(ports: { port: number; what: string; variable: string }[]): Promise<void> {
  const taken: string[] = [];
  for (const p of ports) if (!(await portFree(p.port))) taken.push(`port ${p.port} (${p.what}) is in use: free it or set ${p.variable}`);
  if (taken.length > 0) throw new Error(`cannot start:\n  - ${taken.join('\n  - ')}`);
}

interface Supervised {
  name: string;
  kind: 'api' | 'worker';
  child: ChildProcess | undefined;
  restarts: number;
  restartTimer: NodeJS.Timeout | undefined;
}

function log(message: string): void {
  console.log(`[start] ${message}`);
}

function stopLog(message: string): void {
  console.log(`[stop] ${message}`);
}

/**
 * How long each step of the stop may take before it is killed, and the whole of it (the promise: everything
 * gone within 10 s of Ctrl-C). The worker's own bound (WORKER_SHUTDOWN.forceMs) is below its step's.
 */
const STOP_BOUNDS_MS = { api: 2_000, worker: WORKER_SHUTDOWN.forceMs + 1_000, temporal: 2_000, mail: 500, sandbox: 500, total: 9_500 };
/** A cluster stops service by service and PostgreSQL checkpoints: more time for that step and the whole. */
const CLUSTER_STOP_MS = { temporal: 20_000, total: 30_000 };

const running = (child: ChildProcess | undefined): child is ChildProcess =>
  child !== undefined && child.exitCode === null && child.signalCode === null;

/** SIGKILL to a child's process group (it leads one: spawned detached), so nothing it started outlives it. */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** SIGTERM, then SIGKILL after `boundMs`; answers how it ended. */
function stopChild(child: ChildProcess | undefined, boundMs: number): Promise<'stopped' | 'killed' | 'not running'> {
  if (!running(child)) return Promise.resolve('not running');
  return new Promise((done) => {
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      killGroup(child);
    }, boundMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done(killed ? 'killed' : 'stopped');
    });
    child.kill('SIGTERM');
  });
}

/** A promise, or a timeout after `boundMs`. */
function within(work: Promise<unknown>, boundMs: number): Promise<'stopped' | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(
      () => 'stopped' as const,
      () => 'stopped' as const,
    ),
    new Promise<'timed out'>((r) => (timer = setTimeout(() => r('timed out'), boundMs))),
  ]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  const config: Config = loadConfig();
  const embedded = config.embedded;
  const sandboxed = !config.VENDORS_FILE;
  const catching = !config.SMTP_HOST;

  const clustered = embedded && config.TEMPORAL_SERVER === 'cluster';
  const clusterPorts = clustered ? settingsPorts() : undefined;
  await refuseTakenPorts([
    ...Array.from({ length: config.API_INSTANCES }, (_, i) => ({ port: config.PORT + i, what: `API ${i + 1}`, variable: 'PORT' })),
    ...(embedded && !clustered
      ? [
          { port: config.TEMPORAL_EMBEDDED_PORT, what: 'Temporal dev server', variable: 'TEMPORAL_EMBEDDED_PORT' },
          { port: config.TEMPORAL_UI_PORT, what: 'Temporal UI', variable: 'TEMPORAL_UI_PORT' },
        ]
      : []),
    ...(clusterPorts
      ? [
          { port: clusterPorts.postgres, what: 'PostgreSQL', variable: 'DB_PORT in deploy/temporal.env' },
          { port: clusterPorts.frontend, what: 'Temporal frontend', variable: 'FRONTEND_GRPC_PORT in deploy/temporal.env' },
          { port: clusterPorts.history, what: 'Temporal history', variable: 'HISTORY_GRPC_PORT in deploy/temporal.env' },
          { port: clusterPorts.matching, what: 'Temporal matching', variable: 'MATCHING_GRPC_PORT in deploy/temporal.env' },
          { port: clusterPorts.worker, what: 'Temporal worker service', variable: 'WORKER_GRPC_PORT in deploy/temporal.env' },
        ]
      : []),
    ...(catching ? [{ port: config.SMTP_PORT, what: 'mail catcher', variable: 'SMTP_PORT' }] : []),
    ...(sandboxed ? [{ port: config.SANDBOX_PORT, what: 'sandbox vendors', variable: 'SANDBOX_PORT' }] : []),
  ]);

  const files = await prepareRuntimeFiles(config);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: config.dataDir };
  let temporal: DevServer | undefined;
  let temporalProcess: ChildProcess | undefined;
  let cluster: Cluster | undefined;
  /** The cluster's processes from the moment each is spawned (a stop during start-up stops them too). */
  const clusterProcesses: ChildProcess[] = [];
  let catcher: MailCatcher | undefined;
  let sandbox: VendorSandbox | undefined;
  const supervised: Supervised[] = [];
  let stopping: Promise<never> | undefined;
  const runDir = join(config.dataDir, 'run');

  async function stopSequence(code: number): Promise<never> {
    const began = Date.now();
    // Whatever still runs at the overall bound is killed, so a stop always ends.
    const totalMs = clustered ? CLUSTER_STOP_MS.total : STOP_BOUNDS_MS.total;
    const deadline = setTimeout(() => {
      stopLog(`still running after ${totalMs} ms: killing what is left`);
      for (const s of supervised) if (running(s.child)) killGroup(s.child);
      if (running(temporalProcess)) killGroup(temporalProcess);
      for (const p of clusterProcesses) if (running(p)) killGroup(p);
      process.exit(code === 0 ? 1 : code);
    }, totalMs);
    // 1. No more restarts: a child that exits from here on stays down, and a pending restart is cancelled.
    for (const s of supervised) clearTimeout(s.restartTimer);
    const step = async (name: string, stop: () => Promise<'stopped' | 'killed' | 'timed out' | 'not running'>) => {
      const t = Date.now();
      const how = await stop();
      const ms = Date.now() - t;
      if (how === 'stopped') stopLog(`${name} stopped in ${ms} ms`);
      else if (how === 'killed') stopLog(`${name} stopped: killed after its ${ms} ms bound`);
      else if (how === 'timed out') stopLog(`${name} stopped: gave up waiting after ${ms} ms`);
      else stopLog(`${name} was not running`);
    };
    const all = (kind: 'api' | 'worker') => supervised.filter((s) => s.kind === kind);
    const stopKind = (kind: 'api' | 'worker', boundMs: number) =>
      Promise.all(all(kind).map((s) => stopChild(s.child, boundMs))).then((hows) =>
        hows.includes('killed') ? 'killed' : hows.includes('stopped') ? 'stopped' : 'not running',
      );
    // 2. The APIs: no new requests (and so no new workflows) while the rest stops.
    await step(all('api').length > 1 ? 'apis' : 'api', () => stopKind('api', STOP_BOUNDS_MS.api));
    // 3. The workers drain while the Temporal server is still there to take their task completions.
    await step(all('worker').length > 1 ? 'workers' : 'worker', () => stopKind('worker', STOP_BOUNDS_MS.worker));
    // 4. The services the workers used, now that nothing uses them.
    // (Its process from the moment it is spawned: a stop during start-up stops it too.)
    if (temporalProcess) await step('temporal', () => stopChild(temporalProcess, STOP_BOUNDS_MS.temporal));
    if (cluster) {
      const c = cluster;
      await step('temporal cluster', () => within(c.stop(), CLUSTER_STOP_MS.temporal));
    } else if (clusterProcesses.length > 0) {
      await step('temporal cluster', () => Promise.all(clusterProcesses.map((p) => stopChild(p, 5_000))).then(() => 'stopped' as const));
    }
    if (catcher) {
      const c = catcher;
      await step('mail', () => within(c.close(), STOP_BOUNDS_MS.mail));
    }
    if (sandbox) {
      const s = sandbox;
      await step('sandbox', () => within(s.close(), STOP_BOUNDS_MS.sandbox));
    }
    for (const name of [...supervised.map((s) => s.name), 'temporal', 'start']) rmSync(join(runDir, `${name}.pid`), { force: true });
    clearTimeout(deadline);
    log(`stopped in ${Date.now() - began} ms`);
    process.exit(code);
  }
  function stopAll(code: number, why: string): Promise<never> {
    if (!stopping) {
      log(`stopping (${why})`);
      stopping = stopSequence(code);
    }
    return stopping;
  }
  // Ctrl-C reaches npm and this process (npm forwards it too, so it may come twice): one stop, whatever the count.
  process.on('SIGINT', () => void stopAll(0, 'SIGINT'));
  process.on('SIGTERM', () => void stopAll(0, 'SIGTERM'));

  try {
    if (clustered) {
      cluster = await startCluster({
        dir: join(config.dataDir, 'cluster'),
        namespace: config.TEMPORAL_NAMESPACE,
        keep: true,
        onSpawn: (_name, child) => clusterProcesses.push(child),
      });
      childEnv.TEMPORAL_ADDRESS = cluster.address;
      log(`Temporal cluster ready at ${cluster.address} in ${cluster.startedInMs} ms (PostgreSQL on ${cluster.ports.postgres})`);
    } else if (embedded) {
      const started = Date.now();
      temporal = await startDevServer({
        cli: temporalBinaries(config).cli,
        port: config.TEMPORAL_EMBEDDED_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: join(config.dataDir, 'temporal', 'temporal.db'),
        namespace: config.TEMPORAL_NAMESPACE,
        // The UI sends no credential, so its endpoint carries one (see ensureUiCodecToken); never printed.
        uiCodecEndpoint: `http://127.0.0.1:${config.PORT}/codec/ui/${ensureUiCodecToken(config.dataDir)}`,
        ownProcessGroup: true,
        onSpawn: (child) => (temporalProcess = child),
      });
      childEnv.TEMPORAL_ADDRESS = temporal.address;
      log(`Temporal dev server ready at ${temporal.address} in ${Date.now() - started} ms`);
    }
    if (catching) {
      const dir = join(config.dataDir, 'mail');
      catcher = await startMailCatcher({ port: config.SMTP_PORT, dir });
      childEnv.SMTP_HOST = '127.0.0.1';
      childEnv.SMTP_PORT = String(catcher.port);
    }
    if (sandboxed) {
      const vendors = loadVendors(files.vendorsFile);
      sandbox = await startSandbox({
        port: config.SANDBOX_PORT,
        vendors: vendors.map((v) => ({ vendorId: v.vendorId, role: v.role, secret: v.secrets, ...(v.phone ? { phone: v.phone } : {}) })),
        webhookUrl: (vendorId) => `http://127.0.0.1:${config.PORT}/v1/webhooks/vendors/${encodeURIComponent(vendorId)}`,
      });
      childEnv.PAYMENTS_BASE_URL ??= sandbox.url;
    }
  } catch (err) {
    console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1, 'start-up failed');
  }
  if (stopping) return; // stopped while starting: the stop sequence has it

  function supervise(name: string, kind: 'api' | 'worker', entry: string, env: NodeJS.ProcessEnv = childEnv): Supervised {
    const s: Supervised = { name, kind, child: undefined, restarts: 0, restartTimer: undefined };
    const launch = () => {
      if (stopping) return;
      // Its own process group (detached): only this supervisor signals it, in the stop's order. The IPC channel is
      // its lifeline: if this process dies without stopping it (SIGKILL), the channel closes and the child stops.
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], {
        env,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        detached: true,
      });
      s.child = child;
      // Operators (and the smoke test) find the processes here, e.g. to kill the worker and watch it come back.
      writeFileSync(join(runDir, `${name}.pid`), String(child.pid ?? ''));
      child.once('exit', (code, signal) => {
        if (stopping) return;
        s.restarts += 1;
        const delay = Math.min(30_000, 1_000 * 2 ** Math.min(s.restarts - 1, 5));
        log(`${name} exited (${signal ?? code}); restarting in ${delay} ms`);
        s.restartTimer = setTimeout(launch, delay);
      });
    };
    launch();
    supervised.push(s);
    return s;
  }

  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'start.pid'), String(process.pid));
  if (temporal?.process.pid) writeFileSync(join(runDir, 'temporal.pid'), String(temporal.process.pid));
  // The first of each keeps the plain name (worker.pid, api.pid), as operators and the smoke test know them.
  for (let i = 1; i <= config.WORKERS; i++) supervise(i === 1 ? 'worker' : `worker-${i}`, 'worker', 'main/worker.ts');
  for (let i = 1; i <= config.API_INSTANCES; i++) {
    supervise(i === 1 ? 'api' : `api-${i}`, 'api', 'main/api.ts', { ...childEnv, PORT: String(config.PORT + i - 1) });
  }

  const lines = [
    '',
    'breach-claims is starting:',
    `  API            http://127.0.0.1:${config.PORT}   (docs: /docs, OpenAPI: /openapi.json)`,
    ...Array.from({ length: config.API_INSTANCES - 1 }, (_, i) => `  API ${i + 2}          http://127.0.0.1:${config.PORT + i + 1}`),
    config.WORKERS > 1 ? `  Workers        ${config.WORKERS}` : '',
    temporal?.uiUrl
      ? `  Temporal UI    ${temporal.uiUrl}`
      : cluster
        ? `  Temporal       cluster at ${cluster.address} (namespace ${config.TEMPORAL_NAMESPACE}; PostgreSQL 127.0.0.1:${cluster.ports.postgres}; logs in ${join(config.dataDir, 'cluster', 'logs')})`
        : `  Temporal       ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE})`,
    `  API keys       ${files.principalsFile}${files.created.includes(files.principalsFile) ? ' (new development keys)' : ''}`,
    catcher ? `  Mail catcher   SMTP 127.0.0.1:${catcher.port}, messages in ${join(config.dataDir, 'mail')}` : '',
    sandbox ? `  Sandbox        ${sandbox.url} (vendors and payments; panel in ${files.vendorsFile})` : '',
    `  Data           ${config.dataDir}`,
    'Ctrl-C stops everything.',
    '',
  ].filter((l) => l !== '');
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `[start] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
