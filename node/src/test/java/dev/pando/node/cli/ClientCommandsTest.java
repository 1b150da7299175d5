package dev.pando.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.client.FakeNode;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClientCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static FakeNode node;
    static String url;

    @BeforeAll
    static void start() {
        node = FakeNode.start();
        url = node.uri().toString();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static CliRun pando(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = url;
        return CliRun.run(all);
    }

    static JsonNode json(String line) throws Exception {
        return JSON.readTree(line);
    }

    @Test
    void kvSetThenGetPrintsCompactJsonLines() throws Exception {
        CliRun set = pando("kv", "set", "/cli/a", "{\"on\": true}");
        assertThat(set.exit()).as(set.toString()).isZero();
        assertThat(set.lines()).hasSize(1);
        assertThat(set.out()).doesNotContain(" ");
        long rev = json(set.out()).get("revision").asLong();

        CliRun get = pando("kv", "get", "/cli/a");
        assertThat(get.exit()).isZero();
        JsonNode entry = json(get.out());
        assertThat(entry.get("value")).isEqualTo(json("{\"on\":true}"));
        assertThat(entry.get("revision").asLong()).isEqualTo(rev);
        assertThat(get.err()).isEmpty();

        assertThat(pando("kv", "get", "/cli/a", "--value").out()).isEqualTo("{\"on\":true}\n");
    }

    @Test
    void conflictIsOneLineOnStderrWithExitOne() throws Exception {
        long rev = json(pando("kv", "set", "/cli/cas", "1").out()).get("revision").asLong();
        CliRun ok = pando("kv", "set", "/cli/cas", "2", "--if-revision", Long.toString(rev), "--sync");
        assertThat(ok.exit()).isZero();
        CliRun conflict = pando("kv", "set", "/cli/cas", "3", "--if-revision", Long.toString(rev));
        assertThat(conflict.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(conflict.out()).isEmpty();
        assertThat(conflict.err()).isEqualTo("error: CONFLICT: revision mismatch for /cli/cas (expected " + rev
                + ", found " + (rev + 1) + ")\n");
    }

    @Test
    void nodeErrorsCarryTheirRetryHintAndExitOneEvenWhenUnavailable() {
        CliRun limited = pando("call", "test.fail", "{\"code\":\"RATE_LIMITED\",\"message\":\"slow down\",\"retryAfterMs\":1500}");
        assertThat(limited.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(limited.err()).isEqualTo("error: RATE_LIMITED: slow down (retry after 1500 ms)\n");
        // The node saying UNAVAILABLE is a request error (1), not a connection problem (3).
        CliRun unavailable = pando("call", "test.fail", "{\"code\":\"UNAVAILABLE\",\"message\":\"node is shutting down\"}");
        assertThat(unavailable.exit()).isEqualTo(ExitCodes.REQUEST);
        assertThat(unavailable.err()).isEqualTo("error: UNAVAILABLE: node is shutting down\n");
    }

    @Test
    void missingKeyIsNotFound() {
        CliRun r = pando("kv", "get", "/cli/nothing");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: NOT_FOUND: no entry at /cli/nothing\n");
    }

    @Test
    void delWithIfRevision() throws Exception {
        long rev = json(pando("kv", "set", "/cli/del", "true").out()).get("revision").asLong();
        assertThat(pando("kv", "del", "/cli/del", "--if-revision", Long.toString(rev + 5)).exit()).isEqualTo(1);
        CliRun del = pando("kv", "del", "/cli/del", "--if-revision", Long.toString(rev));
        assertThat(del.exit()).isZero();
        assertThat(json(del.out()).get("key").asText()).isEqualTo("/cli/del");
    }

    @Test
    void scanPrintsOneEntryPerLineFollowingCursors() throws Exception {
        for (int i = 0; i < 7; i++) {
            pando("kv", "set", "/cli/scan/k" + i, Integer.toString(i));
        }
        node.maxScanPage = 2;
        try {
            CliRun all = pando("kv", "scan", "/cli/scan");
            assertThat(all.exit()).isZero();
            assertThat(all.lines()).hasSize(7);
            assertThat(json(all.lines().get(0)).get("key").asText()).isEqualTo("/cli/scan/k0");

            CliRun limited = pando("kv", "scan", "/cli/scan/*", "--limit", "3");
            assertThat(limited.lines()).hasSize(3);
            assertThat(pando("kv", "scan", "/cli/scan", "--limit", "0").exit()).isEqualTo(ExitCodes.USAGE);
        } finally {
            node.maxScanPage = 1000;
        }
    }

    @Test
    void pubPrintsDelivered() throws Exception {
        CliRun r = pando("pub", "/cli/topic", "\"hello\"");
        assertThat(r.exit()).isZero();
        assertThat(json(r.out()).get("delivered").asInt()).isZero();
    }

    @Test
    void callDefaultsArgsAndReadsStdin() throws Exception {
        CliRun info = pando("call", "node.info");
        assertThat(info.exit()).isZero();
        assertThat(json(info.out()).get("nodeId").asText()).isEqualTo("fake");

        CliRun echo = CliRun.with(Map.of(), "{\"value\": [1,2]}", "call", "test.echo", "-", "--url", url);
        assertThat(echo.out()).isEqualTo("{\"value\":[1,2]}\n");

        CliRun unknown = pando("call", "no.such.op");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("error: NOT_FOUND: unknown op 'no.such.op'\n");
    }

    @Test
    void invalidJsonArgumentIsAUsageErrorNamingTheArgument() {
        CliRun r = pando("kv", "set", "/cli/x", "hello");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: <json> is not valid JSON: Unrecognized token 'hello'")
                .contains("to pass a string, quote it: '\"hello\"'")
                .endsWith("see 'pando kv set --help'\n");

        CliRun trailing = pando("call", "node.info", "{} {}");
        assertThat(trailing.exit()).isEqualTo(2);
        assertThat(trailing.err()).startsWith("error: <json-args> is not valid JSON at column ");

        CliRun empty = pando("pub", "/t", " ");
        assertThat(empty.err()).startsWith("error: <json> is empty");
    }

    @Test
    void tokenComesFromFlagOrEnvironment() {
        node.requiredToken = "tok";
        try {
            assertThat(pando("call", "node.health").err()).startsWith("error: UNAUTHORIZED");
            assertThat(pando("call", "node.health", "--token", "tok").exit()).isZero();
            CliRun fromEnv = CliRun.with(Map.of("PANDO_TOKEN", "tok", "PANDO_URL", url), "", "call", "node.health");
            assertThat(fromEnv.exit()).as(fromEnv.toString()).isZero();
        } finally {
            node.requiredToken = null;
        }
    }

    @Test
    void connectionRefusedExitsThreeWithAHint() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun r = CliRun.run("kv", "get", "/a", "--url", "http://127.0.0.1:" + port);
        assertThat(r.exit()).isEqualTo(ExitCodes.CONNECTION);
        assertThat(r.err()).isEqualTo("error: cannot reach node at http://127.0.0.1:" + port
                + ": connection refused — is `pando serve` running?\n");
    }

    @Test
    void healthPrintsTheNodesHealth() throws Exception {
        CliRun r = pando("health");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(json(r.out()).path("status").asText()).isEqualTo("ok");
    }

    @Test
    void healthWaitsForANodeThatIsStillStarting() throws Exception {
        int port = freePort();
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(
                () -> CliRun.run("health", "--wait", "60", "--url", "http://127.0.0.1:" + port));
        Thread.sleep(300); // the CLI's first attempts are refused: nothing listens yet
        FakeNode late = FakeNode.start(port);
        try {
            CliRun r = run.get(60, TimeUnit.SECONDS);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(json(r.out()).path("status").asText()).isEqualTo("ok");
        } finally {
            late.close();
        }
    }

    @Test
    void healthGivesUpAfterItsWaitWithTheConnectionExitCode() throws Exception {
        int port = freePort();
        CliRun r = CliRun.run("health", "--wait", "1", "--url", "http://127.0.0.1:" + port);
        assertThat(r.exit()).isEqualTo(ExitCodes.CONNECTION);
        assertThat(r.err()).startsWith("error: cannot reach node at http://127.0.0.1:" + port);
        assertThat(CliRun.run("health", "--wait", "-1").exit()).isEqualTo(2);
        assertThat(CliRun.run("health", "--wait", "3601").err()).contains("--wait must be between 0 and 3600");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void badUrlIsAUsageError() {
        CliRun r = CliRun.run("kv", "get", "/a", "--url", "ftp://x");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: invalid node URL 'ftp://x': node URL must start with http:// or https://");
    }
}
