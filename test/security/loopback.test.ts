import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, temporalBinaries, type DevServer } from '../../main/temporal.js';
import { freePort } from '../support/ports.js';

// The embedded Temporal dev server takes no login: its frontend and UI must be reachable from this machine only.
// Read from the kernel (/proc), not from our own flags: every socket the server process listens on is loopback.

let dev: DevServer;

beforeAll(async () => {
  dev = await startDevServer({
    cli: temporalBinaries({ TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH: undefined }).cli,
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
  });
});
afterAll(async () => {
  await dev?.stop();
});

/** Listening TCP sockets of a process, as "address:port" with the address in the kernel's hex (little-endian for v4). */
function listeners(pid: number): { address: string; port: number }[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // a descriptor closed while we looked
    }
  }
  const out: { address: string; port: number }[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue;
      const [address, port] = f[1]!.split(':');
      out.push({ address: address!, port: parseInt(port!, 16) });
    }
  }
  return out;
}

const LOOPBACK = new Set(['0100007F', '00000000000000000000000001000000', '0000000000000000FFFF00000100007F']);

describe('the embedded Temporal dev server', () => {
  it('listens on loopback only: frontend, UI and every other port', () => {
    const found = listeners(dev.process.pid!);
    expect(found.map((l) => l.port)).toEqual(expect.arrayContaining([Number(dev.address.split(':')[1])]));
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(found.filter((l) => !LOOPBACK.has(l.address))).toEqual([]);
  });
});
