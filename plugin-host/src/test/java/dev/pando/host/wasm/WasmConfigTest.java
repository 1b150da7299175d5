package dev.pando.host.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.HostContext;
import dev.pando.host.testing.TestHost;
import dev.pando.host.testing.Wat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pando.config}: a guest reads the manifest's config with the operator's overrides laid over it. */
class WasmConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WAT = """
            (module
              (import "pando" "config" (func $config (result i32)))
              (import "pando" "result_read" (func $result_read (param i32 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "pando_alloc") (param i32) (result i32) (i32.const 1024))
              (func (export "get") (param i32 i32) (result i64)
                (local $len i32)
                (local.set $len (call $config))
                (drop (call $result_read (i32.const 2048) (local.get $len)))
                (i64.or (i64.shl (i64.const 2048) (i64.const 32)) (i64.extend_i32_u (local.get $len)))))""";

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void guestReadsMergedConfig(boolean compiled) throws Exception {
        PluginManifest manifest = TestHost.manifest("""
                {"id":"cfg","version":"1.0.0","apiVersion":1,
                 "ops":[{"name":"cfg.get","scope":"read"}],
                 "config":{"threshold":30,"unit":"C"}}""");
        WasmPlugin plugin = WasmPlugin.load(manifest, Wat.assemble(WAT), WasmOptions.DEFAULT.withCompiled(compiled));
        plugin.start(new HostContext(manifest, TestHost.services(), JSON.readTree("{\"threshold\":25.5}"), TestHost.CLOCK));
        try {
            assertThat(plugin.call(TestHost.call("cfg.get", "{}")))
                    .isEqualTo(JSON.readTree("{\"threshold\":25.5,\"unit\":\"C\"}"));
        } finally {
            plugin.close();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void noConfigIsAnEmptyObject(boolean compiled) throws Exception {
        PluginManifest manifest = TestHost.manifest("""
                {"id":"cfg","version":"1.0.0","apiVersion":1,"ops":[{"name":"cfg.get","scope":"read"}]}""");
        WasmPlugin plugin = WasmPlugin.load(manifest, Wat.assemble(WAT), WasmOptions.DEFAULT.withCompiled(compiled));
        plugin.start(TestHost.context(manifest, TestHost.services()));
        try {
            assertThat(plugin.call(TestHost.call("cfg.get", "{}"))).isEqualTo(JSON.createObjectNode());
        } finally {
            plugin.close();
        }
    }
}
