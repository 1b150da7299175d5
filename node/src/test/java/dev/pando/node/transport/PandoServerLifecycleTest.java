package dev.pando.node.transport;

import static dev.pando.node.transport.TestNode.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.node.auth.AuthMode;
import dev.pando.node.auth.Authenticator;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.dispatch.Dispatcher;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.RateLimiter;
import dev.pando.node.events.EventBus;
import dev.pando.node.metrics.Metrics;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Start, addresses, bind failures, idempotent close, and the settings mapping. */
class PandoServerLifecycleTest {

    private static PandoServer server(NodeConfig config) {
        Metrics metrics = new Metrics();
        Dispatcher d = new Dispatcher(new HandlerRegistry(), Executors.newSingleThreadExecutor(), new RateLimiter(0, 0), metrics);
        return new PandoServer(config, d, Authenticator.withAdminToken(AuthMode.OPEN, "t"), new EventBus(), metrics);
    }

    @Test
    void settingsComeFromTheNodeConfig() {
        NodeConfig c = NodeConfig.defaults()
                .with(NodeConfig.BIND, "0.0.0.0").with(NodeConfig.PORT, 1234)
                .with(NodeConfig.MAX_BODY_BYTES, 1).with(NodeConfig.MAX_FRAME_BYTES, 2)
                .with(NodeConfig.MAX_CONNECTIONS, 3).with(NodeConfig.SUBSCRIPTIONS_PER_SESSION, 4)
                .with(NodeConfig.SUBSCRIBER_QUEUE, 5).with(NodeConfig.REQUEST_READ_TIMEOUT_MS, 6L)
                .with(NodeConfig.IDLE_TIMEOUT_MS, 7L).with(NodeConfig.SHUTDOWN_DRAIN_MS, 8L);
        assertThat(TransportSettings.from(c)).isEqualTo(new TransportSettings("0.0.0.0", 1234, 1, 2, 3, 4, 5, 6, 7, 8, 0, 64, List.of(), 64, true));
        assertThatThrownBy(() -> new TransportSettings("127.0.0.1", 70_000, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, List.of(), 64, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void portZeroPicksAFreePortAndCloseIsIdempotent() {
        PandoServer s = server(TestNode.baseConfig());
        assertThatThrownBy(s::port).isInstanceOf(IllegalStateException.class);
        s.start();
        try {
            assertThat(s.port()).isPositive();
            assertThat(s.address().getAddress().isLoopbackAddress()).isTrue();
            assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
        } finally {
            s.close();
        }
        s.close();
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTakenPortFailsStartWithItsAddress() {
        PandoServer first = server(TestNode.baseConfig());
        first.start();
        try {
            PandoServer second = server(TestNode.baseConfig().with(NodeConfig.PORT, first.port()));
            assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + first.port());
            second.close();
        } finally {
            first.close();
        }
    }

    @Test
    void closeTellsWebSocketClientsTheNodeIsGoingAway() throws Exception {
        TestNode node = TestNode.start();
        try (WsClient ws = WsClient.open(node, "/v1/ws")) {
            ws.call(1, "test.echo", "{}");
            node.server.close();
            assertThat(ws.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1001);
            assertThat(eventually(2_000, () -> node.server.openConnections() == 0)).isTrue();
        } finally {
            node.close();
        }
    }

    @Test
    void epollRunsWhereItLoadsAndNioWhenAskedFor() {
        assertThat(NettyTransport.choose(false)).isEqualTo(NettyTransport.NIO);
        boolean linuxX64 = System.getProperty("os.name").startsWith("Linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
        assertThat(NettyTransport.choose(true)).isEqualTo(linuxX64 ? NettyTransport.EPOLL : NettyTransport.NIO);
        assertThat(NettyTransport.NIO.socketChannel().getSimpleName()).isEqualTo("NioSocketChannel");
    }
}
