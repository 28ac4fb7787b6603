import { DefaultLogger, Runtime } from '@temporalio/worker';

// Quiet the SDK's own logging in tests; install once per test process.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}
