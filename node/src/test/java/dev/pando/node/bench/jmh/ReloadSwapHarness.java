package dev.pando.node.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.node.auth.Principal;
import dev.pando.node.bench.jmh.BenchPlugins.Host;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.HandlerTable;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.metrics.Metrics;
import dev.pando.node.ops.CoreOps;
import dev.pando.node.ops.PluginOps;
import dev.pando.node.plugins.PluginManager;
import dev.pando.node.plugins.PluginState;
import dev.pando.node.plugins.ReloadReport;
import dev.pando.signing.Ed25519KeyPair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replaces one plugin many times through {@link PluginManager#reload()} and reports the
 * distribution of {@link ReloadReport#swapMicros()} (loaded plugins to new table live,
 * compilation excluded) and of {@link ReloadReport#loadMillis()} (read, verify, compile, start).
 * Not a JMH benchmark: the figure is the manager's own measurement, one per reload.
 *
 * <p>The plugins directory holds a native jar ({@code nbench}), a WASM host-call module
 * ({@code hostcall}) and the WASM handler ({@code bench}), which is rewritten with a new version
 * before every reload. Core and plugin-admin ops are in the table too, as in a node.
 *
 * <pre>
 * java -cp ... dev.pando.node.bench.jmh.ReloadSwapHarness [reloads=300] [warmup=50] [callers=0]
 * </pre>
 * {@code callers} threads call {@code nbench.handle} through the live table throughout.
 */
public final class ReloadSwapHarness {
    private ReloadSwapHarness() {}

    public static void main(String[] argv) throws Exception {
        int reloads = intArg(argv, 0, 300);
        int warmup = intArg(argv, 1, 50);
        int callers = intArg(argv, 2, 0);
        Path dir = BenchPlugins.tempDir("pando-bench-reload");
        Path plugins = dir.resolve("plugins");
        Ed25519KeyPair key = Ed25519KeyPair.generate();
        Path trusted = BenchPlugins.trustedKeys(dir, key);
        BenchPlugins.nativeJar(plugins, "nbench.jar", "nbench", "1.0.0");
        BenchPlugins.wasmBundle(plugins, "hostcall.wasm", BenchPlugins.HOSTCALL_MODULE, "1.0.0", key);
        BenchPlugins.wasmBundle(plugins, "bench.wasm", BenchPlugins.HANDLER_MODULE, "1.0.0", key);

        List<Thread> threads = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong calls = new AtomicLong();
        try (Host host = Host.open("memory", null)) {
            HandlerRegistry registry = new HandlerRegistry();
            CoreOps core = new CoreOps("bench", "0", host.store, host.events, registry, NodeConfig.defaults(), Runnable::run);
            registry.swap(b -> b.addAll(core.specs()));
            PluginManager manager = new PluginManager(plugins, BenchPlugins.loader(trusted, true), host.services, registry,
                    host.events, 64, 5_000, host.clock, new Metrics());
            try {
                registry.swap(b -> b.addAll(new PluginOps(manager).specs()));
                ReloadReport first = manager.reload();
                if (first.count(PluginState.LOADED) != 3) {
                    throw new IllegalStateException("expected 3 plugins loaded, got " + first.outcomes());
                }
                int tableSize = registry.current().size();

                for (int c = 0; c < callers; c++) {
                    int id = c;
                    Thread t = new Thread(() -> call(registry, running, calls, id), "bench-caller-" + c);
                    t.setDaemon(true);
                    t.start();
                    threads.add(t);
                }

                long[] swap = new long[reloads];
                long[] load = new long[reloads];
                long t0 = System.nanoTime();
                for (int i = -warmup; i < reloads; i++) {
                    BenchPlugins.wasmBundle(plugins, "bench.wasm", BenchPlugins.HANDLER_MODULE, "1.0." + (i + warmup + 1), key);
                    ReloadReport r = manager.reload();
                    if (r.count(PluginState.REPLACED) != 1 || r.count(PluginState.UNCHANGED) != 2 || r.hasFailures()) {
                        throw new IllegalStateException("reload " + i + " did not replace exactly one plugin: " + r.outcomes());
                    }
                    if (i >= 0) {
                        swap[i] = r.swapMicros();
                        load[i] = r.loadMillis();
                    }
                    if (i == -1) {
                        t0 = System.nanoTime();
                    }
                    // Let the retired generation drain and close, so retired plugins do not pile up.
                    manager.awaitRetired(10, TimeUnit.SECONDS);
                }
                long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                running.set(false);
                for (Thread t : threads) {
                    t.join(10_000);
                }
                System.out.printf(Locale.ROOT, "reloads: %d (after %d warm-up), table: %d ops, caller threads: %d (%d calls, %d failed)%n",
                        reloads, warmup, tableSize, callers, calls.get(), failures.get());
                System.out.println("swapMicros: " + stats(swap));
                System.out.println("loadMillis: " + stats(load));
                System.out.printf(Locale.ROOT, "wall time per reload (rewrite file, reload, wait for retirement): %.1f ms%n",
                        (double) wallMs / reloads);
            } finally {
                running.set(false);
                manager.close();
            }
        } finally {
            BenchPlugins.deleteRecursively(dir);
        }
    }

    private static final AtomicLong failures = new AtomicLong();

    private static void call(HandlerRegistry registry, AtomicBoolean running, AtomicLong calls, int id) {
        CallContext ctx = new CallContext(Principal.admin(), null, null);
        JsonNode[] args = new JsonNode[16];
        for (int i = 0; i < args.length; i++) {
            args[i] = BenchPlugins.args("c" + id + "k" + i, 1);
        }
        int i = 0;
        while (running.get()) {
            HandlerTable table = registry.acquire();
            try {
                OpSpec spec = table.lookup("nbench.handle").orElseThrow();
                spec.handler().handle(ctx, args[i++ & 15]).toCompletableFuture().join();
                calls.incrementAndGet();
            } catch (Exception e) {
                failures.incrementAndGet();
            } finally {
                registry.release(table);
            }
        }
    }

    private static String stats(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return String.format(Locale.ROOT, "min %d, median %d, p90 %d, p99 %d, max %d", v[0], pct(v, 50), pct(v, 90), pct(v, 99),
                v[v.length - 1]);
    }

    private static long pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static int intArg(String[] argv, int i, int dflt) {
        return argv.length > i ? Integer.parseInt(argv[i]) : dflt;
    }
}
