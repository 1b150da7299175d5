package dev.pando.it.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.client.PandoWebSocket;
import dev.pando.client.SubscribeOptions;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.WriteOptions;
import dev.pando.testkit.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Federation figures for issue #15 on real nodes on loopback in one JVM (docs/benchmarks.md,
 * "Federation"): a hub and leaves a (owns /site-a/**), b and c, each on RocksDB in a temp dir.
 * <ol>
 *   <li>{@code latency}: propagation leaf a → hub → leaf b of a steady {@code rate} writes/s for
 *       {@code duration} s, as arrival at a WebSocket subscriber on b minus send time on a;</li>
 *   <li>{@code saturation}: the same with one writer keeping {@code window} calls in flight for
 *       {@code saturation} s: latency and forwarded changes per second;</li>
 *   <li>{@code snapshot}: {@code keys} keys written on a and held by the hub, then a fresh leaf c
 *       started: seconds until c holds them all;</li>
 *   <li>{@code catchup}: leaf b closed for {@code partition} s while a writes {@code rate}/s, then
 *       started again on its data dir: seconds until it holds the last key a wrote while it was down.</li>
 * </ol>
 * With {@code latency} or {@code saturation}, also what the linked federation commits and burns
 * with no writes at all ({@code idle} seconds, after the warm-up).
 * Sized by system properties: {@code -Dparts=latency,saturation,snapshot,catchup -Dduration=20
 * -Drate=1000 -Dsaturation=10 -Dwindow=64 -Dkeys=100000 -Dpartition=10 -Dwarmup=5 -Didle=3}, and any
 * node setting with {@code -Dset.<key>=<value>} (all nodes). Prints one line per figure, then the
 * whole as one line of JSON.
 */
public final class FederationBenchmark {
    private static final Set<String> PARTS = Set.of(System.getProperty("parts", "latency,saturation,snapshot,catchup").split(","));
    private static final int DURATION = Integer.getInteger("duration", 20);
    private static final int RATE = Integer.getInteger("rate", 1000);
    private static final int SATURATION = Integer.getInteger("saturation", 10);
    private static final int WINDOW = Integer.getInteger("window", 64);
    private static final int KEYS = Integer.getInteger("keys", 100_000);
    private static final int PARTITION = Integer.getInteger("partition", 10);
    private static final int WARMUP = Integer.getInteger("warmup", 5);
    private static final int IDLE_SECONDS = Integer.getInteger("idle", 3);
    /** How long a run waits for its last change to arrive before it reports what did. */
    private static final long BOUND_NANOS = Long.getLong("boundSeconds", 120) * 1_000_000_000L;

    private final ObjectNode summary = JsonNodeFactory.instance.objectNode();
    private volatile Arrivals current = new Arrivals("/-", 0);

    public static void main(String[] args) throws Exception {
        new FederationBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        summary.putObject("settings").put("duration", DURATION).put("rate", RATE).put("saturation", SATURATION).put("window", WINDOW)
                .put("keys", KEYS).put("partition", PARTITION).put("warmup", WARMUP)
                .put("cores", Runtime.getRuntime().availableProcessors())
                .put("loadAverageAtStart", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("set.")).sorted()
                .forEach(n -> summary.with("settings").with("overrides").put(n.substring(4), System.getProperty(n)));
        if (PARTS.contains("latency") || PARTS.contains("saturation")) {
            propagation();
        }
        if (PARTS.contains("snapshot")) {
            snapshot();
        }
        if (PARTS.contains("catchup")) {
            catchUp();
        }
        summary.put("loadAverageAtEnd", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println(summary);
    }

    /** Steady and saturating writes on a, seen by a subscriber on b. */
    private void propagation() throws Exception {
        try (BenchFederation f = new BenchFederation()) {
            TestNode a = f.leaf("a");
            TestNode b = f.leaf("b");
            linked(a, b);
            try (PandoWebSocket writer = PandoWebSocket.connect(a.url(), a.adminToken());
                    PandoWebSocket subscriber = PandoWebSocket.connect(b.url(), b.adminToken())) {
                subscriber.subscribe("/site-a/bench/**", SubscribeOptions.changesOnly(), frame -> current.onPush(frame));
                if (WARMUP > 0) {
                    steadyRun(writer, "warmup", WARMUP);
                    line("warm-up: %d s at %d writes/s (not counted)", WARMUP, RATE);
                }
                // After the warm-up, so that the JIT compiling the nodes' code is not counted as idle work.
                idle(f.hub(), a, b);
                if (PARTS.contains("latency")) {
                    ObjectNode o = steadyRun(writer, "steady", DURATION);
                    summary.set("latency", o);
                    line("latency a -> hub -> b at %d writes/s for %d s: %s", RATE, DURATION, describe(o));
                }
                if (PARTS.contains("saturation")) {
                    saturationRun(writer);
                }
            }
        }
    }

    private ObjectNode steadyRun(PandoWebSocket writer, String name, int seconds) throws InterruptedException {
        String prefix = "/site-a/bench/" + name + "/";
        Arrivals arrivals = new Arrivals(prefix, RATE * seconds + 1);
        current = arrivals;
        LoadWriter w = new LoadWriter(writer, prefix, RATE * seconds + 1).steady(RATE, seconds).join();
        awaitArrivals(arrivals, w.acked());
        ObjectNode o = arrivals.percentiles(w.sent());
        o.put("sent", w.sent()).put("writeErrors", w.errors()).put("arrived", arrivals.count()).put("duplicates", arrivals.duplicates());
        o.put("achievedRate", Math.round(w.sent() / ((w.endNanos() - w.startNanos()) / 1e9)));
        return o;
    }

    private void saturationRun(PandoWebSocket writer) throws InterruptedException {
        String prefix = "/site-a/bench/saturated/";
        int cap = 200_000 * SATURATION;
        Arrivals arrivals = new Arrivals(prefix, cap);
        current = arrivals;
        LoadWriter w = new LoadWriter(writer, prefix, cap).saturating(WINDOW, SATURATION).join();
        long writeSeconds = w.endNanos() - w.startNanos();
        int backlog = w.acked() - arrivals.count();
        boolean all = awaitArrivals(arrivals, w.acked());
        ObjectNode o = arrivals.percentiles(w.sent());
        double window = writeSeconds / 1e9;
        o.put("sent", w.sent()).put("writeErrors", w.errors()).put("arrived", arrivals.count()).put("duplicates", arrivals.duplicates());
        o.put("writesPerSecond", Math.round(w.acked() / window));
        o.put("forwardedPerSecondWhileWriting", Math.round(arrivals.arrivedBetween(w.startNanos(), w.endNanos()) / window));
        o.put("forwardedPerSecondOverall", Math.round(arrivals.count() / ((arrivals.lastArrival() - w.startNanos()) / 1e9)));
        o.put("backlogWhenWritesStopped", backlog);
        o.put("drainSeconds", all ? secs(arrivals.lastArrival() - w.endNanos()) : -1);
        summary.set("saturation", o);
        line("saturation (%d in flight, %d s): a took %d writes/s; b received %d changes/s while a wrote, %d/s overall; "
                + "backlog %d when writes stopped, drained in %.2f s", WINDOW, SATURATION, o.get("writesPerSecond").asLong(),
                o.get("forwardedPerSecondWhileWriting").asLong(), o.get("forwardedPerSecondOverall").asLong(), backlog,
                o.get("drainSeconds").asDouble());
        line("saturation latency a -> hub -> b: %s", describe(o));
    }

    /** {@code keys} keys on a, held by the hub; then a fresh leaf c pulls the hub's feed from revision 0. */
    private void snapshot() throws Exception {
        try (BenchFederation f = new BenchFederation()) {
            TestNode hub = f.hub();
            TestNode a = f.leaf("a");
            String prefix = "/site-a/snap/";
            String last = prefix + (KEYS - 1);
            long t0 = System.nanoTime();
            StateStore store = a.node().store();
            List<CompletableFuture<?>> writes = new ArrayList<>(KEYS);
            for (int i = 0; i < KEYS; i++) {
                ObjectNode value = JsonNodeFactory.instance.objectNode().put("i", i).put("payload", "sensor reading " + i);
                writes.add(store.set(prefix + i, value, WriteOptions.by("bench")));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
            long written = System.nanoTime();
            long onHub = await(() -> hub.node().store().get(last).isPresent());
            ObjectNode o = summary.putObject("snapshot");
            o.put("keys", KEYS).put("writeSeconds", secs(written - t0)).put("hubHoldsAllSeconds", secs(onHub - t0));
            line("snapshot: %d keys written on a in %.2f s; the hub held them all %.2f s after the first write", KEYS,
                    secs(written - t0), secs(onHub - t0));
            long hubRevision = hub.node().store().lastRevision();
            long start = System.nanoTime();
            TestNode c = f.leaf("c");
            long started = System.nanoTime();
            long synced = await(() -> c.node().store().get(last).isPresent());
            int missing = 0;
            for (int i = 0; i < KEYS; i++) {
                if (c.node().store().get(prefix + i).isEmpty()) {
                    missing++;
                }
            }
            JsonNode uplink = c.call("federation.peers", JsonNodeFactory.instance.objectNode()).path("peers").path(0);
            o.put("hubFeedRevisions", hubRevision).put("leafStartSeconds", secs(started - start));
            o.put("syncSeconds", synced < 0 ? -1 : secs(synced - start)).put("syncAfterStartSeconds", synced < 0 ? -1 : secs(synced - started));
            o.put("missingOnNewLeaf", missing).put("appliedByNewLeaf", uplink.path("applied").asLong());
            line("snapshot sync: new leaf c held all %d keys %.2f s after its start began (%.2f s to start, %.2f s pulling %d hub revisions; "
                    + "%d applied, %d missing)", KEYS, o.get("syncSeconds").asDouble(), secs(started - start),
                    o.get("syncAfterStartSeconds").asDouble(), hubRevision, uplink.path("applied").asLong(), missing);
        }
    }

    /** Leaf b down for {@code partition} s under a steady load on a, then back on its data dir. */
    private void catchUp() throws Exception {
        try (BenchFederation f = new BenchFederation()) {
            TestNode a = f.leaf("a");
            TestNode b = f.leaf("b");
            linked(a, b);
            try (PandoWebSocket writer = PandoWebSocket.connect(a.url(), a.adminToken())) {
                int cap = RATE * (WARMUP + PARTITION + 600);
                LoadWriter w = new LoadWriter(writer, "/site-a/bench/partition/", cap).steady(RATE, cap / (double) RATE);
                Thread.sleep(Math.max(2, WARMUP) * 1000L);
                int before = w.lastAcked();
                long closing = System.nanoTime();
                b.close();
                long down = System.nanoTime();
                Thread.sleep(PARTITION * 1000L);
                int target = w.lastAcked();
                long restart = System.nanoTime();
                TestNode back = f.leaf("b");
                long started = System.nanoTime();
                long caught = await(() -> back.node().store().get(w.key(target)).isPresent());
                // And until b is live again: it holds what a acknowledged 50 ms earlier.
                long live = await(() -> {
                    int recent = w.lastAcked() - RATE / 20;
                    return back.node().store().get(w.key(Math.max(target, recent))).isPresent();
                });
                w.stop();
                w.join();
                ObjectNode o = summary.putObject("catchup");
                o.put("partitionSeconds", secs(restart - down)).put("closeSeconds", secs(down - closing))
                        .put("writesWhileDown", target - before).put("leafStartSeconds", secs(started - restart))
                        .put("catchUpSeconds", caught < 0 ? -1 : secs(caught - restart))
                        .put("catchUpAfterStartSeconds", caught < 0 ? -1 : secs(caught - started))
                        .put("liveAgainSeconds", live < 0 ? -1 : secs(live - restart)).put("writeErrors", w.errors());
                line("catch-up: b down %.1f s while a wrote %d changes at %d/s; back up, b held the last of them %.2f s after its "
                        + "restart began (%.2f s to start, %.2f s catching up); live again (< 50 ms behind) after %.2f s",
                        secs(restart - down), target - before, RATE, o.get("catchUpSeconds").asDouble(), secs(started - restart),
                        o.get("catchUpAfterStartSeconds").asDouble(), o.get("liveAgainSeconds").asDouble());
            }
        }
    }

    /** What a linked federation does with no load at all: revisions committed per second on each node, and CPU used. */
    private void idle(TestNode hub, TestNode a, TestNode b) throws InterruptedException {
        Thread.sleep(1000);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long[] before = {hub.node().store().lastRevision(), a.node().store().lastRevision(), b.node().store().lastRevision()};
        long cpu = os.getProcessCpuTime();
        long t = System.nanoTime();
        Thread.sleep(IDLE_SECONDS * 1000L);
        double s = (System.nanoTime() - t) / 1e9;
        double cores = (os.getProcessCpuTime() - cpu) / 1e9 / s;
        ObjectNode o = summary.putObject("idle");
        o.put("seconds", IDLE_SECONDS).put("hubRevisionsPerSecond", Math.round((hub.node().store().lastRevision() - before[0]) / s))
                .put("leafARevisionsPerSecond", Math.round((a.node().store().lastRevision() - before[1]) / s))
                .put("leafBRevisionsPerSecond", Math.round((b.node().store().lastRevision() - before[2]) / s))
                .put("coresUsed", Math.round(cores * 100) / 100.0);
        for (TestNode n : List.of(hub, a, b)) {
            StateStore st = n.node().store();
            // Which keys the last 200 changes touched, and from which origin: what keeps an idle federation busy.
            java.util.Map<String, Long> keys = new java.util.TreeMap<>();
            st.changesSince(Math.max(0, st.lastRevision() - 200), 200).stream().filter(c -> !c.key().startsWith("/site-")).forEach(c -> keys.merge(c.key() + " (origin " + c.origin().substring(0, 8) + ")", 1L, Long::sum));
            o.with("lastChangesByNode").put(n.node().nodeId(), keys.toString());
        }
        line("idle (no writes, %d s): hub commits %d revisions/s, leaf a %d/s, leaf b %d/s; the JVM uses %.2f cores", IDLE_SECONDS,
                o.get("hubRevisionsPerSecond").asLong(), o.get("leafARevisionsPerSecond").asLong(),
                o.get("leafBRevisionsPerSecond").asLong(), cores);
    }

    /** A write on a reaches b: both uplinks are joined before anything is measured. */
    private static void linked(TestNode a, TestNode b) {
        a.adminClient().set("/site-a/ping", JsonNodeFactory.instance.numberNode(1));
        if (await(() -> b.node().store().get("/site-a/ping").isPresent()) < 0) {
            throw new IllegalStateException("leaf b never received leaf a's write: the federation did not link up");
        }
    }

    private static boolean awaitArrivals(Arrivals arrivals, int expected) {
        return await(() -> arrivals.count() >= expected) >= 0;
    }

    /** Polls every millisecond until {@code done}; returns System.nanoTime when it was, or -1 after the bound. */
    private static long await(BooleanSupplier done) {
        long bound = System.nanoTime() + BOUND_NANOS;
        while (System.nanoTime() < bound) {
            if (done.getAsBoolean()) {
                return System.nanoTime();
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return -1;
    }

    private static String describe(ObjectNode o) {
        return String.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%d of %d arrived, %d duplicates, %d write errors)",
                o.get("p50Ms").asDouble(), o.get("p90Ms").asDouble(), o.get("p99Ms").asDouble(), o.get("p999Ms").asDouble(),
                o.get("maxMs").asDouble(), o.get("arrived").asInt(), o.get("sent").asInt(), o.get("duplicates").asInt(),
                o.get("writeErrors").asInt());
    }

    private static double secs(long nanos) {
        return Math.round(nanos / 1e7) / 100.0;
    }

    private static void line(String format, Object... args) {
        System.out.println(String.format(format, args));
    }
}
