package dev.pando.it;

import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.json.JsonRules;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoWebSocket;
import dev.pando.testkit.TestNode;
import dev.pando.testkit.Watch;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node's JSON rules on a real node: one nesting limit, finite numbers, strict UTF-8 and no
 * duplicate keys, on HTTP bodies and WebSocket frames; whatever is accepted reads back everywhere.
 */
class JsonRulesIT {
    private static final int LIMIT = JsonRules.DEFAULT_MAX_DEPTH;
    private static TestNode node;
    private static PandoClient c;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        node = TestNode.start();
        c = node.client();
        c.set("/known", obj().put("v", 1));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static String nested(int depth) {
        return "[".repeat(depth) + "1" + "]".repeat(depth);
    }

    static JsonNode nestedNode(int depth) {
        JsonNode n = JsonNodeFactory.instance.numberNode(1);
        for (int i = 0; i < depth; i++) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            a.add(n);
            n = a;
        }
        return n;
    }

    private static HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(node.url() + path))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("content-type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends {@code body}, expects 400 BAD_REQUEST whose message contains {@code says}, and no change. */
    private static void refusedOverHttp(String method, String path, byte[] body, String says) throws Exception {
        long revision = c.info().get("revision").asLong();
        HttpResponse<String> r = send(method, path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode env = Json.parse(r.body());
        assertThat(env.at("/error/code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(env.at("/error/message").asText()).contains(says);
        assertThat(c.info().get("revision").asLong()).as("nothing was written").isEqualTo(revision);
        assertThat(c.get("/known").get("value")).isEqualTo(obj().put("v", 1));
    }

    @Test
    void tooDeepValuesAreRefusedOverHttpNamingTheLimit() throws Exception {
        for (int depth : new int[] {999, LIMIT + 1}) {
            refusedOverHttp("PUT", "/v1/kv/deep", utf8(nested(depth)), "limits.max-json-depth");
            refusedOverHttp("POST", "/v1/ops/kv.set", utf8("{\"key\":\"/deep\",\"value\":" + nested(depth) + "}"),
                    "limits.max-json-depth");
        }
        assertThat(c.find("/deep")).isEmpty();
    }

    @Test
    void tooDeepValuesAreRefusedOverWebSocket() throws Exception {
        try (PandoWebSocket ws = node.webSocket()) {
            for (int depth : new int[] {500, LIMIT + 1}) {
                long revision = c.info().get("revision").asLong();
                var call = ws.call("kv.set", obj().put("key", "/deep").set("value", nestedNode(depth)));
                try {
                    call.join();
                    throw new AssertionError("a value " + depth + " deep was accepted");
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOfSatisfying(PandoException.class, p -> {
                        assertThat(p.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                        assertThat(p.getMessage()).contains("limits.max-json-depth");
                    });
                }
                assertThat(c.info().get("revision").asLong()).isEqualTo(revision);
            }
            // The session is still usable.
            assertThat(ws.callSync("kv.get", obj().put("key", "/known")).at("/value/v").asInt()).isEqualTo(1);
        }
        assertThat(c.find("/deep")).isEmpty();
    }

    @Test
    void aValueExactlyAtTheLimitIsStoredReadListedFedAndPushed() throws Exception {
        JsonNode value = nestedNode(LIMIT);
        try (Watch watch = node.watch("/atlimit/**")) {
            long after = c.info().get("revision").asLong();
            // Through both transports: the WebSocket frame wraps the value in two levels more.
            try (PandoWebSocket ws = node.webSocket()) {
                ws.callSync("kv.set", obj().put("key", "/atlimit/ws").set("value", value));
            }
            HttpResponse<String> put = send("PUT", "/v1/kv/atlimit/http", utf8(nested(LIMIT)));
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

            assertThat(c.get("/atlimit/ws").get("value")).isEqualTo(value);
            assertThat(c.get("/atlimit/http").get("value")).isEqualTo(value);
            List<JsonNode> scanned = c.scan("/atlimit");
            assertThat(scanned).hasSize(2).allSatisfy(e -> assertThat(e.get("value")).isEqualTo(value));
            JsonNode page = c.call("kv.changes", obj().put("after", after).put("limit", 10));
            assertThat(page.get("changes")).hasSize(2).allSatisfy(ch -> assertThat(ch.get("value")).isEqualTo(value));
            assertThat(watch.awaitChange("/atlimit/ws", Duration.ofSeconds(10)).get("value")).isEqualTo(value);
            assertThat(watch.awaitChange("/atlimit/http", Duration.ofSeconds(10)).get("value")).isEqualTo(value);
        }
    }

    @Test
    void numbersThatOverflowADoubleAreRefused() throws Exception {
        refusedOverHttp("PUT", "/v1/kv/inf", utf8("1e999999"), "overflows a double");
        refusedOverHttp("PUT", "/v1/kv/inf", utf8("{\"x\":[-1e999999]}"), "overflows a double");
        // Big integers are kept exactly.
        String big = "1" + "0".repeat(40);
        assertThat(send("PUT", "/v1/kv/big", utf8(big)).statusCode()).isEqualTo(200);
        assertThat(c.get("/big").get("value").bigIntegerValue().toString()).isEqualTo(big);
    }

    @Test
    void invalidUtf8IsRefused() throws Exception {
        byte[][] bad = {
            {'"', (byte) 0xC0, (byte) 0xAF, '"'},                        // overlong '/'
            {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'},           // encoded surrogate U+D800
            {'"', 'a', (byte) 0xE2, (byte) 0x82, '"'},                   // truncated sequence
        };
        for (byte[] b : bad) {
            refusedOverHttp("PUT", "/v1/kv/utf", b, "UTF-8");
            ByteArrayOutputStream args = new ByteArrayOutputStream();
            args.writeBytes(utf8("{\"key\":\"/utf\",\"value\":"));
            args.writeBytes(b);
            args.writeBytes(utf8("}"));
            refusedOverHttp("POST", "/v1/ops/kv.set", args.toByteArray(), "UTF-8");
        }
        assertThat(c.find("/utf")).isEmpty();
    }

    @Test
    void duplicateKeysAreRefused() throws Exception {
        refusedOverHttp("POST", "/v1/ops/kv.set", utf8("{\"key\":\"/dup\",\"key\":\"/known\",\"value\":1}"), "Duplicate");
        refusedOverHttp("PUT", "/v1/kv/dup", utf8("{\"a\":1,\"a\":2}"), "Duplicate");
        assertThat(c.find("/dup")).isEmpty();
    }
}
