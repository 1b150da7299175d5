package dev.pando.it.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.WriteOptions;
import dev.pando.testkit.TestNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The journal's drain rate with no competing load (issue #16; docs/benchmarks.md, "Journal drain"):
 * a node on RocksDB in a temp dir is filled with {@code changes} writes (over {@code keys} keys,
 * through its store, with no builtins), then started again on the same data dir with the journal
 * on; the journal finds the whole feed after its cursor and drains it. Reported: entries journaled
 * per second from the moment the node serves until {@code journal.status} covers the last
 * revision, and the CPU time the JVM used meanwhile (per entry: a figure that other load on the
 * machine distorts less than the rate). {@code warmup} runs not counted, then {@code runs}, each
 * on a fresh data dir. Sized by {@code -Dchanges=200000 -Dkeys=50000 -Dwarmup=1 -Druns=3
 * -Dhmac=false} ({@code hmac}: the journal chained with an HMAC key). Prints one line per run,
 * then the whole as one line of JSON.
 */
public final class JournalDrainBenchmark {
    private static final int CHANGES = Integer.getInteger("changes", 200_000);
    private static final int KEYS = Integer.getInteger("keys", 50_000);
    private static final int RUNS = Integer.getInteger("runs", 3);
    /** Runs first, not counted: the JVM's first run is mostly the JIT compiling the journal's path. */
    private static final int WARMUP = Integer.getInteger("warmup", 1);
    private static final boolean HMAC = Boolean.getBoolean("hmac");
    /** Writes the fill keeps in flight: well under the store's commit queue. */
    private static final int FILL_WINDOW = 10_000;
    private static final long POLL_MILLIS = 20;
    private static final long BOUND_NANOS = Long.getLong("boundSeconds", 300) * 1_000_000_000L;

    public static void main(String[] args) throws Exception {
        ObjectNode summary = JsonNodeFactory.instance.objectNode();
        summary.putObject("settings").put("changes", CHANGES).put("keys", KEYS).put("runs", RUNS).put("warmup", WARMUP).put("hmac", HMAC)
                .put("cores", Runtime.getRuntime().availableProcessors())
                .put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        for (int run = 1; run <= WARMUP; run++) {
            summary.withArray("warmup").add(run(-run));
        }
        List<Long> rates = new ArrayList<>();
        for (int run = 1; run <= RUNS; run++) {
            ObjectNode r = run(run);
            summary.withArray("runs").add(r);
            rates.add(r.get("entriesPerSecond").asLong());
        }
        rates.sort(null);
        summary.put("medianEntriesPerSecond", rates.get(rates.size() / 2));
        summary.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf("journal drain, median of %d runs: %d entries/s%n", RUNS, rates.get(rates.size() / 2));
        System.out.println(summary);
        System.exit(0);
    }

    private static ObjectNode run(int run) throws Exception {
        Path dir = Files.createTempDirectory("pando-journalbench-");
        try {
            long last = fill(dir);
            TestNode.Builder withJournal = TestNode.builder().dataDir(dir).with(NodeConfig.STORE, "rocksdb").builtins("journal");
            if (HMAC) {
                // Operator config of a builtin: <plugins dir>/<id>.config.json.
                Files.writeString(Files.createDirectories(dir.resolve("plugins")).resolve("journal.config.json"),
                        "{\"hmac\":{\"key\":\"hex:" + "ab".repeat(32) + "\"}}");
            }
            long t0 = System.nanoTime();
            try (TestNode node = withJournal.start()) {
                long started = System.nanoTime();
                long cpuStart = processCpuNanos();
                Map<String, Long> threadsStart = cpuByThread();
                JsonNode first = status(node);
                JsonNode now = first;
                while (now.get("coveredRevision").asLong() < last) {
                    if (System.nanoTime() - started > BOUND_NANOS) {
                        throw new IllegalStateException("journal did not catch up within the bound: " + now);
                    }
                    Thread.sleep(POLL_MILLIS);
                    now = status(node);
                }
                long end = System.nanoTime();
                long cpu = processCpuNanos() - cpuStart;
                Map<String, Long> threads = cpuByThread();
                long entries = now.get("lastSeq").asLong() - first.get("lastSeq").asLong();
                double seconds = (end - started) / 1e9;
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                o.put("run", run).put("filledRevisions", last).put("startSeconds", round((started - t0) / 1e9))
                        .put("journaledBeforeFirstStatus", first.get("lastSeq").asLong()).put("entries", entries)
                        .put("seconds", round(seconds)).put("entriesPerSecond", Math.round(entries / seconds))
                        .put("cpuSeconds", round(cpu / 1e9)).put("cpuMicrosPerEntry", round(cpu / 1e3 / entries))
                        .put("journalSize", now.get("lastSeq").asLong());
                ObjectNode byThread = o.putObject("cpuSecondsByThread");
                threads.forEach((name, nanos) -> {
                    long used = nanos - threadsStart.getOrDefault(name, 0L);
                    if (used >= 10_000_000L) {
                        byThread.put(name, round(used / 1e9));
                    }
                });
                System.out.printf("%s %d: %d entries journaled in %.2f s after the node served: %d entries/s (%d in all); "
                        + "CPU %.2f s, %.1f µs per entry%n", run < 0 ? "warm-up" : "run", Math.abs(run), entries, seconds,
                        o.get("entriesPerSecond").asLong(), now.get("lastSeq").asLong(), cpu / 1e9, cpu / 1e3 / entries);
                System.out.println("  CPU seconds by thread (the rest: GC, JIT, threads that ended): " + byThread);
                return o;
            }
        } finally {
            delete(dir);
        }
    }

    /** Writes {@link #CHANGES} changes with no builtins; the last revision. */
    private static long fill(Path dir) {
        try (TestNode node = TestNode.builder().dataDir(dir).with(NodeConfig.STORE, "rocksdb").start()) {
            StateStore store = node.node().store();
            List<CompletableFuture<?>> window = new ArrayList<>(FILL_WINDOW);
            for (int i = 0; i < CHANGES; i++) {
                ObjectNode value = JsonNodeFactory.instance.objectNode().put("i", i).put("pad", "x".repeat(40));
                window.add(store.set("/bench/journal/" + (i % KEYS), value, WriteOptions.by("bench")));
                if (window.size() == FILL_WINDOW) {
                    window.forEach(CompletableFuture::join);
                    window.clear();
                }
            }
            window.forEach(CompletableFuture::join);
            return store.lastRevision();
        }
    }

    private static JsonNode status(TestNode node) {
        return node.call("journal.status", JsonNodeFactory.instance.objectNode());
    }

    /** CPU time of this JVM, all threads: what the drain costs whatever else shares the cores. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time of this JVM's live threads, summed by name with digits dropped (pool threads fold together). */
    private static Map<String, Long> cpuByThread() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new TreeMap<>();
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null) {
                long nanos = mx.getThreadCpuTime(t.getThreadId());
                if (nanos > 0) {
                    out.merge(t.getThreadName().replaceAll("[0-9]+", "N"), nanos, Long::sum);
                }
            }
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
