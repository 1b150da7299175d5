package dev.pando.api.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The strict field readers of the manifest parser: each refuses a missing or mistyped field,
 * or an unknown one, with a {@link ManifestException} naming it.
 */
final class ManifestFields {
    private ManifestFields() {}

    /** Refuses any field of {@code obj} not in {@code known}; {@code where} is the object's path ("" for the root). */
    static void onlyFields(JsonNode obj, String where, String... known) {
        Set<String> allowed = Set.of(known);
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.properties().iterator(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!allowed.contains(name)) {
                throw new ManifestException(where.isEmpty() ? name : where + "." + name,
                        "unknown field; known fields" + (where.isEmpty() ? "" : " of " + where) + ": " + String.join(", ", known));
            }
        }
    }

    /** An array of at most {@code max} strings; empty if absent. */
    static List<String> strings(JsonNode node, String field, int max) {
        List<String> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        if (!node.isArray()) {
            throw new ManifestException(field, "must be an array of strings");
        }
        if (node.size() > max) {
            throw new ManifestException(field, "has " + node.size() + " entries; at most " + max + " are allowed");
        }
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw new ManifestException(field + "[" + i + "]", "must be a string");
            }
            out.add(node.get(i).asText());
        }
        return out;
    }

    /** A non-empty string field, named by its own name. */
    static String requiredText(JsonNode obj, String name) {
        return requiredText(obj, name, name);
    }

    /** A non-empty string field, named {@code field} in messages. */
    static String requiredText(JsonNode obj, String name, String field) {
        JsonNode v = obj.get(name);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new ManifestException(field, "is required and must be a non-empty string");
        }
        return v.asText();
    }

    /** A string field or {@code fallback} if absent. */
    static String optionalText(JsonNode obj, String name, String fallback) {
        return optionalText(obj, name, fallback, name);
    }

    /** A string field or {@code fallback} if absent, named {@code field} in messages. */
    static String optionalText(JsonNode obj, String name, String fallback, String field) {
        JsonNode v = obj.get(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new ManifestException(field, "must be a string");
        }
        return v.asText();
    }

    /** A boolean field, false if absent. */
    static boolean optionalBoolean(JsonNode parent, String name, String field) {
        JsonNode n = parent.get(name);
        if (n == null) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new ManifestException(field, "must be true or false");
        }
        return n.booleanValue();
    }
}
