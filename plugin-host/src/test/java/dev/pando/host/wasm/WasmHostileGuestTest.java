package dev.pando.host.wasm;

import static dev.pando.host.testing.TestHost.failure;
import static dev.pando.host.testing.TestHost.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.host.testing.Interrupter;
import dev.pando.host.testing.WasmFixture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Guests that misbehave. Each failure must stay with its call: the plugin answers the next call
 * normally. Every case runs compiled and interpreted, since the two machines fail differently.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WasmHostileGuestTest {
    private static final JsonNode OK = json("{\"ok\":true}");

    static Stream<Arguments> runawayLoops() {
        return Stream.of(true, false).flatMap(compiled -> Stream.of("spin", "spin_br_if", "spin_br_table")
                .map(op -> Arguments.of(compiled, op)));
    }

    @ParameterizedTest(name = "compiled={0} {1}")
    @MethodSource("runawayLoops")
    void aRunawayLoopIsInterruptedAndItsInstanceReplaced(boolean compiled, String op) {
        try (WasmFixture hostile = start(compiled)) {
            long started = System.nanoTime();
            PandoException e = failure(() -> Interrupter.interruptAfter(200, () -> hostile.call(op, "{}")));
            long tookMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(e.getMessage()).contains("hostile.").contains("interrupted");
            assertThat(Thread.interrupted()).as("the interrupt flag is left set for the thread's owner").isTrue();
            assertThat(tookMs).as("stopped promptly after the interrupt").isLessThan(5_000);
            assertThat(hostile.plugin().stats().instancesDiscarded()).isEqualTo(1);

            assertThat(hostile.call("ok", "{}")).isEqualTo(OK);
            assertThat(hostile.plugin().stats().instancesCreated()).as("the discarded instance was replaced").isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "compiled={0}")
    @ValueSource(booleans = {true, false})
    void unboundedRecursionFailsOnlyThatCall(boolean compiled) {
        try (WasmFixture hostile = start(compiled)) {
            PandoException e = failure(() -> hostile.call("recurse", "{}"));
            assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
            assertThat(e.getMessage()).contains("trap: call stack exhausted");
            assertThat(hostile.call("ok", "{}")).isEqualTo(OK);
            assertThat(hostile.plugin().stats().instancesDiscarded()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "compiled={0}")
    @ValueSource(booleans = {true, false})
    void memoryGrowStopsAtTheManifestCap(boolean compiled) {
        try (WasmFixture hostile = start(compiled)) {
            // limits.memoryPages is 32 and the module starts with 1 page and declares no maximum.
            assertThat(hostile.call("grow", "{}")).isEqualTo(json("{\"grown\":31,\"pages\":32,\"huge\":-1}"));
            assertThat(hostile.call("ok", "{}")).isEqualTo(OK);
            assertThat(hostile.plugin().stats().instancesDiscarded()).isZero();
        }
    }

    static Stream<Arguments> traps() {
        return Stream.of(true, false).flatMap(compiled -> Stream.of(
                Arguments.of(compiled, "trap", "unreachable"),
                Arguments.of(compiled, "oob_load", "out of bounds memory access")));
    }

    @ParameterizedTest(name = "compiled={0} {1}")
    @MethodSource("traps")
    void aTrapFailsOnlyThatCall(boolean compiled, String op, String reason) {
        try (WasmFixture hostile = start(compiled)) {
            PandoException e = failure(() -> hostile.call(op, "{}"));
            assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
            assertThat(e.getMessage()).contains("hostile." + op).contains("trap: ").containsIgnoringCase(reason);
            assertThat(hostile.call("ok", "{}")).isEqualTo(OK);
            assertThat(hostile.plugin().stats().instancesDiscarded()).isEqualTo(1);
        }
    }

    static Stream<Arguments> badResults() {
        return Stream.of(true, false).flatMap(compiled -> Stream.of(
                Arguments.of(compiled, "bad_ptr", "[4294967280, 4294967380) lies outside guest memory"),
                Arguments.of(compiled, "past_end", "lies outside guest memory (65536 bytes)"),
                Arguments.of(compiled, "bad_len", "2147483647 bytes, above the limit of 1048576"),
                Arguments.of(compiled, "huge", "1048577 bytes, above the limit of 1048576"),
                Arguments.of(compiled, "bad_json", "is not valid JSON"),
                Arguments.of(compiled, "trailing_json", "is not valid JSON"),
                Arguments.of(compiled, "overlong_json", "is not valid UTF-8"),
                Arguments.of(compiled, "surrogate_json", "is not valid UTF-8"),
                Arguments.of(compiled, "dup_json", "Duplicate field 'a'"),
                Arguments.of(compiled, "inf_json", "overflows a double"),
                Arguments.of(compiled, "limit_json", "more than 64 levels deep (limits.max-json-depth)"),
                Arguments.of(compiled, "deep_json", "more than 64 levels deep (limits.max-json-depth)")));
    }

    @ParameterizedTest(name = "compiled={0} {1}")
    @MethodSource("badResults")
    void aMalformedResultIsPluginFailed(boolean compiled, String op, String problem) {
        try (WasmFixture hostile = start(compiled)) {
            PandoException e = failure(() -> hostile.call(op, "{}"));
            assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
            assertThat(e.getMessage()).contains("export '" + op + "'").contains(problem);
            assertThat(e.getCause()).as("no raw runtime exception behind it").isNotInstanceOf(IndexOutOfBoundsException.class);
            assertThat(hostile.call("ok", "{}")).isEqualTo(OK);
        }
    }

    @ParameterizedTest(name = "compiled={0}")
    @ValueSource(booleans = {true, false})
    void aSmallerOutputCapIsHonoured(boolean compiled) {
        try (WasmFixture echo = WasmFixture.start("echo", new WasmOptions(compiled, 16))) {
            assertThat(echo.call("echo", "{\"a\":\"12345\"}")).isEqualTo(json("{\"a\":\"12345\"}"));
            PandoException e = failure(() -> echo.call("echo", "{\"a\":\"1234567890\"}"));
            assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
            assertThat(e.getMessage()).contains("above the limit of 16");
        }
    }

    private static WasmFixture start(boolean compiled) {
        return WasmFixture.start("hostile", WasmOptions.DEFAULT.withCompiled(compiled));
    }
}
