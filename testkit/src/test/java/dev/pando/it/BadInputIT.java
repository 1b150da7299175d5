package dev.pando.it;

import static dev.pando.it.Json.num;
import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.node.config.NodeConfig;
import dev.pando.testkit.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input against one real node: each gets a typed error, changes nothing (the
 * revision does not move, the value is still there) and the node keeps serving.
 */
class BadInputIT {
    private static TestNode node;
    private static PandoClient c;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        node = TestNode.builder()
                .with(NodeConfig.MAX_VALUE_BYTES, 1024)
                .with(NodeConfig.MAX_BODY_BYTES, 4096)
                .start();
        c = node.client();
        c.set("/known", obj().put("v", 1));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static void rejected(ErrorCode code, Runnable call) {
        long revision = c.info().get("revision").asLong();
        JsonNode known = c.get("/known");
        assertThatThrownBy(call::run).isInstanceOfSatisfying(PandoException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isNotBlank();
        });
        assertThat(c.info().get("revision").asLong()).as("nothing was written").isEqualTo(revision);
        assertThat(c.get("/known")).isEqualTo(known);
        assertThat(c.health().get("status").asText()).isEqualTo("ok");
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(node.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void malformedJsonBody() throws Exception {
        long revision = c.info().get("revision").asLong();
        HttpResponse<String> r = post("/v1/ops/kv.set", "{\"key\": \"/known\", \"value\": ");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.parse(r.body()).get("error").get("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(c.info().get("revision").asLong()).isEqualTo(revision);
    }

    @Test
    void unknownOp() {
        rejected(ErrorCode.NOT_FOUND, () -> c.call("kv.frobnicate", obj()));
        rejected(ErrorCode.NOT_FOUND, () -> c.call("nosuch.op", obj()));
    }

    @Test
    void missingAndInvalidArgs() {
        rejected(ErrorCode.BAD_REQUEST, () -> c.call("kv.set", obj().put("key", "/known")));           // no value
        rejected(ErrorCode.BAD_REQUEST, () -> c.call("kv.set", obj().put("value", 1)));                 // no key
        rejected(ErrorCode.BAD_REQUEST, () -> c.call("kv.set", obj().put("key", 5).put("value", 1)));   // key not a string
        rejected(ErrorCode.BAD_REQUEST, () -> c.call("kv.set", obj().put("key", "/known").put("value", 1).put("ifRevison", 1))); // typo
        rejected(ErrorCode.BAD_REQUEST, () -> c.call("kv.set", obj().put("key", "/known").put("value", 1).put("ifRevision", -1)));
        rejected(ErrorCode.BAD_REQUEST, () -> c.call("kv.scan", obj().put("prefix", "/a").put("limit", 100_000)));
        rejected(ErrorCode.BAD_REQUEST, () -> c.call("kv.scan", obj().put("prefix", "/a").put("pattern", "/a/*")));
        rejected(ErrorCode.BAD_REQUEST, () -> c.call("kv.scan", obj().put("prefix", "/a").put("cursor", "!!not-a-cursor!!")));
    }

    @Test
    void invalidKeysAndPatterns() {
        for (String key : new String[] {"known", "/", "/a//b", "/a/", "/a/*/b", "/a/../b", "/a\u0001b"}) {
            rejected(ErrorCode.BAD_REQUEST, () -> c.set(key, num(1)));
        }
        rejected(ErrorCode.BAD_REQUEST, () -> c.set("/" + "x".repeat(1100), num(1)));
        rejected(ErrorCode.BAD_REQUEST, () -> c.call("kv.scan", obj().put("pattern", "/a/b*")));
        rejected(ErrorCode.BAD_REQUEST, () -> c.call("kv.scan", obj().put("pattern", "a/**")));
    }

    @Test
    void oversizedValueAndBody() throws Exception {
        ObjectNode big = obj().put("blob", "x".repeat(2000));
        rejected(ErrorCode.TOO_LARGE, () -> c.set("/known", big));
        long revision = c.info().get("revision").asLong();
        HttpResponse<String> r = post("/v1/ops/kv.set", "{\"key\":\"/known\",\"value\":\"" + "y".repeat(10_000) + "\"}");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(Json.parse(r.body()).get("error").get("code").asText()).isEqualTo("TOO_LARGE");
        assertThat(c.info().get("revision").asLong()).isEqualTo(revision);
    }

    @Test
    void casConflicts() {
        long current = c.get("/known").get("revision").asLong();
        rejected(ErrorCode.CONFLICT, () -> c.set("/known", num(2), current + 5));
        rejected(ErrorCode.CONFLICT, () -> c.set("/known", num(2), 0));   // must not exist, but does
        rejected(ErrorCode.CONFLICT, () -> c.delete("/known", current + 1));
        rejected(ErrorCode.NOT_FOUND, () -> c.delete("/never-written"));
        long next = c.set("/known", obj().put("v", 1), current).get("revision").asLong();
        assertThat(next).isGreaterThan(current);
    }

    @Test
    void anonymousBrowserRequestsAreRefused() throws Exception {
        long revision = c.info().get("revision").asLong();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(node.url() + "/v1/ops/kv.set"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"/known\",\"value\":666}"))
                .header("Origin", "http://evil.example");
        HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(Json.parse(r.body()).get("error").get("message").asText()).contains("need a token");
        assertThat(c.info().get("revision").asLong()).isEqualTo(revision);
        HttpResponse<String> withToken = http.send(req.header("Authorization", "Bearer " + node.adminToken()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(withToken.statusCode()).isEqualTo(200);
        c.set("/known", obj().put("v", 1));
    }

    @Test
    void adminOpsNeedTheAdminToken() throws Exception {
        rejected(ErrorCode.UNAUTHORIZED, () -> c.call("admin.ops", obj()));
        try (PandoClient wrong = PandoClient.connect(node.url(), "adm_not-the-token")) {
            Consumer<PandoClient> call = x -> x.call("admin.ops", obj());
            assertThatThrownBy(() -> call.accept(wrong)).isInstanceOfSatisfying(PandoException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
        }
        assertThat(node.adminClient().call("admin.ops", obj()).get("generation").asLong()).isPositive();
    }
}
