/**
 * A real Temporal cluster on this machine: the pinned Temporal server and its SQL schema tool built from the Go
 * module proxy (once, into .tools/cluster), PostgreSQL from Debian's package in a data folder of its own, the
 * Temporal and visibility schemas created by the schema tool, and the frontend, history, matching and internal
 * worker services as four processes of their own over `NUM_HISTORY_SHARDS` history shards. Its settings come from
 * deploy/temporal.env, the file docker-compose.yml reads too; the server reads them through its embedded template.
 *
 * `npm run cluster` (main/start.ts with TEMPORAL_SERVER=cluster) runs the product on it; the tests' global setup
 * starts one with TEST_TEMPORAL=cluster; the chaos soak's `--cluster` kills its history service and PostgreSQL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { connectWithRetry, ensureSearchAttributes } from './temporal.js';

const root = resolve(import.meta.dirname, '..');
export const CLUSTER_ENV_FILE = join(root, 'deploy/temporal.env');
const DYNAMIC_CONFIG_FILE = join(root, 'deploy/dynamicconfig.yaml');
const TOOLS = join(root, '.tools/cluster');
/** The Go toolchain the pinned server needs (it asks for Go 1.26.10; machines have 1.26.8): fetched by the go command. */
export const GO_TOOLCHAIN = 'go1.27.3';
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/**
 * deploy/temporal.env as a map (KEY=VALUE lines; `#` comments). A port (`*_PORT`) set in the environment wins over
 * the file's, so a second cluster (CI's check beside a developer's own) can move off the defaults.
 */
export function clusterSettings(file = CLUSTER_ENV_FILE, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[1]!.endsWith('_PORT') && env[m[1]!] ? env[m[1]!]! : m[2]!.trim();
  }
  return out;
}

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12 of the same server version. */
  schemaDir: string;
  /** Milliseconds spent building (0 when reused). */
  builtInMs: number;
}

function log(message: string): void {
  console.log(`[cluster] ${message}`);
}

/**
 * The server and `temporal-sql-tool` at the pinned version, built with `go install` from the Go module proxy into
 * .tools/cluster/<version>; a later call finds them and returns at once.
 */
export function ensureClusterBinaries(version = clusterSettings().TEMPORAL_SERVER_VERSION!): ClusterBinaries {
  const dir = join(TOOLS, version);
  const bin = join(dir, 'bin');
  const found: ClusterBinaries = { server: join(bin, 'server'), sqlTool: join(bin, 'sql'), schemaDir: join(dir, 'schema/postgresql/v12'), builtInMs: 0 };
  if ([found.server, found.sqlTool, found.schemaDir].every((p) => existsSync(p))) return found;
  const go = process.env.GO ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go');
  const env = { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, GOBIN: bin, GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' };
  const started = Date.now();
  log(`building Temporal server ${version} and its SQL tool with ${GO_TOOLCHAIN} (once; about 4 minutes)`);
  mkdirSync(bin, { recursive: true });
  const build = spawnSync(go, ['install', `go.temporal.io/server/cmd/server@${version}`, `go.temporal.io/server/cmd/tools/sql@${version}`], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0) throw new Error(`go install of go.temporal.io/server@${version} failed (exit ${build.status ?? build.signal})`);
  const modDir = spawnSync(go, ['mod', 'download', '-json', `go.temporal.io/server@${version}`], { env, encoding: 'utf8' });
  if (modDir.status !== 0) throw new Error(`go mod download go.temporal.io/server@${version} failed: ${modDir.stderr}`);
  const source = (JSON.parse(modDir.stdout) as { Dir: string }).Dir;
  cpSync(join(source, 'schema/postgresql/v12'), found.schemaDir, { recursive: true });
  found.builtInMs = Date.now() - started;
  log(`built in ${Math.round(found.builtInMs / 1000)} s`);
  return found;
}

/**
 * Who PostgreSQL runs as: this process's user, or Debian's `postgres` user when this process is root (PostgreSQL
 * refuses to run as root). Spawned with that uid itself (no wrapper such as runuser between), so that a signal to
 * the child reaches the server.
 */
function postgresIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root needs the `postgres` user (Debian\'s postgresql package creates it)');
  return { uid, gid: id('-g') };
}

