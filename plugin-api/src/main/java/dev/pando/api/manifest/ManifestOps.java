package dev.pando.api.manifest;

import static dev.pando.api.manifest.ManifestFields.onlyFields;
import static dev.pando.api.manifest.ManifestFields.optionalText;
import static dev.pando.api.manifest.ManifestFields.requiredText;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.Access;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a manifest's {@code ops}: each named {@code <id>.<verb>} in the plugin's own namespace,
 * served by a distinct export, with the scope a caller needs (default {@code write}).
 */
final class ManifestOps {
    private static final Pattern VERB = Pattern.compile("[a-z][a-zA-Z0-9_.-]{0,63}");
    private static final Pattern EXPORT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private ManifestOps() {}

    /** The ops declared in {@code node} (absent: none) by plugin {@code id}. */
    static List<OpDecl> parse(JsonNode node, String id) {
        List<OpDecl> ops = new ArrayList<>();
        if (node == null) {
            return ops;
        }
        if (!node.isArray()) {
            throw new ManifestException("ops", "must be an array");
        }
        if (node.size() > ManifestParser.MAX_OPS) {
            throw new ManifestException("ops", "declares " + node.size() + " ops; at most " + ManifestParser.MAX_OPS + " are allowed");
        }
        Set<String> names = new LinkedHashSet<>();
        Set<String> exports = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "ops[" + i + "]";
            JsonNode op = node.get(i);
            if (!op.isObject()) {
                throw new ManifestException(field, "must be an object");
            }
            onlyFields(op, field, "name", "export", "scope");
            String name = requiredText(op, "name", field + ".name");
            if (!name.startsWith(id + ".")) {
                throw new ManifestException(field + ".name", "'" + name + "' is outside the plugin's namespace; ops must be named '" + id + ".<verb>'");
            }
            String verb = name.substring(id.length() + 1);
            if (!VERB.matcher(verb).matches()) {
                throw new ManifestException(field + ".name", "verb '" + verb + "' must start with a lowercase letter and use letters, digits, '_', '-' or '.'");
            }
            if (!names.add(name)) {
                throw new ManifestException(field + ".name", "'" + name + "' is declared twice");
            }
            String export = optionalText(op, "export", verb.replaceAll("[^A-Za-z0-9_]", "_"), field + ".export");
            if (!EXPORT.matcher(export).matches()) {
                throw new ManifestException(field + ".export", "'" + export + "' is not a valid export name");
            }
            if (!exports.add(export)) {
                throw new ManifestException(field + ".export", "'" + export + "' already serves another op");
            }
            String scope = optionalText(op, "scope", "write", field + ".scope");
            Access access = Access.fromWireName(scope).orElseThrow(() -> new ManifestException(field + ".scope",
                    "'" + scope + "' must be one of none, read, subscribe, publish, write, admin"));
            ops.add(new OpDecl(name, export, access));
        }
        return ops;
    }
}
