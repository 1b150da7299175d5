package dev.pando.guest.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.client.PandoClient;
import dev.pando.guest.GuestBuild;
import dev.pando.testkit.TestNode;
import dev.pando.testkit.TestScale;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** guest-sdk/examples/counter (Rust), signed by build.sh, in a real node on RocksDB. */
class CounterExampleIT {
    private TestNode node;
    private PandoClient client;

    @BeforeEach
    void start() {
        node = Examples.nodeWith(GuestBuild.signedPlugin("counter", GuestBuild.RUST));
        client = node.adminClient();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private JsonNode call(String op, String args) {
        return client.call(op, Examples.json(args));
    }

    @Test
    void countsPerNameUnderItsOwnPrefix() {
        assertThat(call("counter.get", "{}")).isEqualTo(Examples.json("{\"name\":\"default\",\"value\":0}"));
        assertThat(call("counter.incr", "{}")).isEqualTo(Examples.json("{\"name\":\"default\",\"value\":1}"));
        assertThat(call("counter.incr", "{\"by\":5}").path("value").asLong()).isEqualTo(6);
        assertThat(call("counter.incr", "{\"name\":\"visits\",\"by\":-2}").path("value").asLong()).isEqualTo(-2);
        assertThat(call("counter.get", "{\"name\":\"visits\"}").path("value").asLong()).isEqualTo(-2);
        assertThat(call("counter.list", "{}")).isEqualTo(Examples.json("{\"counters\":{\"default\":6,\"visits\":-2}}"));
        // The state is ordinary KV under the plugin's prefix.
        assertThat(client.get("/_plugins/counter/default").path("value").asLong()).isEqualTo(6);
    }

    @Test
    void badArgumentsAreTypedErrorsAndChangeNothing() {
        call("counter.incr", "{\"by\":3}");
        assertThat(Examples.failure(() -> call("counter.incr", "{\"by\":\"three\"}")))
                .satisfies(e -> assertThat(e.code().name()).isEqualTo("BAD_REQUEST"))
                .satisfies(e -> assertThat(e.getMessage()).contains("by"));
        assertThat(Examples.failure(() -> call("counter.incr", "{\"by\":1.5}")).code().name()).isEqualTo("BAD_REQUEST");
        assertThat(Examples.failure(() -> call("counter.incr", "{\"name\":\"a/b\"}")))
                .satisfies(e -> assertThat(e.code().name()).isEqualTo("BAD_REQUEST"))
                .satisfies(e -> assertThat(e.getMessage()).contains("name"));
        assertThat(Examples.failure(() -> call("counter.get", "{\"name\":\"\"}")).code().name()).isEqualTo("BAD_REQUEST");
        assertThat(Examples.failure(() -> call("counter.incr", "{\"by\":9223372036854775807}")).code().name()).isEqualTo("BAD_REQUEST");
        // A misspelt argument is refused, naming it, rather than ignored (which would count 'default' up).
        assertThat(Examples.failure(() -> call("counter.incr", "{\"N\":1}")))
                .satisfies(e -> assertThat(e.code().name()).isEqualTo("BAD_REQUEST"))
                .satisfies(e -> assertThat(e.getMessage()).contains("unknown argument 'N'"));
        assertThat(Examples.failure(() -> call("counter.incr", "{\"By\":2}")).code().name()).isEqualTo("BAD_REQUEST");
        assertThat(call("counter.list", "{}")).isEqualTo(Examples.json("{\"counters\":{\"default\":3}}"));
    }

    @Test
    void concurrentIncrementsAreNotLost() throws Exception {
        int threads = 8;
        int each = TestScale.scaled(25);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                PandoClient own = node.adminClient();
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        own.call("counter.incr", Examples.json("{\"name\":\"race\"}"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // Several instances read-modify-write one key; compare-and-set with retry keeps every increment.
        assertThat(call("counter.get", "{\"name\":\"race\"}").path("value").asLong()).isEqualTo((long) threads * each);
    }

    @Test
    void stateAndPluginSurviveARestart() {
        call("counter.incr", "{\"by\":41}");
        node.restart();
        client = node.adminClient();
        assertThat(call("counter.incr", "{}").path("value").asLong()).isEqualTo(42);
    }
}
