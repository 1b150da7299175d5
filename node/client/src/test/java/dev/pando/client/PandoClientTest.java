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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PandoClientTest {
    static FakeNode node;
    PandoClient client;

    @BeforeAll
    static void startNode() {
        node = FakeNode.start();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void connect() {
        node.requiredToken = null;
        node.maxScanPage = 1000;
        client = PandoClient.connect(node.uri(), null);
    }

    static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }

    @Test
    void setGetDeleteRoundTrip() {
        JsonNode written = client.set("/rt/a", obj().put("on", true));
        assertThat(written.get("key").asText()).isEqualTo("/rt/a");
        long rev = written.get("revision").asLong();
        assertThat(rev).isPositive();

        JsonNode entry = client.get("/rt/a");
        assertThat(entry.get("value")).isEqualTo(obj().put("on", true));
        assertThat(entry.get("revision").asLong()).isEqualTo(rev);

        assertThat(client.delete("/rt/a").get("revision").asLong()).isGreaterThan(rev);
        assertThat(client.find("/rt/a")).isEmpty();
    }

    @Test
    void okFalseBecomesExceptionWithCodeAndMessage() {
        assertThatThrownBy(() -> client.get("/missing/key"))
                .isInstanceOfSatisfying(PandoException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("no entry at /missing/key");
                    assertThat(e.retryAfterMillis()).isZero();
                    assertThat(e).isNotInstanceOf(PandoConnectionException.class);
                });
    }

    @Test
    void compareAndSetConflictCarriesNodeMessage() {
        long rev = client.set("/cas/a", IntNode.valueOf(1)).get("revision").asLong();
        client.set("/cas/a", IntNode.valueOf(2), rev);
        assertThatThrownBy(() -> client.set("/cas/a", IntNode.valueOf(3), rev))
                .isInstanceOfSatisfying(PandoException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.getMessage()).startsWith("revision mismatch for /cas/a (expected " + rev);
                });
        assertThatThrownBy(() -> client.set("/cas/a", IntNode.valueOf(3), 0))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
    }

    @Test
    void retryAfterComesFromBodyOrHeader() {
        assertThatThrownBy(() -> client.call("test.fail", obj().put("code", "RATE_LIMITED").put("retryAfterMs", 1500)))
                .isInstanceOfSatisfying(PandoException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.retryAfterMillis()).isEqualTo(1500);
                });
        assertThatThrownBy(() -> client.call("test.fail", obj().put("code", "RATE_LIMITED").put("retryAfterMs", 2000).put("headerOnly", true)))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.retryAfterMillis()).isEqualTo(2000));
    }

    @Test
    void nonEnvelopeAnswerMapsStatusToCode() {
        assertThatThrownBy(() -> client.call("test.html", null))
                .isInstanceOfSatisfying(PandoException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED); // 502
                    assertThat(e.getMessage()).startsWith("unexpected HTTP 502 answer from node: <html>");
                });
    }

    @Test
    void unknownErrorCodeKeepsItsName() {
        PandoException e = Envelope.errorOf(obj().put("code", "SHINY_NEW").put("message", "m"), 0);
        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(e.getMessage()).isEqualTo("SHINY_NEW: m");
        assertThat(Envelope.errorOf(obj().put("code", "SHINY_NEW"), 0).getMessage()).isEqualTo("SHINY_NEW");
        assertThat(Envelope.errorOf(obj().put("code", "CONFLICT").put("message", ""), 0).getMessage()).isEqualTo("CONFLICT");
    }

    @Test
    void scanFollowsCursorsForPrefixAndPattern() {
        for (int i = 0; i < 10; i++) {
            client.set("/scan/room" + i + "/temp", IntNode.valueOf(i));
            client.set("/scan/room" + i + "/hum", IntNode.valueOf(i));
        }
        node.maxScanPage = 3;
        long before = node.count("kv.scan");
        assertThat(client.scan("/scan")).hasSize(20);
        assertThat(node.count("kv.scan") - before).isEqualTo(7); // 20 entries in pages of 3

        List<JsonNode> temps = client.scan("/scan/*/temp");
        assertThat(temps).hasSize(10).allSatisfy(e -> assertThat(e.get("key").asText()).endsWith("/temp"));

        List<JsonNode> some = new ArrayList<>();
        assertThat(client.scan("/scan", 5, some::add)).isEqualTo(5);
        assertThat(some).hasSize(5);
    }

    @Test
    void publishReturnsDeliveredCount() {
        assertThat(client.publish("/topic/x", TextNode.valueOf("hi"))).isZero();
    }

    @Test
    void infoAndHealth() {
        assertThat(client.info().get("nodeId").asText()).isEqualTo("fake");
        assertThat(client.health().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void tokenTravelsAsBearerHeader() {
        node.requiredToken = "sekrit";
        assertThatThrownBy(() -> client.info())
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
        try (PandoClient authed = PandoClient.connect(node.uri(), "sekrit")) {
            assertThat(authed.info().get("nodeId").asText()).isEqualTo("fake");
        }
        assertThat(node.authorizations).contains("Bearer sekrit");
    }

    @Test
    void connectionRefusedIsOneClearSentence() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (PandoClient c = PandoClient.connect(URI.create("http://127.0.0.1:" + port), null)) {
            assertThatThrownBy(c::info)
                    .isInstanceOfSatisfying(PandoConnectionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                    .hasMessage("cannot reach node at http://127.0.0.1:" + port + ": connection refused — is `pando serve` running?");
        }
    }

    @Test
    void droppedConnectionIsAConnectionError() {
        assertThatThrownBy(() -> client.call("test.drop", null)).isInstanceOf(PandoConnectionException.class);
    }

    @Test
    void endpointsNormaliseBaseUrls() {
        assertThat(Endpoints.httpBase(URI.create("http://h:1/"))).hasToString("http://h:1");
        assertThat(Endpoints.httpBase(URI.create("ws://h:1/proxy/"))).hasToString("http://h:1/proxy");
        assertThat(Endpoints.opUri(URI.create("https://h"), "kv.get")).hasToString("https://h/v1/ops/kv.get");
        assertThat(Endpoints.webSocketUri(URI.create("http://[::1]:7330"), "a b")).hasToString("ws://[::1]:7330/v1/ws?token=a%20b");
        assertThat(Endpoints.webSocketUri(URI.create("https://h"), null)).hasToString("wss://h/v1/ws");
        assertThatThrownBy(() -> Endpoints.httpBase(URI.create("ftp://h"))).isInstanceOf(IllegalArgumentException.class);
    }
}
