// Lint that keeps the rooms apart and workflow code deterministic (README, "How it is laid out").
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const TABLE = 'README, "How it is laid out"';
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A relative import that lands in one of our top-level folders, from any depth: `../api/…`, `../../api/…`, `../api`. */
const into = (folder) => `^(?:\\.\\./)+${escape(folder)}(?:/|$)`;
/** A package and its subpaths: `express`, `express/lib/…`, but not `express-rate-limit`. */
const packages = (...names) => `^(?:${names.map(escape).join('|')})(?:/|$)`;

/** `node:anything`, or a built-in's bare name (`fs`, `fs/promises`, `crypto`, …) as this Node knows them. */
const NODE_BUILTINS = `^(?:node:|(?:${builtinModules.filter((m) => !m.startsWith('_')).map(escape).join('|')})(?:/|$))`;
const TEMPORAL = { regex: '^@temporalio/', what: 'Temporal' };
const TEMPORAL_IO = {
  regex: packages('@temporalio/worker', '@temporalio/client', '@temporalio/activity', '@temporalio/testing'),
  what: "Temporal's worker, client, activity or testing SDK (no I/O in workflow code)",
};
const IO = {
  regex: packages('express', 'express-rate-limit', 'helmet', 'nodemailer', 'mailparser', 'smtp-server', 'pino', 'pino-http', 'prom-client'),
  what: 'I/O libraries: HTTP (Express), mail, logging, metrics (no I/O here)',
};

/**
 * The one `no-restricted-imports` setting of a room, built from everything the room never imports (the last column
 * of the README's table). In flat config a later block's setting of a rule replaces an earlier one's wholesale, so
 * each file gets exactly one setting from here and no block sets the rule for files of another room (domain/ has two,
 * for disjoint files: its rules and its schemas).
 *
 * @param {string} room the folder
 * @param {object} never what the room never imports
 * @param {boolean} [never.builtins] Node built-ins (`fs`, `node:fs`, `fs/promises`, …)
 * @param {{ regex: string, what: string }[]} [never.packages] third-party or SDK packages
 * @param {string[]} [never.folders] our folders, by any relative path
 * @param {string[]} [never.typesOnly] our folders it imports by type only (`import type`), never code
 * @param {object[]} [never.patterns] further `no-restricted-imports` patterns, each with its own message
 */
function roomRule(room, { builtins = false, packages: pkgs = [], folders = [], typesOnly = [], patterns: extra = [] }) {
  const why = `(${TABLE})`;
  const patterns = [...extra];
  if (builtins) patterns.push({ regex: NODE_BUILTINS, message: `${room}/ never imports Node built-ins ${why}` });
  for (const p of pkgs) patterns.push({ regex: p.regex, message: `${room}/ never imports ${p.what} ${why}` });
  for (const folder of folders) patterns.push({ regex: into(folder), message: `${room}/ never imports ${folder}/ ${why}` });
  for (const folder of typesOnly) {
    patterns.push({ regex: into(folder), allowTypeImports: true, message: `${room}/ imports ${folder}/ by type only ${why}` });
  }
  return ['error', { patterns }];
}

const OURS = ['domain', 'workflows', 'activities', 'storage', 'lib', 'api', 'main', 'sandbox'];
const except = (...keep) => OURS.filter((f) => !keep.includes(f));

/**
 * The domain's zod schemas (domain/schemas.ts and a `*-schemas.ts` beside the rules each checks), and domain/index.ts,
 * which re-exports them with the rules. The rest of domain/ is domain/rules.ts, which workers preload once and share
 * across workflows (PRELOADED_WORKFLOW_MODULES in main/runtime.ts); the SDK freezes what a preloaded module exports,
 * and a frozen zod schema fails at its first parse.
 */
const DOMAIN_SCHEMA_FILES = ['domain/index.ts', 'domain/schemas.ts', 'domain/*-schemas.ts'];
const PRELOADED = 'PRELOADED_WORKFLOW_MODULES in main/runtime.ts';
const DOMAIN = { builtins: true, packages: [TEMPORAL, IO], folders: except('domain') };

