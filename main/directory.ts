import { readFileSync, statSync } from 'node:fs';
import type { Directory } from '../activities/index.js';

interface Entry {
  name?: unknown;
  role?: unknown;
  email?: unknown;
}

/**
 * Principals' e-mail addresses for the worker, from the same PRINCIPALS_FILE the API authenticates against (keys
 * are not read here). Re-read when the file changes, so a new handler gets mail without a restart.
 */
export function directoryFromPrincipalsFile(file: string): Directory {
  let mtime = -1;
  let entries: { name: string; role: string; email: string }[] = [];
  function current() {
    const m = statSync(file).mtimeMs;
    if (m !== mtime) {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as Entry[];
      entries = raw.flatMap((e) =>
        typeof e.name === 'string' && typeof e.role === 'string' && typeof e.email === 'string'
          ? [{ name: e.name, role: e.role, email: e.email }]
          : [],
      );
      mtime = m;
    }
    return entries;
  }
  return {
    emailOf(name) {
      const e = current().find((p) => p.name === name);
      return e ? { name: e.name, email: e.email } : undefined;
    },
    withRole(role) {
      return current()
        .filter((p) => p.role === role)
        .map((p) => ({ name: p.name, email: p.email }));
    },
  };
}
