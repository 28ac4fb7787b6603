// Lint that keeps the rooms apart and workflow code deterministic (see README, "How it is laid out").
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http',
  'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'url',
  'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', 'dist/**', 'coverage/**', 'test-results/**', 'api/pages/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no activity code (types only),
    // no I/O libraries.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.flatMap((m) => [
            { name: m, message: 'Node built-ins are not allowed in workflow or domain code' },
            { name: `node:${m}`, message: 'Node built-ins are not allowed in workflow or domain code' },
          ]),
          patterns: [
            {
              group: ['**/activities/*', '**/activities/**'],
              allowTypeImports: true,
              message: 'import activities into workflows by type only',
            },
            { group: ['**/api/**', '**/main/**', '**/storage/**', '**/sandbox/**'], message: 'workflows and domain stay pure' },
            { group: ['@temporalio/worker', '@temporalio/client', '@temporalio/activity', 'express', 'nodemailer'], message: 'no I/O in workflow or domain code' },
          ],
        },
      ],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@temporalio/*', '**/workflows/**', '**/activities/**'], message: 'domain/ is pure rules' }] },
      ],
    },
  },
  {
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/activities/**'], allowTypeImports: true, message: 'the API never imports activity code' }] },
      ],
    },
  },
);