/** The room table as enforced. `sandbox/` and `test/`, `bench/`, `scripts/` have no rule. */
const ROOMS = {
  // Pure rules: no Temporal, no Express or other I/O, no Node built-ins, nothing of ours but domain/. The rules (all but
  // DOMAIN_SCHEMA_FILES, which have the same setting less these patterns) build no zod schema, so they can be preloaded.
  domain: roomRule('domain', {
    ...DOMAIN,
    patterns: [
      {
        regex: packages('zod'),
        allowTypeImports: true,
        message: `domain/'s rules import zod by type only: they are preloaded into workflows (${PRELOADED}), where a zod schema built at preload is frozen and fails; schemas go in domain/schemas.ts or a *-schemas.ts`,
      },
      {
        regex: '^\\./(?:[a-z-]+-)?schemas\\.js$',
        allowTypeImports: true,
        message: `domain/'s rules import the schema modules by type only: they are preloaded into workflows (${PRELOADED}), where a zod schema built at preload is frozen and fails`,
      },
    ],
  }),
  // Temporal's deterministic sandbox: no Node built-ins, no I/O, activities by type only. The domain from its preloaded
  // rules, its schemas by type only (their values through workflows/preloaded/schemas.ts, built once per worker).
  workflows: roomRule('workflows', {
    builtins: true,
    packages: [TEMPORAL_IO, IO],
    folders: ['storage', 'lib', 'api', 'main', 'sandbox'],
    typesOnly: ['activities'],
    patterns: [
      {
        regex: '^(?:\\.\\./)+domain/index\\.js$',
        message: `workflows/ import the domain from domain/rules.js, preloaded once per worker (${PRELOADED}); domain/index.js would build its zod schemas again in every workflow task`,
      },
      {
        regex: '^(?:\\.\\./)+domain/(?:[a-z-]+-)?schemas\\.js$',
        allowTypeImports: true,
        message: `workflows/ import domain/'s schemas by type only: their values come from domainSchemas() (workflows/preloaded/schemas.ts), built once per worker rather than in every workflow task`,
      },
    ],
  }),
  activities: roomRule('activities', { folders: ['api', 'main', 'sandbox'] }),
  storage: roomRule('storage', { folders: ['workflows', 'activities', 'api', 'main', 'sandbox'] }),
  // Shared protocols: of ours only domain/ and storage/.
  lib: roomRule('lib', { folders: except('lib', 'domain', 'storage') }),
  // The front door: activities by type only, not even types from main/ (the API has its own settings type).
  api: roomRule('api', { folders: ['main', 'sandbox'], typesOnly: ['activities'] }),
  // The process room wires everything, but only the embedded default (main/start.ts, `npm start`) starts the
  // sandbox vendors and mail catcher: the production processes (worker, API) never import sandbox/.
  main: roomRule('main', { folders: ['sandbox'] }),
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', 'dist/**', 'coverage/**', 'test-results/**', 'api/pages/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // On, but a leading `_` marks a name kept on purpose: Express knows an error handler by its four parameters
      // (`_next`), handlers and route modules keep one signature (`_ctx`), `for (const _ of s)` counts, and
      // `{ kind: _kind, ...rest }` drops a key.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Off for tests only: response bodies (supertest's `body`, the stack's `json`, see test/support/json.ts) are
      // untyped JSON that assertions read field by field. Passing or returning such `any` stays an error.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  ...Object.entries(ROOMS).map(([room, rule]) => ({
    files: [`${room}/**/*.ts`],
    // main/start.ts is the embedded default: the one file of production that may import sandbox/ (see ROOMS.main).
    ...(room === 'main' ? { ignores: ['main/start.ts'] } : {}),
    ...(room === 'domain' ? { ignores: DOMAIN_SCHEMA_FILES } : {}),
    rules: { 'no-restricted-imports': rule },
  })),
  { files: DOMAIN_SCHEMA_FILES, rules: { 'no-restricted-imports': roomRule('domain', DOMAIN) } },
);
