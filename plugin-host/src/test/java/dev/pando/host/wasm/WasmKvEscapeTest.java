package dev.pando.host.wasm;

import static dev.pando.host.testing.TestHost.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.host.testing.WasmFixture;
import dev.pando.host.wasm.AbiV1.Status;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A guest trying to leave its prefix through the KV host functions. Plugin {@code ab} owns
 * {@code /_plugins/ab} only; every attempt must come back to the guest as a negative status with
 * a message (not a trap), and nothing may be written.
 */
class WasmKvEscapeTest {
    private WasmFixture probe;

    @BeforeEach
    void start() {
        probe = WasmFixture.start("kvprobe", WasmOptions.DEFAULT);
    }

    @AfterEach
    void stop() {
        probe.close();
    }

    static Stream<Arguments> escapes() {
        return Stream.of(
                Arguments.of("/_plugins/other/x", Status.FORBIDDEN, "may not"),
                Arguments.of("/_plugins/abc/x", Status.FORBIDDEN, "may not"), // prefix-boundary trick
                Arguments.of("/_plugins/ab/../other/x", Status.BAD_REQUEST, "'..' segment"),
                Arguments.of("/_plugins/ab/./x", Status.BAD_REQUEST, "'.' segment"),
                // Never decoded, so %2F is not a separator: the first segment is "ab%2F..%2Fother", not "ab".
                Arguments.of("/_plugins/ab%2F..%2Fother/x", Status.FORBIDDEN, "may not"),
                Arguments.of("//a", Status.BAD_REQUEST, "empty segment"),
                Arguments.of("/a/", Status.BAD_REQUEST, "ends with '/'"),
                Arguments.of("/_plugins/ab//x", Status.BAD_REQUEST, "empty segment"),
                Arguments.of("_plugins/ab/x", Status.BAD_REQUEST, "must start with '/'"),
                Arguments.of("/_sys/config", Status.FORBIDDEN, "may not"),
                Arguments.of("", Status.BAD_REQUEST, "empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("escapes")
    void everyKvFunctionRefusesTheKeyWithAStatus(String key, Status expected, String message) {
        for (String op : new String[] {"get", "set", "create", "delete"}) {
            JsonNode answer = probe.call(op, "{\"key\":\"" + key + "\"}");
            assertThat(answer.get("status").asInt()).as(op + " " + key).isEqualTo(expected.code());
            assertThat(answer.get("result").asText()).as(op + " message").contains(message);
        }
        JsonNode scan = probe.call("scan", "{\"key\":\"" + key + "\"}");
        assertThat(scan.get("status").asInt()).as("scan " + key).isEqualTo(expected.code());

        assertThat(probe.services().entries()).as("nothing written").isEmpty();
        assertThat(probe.plugin().stats().instancesDiscarded()).as("refusals are not traps").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "set_overlong | value is not valid UTF-8",
        "set_inf | value holds a number that overflows a double",
        "set_limit_plus_one | value is nested more than 64 levels deep (limits.max-json-depth)",
        "set_deep | value is nested more than 64 levels deep (limits.max-json-depth)"})
    void kvSetRefusesValuesOutsideTheJsonRules(String op, String message) {
        JsonNode answer = probe.call(op, "{\"key\":\"/_plugins/ab/x\"}");
        assertThat(answer.get("status").asInt()).isEqualTo(Status.BAD_REQUEST.code());
        assertThat(answer.get("result").asText()).contains(message);
        assertThat(probe.services().entries()).as("nothing written").isEmpty();
    }

    @Test
    void scanningAboveTheOwnPrefixIsForbidden() {
        assertThat(probe.call("scan", "{\"key\":\"/_plugins\"}").get("status").asInt()).isEqualTo(Status.FORBIDDEN.code());
        assertThat(probe.call("scan", "{\"key\":\"/_plugins/a\"}").get("status").asInt()).isEqualTo(Status.FORBIDDEN.code());
    }

    @Test
    void theOwnPrefixWorksThroughEveryFunction() {
        JsonNode set = probe.call("set", "{\"key\":\"/_plugins/ab/x\"}");
        long revision = set.get("status").asLong();
        assertThat(revision).as("kv_set returns the new revision").isPositive();
        assertThat(set.get("result").isNull()).isTrue();

        JsonNode got = probe.call("get", "{\"key\":\"/_plugins/ab/x\"}").get("result");
        assertThat(got.get("key").asText()).isEqualTo("/_plugins/ab/x");
        assertThat(got.get("value")).isEqualTo(json("1"));
        assertThat(got.get("revision").asLong()).isEqualTo(revision);
        assertThat(got.get("writer").asText()).isEqualTo("plugin:ab");

        JsonNode page = probe.call("scan", "{\"key\":\"/_plugins/ab\"}").get("result");
        assertThat(page.get("entries")).hasSize(1);
        assertThat(page.get("entries").get(0).get("key").asText()).isEqualTo("/_plugins/ab/x");
        assertThat(page.get("next").isNull()).isTrue();

        assertThat(probe.call("delete", "{\"key\":\"/_plugins/ab/x\"}").get("status").asInt()).isEqualTo(1);
        assertThat(probe.call("delete", "{\"key\":\"/_plugins/ab/x\"}").get("status").asInt()).isZero();
        assertThat(probe.services().entries()).isEmpty();
    }

    @Test
    void kvApplyCommitsAWholeBatchAndAnswersARevisionPerWrite() {
        probe.call("set", "{\"key\":\"/_plugins/ab/gone\"}");
        JsonNode answer = probe.call("apply", """
                {"writes":[{"key":"/_plugins/ab/a","value":{"n":1}},{"key":"/_plugins/ab/b","value":2,"ifRevision":0},
                           {"key":"/_plugins/ab/never","delete":true},{"key":"/_plugins/ab/gone","delete":true}]}""");
        assertThat(answer.get("status").asInt()).as("the answer's length").isPositive();
        assertThat(answer.get("result")).isEqualTo(json("{\"revisions\":[2,3,0,4]}"));
        assertThat(probe.services().entries()).containsOnlyKeys("/_plugins/ab/a", "/_plugins/ab/b");
        assertThat(probe.services().entries().get("/_plugins/ab/a").writer()).isEqualTo("plugin:ab");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"writes\":[{\"key\":\"/_plugins/ab/a\",\"value\":1},{\"key\":\"/_plugins/other/x\",\"value\":1}]} | -2 | may not write",
        "{\"writes\":[{\"key\":\"/_plugins/ab/a\",\"value\":1},{\"key\":\"/_plugins/ab/a\",\"value\":1,\"ifRevision\":0}]} | -4 | '/_plugins/ab/a'",
        "{\"writes\":[{\"key\":\"/_plugins/ab/a\",\"value\":1},{\"key\":\"/_plugins/ab/b\"}]} | -1 | kv_apply write 1",
        "{\"writes\":[{\"key\":\"/_plugins/ab/a\",\"value\":null}]} | -1 | null",
        "{\"writes\":[{\"key\":\"/_plugins/ab/a\",\"delete\":false}]} | -1 | a delete has",
        "{\"writes\":[{\"key\":\"/_plugins/ab/a\",\"value\":1,\"ifRevision\":-1}]} | -1 | ifRevision",
        "{\"writes\":{}} | -1 | kv_apply takes"})
    void kvApplyRefusesABatchWholeWithAStatus(String document, int status, String message) {
        JsonNode answer = probe.call("apply", document);
        assertThat(answer.get("status").asInt()).isEqualTo(status);
        assertThat(answer.get("result").asText()).contains(message);
        assertThat(probe.services().entries()).as("nothing written").isEmpty();
    }

    @Test
    void missingKeysAndCasConflictsAreStatusesToo() {
        JsonNode missing = probe.call("get", "{\"key\":\"/_plugins/ab/missing\"}");
        assertThat(missing.get("status").asInt()).isEqualTo(Status.NOT_FOUND.code());
        assertThat(missing.get("result").asText()).contains("/_plugins/ab/missing");

        assertThat(probe.call("create", "{\"key\":\"/_plugins/ab/once\"}").get("status").asLong()).isPositive();
        JsonNode again = probe.call("create", "{\"key\":\"/_plugins/ab/once\"}");
        assertThat(again.get("status").asInt()).isEqualTo(Status.CONFLICT.code());
        assertThat(again.get("result").asText()).contains("revision");
    }

    @Test
    void badGuestBuffersAreBadRequestsNotTraps() {
        JsonNode badPtr = probe.call("bad_ptr", "{}");
        assertThat(badPtr.get("status").asInt()).isEqualTo(Status.BAD_REQUEST.code());
        assertThat(badPtr.get("result").asText()).contains("outside guest memory");

        JsonNode badUtf8 = probe.call("bad_utf8", "{}");
        assertThat(badUtf8.get("status").asInt()).isEqualTo(Status.BAD_REQUEST.code());
        assertThat(badUtf8.get("result").asText()).isEqualTo("key is not valid UTF-8");
        assertThat(probe.plugin().stats().instancesDiscarded()).isZero();
    }
}
