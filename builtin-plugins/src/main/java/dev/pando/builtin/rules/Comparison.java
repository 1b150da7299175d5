package dev.pando.builtin.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * The comparison operators of conditions. Numbers compare by value ({@code 1 == 1.0}); strings
 * order lexicographically; {@code eq}/{@code ne} compare any JSON by structure. An ordering
 * between values that do not order (a number and a string, an object) is simply false.
 */
enum Comparison {
    EQ,
    NE,
    GT,
    GTE,
    LT,
    LTE;

    static final String KNOWN = "eq, ne, gt, gte, lt, lte";

    /** The operator spelled {@code name} ({@code "gte"}), or null. */
    static Comparison named(String name) {
        for (Comparison c : values()) {
            if (c.jsonName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean isOrdering() {
        return this != EQ && this != NE;
    }

    /** Applies the operator to {@code actual} (the observed value) and {@code expected}. */
    boolean test(JsonNode actual, JsonNode expected) {
        if (actual == null || actual.isMissingNode()) {
            return false; // nothing there: no condition holds, not even ne
        }
        return switch (this) {
            case EQ -> equal(actual, expected);
            case NE -> !equal(actual, expected);
            default -> {
                Integer c = order(actual, expected);
                yield c != null && switch (this) {
                    case GT -> c > 0;
                    case GTE -> c >= 0;
                    case LT -> c < 0;
                    default -> c <= 0;
                };
            }
        };
    }

    static boolean equal(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static Integer order(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        if (a.isTextual() && b.isTextual()) {
            return a.asText().compareTo(b.asText());
        }
        return null;
    }
}
