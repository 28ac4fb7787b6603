import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

// The lint rules that keep the rooms apart (README, "How it is laid out") and workflow code deterministic are part of
// the test run, so CI enforces them: the real code must pass, and an import that breaks a room's rule must be caught.
const cwd = new URL('../..', import.meta.url).pathname;
const eslint = new ESLint({ cwd });
// The same config without type information (and so without the type-checked rules): the room rules look only at
// import paths, so snippets can be linted at paths that do not exist and whole folders in a second or two.
const importsOnly = new ESLint({
  cwd,
  overrideConfig: { files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked },
});

const ROOMS = ['domain', 'workflows', 'activities', 'storage', 'lib', 'api', 'main', 'sandbox'];

async function importErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await importsOnly.lintText(`${code}\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2).map((m) => m.message);
}

describe('lint of workflow and domain code', () => {
  it('passes on workflows/ and domain/', async () => {
    const results = await eslint.lintFiles(['workflows/**/*.ts', 'domain/**/*.ts']);
    const errors = results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(errors).toEqual([]);
  });

  it('catches a floating promise in a workflow', async () => {
    const [result] = await eslint.lintText('export async function f(): Promise<void> {\n  Promise.resolve(1);\n}\n', {
      filePath: 'workflows/incident-case.ts',
    });
    expect(result!.messages.map((m) => m.message).join('\n')).toContain('Promises must be awaited');
  });
});

describe('lint of the rooms: what each folder never imports', () => {
  it('every room keeps to its imports today', async () => {
    const results = await importsOnly.lintFiles(ROOMS.map((r) => `${r}/**/*.ts`));
    expect(results.length).toBeGreaterThan(50);
    const errors = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}:${m.line} ${m.message}`),
    );
    expect(errors).toEqual([]);
  });

  // [file in the room, import, what the message says]
  it.each<[string, string, string]>([
    // domain/: pure rules. The domain block used to replace the shared one, so built-ins and Express passed here.
    ['domain/probe.ts', "import { readFileSync } from 'node:fs';", 'domain/ never imports Node built-ins'],
    ['domain/probe.ts', "import { createHash } from 'crypto';", 'domain/ never imports Node built-ins'],
    ['domain/probe.ts', "import { defineQuery } from '@temporalio/workflow';", 'domain/ never imports Temporal'],
    ['domain/probe.ts', "import type { Client } from '@temporalio/client';", 'domain/ never imports Temporal'],
    ['domain/probe.ts', "import express from 'express';", 'domain/ never imports I/O libraries'],
    ['domain/probe.ts', "import nodemailer from 'nodemailer';", 'domain/ never imports I/O libraries'],
    ['domain/probe.ts', "import { policyWorkflowId } from '../workflows/contract.js';", 'domain/ never imports workflows/'],
    ['domain/probe.ts', "import type { CaseActivities } from '../activities/contract.js';", 'domain/ never imports activities/'],
    ['domain/probe.ts', "import { createBlobStore } from '../storage/blob-store.js';", 'domain/ never imports storage/'],
    ['domain/probe.ts', "import { signWebhook } from '../lib/webhook-signature.js';", 'domain/ never imports lib/'],
    ['domain/probe.ts', "import { buildApp } from '../api/app.js';", 'domain/ never imports api/'],
    ['domain/probe.ts', "import { loadConfig } from '../main/config.js';", 'domain/ never imports main/'],
    ['domain/probe.ts', "import { startSandbox } from '../sandbox/vendor-service.js';", 'domain/ never imports sandbox/'],
    // domain/'s rules are preloaded into workflows: no zod schema among them.
    ['domain/probe.ts', "import { z } from 'zod';", "domain/'s rules import zod by type only"],
    ['domain/probe.ts', "import { IsoDateTimeSchema } from './schemas.js';", "domain/'s rules import the schema modules by type only"],
    ['domain/probe.ts', "import { DataItemSchema } from './vocabulary-schemas.js';", "domain/'s rules import the schema modules by type only"],
    ['domain/probe-schemas.ts', "import { readFileSync } from 'node:fs';", 'domain/ never imports Node built-ins'],
    // workflows/: Temporal's deterministic sandbox.
    ['workflows/probe.ts', "import { readFileSync } from 'node:fs';", 'workflows/ never imports Node built-ins'],
    ['workflows/probe.ts', "import { readFile } from 'fs/promises';", 'workflows/ never imports Node built-ins'],
    ['workflows/probe.ts', "import { createActivities } from '../activities/index.js';", 'workflows/ imports activities/ by type only'],
    ['workflows/case/probe.ts', "import { renderEmail } from '../../activities/email/render.js';", 'workflows/ imports activities/ by type only'],
    ['workflows/probe.ts', "import { Worker } from '@temporalio/worker';", "workflows/ never imports Temporal's worker"],
    ['workflows/probe.ts', "import { Client } from '@temporalio/client';", "workflows/ never imports Temporal's worker"],
    ['workflows/probe.ts', "import { Context } from '@temporalio/activity';", "workflows/ never imports Temporal's worker"],
    ['workflows/probe.ts', "import express from 'express';", 'no I/O here'],
    ['workflows/probe.ts', "import nodemailer from 'nodemailer';", 'no I/O here'],
    ['workflows/probe.ts', "import { buildApp } from '../api/app.js';", 'workflows/ never imports api/'],
    ['workflows/probe.ts', "import { loadConfig } from '../main/config.js';", 'workflows/ never imports main/'],
    ['workflows/probe.ts', "import type { BlobStore } from '../storage/blob-store.js';", 'workflows/ never imports storage/'],
    ['workflows/probe.ts', "import { startSandbox } from '../sandbox/vendor-service.js';", 'workflows/ never imports sandbox/'],
    ['workflows/probe.ts', "import { signWebhook } from '../lib/webhook-signature.js';", 'workflows/ never imports lib/'],
    ['workflows/probe.ts', "import { grantDraw } from '../domain/index.js';", 'workflows/ import the domain from domain/rules.js'],
    ['workflows/probe.ts', "import type { PolicyRecord } from '../domain/index.js';", 'workflows/ import the domain from domain/rules.js'],
    ['workflows/case/probe.ts', "import { NoteBodySchema } from '../../domain/schemas.js';", "workflows/ import domain/'s schemas by type only"],
    ['workflows/case/probe.ts', "import { DataItemSchema } from '../../domain/vocabulary-schemas.js';", "workflows/ import domain/'s schemas by type only"],
    // activities/
    ['activities/probe.ts', "import { buildApp } from '../api/app.js';", 'activities/ never imports api/'],
    ['activities/email/probe.ts', "import { HttpProblem } from '../../api/problem.js';", 'activities/ never imports api/'],
    ['activities/probe.ts', "import { loadConfig } from '../main/config.js';", 'activities/ never imports main/'],
    ['activities/probe.ts', "import { startSandbox } from '../sandbox/vendor-service.js';", 'activities/ never imports sandbox/'],
    // storage/
    ['storage/probe.ts', "import { buildApp } from '../api/app.js';", 'storage/ never imports api/'],
    ['storage/probe.ts', "import { createActivities } from '../activities/index.js';", 'storage/ never imports activities/'],
    ['storage/probe.ts', "import type { DrawGrant } from '../workflows/policy-ledger-contract.js';", 'storage/ never imports workflows/'],
    ['storage/probe.ts', "import { loadConfig } from '../main/config.js';", 'storage/ never imports main/'],
    ['storage/probe.ts', "import { startSandbox } from '../sandbox/vendor-service.js';", 'storage/ never imports sandbox/'],
    // lib/: of ours only domain/ and storage/.
    ['lib/probe.ts', "import { buildApp } from '../api/app.js';", 'lib/ never imports api/'],
    ['lib/probe.ts', "import { createActivities } from '../activities/index.js';", 'lib/ never imports activities/'],
    ['lib/probe.ts', "import { policyWorkflowId } from '../workflows/contract.js';", 'lib/ never imports workflows/'],
    ['lib/probe.ts', "import { loadConfig } from '../main/config.js';", 'lib/ never imports main/'],
    ['lib/probe.ts', "import { startSandbox } from '../sandbox/vendor-service.js';", 'lib/ never imports sandbox/'],
    // api/
    ['api/probe.ts', "import { createActivities } from '../activities/index.js';", 'api/ imports activities/ by type only'],
    ['api/probe.ts', "import { startWorker } from '../main/runtime.js';", 'api/ never imports main/'],
    ['api/probe.ts', "import type { RunningWorker } from '../main/runtime.js';", 'api/ never imports main/'],
    ['api/probe.ts', "import type { Config } from '../main/config.js';", 'api/ never imports main/'],
    ['api/probe.ts', "import { startSandbox } from '../sandbox/vendor-service.js';", 'api/ never imports sandbox/'],
    // main/: only the embedded default (main/start.ts) starts the sandbox.
    ['main/worker.ts', "import { startMailCatcher } from '../sandbox/mail-catcher.js';", 'main/ never imports sandbox/'],
    ['main/api.ts', "import { startSandbox } from '../sandbox/vendor-service.js';", 'main/ never imports sandbox/'],
  ])('%s: %s is an error', async (filePath, code, message) => {
    const errors = await importErrors(code, filePath);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });

  it.each<[string, string]>([
    ['domain/probe-schemas.ts', "import { z } from 'zod';"],
    ['domain/probe-schemas.ts', "import { IsoDateTimeSchema } from './schemas.js';"],
    ['domain/probe.ts', "import type { Policy } from './schemas.js';"],
    ['domain/probe.ts', "import { formatYen } from './format.js';"],
    ['workflows/probe.ts', "import type { CaseActivities } from '../activities/contract.js';"],
    ['workflows/case/probe.ts', "import { type EmailMessage } from '../../activities/email/render.js';"],
    ['workflows/probe.ts', "import { defineQuery } from '@temporalio/workflow';"],
    ['workflows/probe.ts', "import { grantDraw } from '../domain/rules.js';"],
    ['workflows/case/probe.ts', "import type { NoteBody } from '../../domain/schemas.js';"],
    ['workflows/probe.ts', "import { drawUpdate } from './policy-ledger-contract.js';"],
    ['activities/probe.ts', "import { drawUpdate } from '../workflows/policy-ledger-contract.js';"],
    ['activities/probe.ts', "import { readFile } from 'node:fs/promises';"],
    ['activities/probe.ts', "import { createBlobStore } from '../storage/blob-store.js';"],
    ['storage/probe.ts', "import { COST_CATEGORIES } from '../domain/vocabulary.js';"],
    ['storage/probe.ts', "import { createCipheriv } from 'node:crypto';"],
    ['lib/probe.ts', "import { COST_CATEGORIES } from '../domain/vocabulary.js';"],
    ['lib/probe.ts', "import type { Keyring } from '../storage/crypto.js';"],
    ['lib/probe.ts', "import express from 'express';"],
    ['api/probe.ts', "import type { CaseActivities } from '../activities/contract.js';"],
    ['api/probe.ts', "import { policyQuery } from '../workflows/policy-ledger-contract.js';"],
    ['api/probe.ts', "import { createBlobStore } from '../storage/blob-store.js';"],
    ['main/worker.ts', "import { createActivities } from '../activities/index.js';"],
    ['main/start.ts', "import { startSandbox } from '../sandbox/vendor-service.js';"],
    ['sandbox/probe.ts', "import { signWebhook } from '../lib/webhook-signature.js';"],
  ])('%s: %s is allowed', async (filePath, code) => {
    expect(await importErrors(code, filePath)).toEqual([]);
  });
});
