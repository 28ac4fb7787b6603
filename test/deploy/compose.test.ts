import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../../main/config.js';

// No Docker engine runs here, so the deployment file is checked as data: the variables our own services are given
// must be ones the config schema reads (a typo would be silently ignored at run time), and host ports must not clash.
interface Service {
  build?: unknown;
  image?: string;
  environment?: Record<string, unknown> | string[];
  ports?: string[];
  depends_on?: Record<string, unknown> | string[];
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

function envKeys(env: Service['environment']): string[] {
  if (!env) return [];
  return Array.isArray(env) ? env.map((e) => e.split('=')[0]!) : Object.keys(env);
}

describe('docker-compose.yml', () => {
  const ours = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

  it('builds the worker and the API from this repository', () => {
    expect(ours.map(([name]) => name).sort()).toEqual(['api', 'worker']);
  });

  it.each(ours)('%s sets only variables the config schema knows', (_name, service) => {
    const unknown = envKeys(service.environment).filter((k) => !CONFIG_VARIABLES.includes(k));
    expect(unknown).toEqual([]);
    expect(envKeys(service.environment)).toContain('TEMPORAL_ADDRESS');
  });

  it('publishes no host port twice', () => {
    const hostPorts = Object.values(compose.services).flatMap((s) => (s.ports ?? []).map((p) => String(p).split(':').slice(-2, -1)[0]));
    expect(hostPorts.length).toBeGreaterThan(0);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('publishes nothing but the API beyond this host (the frontend, UI and mail catcher take no login)', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const p of (s.ports ?? []).map(String)) {
        const parts = p.split(':');
        const exposed = parts.length < 3 || parts[0] !== '127.0.0.1';
        expect(exposed ? name : 'loopback', p).toBe(name === 'api' ? 'api' : 'loopback');
      }
    }
    expect(compose.services.temporal?.ports).toEqual(['127.0.0.1:7233:7233']);
    expect(compose.services['temporal-ui']?.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it('gives the API the signing keys and the worker only the public ones', () => {
    expect(envKeys(compose.services.api!.environment)).toContain('COMMAND_SIGNING_KEYS');
    expect(envKeys(compose.services.worker!.environment)).toContain('COMMAND_TRUSTED_KEYS');
    expect(envKeys(compose.services.worker!.environment)).not.toContain('COMMAND_SIGNING_KEYS');
  });

  it('depends only on services it defines', () => {
    for (const s of Object.values(compose.services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) expect(Object.keys(compose.services)).toContain(d);
    }
  });

  it('registers every search attribute the case workflow keeps', async () => {
    const { CASE_SEARCH_ATTRIBUTES } = await import('../../workflows/contract.js');
    const command = JSON.stringify(compose.services['temporal-search-attributes']);
    for (const a of CASE_SEARCH_ATTRIBUTES) expect(command).toContain(`--name ${a.name} --type ${a.cliType}`);
  });
});

describe('.env.example', () => {
  it('documents exactly the variables the config schema reads', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});

describe('README', () => {
  it('names every configuration variable', () => {
    const text = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(CONFIG_VARIABLES.filter((v) => !text.includes(`\`${v}\``))).toEqual([]);
  });

  it('starts with the two commands', () => {
    const text = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const firstBlock = /```bash\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    expect(firstBlock).toContain('npm ci && npm start');
    expect(firstBlock).toContain('npm test');
    expect(readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8')).toMatch(/npm ci[\s\S]*smoke[\s\S]*npm test/);
  });
});
