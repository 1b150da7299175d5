package dev.pando.node.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.host.HostedPlugin;
import dev.pando.node.bench.jmh.BenchPlugins.Host;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one host-function call from WASM: each op of {@code wat/bench_hostcall.wat} runs a
 * loop of {@value #LOOP} iterations, with ({@code clock_ms}, {@code result_len},
 * {@code kv_get_missing}) or without ({@code none}) one host call per iteration, and the score
 * is time per iteration. ns per host call = score(import) - score(none); the per-op fixed cost
 * (slot, watchdog, args copy, 1/1000 of it per iteration) is in both and cancels.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Benchmark)
public class HostCallBenchmark {
    /** Iterations per op; must match the loops in bench_hostcall.wat. */
    public static final int LOOP = 1000;
    private static final JsonNode NO_ARGS = JsonNodeFactory.instance.objectNode();

    @Param({"compiled", "interpreted"})
    public String engine;

    /** The host function called in the loop, or none. */
    @Param({"none", "clock_ms", "result_len", "kv_get_missing"})
    public String hostFunction;

    private Path dir;
    private Host host;
    private HostedPlugin plugin;
    private String op;

    @Setup(Level.Trial)
    public void setUp() {
        dir = BenchPlugins.tempDir("pando-bench-hostcall");
        host = Host.open("memory", null);
        plugin = host.start(BenchPlugins.loadHostCalls(engine.equals("compiled"), dir));
        op = "hostcall.loop_" + hostFunction;
        plugin.call(op, NO_ARGS, BenchPlugins.CALLER);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plugin.close();
        host.close();
        BenchPlugins.deleteRecursively(dir);
    }

    @Benchmark
    @OperationsPerInvocation(LOOP)
    public JsonNode loop() {
        return plugin.call(op, NO_ARGS, BenchPlugins.CALLER);
    }
}
