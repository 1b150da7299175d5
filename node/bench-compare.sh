#!/usr/bin/env bash
# Issue #16's comparison (docs/benchmarks.md, "Fast paths (issue #16)"): Pando against Redis in one
# run on this machine, each driven by its own load generator on the same cores (pando bench for
# Pando, redis-benchmark for Redis). Redis runs with AOF on and appendfsync no; Pando with its
# default config (RocksDB, journal and rules on) and the per-client rate limit off. Prints a table
# with both figures, the ratio Pando / Redis and issue #16's aim for each row with PASS or MISS.
#
#   node/bench-compare.sh                    # rows (a)-(e), ~3 minutes on 2 cores
#   node/bench-compare.sh --fanout           # also the fan-out shapes (100 subscribers at 1,000 changes/s; 10,000 at 10/s)
#   node/bench-compare.sh --memory           # also heap per idle WebSocket session (10,000 sessions)
#   node/bench-compare.sh --fanout --memory  # everything (~5 minutes)
#
# Rows: (a) one connection, one request at a time, SET / kv.set round trip p50 and p99; (b) the same
# for GET / kv.get; (c) SET 50 connections x 16 pipelined, ops/s and p99; (d) GET 50 x 16; (e) SET 50
# connections without pipelining, ops/s and p50. Keys are random over KEYSPACE, filled before (b).
# Rows (c) and (d) also give the CPU each side spends per request: the server's (/proc ticks of the
# node from before the run until the journal has caught up after it; of redis-server across its run)
# and its load generator's. These stay comparable when the VM's speed drifts, and they are the
# budget: on two cores, N ops/s leave 2,000,000 / N µs of CPU per request for server and client.
#
# Environment: REBUILD=1 rebuilds node/target/pando.jar (else only when missing); MVN_ARGS=-o builds
# offline; ROUNDS (default 1) repeats rows (a)-(e) and prints medians; LATENCY_REQUESTS (20000),
# THROUGHPUT_REQUESTS (1000000), NOPIPE_REQUESTS (300000), KEYSPACE (100000) size Pando's runs
# (Redis's are sized to last about as long); FANOUT_WARMUP (10 s) is the fan-out runs' unmeasured
# start (the JIT compiles the push path in its first seconds); NODE_JAVA_OPTS goes to the node's JVM.
# Before each Pando row the script waits until the journal has caught up with the writes of the rows
# before (journal.status lag 0, at most SETTLE_MAX_S, 180 s), so a row does not pay for the backlog of
# the one before it. The JSON of every run is kept in OUT (default node/target/bench/compare-<time>).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

FANOUT=0
MEMORY=0
for arg in "$@"; do
  case "$arg" in
    --fanout) FANOUT=1 ;;
    --memory) MEMORY=1 ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option '$arg' (--fanout, --memory)" >&2; exit 2 ;;
  esac
done

ROUNDS="${ROUNDS:-1}"
LAT_N="${LATENCY_REQUESTS:-20000}"
TP_N="${THROUGHPUT_REQUESTS:-1000000}"
NOPIPE_N="${NOPIPE_REQUESTS:-300000}"
KEYSPACE="${KEYSPACE:-100000}"
FANOUT_WARMUP="${FANOUT_WARMUP:-10}"
SETTLE_MAX_S="${SETTLE_MAX_S:-180}"
OUT="${OUT:-node/target/bench/compare-$(date +%Y%m%d-%H%M%S)}"
JAR=node/target/pando.jar
mkdir -p "$OUT"

say() { echo "== $*" >&2; }

if [ ! -f "$JAR" ] || [ -n "${REBUILD:-}" ]; then
  say "building $JAR"
  # shellcheck disable=SC2086
  mvn -B -q ${MVN_ARGS:-} -pl node -am -DskipTests package
fi
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  say "installing redis-server (redis-server or redis-benchmark missing)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y redis-server >&2
fi
# 10,000 sessions need that many descriptors in the node and in the bench.
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PANDO_PORT="$(free_port)"
REDIS_PORT="$(free_port)"
URL="http://127.0.0.1:$PANDO_PORT"
PANDO=(java -jar "$JAR")

say "starting redis-server on port $REDIS_PORT (AOF on, appendfsync no) in $WORK/redis"
mkdir -p "$WORK/redis"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync no \
    --dir "$WORK/redis" --daemonize no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
PIDS+=($REDIS_PID)
for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" ping >/dev/null

say "starting pando on port $PANDO_PORT (RocksDB in $WORK/pando, default builtins, rate limit off)"
# shellcheck disable=SC2086
java ${NODE_JAVA_OPTS:-} -jar "$JAR" serve --data-dir "$WORK/pando" --plugins-dir "$WORK/plugins" --port "$PANDO_PORT" \
    --set limits.rate-per-second=0 --set limits.max-connections-per-address=0 --set limits.max-connections=12000 \
    >"$WORK/pando.log" 2>&1 &
