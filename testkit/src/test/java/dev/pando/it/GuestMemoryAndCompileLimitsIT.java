package dev.pando.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.host.testing.BombModules;
import dev.pando.host.testing.Wat;
import dev.pando.testkit.PandoTest;
import dev.pando.testkit.PluginInstallException;
import dev.pando.testkit.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue #12 items 5 and 8 on a real node: compile bombs are refused at reload naming the limit
 * while the old version keeps serving; guests churning memory stay inside the node's budget,
 * the metrics show it, and another client's kv.get keeps answering.
 */
@PandoTest(config = {"plugins.max-total-memory-mb=8"})
class GuestMemoryAndCompileLimitsIT {
    /** grow: memory.grow by the args' length (JSON bytes) in pages, answers 1 or 0; churn: grows to the cap, then traps. */
    private static final String WAT = """
            (module
              (memory (export "memory") 1)
              (func (export "pando_alloc") (param i32) (result i32) (i32.const 1024))
              (func (export "grow") (param $ptr i32) (param $len i32) (result i64)
                (i64.store8 (i32.const 2048) (i64.extend_i32_u (i32.add (i32.const 48)
                  (i32.ne (memory.grow (local.get $len)) (i32.const -1)))))
                (i64.or (i64.shl (i64.const 2048) (i64.const 32)) (i64.const 1)))
              (func (export "churn") (param i32 i32) (result i64)
                (block $full (loop $more
                  (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
                  (br $more)))
                unreachable))""";
    private static final String MANIFEST = """
            {"id":"mem","version":"%s","apiVersion":1,"ops":[{"name":"mem.grow"},{"name":"mem.churn"}],
             "limits":{"memoryPages":64,"instances":4,"callTimeoutMs":5000}}""";

    @Test
    void churningGuestsStayInTheBudgetWhileKvGetKeepsAnswering(TestNode node) throws Exception {
        node.installWasm(Wat.assemble(WAT), MANIFEST.formatted("1.0.0"));
        PandoClient canary = node.client();
        canary.set("/canary", TextNode.valueOf("alive"));
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<Integer>> churners = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            churners.add(clients.submit(() -> {
                PandoClient c = node.client();
                int calls = 0;
                while (!stop.get()) {
                    PandoException e = catchThrowableOfType(() -> c.call("mem.churn", null), PandoException.class);
                    assertThat(e.code()).isIn(ErrorCode.PLUGIN_FAILED, ErrorCode.UNAVAILABLE);
                    calls++;
                }
                return calls;
            }));
        }
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < until) {
                long t0 = System.nanoTime();
                assertThat(canary.get("/canary").path("value").asText()).isEqualTo("alive");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("canary kv.get latency").isLessThan(2000);
                assertThat(node.node().metrics().render()).containsPattern("pando_guest_memory_bytes \\d+");
                assertThat(gauge(node, "pando_guest_memory_bytes")).isLessThanOrEqualTo(8L * 1024 * 1024);
            }
        } finally {
            stop.set(true);
            clients.shutdown();
        }
        for (Future<Integer> f : churners) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isPositive();
        }
        String metrics = node.node().metrics().render();
        assertThat(metrics).contains("pando_guest_memory_budget_bytes " + 8L * 1024 * 1024)
                .containsPattern("pando_plugin_memory_bytes\\{plugin=\"mem\"} \\d+");
        // The churn gave its memory back: a guest can grow again (62 pages, within its cap and the node's 128).
        assertThat(node.client().call("mem.grow", pages(62)).asInt()).isEqualTo(1);
    }

    @Test
    void aCompileBombIsRefusedAtReloadNamingTheLimitAndTheOldVersionKeepsServing(TestNode node) {
        node.installWasm(Wat.assemble(WAT), MANIFEST.formatted("1.0.0"));
        PluginInstallException e = catchThrowableOfType(() -> node.installWasm(BombModules.brTable(1_000_000),
                "{\"id\":\"mem\",\"version\":\"2.0.0\",\"apiVersion\":1}"), PluginInstallException.class);
        assertThat(e.getMessage()).contains("plugins.max-br-table-targets").contains("version 1.0.0 keeps serving");
        assertThat(node.call("mem.grow", pages(8)).asInt()).isEqualTo(1);

        PluginInstallException many = catchThrowableOfType(() -> node.installWasm(BombModules.manyFunctions(100_000),
                "{\"id\":\"many\",\"version\":\"1.0.0\",\"apiVersion\":1}"), PluginInstallException.class);
        assertThat(many.getMessage()).contains("100001 functions").contains("plugins.max-functions");
        assertThat(node.plugin("mem").orElseThrow().path("version").asText()).isEqualTo("1.0.0");
    }

    /** Args whose JSON is {@code n} bytes long: the guest grows by that many pages. */
    private static ObjectNode pages(int n) {
        return JsonNodeFactory.instance.objectNode().put("p", "x".repeat(n - 8));
    }

    private static long gauge(TestNode node, String name) {
        for (String line : node.node().metrics().render().split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + name);
    }
}
