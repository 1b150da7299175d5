package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.PandoException;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import java.util.Iterator;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The one strict reader of an op's arguments, for core ops and plugin ops alike: an object with
 * known fields only, each of the right type and range. A JSON {@code null} field counts as
 * absent; absent {@code args} are an empty object. Every refusal is a {@code BAD_REQUEST} whose
 * message names the op and the field ({@code "kv.scan: 'limit' must be an integer between 1 and
 * 1000, got 0"}), so a typo never silently falls back to a default.
 *
 * <pre>{@code
 * OpArgs a = OpArgs.of(call, "key", "n");
 * String key = a.string("key");
 * long n = a.optLong("n", 1, 100).orElse(1);
 * }</pre>
 */
public final class OpArgs {
    private final String op;
    private final JsonNode args;

    private OpArgs(String op, JsonNode args) {
        this.op = op;
        this.args = args;
    }

    /** Reads {@code call}'s args, refusing fields outside {@code known}. */
    public static OpArgs of(OpCall call, String... known) {
        return of(call.op(), call.args(), known);
    }

    /** Reads {@code args} of {@code op}, refusing non-objects and fields outside {@code known}. */
    public static OpArgs of(String op, JsonNode args, String... known) {
        JsonNode a = args == null || args.isNull() || args.isMissingNode() ? JsonNodeFactory.instance.objectNode() : args;
        if (!a.isObject()) {
            throw PandoException.badRequest(op + ": args must be a JSON object, got " + type(a));
        }
        for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!isKnown(name, known)) {
                throw PandoException.badRequest(op + ": unknown argument '" + name + "' ("
                        + (known.length == 0 ? "it takes none" : "expected " + String.join(", ", Stream.of(known).sorted().toList())) + ")");
            }
        }
        return new OpArgs(op, a);
    }

    // Every op call passes here (kv.set included): a scan of a few names, no copy of them.
    private static boolean isKnown(String name, String[] known) {
        for (String k : known) {
            if (k.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The op these args are for, as named in messages. */
    public String op() {
        return op;
    }

    /** Whether {@code field} is present and not JSON null. */
    public boolean has(String field) {
        JsonNode n = args.get(field);
        return n != null && !n.isNull();
    }

    /** A required string. */
    public String string(String field) {
        return optString(field).orElseThrow(() -> missing(field, "a string"));
    }

    public Optional<String> optString(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode n = args.get(field);
        if (!n.isTextual()) {
            throw fail(field, "must be a string, got " + type(n));
        }
        return Optional.of(n.asText());
    }

    /** A required integer within {@code [min, max]}. */
    public long longValue(String field, long min, long max) {
        OptionalLong v = optLong(field, min, max);
        if (v.isEmpty()) {
            throw missing(field, "an integer " + range(min, max));
        }
        return v.getAsLong();
    }

    public OptionalLong optLong(String field, long min, long max) {
        if (!has(field)) {
            return OptionalLong.empty();
        }
        JsonNode n = args.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
            throw fail(field, "must be an integer " + range(min, max) + ", got " + n);
        }
        return OptionalLong.of(n.asLong());
    }

    /** An optional integer within {@code [min, max]}, {@code dflt} when absent. */
    public int intOr(String field, int min, int max, int dflt) {
        return (int) optLong(field, min, max).orElse(dflt);
    }

    public boolean bool(String field, boolean dflt) {
        if (!has(field)) {
            return dflt;
        }
        JsonNode n = args.get(field);
        if (!n.isBoolean()) {
            throw fail(field, "must be true or false, got " + type(n));
        }
        return n.asBoolean();
    }

    /** A required field holding any JSON value, JSON {@code null} included (event payloads). */
    public JsonNode anyValue(String field) {
        JsonNode n = args.get(field);
        if (n == null) {
            throw missing(field, "a JSON value");
        }
        return n;
    }

    /** A field holding any JSON value but null; empty when absent or null. */
    public Optional<JsonNode> optValue(String field) {
        return has(field) ? Optional.of(args.get(field)) : Optional.empty();
    }

    /** An optional JSON object. */
    public Optional<JsonNode> optObject(String field) {
        Optional<JsonNode> v = optValue(field);
        if (v.isPresent() && !v.get().isObject()) {
            throw fail(field, "must be an object, got " + type(v.get()));
        }
        return v;
    }

    /** An optional key pattern (a wildcard-free one selects exactly that key). */
    public Optional<PathPattern> optPattern(String field) {
        return optParsed(field, PathPattern::compile);
    }

    /** An optional canonical key. */
    public Optional<String> optKey(String field) {
        return optParsed(field, Keys::requireValid);
    }

    /** An optional string checked by {@code parse}, whose refusal is reported under the field's name. */
    private <T> Optional<T> optParsed(String field, Function<String, T> parse) {
        return optString(field).map(text -> {
            try {
                return parse.apply(text);
            } catch (PandoException e) {
                throw fail(field, e.getMessage());
            }
        });
    }

    /** A {@code BAD_REQUEST} about {@code field}: {@code "<op>: '<field>' <problem>"}. */
    public PandoException fail(String field, String problem) {
        return PandoException.badRequest(op + ": '" + field + "' " + problem);
    }

    private PandoException missing(String field, String what) {
        return PandoException.badRequest(op + ": missing argument '" + field + "' (" + what + ")");
    }

    private static String range(long min, long max) {
        return max == Long.MAX_VALUE ? ">= " + min : "between " + min + " and " + max;
    }

    private static String type(JsonNode n) {
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
