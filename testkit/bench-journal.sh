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

if [ -z "${SKIP_BUILD:-}" ]; then
  # shellcheck disable=SC2086
  mvn -B -q ${MVN_ARGS:-} -pl testkit -am test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
fi
CP="testkit/target/test-classes:testkit/target/classes:$(cat testkit/target/bench.cp)"
mkdir -p testkit/target/bench
OUT="testkit/target/bench/journal-$(date +%Y%m%d-%H%M%S).out"
java -Xmx2g -cp "$CP" -Dchanges="${CHANGES:-200000}" -Dkeys="${KEYS:-50000}" -Dwarmup="${WARMUP:-1}" -Druns="${RUNS:-3}" -Dhmac="${HMAC:-false}" "$@" \
    dev.pando.it.bench.JournalDrainBenchmark | grep -v '^admin token' | tee "$OUT"
tail -n 1 "$OUT" > "${OUT%.out}.json"
