package dev.pando.host.wasm;

import static dev.pando.host.testing.TestHost.failure;
import static dev.pando.host.testing.TestHost.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.host.testing.MemoryHostServices.Published;
import dev.pando.host.testing.TestHost;
import dev.pando.host.testing.WasmFixture;
import dev.pando.host.testing.Wat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Well-behaved guests: calls, KV through the scoped view, typed errors, events, lifecycle. */
class WasmPluginTest {
    private static final WasmOptions COMPILED = WasmOptions.DEFAULT;
    private static final WasmOptions INTERPRETED = WasmOptions.DEFAULT.withCompiled(false);

    @ParameterizedTest(name = "compiled={0}")
    @ValueSource(booleans = {true, false})
    void counterReadsAndWritesItsKey(boolean compiled) {
        try (WasmFixture counter = WasmFixture.start("counter", WasmOptions.DEFAULT.withCompiled(compiled))) {
            assertThat(counter.call("add", "{\"by\":5}")).isEqualTo(json("{\"total\":5}"));
            assertThat(counter.call("add", "{\"by\":7}")).isEqualTo(json("{\"total\":12}"));
            assertThat(counter.call("add", "{\"by\":-2}")).isEqualTo(json("{\"total\":10}"));

            KvEntry stored = counter.services().entries().get("/_plugins/counter/total");
            assertThat(stored.value()).isEqualTo(json("10"));
            assertThat(stored.writer()).isEqualTo("plugin:counter");
            assertThat(counter.services().entries()).containsOnlyKeys("/_plugins/counter/total");
        }
    }

    @Test
    void compiledAndInterpretedAgree() {
        List<JsonNode> compiled = new ArrayList<>();
        List<JsonNode> interpreted = new ArrayList<>();
        try (WasmFixture c = WasmFixture.start("counter", COMPILED); WasmFixture i = WasmFixture.start("counter", INTERPRETED)) {
            for (String by : List.of("1", "41", "-100", "9000000000")) {
                compiled.add(c.call("add", "{\"by\":" + by + "}"));
                interpreted.add(i.call("add", "{\"by\":" + by + "}"));
            }
        }
        assertThat(compiled).containsExactlyElementsOf(interpreted);
        assertThat(compiled.get(compiled.size() - 1)).isEqualTo(json("{\"total\":8999999942}"));
    }

    @Test
    void guestReportedErrorKeepsItsCodeAndItsInstance() {
        try (WasmFixture counter = WasmFixture.start("counter", COMPILED)) {
            PandoException e = failure(() -> counter.call("add", "{\"step\":1}"));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(e.getMessage()).isEqualTo("args need a number in by");
            assertThat(counter.plugin().stats().instancesDiscarded()).isZero();
            assertThat(counter.call("add", "{\"by\":1}")).isEqualTo(json("{\"total\":1}"));
        }
    }