NODE_PID=$!
PIDS+=($NODE_PID)
"${PANDO[@]}" health --url "$URL" --wait 60 >/dev/null
# A process's user + system CPU so far, in clock ticks: steadier than throughput on a shared VM.
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The CPU of this script's children that have ended (each load generator, once it exits).
children_ticks() { awk '{print $16 + $17}' "/proc/$$/stat"; }

# Waits until the journal has journaled every write so far (or SETTLE_MAX_S passed).
settle() {
  local waited=0 lag
  while [ "$waited" -lt "$SETTLE_MAX_S" ]; do
    lag="$("${PANDO[@]}" call --url "$URL" journal.status 2>/dev/null \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["lag"])' 2>/dev/null || echo "?")"
    [ "$lag" = 0 ] && { [ "$waited" -gt 0 ] && say "journal caught up after ${waited} s"; return 0; }
    sleep 1; waited=$((waited + 1))
  done
  say "journal still behind after ${SETTLE_MAX_S} s (lag $lag); measuring anyway"
}

# pando bench / redis-benchmark, one JSON object each in $OUT/<name>.json (redis: its --csv as JSON).
pando_bench() { # name args... ; exit 1 (some request failed) still leaves its JSON
  local name="$1"; shift
  "${PANDO[@]}" bench --url "$URL" --keyspace "$KEYSPACE" --json "$@" >"$OUT/$name.json" || true
  [ -s "$OUT/$name.json" ] || { echo "pando bench $name produced nothing" >&2; exit 1; }
}
redis_bench() { # name args...
  local name="$1"; shift
  redis-benchmark -p "$REDIS_PORT" -r "$KEYSPACE" --csv "$@" >"$OUT/$name.csv"
  python3 - "$OUT/$name.csv" >"$OUT/$name.json" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1])))
head = [h.strip().lower() for h in rows[0]]
last = rows[-1]
col = lambda name: float(last[head.index(name)]) if name in head else None
print(json.dumps({"test": last[0], "rps": col("rps"), "p50": col("p50_latency_ms"), "p95": col("p95_latency_ms"),
                  "p99": col("p99_latency_ms"), "max": col("max_latency_ms")}))
PY
}

# name server-pid requests command...: runs the command (one load generator run), then writes to
# $OUT/<name>-cpu.json the CPU ticks the server spent from its start until the journal caught up
# after it (the node's deferred work is charged to the writes that caused it), and the command's.
# Nothing else may run as a child of this shell meanwhile: settle before, not inside.
measured() {
  local name="$1" pid="$2" requests="$3"; shift 3
  local server_before client_before client_after
  server_before="$(proc_ticks "$pid")"
  client_before="$(children_ticks)"
  "$@"
  client_after="$(children_ticks)"
  if [ "$pid" = "$NODE_PID" ]; then settle; fi
  echo "{\"server\": $(( $(proc_ticks "$pid") - server_before )), \"client\": $(( client_after - client_before )), \"requests\": $requests, \"clockTicksPerSecond\": $(getconf CLK_TCK)}" \
      >"$OUT/$name-cpu.json"
}

STEP=0
STEPS=$(( 2 + 10 * ROUNDS + 2 * FANOUT + MEMORY ))
step() { STEP=$((STEP + 1)); say "[$STEP/$STEPS] $*"; }

# First, while the node is quiet: after the loads below the journal is still catching up for
# minutes, and its heap would move under the readings.
if [ "$MEMORY" = 1 ]; then
  step "memory: heap per idle WebSocket session, 10,000 sessions"
  "${PANDO[@]}" bench memory --url "$URL" --data-dir "$WORK/pando" --sessions 10000 --connect-rate 2000 --json \
      >"$OUT/memory.json"
fi

step "filling the keyspace ($KEYSPACE keys) and warming up: pando bench set 50 x 16, $((KEYSPACE * 10)) writes"
pando_bench fill --connections 50 --pipeline 16 --requests $((KEYSPACE * 10)) --mix set=100
step "filling redis: redis-benchmark SET 50 x 16, $((KEYSPACE * 10)) writes"
redis_bench fill -c 50 -P 16 -n $((KEYSPACE * 10)) -t set

