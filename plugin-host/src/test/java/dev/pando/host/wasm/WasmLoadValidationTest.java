package dev.pando.host.wasm;

import static dev.pando.host.testing.TestHost.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wasm.Parser;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.testing.TestHost;
import dev.pando.host.testing.Wat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Everything a module can get wrong statically is refused at load, naming what is wrong. */
class WasmLoadValidationTest {
    private static final String ALLOC = "(func (export \"pando_alloc\") (param i32) (result i32) (i32.const 1024))";
    private static final String MEMORY = "(memory (export \"memory\") 1)";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "publish  | (param i32 i32 i32 i32) (result i32) | publish",
            "log      | (param i32 i32 i32)                  | log",
            "clock_ms | (result i64)                         | clock",
            "random   | (param i32 i32) (result i32)         | random"})
    void aGatedImportNeedsItsPermission(String function, String signature, String permission) {
        String wat = module("(import \"pando\" \"" + function + "\" (func " + signature + "))", MEMORY + ALLOC);

        PandoException refused = refused(manifest(""), wat);
        assertThat(refused.getMessage()).contains("module imports pando." + function
                + " but the manifest does not declare the '" + permission + "' permission");

        WasmPlugin loaded = WasmPlugin.load(manifest(",\"permissions\":[\"" + permission + "\"]"), Wat.assemble(wat), WasmOptions.DEFAULT);
        assertThat(loaded.manifest().id()).isEqualTo("v");
    }

    @Test
    void kvImportsNeedNoPermission() {
        String wat = module("""
                (import "pando" "kv_get" (func (param i32 i32) (result i32)))
                (import "pando" "kv_set" (func (param i32 i32 i32 i32 i64) (result i64)))
                (import "pando" "kv_delete" (func (param i32 i32) (result i32)))
                (import "pando" "kv_scan" (func (param i32 i32 i32 i32 i32) (result i32)))
                (import "pando" "result_len" (func (result i32)))
                (import "pando" "result_read" (func (param i32 i32) (result i32)))
                (import "pando" "error" (func (param i32 i32 i32 i32)))""", MEMORY + ALLOC);
        assertThat(WasmPlugin.load(manifest(""), Wat.assemble(wat), WasmOptions.DEFAULT)).isNotNull();
    }

    @Test
    void anUnknownHostFunctionIsRefused() {
        String wat = module("(import \"pando\" \"exec\" (func (param i32 i32) (result i32)))", MEMORY + ALLOC);
        assertThat(refused(manifest(""), wat).getMessage())
                .contains("plugin 'v': module imports pando.exec, which the host does not provide");
    }

    @Test
    void importsFromAnotherModuleAreRefused() {
        String wat = module("(import \"env\" \"abort\" (func))", MEMORY + ALLOC);
        assertThat(refused(manifest(""), wat).getMessage()).contains("module imports env.abort").contains("the host provides only the 'pando' module");
    }

    @Test
    void aMistypedHostImportIsRefused() {
        String wat = module("(import \"pando\" \"kv_get\" (func (param i32) (result i32)))", MEMORY + ALLOC);
        assertThat(refused(manifest(""), wat).getMessage())
                .contains("module imports pando.kv_get as (i32) -> i32; ABI v1 defines it as (i32, i32) -> i32");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "memory | (import \"pando\" \"mem\" (memory 1))   | module imports memory pando.mem",
            "global | (import \"pando\" \"g\" (global i32))   | module imports global pando.g",
            "table  | (import \"pando\" \"t\" (table 1 funcref)) | module imports table pando.t"})
    void nonFunctionImportsAreRefused(String kind, String imp, String message) {
        String wat = module(imp, kind.equals("memory") ? ALLOC : MEMORY + ALLOC);
        assertThat(refused(manifest(""), wat).getMessage()).contains(message);
    }

    @Test
    void anOpWhoseExportIsMissingIsRefusedByName() {
        String wat = module("", MEMORY + ALLOC);
        assertThat(refused(manifest(",\"ops\":[{\"name\":\"v.run\"}]"), wat).getMessage())
                .contains("manifest op 'v.run' is served by export 'run', but the module exports no function of that name");
    }

    @Test
    void anOpWithTheWrongSignatureIsRefusedByName() {
        String wat = module("", MEMORY + ALLOC + "(func (export \"go\") (param i32 i32) (result i32) (i32.const 0))");
        assertThat(refused(manifest(",\"ops\":[{\"name\":\"v.run\",\"export\":\"go\"}]"), wat).getMessage())
                .contains("manifest op 'v.run': export 'go' has type (i32, i32) -> i32; ABI v1 ops must be (i32, i32) -> i64");
    }

    @Test
    void theAbiExportsAreRequiredAndTyped() {
        assertThat(refused(manifest(""), module("", "(memory 1)" + ALLOC)).getMessage())
                .contains("module must export its linear memory as 'memory'");
        assertThat(refused(manifest(""), module("", ALLOC)).getMessage())
                .contains("module must define a linear memory");
        assertThat(refused(manifest(""), module("", MEMORY)).getMessage())
                .contains("module must export pando_alloc (i32) -> i32");
        assertThat(refused(manifest(""), module("", MEMORY + ALLOC + "(func (export \"pando_init\"))")).getMessage())
                .contains("module exports pando_init as () -> (); ABI v1 defines it as () -> i32");
        assertThat(refused(manifest(""), module("", MEMORY + ALLOC + "(global (export \"pando_free\") i32 (i32.const 0))")).getMessage())
                .contains("module exports pando_free as a global");
    }

    @Test
    void initialMemoryAboveTheCapIsRefused() {
        String wat = module("", "(memory (export \"memory\") 5)" + ALLOC);
        assertThat(refused(manifest(",\"limits\":{\"memoryPages\":4}"), wat).getMessage())
                .contains("module's initial memory is 5 pages, above the manifest's limits.memoryPages of 4");
        assertThat(WasmPlugin.load(manifest(",\"limits\":{\"memoryPages\":5}"), Wat.assemble(wat), WasmOptions.DEFAULT)).isNotNull();
    }

    @Test
    void theMemoryMaximumIsTheSmallerOfModuleAndManifest() {
        PluginManifest capped = manifest(",\"limits\":{\"memoryPages\":8}");
        var ownMax = ModuleValidator.validate(capped, Parser.parse(Wat.assemble(module("", "(memory (export \"memory\") 1 3)" + ALLOC))));
        assertThat(ownMax.memoryLimits().maximumPages()).isEqualTo(3);
        var noMax = ModuleValidator.validate(capped, Parser.parse(Wat.assemble(module("", MEMORY + ALLOC))));
        assertThat(noMax.memoryLimits().maximumPages()).isEqualTo(8);
        assertThat(noMax.memoryLimits().initialPages()).isEqualTo(1);
    }

    @Test
    void bytesThatAreNotWebAssemblyAreRefused() {
        PandoException e = failure(() -> WasmPlugin.load(manifest(""), "not wasm".getBytes(), WasmOptions.DEFAULT));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.getMessage()).contains("plugin 'v': module is not valid WebAssembly");
    }

    private static PandoException refused(PluginManifest manifest, String wat) {
        byte[] wasm = Wat.assemble(wat);
        for (boolean compiled : new boolean[] {true, false}) {
            PandoException e = failure(() -> WasmPlugin.load(manifest, wasm, WasmOptions.DEFAULT.withCompiled(compiled)));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
        return failure(() -> WasmPlugin.load(manifest, wasm, WasmOptions.DEFAULT));
    }

    private static String module(String imports, String body) {
        return "(module " + imports + " " + body + ")";
    }

    private static PluginManifest manifest(String extra) {
        return TestHost.manifest("{\"id\":\"v\",\"version\":\"1.0.0\",\"apiVersion\":1" + extra + "}");
    }
}