function run(cmd: string, args: string[], what: string, as?: { uid: number; gid: number }): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...as, ...(as ? { cwd: '/' } : {}) });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${(r.stderr || r.stdout).slice(-2000)}`);
}

export interface ClusterPorts {
  postgres: number;
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  membership: Record<TemporalService, number>;
}

/** The ports of deploy/temporal.env (`npm run cluster`; the PostgreSQL port as the env file's DB_PORT). */
export function settingsPorts(s = clusterSettings()): ClusterPorts {
  const n = (k: string) => Number(s[k]);
  return {
    postgres: n('DB_PORT'),
    frontend: n('FRONTEND_GRPC_PORT'),
    frontendHttp: n('FRONTEND_HTTP_PORT'),
    history: n('HISTORY_GRPC_PORT'),
    matching: n('MATCHING_GRPC_PORT'),
    worker: n('WORKER_GRPC_PORT'),
    membership: {
      frontend: n('FRONTEND_MEMBERSHIP_PORT'),
      history: n('HISTORY_MEMBERSHIP_PORT'),
      matching: n('MATCHING_MEMBERSHIP_PORT'),
      worker: n('WORKER_MEMBERSHIP_PORT'),
    },
  };
}

/**
 * Ports for a cluster beside others (tests, the soak), each free when probed. Below 32768: Temporal's SQL schema
 * keeps a service's membership port as a `smallint` (an ephemeral port from the OS is refused: "value out of range
 * for type smallint", and the service dies at start-up).
 */
export async function freeClusterPorts(isFree: (port: number) => Promise<boolean> = portIsFree): Promise<ClusterPorts> {
  const ports = new Set<number>();
  while (ports.size < 10) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.has(port) && (await isFree(port))) ports.add(port);
  }
  const [postgres, frontend, frontendHttp, history, matching, worker, mf, mh, mm, mw] = [...ports];
  return { postgres: postgres!, frontend: frontend!, frontendHttp: frontendHttp!, history: history!, matching: matching!, worker: worker!, membership: { frontend: mf!, history: mh!, matching: mm!, worker: mw! } };
}

/** Whether `port` on loopback accepts a connection before `child` exits or `timeoutMs` passes. */
async function portOpens(port: number, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    const open = await new Promise<boolean>((done) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return true;
    await sleep(200);
  }
  return false;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

export interface Cluster {
  /** The frontend's gRPC address (what workers and APIs connect to). */
  address: string;
  namespace: string;
  ports: ClusterPorts;
  /** Milliseconds from the call to a namespace that takes workflows (build excluded). */
  startedInMs: number;
  binaries: ClusterBinaries;
  /** The running processes by name (postgres and the four services). */
  processes(): Record<string, ChildProcess | undefined>;
  /** SIGKILLs a Temporal service, then starts it again; resolves when the cluster answers again. */
  restartService(service: TemporalService, downMs?: number): Promise<void>;
  /** Stops PostgreSQL at once (immediate mode), then starts it again after `downMs`. */
  restartPostgres(downMs?: number): Promise<void>;
  /** The services in order (frontend first: no new calls), then PostgreSQL. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Its data folder: PostgreSQL's files and the services' logs. */
  dir: string;
  ports?: ClusterPorts;
  namespace?: string;
  /** Keep an existing database (cases survive a restart); false wipes the folder first. */
  keep?: boolean;
  /** Each child as soon as it is spawned (the caller's stop may need it before start-up ends). */
  onSpawn?: (name: string, child: ChildProcess) => void;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const settings = clusterSettings();
  const binaries = ensureClusterBinaries(settings.TEMPORAL_SERVER_VERSION);
  const started = Date.now();
  const ports = opts.ports ?? settingsPorts(settings);
  const namespace = opts.namespace ?? settings.TEMPORAL_NAMESPACE ?? 'default';
  if (!opts.keep) rmSync(opts.dir, { recursive: true, force: true });
  const pgData = join(opts.dir, 'postgres');
  const logs = join(opts.dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const children: Record<string, ChildProcess | undefined> = {};

  // PostgreSQL: its own data folder, TCP on loopback only, owned by `postgres` when we are root.
  const pgUser = postgresIdentity();
  const user = settings.POSTGRES_USER!;
  const password = settings.POSTGRES_PWD!;
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    mkdirSync(pgData, { recursive: true });
    const pwFile = join(opts.dir, 'pg-password');
    writeFileSync(pwFile, `${password}\n`);
    if (pgUser) {
      // `postgres` must reach its folder: a private parent of ours (a mkdtemp folder is 0700) gets o+x, no more.
      for (let p = resolve(opts.dir, '..'); p !== '/' && p !== '.'; p = resolve(p, '..')) {
        const st = statSync(p);
        if (st.uid === 0 && (st.mode & 0o001) === 0) chmodSync(p, (st.mode & 0o7777) | 0o011);
      }
      for (const p of [opts.dir, pgData, pwFile, logs]) chownSync(p, pgUser.uid, pgUser.gid);
    }
    chmodSync(pgData, 0o700);
    run(join(PG_BIN, 'initdb'), ['-D', pgData, '-U', user, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8'], 'initdb', pgUser);
    rmSync(pwFile, { force: true });
  }
  const startPostgres = (): ChildProcess => {
    const args = ['-D', pgData, '-p', String(ports.postgres), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
    const out = openSync(join(logs, 'postgres.log'), 'a');
    const child = spawn(join(PG_BIN, 'postgres'), args, { stdio: ['ignore', out, out], detached: true, ...pgUser, ...(pgUser ? { cwd: '/' } : {}) });
    children.postgres = child;
    opts.onSpawn?.('postgres', child);
    return child;
  };
  const waitForPostgres = async (): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const r = spawnSync(join(PG_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(ports.postgres)]);
      if (r.status === 0) return;
      await sleep(200);
    }
    throw new Error(`PostgreSQL did not accept connections on ${ports.postgres} within 30 s (see ${join(logs, 'postgres.log')})`);
  };
  startPostgres();
  await waitForPostgres();

  // The schemas: created once, brought up to the binaries' version on every start (a no-op when current).
  const sql = (db: string, ...args: string[]) =>
    run(binaries.sqlTool, ['--plugin', settings.DB!, '--ep', '127.0.0.1', '-p', String(ports.postgres), '-u', user, '--pw', password, '--db', db, ...args], `temporal-sql-tool ${db} ${args[0]}`);
  for (const [db, schema] of [[settings.DBNAME!, 'temporal'], [settings.VISIBILITY_DBNAME!, 'visibility']] as const) {
    const exists = spawnSync(binaries.sqlTool, ['--plugin', settings.DB!, '--ep', '127.0.0.1', '-p', String(ports.postgres), '-u', user, '--pw', password, '--db', db, 'update-schema', '-d', join(binaries.schemaDir, schema, 'versioned')], { encoding: 'utf8' });
    if (exists.status !== 0) {
      sql(db, 'create-database');
      sql(db, 'setup-schema', '-v', '0.0');
      sql(db, 'update-schema', '-d', join(binaries.schemaDir, schema, 'versioned'));
    }
  }

  // The four services, each a process of its own, from the embedded template and deploy/temporal.env.
  const serviceEnv: NodeJS.ProcessEnv = {
    ...settings,
    PATH: process.env.PATH,
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(ports.postgres),
    POSTGRES_PORT: String(ports.postgres),
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(ports.frontend),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.membership.frontend),
    HISTORY_GRPC_PORT: String(ports.history),
    HISTORY_MEMBERSHIP_PORT: String(ports.membership.history),
    MATCHING_GRPC_PORT: String(ports.matching),
    MATCHING_MEMBERSHIP_PORT: String(ports.membership.matching),
    WORKER_GRPC_PORT: String(ports.worker),
    WORKER_MEMBERSHIP_PORT: String(ports.membership.worker),
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
  };
  const startService = (service: TemporalService): ChildProcess => {
    const out = openSync(join(logs, `${service}.log`), 'a');
    const child = spawn(binaries.server, ['--allow-no-auth', 'start', '--service', service], {
      env: serviceEnv,
      stdio: ['ignore', out, out],
      detached: true,
    });
    children[service] = child;
    opts.onSpawn?.(service, child);
    return child;
  };
  // One at a time, each once its port is open: on a fresh database every service initialises the cluster's metadata
  // at start-up, and services racing to do so lose (one dies with "Failed to apply cluster metadata"). A service
  // that exits while starting is started again, twice at most.
  const grpcPort: Record<TemporalService, number> = { history: ports.history, matching: ports.matching, frontend: ports.frontend, worker: ports.worker };
  for (const service of TEMPORAL_SERVICES) {
    for (let attempt = 1; ; attempt++) {
      const child = startService(service);
      if (await portOpens(grpcPort[service], child, 90_000)) break;
      if (attempt >= 3) throw new Error(`Temporal ${service} did not start (see ${join(logs, `${service}.log`)})`);
      log(`${service} exited while starting; starting it again`);
    }
  }

  const address = `127.0.0.1:${ports.frontend}`;
  const connection = await connectWithRetry({ address }, 90_000);
  try {
    await ensureNamespace(connection, namespace, Number(settings.TEMPORAL_RETENTION_DAYS ?? 30));
    // SQL visibility registers them per namespace; a second start finds them.
    await ensureSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
  const startedInMs = Date.now() - started;

  const stopChild = async (name: string, signal: NodeJS.Signals, boundMs = 10_000): Promise<void> => {
    const child = children[name];
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), boundMs);
    await exited;
    clearTimeout(timer);
  };
  const answering = async (): Promise<void> => {
    const c = await connectWithRetry({ address }, 90_000);
    try {
      // The frontend answers before history owns its shards again: wait until history itself answers (a workflow
      // that does not exist is its NOT_FOUND; unavailable or a deadline is history still coming back).
      const deadline = Date.now() + 90_000;
      for (;;) {
        try {
          await c.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId: `cluster-probe-${Date.now()}` } });
          return;
        } catch (err) {
          if ((err as { code?: number }).code === grpcStatus.NOT_FOUND) return;
          if (Date.now() > deadline) throw err;
          await sleep(250);
        }
      }
    } finally {
      await c.close();
    }
  };

  return {
    address,
    namespace,
    ports,
    startedInMs,
    binaries,
    processes: () => ({ ...children }),
    async restartService(service, downMs = 2_000) {
      await stopChild(service, 'SIGKILL');
      await sleep(downMs);
      startService(service);
      await answering();
    },
    async restartPostgres(downMs = 2_000) {
      // Immediate shutdown: connections are cut as in a crash; the next start recovers from the WAL.
      run(join(PG_BIN, 'pg_ctl'), ['stop', '-D', pgData, '-m', 'immediate'], 'pg_ctl stop', pgUser);
      await new Promise<void>((r) => (children.postgres?.exitCode !== null ? r() : children.postgres.once('exit', () => r())));
      await sleep(downMs);
      startPostgres();
      await waitForPostgres();
      await answering();
    },
    async stop() {
      // The frontend first (no new calls), then the others together, then PostgreSQL (fast shutdown: SIGINT).
      await stopChild('frontend', 'SIGTERM', 5_000);
      await Promise.all((['matching', 'worker', 'history'] as const).map((service) => stopChild(service, 'SIGTERM', 5_000)));
      await stopChild('postgres', 'SIGINT', 10_000);
    },
  };
}

/** Registers the namespace when missing and waits until it takes calls (the frontend caches namespaces). */
async function ensureNamespace(connection: Connection, namespace: string, retentionDays: number): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch {
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
      });
    } catch (err) {
      if (!/already exists|AlreadyExists/i.test(String(err))) throw err;
    }
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`namespace ${namespace} did not become usable: ${String(err)}`);
      await sleep(500);
    }
  }
}
