#!/usr/bin/env bash
# Worker CPU seconds per case driven through examples/walkthrough.sh (issue 12): starts `npm start` on a fresh data
# folder, runs the walkthrough CASES times (each a case from report to closed, the walkthrough's own reads included),
# and prints the worker process's CPU time (user + system, from /proc) per case and the API's likewise.
#   bash bench/worker-cpu.sh [CASES]        (default 5; needs ports 3000, 4010, 7233, 8233 free)
set -euo pipefail
CASES=${1:-5}
export DATA_DIR=${DATA_DIR:-$(mktemp -d /tmp/worker-cpu-XXXXXX)}
LOG=$DATA_DIR/start.log
# main/start.ts itself, not `npm start`: npm does not pass the trap's SIGINT on, and the stack would outlive the run.
node scripts/setup.mjs >/dev/null
node --import tsx main/start.ts >"$LOG" 2>&1 &
START=$!
trap 'kill -INT $START 2>/dev/null; wait $START 2>/dev/null || true' EXIT
until curl -sf http://127.0.0.1:3000/readyz >/dev/null 2>&1; do sleep 1; done
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$(cat "$DATA_DIR/run/$1.pid")/stat"; }
sleep 3
W0=$(cpu worker); A0=$(cpu api); T0=$(date +%s.%N)
for i in $(seq "$CASES"); do bash examples/walkthrough.sh >/dev/null; done
sleep 3
W1=$(cpu worker); A1=$(cpu api); T1=$(date +%s.%N)
awk -v w0="$W0" -v w1="$W1" -v a0="$A0" -v a1="$A1" -v n="$CASES" -v t0="$T0" -v t1="$T1" 'BEGIN {
  printf "cases %d, wall %.1f s\nworker CPU %.2f s in all, %.3f s per case\napi CPU %.2f s in all, %.3f s per case\n",
    n, t1 - t0, w1 - w0, (w1 - w0) / n, a1 - a0, (a1 - a0) / n }'
