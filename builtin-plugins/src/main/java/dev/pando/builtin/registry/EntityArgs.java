package dev.pando.builtin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.OpArgs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Reads and checks the fields of an entity from op arguments; every refusal is {@code BAD_REQUEST} naming the field. */
final class EntityArgs {
    /** Tags are index key segments, so they are restricted to characters that are always segment-safe. */
    static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    /** An entity's id as {@link Entity#idOf} makes it. */
    static final Pattern ID = Pattern.compile("e[0-9a-f]{16}");
    /** Tags per entity. */
    static final int MAX_TAGS = 32;
    /** Granted scopes per entity. */
    static final int MAX_SCOPES = 64;
    /** Namespaces one entity owns. */
    static final int MAX_NAMESPACES = 32;
    /** Longest name, in characters. */
    static final int MAX_NAME_CHARS = 128;
    /** Largest metadata object, as compact JSON in UTF-8: an entity is read on every list. */
    static final int MAX_METADATA_BYTES = 8192;

    private static final PathPattern OWN_KEYS = PathPattern.under(RegistryStore.ROOT);

    private EntityArgs() {}

    static String id(OpArgs args, String field) {
        String id = args.string(field);
        if (!ID.matcher(id).matches()) {
            throw args.fail(field, "must be an entity id ('e' and 16 hex digits), got '" + id + "'");
        }
        return id;
    }

    /** A 32-byte Ed25519 public key in hex. */
    static byte[] publicKey(OpArgs args) {
        String hex = args.string("publicKey");
        if (hex.length() != 64) {
            throw args.fail("publicKey", "must be 64 hex digits (a 32-byte Ed25519 key), got " + hex.length() + " characters");
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw args.fail("publicKey", "must be 64 hex digits (a 32-byte Ed25519 key)");
        }
    }

    static Entity.Type type(OpArgs args) {
        String t = args.string("type");
        return Entity.Type.fromWireName(t).orElseThrow(() -> args.fail("type", "must be device, user, service or node, got '" + t + "'"));
    }

    static Optional<String> name(OpArgs args) {
        Optional<String> name = args.optString("name");
        name.ifPresent(n -> {
            if (n.isBlank() || n.length() > MAX_NAME_CHARS) {
                throw args.fail("name", "must be 1 to " + MAX_NAME_CHARS + " characters, not blank");
            }
        });
        return name;
    }

    static Optional<List<String>> tags(OpArgs args) {
        return list(args, "tags", MAX_TAGS, t -> {
            if (!TAG.matcher(t).matches()) {
                throw PandoException.badRequest("'" + t + "' is not a tag (1 to 64 of A-Z a-z 0-9 _ . : -, starting with a letter or digit)");
            }
            return t;
        });
    }

    static Optional<List<Scope>> scopes(OpArgs args) {
        return list(args, "scopes", MAX_SCOPES, Scope::parse);
    }

    /**
     * Namespaces, none containing another (an entity's namespaces are disjoint as far as containment
     * tells), none reaching the registry's own keys: their owner would administer them.
     */
    static Optional<List<PathPattern>> namespaces(OpArgs args) {
        Optional<List<PathPattern>> out = list(args, "namespaces", MAX_NAMESPACES, PathPattern::compile);
        out.ifPresent(list -> {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).contains(OWN_KEYS) || OWN_KEYS.contains(list.get(i))) {
                    throw args.fail("namespaces[" + i + "]", "'" + list.get(i) + "' reaches the registry's own keys under "
                            + RegistryStore.ROOT + "/");
                }
                for (int j = i + 1; j < list.size(); j++) {
                    if (list.get(i).contains(list.get(j)) || list.get(j).contains(list.get(i))) {
                        throw args.fail("namespaces", "'" + list.get(i) + "' and '" + list.get(j) + "' overlap; give the wider one only");
                    }
                }
            }
        });
        return out;
    }

    static Optional<ObjectNode> metadata(OpArgs args) {
        Optional<JsonNode> m = args.optObject("metadata");
        m.ifPresent(o -> {
            int bytes = o.toString().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_METADATA_BYTES) {
                throw args.fail("metadata", "is " + bytes + " bytes of JSON; at most " + MAX_METADATA_BYTES + " are allowed");
            }
        });
        return m.map(o -> (ObjectNode) o);
    }

    /** An optional array of distinct strings, each checked by {@code parse}, whose refusal is reported under the field. */
    static <T> Optional<List<T>> list(OpArgs args, String field, int max, Function<String, T> parse) {
        Optional<JsonNode> v = args.optValue(field);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        JsonNode a = v.get();
        if (!a.isArray()) {
            throw args.fail(field, "must be an array of strings");
        }
        if (a.size() > max) {
            throw args.fail(field, "has " + a.size() + " entries; at most " + max + " are allowed");
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            JsonNode n = a.get(i);
            if (!n.isTextual()) {
                throw args.fail(field + "[" + i + "]", "must be a string");
            }
            T parsed;
            try {
                parsed = parse.apply(n.asText());
            } catch (PandoException e) {
                throw args.fail(field + "[" + i + "]", e.getMessage());
            }
            if (out.contains(parsed)) {
                throw args.fail(field + "[" + i + "]", "repeats '" + n.asText() + "'");
            }
            out.add(parsed);
        }
        return Optional.of(out);
    }
}
