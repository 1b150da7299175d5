package dev.pando.host.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.Access;
import dev.pando.api.Scope;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.OpCall;
import dev.pando.host.testing.TestHost;
import dev.pando.host.testing.Wat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pando.caller} and {@code pando.caller_may}: a guest sees who is calling and what they may do. */
class WasmCallerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WAT = """
            (module
              (import "pando" "caller" (func $caller (result i32)))
              (import "pando" "caller_may" (func $caller_may (param i32 i32 i32) (result i32)))
              (import "pando" "result_read" (func $result_read (param i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 0) "/x/y")
              (data (i32.const 8) "/z/y")
              (data (i32.const 16) "/x//y")
              (func (export "pando_alloc") (param i32) (result i32) (i32.const 1024))
              ;; returns the caller JSON the host put in the result buffer
              (func (export "whoami") (param i32 i32) (result i64)
                (local $len i32)
                (local.set $len (call $caller))
                (drop (call $result_read (i32.const 2048) (local.get $len)))
                (i64.or (i64.shl (i64.const 2048) (i64.const 32)) (i64.extend_i32_u (local.get $len))))
              ;; returns [may write /x/y, may write /z/y, status for a bad key, status for level 9]
              (func (export "may") (param i32 i32) (result i64)
                (i32.store8 (i32.const 4096) (i32.const 91))
                (i32.store8 (i32.const 4097) (i32.add (i32.const 48) (call $caller_may (i32.const 2) (i32.const 0) (i32.const 4))))
                (i32.store8 (i32.const 4098) (i32.const 44))
                (i32.store8 (i32.const 4099) (i32.add (i32.const 48) (call $caller_may (i32.const 2) (i32.const 8) (i32.const 4))))
                (i32.store8 (i32.const 4100) (i32.const 44))
                (i32.store8 (i32.const 4101) (i32.const 45))
                (i32.store8 (i32.const 4102) (i32.sub (i32.const 48) (call $caller_may (i32.const 2) (i32.const 16) (i32.const 5))))
                (i32.store8 (i32.const 4103) (i32.const 44))
                (i32.store8 (i32.const 4104) (i32.const 45))
                (i32.store8 (i32.const 4105) (i32.sub (i32.const 48) (call $caller_may (i32.const 9) (i32.const 0) (i32.const 4))))
                (i32.store8 (i32.const 4106) (i32.const 93))
                (i64.or (i64.shl (i64.const 4096) (i64.const 32)) (i64.const 11))))""";

    /** May write under /x only. */
    private static final Caller WRITER_OF_X = new Caller() {
        @Override
        public String name() {
            return "ent_sensor7";
        }

        @Override
        public boolean isAuthenticated() {
            return true;
        }

        @Override
        public boolean may(Access access, String key) {
            return key.startsWith("/x/") && Access.WRITE.covers(access);
        }

        @Override
        public boolean holds(Scope scope) {
            return false;
        }
    };

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void guestSeesItsCallerAndTheirRights(boolean compiled) throws Exception {
        PluginManifest manifest = TestHost.manifest("""
                {"id":"who","version":"1.0.0","apiVersion":1,
                 "ops":[{"name":"who.whoami","scope":"read"},{"name":"who.may","scope":"read"}]}""");
        WasmPlugin plugin = WasmPlugin.load(manifest, Wat.assemble(WAT), WasmOptions.DEFAULT.withCompiled(compiled));
        plugin.start(TestHost.context(manifest, TestHost.services()));
        try {
            assertThat(plugin.call(new OpCall("who.whoami", JSON.createObjectNode(), WRITER_OF_X)))
                    .isEqualTo(JSON.readTree("{\"name\":\"ent_sensor7\",\"authenticated\":true}"));
            // 1: may write /x/y; 0: not /z/y; -1 (BAD_REQUEST): '/x//y' is not a key, nor is level 9 a level.
            assertThat(plugin.call(new OpCall("who.may", JSON.createObjectNode(), WRITER_OF_X)))
                    .isEqualTo(JSON.readTree("[1,0,-1,-1]"));
        } finally {
            plugin.close();
        }
    }
}
