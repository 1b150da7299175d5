#!/usr/bin/env bash
# Journal drain rate for issue #16 (docs/benchmarks.md, "Journal drain"): a node on RocksDB filled
# with CHANGES writes while the journal is off, then restarted with the journal on; prints the
# entries journaled per second until it has caught up, RUNS times (testkit's JournalDrainBenchmark).
#
#   testkit/bench-journal.sh                  # 200,000 changes over 50,000 keys, 3 runs
#   HMAC=true testkit/bench-journal.sh        # the journal chained with an HMAC key
#
# SKIP_BUILD=1 reuses the last build; MVN_ARGS="-o" builds offline; CHANGES, KEYS, WARMUP (runs not
# counted, default 1) and RUNS size it. The last line printed is the whole result as JSON; it is
# also kept in testkit/target/bench/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

# shellcheck source=testkit/bench-common.sh
source testkit/bench-common.sh
run_testkit_bench journal dev.pando.it.bench.JournalDrainBenchmark \
    -Dchanges="${CHANGES:-200000}" -Dkeys="${KEYS:-50000}" -Dwarmup="${WARMUP:-1}" -Druns="${RUNS:-3}" -Dhmac="${HMAC:-false}" "$@"
