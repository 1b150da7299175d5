#!/usr/bin/env python3
"""Benchmarks of the journal and rules builtins (docs/benchmarks.md, "Builtins").

Starts real nodes from node/target/pando.jar (RocksDB in a temp dir, one node at a time on a
free port), drives them with `pando bench` (the node's own load generator) and the HTTP API,
and prints the figures. Needs the fat jar (mvn -B -q -DskipTests package) and Python 3.

  node/bench-builtins.py journal-append   # write throughput/latency with and without the journal, journal append rate
  node/bench-builtins.py journal-1m       # 1M writes journaled; then query paging, snapshot and replay times
  node/bench-builtins.py rules            # 1000 rules installed: evaluation rate and added write latency
  node/bench-builtins.py all

Sizes: JOURNAL_WRITES (default 1000000), BENCH_SECONDS (default 20), RULES (default 1000).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "node", "target", "pando.jar")
BENCH_SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
JOURNAL_WRITES = int(os.environ.get("JOURNAL_WRITES", "1000000"))
RULES = int(os.environ.get("RULES", "1000"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """A `pando serve` process on a fresh data dir."""

    def __init__(self, builtins):
        self.dir = tempfile.mkdtemp(prefix="pando-bench-")
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = open(os.path.join(self.dir, "node.log"), "w")
        self.proc = subprocess.Popen(
            ["java", "-Xmx2g", "-jar", JAR, "serve", "--data-dir", os.path.join(self.dir, "data"),
             "--plugins-dir", os.path.join(self.dir, "plugins"), "--port", str(self.port),
             "--set", "plugins.builtins=" + builtins, "--set", "limits.rate-per-second=0"],
            stdout=self.log, stderr=subprocess.STDOUT)
        subprocess.run(["java", "-jar", JAR, "health", "--wait", "60", "--url", self.url],
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(self.dir, "data", "admin.token")) as f:
            self.token = f.read().strip()

    def call(self, op, args=None, timeout=600):
        req = urllib.request.Request(self.url + "/v1/ops/" + op, data=json.dumps(args or {}).encode(),
                                     headers={"Authorization": "Bearer " + self.token,
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                body = json.load(r)
        except urllib.error.HTTPError as e:
            body = json.load(e)
        if not body.get("ok"):
            raise RuntimeError("%s: %s" % (op, body.get("error")))
        return body["result"]

    def bench(self, *args):
        out = subprocess.run(["java", "-jar", JAR, "bench", "--url", self.url, "--token", self.token, "--json"] + list(args),
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    def close(self):
        self.proc.terminate()
        self.proc.wait(60)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_journal(node, revision):
    """Seconds until the journal has handled every change up to `revision` (its own writes are skipped, not journaled)."""
    t0 = time.time()
    while node.call("journal.status")["coveredRevision"] < revision:
        time.sleep(0.05)
    return time.time() - t0


def line(label, value):
    print("  %-52s %s" % (label, value))


def journal_append():
    print("journal-append: %gs of kv.set from `pando bench` (50 WebSocket connections, pipeline 16, 100k keys)" % BENCH_SECONDS)
    for builtins in ("", "journal"):
        node = Node(builtins)
        try:
            r = node.bench("--duration", str(BENCH_SECONDS), "--mix", "set=100", "--warmup", "20000")
            lat = r["latencyMs"]
            name = builtins or "no builtins"
            line(name + ": writes/s", r["throughput"])
            line(name + ": set latency p50 / p99 / p99.9 ms", "%s / %s / %s" % (lat["p50"], lat["p99"], lat["p999"]))
            if builtins:
                head = node.call("node.info")["revision"]
                status = node.call("journal.status")
                lag_at_end = status.get("lag")
                drain = wait_journal(node, head)
                entries = node.call("journal.status")["lastSeq"]
                line("journal: entries written", entries)
                line("journal: lag when the load stopped (changes)", lag_at_end)
                line("journal: drain time after the load (s)", "%.1f" % drain)
                line("journal: drain rate, no competing load (entries/s)", round(lag_at_end / drain) if drain > 0 else "-")
                line("journal: sustained append rate (entries/s)", round(entries / (r["durationMs"] / 1000.0 + drain + 20000 / max(r["throughput"], 1))))
        finally:
            node.close()


def journal_1m():
    print("journal-1m: %d writes over 50k keys, then reads of the whole journal" % JOURNAL_WRITES)
    node = Node("journal")
    try:
        t0 = time.time()
        r = node.bench("--requests", str(JOURNAL_WRITES), "--mix", "set=100", "--keyspace", "50000")
        head = node.call("node.info")["revision"]
        drain = wait_journal(node, head)
        total = time.time() - t0
        status = node.call("journal.status")
        line("writes/s while journaling", r["throughput"])
        line("journal entries", status["lastSeq"])
        line("journaled in (s, load + drain)", "%.1f" % total)
        line("journal append rate over the run (entries/s)", round(status["lastSeq"] / total))

        t0 = time.time()
        n, after = 0, None
        while True:
            args = {"limit": 1000}
            if after:
                args["after"] = after
            page = node.call("journal.query", args)
            n += len(page["entries"])
            after = page.get("next")
            if not after:
                break
        q = time.time() - t0
        line("journal.query paging through all (entries/s)", "%d in %.1fs = %d/s" % (n, q, n / q))

        t0 = time.time()
        n, after, calls = 0, None, 0
        while True:
            args = {"pattern": "/bench/key:000123", "limit": 1000}
            if after:
                args["after"] = after
            page = node.call("journal.query", args)
            n += len(page["entries"])
            calls += 1
            after = page.get("next")
            if not after:
                break
        line("journal.query of one key's history, all pages (s)", "%.3f (%d entries, %d calls)" % (time.time() - t0, n, calls))

        t0 = time.time()
        newest = node.call("journal.latest", {"pattern": "/bench/key:000123", "limit": 10})
        line("journal.latest of one key, newest 10 (s)", "%.3f (%d entries)" % (time.time() - t0, len(newest["entries"])))

        mid = status["lastRevision"] // 2
        t0 = time.time()
        keys, after = 0, None
        while True:
            args = {"revision": mid, "limit": 1000}
            if after:
                args["after"] = after
            snap = node.call("journal.snapshot", args)
            keys += len(snap.get("entries", []))
            after = snap.get("next")
            if not after:
                break
        line("journal.snapshot at mid-revision, all pages (s)", "%.1f (%d keys)" % (time.time() - t0, keys))

        t0 = time.time()
        rep = node.call("journal.replay", {"target": "/replay/bench"})
        line("journal.replay of the latest state (s)", "%.1f (%s)" % (time.time() - t0, json.dumps(rep)[:120]))
    finally:
        node.close()


def rules():
    print("rules: %d on_change rules on /bench/key:NNNNNN (one key each), %gs of kv.set over those keys, 4 connections x 1 in flight" % (RULES, BENCH_SECONDS))
    results = {}
    for installed in (False, True):
        node = Node("rules")
        try:
            if installed:
                t0 = time.time()
                for i in range(RULES):
                    node.call("rules.put", {"rule": {
                        "id": "r%d" % i,
                        "trigger": {"type": "on_change", "pattern": "/bench/key:%06d" % i},
                        "actions": [{"type": "set_from_trigger", "key": "/bench-out/%d" % i}]}})
                line("rules.put x %d (s)" % RULES, "%.1f" % (time.time() - t0))
            # A closed loop of 4 connections, one request each: a steady stream the rules can keep up
            # with, so firings count evaluations, and latency is not queueing behind a saturated node.
            r = node.bench("--duration", str(BENCH_SECONDS), "--mix", "set=100", "--keyspace", str(RULES), "--warmup", "20000",
                           "--connections", "4", "--pipeline", "1")
            lat = r["latencyMs"]
            name = "%d rules" % RULES if installed else "no rules"
            line(name + ": writes/s", r["throughput"])
            line(name + ": set latency p50 / p99 / p99.9 ms", "%s / %s / %s" % (lat["p50"], lat["p99"], lat["p999"]))
            results[installed] = lat
            if installed:
                t0 = time.time()
                total_writes = r["requests"] + 20000
                fired, last = 0, -1
                while True:
                    fired = sum(x["stats"]["fired"] for x in node.call("rules.list")["rules"])
                    if fired == last:
                        break
                    last = fired
                    time.sleep(1.0)
                elapsed = r["durationMs"] / 1000.0 + (time.time() - t0) - 1.0
                line("rule firings", "%d of %d writes" % (fired, total_writes))
                line("changes handled by the rules plugin (/s)", round(fired / elapsed))
                line("rule matches tried (changes x %d rules, /s)" % RULES, round(fired * RULES / elapsed))
        finally:
            node.close()
    if len(results) == 2:
        line("added set latency p50 / p99 (ms)", "%.3f / %.3f" % (results[True]["p50"] - results[False]["p50"],
                                                                 results[True]["p99"] - results[False]["p99"]))


def main():
    if not os.path.exists(JAR):
        sys.exit("build the node first: mvn -B -q -DskipTests package")
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    runs = {"journal-append": journal_append, "journal-1m": journal_1m, "rules": rules}
    if what == "all":
        for f in runs.values():
            f()
    elif what in runs:
        runs[what]()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
