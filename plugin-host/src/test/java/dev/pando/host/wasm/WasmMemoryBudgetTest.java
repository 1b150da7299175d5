package dev.pando.host.wasm;

import static dev.pando.host.testing.TestHost.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.testing.TestHost;
import dev.pando.host.testing.WasmFixture;
import dev.pando.host.testing.Wat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Guest memory churn: every instance's memory comes from one node-wide budget and goes back to it. */
class WasmMemoryBudgetTest {
    private static final long PAGE = 65536;
    /** grow: asks for $n pages (from the args' length) and returns what memory.grow said; churn: grows to the cap, then traps. */
    private static final String WAT = """
            (module
              (memory (export "memory") 1)
              (data (i32.const 0) "0123456789")
              (func (export "pando_alloc") (param i32) (result i32) (i32.const 1024))
              (func (export "grow") (param $ptr i32) (param $len i32) (result i64)
                (local $r i32)
                (local.set $r (memory.grow (local.get $len)))
                ;; result: one digit, '1' if the grow succeeded, '0' if it returned -1
                (i64.store8 (i32.const 2048) (i64.extend_i32_u (i32.add (i32.const 48) (i32.ne (local.get $r) (i32.const -1)))))
                (i64.or (i64.shl (i64.const 2048) (i64.const 32)) (i64.const 1)))
              (func (export "churn") (param i32 i32) (result i64)
                (block $full (loop $more
                  (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
                  (br $more)))
                unreachable))""";
    private static final String MANIFEST = """
            {"id":"mem","version":"1.0.0","apiVersion":1,"ops":[{"name":"mem.grow"},{"name":"mem.churn"}],
             "limits":{"memoryPages":64,"instances":4}}""";

    @Test
    void aGrowBeyondTheNodeBudgetReturnsMinusOneToTheGuest() {
        GuestMemoryBudget budget = new GuestMemoryBudget(32 * PAGE);
        try (WasmFixture f = start(budget)) {
            // 40 pages fit the plugin's cap of 64 but not the node's 32: refused.
            assertThat(f.call("grow", "\"" + "x".repeat(38) + "\"").asInt()).isEqualTo(0);
            assertThat(budget.refusals()).isEqualTo(1);
            assertThat(f.call("grow", "\"" + "x".repeat(8) + "\"").asInt()).isEqualTo(1); // 10 pages do
            assertThat(f.plugin().stats().memoryBytes()).isEqualTo(11 * PAGE);
            assertThat(budget.usedBytes()).isEqualTo(11 * PAGE);
        }
        assertThat(budget.usedBytes()).as("closing the plugin gives its memory back").isZero();
    }

    @Test
    void churningGuestsStayWithinTheBudgetAndGiveMemoryBack() throws Exception {
        GuestMemoryBudget budget = new GuestMemoryBudget(100 * PAGE); // less than 4 instances at their cap of 64 pages
        try (WasmFixture f = start(budget); WasmFixture other = start(budget)) {
            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                List<Future<PandoException>> calls = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    calls.add(clients.submit(() -> failure(() -> f.call("churn", "{}"))));
                }
                for (Future<PandoException> c : calls) {
                    // A trap at the cap, or no budget left even for a new instance's first page.
                    assertThat(c.get().code()).isIn(ErrorCode.PLUGIN_FAILED, ErrorCode.UNAVAILABLE);
                }
            } finally {
                clients.shutdownNow();
            }
            assertThat(budget.peakBytes()).isLessThanOrEqualTo(100 * PAGE);
            assertThat(f.plugin().stats().instancesDiscarded()).isGreaterThan(0);
            // Trapped instances gave their memory back: what remains is the idle instances' first page each.
            assertThat(f.plugin().stats().memoryBytes()).isEqualTo(f.plugin().stats().instancesIdle() * PAGE);
            assertThat(budget.usedBytes()).isEqualTo((f.plugin().stats().instancesIdle() + other.plugin().stats().instancesIdle()) * PAGE);
            // The other plugin still gets memory.
            assertThat(other.call("grow", "\"xx\"").asInt()).isEqualTo(1);
        }
        assertThat(budget.usedBytes()).isZero();
    }

    @Test
    void anInstanceWhoseInitialMemoryDoesNotFitIsUnavailable() {
        GuestMemoryBudget budget = new GuestMemoryBudget(PAGE);
        try (WasmFixture f = start(budget)) {
            PandoException e = failure(() -> start(budget));
            assertThat(e.getMessage()).contains(GuestMemoryBudget.KEY);
            assertThat(f.call("grow", "\"\"").asInt()).as("the budget is full").isEqualTo(0);
        }
    }

    private static WasmFixture start(GuestMemoryBudget budget) {
        PluginManifest manifest = TestHost.manifest(MANIFEST);
        return WasmFixture.start(manifest, Wat.assemble(WAT), WasmOptions.DEFAULT.withMemoryBudget(budget));
    }
}
