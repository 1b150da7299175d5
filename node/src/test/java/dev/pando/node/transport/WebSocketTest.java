package dev.pando.node.transport;

import static dev.pando.node.transport.TestNode.eventually;
import static dev.pando.node.transport.TestNode.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.node.config.NodeConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WebSocket request/response: envelopes, pipelining, bad frames, limits, auth, liveness. */
class WebSocketTest {
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(c -> c.with(NodeConfig.MAX_FRAME_BYTES, 4096));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void requestGetsResponseWithItsId() throws Exception {
        try (WsClient ws = WsClient.open(node, "/v1/ws")) {
            JsonNode r = ws.call("a-1", "test.echo", "{\"x\":1}");
            assertThat(r.get("ok").asBoolean()).isTrue();
            assertThat(r.has("type")).isFalse();
            assertThat(r.at("/result/args")).isEqualTo(json("{\"x\":1}"));
            assertThat(r.at("/result/session").asBoolean()).isTrue();
            assertThat(r.at("/result/principal").asText()).isEqualTo("anonymous");

            JsonNode err = ws.call(2, "no.such", "{}");
            assertThat(err.at("/error/code").asText()).isEqualTo("NOT_FOUND");
            JsonNode noArgs = ws.call(3, "test.echo", "null");
            assertThat(noArgs.at("/result/args")).isEqualTo(json("{}"));
            assertThat(eventually(1_000, () -> node.metrics.render().contains("pando_ws_sessions 1"))).isTrue();
        }
        assertThat(eventually(2_000, () -> node.metrics.render().contains("pando_ws_sessions 0"))).isTrue();
    }

