package dev.pando.it;

import static dev.pando.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.pando.client.PandoClient;
import dev.pando.host.testing.Wat;
import dev.pando.testkit.TestNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A WASM listener that never returns, fed a backlog of changes, is stopped after a few timed-out
 * deliveries and its backlog is dropped rather than drained one full time limit each, while a
 * separate client's {@code kv.get} keeps answering.
 */
class LoopingListenerIT {
    private static final int BACKLOG = 200;
    private static final int LIMIT_MS = 200;
    /** A canary answer slower than this means it waited behind the listener. */
    private static final long CANARY_MS = 2_000;

    private static final String MODULE = """
            (module
              (memory (export "memory") 1)
              (func (export "pando_alloc") (param $len i32) (result i32) (i32.const 1024))
              (func (export "pando_on_event") (param $ptr i32) (param $len i32) (result i32)
                (loop $forever (br $forever))
                (i32.const 0)))
            """;
    private static final String MANIFEST = "{\"id\": \"looper\", \"version\": \"1.0.0\", \"apiVersion\": 1,"
            + " \"listens\": {\"changes\": [\"/spin/**\"]}, \"kv\": {\"read\": [\"/spin\"]},"
            + " \"limits\": {\"memoryPages\": 1, \"callTimeoutMs\": " + LIMIT_MS + ", \"instances\": 1}}";

    @Test
    void aListenerThatKeepsTimingOutIsStoppedAndItsBacklogDropped() throws Exception {
        try (TestNode node = TestNode.builder().inMemory().start()) {
            node.installWasm(Wat.assemble(MODULE), MANIFEST);
            PandoClient writer = node.client();
            PandoClient canary = node.client();
            canary.set("/canary", IntNode.valueOf(1));
            for (int i = 0; i < BACKLOG; i++) {
                writer.set("/spin/k" + (i % 10), IntNode.valueOf(i));
            }

            // Draining the backlog one timeout each would take BACKLOG × LIMIT_MS = 40 s.
            JsonNode stopped = eventually("the looping listener is stopped", Duration.ofSeconds(15), () -> {
                long t0 = System.nanoTime();
                assertThat(canary.get("/canary").get("value").asInt()).isEqualTo(1);
                assertThat((System.nanoTime() - t0) / 1_000_000).as("canary kv.get ms").isLessThan(CANARY_MS);
                return node.plugin("looper").filter(p -> p.path("listener").asText().startsWith("STOPPED")).orElse(null);
            });
            long delivered = stopped.at("/stats/deliveries").asLong();
            assertThat(delivered).as("deliveries before the stop").isLessThan(BACKLOG / 10);

            // The backlog is dropped, not drained, and new changes are not delivered either.
            writer.set("/spin/after", IntNode.valueOf(1));
            Thread.sleep(3L * LIMIT_MS);
            assertThat(node.plugin("looper").orElseThrow().at("/stats/deliveries").asLong()).isEqualTo(delivered);
        }
    }
}
