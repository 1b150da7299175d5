package dev.pando.node.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.host.HostedPlugin;
import dev.pando.node.bench.jmh.BenchPlugins.Host;
import dev.pando.node.bench.jmh.BenchPlugins.Kind;
import java.nio.file.Path;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * One small plugin op through the real host path ({@link HostedPlugin#call}: instance slots,
 * watchdog, scoped KV, {@code NodeHostServices}, a real {@code StateStore} with its commit
 * thread), implemented as a native jar, as a compiled WASM module and as the same module
 * interpreted. Run with {@code -t 1} and {@code -t 2}; see docs/benchmarks.md, "Plugins".
 *
 * <p>Each call reads one key and writes it back ({@code /_plugins/bench/t<thread>k<i>}, 64 keys
 * per thread, so threads never write the same key). What the node does before the plugin
 * (transport, request parsing, dispatch) is not included and is the same for both kinds.
 *
 * <p>Every call waits for its write to commit on the store's commit thread, so with one caller
 * the figure is mostly two thread handoffs and moves with the machine's load. {@code -p
 * store=host-memory} takes the store out (a synchronized map answers at once) and leaves what
 * differs between the kinds: args and results crossing into WASM, instance borrowing, host calls.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Benchmark)
public class PluginCallBenchmark {
    /** native, wasm-compiled or wasm-interpreted. */
    @Param({"native", "wasm-compiled", "wasm-interpreted"})
    public String kind;

    /**
     * memory (no disk noise) or rocksdb (a real data directory under /tmp); host-memory for
     * diagnosis: no StateStore, plugin-host's synchronous MemoryHostServices instead.
     */
    @Param({"memory"})
    public String store;

    private Path dir;
    private Host host;
    private HostedPlugin plugin;

    @Setup(Level.Trial)
    public void setUp() {
        dir = BenchPlugins.tempDir("pando-bench-call");
        host = Host.open(store, dir.resolve("data"));
        plugin = host.start(BenchPlugins.loadHandler(Kind.of(kind), dir.resolve("plugins")));
        JsonNode first = plugin.call(BenchPlugins.HANDLE_OP, BenchPlugins.args("check", 3), BenchPlugins.CALLER);
        JsonNode second = plugin.call(BenchPlugins.HANDLE_OP, BenchPlugins.args("check", 4), BenchPlugins.CALLER);
        if (first.path("total").asLong() != 3 || second.path("total").asLong() != 7 || !"check".equals(second.path("key").asText())) {
            throw new IllegalStateException(kind + " handler answered " + first + " then " + second);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plugin.close();
        host.close();
        BenchPlugins.deleteRecursively(dir);
    }

    /** Per-thread args, built once: {"key":"t<thread>k<i>","n":<1..9>}. */
    @State(Scope.Thread)
    public static class Calls {
        private static final int KEYS = 64;
        private final JsonNode[] args = new JsonNode[KEYS];
        private int next;

        @Setup(Level.Trial)
        public void setUp(ThreadParams thread) {
            for (int i = 0; i < KEYS; i++) {
                args[i] = BenchPlugins.args("t" + thread.getThreadIndex() + "k" + i, 1 + i % 9);
            }
        }

        JsonNode next() {
            JsonNode a = args[next];
            next = (next + 1) % KEYS;
            return a;
        }
    }

    @Benchmark
    public JsonNode handle(Calls calls) {
        return plugin.call(BenchPlugins.HANDLE_OP, calls.next(), BenchPlugins.CALLER);
    }
}