    @Test
    void typedErrorCodesPassThroughAndUnknownOnesBecomePluginFailed() {
        try (WasmFixture hostile = WasmFixture.start("hostile", COMPILED)) {
            PandoException conflict = failure(() -> hostile.call("typed_error", "{}"));
            assertThat(conflict.code()).isEqualTo(ErrorCode.CONFLICT);
            assertThat(conflict.getMessage()).isEqualTo("counter moved");

            PandoException teapot = failure(() -> hostile.call("unknown_error", "{}"));
            assertThat(teapot.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
            assertThat(teapot.getMessage()).contains("'TEAPOT'").contains("short and stout");
            assertThat(hostile.plugin().stats().instancesDiscarded()).isZero();
        }
    }

    @Test
    void initRunsBeforeTheFirstCallAndResultsAreHandedBackToPandoFree() {
        try (WasmFixture hostile = WasmFixture.start("hostile", COMPILED)) {
            assertThat(hostile.call("inited", "{}")).isEqualTo(json("{\"inited\":true}"));
            hostile.call("ok", "{}");
            // pando_free traps unless it gets exactly the (ptr, len) the op returned, so two clean
            // frees mean the host handed each result back correctly.
            assertThat(hostile.call("frees", "{}")).isEqualTo(json("{\"frees\":2}"));
        }
    }

    @Test
    void permissionGatedHostFunctionsWork() {
        try (WasmFixture caps = WasmFixture.start("capabilities", COMPILED)) {
            JsonNode stamp = caps.call("stamp", "{}");
            assertThat(stamp.get("clock").asLong()).isEqualTo(TestHost.CLOCK.millis());
            assertThat(stamp.get("publish").asInt()).isZero();
            assertThat(stamp.get("random").asInt()).isZero();
            assertThat(stamp.get("nonzero").asInt()).as("32 random bytes, not all zero").isPositive();
            assertThat(stamp.get("wildcard").asInt()).as("publishing to a pattern").isEqualTo(AbiV1.Status.BAD_REQUEST.code());
            assertThat(caps.services().published())
                    .containsExactly(new Published("/alerts/caps", json("{\"n\":1}"), "plugin:caps"));
        }
    }

    @Test
    void changesAndEventsReachPandoOnEvent() {
        try (WasmFixture listener = WasmFixture.start("events", COMPILED)) {
            listener.plugin().onChange(new KvChange("/sensors/t1", json("{\"c\":21.5}"), 7, 1000, "local", "user:x"));
            assertThat(last(listener)).isEqualTo(json("""
                    {"kind":"change","key":"/sensors/t1","value":{"c":21.5},"revision":7,"timestamp":1000,
                     "origin":"local","writer":"user:x"}"""));

            listener.plugin().onChange(new KvChange("/sensors/t1", null, 8, 1001, "peer-2", "user:y"));
            assertThat(last(listener).get("value").isNull()).as("a delete has value null").isTrue();

            listener.plugin().onEvent(new TopicEvent("/alerts/fire", json("{\"level\":3}"), 2000, "plugin:smoke"));
            assertThat(last(listener)).isEqualTo(json("""
                    {"kind":"event","topic":"/alerts/fire","payload":{"level":3},"publisher":"plugin:smoke","timestamp":2000}"""));
        }
    }

    @Test
    void aFailingEventHandlerIsReported() {
        // With a 64-byte cap the guest's kv_set of the whole event is TOO_LARGE, and it returns 1.
        try (WasmFixture listener = WasmFixture.start("events", COMPILED.withMaxOutputBytes(64))) {
            PandoException e = failure(() -> listener.plugin()
                    .onChange(new KvChange("/sensors/t1", json("{\"long\":\"" + "x".repeat(100) + "\"}"), 7, 1000, "local", "u")));
            assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
            assertThat(e.getMessage()).contains("pando_on_event returned 1");
        }
    }

    @Test
    void eventsAreIgnoredByModulesWithoutPandoOnEvent() throws Exception {
        try (WasmFixture echo = WasmFixture.start("echo", COMPILED)) {
            echo.plugin().onChange(new KvChange("/a", json("1"), 1, 1, "local", "u"));
            echo.plugin().onEvent(new TopicEvent("/t", json("1"), 1, "p"));
            assertThat(echo.plugin().stats()).isEqualTo(new WasmStats(1, 0, 1, 65536)); // one idle instance of one page
        }
    }

    @Test
    void aFailingInitFailsStart() {
        PluginManifest manifest = TestHost.manifest("""
                {"id":"badinit","version":"1.0.0","apiVersion":1}""");
        byte[] wasm = Wat.assemble("""
                (module
                  (memory (export "memory") 1)
                  (func (export "pando_alloc") (param i32) (result i32) (i32.const 1024))
                  (func (export "pando_init") (result i32) (i32.const 7)))""");
        WasmPlugin plugin = WasmPlugin.load(manifest, wasm, COMPILED);
        PandoException e = failure(() -> plugin.start(TestHost.context(manifest, TestHost.services())));
        assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
        assertThat(e.getMessage()).contains("pando_init returned 7");
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anInitThatNeverReturnsFailsStartWithinTheCallTimeout() {
        PluginManifest manifest = TestHost.manifest("""
                {"id":"slowinit","version":"1.0.0","apiVersion":1,"limits":{"callTimeoutMs":200}}""");
        byte[] wasm = Wat.assemble("""
                (module
                  (memory (export "memory") 1)
                  (func (export "pando_alloc") (param i32) (result i32) (i32.const 1024))
                  (func (export "pando_init") (result i32) (loop $l (br $l)) (i32.const 0)))""");
        WasmPlugin plugin = WasmPlugin.load(manifest, wasm, COMPILED);
        PandoException e = failure(() -> plugin.start(TestHost.context(manifest, TestHost.services())));
        assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
        assertThat(e.getMessage()).contains("did not start within 200 ms");
        assertThat(Thread.interrupted()).as("the watchdog's interrupt must not leak to the caller").isFalse();
    }

    @Test
    void callsNeedAStartedPluginAndADeclaredOp() {
        PluginManifest manifest = TestHost.manifest(Wat.manifestJson("echo"));
        WasmPlugin plugin = WasmPlugin.load(manifest, Wat.module("echo"), COMPILED);
        assertThat(plugin.stats()).isEqualTo(new WasmStats(0, 0, 0, 0));
        assertThat(failure(() -> plugin.call(TestHost.call("echo.echo", "{}"))).code()).isEqualTo(ErrorCode.UNAVAILABLE);

        plugin.start(TestHost.context(manifest, TestHost.services()));
        assertThat(plugin.call(TestHost.call("echo.echo", "{\"a\":[1,2]}"))).isEqualTo(json("{\"a\":[1,2]}"));
        assertThat(failure(() -> plugin.call(TestHost.call("echo.nope", "{}"))).code()).isEqualTo(ErrorCode.NOT_FOUND);

        plugin.stop();
        assertThat(plugin.stats().instancesIdle()).isZero();
        assertThat(failure(() -> plugin.call(TestHost.call("echo.echo", "{}"))).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    private static JsonNode last(WasmFixture listener) {
        return listener.services().entries().get("/_plugins/listener/last").value();
    }
}
