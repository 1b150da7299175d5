package dev.pando.node.transport;

import static dev.pando.node.transport.TestNode.eventually;
import static dev.pando.node.transport.TestNode.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.node.config.NodeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Connections that hold a slot without sending anything: the request deadline runs from accept,
 * and one address may hold only so many connections. Real sockets against a real server.
 */
class SilentConnectionTest {
    private static final long DEADLINE_MS = 500;
    /** Scheduling slack on a loaded machine, on top of the deadline. */
    private static final long SLACK_MS = 2_500;

    @Test
    void silentConnectionsAreClosedAtTheRequestDeadlineAndACanaryGetsIn() throws Exception {
        int slots = 20;
        try (TestNode node = TestNode.start(c -> c
                .with(NodeConfig.MAX_CONNECTIONS, slots)
                .with(NodeConfig.MAX_CONNECTIONS_PER_ADDRESS, 0)
                .with(NodeConfig.REQUEST_READ_TIMEOUT_MS, DEADLINE_MS)
                .with(NodeConfig.IDLE_TIMEOUT_MS, 60_000L))) {
            List<RawConnection> silent = new ArrayList<>();
            try {
                for (int i = 0; i < slots; i++) {
                    silent.add(new RawConnection(node.port()));
                }
                long start = System.nanoTime();
                assertThat(eventually(2_000, () -> node.server.openConnections() == slots)).isTrue();

                // Every slot is held by a client that sends nothing; a canary keeps trying until it is served.
                Optional<Long> servedAfterMs = canaryKvGet(node.port(), null, DEADLINE_MS + SLACK_MS, start);
                assertThat(servedAfterMs).as("canary's kv.get served while the silent sockets were open").isPresent();

                for (RawConnection c : silent) {
                    long left = DEADLINE_MS + SLACK_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertThat(c.closedByServerWithin(Math.max(1, left))).as("silent connection closed by the node").isTrue();
                }
                assertThat(node.metrics.counter(ServerContext.READ_TIMEOUTS)).isEqualTo(slots);
                assertThat(eventually(2_000, () -> node.server.openConnections() == 0)).isTrue();
            } finally {
                for (RawConnection c : silent) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aConnectionSendingHalfARequestFromAcceptIsClosedAtTheDeadline() throws Exception {
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.REQUEST_READ_TIMEOUT_MS, DEADLINE_MS)
                .with(NodeConfig.IDLE_TIMEOUT_MS, 60_000L));
                RawConnection c = new RawConnection(node.port())) {
            long start = System.nanoTime();
            Thread.sleep(DEADLINE_MS / 2);
            c.write("GET /health HTTP/1.1\r\n"); // first byte late: the clock started at accept, not here
            assertThat(c.closedByServerWithin(DEADLINE_MS + SLACK_MS)).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(DEADLINE_MS - 50);
        }
    }

