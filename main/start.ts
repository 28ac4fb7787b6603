/**
 * `npm start`: the whole product on one machine. Without TEMPORAL_ADDRESS it runs the embedded default: the
 * Temporal CLI dev server on a SQLite file under DATA_DIR, a mail catcher writing .eml files, the sandbox vendors,
 * and then the worker and the API as child processes (restarted if they die). With TEMPORAL_ADDRESS it embeds no
 * server and only runs the worker and the API against it, as production does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { loadConfig, ConfigError, type Config } from './config.js';
import { startDevServer, temporalBinaries, type DevServer } from './temporal.js';
import { prepareRuntimeFiles } from './runtime.js';
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
  child: ChildProcess | undefined;
  restarts: number;
}

function log(message: string): void {
  console.log(`[start] ${message}`);
}

async function main(): Promise<void> {
  const config: Config = loadConfig();
  const embedded = config.embedded;
  const sandboxed = !config.VENDORS_FILE;
  const catching = !config.SMTP_HOST;

  await refuseTakenPorts([
    { port: config.PORT, what: 'API', variable: 'PORT' },
    ...(embedded
      ? [
          { port: config.TEMPORAL_EMBEDDED_PORT, what: 'Temporal dev server', variable: 'TEMPORAL_EMBEDDED_PORT' },
          { port: config.TEMPORAL_UI_PORT, what: 'Temporal UI', variable: 'TEMPORAL_UI_PORT' },
        ]
      : []),
    ...(catching ? [{ port: config.SMTP_PORT, what: 'mail catcher', variable: 'SMTP_PORT' }] : []),
    ...(sandboxed ? [{ port: config.SANDBOX_PORT, what: 'sandbox vendors', variable: 'SANDBOX_PORT' }] : []),
  ]);

  const files = await prepareRuntimeFiles(config);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: config.dataDir };
  let temporal: DevServer | undefined;
  let catcher: MailCatcher | undefined;
  let sandbox: VendorSandbox | undefined;
  const supervised: Supervised[] = [];
  let stopping = false;

  async function stopAll(code: number): Promise<never> {
    stopping = true;
    log('stopping');
    await Promise.all(
      supervised.map(
        (s) =>
          new Promise<void>((done) => {
            const child = s.child;
            if (!child || child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await sandbox?.close().catch(() => undefined);
    await catcher?.close().catch(() => undefined);
    await temporal?.stop();
    log('stopped');
    process.exit(code);
  }
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  try {
    if (embedded) {
      const started = Date.now();
      temporal = await startDevServer({
        cli: temporalBinaries(config).cli,
        port: config.TEMPORAL_EMBEDDED_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: join(config.dataDir, 'temporal', 'temporal.db'),
        namespace: config.TEMPORAL_NAMESPACE,
        uiCodecEndpoint: `http://127.0.0.1:${config.PORT}/codec`,
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
        vendors: vendors.map((v) => ({ vendorId: v.vendorId, role: v.role, secret: v.secrets })),
        webhookUrl: (vendorId) => `http://127.0.0.1:${config.PORT}/v1/webhooks/vendors/${encodeURIComponent(vendorId)}`,
      });
      childEnv.PAYMENTS_BASE_URL ??= sandbox.url;
    }
  } catch (err) {
    console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1);
  }

  function supervise(name: string, entry: string): Supervised {
    const s: Supervised = { name, child: undefined, restarts: 0 };
    const launch = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], {
        env: childEnv,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      s.child = child;
      // Operators (and the smoke test) find the processes here, e.g. to kill the worker and watch it come back.
      writeFileSync(join(runDir, `${name}.pid`), String(child.pid ?? ''));
      child.once('exit', (code, signal) => {
        if (stopping) return;
        s.restarts += 1;
        const delay = Math.min(30_000, 1_000 * 2 ** Math.min(s.restarts - 1, 5));
        log(`${name} exited (${signal ?? code}); restarting in ${delay} ms`);
        setTimeout(() => {
          if (!stopping) launch();
        }, delay);
      });
    };
    launch();
    supervised.push(s);
    return s;
  }

  const runDir = join(config.dataDir, 'run');
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'start.pid'), String(process.pid));
  if (temporal?.process.pid) writeFileSync(join(runDir, 'temporal.pid'), String(temporal.process.pid));
  supervise('worker', 'main/worker.ts');
  supervise('api', 'main/api.ts');

  const lines = [
    '',
    'breach-claims is starting:',
    `  API            http://127.0.0.1:${config.PORT}   (docs: /docs, OpenAPI: /openapi.json)`,
    temporal?.uiUrl ? `  Temporal UI    ${temporal.uiUrl}` : `  Temporal       ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE})`,
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
