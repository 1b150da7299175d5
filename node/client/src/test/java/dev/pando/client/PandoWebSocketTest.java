package dev.pando.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PandoWebSocketTest {
    static FakeNode node;
    final List<JsonNode> unrouted = new CopyOnWriteArrayList<>();
    final BlockingQueue<Object> closes = new LinkedBlockingQueue<>();
    PandoWebSocket ws;

    @BeforeAll
    static void startNode() {
        node = FakeNode.start();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @AfterEach
    void closeSession() {
        node.requiredToken = null;
        if (ws != null) {
            ws.close();
        }
    }

    PandoWebSocket open() {
        ws = PandoWebSocket.connect(node.uri(), null, new PandoWebSocket.Listener() {
            @Override
            public void onPush(JsonNode frame) {
                unrouted.add(frame);
            }

            @Override
            public void onClosed(PandoConnectionException error) {
                closes.add(error == null ? "clean" : error);
            }
        });
        return ws;
    }

    static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }

    @Test
    void callReturnsResult() throws Exception {
        open();
        assertThat(ws.call("node.health", null).get(5, TimeUnit.SECONDS).get("status").asText()).isEqualTo("ok");
        assertThat(ws.callSync("kv.set", obj().put("key", "/ws/a").put("value", 7)).get("revision").asLong()).isPositive();
    }

    @Test
    void pipelinedCallsAreMatchedByIdWhenAnswersComeOutOfOrder() throws Exception {
        open();
        List<CompletableFuture<JsonNode>> futures = new ArrayList<>();
        List<Integer> completionOrder = new CopyOnWriteArrayList<>();
        int n = 20;
        for (int i = 0; i < n; i++) {
            int value = i;
            // Earlier calls wait longer, so the node answers in reverse order.
            CompletableFuture<JsonNode> f = ws.call("test.echo", obj().put("value", i).put("delayMs", (n - i) * 15));
            f.thenAccept(r -> completionOrder.add(value));
            futures.add(f);
        }
        assertThat(ws.inFlight()).isGreaterThan(1);
        for (int i = 0; i < n; i++) {
            assertThat(futures.get(i).get(5, TimeUnit.SECONDS).get("value").asInt()).isEqualTo(i);
        }
        // The last call sent (15 ms delay) was answered well before the first (300 ms).
        assertThat(completionOrder.indexOf(n - 1)).isLessThan(completionOrder.indexOf(0));
        assertThat(ws.inFlight()).isZero();
    }

    @Test
    void errorAnswersFailTheirFutureOnly() throws Exception {
        open();
        CompletableFuture<JsonNode> bad = ws.call("test.fail", obj().put("code", "RATE_LIMITED").put("message", "slow down").put("retryAfterMs", 250));
        CompletableFuture<JsonNode> good = ws.call("test.echo", obj().put("value", "x"));
        assertThat(good.get(5, TimeUnit.SECONDS).get("value").asText()).isEqualTo("x");
        assertThatThrownBy(() -> ws.callSync("test.fail", obj().put("code", "FORBIDDEN")))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThat(bad).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(PandoException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.getMessage()).isEqualTo("slow down");
                    assertThat(e.retryAfterMillis()).isEqualTo(250);
                });
    }

    @Test
    void pushedFramesAreRoutedToTheirSubscription() throws Exception {
        open();
        BlockingQueue<JsonNode> lights = new LinkedBlockingQueue<>();
        BlockingQueue<JsonNode> alerts = new LinkedBlockingQueue<>();
        Subscription s1 = ws.subscribe("/lights/**", SubscribeOptions.changesOnly(), lights::add);
        Subscription s2 = ws.subscribe("/alerts/*", SubscribeOptions.eventsOnly(), alerts::add);
        assertThat(s1.id()).isNotEqualTo(s2.id());

        try (PandoClient http = PandoClient.connect(node.uri(), null)) {
            http.set("/lights/kitchen/1", obj().put("on", true));
            assertThat(http.publish("/alerts/fire", TextNode.valueOf("run"))).isEqualTo(1);
        }
        JsonNode change = lights.poll(5, TimeUnit.SECONDS);
        assertThat(change.get("type").asText()).isEqualTo("change");
        assertThat(change.get("sub").asText()).isEqualTo(s1.id());
        assertThat(change.at("/change/key").asText()).isEqualTo("/lights/kitchen/1");
        JsonNode event = alerts.poll(5, TimeUnit.SECONDS);
        assertThat(event.at("/event/payload").asText()).isEqualTo("run");
        assertThat(lights).isEmpty();

        // A frame for an unknown subscription goes to the session listener.
        ws.callSync("test.push", obj().set("frame", obj().put("type", "event").put("sub", "nope")));
        assertThat(unrouted).extracting(f -> f.get("sub").asText()).containsExactly("nope");

        ws.unsubscribe(s1.id()).get(5, TimeUnit.SECONDS);
        try (PandoClient http = PandoClient.connect(node.uri(), null)) {
            http.set("/lights/kitchen/1", obj().put("on", false));
        }
        ws.callSync("node.health", null); // the change would have arrived before this answer
        assertThat(lights).isEmpty();
    }

    @Test
    void snapshotComesWithTheSubscription() {
        try (PandoClient http = PandoClient.connect(node.uri(), null)) {
            http.set("/snap/a", IntNode.valueOf(1));
            http.set("/snap/b", IntNode.valueOf(2));
        }
        open();
        Subscription s = ws.subscribe("/snap/*", SubscribeOptions.defaults().withSnapshot(true), f -> { });
        assertThat(s.snapshot()).extracting(e -> e.get("key").asText()).containsExactly("/snap/a", "/snap/b");
        assertThat(s.revision()).isPositive();
        assertThat(s.pattern()).isEqualTo("/snap/*");
    }

    @Test
    void slowConsumerErrorReachesSubscriptionsAndListener() throws Exception {
        open();
        BlockingQueue<JsonNode> got = new LinkedBlockingQueue<>();
        ws.subscribe("/x/**", SubscribeOptions.defaults(), got::add);
        ObjectNode error = obj().put("type", "error");
        error.putObject("error").put("code", "SLOW_CONSUMER").put("message", "fell behind");
        ws.callSync("test.push", obj().set("frame", error));
        assertThat(got.poll(5, TimeUnit.SECONDS).at("/error/code").asText()).isEqualTo("SLOW_CONSUMER");
        assertThat(unrouted).extracting(f -> f.get("type").asText()).containsExactly("error");
    }

    @Test
    void nodeClosingFailsInFlightCallsAndCloseFuture() throws Exception {
        open();
        // The fake node registers a session once its 101 write completes, which can be after the
        // client saw it; an answered call proves the session is registered, so closeSessions reaches it.
        ws.callSync("node.health", null);
        CompletableFuture<JsonNode> slow = ws.call("test.echo", obj().put("value", 1).put("delayMs", 5_000));
        node.closeSessions();
        assertThat(slow).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(PandoConnectionException.class);
        assertThat(ws.closeFuture()).failsWithin(5, TimeUnit.SECONDS);
        assertThat(closes.poll(5, TimeUnit.SECONDS)).isInstanceOf(PandoConnectionException.class);
        assertThat(ws.isOpen()).isFalse();
        assertThat(ws.call("node.health", null)).isCompletedExceptionally();
    }

    @Test
    void closeIsCleanAndIdempotent() throws Exception {
        open();
        ws.close();
        ws.close();
        assertThat(ws.closeFuture()).isCompleted().isNotCompletedExceptionally();
        assertThat(closes.poll(5, TimeUnit.SECONDS)).isEqualTo("clean");
    }

    @Test
    void tokenIsSentOnUpgradeAndRefusalIsUnauthorized() {
        node.requiredToken = "t0k";
        assertThatThrownBy(() -> PandoWebSocket.connect(node.uri(), "wrong"))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
        ws = PandoWebSocket.connect(node.uri(), "t0k");
        assertThat(ws.callSync("node.health", null).get("status").asText()).isEqualTo("ok");
        assertThat(node.upgradeTokens).contains("t0k");
    }

    @Test
    void connectionRefusedIsOneClearSentence() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI dead = URI.create("http://127.0.0.1:" + port);
        assertThatThrownBy(() -> PandoWebSocket.connect(dead, null))
                .isInstanceOf(PandoConnectionException.class)
                .hasMessage("cannot reach node at " + dead + ": connection refused — is `pando serve` running?");
    }
}
