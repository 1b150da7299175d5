package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
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
            return number(input).map(x -> num(x.multiply(dec(factor)).add(dec(offset))));
        }
    }

    /** {@code x} limited to {@code [min, max]}. */
    record Clamp(double min, double max) implements Transform {
        @Override
        public Optional<JsonNode> apply(JsonNode input) {
            return number(input).map(x -> num(x.max(dec(min)).min(dec(max))));
        }
    }

    /** {@code 1} if {@code x >= value}, else {@code 0}. */
    record Threshold(double value) implements Transform {
        @Override
        public Optional<JsonNode> apply(JsonNode input) {
            return number(input).map(x -> num(x.compareTo(dec(value)) >= 0 ? BigDecimal.ONE : BigDecimal.ZERO));
        }
    }

    /** {@code x} mirrored within {@code [min, max]}: {@code min + max - x}. */
    record Invert(double min, double max) implements Transform {
        @Override
        public Optional<JsonNode> apply(JsonNode input) {
            return number(input).map(x -> num(dec(min).add(dec(max)).subtract(x)));
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

    /**
     * The input as an exact decimal. Arithmetic is decimal, not binary floating point, so that
     * scaling 100 by 2.55 gives 255 rather than 254.99999999999997.
     */
    private static Optional<BigDecimal> number(JsonNode input) {
        return input != null && input.isNumber() && Double.isFinite(input.asDouble())
                ? Optional.of(input.decimalValue()) : Optional.empty();
    }

    private static BigDecimal dec(double d) {
        return BigDecimal.valueOf(d);
    }

    static JsonNode num(double x) {
        return num(BigDecimal.valueOf(x));
    }

    /**
     * Integral results become JSON integers (as a JSON parser would read them: int if it fits,
     * else long), so scaling 21 by 2 stores {@code 42}, not {@code 42.0}; others become doubles.
     */
    static JsonNode num(BigDecimal x) {
        BigDecimal v = x.signum() == 0 ? BigDecimal.ZERO : x.stripTrailingZeros();
        if (v.scale() <= 0 && v.precision() - v.scale() <= 18) {
            long l = v.longValueExact();
            return l == (int) l ? JsonNodeFactory.instance.numberNode((int) l) : JsonNodeFactory.instance.numberNode(l);
        }
        return JsonNodeFactory.instance.numberNode(v.doubleValue());
    }
}
