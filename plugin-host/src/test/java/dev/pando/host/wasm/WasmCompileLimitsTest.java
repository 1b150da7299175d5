package dev.pando.host.wasm;

import static dev.pando.host.testing.TestHost.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.testing.BombModules;
import dev.pando.host.testing.TestHost;
import dev.pando.host.testing.Wat;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Compile bombs: modules whose compilation would take minutes and gigabytes are refused before
 * compiling, naming the limit; a compile that overruns its deadline is abandoned, remembered and
 * not retried, and stuck compiles cannot pile up.
 */
class WasmCompileLimitsTest {
    /** Bombs that compile for minutes without the limits; refusing them must not. */
    private static final Duration GENEROUS = Duration.ofSeconds(60);
    private static final PluginManifest MANIFEST = TestHost.manifest("{\"id\":\"bomb\",\"version\":\"1.0.0\",\"apiVersion\":1}");

    @Test
    void aHugeBrTableIsRefusedBeforeCompiling() {
        byte[] bomb = BombModules.brTable(1_000_000);
        PandoException e = assertTimeoutPreemptively(GENEROUS, () -> failure(() -> WasmPlugin.load(MANIFEST, bomb, WasmOptions.DEFAULT)));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.getMessage()).contains("plugin 'bomb'").contains("br_table with 1000000 targets")
                .contains("plugins.max-br-table-targets").contains(String.valueOf(ModuleLimits.DEFAULT.maxBrTableTargets()));
    }

    @Test
    void aModuleWithTooManyFunctionsIsRefusedBeforeCompiling() {
        byte[] bomb = BombModules.manyFunctions(100_000);
        PandoException e = assertTimeoutPreemptively(GENEROUS, () -> failure(() -> WasmPlugin.load(MANIFEST, bomb, WasmOptions.DEFAULT)));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.getMessage()).contains("100001 functions").contains("plugins.max-functions");
    }

    @Test
    void aModuleAboveTheSizeLimitIsRefusedUnparsed() {
        byte[] echo = Wat.module("echo");
        WasmOptions small = WasmOptions.DEFAULT.withModuleLimits(ModuleLimits.DEFAULT.withMaxModuleBytes(echo.length - 1));
        PluginManifest manifest = TestHost.manifest(Wat.manifestJson("echo"));
        PandoException e = failure(() -> WasmPlugin.load(manifest, echo, small));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.getMessage()).contains("module is " + echo.length + " bytes").contains("plugins.max-module-bytes");
        assertThat(WasmPlugin.load(manifest, echo, WasmOptions.DEFAULT)).isNotNull();
    }

    @Test
    void modulesWithinTheLimitsStillLoadInBothEngines() {
        assertThat(WasmPlugin.load(MANIFEST, BombModules.brTable(1000), WasmOptions.DEFAULT)).isNotNull();
        assertThat(WasmPlugin.load(MANIFEST, BombModules.manyFunctions(1000), WasmOptions.DEFAULT.withCompiled(false))).isNotNull();
    }

    @Test
    void aCompileOverItsDeadlineIsRefusedAndNotRetriedUntilTheModuleChanges() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger compiles = new AtomicInteger();
        try (WasmCompiler compiler = new WasmCompiler(2, module -> {
            compiles.incrementAndGet();
            await(release);
            return MachineFactoryCompiler.compile(module);
        })) {
            WasmOptions options = WasmOptions.DEFAULT.withModuleLimits(ModuleLimits.DEFAULT.withMaxCompileMs(200));
            byte[] slow = BombModules.manyFunctions(3);
            PandoException e = failure(() -> WasmPlugin.load(MANIFEST, slow, options, compiler));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(e.getMessage()).contains("did not compile within 200 ms").contains("plugins.max-compile-ms");

            PandoException again = failure(() -> WasmPlugin.load(MANIFEST, slow, options, compiler));
            assertThat(again.getMessage()).contains("did not compile within 200 ms").contains("not retried until the module changes");
            assertThat(compiles).hasValue(1);

            release.countDown();
            assertThat(WasmPlugin.load(MANIFEST, BombModules.manyFunctions(4), options, compiler)).isNotNull();
            assertThat(compiles).hasValue(2);
        }
    }

    @Test
    void stuckCompilesCannotPileUp() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        try (WasmCompiler compiler = new WasmCompiler(2, module -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                await(release);
                return MachineFactoryCompiler.compile(module);
            } finally {
                running.decrementAndGet();
            }
        })) {
            WasmOptions options = WasmOptions.DEFAULT.withModuleLimits(ModuleLimits.DEFAULT.withMaxCompileMs(100));
            for (int i = 0; i < 5; i++) {
                byte[] module = BombModules.manyFunctions(10 + i);
                PandoException e = failure(() -> WasmPlugin.load(MANIFEST, module, options, compiler));
                assertThat(e.getMessage()).containsAnyOf("did not compile within 100 ms", "compiler is busy");
            }
            assertThat(mostAtOnce.get()).isLessThanOrEqualTo(2);
            PandoException busy = failure(() -> WasmPlugin.load(MANIFEST, BombModules.manyFunctions(99), options, compiler));
            assertThat(busy.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(busy.getMessage()).contains("compiler is busy");
            release.countDown();
            assertThat(running.get()).isLessThanOrEqualTo(2);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
