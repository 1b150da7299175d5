package dev.pando.node.transport;

import static dev.pando.node.transport.TestNode.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.node.auth.AuthMode;
import dev.pando.node.auth.Authenticator;
import dev.pando.node.config.NodeConfig;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The DNS-rebinding guard: a browser page on a hostile name that resolves to 127.0.0.1 reaches
 * the node with that name in its Host header, so open mode answers only loopback and configured
 * names. Real sockets, so the Host header is exactly what the test writes.
 */
class HostHeaderTest {

    @Test
    void openModeRefusesForeignHostNamesOnEveryRoute() throws Exception {
        try (TestNode node = TestNode.start()) {
            int port = node.port();
            for (String host : new String[] {"evil.example", "evil.example:" + port, "127.0.0.1.evil.example:" + port,
                    "localhost.evil.example", "0.0.0.0:" + port, "[::2]:" + port}) {
                assertForbidden(send(port, host, RawConnection.request("GET", "/health", null)), host);
                assertForbidden(send(port, host, RawConnection.request("POST", "/v1/ops/kv.get", "{\"key\":\"/a\"}")), host);
                assertForbidden(send(port, host, RawConnection.request("PUT", "/v1/kv/a", "1")), host);
                assertForbidden(send(port, host, RawConnection.request("GET", "/metrics", null)), host);
            }
        }
    }

    @Test
    void openModeAcceptsLoopbackNamesWithAnyPort() throws Exception {
        try (TestNode node = TestNode.start()) {
            int port = node.port();
            for (String host : new String[] {"localhost", "localhost:" + port, "LocalHost:" + port, "localhost.:" + port,
                    "127.0.0.1", "127.0.0.1:" + port, "127.0.0.1:1", "[::1]", "[::1]:" + port}) {
                RawConnection.HttpReply reply = send(port, host, RawConnection.request("POST", "/v1/ops/kv.get", "{\"key\":\"/a\"}"));
                assertThat(reply.status()).as("Host: %s", host).isEqualTo(200);
            }
            // HTTP/1.0 without a Host header: no browser sends that, so it cannot be a rebinding read.
            try (RawConnection c = new RawConnection(port)) {
                c.write("GET /health HTTP/1.0\r\n\r\n");
                assertThat(c.readReply().status()).isEqualTo(200);
            }
            // The node's own Java clients name the address they connect to.
            assertThat(node.get("/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void twoHostHeadersAreRefused() throws Exception {
        try (TestNode node = TestNode.start();
                RawConnection c = new RawConnection(node.port())) {
            c.write(RawConnection.request("GET", "/health", null, "Host: evil.example"));
            RawConnection.HttpReply reply = c.readReply();
            assertThat(reply.status()).isIn(400, 403);
        }
    }

    @Test
    void absoluteFormTargetNamingAnotherHostIsRefused() throws Exception {
        try (TestNode node = TestNode.start();
                RawConnection c = new RawConnection(node.port())) {
            c.write("GET http://evil.example:" + node.port() + "/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertForbidden(c.readReply(), "absolute-form evil.example");
        }
    }

    @Test
    void webSocketUpgradeWithAForeignHostIsRefused() throws Exception {
        try (TestNode node = TestNode.start()) {
            assertThat(RawWebSocket.handshakeWithHost(node.port(), "/v1/ws", "evil.example:" + node.port()))
                    .startsWith("HTTP/1.1 403");
            assertThat(RawWebSocket.handshakeWithHost(node.port(), "/v1/ws", "localhost:" + node.port()))
                    .startsWith("HTTP/1.1 101");
        }
    }

    @Test
    void configuredHostNamesAreAccepted() throws Exception {
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.ALLOWED_HOSTS, " pando.test , Other.Test:9000,[fd00::1]"))) {
            int port = node.port();
            for (String host : new String[] {"pando.test", "pando.test:" + port, "other.test", "OTHER.test:1", "[fd00::1]:" + port,
                    "localhost:" + port}) {
                assertThat(send(port, host, RawConnection.request("GET", "/health", null)).status()).as("Host: %s", host).isEqualTo(200);
            }
            assertForbidden(send(port, "third.test", RawConnection.request("GET", "/health", null)), "third.test");
        }
    }

    @Test
    void aStarAcceptsAnyHost() throws Exception {
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.ALLOWED_HOSTS, "*"))) {
            assertThat(send(node.port(), "evil.example", RawConnection.request("GET", "/health", null)).status()).isEqualTo(200);
        }
    }

    @Test
    void authenticatedModeChecksHostsOnlyWhenTheyAreConfigured() throws Exception {
        String bearer = "Authorization: Bearer " + TestNode.ADMIN_TOKEN;
        try (TestNode node = TestNode.start(c -> c, Authenticator.withAdminToken(AuthMode.AUTHENTICATED, TestNode.ADMIN_TOKEN))) {
            // A token is the defence here: a rebinding page has none. Any name the operator uses works.
            assertThat(send(node.port(), "pando.lan:" + node.port(),
                    RawConnection.request("POST", "/v1/ops/kv.get", "{\"key\":\"/a\"}", bearer)).status()).isEqualTo(200);
        }
        try (TestNode node = TestNode.start(c -> c.with(NodeConfig.ALLOWED_HOSTS, "pando.lan"),
                Authenticator.withAdminToken(AuthMode.AUTHENTICATED, TestNode.ADMIN_TOKEN))) {
            assertThat(send(node.port(), "pando.lan", RawConnection.request("POST", "/v1/ops/kv.get", "{\"key\":\"/a\"}", bearer))
                    .status()).isEqualTo(200);
            assertForbidden(send(node.port(), "evil.example",
                    RawConnection.request("POST", "/v1/ops/kv.get", "{\"key\":\"/a\"}", bearer)), "evil.example");
        }
    }

    private static RawConnection.HttpReply send(int port, String host, String request) throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            c.write(request.replace("Host: localhost\r\n", "Host: " + host + "\r\n"));
            return c.readReply();
        }
    }

    private static void assertForbidden(RawConnection.HttpReply reply, String host) {
        assertThat(reply.status()).as("status for Host: %s", host).isEqualTo(403);
        assertThat(reply.headers().get("content-type")).isEqualTo("application/json");
        assertThat(json(reply.body()).at("/error/code").asText()).isEqualTo("FORBIDDEN");
        assertThat(json(reply.body()).at("/error/message").asText()).contains("transport.allowed-hosts");
    }
}
