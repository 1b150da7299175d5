package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;
import java.util.Optional;

/**
 * How {@code set_from_trigger} turns the trigger's value into the value it writes. Numeric
 * transforms need a number; given anything else (or, for {@code map}, a value with no entry)
 * they yield nothing and the action is skipped.
 */
sealed interface Transform {

    /** The transformed value, or empty when this input has none. */
    Optional<JsonNode> apply(JsonNode input);

    /** {@code x * factor + offset}. */
    record Scale(double factor, double offset) implements Transform {
        @Override
        public Optional<JsonNode> apply(JsonNode input) {
            return number(input).map(x -> num(x * factor + offset));
        }
    }

    /** {@code x} limited to {@code [min, max]}. */
    record Clamp(double min, double max) implements Transform {
        @Override
        public Optional<JsonNode> apply(JsonNode input) {
            return number(input).map(x -> num(Math.max(min, Math.min(max, x))));
        }
    }

    /** {@code 1} if {@code x >= value}, else {@code 0}. */
    record Threshold(double value) implements Transform {
        @Override
        public Optional<JsonNode> apply(JsonNode input) {
            return number(input).map(x -> num(x >= value ? 1 : 0));
        }
    }

    /** {@code x} mirrored within {@code [min, max]}: {@code min + max - x}. */
    record Invert(double min, double max) implements Transform {
        @Override
        public Optional<JsonNode> apply(JsonNode input) {
            return number(input).map(x -> num(min + max - x));
        }
    }

    /**
     * A lookup: the input's text ({@code "on"}, {@code "1"}, {@code "true"}; integral numbers
     * without a fraction) selects the output.
     */
    record MapTo(Map<String, JsonNode> table) implements Transform {
        public MapTo {
            table = Map.copyOf(table);
        }

        @Override
        public Optional<JsonNode> apply(JsonNode input) {
            if (input == null || !input.isValueNode() || input.isNull()) {
                return Optional.empty();
            }
            return Optional.ofNullable(table.get(keyOf(input))).map(JsonNode::deepCopy);
        }

        static String keyOf(JsonNode v) {
            if (v.isNumber()) {
                double d = v.asDouble();
                if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
                    return Long.toString((long) d);
                }
            }
            return v.asText();
        }
    }

    private static Optional<Double> number(JsonNode input) {
        return input != null && input.isNumber() ? Optional.of(input.asDouble()) : Optional.empty();
    }

    /** Integral results are written as integers, so scaling 21 by 2 stores {@code 42}, not {@code 42.0}. */
    static JsonNode num(double x) {
        if (x == Math.rint(x) && !Double.isInfinite(x) && Math.abs(x) < 1e15) {
            return JsonNodeFactory.instance.numberNode((long) x);
        }
        return JsonNodeFactory.instance.numberNode(x);
    }
}
