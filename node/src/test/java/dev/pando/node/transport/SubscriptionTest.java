package dev.pando.node.transport;

import static dev.pando.node.transport.TestNode.eventually;
import static dev.pando.node.transport.TestNode.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.Scope;
import dev.pando.api.plugin.KvChange;
import dev.pando.node.auth.Authenticator;
import dev.pando.node.auth.Principal;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.session.Sessions;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pushed frames: matching, limits, ordering against the subscribe response, slow consumers. */
class SubscriptionTest {

    private static KvChange change(String key, JsonNode value, long revision) {
        return new KvChange(key, value, revision, 1_700_000_000_000L + revision, "node-1", "tester");
    }

    @Test
    void subscriptionsReceiveExactlyTheMatchingPushes() throws Exception {
        try (TestNode node = TestNode.start();
                WsClient ws = WsClient.open(node, "/v1/ws")) {
            String changesSub = ws.call(1, "test.subscribe", "{\"pattern\":\"/a/*\",\"events\":false}").at("/result/sub").asText();
            String eventsSub = ws.call(2, "test.subscribe", "{\"pattern\":\"/t/**\",\"changes\":false}").at("/result/sub").asText();
            assertThat(node.bus.subscriptionCount()).isEqualTo(2);

            node.bus.committed(List.of(
                    change("/a/1", json("{\"on\":true}"), 1),
                    change("/b/1", json("1"), 2),      // other prefix
                    change("/a/1/x", json("2"), 3),    // one segment too deep for /a/*
                    change("/a/2", null, 4),           // a delete
                    change("/t/x", json("3"), 5)));    // events-only subscription
            node.bus.publish("/t/x", json("{\"hello\":1}"), "pub");
            node.bus.publish("/a/1", json("4"), "pub"); // changes-only subscription
            node.bus.publish("/u/x", json("5"), "pub"); // nobody

            JsonNode first = ws.next();
            assertThat(first).isEqualTo(json("{\"type\":\"change\",\"sub\":\"" + changesSub + "\",\"change\":"
                    + "{\"key\":\"/a/1\",\"value\":{\"on\":true},\"revision\":1,\"timestamp\":1700000000001,"
                    + "\"origin\":\"node-1\",\"writer\":\"tester\"}}"));
            JsonNode second = ws.next();
            assertThat(second.at("/change/key").asText()).isEqualTo("/a/2");
            assertThat(second.at("/change").has("value")).isTrue();
            assertThat(second.at("/change/value").isNull()).isTrue();
            JsonNode third = ws.next();
            assertThat(third.get("type").asText()).isEqualTo("event");
            assertThat(third.get("sub").asText()).isEqualTo(eventsSub);
            assertThat(third.at("/event/topic").asText()).isEqualTo("/t/x");
            assertThat(third.at("/event/payload")).isEqualTo(json("{\"hello\":1}"));
            assertThat(third.at("/event/publisher").asText()).isEqualTo("pub");
            assertThat(third.at("/event/timestamp").asLong()).isPositive();
            assertThat(ws.received.poll(300, TimeUnit.MILLISECONDS)).as("no further pushes").isNull();

            // Unsubscribed: no more changes for it; the other one still works.
            assertThat(ws.call(3, "test.unsubscribe", "{\"sub\":\"" + changesSub + "\"}").at("/result/removed").asBoolean()).isTrue();
            assertThat(ws.call(4, "test.unsubscribe", "{\"sub\":\"" + changesSub + "\"}").at("/result/removed").asBoolean()).isFalse();
            node.bus.committed(List.of(change("/a/1", json("6"), 6)));
            node.bus.publish("/t/y", json("7"), "pub");
            JsonNode after = ws.next();
            assertThat(after.get("type").asText()).isEqualTo("event");
            assertThat(after.at("/event/topic").asText()).isEqualTo("/t/y");
            assertThat(ws.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void pushesSkipKeysTheSubscriberMayNotRead() throws Exception {
        Authenticator auth = mock(Authenticator.class);
        Principal reader = new Principal("reader", List.of(Scope.parse("read:/a/public/**"), Scope.parse("subscribe:/a/public/**")), "reader");
        when(auth.authenticate(eq(Optional.of("reader")), anyString())).thenReturn(reader);
        when(auth.recheck(eq(Optional.of("reader")), anyString())).thenReturn(reader);
        try (TestNode node = TestNode.start(auth);
                WsClient ws = WsClient.open(node, "/v1/ws?token=reader")) {
            ws.call(1, "test.subscribe", "{\"pattern\":\"/a/**\"}");
            node.bus.committed(List.of(
                    change("/a/secret/1", json("1"), 1),
                    change("/a/public/1", json("2"), 2)));
            node.bus.publish("/a/secret/topic", json("3"), "pub");
            node.bus.publish("/a/public/topic", json("4"), "pub");
            assertThat(ws.next().at("/change/key").asText()).isEqualTo("/a/public/1");
            assertThat(ws.next().at("/event/topic").asText()).isEqualTo("/a/public/topic");
            assertThat(ws.received.poll(300, TimeUnit.MILLISECONDS)).as("nothing under /a/secret").isNull();
        }
    }

    @Test
    void closingTheSessionClosesItsSubscriptions() throws Exception {
        try (TestNode node = TestNode.start()) {
            try (WsClient ws = WsClient.open(node, "/v1/ws")) {
                ws.call(1, "test.subscribe", "{\"pattern\":\"/a/**\"}");
                ws.call(2, "test.subscribe", "{\"pattern\":\"/b/**\"}");
                assertThat(node.bus.subscriptionCount()).isEqualTo(2);
                assertThat(node.metrics.render()).contains("pando_subscriptions 2");
            }
            assertThat(eventually(2_000, () -> node.bus.subscriptionCount() == 0)).isTrue();
            node.bus.committed(List.of(change("/a/1", json("1"), 1))); // nothing to deliver to, nothing breaks
        }
    }

    @Test
    void subscriptionLimitIsEnforcedPerSession() throws Exception {
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.SUBSCRIPTIONS_PER_SESSION, 3));
                WsClient ws = WsClient.open(node, "/v1/ws");
                WsClient other = WsClient.open(node, "/v1/ws")) {
            List<String> subs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                subs.add(ws.call(i, "test.subscribe", "{\"pattern\":\"/p" + i + "/**\"}").at("/result/sub").asText());
            }
            JsonNode refused = ws.call(3, "test.subscribe", "{\"pattern\":\"/p3/**\"}");
            assertThat(refused.at("/error/code").asText()).isEqualTo("TOO_LARGE");
            assertThat(refused.at("/error/message").asText()).isEqualTo("subscription limit 3 reached");
            assertThat(node.bus.subscriptionCount()).isEqualTo(3);

            // Per session: another session has its own allowance.
            assertThat(other.call(1, "test.subscribe", "{\"pattern\":\"/q/**\"}").get("ok").asBoolean()).isTrue();
            // Freeing one makes room again.
            ws.call(4, "test.unsubscribe", "{\"sub\":\"" + subs.get(0) + "\"}");
            assertThat(ws.call(5, "test.subscribe", "{\"pattern\":\"/p3/**\"}").get("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void pushesWaitForTheSubscribeResponse() throws Exception {
        try (TestNode node = TestNode.start();
                WsClient ws = WsClient.open(node, "/v1/ws")) {
            // The handler pushes to its new subscription, then takes a while to answer.
            node.afterSubscribe = (session, sub) -> {
                String key = sub.pattern().literalPrefix() + "/k";
                node.bus.committed(List.of(change(key, json("1"), 1), change(key, json("2"), 2)));
                node.bus.publish(key, json("3"), "pub");
            };
            for (int i = 0; i < 10; i++) {
                ws.send("{\"id\":" + i + ",\"op\":\"test.subscribeThenPush\",\"args\":{\"pattern\":\"/h" + i + "/**\",\"delayMs\":30}}");
                JsonNode response = ws.next();
                assertThat(response.has("type")).as("the response comes first: " + response).isFalse();
                assertThat(response.get("id").asInt()).isEqualTo(i);
                String sub = response.at("/result/sub").asText();
                List<JsonNode> pushes = List.of(ws.next(), ws.next(), ws.next());
                assertThat(pushes).allMatch(p -> p.get("sub").asText().equals(sub));
                assertThat(pushes).extracting(p -> p.get("type").asText()).containsExactly("change", "change", "event");
                assertThat(pushes.get(0).at("/change/revision").asLong()).isEqualTo(1);
                assertThat(pushes.get(1).at("/change/revision").asLong()).isEqualTo(2);
            }
        }
    }

    @Test
    void aClientThatNeverReadsIsCutOffWithoutSlowingAnyoneElse() throws Exception {
        int queue = 64;
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.SUBSCRIBER_QUEUE, queue));
                RawWebSocket stuck = RawWebSocket.open(node.port(), "/v1/ws");
                WsClient healthy = WsClient.open(node, "/v1/ws")) {
            stuck.socket.setReceiveBufferSize(64 * 1024);
            stuck.sendText("{\"id\":\"s\",\"op\":\"test.subscribe\",\"args\":{\"pattern\":\"/big/**\"}}");
            String healthySub = healthy.call(1, "test.subscribe", "{\"pattern\":\"/small/**\"}").at("/result/sub").asText();
            assertThat(eventually(2_000, () -> node.bus.subscriptionCount() == 2)).isTrue();

            // 500 changes of 100 KB (50 MB) for the stuck client, 10 small ones for the healthy one.
            JsonNode bigValue = TextNode.valueOf("v".repeat(100_000));
            long maxCallNanos = 0;
            long totalNanos = 0;
            int small = 0;
            for (int i = 0; i < 500; i++) {
                List<KvChange> batch = i % 50 == 0
                        ? List.of(change("/big/" + i, bigValue, i), change("/small/" + small++, json("" + i), i))
                        : List.of(change("/big/" + i, bigValue, i));
                long t0 = System.nanoTime();
                node.bus.committed(batch);
                long took = System.nanoTime() - t0;
                maxCallNanos = Math.max(maxCallNanos, took);
                totalNanos += took;
                if (i % 2 == 0) {
                    Thread.sleep(1); // let the event loop fill the socket, so its backpressure is what stops the drain
                }
            }
            // The commit side only enqueued: it never waited on a socket. Waiting on the stuck client
            // would block for good, so the bounds are loose enough for a loaded CI machine's pauses.
            assertThat(TimeUnit.NANOSECONDS.toMillis(totalNanos)).as("total time in committed()").isLessThan(5_000);
            assertThat(TimeUnit.NANOSECONDS.toMillis(maxCallNanos)).as("slowest committed() call").isLessThan(2_000);

            assertThat(eventually(5_000, () -> node.bus.overflowCount() == 1)).isTrue();
            assertThat(node.metrics.counter(Sessions.SLOW_CONSUMERS)).isEqualTo(1);
            assertThat(node.bus.subscriptionCount()).as("only the healthy subscription is left").isEqualTo(1);

            // Everyone else is served: the healthy session got all its pushes, HTTP answers.
            for (int i = 0; i < small; i++) {
                JsonNode push = healthy.next();
                assertThat(push.get("sub").asText()).isEqualTo(healthySub);
                assertThat(push.at("/change/key").asText()).isEqualTo("/small/" + i);
            }
            assertThat(healthy.call(2, "test.echo", "{}").get("ok").asBoolean()).isTrue();
            HttpResponse<String> health = node.get("/health");
            assertThat(health.statusCode()).isEqualTo(200);

            // The stuck client, once it reads, finds the SLOW_CONSUMER frame after its backlog; the session is still open.
            stuck.socket.setSoTimeout(10_000);
            JsonNode error = readUntilType(stuck, "error");
            assertThat(error.at("/error/code").asText()).isEqualTo("SLOW_CONSUMER");
            stuck.sendText("{\"id\":\"after\",\"op\":\"test.echo\",\"args\":{}}");
            JsonNode r = readUntilId(stuck, "after");
            assertThat(r.get("ok").asBoolean()).isTrue();
            // It may subscribe again.
            stuck.sendText("{\"id\":\"again\",\"op\":\"test.subscribe\",\"args\":{\"pattern\":\"/big/**\"}}");
            assertThat(readUntilId(stuck, "again").get("ok").asBoolean()).isTrue();
            node.bus.committed(List.of(change("/big/last", json("1"), 1000)));
            assertThat(readUntilType(stuck, "change").at("/change/key").asText()).isEqualTo("/big/last");
        }
    }

    private static JsonNode readUntilType(RawWebSocket ws, String type) throws IOException {
        while (true) {
            JsonNode f = json(ws.readText());
            if (type.equals(f.path("type").asText(null))) {
                return f;
            }
        }
    }

    private static JsonNode readUntilId(RawWebSocket ws, String id) throws IOException {
        while (true) {
            JsonNode f = json(ws.readText());
            if (!f.has("type") && id.equals(f.path("id").asText(null))) {
                return f;
            }
        }
    }
}
