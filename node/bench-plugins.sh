#!/usr/bin/env bash
# Plugin benchmarks (docs/benchmarks.md, "Plugins"): JMH benchmarks in
# node/src/test/java/dev/pando/node/bench/jmh plus the reload harness. Builds the test classes and
# the test classpath first (no install, no package needed), then runs from the repository root.
#
#   node/bench-plugins.sh                 # everything below, in order (~12 minutes on 2 cores)
#   node/bench-plugins.sh call            # native vs compiled vs interpreted WASM handler, 1 and 2 threads, memory store
#   node/bench-plugins.sh call-rocksdb    # the same handler over RocksDB (native and compiled WASM)
#   node/bench-plugins.sh call-nostore    # diagnosis: the same calls without a StateStore (no commit-thread handoff)
#   node/bench-plugins.sh hostcall        # ns per host-function call
#   node/bench-plugins.sh swap            # HandlerRegistry swap of one plugin's ops
#   node/bench-plugins.sh reload          # PluginManager.reload swapMicros over 300 reloads (alone, then with 1 caller thread)
#   node/bench-plugins.sh load            # WasmPlugin.load of the handler module, warmed up
#   node/bench-plugins.sh load-cold       # the same, first load in 5 fresh JVMs
#   node/bench-plugins.sh jmh ARGS...     # JMH directly, e.g. jmh PluginCallBenchmark -p kind=native -t 2
#
# SKIP_BUILD=1 reuses the last build; MVN_ARGS="-o" builds offline. JMH results (JSON) go to
# node/target/bench/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

if [ -z "${SKIP_BUILD:-}" ]; then
  # shellcheck disable=SC2086
  mvn -B -q ${MVN_ARGS:-} -pl node -am test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
fi
CP="node/target/test-classes:node/target/classes:$(cat node/target/bench.cp)"
OUT=node/target/bench
mkdir -p "$OUT"
# Modest runs: 3 x 2 s warm-up, 5 x 2 s measured, one fork (each benchmark class sets -Xmx2g).
RUN=(-wi 3 -i 5 -f 1 -w 2s -r 2s)

jmh() { java -cp "$CP" org.openjdk.jmh.Main "$@"; }

run() {
  case "$1" in
    call)
      jmh PluginCallBenchmark "${RUN[@]}" -t 1 -rf json -rff "$OUT/call-t1.json"
      jmh PluginCallBenchmark "${RUN[@]}" -t 2 -rf json -rff "$OUT/call-t2.json" ;;
    call-rocksdb)
      jmh PluginCallBenchmark "${RUN[@]}" -p store=rocksdb -p kind=native,wasm-compiled -t 1 -rf json -rff "$OUT/call-rocksdb-t1.json"
      jmh PluginCallBenchmark "${RUN[@]}" -p store=rocksdb -p kind=native,wasm-compiled -t 2 -rf json -rff "$OUT/call-rocksdb-t2.json" ;;
    call-nostore)
      jmh PluginCallBenchmark "${RUN[@]}" -p store=host-memory -t 1 -rf json -rff "$OUT/call-nostore-t1.json"
      jmh PluginCallBenchmark "${RUN[@]}" -p store=host-memory -t 2 -rf json -rff "$OUT/call-nostore-t2.json" ;;
    hostcall)
      jmh HostCallBenchmark "${RUN[@]}" -rf json -rff "$OUT/hostcall.json" ;;
    swap)
      jmh HandlerSwapBenchmark "${RUN[@]}" -rf json -rff "$OUT/swap.json" ;;
    reload)
      java -Xmx2g -cp "$CP" dev.pando.node.bench.jmh.ReloadSwapHarness 300 50 0
      java -Xmx2g -cp "$CP" dev.pando.node.bench.jmh.ReloadSwapHarness 300 50 1 ;;
    load)
      jmh WasmLoadBenchmark "${RUN[@]}" -rf json -rff "$OUT/load.json" ;;
    load-cold)
      jmh WasmLoadBenchmark -bm ss -tu ms -wi 0 -i 1 -f 5 -rf json -rff "$OUT/load-cold.json" ;;
    *)
      echo "unknown benchmark '$1' (call, call-rocksdb, call-nostore, hostcall, swap, reload, load, load-cold, jmh ARGS...)" >&2
      exit 2 ;;
  esac
}

if [ $# -eq 0 ]; then
  for b in call call-rocksdb call-nostore hostcall swap reload load load-cold; do run "$b"; done
elif [ "$1" = jmh ]; then
  shift
  jmh "$@"
else
  for b in "$@"; do run "$b"; done
fi
