package dev.pando.node.bench.jmh;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.Access;
import dev.pando.host.PluginLoader;
import dev.pando.node.bench.jmh.BenchPlugins.Host;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.HandlerTable;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.ops.CoreOps;
import dev.pando.node.ops.PluginOps;
import dev.pando.node.metrics.Metrics;
import dev.pando.node.plugins.PluginManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The part of a reload that makes the new table live, without loading or compiling anything:
 * {@link HandlerRegistry#swap} with the edit {@code PluginManager} makes for one replaced plugin
 * (drop the old version's ops, add the new version's), on a realistic table: the node's core ops
 * ({@code kv.*}, {@code pubsub.*}, {@code node.*}, {@code admin.*}, the plugin admin ops) plus
 * {@code plugins} plugins of {@value #OPS_PER_PLUGIN} ops each. This is what
 * {@code ReloadReport.swapMicros} times; {@link ReloadSwapHarness} measures it inside real reloads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Benchmark)
public class HandlerSwapBenchmark {
    static final int OPS_PER_PLUGIN = 5;

    /** Plugins besides the core ops. */
    @Param({"5"})
    public int plugins;

    private Path dir;
    private Host host;
    private PluginManager manager;
    private HandlerRegistry registry;
    private List<OpSpec> replacement;
    private int tableSize;

    @Setup(Level.Trial)
    public void setUp() {
        dir = BenchPlugins.tempDir("pando-bench-swap");
        host = Host.open("memory", null);
        registry = new HandlerRegistry();
        CoreOps core = new CoreOps("bench", "0", host.store, host.events, registry, NodeConfig.defaults(), Runnable::run);
        registry.swap(b -> b.addAll(core.specs()));
        manager = new PluginManager(dir, new PluginLoader(PluginLoader.Settings.DEFAULT), host.services, registry, host.events,
                64, 5_000, host.clock, new Metrics());
        registry.swap(b -> b.addAll(new PluginOps(manager).specs()));
        for (int p = 0; p < plugins; p++) {
            List<OpSpec> specs = specs("p" + p);
            registry.swap(b -> b.addAll(specs));
        }
        replacement = specs("p" + (plugins / 2));
        tableSize = registry.current().size();
        if (tableSize < 10 + plugins * OPS_PER_PLUGIN) {
            throw new IllegalStateException("unexpectedly small table: " + tableSize + " ops");
        }
    }

    private static List<OpSpec> specs(String owner) {
        List<OpSpec> specs = new ArrayList<>();
        for (int i = 0; i < OPS_PER_PLUGIN; i++) {
            specs.add(OpSpec.worker(owner + ".op" + i, Access.WRITE, owner,
                    (ctx, args) -> CompletableFuture.completedFuture(JsonNodeFactory.instance.nullNode())));
        }
        return specs;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println();
        System.out.println("handler table: " + tableSize + " ops");
        manager.close();
        host.close();
        BenchPlugins.deleteRecursively(dir);
    }

    /** Replaces one plugin's ops, as {@code PluginManager.reload} does for one changed plugin. */
    @Benchmark
    public HandlerTable replaceOnePlugin() {
        String owner = replacement.get(0).owner();
        return registry.swap(b -> {
            b.removeOwner(owner);
            b.addAll(replacement);
            return b;
        });
    }
}
