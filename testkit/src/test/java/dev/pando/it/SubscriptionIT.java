package dev.pando.it;

import static dev.pando.it.Json.num;
import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoWebSocket;
import dev.pando.client.SubscribeOptions;
import dev.pando.client.Subscription;
import dev.pando.node.config.NodeConfig;
import dev.pando.testkit.TestNode;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Subscriptions against a real node: exactly the matching changes, in order. */
class SubscriptionIT {

    @Test
    void subscriberReceivesExactlyMatchingChangesInOrder() throws Exception {
        try (TestNode node = TestNode.start()) {
            PandoWebSocket ws = node.webSocket();
            BlockingQueue<JsonNode> pushes = new LinkedBlockingQueue<>();
            Subscription sub = ws.subscribe("/site-a/*/temp", SubscribeOptions.changesOnly(), pushes::add);

            PandoClient c = node.client();
            c.set("/site-a/room1/temp", num(20));
            c.set("/site-b/room1/temp", num(99));      // other site
            c.set("/site-a/room1/humidity", num(40));  // other leaf
            c.set("/site-a/room2/temp", num(21));
            c.set("/site-a/room1/deep/temp", num(5));  // * is one segment only
            c.delete("/site-a/room1/temp");
            c.publish("/site-a/room1/temp", num(1));   // an event, not a change: not subscribed to

            List<JsonNode> got = drain(pushes, 3);
            assertThat(got).extracting(f -> f.get("type").asText()).containsOnly("change");
            assertThat(got).extracting(f -> f.get("sub").asText()).containsOnly(sub.id());
            assertThat(got).extracting(f -> f.get("change").get("key").asText())
                    .containsExactly("/site-a/room1/temp", "/site-a/room2/temp", "/site-a/room1/temp");
            assertThat(got.get(2).get("change").get("value").isNull()).isTrue();
            List<Long> revisions = got.stream().map(f -> f.get("change").get("revision").asLong()).toList();
            assertThat(revisions).isSorted().doesNotHaveDuplicates();
            assertThat(pushes.poll(300, TimeUnit.MILLISECONDS)).as("nothing else arrives").isNull();
        }
    }

    @Test
    void eventsAndSnapshot() throws Exception {
        try (TestNode node = TestNode.start()) {
            PandoClient c = node.client();
            c.set("/cfg/a", num(1));
            c.set("/cfg/b", num(2));
            c.set("/other", num(3));
            PandoWebSocket ws = node.webSocket();
            BlockingQueue<JsonNode> pushes = new LinkedBlockingQueue<>();
            Subscription sub = ws.subscribe("/cfg/**", SubscribeOptions.defaults().withSnapshot(true), pushes::add);
            assertThat(sub.snapshot()).extracting(e -> e.get("key").asText()).containsExactly("/cfg/a", "/cfg/b");
            assertThat(sub.revision()).isEqualTo(3);

            assertThat(c.publish("/cfg/alerts", obj().put("msg", "hi"))).isEqualTo(1);
            c.set("/cfg/c", num(4));
            List<JsonNode> got = drain(pushes, 2);
            assertThat(got.get(0).get("type").asText()).isEqualTo("event");
            assertThat(got.get(0).get("event").get("payload").get("msg").asText()).isEqualTo("hi");
            assertThat(got.get(1).get("change").get("revision").asLong()).isEqualTo(4);

            ws.unsubscribe(sub.id()).get(5, TimeUnit.SECONDS);
            c.set("/cfg/d", num(5));
            assertThat(pushes.poll(300, TimeUnit.MILLISECONDS)).as("unsubscribed").isNull();
        }
    }

    @Test
    void subscriptionLimitIsEnforcedAndNothingChanges() {
        try (TestNode node = TestNode.builder().with(NodeConfig.SUBSCRIPTIONS_PER_SESSION, 3).start()) {
            PandoWebSocket ws = node.webSocket();
            for (int i = 0; i < 3; i++) {
                ws.subscribe("/s/" + i, SubscribeOptions.defaults(), f -> {});
            }
            assertThatThrownBy(() -> ws.subscribe("/s/4", SubscribeOptions.defaults(), f -> {}))
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
            assertThat(node.node().events().subscriptionCount()).isEqualTo(3);
            assertThat(ws.callSync("node.health", obj()).get("status").asText()).isEqualTo("ok");
        }
    }

    @Test
    void subscribeOverHttpIsRefused() {
        try (TestNode node = TestNode.start()) {
            assertThatThrownBy(() -> node.client().call("pubsub.subscribe", obj().put("pattern", "/a")))
                    .isInstanceOfSatisfying(PandoException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                        assertThat(e.getMessage()).contains("WebSocket");
                    });
        }
    }

    private static List<JsonNode> drain(BlockingQueue<JsonNode> q, int n) throws InterruptedException {
        List<JsonNode> out = new java.util.ArrayList<>();
        while (out.size() < n) {
            JsonNode f = q.poll(10, TimeUnit.SECONDS);
            assertThat(f).as("push %d of %d", out.size() + 1, n).isNotNull();
            out.add(f);
        }
        return out;
    }
}
