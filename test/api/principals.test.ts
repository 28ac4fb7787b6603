import { createHash } from 'node:crypto';
import { mkdtemp, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrincipalsFileError, loadPrincipals, writeDevelopmentPrincipals } from '../../api/principals.js';

async function tempFile(content: unknown): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'bc-principals-')), 'principals.json');
  await writeFile(file, JSON.stringify(content));
  return file;
}

describe('principals file', () => {
  it('authenticates plain and hashed keys, and nothing else', async () => {
    const hashed = 'a-key-stored-only-as-a-hash-0001';
    const file = await tempFile([
      { key: 'plain-key-0123456789abcdef', role: 'handler', name: 'h', authorityLimitJpy: 1000 },
      { keySha256: createHash('sha256').update(hashed).digest('hex'), role: 'insured', name: 'i', insuredId: 'ins-9' },
    ]);
    const dir = loadPrincipals(file);
    expect(dir.authenticate('plain-key-0123456789abcdef')).toMatchObject({ name: 'h', role: 'handler', authorityLimitJpy: 1000 });
    expect(dir.authenticate(hashed)).toMatchObject({ name: 'i', role: 'insured', insuredId: 'ins-9' });
    expect(dir.authenticate('plain-key-0123456789abcdeX')).toBeUndefined();
    expect(dir.authenticate('')).toBeUndefined();
    expect(dir.byName('h')?.role).toBe('handler');
  });

  it('refuses a bad file at load, listing every problem and never a key', async () => {
    const file = await tempFile([
      { key: 'short', role: 'insured', name: 'x' },
      { key: 'long-enough-key-0123456789', role: 'wizard', name: 'x' },
    ]);
    let error: unknown;
    try {
      loadPrincipals(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PrincipalsFileError);
    const message = (error as Error).message;
    expect(message).toContain('0.key');
    expect(message).toContain('0.insuredId');
    expect(message).toContain('1.role');
    expect(message).not.toContain('long-enough-key-0123456789');

    const dup = await tempFile([
      { key: 'first-key-0123456789abcdef', role: 'ops', name: 'same' },
      { key: 'other-key-0123456789abcdef', role: 'admin', name: 'same' },
    ]);
    expect(() => loadPrincipals(dup)).toThrow(/1\.name: duplicate name same/);
  });

  it('picks up a removed key without a restart (mtime checked at most once a second)', async () => {
    const keep = { key: 'keep-key-0123456789abcdef', role: 'ops', name: 'ops' };
    const drop = { key: 'drop-key-0123456789abcdef', role: 'admin', name: 'admin' };
    const file = await tempFile([keep, drop]);
    let now = 1_000_000;
    const dir = loadPrincipals(file, { now: () => now });
    expect(dir.authenticate(drop.key)?.name).toBe('admin');

    await writeFile(file, JSON.stringify([keep]));
    const later = new Date((await stat(file)).mtimeMs + 5000);
    await utimes(file, later, later);
    now += 500;
    expect(dir.authenticate(drop.key)?.name).toBe('admin');
    now += 600;
    expect(dir.authenticate(drop.key)).toBeUndefined();
    expect(dir.authenticate(keep.key)?.name).toBe('ops');

    // A half-written file keeps the last good list rather than locking everyone out.
    const errors: Error[] = [];
    const dir2 = loadPrincipals(file, { now: () => now, onReloadError: (e) => errors.push(e) });
    await writeFile(file, '[{"key": "');
    await utimes(file, new Date(later.getTime() + 5000), new Date(later.getTime() + 5000));
    now += 1500;
    expect(dir2.authenticate(keep.key)?.name).toBe('ops');
    expect(errors).toHaveLength(1);
  });

  it('writes development principals with mode 0600 and one key per role and sample insured', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'bc-dev-')), 'nested', 'principals.json');
    const list = await writeDevelopmentPrincipals(file);
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    expect(list.map((p) => p.role).sort()).toEqual(['admin', 'handler', 'insured', 'insured', 'ops', 'supervisor']);
    expect(list.find((p) => p.role === 'handler')?.authorityLimitJpy).toBe(1_000_000);
    expect(list.find((p) => p.role === 'supervisor')?.authorityLimitJpy).toBe(50_000_000);
    expect(list.filter((p) => p.role === 'insured').map((p) => p.insuredId)).toEqual(['ins-001', 'ins-002']);
    expect(new Set(list.map((p) => p.key)).size).toBe(6);
    const dir = loadPrincipals(file);
    for (const p of list) expect(dir.authenticate(p.key)?.name).toBe(p.name);
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveLength(6);
  });
});
