#!/usr/bin/env bash
# What authentication costs (docs/benchmarks.md, "Authentication"): the kv.set WebSocket load of
# `pando bench` against a node in open mode and against one in authenticated mode whose client
# holds a capability token (write:/bench/**), back to back in one run, ROUNDS times alternating.
# Then the JMH token-validation benchmark (1- and 3-link chains, cached and uncached).
#
#   node/bench-auth.sh            # both (~6 minutes on 2 cores)
#   node/bench-auth.sh load       # only the pando bench comparison
#   node/bench-auth.sh jmh        # only TokenValidationBenchmark
#
# SKIP_BUILD=1 reuses the last build; MVN_ARGS="-o" builds offline; REQUESTS, WARMUP, ROUNDS,
# CONNECTIONS and PIPELINE size the load (defaults 1000000, 100000, 2, 50, 16).
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

bench() { # port token-or-empty label
  local token_args=()
  [ -n "$2" ] && token_args=(--token "$2")
  printf '%-14s ' "$3"
  "${PANDO[@]}" bench --url "http://127.0.0.1:$1" "${token_args[@]}" --transport ws \
      --connections "${CONNECTIONS:-50}" --pipeline "${PIPELINE:-16}" --requests "${REQUESTS:-1000000}" \
      --warmup "${WARMUP:-100000}" --mix set=100 --json
}

load() {
  mkdir -p "$WORK/plugins"
  "${PANDO[@]}" keygen -o "$WORK/ops.key" >/dev/null
  TOKEN="$("${PANDO[@]}" token issue --key "$WORK/ops.key" --scope 'write:/bench/**' --ttl 2h)"
  serve open 7391
  serve authenticated 7392
  for round in $(seq 1 "${ROUNDS:-2}"); do
    echo "round $round"
    bench 7391 "" "open"
    bench 7392 "$TOKEN" "authenticated"
  done
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
