import { defineConfig } from 'vitest/config';

// Servers (Temporal dev server, time-skipping server, SMTP sink, sandbox vendors) start once per run in the
// global setup; test files share them through `inject()` and keep apart by unique task queues and ids.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/runtime.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
