package dev.pando.it;

import static dev.pando.it.PluginSupport.failure;
import static dev.pando.it.PluginSupport.key;
import static dev.pando.it.PluginSupport.outcome;
import static dev.pando.it.PluginSupport.plugin;
import static dev.pando.it.PluginSupport.pluginByFile;
import static dev.pando.it.PluginSupport.reload;
import static dev.pando.it.PluginSupport.signed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.host.testing.Wat;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.testkit.TestNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Misbehaving WASM guests on a real node. Each failure must stay with its own call (or, at load
 * time, with its own file): after every hostile call the node still answers plain kv.set/kv.get,
 * a well-behaved plugin (counter) still counts, and the hostile plugin itself still answers.
 */
class HostileWasmIT {
    private static final int OUTPUT_CAP = 256 * 1024;
    private static final int TIMEOUT_MS = 200;

    @TempDir
    static Path work;
    static Ed25519KeyPair key;
    static Path pluginsDir;
    static TestNode node;
    static PandoClient client;
    static PandoClient admin;
    static final AtomicLong alive = new AtomicLong();

    @BeforeAll
    static void start() {
        key = Ed25519KeyPair.generate();
        pluginsDir = work.resolve("plugins");
        PluginSupport.drop(pluginsDir, "hostile.wasm", signed(Wat.module("hostile"),
                PluginSupport.manifest("hostile", "\"callTimeoutMs\": 1000", "\"callTimeoutMs\": " + TIMEOUT_MS), key));
        PluginSupport.drop(pluginsDir, "counter.wasm", signed("counter", key));
        PluginSupport.drop(pluginsDir, "echo.wasm", signed("echo", key));
        PluginSupport.drop(pluginsDir, "ab.wasm", signed("kvprobe", key));
        // The same probe as plugin 'abc': its prefix /_plugins/abc starts with the string /_plugins/ab.
        String abc = Wat.manifestJson("kvprobe").replace("\"id\": \"ab\"", "\"id\": \"abc\"").replace("\"ab.", "\"abc.");
        PluginSupport.drop(pluginsDir, "abc.wasm", signed(Wat.module("kvprobe"), abc, key));
        node = TestNode.builder().inMemory()
                .with(NodeConfig.TRUSTED_KEYS, PluginSupport.trust(work.resolve("trusted-keys"), key).toString())
                .with(NodeConfig.MAX_OUTPUT_BYTES, OUTPUT_CAP)
                .pluginsDir(pluginsDir)
                .start();
        client = node.client();
        admin = node.adminClient();
        assertThat(PluginSupport.plugins(admin)).extracting(p -> p.path("id").asText() + " " + p.path("state").asText())
                .containsExactlyInAnyOrder("hostile LOADED", "counter LOADED", "echo LOADED", "ab LOADED", "abc LOADED");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    // ---- runaway guests ----

    @ParameterizedTest
    @ValueSource(strings = {"spin", "spin_br_if", "spin_br_table"})
    void anInfiniteLoopIsCutOffWithTimeout(String op) {
        JsonNode before = stats();
        PandoException e = failure(() -> client.call("hostile." + op, null));
        assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(e.getMessage()).contains("did not answer hostile." + op + " within " + TIMEOUT_MS + " ms");
        JsonNode after = stats();
        assertDelta(before, after, 1, 1, 1, 0);
        assertThat(after.path("lastError").asText()).startsWith("TIMEOUT: ").contains("hostile." + op);
        nodeStillServes();
    }

    @Test
    void unboundedRecursionIsPluginFailed() {
        JsonNode before = stats();
        PandoException e = failure(() -> client.call("hostile.recurse", null));
        assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
        assertThat(e.getMessage()).contains("stack exhausted");
        assertDelta(before, stats(), 1, 1, 0, 1);
        nodeStillServes();
    }

    @Test
    void memoryGrowStopsAtTheManifestCap() {
        JsonNode before = stats();
        JsonNode grown = client.call("hostile.grow", null);
        // limits.memoryPages is 32; the module starts with 1 page. Asking for 65536 more pages is refused with -1.
        assertThat(grown.path("pages").asInt()).as(grown.toString()).isEqualTo(32);
        assertThat(grown.path("huge").asInt()).isEqualTo(-1);
        assertThat(grown.path("grown").asInt()).isBetween(0, 31);
        JsonNode again = client.call("hostile.grow", null);
        assertThat(again.path("pages").asInt()).isEqualTo(32);
        assertThat(again.path("huge").asInt()).isEqualTo(-1);
        assertDelta(before, stats(), 2, 0, 0, 0);
        nodeStillServes();
    }

    static Stream<Arguments> traps() {
        return Stream.of(
                Arguments.of("trap", "unreachable"),
                Arguments.of("oob_load", "out of bounds memory access"),
                Arguments.of("bad_ptr", "[4294967280, 4294967380) lies outside guest memory"),
                Arguments.of("past_end", "lies outside guest memory"),
                Arguments.of("bad_len", "2147483647 bytes, above the limit of " + OUTPUT_CAP),
                Arguments.of("huge", "1048577 bytes, above the limit of " + OUTPUT_CAP),
                Arguments.of("bad_json", "is not valid JSON"),
                Arguments.of("trailing_json", "is not valid JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("traps")
    void trapsAndMalformedResultsArePluginFailed(String op, String problem) {
        JsonNode before = stats();
        PandoException e = failure(() -> client.call("hostile." + op, null));
        assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
        assertThat(e.getMessage()).containsIgnoringCase(problem).hasSizeLessThan(2048);
        assertDelta(before, stats(), 1, 1, 0, 1);
        nodeStillServes();
    }

    @Test
    void anEnormousResultFromAWellBehavedPluginIsBoundedToo() {
        String big = "x".repeat(OUTPUT_CAP + 10);
        PandoException e = failure(() -> client.call("echo.echo", Json.obj().put("big", big)));
        assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
        assertThat(e.getMessage()).contains("above the limit of " + OUTPUT_CAP).hasSizeLessThan(2048);
        String fits = "x".repeat(OUTPUT_CAP / 2);
        assertThat(client.call("echo.echo", Json.obj().put("big", fits)).path("big").asText()).isEqualTo(fits);
        nodeStillServes();
    }

    @Test
    void guestErrorsKeepTheirCodeOnlyIfTheyAreKnown() {
        JsonNode before = stats();
        PandoException typed = failure(() -> client.call("hostile.typed_error", null));
        assertThat(typed.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(typed.getMessage()).isEqualTo("counter moved");
        PandoException unknown = failure(() -> client.call("hostile.unknown_error", null));
        assertThat(unknown.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
        assertThat(unknown.getMessage()).contains("TEAPOT").contains("short and stout");
        assertDelta(before, stats(), 2, 2, 0, 1);
        nodeStillServes();
    }

    // ---- KV escapes ----

    /** Key, expected status of get/set/create/delete and of scan, part of the message. */
    static final Object[][] ESCAPES = {
            {"/_plugins/abc/x", -2, -2, "may not"},            // prefix trick: /_plugins/ab is not a prefix of /_plugins/abc
            {"/_plugins/abc", -2, -2, "may not"},
            {"/_plugins/counter/total", -2, -2, "may not"},    // another plugin's prefix
            {"/_plugins/other/x", -2, -2, "may not"},
            {"/_plugins", -2, -2, "may not"},
            {"/_sys/x", -2, -2, "may not"},
            {"/hostile-it/alive", -2, -2, "may not"},
            {"/_plugins/ab/../abc/x", -1, -1, "'..' segment"},
            {"/_plugins/ab/../../_sys/x", -1, -1, "'..' segment"},
            {"/_plugins/ab/./x", -1, -1, "'.' segment"},
            {"/_plugins/ab/..", -1, -1, "'..' segment"},
            // Never decoded: %2F is no separator and %61 is no 'a', so these name segments other than 'ab'.
            {"/_plugins/ab%2F..%2Fabc/x", -2, -2, "may not"},
            {"/_plugins/%61b/x", -2, -2, "may not"},
            {"/_plugins/ab%2Fx", -2, -2, "may not"},
            {"/_plugins/ab//x", -1, -1, "empty segment"},
            {"//_plugins/ab/x", -1, -1, "empty segment"},
            {"/_plugins/ab/", -1, -1, "ends with '/'"},
            {"_plugins/ab/x", -1, -1, "must start with '/'"},
            {"", -1, -1, "empty"},
            {"/", -1, -2, "no segments"},                     // scan "/" is a valid prefix, but reaching everything is forbidden
    };

    @Test
    void kvEscapeAttemptsAreRefusedAndWriteNothing() {
        List<String> storeBefore = storeSnapshot();
        long revisionBefore = client.info().path("revision").asLong();
        JsonNode abBefore = plugin(admin, "ab").path("stats");

        for (Object[] row : ESCAPES) {
            String k = (String) row[0];
            int expected = (Integer) row[1];
            for (String op : new String[] {"get", "set", "create", "delete"}) {
                JsonNode answer = client.call("ab." + op, key(k));
                assertThat(answer.path("status").asInt()).as("ab.%s %s: %s", op, k, answer).isEqualTo(expected);
                assertThat(answer.path("result").asText()).as("ab.%s %s message", op, k).contains((String) row[3]);
            }
            JsonNode scan = client.call("ab.scan", key(k));
            assertThat(scan.path("status").asInt()).as("ab.scan %s: %s", k, scan).isEqualTo((Integer) row[2]);
        }

        assertThat(client.info().path("revision").asLong()).as("no write committed anywhere").isEqualTo(revisionBefore);
        assertThat(storeSnapshot()).as("the store, scanned through the client").isEqualTo(storeBefore);
        JsonNode abAfter = plugin(admin, "ab").path("stats");
        assertThat(abAfter.path("errors").asLong()).as("refusals are answers to the guest, not failed calls")
                .isEqualTo(abBefore.path("errors").asLong());

        // The same probe still works inside its own prefix, and 'abc' inside its own.
        assertThat(client.call("ab.set", key("/_plugins/ab/ok")).path("status").asLong()).isPositive();
        assertThat(client.call("abc.set", key("/_plugins/abc/ok")).path("status").asLong()).isPositive();
        assertThat(client.call("abc.get", key("/_plugins/ab/ok")).path("status").asInt()).as("abc cannot read ab either").isEqualTo(-2);
        assertThat(client.get("/_plugins/ab/ok").path("writer").asText()).isEqualTo("plugin:ab");
        assertThat(client.get("/_plugins/abc/ok").path("writer").asText()).isEqualTo("plugin:abc");
        client.delete("/_plugins/ab/ok");
        client.delete("/_plugins/abc/ok");
        nodeStillServes();
    }

    @Test
    void badGuestBuffersInHostCallsAreStatusesNotCrashes() {
        JsonNode badPtr = client.call("ab.bad_ptr", null);
        assertThat(badPtr.path("status").asInt()).isEqualTo(-1);
        assertThat(badPtr.path("result").asText()).contains("outside guest memory");
        JsonNode badUtf8 = client.call("ab.bad_utf8", null);
        assertThat(badUtf8.path("status").asInt()).isEqualTo(-1);
        assertThat(badUtf8.path("result").asText()).contains("not valid UTF-8");
        nodeStillServes();
    }

    // ---- refused at load ----

    private static final String ALLOC = "(memory (export \"memory\") 1)"
            + " (func (export \"pando_alloc\") (param i32) (result i32) (i32.const 1024))"
            + " (func (export \"run\") (param i32 i32) (result i64) (i64.const 0))";

    static Stream<Arguments> refusedAtLoad() {
        return Stream.of(
                Arguments.of("undeclared-permission.wasm", "sneaky",
                        "(module (import \"pando\" \"publish\" (func (param i32 i32 i32 i32) (result i32))) " + ALLOC + ")", "", "",
                        "module imports pando.publish but the manifest does not declare the 'publish' permission"),
                Arguments.of("unknown-import.wasm", "execer",
                        "(module (import \"pando\" \"exec\" (func (param i32 i32) (result i32))) " + ALLOC + ")", "", "",
                        "module imports pando.exec, which the host does not provide"),
                Arguments.of("foreign-import.wasm", "foreign",
                        "(module (import \"env\" \"abort\" (func)) " + ALLOC + ")", "", "",
                        "module imports env.abort"),
                Arguments.of("missing-export.wasm", "ghost", "(module " + ALLOC + ")", ",{\"name\":\"ghost.walk\"}", "",
                        "manifest op 'ghost.walk' is served by export 'walk', but the module exports no function of that name"),
                Arguments.of("greedy.wasm", "greedy", "(module " + ALLOC + ")", "", ",\"limits\":{\"memoryPages\":2000}",
                        "plugins.max-memory-pages"),
                Arguments.of("bad-init.wasm", "badinit",
                        "(module " + ALLOC + " (func (export \"pando_init\") (result i32) (i32.const 7)))", "", "",
                        "pando_init"),
                Arguments.of("spinning-init.wasm", "spininit",
                        "(module " + ALLOC + " (func (export \"pando_init\") (result i32) (loop $l (br $l)) (i32.const 0)))",
                        "", ",\"limits\":{\"callTimeoutMs\":100}",
                        "did not start within 100 ms"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedAtLoad")
    void aModuleThatCannotBeServedIsRefusedAtLoadAlone(String file, String id, String wat, String moreOps, String moreFields,
                                                      String reason) {
        String manifest = "{\"id\":\"" + id + "\",\"version\":\"1.0.0\",\"apiVersion\":1,\"ops\":[{\"name\":\"" + id + ".run\"}" + moreOps + "]"
                + moreFields + "}";
        Path dropped = PluginSupport.drop(pluginsDir, file, signed(Wat.assemble(wat), manifest, key));
        try {
            JsonNode report = reload(admin);
            JsonNode o = outcome(report, file);
            assertThat(o.path("action").asText()).as(o.toString()).isEqualTo("failed");
            assertThat(o.path("error").asText()).contains(reason);
            assertThat(report.path("failed").asInt()).isEqualTo(1);
            assertThat(report.path("unchanged").asInt()).as("the other plugins are untouched").isEqualTo(5);

            PandoException notServed = failure(() -> client.call(id + ".run", null));
            assertThat(notServed.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(notServed.getMessage()).contains("unknown op '" + id + ".run'");

            JsonNode listed = pluginByFile(admin, file);
            assertThat(listed).as("admin.plugins lists the failed file").isNotNull();
            assertThat(listed.path("state").asText()).isEqualTo("FAILED");
            assertThat(listed.path("error").asText()).contains(reason);
            nodeStillServes();
        } finally {
            PluginSupport.delete(dropped);
            reload(admin);
        }
        assertThat(pluginByFile(admin, file)).as("gone with its file").isNull();
    }

    // ---- stats ----

    @Test
    void adminPluginsCountsTimeoutsAndFailuresSeparately() {
        JsonNode before = stats();
        failure(() -> client.call("hostile.spin", null));
        failure(() -> client.call("hostile.trap", null));
        failure(() -> client.call("hostile.bad_json", null));
        failure(() -> client.call("hostile.typed_error", null));
        client.call("hostile.ok", null);
        JsonNode after = stats();
        assertDelta(before, after, 5, 4, 1, 2);
        assertThat(after.path("lastError").asText()).startsWith("CONFLICT: counter moved");
        JsonNode listed = plugin(admin, "hostile");
        assertThat(listed.path("limits").path("callTimeoutMs").asInt()).isEqualTo(TIMEOUT_MS);
        assertThat(listed.path("state").asText()).isEqualTo("LOADED");
        nodeStillServes();
    }

    // ---- helpers ----

    private static JsonNode stats() {
        return plugin(admin, "hostile").path("stats");
    }

    private static void assertDelta(JsonNode before, JsonNode after, long calls, long errors, long timeouts, long failures) {
        assertThat(after.path("calls").asLong() - before.path("calls").asLong()).as("calls: %s -> %s", before, after).isEqualTo(calls);
        assertThat(after.path("errors").asLong() - before.path("errors").asLong()).as("errors: %s -> %s", before, after).isEqualTo(errors);
        assertThat(after.path("timeouts").asLong() - before.path("timeouts").asLong()).as("timeouts: %s -> %s", before, after).isEqualTo(timeouts);
        assertThat(after.path("failures").asLong() - before.path("failures").asLong()).as("failures: %s -> %s", before, after).isEqualTo(failures);
    }

    /** Every key and revision in the store, as the admin sees it through kv.scan. */
    private static List<String> storeSnapshot() {
        List<String> out = new ArrayList<>();
        for (JsonNode e : admin.scan("/")) {
            out.add(e.path("key").asText() + "@" + e.path("revision").asLong());
        }
        return out;
    }

    /**
     * The node keeps serving: a plain write and read, a well-behaved plugin that writes through
     * the host (on several worker threads, in case an interrupt leaked into one), and the hostile
     * plugin's own harmless op.
     */
    private static void nodeStillServes() {
        long n = alive.incrementAndGet();
        client.set("/hostile-it/alive", Json.num(n));
        assertThat(client.get("/hostile-it/alive").path("value").asLong()).isEqualTo(n);
        long total = client.find("/_plugins/counter/total").map(e -> e.path("value").asLong()).orElse(0L);
        for (int i = 1; i <= 6; i++) {
            assertThat(client.call("counter.add", Json.obj().put("by", 1)).path("total").asLong()).isEqualTo(total + i);
        }
        assertThat(client.call("hostile.ok", null)).isEqualTo(Json.parse("{\"ok\":true}"));
    }
}
