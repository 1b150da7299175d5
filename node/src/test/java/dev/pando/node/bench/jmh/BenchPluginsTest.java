package dev.pando.node.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.host.HostedPlugin;
import dev.pando.host.testing.TestHost;
import dev.pando.node.bench.jmh.BenchPlugins.Host;
import dev.pando.node.bench.jmh.BenchPlugins.Kind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps the plugin benchmarks honest: the native handler and the WASM module (compiled and
 * interpreted) do the same work and give the same answers, and the host-call loops really call
 * the host. The benchmarks themselves are never run by the build.
 */
class BenchPluginsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyKindOfTheHandlerDoesTheSameWork(Kind kind) {
        try (Host host = Host.open("memory", null)) {
            HostedPlugin plugin = host.start(BenchPlugins.loadHandler(kind, dir));
            try {
                assertThat(handle(plugin, "k17", 3).toString()).isEqualTo("{\"key\":\"k17\",\"total\":3}");
                assertThat(handle(plugin, "k17", 9).toString()).isEqualTo("{\"key\":\"k17\",\"total\":12}");
                assertThat(handle(plugin, "other", 1).toString()).isEqualTo("{\"key\":\"other\",\"total\":1}");
                assertThat(host.store.get("/_plugins/bench/k17").orElseThrow().value().asLong()).isEqualTo(12);
                assertThat(host.store.get("/_plugins/bench/k17").orElseThrow().writer()).isEqualTo("plugin:bench");

                PandoException bad = TestHost.failure(() -> plugin.call(BenchPlugins.HANDLE_OP,
                        TestHost.json("{\"n\":1}"), BenchPlugins.CALLER));
                assertThat(bad.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(bad.getMessage()).contains("args need a string key and a number n");
                // Keys are checked by the scoped view in both kinds.
                PandoException escape = TestHost.failure(() -> handle(plugin, "../x", 1));
                assertThat(escape.code()).isIn(ErrorCode.BAD_REQUEST, ErrorCode.UNAVAILABLE);
            } finally {
                plugin.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void hostCallLoopsCallTheHostOncePerIteration(boolean compiled) {
        try (Host host = Host.open("memory", null)) {
            HostedPlugin plugin = host.start(BenchPlugins.loadHostCalls(compiled, dir));
            try {
                JsonNode none = JsonNodeFactory.instance.objectNode();
                int n = HostCallBenchmark.LOOP;
                assertThat(plugin.call("hostcall.loop_none", none, BenchPlugins.CALLER).asLong()).isEqualTo((long) n * (n - 1) / 2);
                assertThat(plugin.call("hostcall.loop_kv_get_missing", none, BenchPlugins.CALLER).asLong()).isEqualTo(-3L * n);
                assertThat(plugin.call("hostcall.loop_result_len", none, BenchPlugins.CALLER).asLong()).isZero();
                long before = System.currentTimeMillis();
                long sum = plugin.call("hostcall.loop_clock_ms", none, BenchPlugins.CALLER).asLong();
                long after = System.currentTimeMillis();
                assertThat(sum).isBetween(before * n, after * n);
            } finally {
                plugin.close();
            }
        }
    }

    @Test
    void handlerSwapBenchmarkBuildsARealisticTable() {
        HandlerSwapBenchmark bench = new HandlerSwapBenchmark();
        bench.plugins = 5;
        bench.setUp();
        try {
            long generation = bench.replaceOnePlugin().generation();
            assertThat(bench.replaceOnePlugin().generation()).isEqualTo(generation + 1);
        } finally {
            bench.tearDown();
        }
    }

    /** Compared as JSON text: the native plugin answers a long, the WASM module's text parses as an int. */
    private static JsonNode handle(HostedPlugin plugin, String key, int n) {
        return plugin.call(BenchPlugins.HANDLE_OP, BenchPlugins.args(key, n), BenchPlugins.CALLER);
    }
}
