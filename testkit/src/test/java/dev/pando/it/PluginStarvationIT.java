package dev.pando.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoWebSocket;
import dev.pando.host.testing.PluginJarBuilder;
import dev.pando.host.testing.Wat;
import dev.pando.testkit.TestNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One plugin's op that never returns, called 200 times at once from several real clients, must
 * not starve anyone: a separate client's {@code kv.get} and another plugin's op keep answering
 * quickly, the calls beyond the plugin's instances and queue are refused with
 * {@code UNAVAILABLE} at once, and every call is answered by its time limit plus slack.
 */
class PluginStarvationIT {
    private static final int CALLS = 200;
    private static final int INSTANCES = 2;
    private static final int LIMIT_MS = 3_000;
    /** The plugin's per-id call queue (plugins.call-queue default). */
    private static final int QUEUE = 64;
    /** A canary answer slower than this means it waited behind plugin code. */
    private static final long CANARY_MS = 2_000;
    /** Generous allowance for a loaded machine on top of the call limit and the node's slack. */
    private static final long MARGIN_MS = 5_000;
    private static final int CLIENTS = 4;
    private static final JsonNode NO_ARGS = JsonNodeFactory.instance.objectNode();

    @TempDir
    Path work;

    private record Outcome(ErrorCode code, long millis) {}

    @Test
    void aLoopingWasmOpStarvesNeitherCoreOpsNorAnotherPlugin() throws Exception {
        try (TestNode node = TestNode.builder().inMemory().start()) {
            node.installWasm(Wat.module("hostile"), Wat.manifestJson("hostile")
                    .replace("\"callTimeoutMs\": 1000, \"instances\": 2", "\"callTimeoutMs\": " + LIMIT_MS + ", \"instances\": " + INSTANCES));
            node.installWasm(Wat.module("echo"), Wat.manifestJson("echo"));
            PandoClient canary = node.client();
            canary.set("/canary", IntNode.valueOf(1));
            JsonNode echoArgs = JsonNodeFactory.instance.objectNode().put("still", "here");

            attack(node, "hostile.spin", () -> {
                assertThat(canary.get("/canary").get("value").asInt()).isEqualTo(1);
                assertThat(canary.call("echo.echo", echoArgs)).isEqualTo(echoArgs);
            });
        }
    }

    @Test
    void aNativeOpThatIgnoresInterruptsStarvesNeitherCoreOpsNorAnotherPlugin() throws Exception {
        Path jar = new PluginJarBuilder()
                .manifest("{\"id\": \"stuck\", \"version\": \"1.0.0\", \"apiVersion\": 1,"
                        + " \"ops\": [{\"name\": \"stuck.spin\", \"scope\": \"read\"}],"
                        + " \"limits\": {\"callTimeoutMs\": " + LIMIT_MS + ", \"instances\": " + INSTANCES + "}}")
                .source("example.stuck.Stuck", """
                        package example.stuck;

                        import com.fasterxml.jackson.databind.JsonNode;
                        import dev.pando.api.plugin.*;

                        @org.pf4j.Extension
                        public class Stuck implements PandoPlugin {
                            @Override
                            public JsonNode call(OpCall call) {
                                // Spins past its time limit without ever looking at the interrupt flag.
                                long end = System.nanoTime() + 3L * %d * 1_000_000L;
                                while (System.nanoTime() < end) {
                                    Thread.onSpinWait();
                                }
                                return null;
                            }
                        }""".formatted(LIMIT_MS))
                .writeTo(work, "stuck.jar");
        try (TestNode node = TestNode.builder().inMemory().start()) {
            node.install(jar);
            node.installWasm(Wat.module("echo"), Wat.manifestJson("echo"));
            PandoClient canary = node.client();
            canary.set("/canary", IntNode.valueOf(1));
            JsonNode echoArgs = JsonNodeFactory.instance.objectNode().put("still", "here");

            attack(node, "stuck.spin", () -> {
                assertThat(canary.get("/canary").get("value").asInt()).isEqualTo(1);
                assertThat(canary.call("echo.echo", echoArgs)).isEqualTo(echoArgs);
            });
        }
    }

    /**
     * Sends {@link #CALLS} calls of {@code op} at once over {@link #CLIENTS} WebSockets, runs the
     * canary over and over while they are out, and checks how everything was answered.
     */
    private static void attack(TestNode node, String op, Runnable canaryCall) throws Exception {
        List<PandoWebSocket> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(node.webSocket());
        }
        List<CompletableFuture<Outcome>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            long sent = System.nanoTime();
            calls.add(clients.get(i % CLIENTS).call(op, NO_ARGS).handle((v, e) -> new Outcome(code(e), millisSince(sent))));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));

        long slowest = 0;
        int canaries = 0;
        while (!all.isDone() || canaries < 3) {
            long t0 = System.nanoTime();
            canaryCall.run();
            slowest = Math.max(slowest, millisSince(t0));
            canaries++;
            Thread.sleep(50);
        }
        assertThat(slowest).as("slowest canary round (kv.get + another plugin's op) during the attack, ms").isLessThan(CANARY_MS);

        all.get(LIMIT_MS + MARGIN_MS, TimeUnit.MILLISECONDS);
        List<Outcome> outcomes = calls.stream().map(CompletableFuture::join).toList();
        Map<ErrorCode, Long> byCode = outcomes.stream().collect(Collectors.groupingBy(Outcome::code, Collectors.counting()));
        assertThat(byCode.keySet()).as("outcomes %s", byCode).isSubsetOf(ErrorCode.TIMEOUT, ErrorCode.UNAVAILABLE);
        long refusedAtOnce = outcomes.stream().filter(o -> o.code() == ErrorCode.UNAVAILABLE && o.millis() < LIMIT_MS / 2).count();
        assertThat(refusedAtOnce).as("calls refused before half the limit; outcomes %s", byCode)
                .isGreaterThanOrEqualTo(CALLS - INSTANCES - QUEUE);
        assertThat(outcomes).allSatisfy(o -> assertThat(o.millis()).as("answer time of %s", o).isLessThan(LIMIT_MS + MARGIN_MS));
        canaryCall.run(); // and afterwards, of course
    }

    private static ErrorCode code(Throwable e) {
        if (e == null) {
            throw new AssertionError("a call of a looping op succeeded");
        }
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof PandoException p) {
            return p.code();
        }
        throw new AssertionError("call failed without a typed error", t);
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}