    @Test
    void thousandPipelinedRequestsAreAllAnsweredById() throws Exception {
        int n = 1_000;
        try (RawWebSocket ws = RawWebSocket.open(node.port(), "/v1/ws")) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                // Worker ops with random delays: responses come back out of order.
                all.write(RawWebSocket.textFrame("{\"id\":" + i + ",\"op\":\"test.jitter\",\"args\":{\"n\":" + i + "}}"));
            }
            long start = System.nanoTime();
            ws.write(all.toByteArray());
            Set<Integer> ids = new HashSet<>();
            boolean outOfOrder = false;
            int last = -1;
            for (int i = 0; i < n; i++) {
                JsonNode r = json(ws.readText());
                int id = r.get("id").asInt();
                assertThat(r.at("/result/n").asInt()).isEqualTo(id);
                assertThat(ids.add(id)).as("duplicate response for " + id).isTrue();
                outOfOrder |= id < last;
                last = id;
            }
            assertThat(ids).hasSize(n).allMatch(id -> id >= 0 && id < n);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(15_000);
            // Not asserted: reordering is likely with jittery workers, but not guaranteed.
            System.out.println("pipelined responses arrived " + (outOfOrder ? "out of order" : "in order"));
        }
    }

    @Test
    void badFramesGetBadRequestAndTheSessionStaysOpen() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(node.port(), "/v1/ws")) {
            ws.sendText("not json");
            JsonNode r = json(ws.readText());
            assertThat(r.get("id").isNull()).isTrue();
            assertThat(r.at("/error/code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(r.at("/error/message").asText()).contains("malformed JSON").contains("line 1, column");

            ws.sendText("{\"id\":7,\"op\":\"test.echo\",\"args\":{");
            r = json(ws.readText());
            assertThat(r.get("id").asInt()).as("id salvaged from the broken frame").isEqualTo(7);
            assertThat(r.at("/error/code").asText()).isEqualTo("BAD_REQUEST");

            ws.sendText("{\"id\":\"x8\",\"args\":{}}");
            r = json(ws.readText());
            assertThat(r.get("id").asText()).isEqualTo("x8");
            assertThat(r.at("/error/message").asText()).contains("op");

            ws.sendText("[1,2]");
            assertThat(json(ws.readText()).at("/error/code").asText()).isEqualTo("BAD_REQUEST");

            ws.sendText("{\"id\":9,\"op\":\"test.echo\",\"args\":[1]}");
            r = json(ws.readText());
            assertThat(r.get("id").asInt()).isEqualTo(9);
            assertThat(r.at("/error/code").asText()).isEqualTo("BAD_REQUEST");

            ws.write(RawWebSocket.frame(RawWebSocket.BINARY, new byte[] {1, 2, 3}, true));
            r = json(ws.readText());
            assertThat(r.at("/error/code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(r.at("/error/message").asText()).contains("binary");

            ws.sendText("{\"id\":10,\"op\":\"test.echo\",\"args\":{}}");
            r = json(ws.readText());
            assertThat(r.get("id").asInt()).isEqualTo(10);
            assertThat(r.get("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void fragmentedMessagesAreReassembled() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(node.port(), "/v1/ws")) {
            byte[] text = "{\"id\":1,\"op\":\"test.echo\",\"args\":{\"s\":\"abc\"}}".getBytes(StandardCharsets.UTF_8);
            ws.write(RawWebSocket.frame(RawWebSocket.TEXT, java.util.Arrays.copyOfRange(text, 0, 10), false));
            ws.write(RawWebSocket.frame(RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(text, 10, text.length), true));
            assertThat(json(ws.readText()).at("/result/args/s").asText()).isEqualTo("abc");
        }
    }

    @Test
    void oversizedFrameGetsTooLargeThenClose1009() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(node.port(), "/v1/ws")) {
            // The header announces 10 000 bytes (limit 4096); the server decides from the header alone.
            ws.write(RawWebSocket.frameHeaderAnd(RawWebSocket.TEXT, 10_000, "{\"id\":1".getBytes(StandardCharsets.UTF_8), true));
            RawWebSocket.Frame error = ws.readFrame();
            assertThat(error.opcode()).isEqualTo(RawWebSocket.TEXT);
            assertThat(json(error.text()).at("/error/code").asText()).isEqualTo("TOO_LARGE");
            RawWebSocket.Frame close = ws.readFrame();
            assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(close.closeCode()).isEqualTo(1009);
            assertThat(ws.closedByServerWithin(3_000)).isTrue();
        }
        // A message over the limit in fragments that are each under it.
        try (RawWebSocket ws = RawWebSocket.open(node.port(), "/v1/ws")) {
            byte[] part = new byte[3000];
            java.util.Arrays.fill(part, (byte) 'a');
            ws.write(RawWebSocket.frame(RawWebSocket.TEXT, part, false));
            ws.write(RawWebSocket.frame(RawWebSocket.CONTINUATION, part, true));
            assertThat(json(ws.readFrame().text()).at("/error/code").asText()).isEqualTo("TOO_LARGE");
            RawWebSocket.Frame close = ws.readFrame();
            assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(close.closeCode()).isEqualTo(1009);
        }
        try (WsClient ws = WsClient.open(node, "/v1/ws")) {
            assertThat(ws.call(1, "test.echo", "{}").get("ok").asBoolean()).isTrue(); // others unaffected
        }
    }

    @Test
    void upgradeIsAuthenticatedByHeaderOrQueryToken() throws Exception {
        RawConnection.HttpReply refused = RawWebSocket.refusedHandshake(node.port(), "/v1/ws?token=wrong");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(json(refused.body()).at("/error/code").asText()).isEqualTo("UNAUTHORIZED");

        try (WsClient ws = WsClient.open(node, "/v1/ws?token=" + TestNode.ADMIN_TOKEN)) {
            assertThat(ws.call(1, "test.admin", "{}").at("/result/admin").asBoolean()).isTrue();
        }
        try (RawWebSocket ws = RawWebSocket.open(node.port(), "/v1/ws")) {
            ws.sendText("{\"id\":1,\"op\":\"test.admin\"}");
            assertThat(json(ws.readText()).at("/error/code").asText()).isEqualTo("UNAUTHORIZED");
        }
        var viaHeader = node.http.newWebSocketBuilder().header("Authorization", "Bearer " + TestNode.ADMIN_TOKEN);
        java.net.http.WebSocket ws = viaHeader.buildAsync(node.wsUri("/v1/ws"), new java.net.http.WebSocket.Listener() {})
                .get(5, TimeUnit.SECONDS);
        ws.abort();
    }

    @Test
    void aClientThatDoesNotReadResponsesStopsBeingServedUntilItReads() throws Exception {
        int n = 3_000;
        int size = 32 * 1024;
        try (RawWebSocket ws = RawWebSocket.open(node.port(), "/v1/ws")) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                all.write(RawWebSocket.textFrame("{\"id\":" + i + ",\"op\":\"test.big\",\"args\":{\"n\":" + i + ",\"size\":" + size + "}}"));
            }
            int before = node.bigCalls.get();
            ws.write(all.toByteArray()); // ~200 KB of requests asking for ~100 MB of responses; not read yet
            // Served until the socket and the write buffer filled up, then parked: far from all of
            // them. Wait for the count to settle rather than a fixed time, so a loaded machine that
            // is still filling the buffer is not mistaken for one that never parks.
            int served = settledCount(() -> node.bigCalls.get() - before);
            assertThat(served).isPositive().isLessThan(n / 2);
            Thread.sleep(300);
            assertThat(node.bigCalls.get() - before).as("no progress while the client does not read").isEqualTo(served);

            try (WsClient other = WsClient.open(node, "/v1/ws")) {
                assertThat(other.call(1, "test.echo", "{}").get("ok").asBoolean()).isTrue();
            }
            assertThat(node.get("/health").statusCode()).isEqualTo(200);

            // Reading resumes the session: every request is answered.
            Set<Integer> ids = new HashSet<>();
            for (int i = 0; i < n; i++) {
                JsonNode r = json(ws.readText());
                assertThat(r.at("/result/s").asText()).hasSize(size);
                ids.add(r.get("id").asInt());
            }
            assertThat(ids).hasSize(n);
        }
    }

    /** The count once it has not moved for 500 ms (bounded at 20 s; a session that never parks reaches n first). */
    private static int settledCount(java.util.function.IntSupplier count) throws InterruptedException {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        int last = count.getAsInt();
        while (System.nanoTime() < end) {
            Thread.sleep(500);
            int now = count.getAsInt();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    @Test
    void plainGetOnTheWebSocketPathIsBadRequest() {
        var res = node.get("/v1/ws");
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(json(res).at("/error/code").asText()).isEqualTo("BAD_REQUEST");
    }

    @Test
    void silentClientsArePingedThenClosed() throws Exception {
        try (TestNode idle = TestNode.start(c -> c.with(NodeConfig.IDLE_TIMEOUT_MS, 600L))) {
            // A raw client that never answers pings: pinged at ~200 ms, closed at ~600 ms.
            try (RawWebSocket silent = RawWebSocket.open(idle.port(), "/v1/ws");
                    WsClient live = WsClient.open(idle, "/v1/ws")) {
                long start = System.nanoTime();
                RawWebSocket.Frame first = silent.readFrame();
                assertThat(first.opcode()).isEqualTo(RawWebSocket.PING);
                boolean closed = false;
                while (!closed) {
                    RawWebSocket.Frame f = silent.readFrame();
                    closed = f.opcode() == RawWebSocket.CLOSE;
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(ms).isBetween(450L, 3_000L);
                assertThat(silent.closedByServerWithin(3_000)).isTrue();

                // The Java client answers pings (a pong is a read), so it outlives the timeout.
                Thread.sleep(600);
                assertThat(live.closed).isNotDone();
                assertThat(live.call(1, "test.echo", "{}").get("ok").asBoolean()).isTrue();
            }
        }
    }

    @Test
    void aListenerThatNeverSendsIsPingedWhilePushesFlowAndKept() throws Exception {
        try (TestNode idle = TestNode.start(c -> c.with(NodeConfig.IDLE_TIMEOUT_MS, 600L));
                WsClient listener = WsClient.open(idle, "/v1/ws")) {
            assertThat(listener.call(1, "test.subscribe", "{\"pattern\":\"/feed/**\",\"changes\":false}").has("result")).isTrue();
            // Events every 50 ms for 2 s: the node writes all along and the client sends nothing but
            // the pongs its WebSocket stack answers pings with. Silence is judged by what the client
            // sends, so it is pinged, answers, and stays.
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_000);
            int published = 0;
            while (System.nanoTime() < end) {
                published += idle.bus.publish("/feed/x", json("{\"n\":1}"), "pub");
                Thread.sleep(50);
            }
            assertThat(listener.closed).as("closed after %d pushes", published).isNotDone();
            assertThat(published).isGreaterThan(20);
            assertThat(listener.received).hasSize(published);
        }
    }
}
