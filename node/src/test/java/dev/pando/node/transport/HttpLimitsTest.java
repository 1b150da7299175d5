package dev.pando.node.transport;

import static dev.pando.node.transport.TestNode.eventually;
import static dev.pando.node.transport.TestNode.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.node.config.NodeConfig;
import dev.pando.node.dispatch.RateLimiter;
import dev.pando.node.testing.LogCapture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Limits and lifecycle: body size, connections, slow-loris, idleness, rate, disconnects, shutdown. */
class HttpLimitsTest {

    @Test
    void oversizedBodyIs413TooLargeAndTheConnectionStaysUsable() throws Exception {
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.MAX_BODY_BYTES, 1024))) {
            String big = "{\"pad\":\"" + "x".repeat(2000) + "\"}";
            HttpResponse<String> res = node.post("/v1/ops/test.echo", big);
            assertThat(res.statusCode()).isEqualTo(413);
            assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(json(res).at("/error/code").asText()).isEqualTo("TOO_LARGE");
            assertThat(json(res).at("/ok").asBoolean(true)).isFalse();

            // Exactly at the limit is fine.
            String fits = "{\"pad\":\"" + "x".repeat(1024 - 10) + "\"}";
            assertThat(fits.length()).isEqualTo(1024);
            assertThat(node.post("/v1/ops/test.echo", fits).statusCode()).isEqualTo(200);

            // Keep-alive with a declared length: the body is discarded and the next request is served.
            try (RawConnection c = new RawConnection(node.port())) {
                c.write(RawConnection.request("POST", "/v1/ops/test.echo", big) + RawConnection.request("GET", "/health", null));
                assertThat(c.readReply().status()).isEqualTo(413);
                assertThat(c.readReply().status()).isEqualTo(200);
            }
            assertThat(node.metrics.render()).contains("pando_http_requests_total{route=\"ops\",status=\"413\"} 2");
        }
    }

    @Test
    void connectionsOverTheLimitAreClosedWhileOthersAreServed() throws Exception {
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.MAX_CONNECTIONS, 3))) {
            List<RawConnection> admitted = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawConnection c = new RawConnection(node.port());
                    admitted.add(c);
                    c.write(RawConnection.request("GET", "/health", null));
                    assertThat(c.readReply().status()).isEqualTo(200);
                }
                assertThat(node.server.openConnections()).isEqualTo(3);

                try (RawConnection extra = new RawConnection(node.port())) {
                    RawConnection.HttpReply reply = extra.readReply();
                    assertThat(reply.status()).isEqualTo(503);
                    assertThat(json(reply.body()).at("/error/code").asText()).isEqualTo("UNAVAILABLE");
                    assertThat(extra.closedByServerWithin(2_000)).isTrue();
                }
                assertThat(node.metrics.counter(ConnectionLimiter.REJECTED)).isEqualTo(1);

                // The admitted ones keep being served.
                admitted.get(0).write(RawConnection.request("POST", "/v1/ops/test.echo", "{}"));
                assertThat(admitted.get(0).readReply().status()).isEqualTo(200);

                // A freed slot is available again.
                admitted.remove(2).close();
                assertThat(eventually(2_000, () -> node.server.openConnections() == 2)).isTrue();
                try (RawConnection again = new RawConnection(node.port())) {
                    again.write(RawConnection.request("GET", "/health", null));
                    assertThat(again.readReply().status()).isEqualTo(200);
                }
            } finally {
                for (RawConnection c : admitted) {
                    c.close();
                }
            }
        }
    }

    @Test
    void slowLorisIsClosedAtTheRequestDeadline() throws Exception {
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.REQUEST_READ_TIMEOUT_MS, 500L))) {
            byte[] request = (RawConnection.request("GET", "/health", null).replace("\r\n\r\n", "\r\n")
                    + "X-Padding: " + "p".repeat(100) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            try (RawConnection c = new RawConnection(node.port())) {
                CompletableFuture<Long> closedAt = CompletableFuture.supplyAsync(() -> {
                    try {
                        return c.closedByServerWithin(5_000) ? System.nanoTime() : -1L;
                    } catch (IOException e) {
                        return System.nanoTime();
                    }
                });
                long start = System.nanoTime();
                int sent = 0;
                try {
                    // One byte per 200 ms: never idle, never complete.
                    while (sent < request.length && !closedAt.isDone()) {
                        c.out.write(request[sent++]);
                        c.out.flush();
                        Thread.sleep(200);
                    }
                } catch (IOException e) {
                    // the server has closed; the write failed
                }
                long closed = closedAt.get(5, TimeUnit.SECONDS);
                assertThat(closed).as("closed by the server").isPositive();
                long afterMs = TimeUnit.NANOSECONDS.toMillis(closed - start);
                assertThat(afterMs).isBetween(400L, 4_000L);
                assertThat(sent).isLessThan(request.length);
            }
            assertThat(node.metrics.counter(ServerContext.READ_TIMEOUTS)).isEqualTo(1);

            // A request that arrives slowly but within the deadline is served.
            try (RawConnection c = new RawConnection(node.port())) {
                byte[] ok = RawConnection.request("GET", "/health", null).getBytes(StandardCharsets.US_ASCII);
                c.write(java.util.Arrays.copyOfRange(ok, 0, 10));
                Thread.sleep(200);
                c.write(java.util.Arrays.copyOfRange(ok, 10, ok.length));
                assertThat(c.readReply().status()).isEqualTo(200);
            }
        }
    }

    @Test
    void idleAndHalfOpenConnectionsAreClosed() throws Exception {
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.IDLE_TIMEOUT_MS, 500L))) {
            try (RawConnection silent = new RawConnection(node.port());
                    RawConnection used = new RawConnection(node.port())) {
                long start = System.nanoTime();
                used.write(RawConnection.request("GET", "/health", null));
                assertThat(used.readReply().status()).isEqualTo(200);

                assertThat(silent.closedByServerWithin(3_000)).isTrue();
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(400);
                assertThat(used.closedByServerWithin(3_000)).isTrue();
            }
            // A request slower than the idle timeout is not cut off by it.
            try (RawConnection c = new RawConnection(node.port())) {
                c.write(RawConnection.request("POST", "/v1/ops/test.slow", "{\"ms\":900}"));
                RawConnection.HttpReply reply = c.readReply();
                assertThat(reply.status()).isEqualTo(200);
                assertThat(json(reply.body()).at("/result/slept").asInt()).isEqualTo(900);
            }
            assertThat(eventually(2_000, () -> node.server.openConnections() == 0)).isTrue();
        }
    }

    @Test
    void rateLimitedCallsGet429WithRetryAfter() {
        try (TestNode node = TestNode.start(c -> c, new RateLimiter(1, 2))) {
            assertThat(node.post("/v1/ops/test.echo", "{}").statusCode()).isEqualTo(200);
            assertThat(node.post("/v1/ops/test.echo", "{}").statusCode()).isEqualTo(200);
            HttpResponse<String> limited = node.post("/v1/ops/test.echo", "{}");
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("retry-after")).hasValue("1");
            assertThat(json(limited).at("/error/code").asText()).isEqualTo("RATE_LIMITED");
            assertThat(json(limited).at("/error/retryAfterMs").asLong()).isBetween(1L, 1_000L);
            // Health is not an op and is not rate limited.
            assertThat(node.get("/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void clientDisconnectingMidRequestIsDroppedQuietly() throws Exception {
        try (LogCapture logs = new LogCapture();
                TestNode node = TestNode.start()) {
            for (int i = 0; i < 5; i++) {
                try (RawConnection c = new RawConnection(node.port())) {
                    c.write(RawConnection.request("POST", "/v1/ops/test.slow", "{\"ms\":300}"));
                    int started = i + 1;
                    assertThat(eventually(2_000, () -> node.slowStarted.get() == started)).isTrue();
                    c.socket.setSoLinger(true, 0); // reset, the rudest way to leave
                }
            }
            assertThat(eventually(3_000, () -> node.slowFinished.get() == 5 && node.server.inFlightRequests() == 0)).isTrue();
            assertThat(node.post("/v1/ops/test.echo", "{}").statusCode()).isEqualTo(200);
            assertThat(eventually(2_000, () -> node.server.openConnections() <= 1)).isTrue();
            assertThat(logs.warningsAndErrors()).isEmpty();
        }
    }

    @Test
    void closeDrainsAnInFlightRequest() throws Exception {
        TestNode node = TestNode.start();
        try {
            CompletableFuture<HttpResponse<String>> pending = node.http.sendAsync(
                    HttpRequest.newBuilder(node.uri("/v1/ops/test.slow")).timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"ms\":800}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(eventually(2_000, () -> node.slowStarted.get() == 1)).isTrue();
            long start = System.nanoTime();
            node.server.close();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            HttpResponse<String> res = pending.get(5, TimeUnit.SECONDS);
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(json(res).at("/result/slept").asInt()).isEqualTo(800);
            assertThat(res.headers().firstValue("connection")).hasValue("close");
            assertThat(tookMs).isBetween(300L, 4_000L);
            assertThatThrownBy(() -> new Socket("127.0.0.1", node.port()).close()).isInstanceOf(ConnectException.class);
        } finally {
            node.close();
        }
    }

    @Test
    void closeGivesUpOnRequestsOutlastingTheDrain() throws Exception {
        TestNode node = TestNode.start(c -> c.with(NodeConfig.SHUTDOWN_DRAIN_MS, 200L));
        try (RawConnection c = new RawConnection(node.port())) {
            c.write(RawConnection.request("POST", "/v1/ops/test.slow", "{\"ms\":3000}"));
            assertThat(eventually(2_000, () -> node.slowStarted.get() == 1)).isTrue();
            long start = System.nanoTime();
            node.server.close();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_500);
            assertThat(c.closedByServerWithin(1_000)).isTrue();
        } finally {
            node.close();
        }
    }
}
