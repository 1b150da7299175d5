package dev.pando.builtin.rules;

import static dev.pando.host.testing.TestHost.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransformAndConditionTest {

    @Test
    void scaleMultipliesThenAddsAndKeepsIntegersIntegral() {
        Transform t = new Transform.Scale(2.55, 0);
        assertThat(t.apply(json("100"))).contains(json("255"));
        assertThat(new Transform.Scale(0.5, 1).apply(json("3"))).contains(json("2.5"));
        assertThat(new Transform.Scale(2, 0).apply(json("21")).orElseThrow().isIntegralNumber()).isTrue();
    }

    @Test
    void clampLimitsBothEnds() {
        Transform t = new Transform.Clamp(0, 255);
        assertThat(t.apply(json("-4"))).contains(json("0"));
        assertThat(t.apply(json("300"))).contains(json("255"));
        assertThat(t.apply(json("12.5"))).contains(json("12.5"));
    }

    @Test
    void thresholdGivesOneAtOrAboveElseZero() {
        Transform t = new Transform.Threshold(0.5);
        assertThat(t.apply(json("0.5"))).contains(json("1"));
        assertThat(t.apply(json("0.49"))).contains(json("0"));
    }

    @Test
    void invertMirrorsWithinTheRange() {
        Transform t = new Transform.Invert(0, 255);
        assertThat(t.apply(json("0"))).contains(json("255"));
        assertThat(t.apply(json("55"))).contains(json("200"));
        assertThat(new Transform.Invert(10, 20).apply(json("12"))).contains(json("18"));
    }

    @Test
    void mapLooksUpTheValuesText() {
        Transform t = new Transform.MapTo(Map.of("on", json("255"), "off", json("0"), "1", json("\"one\""), "true", json("\"yes\"")));
        assertThat(t.apply(json("\"on\""))).contains(json("255"));
        assertThat(t.apply(json("1.0"))).contains(json("\"one\""));
        assertThat(t.apply(json("true"))).contains(json("\"yes\""));
        assertThat(t.apply(json("\"dim\""))).isEmpty();
        assertThat(t.apply(json("{\"a\":1}"))).isEmpty();
    }

    @Test
    void numericTransformsHaveNoResultForNonNumbers() {
        assertThat(new Transform.Scale(2, 0).apply(json("\"7\""))).isEmpty();
        assertThat(new Transform.Clamp(0, 1).apply(json("true"))).isEmpty();
        assertThat(new Transform.Invert(0, 1).apply(null)).isEqualTo(Optional.empty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "eq  | 5     | 5.0     | true",
        "eq  | 5     | 6       | false",
        "eq  | \"a\" | \"a\"   | true",
        "ne  | 5     | 6       | true",
        "ne  | 5     | 5       | false",
        "gt  | 6     | 5       | true",
        "gt  | 5     | 5       | false",
        "gte | 5     | 5       | true",
        "gte | 4     | 5       | false",
        "lt  | 4     | 5       | true",
        "lt  | 5     | 5       | false",
        "lte | 5     | 5       | true",
        "lte | 6     | 5       | false",
        "gt  | \"b\" | \"a\"   | true",
        "gt  | \"5\" | 4       | false",
        "eq  | {\"x\":[1]} | {\"x\":[1]} | true",
    })
    void comparisons(String op, String actual, String expected, boolean holds) {
        Comparison c = Comparison.named(op);
        assertThat(c.test(json(actual), json(expected))).isEqualTo(holds);
    }

    @Test
    void conditionReadsThePointerAndFailsOnAbsentValues() {
        Condition c = new Condition(Comparison.GT, JsonPointer.compile("/temp"), null, json("30"));
        assertThat(c.test(json("{\"temp\":31}"))).isTrue();
        assertThat(c.test(json("{\"temp\":30}"))).isFalse();
        assertThat(c.test(json("{\"hum\":99}"))).isFalse();
        assertThat(c.test(null)).isFalse();
        // Nothing there means no condition holds, ne included.
        Condition ne = new Condition(Comparison.NE, JsonPointer.compile("/temp"), null, json("30"));
        assertThat(ne.test(json("{}"))).isFalse();
        JsonNode whole = json("\"away\"");
        assertThat(new Condition(Comparison.EQ, JsonPointer.empty(), "/home/mode", json("\"away\"")).test(whole)).isTrue();
    }
}