    @Test
    void keepAliveConnectionsWaitForTheNextRequestUpToTheIdleTimeout() throws Exception {
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.REQUEST_READ_TIMEOUT_MS, 300L)
                .with(NodeConfig.IDLE_TIMEOUT_MS, 2_000L));
                RawConnection c = new RawConnection(node.port())) {
            c.write(RawConnection.request("GET", "/health", null));
            assertThat(c.readReply().status()).isEqualTo(200);
            Thread.sleep(800); // longer than the request deadline, shorter than the idle timeout
            c.write(RawConnection.request("POST", "/v1/ops/kv.get", "{\"key\":\"/a\"}"));
            assertThat(c.readReply().status()).isEqualTo(200);
            assertThat(c.closedByServerWithin(2_000 + SLACK_MS)).as("closed at the idle timeout").isTrue();
        }
    }

    @Test
    void webSocketSessionsAreNotCutByTheRequestDeadline() throws Exception {
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.REQUEST_READ_TIMEOUT_MS, 300L)
                .with(NodeConfig.IDLE_TIMEOUT_MS, 30_000L));
                RawWebSocket ws = RawWebSocket.open(node.port(), "/v1/ws")) {
            Thread.sleep(900);
            ws.sendText("{\"id\":1,\"op\":\"kv.get\",\"args\":{\"key\":\"/a\"}}");
            assertThat(json(ws.readText()).get("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void oneAddressMayHoldOnlySoManyConnections() throws Exception {
        int perAddress = 3;
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.MAX_CONNECTIONS_PER_ADDRESS, perAddress)
                .with(NodeConfig.REQUEST_READ_TIMEOUT_MS, 30_000L))) {
            assumeSecondLoopbackAddress(node.port());
            List<RawConnection> held = new ArrayList<>();
            try {
                for (int i = 0; i < perAddress; i++) {
                    held.add(new RawConnection(node.port(), "127.0.0.1"));
                }
                assertThat(eventually(2_000, () -> node.server.openConnections() == perAddress)).isTrue();

                try (RawConnection extra = new RawConnection(node.port(), "127.0.0.1")) {
                    RawConnection.HttpReply reply = extra.readReply();
                    assertThat(reply.status()).isEqualTo(429);
                    assertThat(json(reply.body()).at("/error/code").asText()).isEqualTo("RATE_LIMITED");
                    assertThat(extra.closedByServerWithin(2_000)).isTrue();
                }
                assertThat(node.metrics.counter(ConnectionLimiter.REJECTED_PER_ADDRESS)).isEqualTo(1);
                assertThat(node.metrics.counter(ConnectionLimiter.REJECTED)).isZero();

                // Another address is not held back by this one's connections.
                assertThat(canaryKvGet(node.port(), "127.0.0.2", SLACK_MS, System.nanoTime())).isPresent();

                // The held ones are served, and a closed one frees its slot for the same address.
                held.get(0).write(RawConnection.request("GET", "/health", null));
                assertThat(held.get(0).readReply().status()).isEqualTo(200);
                held.remove(2).close();
                assertThat(eventually(2_000, () -> node.server.openConnections() == perAddress - 1)).isTrue();
                try (RawConnection again = new RawConnection(node.port(), "127.0.0.1")) {
                    again.write(RawConnection.request("GET", "/health", null));
                    assertThat(again.readReply().status()).isEqualTo(200);
                }
            } finally {
                for (RawConnection c : held) {
                    c.close();
                }
            }
        }
    }

    @Test
    void silentConnectionsFromOneAddressCannotFillTheNode() throws Exception {
        int perAddress = 4;
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.MAX_CONNECTIONS, 10)
                .with(NodeConfig.MAX_CONNECTIONS_PER_ADDRESS, perAddress)
                .with(NodeConfig.REQUEST_READ_TIMEOUT_MS, 30_000L))) {
            assumeSecondLoopbackAddress(node.port());
            List<RawConnection> attack = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    attack.add(new RawConnection(node.port(), "127.0.0.1"));
                }
                assertThat(eventually(2_000, () -> node.metrics.counter(ConnectionLimiter.REJECTED_PER_ADDRESS) == 10 - perAddress))
                        .isTrue();
                assertThat(node.server.openConnections()).isEqualTo(perAddress);
                assertThat(canaryKvGet(node.port(), "127.0.0.2", SLACK_MS, System.nanoTime())).isPresent();
            } finally {
                for (RawConnection c : attack) {
                    c.close();
                }
            }
        }
    }

    /**
     * Connects (from {@code localAddress} if given) and asks kv.get until it is answered 200 or
     * {@code withinMs} (from {@code startNanos}) is up.
     *
     * @return when it was served, in ms after {@code startNanos}
     */
    private static Optional<Long> canaryKvGet(int port, String localAddress, long withinMs, long startNanos) {
        long deadline = startNanos + TimeUnit.MILLISECONDS.toNanos(withinMs);
        while (System.nanoTime() < deadline) {
            try (RawConnection c = new RawConnection(port, localAddress)) {
                c.socket.setSoTimeout(2_000);
                c.write(RawConnection.request("POST", "/v1/ops/kv.get", "{\"key\":\"/canary\"}"));
                RawConnection.HttpReply reply = c.readReply();
                if (reply.status() == 200 && json(reply.body()).get("ok").asBoolean()) {
                    return Optional.of(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
                }
            } catch (IOException e) {
                // refused or cut: try again
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Some systems route only 127.0.0.1; the per-address tests need a second loopback client address. */
    private static void assumeSecondLoopbackAddress(int port) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress("127.0.0.2", 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        } catch (IOException e) {
            Assumptions.abort("cannot connect from 127.0.0.2: " + e);
        }
    }
}
