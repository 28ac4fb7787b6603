import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

// The lint rules that keep workflow code deterministic are part of the test run, so CI enforces them: the real
// workflow and rule code must pass, and a workflow that breaks the rules must be caught.
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

describe('lint of workflow and domain code', () => {
  it('passes on workflows/ and domain/', async () => {
    const results = await eslint.lintFiles(['workflows/**/*.ts', 'domain/**/*.ts']);
    const errors = results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(errors).toEqual([]);
  });

  it.each([
    ["import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'Node built-ins'],
    ["import { createActivities } from '../activities/index.js';\nexport const x = createActivities;\n", 'by type only'],
    ["import express from 'express';\nexport const x = express;\n", 'no I/O'],
    ['export async function f(): Promise<void> {\n  Promise.resolve(1);\n}\n', 'Promises must be awaited'],
  ])('catches a workflow that breaks the rules: %s', async (code, message) => {
    const [result] = await eslint.lintText(code, { filePath: 'workflows/incident-case.ts' });
    expect(result!.messages.map((m) => m.message).join('\n')).toContain(message);
  });
});
