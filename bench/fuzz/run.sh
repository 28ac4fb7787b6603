#!/usr/bin/env bash
# The hostile-input run of issue 8.3 at full size: schemathesis (installed by bench/fuzz/install.sh into .tools/py)
# against a real stack (test/support/stack.ts) with every role's key, all three generation phases (schema examples,
# coverage of every boundary, property-based fuzzing), a fixed seed, every response within FUZZ_MAX_RESPONSE_TIME
# seconds (default 10). Prints the request count per role. FUZZ_WORKER_CACHE=500 gives the worker a workflow cache,
# to compare response times with the default (no cache; README, "Known limitation").
#
#   bash bench/fuzz/run.sh [examples-per-operation (default 6)] [seed]
#
# `npm test` runs the same file with the examples and a short fuzzing phase only. Every operation of /openapi.json
# is fuzzed (the call centre's FAQ and `engage-vendor` included); FUZZ_INCLUDE_PATH='<path regex>' narrows a short
# check to some, e.g. FUZZ_INCLUDE_PATH='faq|engage-vendor' bash bench/fuzz/run.sh 4.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash bench/fuzz/install.sh
FUZZ_EXAMPLES="${1:-6}" FUZZ_SEED="${2:-20261126}" FUZZ_PHASES="${FUZZ_PHASES:-examples,coverage,fuzzing}" \
  FUZZ_MAX_RESPONSE_TIME="${FUZZ_MAX_RESPONSE_TIME:-10}" \
  npx vitest run test/security/fuzz.test.ts --reporter=verbose
