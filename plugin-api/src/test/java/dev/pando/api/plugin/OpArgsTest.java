package dev.pando.api.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpArgsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static OpArgs args(String text, String... known) {
        return OpArgs.of("x.op", json(text), known);
    }

    @Test
    void readsTypedFieldsAndTreatsNullAsAbsent() {
        OpArgs a = args("{\"s\":\"t\",\"n\":7,\"b\":true,\"v\":[1],\"gone\":null}", "s", "n", "b", "v", "gone");
        assertThat(a.string("s")).isEqualTo("t");
        assertThat(a.longValue("n", 0, 10)).isEqualTo(7);
        assertThat(a.intOr("missing-but-unchecked", 1, 5, 3)).isEqualTo(3);
        assertThat(a.bool("b", false)).isTrue();
        assertThat(a.optValue("v")).contains(json("[1]"));
        assertThat(a.has("gone")).isFalse();
        assertThat(a.optString("gone")).isEmpty();
        assertThat(a.anyValue("gone")).isEqualTo(NullNode.getInstance());
    }

    @Test
    void absentOrNullArgsAreAnEmptyObject() {
        assertThat(OpArgs.of("x.op", null).has("a")).isFalse();
        assertThat(OpArgs.of("x.op", NullNode.getInstance()).has("a")).isFalse();
        assertThat(OpArgs.of(new OpCall("p.verb", null, null)).op()).isEqualTo("p.verb");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[1]                | x.op: args must be a JSON object, got array",
        "{\"zz\":1}          | x.op: unknown argument 'zz' (expected n, s)",
        "{\"s\":1}           | x.op: 's' must be a string, got number",
        "{\"n\":11}          | x.op: 'n' must be an integer between 0 and 10, got 11",
        "{\"n\":1.5}         | x.op: 'n' must be an integer between 0 and 10, got 1.5",
        "{\"n\":\"1\"}        | x.op: 'n' must be an integer between 0 and 10, got \"1\"",
        "{}                 | x.op: missing argument 's' (a string)",
    })
    void everyRefusalIsABadRequestNamingOpAndField(String args, String message) {
        assertThatThrownBy(() -> {
            OpArgs a = args(args, "s", "n");
            a.optLong("n", 0, 10);
            a.string("s");
        }).isInstanceOfSatisfying(PandoException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void anOpWithoutArgumentsSaysSo() {
        assertThatThrownBy(() -> args("{\"a\":1}")).hasMessage("x.op: unknown argument 'a' (it takes none)");
    }

    @Test
    void keysPatternsAndObjectsAreValidatedUnderTheFieldsName() {
        assertThatThrownBy(() -> args("{\"k\":\"a/b\"}", "k").optKey("k")).isInstanceOf(PandoException.class)
                .hasMessageStartingWith("x.op: 'k' ");
        assertThatThrownBy(() -> args("{\"p\":\"no/leading/slash\"}", "p").optPattern("p")).isInstanceOf(PandoException.class)
                .hasMessageStartingWith("x.op: 'p' ");
        assertThatThrownBy(() -> args("{\"o\":1}", "o").optObject("o")).hasMessage("x.op: 'o' must be an object, got number");
        assertThatThrownBy(() -> args("{\"b\":1}", "b").bool("b", true)).hasMessage("x.op: 'b' must be true or false, got number");
        assertThat(args("{\"k\":\"/a/b\"}", "k").optKey("k")).contains("/a/b");
    }
}