for round in $(seq 1 "$ROUNDS"); do
  r="r$round"
  step "round $round (a) pando kv.set, 1 connection, one at a time, $LAT_N requests"
  settle
  pando_bench "$r-a-pando" --connections 1 --pipeline 1 --requests "$LAT_N" --warmup $((LAT_N / 10)) --mix set=100
  step "round $round (a) redis SET, -c 1 -P 1"
  redis_bench "$r-a-redis" -c 1 -P 1 -n $((LAT_N * 5)) -t set
  step "round $round (b) pando kv.get, 1 connection, one at a time"
  settle
  pando_bench "$r-b-pando" --connections 1 --pipeline 1 --requests "$LAT_N" --warmup $((LAT_N / 10)) --mix get=100
  step "round $round (b) redis GET, -c 1 -P 1"
  redis_bench "$r-b-redis" -c 1 -P 1 -n $((LAT_N * 5)) -t get
  step "round $round (c) pando kv.set, 50 x 16, $TP_N requests"
  settle
  measured "$r-c-pando" "$NODE_PID" $((TP_N + TP_N / 10)) \
      pando_bench "$r-c-pando" --connections 50 --pipeline 16 --requests "$TP_N" --warmup $((TP_N / 10)) --mix set=100
  step "round $round (c) redis SET, -c 50 -P 16"
  measured "$r-c-redis" "$REDIS_PID" $((TP_N * 3)) redis_bench "$r-c-redis" -c 50 -P 16 -n $((TP_N * 3)) -t set
  step "round $round (d) pando kv.get, 50 x 16"
  settle
  measured "$r-d-pando" "$NODE_PID" $((TP_N + TP_N / 10)) \
      pando_bench "$r-d-pando" --connections 50 --pipeline 16 --requests "$TP_N" --warmup $((TP_N / 10)) --mix get=100
  step "round $round (d) redis GET, -c 50 -P 16"
  measured "$r-d-redis" "$REDIS_PID" $((TP_N * 3)) redis_bench "$r-d-redis" -c 50 -P 16 -n $((TP_N * 3)) -t get
  step "round $round (e) pando kv.set, 50 connections, no pipelining, $NOPIPE_N requests"
  settle
  pando_bench "$r-e-pando" --connections 50 --pipeline 1 --requests "$NOPIPE_N" --warmup $((NOPIPE_N / 10)) --mix set=100
  step "round $round (e) redis SET, -c 50 -P 1"
  redis_bench "$r-e-redis" -c 50 -P 1 -n $((NOPIPE_N * 2)) -t set
done

if [ "$FANOUT" = 1 ]; then
  step "fan-out: 100 subscribers, 1,000 changes/s, 10 s (+$FANOUT_WARMUP s warm-up)"
  settle
  "${PANDO[@]}" bench fanout --url "$URL" --subscribers 100 --rate 1000 --duration 10 --warmup "$FANOUT_WARMUP" --json \
      >"$OUT/fanout-100.json" || true
  step "fan-out: 10,000 subscribers, 10 changes/s, 10 s (+$FANOUT_WARMUP s warm-up)"
  settle
  "${PANDO[@]}" bench fanout --url "$URL" --subscribers 10000 --rate 10 --duration 10 --warmup "$FANOUT_WARMUP" --connect-rate 2000 --json \
      >"$OUT/fanout-10000.json" || true
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)   commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (modified)')"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); load average at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$(redis-server --version | cut -d' ' -f1-3); $(java -version 2>&1 | head -1); rounds: $ROUNDS"
} >"$OUT/environment.txt"

python3 - "$OUT" "$ROUNDS" "$FANOUT" "$MEMORY" <<'PY'
import json, os, statistics, sys
out, rounds, fanout, memory = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1"
load = lambda name: json.load(open(os.path.join(out, name + ".json")))

def med(row, side, field):
    vals = []
    for r in range(1, rounds + 1):
        j = load(f"r{r}-{row}-{side}")
        v = j["latencyMs"][field] if side == "pando" and field != "throughput" else j[field]
        vals.append(v)
    return statistics.median(vals)

def errors(row):
    return sum(load(f"r{r}-{row}-pando")["errors"] for r in range(1, rounds + 1))

def lat(ms):
    return f"{ms * 1000:.0f} µs" if ms < 1 else f"{ms:.2f} ms"

def ops(v):
    return f"{v / 1000:.1f}k ops/s"

rows = []
# (a), (b): round trips
for row, what, op, factor in (("a", "one connection, one at a time: SET / kv.set round trip", "set", 3),
                              ("b", "one connection, one at a time: GET / kv.get round trip", "get", 2)):
    p50, p99 = med(row, "pando", "p50"), med(row, "pando", "p99")
    r50, r99 = med(row, "redis", "p50"), med(row, "redis", "p99")
    ratio = p50 / r50 if r50 else float("inf")
    ok = ratio <= factor and (row != "a" or p99 <= 1.0)
    aim = f"p50 ≤ {factor}× Redis" + (", p99 ≤ 1 ms" if row == "a" else "")
    rows.append((f"({row}) {what}", f"p50 {lat(p50)}, p99 {lat(p99)}", f"p50 {lat(r50)}, p99 {lat(r99)}",
                 f"{ratio:.1f}× (p50)", aim, "PASS" if ok else "MISS", errors(row)))
