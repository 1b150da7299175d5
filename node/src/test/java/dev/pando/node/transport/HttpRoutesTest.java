package dev.pando.node.transport;

import static dev.pando.node.transport.TestNode.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every HTTP route against a real server: mapping to ops, envelopes, statuses, auth. */
class HttpRoutesTest {
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static void assertError(HttpResponse<String> res, int status, String code) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = json(res);
        assertThat(body.path("ok").asBoolean(true)).isFalse();
        assertThat(body.has("id")).isTrue();
        assertThat(body.get("id").isNull()).isTrue();
        assertThat(body.path("error").path("code").asText()).isEqualTo(code);
        assertThat(body.path("error").path("message").asText()).isNotEmpty();
    }

    @Test
    void postOpReturnsTheEnvelopeWithTheResult() {
        HttpResponse<String> res = node.post("/v1/ops/test.echo", "{\"a\":1,\"b\":[true]}");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = json(res);
        assertThat(body.get("id").isNull()).isTrue();
        assertThat(body.get("ok").asBoolean()).isTrue();
        assertThat(body.at("/result/args")).isEqualTo(json("{\"a\":1,\"b\":[true]}"));
        assertThat(body.at("/result/principal").asText()).isEqualTo("anonymous");
        assertThat(body.at("/result/session").asBoolean()).isFalse();
    }

    @Test
    void emptyBodyMeansEmptyArgs() {
        JsonNode body = json(node.post("/v1/ops/test.echo", ""));
        assertThat(body.at("/result/args")).isEqualTo(json("{}"));
    }

    @Test
    void malformedJsonIsBadRequestNamingWhereItBroke() {
        HttpResponse<String> res = node.post("/v1/ops/test.echo", "{\"a\":\n  nope}");
        assertError(res, 400, "BAD_REQUEST");
        assertThat(json(res).at("/error/message").asText()).contains("malformed JSON").contains("line 2, column");

        assertError(node.post("/v1/ops/test.echo", "{\"a\":1} trailing"), 400, "BAD_REQUEST");
        assertError(node.post("/v1/ops/test.echo", "[1,2]"), 400, "BAD_REQUEST");
    }

    @Test
    void unknownOpAndUnknownRouteAreNotFound() {
        assertError(node.post("/v1/ops/no.such", "{}"), 404, "NOT_FOUND");
        assertError(node.get("/nope"), 404, "NOT_FOUND");
        assertError(node.get("/v1/opsx/test.echo"), 404, "NOT_FOUND");
        assertError(node.get("/v1/kvx/a"), 404, "NOT_FOUND");
        assertError(node.post("/v1/ops/", "{}"), 400, "BAD_REQUEST");
    }

    @Test
    void wrongMethodIs405WithBadRequestEnvelope() {
        HttpResponse<String> res = node.get("/v1/ops/test.echo");
        assertError(res, 405, "BAD_REQUEST");
        assertThat(res.headers().firstValue("allow")).hasValue("POST");
        assertError(node.post("/health", "{}"), 405, "BAD_REQUEST");
        assertError(node.send("PATCH", "/v1/kv/a", "1"), 405, "BAD_REQUEST");
        assertError(node.post("/metrics", ""), 405, "BAD_REQUEST");
    }

    @Test
    void handlerErrorsMapToTheirStatus() {
        assertError(node.post("/v1/ops/test.fail", "{}"), 409, "CONFLICT");
    }

    @Test
    void kvGetMapsThePathToAKey() {
        JsonNode body = json(node.get("/v1/kv/site-a/lights/1"));
        assertThat(body.at("/result/op").asText()).isEqualTo("kv.get");
        assertThat(body.at("/result/args")).isEqualTo(json("{\"key\":\"/site-a/lights/1\"}"));
    }

    @Test
    void kvPathSegmentsArePercentDecodedOneByOne() {
        JsonNode body = json(node.get("/v1/kv/caf%C3%A9/a%20b/x+y/%25"));
        assertThat(body.at("/result/args/key").asText()).isEqualTo("/café/a b/x+y/%");
    }

    @Test
    void kvEncodedSlashOrEmptyPathIsBadRequest() throws Exception {
        assertError(node.get("/v1/kv/a%2Fb"), 400, "BAD_REQUEST");
        assertError(node.get("/v1/kv/a/b%2f"), 400, "BAD_REQUEST");
        assertError(node.get("/v1/kv/"), 400, "BAD_REQUEST");
        assertError(node.get("/v1/kv"), 400, "BAD_REQUEST");
        assertThat(rawGet("/v1/kv/bad%zz").status()).isEqualTo(400); // java.net.URI refuses to send it
        assertError(node.get("/v1/kv/bad%C3"), 400, "BAD_REQUEST"); // truncated UTF-8
    }

    private static RawConnection.HttpReply rawGet(String target) throws Exception {
        try (RawConnection c = new RawConnection(node.port())) {
            c.write(RawConnection.request("GET", target, null));
            return c.readReply();
        }
    }

    @Test
    void kvPutSendsTheBodyAsValueWithOptions() {
        JsonNode body = json(node.send("PUT", "/v1/kv/a/b?ifRevision=3&sync=true", "{\"x\":1}"));
        assertThat(body.at("/result/op").asText()).isEqualTo("kv.set");
        assertThat(body.at("/result/args")).isEqualTo(json("{\"key\":\"/a/b\",\"value\":{\"x\":1},\"ifRevision\":3,\"sync\":true}"));

        body = json(node.send("PUT", "/v1/kv/n", "42"));
        assertThat(body.at("/result/args")).isEqualTo(json("{\"key\":\"/n\",\"value\":42}"));
    }

    @Test
    void kvPutValidatesBodyAndQuery() {
        assertError(node.send("PUT", "/v1/kv/a", ""), 400, "BAD_REQUEST");
        assertError(node.send("PUT", "/v1/kv/a", "{oops"), 400, "BAD_REQUEST");
        assertError(node.send("PUT", "/v1/kv/a?ifRevision=abc", "1"), 400, "BAD_REQUEST");
        assertError(node.send("PUT", "/v1/kv/a?ifRevision=-1", "1"), 400, "BAD_REQUEST");
        assertError(node.send("PUT", "/v1/kv/a?sync=maybe", "1"), 400, "BAD_REQUEST");
    }

    @Test
    void kvDeleteMapsToKvDelete() {
        JsonNode body = json(node.send("DELETE", "/v1/kv/a/b?ifRevision=0", null));
        assertThat(body.at("/result/op").asText()).isEqualTo("kv.delete");
        assertThat(body.at("/result/args")).isEqualTo(json("{\"key\":\"/a/b\",\"ifRevision\":0}"));
    }

    @Test
    void healthNeedsNoAuthAndSaysOk() {
        HttpResponse<String> res = node.get("/health", "Authorization", "Bearer not-a-token");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(json(res)).isEqualTo(json("{\"status\":\"ok\"}"));
    }

    @Test
    void metricsRendersPrometheusText() {
        node.get("/health");
        node.post("/v1/ops/test.echo", "{}");
        HttpResponse<String> res = node.get("/metrics");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(res.body())
                .contains("# TYPE pando_connections gauge")
                .contains("pando_ws_sessions 0")
                .contains("pando_subscriptions 0")
                .contains("pando_connections_rejected_total 0")
                .contains("pando_slow_consumers_total 0")
                .contains("pando_http_requests_total{route=\"health\",status=\"200\"}")
                .contains("pando_http_requests_total{route=\"ops\",status=\"200\"}")
                .contains("pando_requests_total{op=\"test.echo\",outcome=\"ok\"}");
    }

    @Test
    void bearerTokensAreAuthenticated() {
        assertError(node.post("/v1/ops/test.echo", "{}", "Authorization", "Bearer wrong"), 401, "UNAUTHORIZED");
        assertError(node.post("/v1/ops/test.echo", "{}", "Authorization", "Basic dXNlcjpwdw=="), 401, "UNAUTHORIZED");
        assertError(node.get("/v1/kv/a", "Authorization", "Bearer wrong"), 401, "UNAUTHORIZED");
        // Anonymous callers lack admin access; the dispatcher asks for a token.
        assertError(node.post("/v1/ops/test.admin", "{}"), 401, "UNAUTHORIZED");

        HttpResponse<String> res = node.post("/v1/ops/test.admin", "{}", "Authorization", "Bearer " + TestNode.ADMIN_TOKEN);
        assertThat(res.statusCode()).isEqualTo(200);
        JsonNode who = json(node.post("/v1/ops/test.echo", "{}", "Authorization", "bearer " + TestNode.ADMIN_TOKEN));
        assertThat(who.at("/result/principal").asText()).isEqualTo("admin");
    }

    @Test
    void subscribingOverHttpIsRefusedByTheHandler() {
        assertError(node.post("/v1/ops/test.subscribe", "{\"pattern\":\"/a/**\"}"), 400, "BAD_REQUEST");
    }

    @Test
    void keepAliveServesPipelinedRequestsInOrder() throws Exception {
        try (RawConnection c = new RawConnection(node.port())) {
            // The slow one first: its response must still come first.
            c.write(RawConnection.request("POST", "/v1/ops/test.slow", "{\"ms\":200}")
                    + RawConnection.request("GET", "/health", null)
                    + RawConnection.request("POST", "/v1/ops/test.echo", "{\"n\":3}"));
            RawConnection.HttpReply first = c.readReply();
            RawConnection.HttpReply second = c.readReply();
            RawConnection.HttpReply third = c.readReply();
            assertThat(json(first.body()).at("/result/slept").asInt()).isEqualTo(200);
            assertThat(json(second.body()).path("status").asText()).isEqualTo("ok");
            assertThat(json(third.body()).at("/result/args/n").asInt()).isEqualTo(3);

            c.write(RawConnection.request("GET", "/health", null, "Connection: close"));
            RawConnection.HttpReply last = c.readReply();
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.headers().get("connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedByServerWithin(2_000)).isTrue();
        }
    }

    @Test
    void garbageRequestLineIsBadRequestAndCloses() throws Exception {
        try (RawConnection c = new RawConnection(node.port())) {
            c.write("THIS IS NOT HTTP\r\n\r\n");
            RawConnection.HttpReply reply = c.readReply();
            assertThat(reply.status()).isEqualTo(400);
            assertThat(json(reply.body()).at("/error/code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(c.closedByServerWithin(2_000)).isTrue();
        }
    }
}
