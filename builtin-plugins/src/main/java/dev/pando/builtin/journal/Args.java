package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.PandoException;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.OpCall;
import java.util.Iterator;
import java.util.List;

/**
 * Strict reading of an op's arguments: an object with known fields only, each of the right
 * type and range (JSON null counts as absent). Every refusal is {@code BAD_REQUEST} naming the
 * op, the argument and what was wrong.
 */
final class Args {
    private final String op;
    private final JsonNode args;

    private Args(String op, JsonNode args) {
        this.op = op;
        this.args = args;
    }

    static Args of(OpCall call, String... known) {
        JsonNode args = call.args();
        if (args == null || args.isNull() || args.isMissingNode()) {
            args = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!args.isObject()) {
            throw PandoException.badRequest(call.op() + ": args must be a JSON object, got " + args.getNodeType().name().toLowerCase());
        }
        List<String> allowed = List.of(known);
        for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw PandoException.badRequest(call.op() + ": unknown argument '" + name + "'"
                        + (known.length == 0 ? "; it takes none" : "; known: " + String.join(", ", known)));
            }
        }
        return new Args(call.op(), args);
    }

    boolean has(String name) {
        JsonNode v = args.get(name);
        return v != null && !v.isNull();
    }

    Long optLong(String name, long min, long max) {
        if (!has(name)) {
            return null;
        }
        JsonNode v = args.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw bad(name, "must be an integer " + range(min, max) + ", got " + v);
        }
        return v.asLong();
    }

    long reqLong(String name, long min, long max) {
        Long v = optLong(name, min, max);
        if (v == null) {
            throw bad(name, "is required: an integer " + range(min, max));
        }
        return v;
    }

    int limit(int dflt, int max) {
        Long v = optLong("limit", 1, max);
        return v == null ? dflt : v.intValue();
    }

    String optString(String name) {
        if (!has(name)) {
            return null;
        }
        JsonNode v = args.get(name);
        if (!v.isTextual()) {
            throw bad(name, "must be a string, got " + v.getNodeType().name().toLowerCase());
        }
        return v.asText();
    }

    /** A key pattern; a wildcard-free one selects exactly that key. Absent: every key. */
    PathPattern optPattern(String name) {
        String text = optString(name);
        if (text == null) {
            return null;
        }
        try {
            return PathPattern.compile(text);
        } catch (PandoException e) {
            throw bad(name, e.getMessage());
        }
    }

    /** A canonical key (for continuation keys and targets). */
    String optKey(String name) {
        String text = optString(name);
        if (text == null) {
            return null;
        }
        try {
            return Keys.requireValid(text);
        } catch (PandoException e) {
            throw bad(name, e.getMessage());
        }
    }

    /** A seq continuation token this op returned ({@code next}). */
    Long optToken(String name) {
        String text = optString(name);
        if (text == null) {
            return null;
        }
        if (!text.matches("[0-9]{1,18}")) {
            throw bad(name, "'" + text + "' is not a continuation token returned by " + op);
        }
        return Long.parseLong(text);
    }

    PandoException bad(String name, String problem) {
        return PandoException.badRequest(op + ": '" + name + "' " + problem);
    }

    private static String range(long min, long max) {
        return max == Long.MAX_VALUE ? ">= " + min : "between " + min + " and " + max;
    }
}
