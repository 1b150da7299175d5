package dev.pando.builtin.rules;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import java.util.Iterator;
import java.util.Set;

/**
 * The strict field readers the rule parsers share: each refuses a missing, mistyped or
 * unknown field with {@code BAD_REQUEST} (or {@code FORBIDDEN}), the message starting with the
 * field's path ({@code at}), e.g. {@code rule.trigger.pattern: is required}.
 */
final class RuleJson {
    private RuleJson() {}

    /** Refuses an invalid key, naming the field. */
    static void key(String key, String at) {
        try {
            Keys.requireValid(key);
        } catch (PandoException e) {
            throw bad(at, e.getMessage());
        }
    }

    /** The pattern in text field {@code field}, compiled. */
    static PathPattern pattern(ObjectNode obj, String field, String at) {
        String text = text(obj, field, at, true);
        try {
            return PathPattern.compile(text);
        } catch (PandoException e) {
            throw bad(at + "." + field, e.getMessage());
        }
    }

    /** {@code pointer} (a JSON pointer) or {@code field} (a top-level field name); the whole value if neither. */
    static JsonPointer pointer(ObjectNode obj, String at) {
        String p = text(obj, "pointer", at, false);
        String f = text(obj, "field", at, false);
        if (p != null && f != null) {
            throw bad(at, "give 'pointer' or 'field', not both");
        }
        if (f != null) {
            return JsonPointer.compile("/" + f.replace("~", "~0").replace("/", "~1"));
        }
        if (p == null) {
            return JsonPointer.empty();
        }
        try {
            return JsonPointer.compile(p);
        } catch (IllegalArgumentException e) {
            throw bad(at + ".pointer", "'" + p + "' is not a JSON pointer (RFC 6901: empty, or '/' followed by fields)");
        }
    }

    /** {@code json} as an object, refusing anything else (and a missing value). */
    static ObjectNode object(JsonNode json, String at) {
        if (json == null || !json.isObject()) {
            throw bad(at, "must be an object");
        }
        return (ObjectNode) json;
    }

    /** Field {@code field} of {@code obj}, which must be there. */
    static JsonNode require(ObjectNode obj, String field, String at) {
        JsonNode v = obj.get(field);
        if (v == null) {
            throw bad(at + "." + field, "is required");
        }
        return v;
    }

    /** A transform parameter: "missing 'max'" reads better than "max is required" inside a transform. */
    static JsonNode param(ObjectNode obj, String field, String at) {
        JsonNode v = obj.get(field);
        if (v == null) {
            throw bad(at, "missing '" + field + "'");
        }
        return v;
    }

    /** Text field {@code field}: a non-empty string if {@code required}, else a string or absent (null). */
    static String text(ObjectNode obj, String field, String at, boolean required) {
        JsonNode v = obj.get(field);
        if (v == null) {
            if (required) {
                throw bad(at + "." + field, "is required");
            }
            return null;
        }
        if (!v.isTextual() || (required && v.asText().isEmpty())) {
            throw bad(at + "." + field, "must be a " + (required ? "non-empty " : "") + "string");
        }
        return v.asText();
    }

    /** {@code v} as a finite number. */
    static double number(JsonNode v, String at) {
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw bad(at, "must be a number");
        }
        return v.asDouble();
    }

    /** {@code v} as an integer from {@code min} to {@code max}. */
    static long integer(JsonNode v, String at, long min, long max) {
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw bad(at, "must be an integer " + (min == 0 ? ">= 0" : ">= " + min));
        }
        return v.asLong();
    }

    /** Refuses any field of {@code obj} not in {@code known}. */
    static void only(ObjectNode obj, String at, String... known) {
        Set<String> allowed = Set.of(known);
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw bad(at + "." + name, "unknown field; known: " + String.join(", ", known));
            }
        }
    }

    /** A number as a message shows it (no ".0" on whole numbers). */
    static String fmt(double d) {
        return Transform.num(d).asText();
    }

    /** {@code BAD_REQUEST} with the message {@code <at>: <problem>}. */
    static PandoException bad(String at, String problem) {
        return new PandoException(ErrorCode.BAD_REQUEST, at + ": " + problem);
    }

    /** {@code FORBIDDEN} with the message {@code <at>: <problem>}. */
    static PandoException forbidden(String at, String problem) {
        return new PandoException(ErrorCode.FORBIDDEN, at + ": " + problem);
    }
}
