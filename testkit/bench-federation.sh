#!/usr/bin/env bash
# Federation figures for issue #15 (docs/benchmarks.md, "Federation"): a hub and leaves on
# loopback in one JVM (testkit's FederationBenchmark): propagation latency leaf a -> hub -> leaf b
# at a steady rate and at saturation, the time a new leaf takes to sync KEYS keys, and the catch-up
# of a leaf that was down PARTITION seconds under load. ~2 minutes on 2 cores with the defaults.
#
#   testkit/bench-federation.sh                               # everything
#   PARTS=latency,catchup testkit/bench-federation.sh         # some parts (latency, saturation, snapshot, catchup)
#   testkit/bench-federation.sh -Dset.federation.batch-size=100   # extra JVM options, e.g. a node setting on every node
#
# SKIP_BUILD=1 reuses the last build; MVN_ARGS="-o" builds offline; DURATION, RATE, SATURATION,
# WINDOW, KEYS, PARTITION, WARMUP size the runs (defaults 20 s, 1000/s, 10 s, 64, 100000, 10 s, 5 s).
# The last line printed is the whole result as JSON; it is also kept in testkit/target/bench/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

# shellcheck source=testkit/bench-common.sh
source testkit/bench-common.sh
run_testkit_bench federation dev.pando.it.bench.FederationBenchmark \
    -Dparts="${PARTS:-latency,saturation,snapshot,catchup}" -Dduration="${DURATION:-20}" -Drate="${RATE:-1000}" \
    -Dsaturation="${SATURATION:-10}" -Dwindow="${WINDOW:-64}" -Dkeys="${KEYS:-100000}" \
    -Dpartition="${PARTITION:-10}" -Dwarmup="${WARMUP:-5}" "$@"