# (c), (d), (e): throughput
set_tp = med("c", "pando", "throughput")
for row, what in (("c", "SET / kv.set, 50 connections × 16 pipelined"), ("d", "GET / kv.get, 50 × 16 pipelined"),
                  ("e", "SET / kv.set, 50 connections, no pipelining")):
    tp, r_tp = med(row, "pando", "throughput"), med(row, "redis", "rps")
    pct = "p50" if row == "e" else "p99"
    p, rp = med(row, "pando", pct), med(row, "redis", pct)
    ratio = tp / r_tp if r_tp else 0
    if row == "c":
        aim, ok = "≥ 0.5× Redis", ratio >= 0.5
    elif row == "d":
        aim, ok = f"≥ kv.set 50 × 16 ({ops(set_tp)})", tp >= set_tp
    else:
        aim, ok = "—", None
    rows.append((f"({row}) {what}", f"{ops(tp)}, {pct} {lat(p)}", f"{ops(r_tp)}, {pct} {lat(rp)}", f"{ratio:.2f}",
                 aim, "" if ok is None else ("PASS" if ok else "MISS"), errors(row)))
if fanout:
    for name, what, limit in (("fanout-100", "fan-out: 100 subscribers, 1,000 changes/s", 10.0),
                              ("fanout-10000", "fan-out: 10,000 subscribers, 10 changes/s", 50.0)):
        path = os.path.join(out, name + ".json")
        if not os.path.getsize(path):
            rows.append((what, "(failed: see the log above)", "—", "—", "", "MISS", 0)); continue
        j = load(name)
        l = j["latencyMs"]
        lost_ok = j["lost"] == 0 and j["slowConsumers"] == 0
        fig = (f"p50 {lat(l['p50'])}, p99 {lat(l['p99'])}, max {lat(l['max'])}; {j['deliveriesPerSecond']:,} deliveries/s; "
               f"lost {j['lost']:,} of {j['expected']:,}, slow consumers {j['slowConsumers']}")
        aim = f"p99 {'<' if limit == 10 else '≤'} {limit:.0f} ms" + (", none lost" if limit == 50 else "")
        ok = (l["p99"] < limit if limit == 10 else l["p99"] <= limit) and (limit == 10 or lost_ok)
        rows.append((what, fig, "—", "—", aim, "PASS" if ok else "MISS", j["errors"]))
if memory:
    j = load("memory")
    b = j["bytesPerSession"]
    rows.append(("heap per idle WebSocket session (10,000 open)", f"{b:,} bytes ({b / 1024:.1f} KiB); "
                 f"{j['bytesPerSessionAfterClose']:,} against the heap after closing" + ("" if j["stable"] else ", GC not settled"),
                 "—", "—", "≤ 16 KiB", "PASS" if b <= 16 * 1024 else "MISS", 0))

print()
print(open(os.path.join(out, "environment.txt")).read().rstrip())
print()
print("| workload | Pando | Redis (AOF, appendfsync no) | Pando / Redis | issue #16's aim | |")
print("|---|---|---|---|---|---|")
for what, p, r, ratio, aim, verdict, errs in rows:
    if errs:
        p += f" ({errs} errors)"
    print(f"| {what} | {p} | {r} | {ratio} | {aim} | {verdict} |")
print()

def cpu_us(row, side, part):
    """Median CPU µs per request of the server or the client (load generator) over the rounds."""
    runs = [load(f"r{r}-{row}-{side}-cpu") for r in range(1, rounds + 1)]
    return statistics.median(c[part] / c["clockTicksPerSecond"] * 1e6 / c["requests"] for c in runs)

print("CPU per request (µs; the node's until the journal caught up; two cores give 2,000,000 / (ops/s) in all):")
print()
print("| workload | node | pando bench | Pando, both | redis-server | redis-benchmark | Redis, both |")
print("|---|---|---|---|---|---|---|")
for row, what in (("c", "(c) SET / kv.set, 50 × 16"), ("d", "(d) GET / kv.get, 50 × 16")):
    n, pb = cpu_us(row, "pando", "server"), cpu_us(row, "pando", "client")
    rs, rb = cpu_us(row, "redis", "server"), cpu_us(row, "redis", "client")
    print(f"| {what} | {n:.1f} | {pb:.1f} | {n + pb:.1f} | {rs:.1f} | {rb:.1f} | {rs + rb:.1f} |")
print()
print(f"runs kept in {out}")
PY
