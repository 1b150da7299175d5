package dev.pando.node.bench.jmh;

import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.testing.Wat;
import dev.pando.host.wasm.WasmOptions;
import dev.pando.host.wasm.WasmPlugin;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link WasmPlugin#load} of the benchmark handler module: parse, validate against the manifest
 * and, when compiled, compile to JVM bytecode (Chicory's {@code MachineFactoryCompiler}). No
 * signature check, no instance. Default mode: average over a warmed-up JVM (what a node that has
 * already reloaded a few times pays). For the first load in a fresh JVM run with
 * {@code -bm ss -wi 0 -i 1 -f 5}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Benchmark)
public class WasmLoadBenchmark {
    @Param({"compiled", "interpreted"})
    public String engine;

    @Param({BenchPlugins.HANDLER_MODULE})
    public String module;

    private PluginManifest manifest;
    private byte[] bytes;
    private WasmOptions options;

    @Setup(Level.Trial)
    public void setUp() {
        manifest = ManifestParser.parse(Wat.manifestJson(module).getBytes(StandardCharsets.UTF_8));
        bytes = Wat.module(module);
        options = WasmOptions.DEFAULT.withCompiled(engine.equals("compiled"));
    }

    @Benchmark
    public WasmPlugin load() {
        WasmPlugin plugin = WasmPlugin.load(manifest, bytes, options);
        plugin.close();
        return plugin;
    }
}
