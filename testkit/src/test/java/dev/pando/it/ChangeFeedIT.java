package dev.pando.it;

import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoWebSocket;
import dev.pando.testkit.TestNode;
import dev.pando.testkit.TestScale;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Concurrent writers over HTTP and WebSocket against a real node; the feed must be exact. */
class ChangeFeedIT {
    private static final int HTTP_WRITERS = 4;
    private static final int WS_WRITERS = 4;
    private static final int WRITES_EACH = TestScale.scaled(250);

    @Test
    void concurrentWritersProduceGapFreeStrictlyIncreasingRevisions() throws Exception {
        try (TestNode node = TestNode.start()) {
            Set<Long> acked = ConcurrentHashMap.newKeySet();
            ExecutorService pool = Executors.newFixedThreadPool(HTTP_WRITERS + WS_WRITERS);
            List<Future<?>> jobs = new ArrayList<>();
            for (int w = 0; w < HTTP_WRITERS; w++) {
                int writer = w;
                PandoClient c = node.client();
                jobs.add(pool.submit(() -> {
                    for (int i = 0; i < WRITES_EACH; i++) {
                        acked.add(c.set("/w/http" + writer + "/k" + (i % 10), obj().put("i", i)).get("revision").asLong());
                    }
                }));
            }
            for (int w = 0; w < WS_WRITERS; w++) {
                int writer = w;
                PandoWebSocket ws = node.webSocket();
                jobs.add(pool.submit(() -> {
                    // Pipelined: all of this writer's requests in flight at once.
                    List<CompletableFuture<JsonNode>> pending = new ArrayList<>();
                    for (int i = 0; i < WRITES_EACH; i++) {
                        pending.add(ws.call("kv.set", obj().put("key", "/w/ws" + writer + "/k" + (i % 10)).set("value", obj().put("i", i))));
                    }
                    pending.forEach(f -> acked.add(f.join().get("revision").asLong()));
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
            pool.shutdown();

            int total = (HTTP_WRITERS + WS_WRITERS) * WRITES_EACH;
            assertThat(acked).hasSize(total);

            PandoClient c = node.client();
            List<Long> feed = new ArrayList<>();
            long after = 0;
            while (true) {
                JsonNode page = c.call("kv.changes", obj().put("after", after).put("limit", 500));
                if (page.get("changes").isEmpty()) {
                    break;
                }
                for (JsonNode ch : page.get("changes")) {
                    feed.add(ch.get("revision").asLong());
                }
                after = page.get("next").asLong();
            }
            assertThat(feed).hasSize(total);
            for (int i = 0; i < feed.size(); i++) {
                assertThat(feed.get(i)).as("revision at feed position %d", i).isEqualTo(i + 1L);
            }
            assertThat(new HashSet<>(feed)).isEqualTo(acked);
        }
    }
}
