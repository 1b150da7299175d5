package dev.pando.node.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.PandoException;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads an op's arguments strictly: wrong types and unknown fields are {@code BAD_REQUEST}
 * naming the op and the field, so a typo never silently falls back to a default.
 */
final class Args {
    private final String op;
    private final JsonNode args;

    private Args(String op, JsonNode args) {
        this.op = op;
        this.args = args;
    }

    /** Wraps {@code args}, rejecting non-objects and fields outside {@code allowed}. */
    static Args of(String op, JsonNode args, Set<String> allowed) {
        if (!args.isObject()) {
            throw PandoException.badRequest(op + ": args must be a JSON object");
        }
        for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw PandoException.badRequest(op + ": unknown argument '" + f + "' (expected " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        return new Args(op, args);
    }

    boolean has(String field) {
        JsonNode n = args.get(field);
        return n != null && !n.isNull();
    }

    String string(String field) {
        JsonNode n = args.get(field);
        if (n == null || n.isNull()) {
            throw PandoException.badRequest(op + ": missing argument '" + field + "'");
        }
        if (!n.isTextual()) {
            throw PandoException.badRequest(op + ": '" + field + "' must be a string");
        }
        return n.asText();
    }

    String optString(String field) {
        return has(field) ? string(field) : null;
    }

    /** The raw JSON value of a required field (any JSON, including null is refused). */
    JsonNode value(String field) {
        JsonNode n = args.get(field);
        if (n == null || n.isMissingNode()) {
            throw PandoException.badRequest(op + ": missing argument '" + field + "'");
        }
        if (n.isNull()) {
            throw PandoException.badRequest(op + ": '" + field + "' must not be null (use kv.delete to remove a key)");
        }
        return n;
    }

    /** A JSON value that may be null (event payloads). */
    JsonNode anyValue(String field) {
        JsonNode n = args.get(field);
        if (n == null || n.isMissingNode()) {
            throw PandoException.badRequest(op + ": missing argument '" + field + "'");
        }
        return n;
    }

    Long optLong(String field, long min, long max) {
        if (!has(field)) {
            return null;
        }
        JsonNode n = args.get(field);
        if (!n.canConvertToLong() || !n.isIntegralNumber()) {
            throw PandoException.badRequest(op + ": '" + field + "' must be an integer");
        }
        long v = n.asLong();
        if (v < min || v > max) {
            throw PandoException.badRequest(op + ": '" + field + "' must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    long longOr(String field, long min, long max, long dflt) {
        Long v = optLong(field, min, max);
        return v == null ? dflt : v;
    }

    boolean bool(String field, boolean dflt) {
        if (!has(field)) {
            return dflt;
        }
        JsonNode n = args.get(field);
        if (!n.isBoolean()) {
            throw PandoException.badRequest(op + ": '" + field + "' must be true or false");
        }
        return n.asBoolean();
    }
}
