#!/usr/bin/env bash
# What authentication costs (docs/benchmarks.md, "Authentication"): the kv.set WebSocket load of
# `pando bench` against a node in open mode and against one in authenticated mode whose client
# holds a capability token (write:/bench/**), back to back in one run: one discarded warm-up run
# per node (a fresh JVM and a fresh RocksDB are slower for their first million writes), then
# ROUNDS runs alternating, then the median of each. Then the JMH token-validation benchmark (1-
# and 3-link chains, cached and uncached).
#
#   node/bench-auth.sh            # both (~6 minutes on 2 cores)
#   node/bench-auth.sh load       # only the pando bench comparison
#   node/bench-auth.sh jmh        # only TokenValidationBenchmark
#
# SKIP_BUILD=1 reuses the last build; MVN_ARGS="-o" builds offline; REQUESTS, WARMUP, ROUNDS,
# CONNECTIONS and PIPELINE size the load (defaults 500000, 50000, 3, 50, 16).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
WHAT="${1:-all}"

if [ -z "${SKIP_BUILD:-}" ]; then
  # shellcheck disable=SC2086
  mvn -B -q ${MVN_ARGS:-} -pl node -am -DskipTests package
  if [ "$WHAT" != load ]; then
    # shellcheck disable=SC2086
    mvn -B -q ${MVN_ARGS:-} -pl node test-compile dependency:build-classpath \
        -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
  fi
fi
PANDO=(java -jar node/target/pando.jar)
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

serve() { # mode port -> starts a node in the background
  "${PANDO[@]}" serve --data-dir "$WORK/$1" --plugins-dir "$WORK/plugins" --port "$2" \
      --set auth.mode="$1" --set auth.trusted-issuers="$WORK/ops.key.pub" \
      --set limits.rate-per-second=0 --set limits.max-connections-per-address=0 >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  "${PANDO[@]}" health --url "http://127.0.0.1:$2" --wait 60 >/dev/null
}

bench() { # port token-or-empty label -> one JSON line, also appended to $WORK/<label>.jsonl
  local token_args=()
  [ -n "$2" ] && token_args=(--token "$2")
  printf '%-14s ' "$3"
  "${PANDO[@]}" bench --url "http://127.0.0.1:$1" "${token_args[@]}" --transport ws \
      --connections "${CONNECTIONS:-50}" --pipeline "${PIPELINE:-16}" --requests "${REQUESTS:-500000}" \
      --warmup "${WARMUP:-50000}" --mix set=100 --json | tee -a "$WORK/$3.jsonl"
}

summary() { # label -> median throughput and p50 of its runs
  python3 - "$WORK/$1.jsonl" "$1" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
print(f"{sys.argv[2]:<14} median of {len(runs)}: {statistics.median(r['throughput'] for r in runs):.0f} ops/s, "
      f"p50 {statistics.median(r['latencyMs']['p50'] for r in runs):.2f} ms, errors {sum(r['errors'] for r in runs)}")
PY
}

load() {
  mkdir -p "$WORK/plugins"
  "${PANDO[@]}" keygen -o "$WORK/ops.key" >/dev/null
  TOKEN="$("${PANDO[@]}" token issue --key "$WORK/ops.key" --scope 'write:/bench/**' --ttl 2h)"
  serve open 7391
  serve authenticated 7392
  echo "warm-up (not counted)"
  bench 7391 "" "warmup-open" >/dev/null
  bench 7392 "$TOKEN" "warmup-auth" >/dev/null
  for round in $(seq 1 "${ROUNDS:-3}"); do
    echo "round $round"
    bench 7391 "" "open"
    bench 7392 "$TOKEN" "authenticated"
  done
  summary open
  summary authenticated
}

jmh() {
  CP="node/target/test-classes:node/target/classes:$(cat node/target/bench.cp)"
  mkdir -p node/target/bench
  java -cp "$CP" org.openjdk.jmh.Main TokenValidationBenchmark -rf json -rff node/target/bench/token-validation.json
}

case "$WHAT" in
  load) load ;;
  jmh) jmh ;;
  all) load; jmh ;;
  *) echo "unknown part '$WHAT' (load, jmh, all)" >&2; exit 2 ;;
esac
