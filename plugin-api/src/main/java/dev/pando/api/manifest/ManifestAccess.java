package dev.pando.api.manifest;

import static dev.pando.api.manifest.ManifestFields.onlyFields;
import static dev.pando.api.manifest.ManifestFields.optionalBoolean;
import static dev.pando.api.manifest.ManifestFields.strings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.PandoException;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads what a manifest asks to touch: the {@code kv} prefixes (never the node's
 * {@code /_sys}, nor another plugin's private prefix), the {@code listens} patterns (only
 * under what the plugin may read) and the {@code permissions}.
 */
final class ManifestAccess {
    private static final String SYS_ROOT = PluginManifest.SYS_ROOT;

    /** The {@code listens} section; empty lists and {@code includeOwn} false when absent. */
    record Listens(List<String> changes, List<String> events, boolean includeOwn) {}

    private ManifestAccess() {}

    /** The {@code kv.read} or {@code kv.write} prefixes ({@code which}) of plugin {@code id}, normalised, without repeats. */
    static List<String> prefixes(JsonNode kv, String which, String id) {
        String field = "kv." + which;
        if (kv == null) {
            return List.of();
        }
        if (!kv.isObject()) {
            throw new ManifestException("kv", "must be an object with 'read' and/or 'write'");
        }
        onlyFields(kv, "kv", "read", "write");
        List<String> raw = strings(kv.get(which), field, ManifestParser.MAX_PREFIXES);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String f = field + "[" + i + "]";
            String prefix = normalisePrefix(raw.get(i));
            try {
                Keys.requireValidPrefix(prefix);
            } catch (PandoException e) {
                throw new ManifestException(f, e.getMessage());
            }
            if (PluginManifest.ROOT.equals(prefix)) {
                // Everything but /_sys and other plugins' prefixes: PluginManifest.mayRead/mayWrite exclude them.
                if (!out.contains(prefix)) {
                    out.add(prefix);
                }
                continue;
            }
            if (Keys.isUnder(prefix, SYS_ROOT) || Keys.isUnder(SYS_ROOT, prefix)) {
                throw new ManifestException(f, "'" + raw.get(i) + "' reaches " + SYS_ROOT + "/, which belongs to the node");
            }
            String own = PluginManifest.defaultPrefix(id);
            if (Keys.isUnder(prefix, PluginManifest.PLUGINS_ROOT) && !Keys.isUnder(prefix, own)) {
                throw new ManifestException(f, "'" + raw.get(i) + "' reaches into another plugin's private prefix; only " + own + "/ is yours");
            }
            if (Keys.isUnder(PluginManifest.PLUGINS_ROOT, prefix) && "write".equals(which)) {
                throw new ManifestException(f, "'" + raw.get(i) + "' would let the plugin write every plugin's private prefix");
            }
            if (!out.contains(prefix)) {
                out.add(prefix);
            }
        }
        return out;
    }

    /** {@code /a/b/} and {@code /a/b} name the same subtree; the trailing slash is dropped. */
    static String normalisePrefix(String prefix) {
        if (prefix.length() > 1 && prefix.endsWith("/")) {
            return prefix.substring(0, prefix.length() - 1);
        }
        return prefix;
    }

    /** The {@code listens} section of plugin {@code id}, whose change patterns must lie under {@code readList}. */
    static Listens listens(JsonNode listens, String id, List<String> readList) {
        List<String> changes = List.of();
        List<String> events = List.of();
        boolean includeOwn = false;
        if (listens != null) {
            if (!listens.isObject()) {
                throw new ManifestException("listens", "must be an object with 'changes' and/or 'events'");
            }
            onlyFields(listens, "listens", "changes", "events", "includeOwn");
            changes = patterns(listens.get("changes"), "listens.changes");
            events = patterns(listens.get("events"), "listens.events");
            includeOwn = optionalBoolean(listens, "includeOwn", "listens.includeOwn");
            for (int i = 0; i < changes.size(); i++) {
                String literal = PathPattern.compile(changes.get(i)).literalPrefix();
                if (!Keys.isUnder(literal, PluginManifest.defaultPrefix(id)) && readList.stream().noneMatch(p -> Keys.isUnder(literal, p))) {
                    throw new ManifestException("listens.changes[" + i + "]", "'" + changes.get(i)
                            + "' reaches outside the readable prefixes " + readList + "; a plugin only hears changes it may read");
                }
            }
        }
        return new Listens(changes, events, includeOwn);
    }

    private static List<String> patterns(JsonNode node, String field) {
        List<String> raw = strings(node, field, ManifestParser.MAX_LISTEN_PATTERNS);
        for (int i = 0; i < raw.size(); i++) {
            try {
                PathPattern.compile(raw.get(i));
            } catch (PandoException e) {
                throw new ManifestException(field + "[" + i + "]", e.getMessage());
            }
        }
        return raw;
    }

    /** The {@code permissions}, spelled exactly as the manifest format does. */
    static Set<Permission> permissions(JsonNode node) {
        Set<Permission> out = EnumSet.noneOf(Permission.class);
        List<String> raw = strings(node, "permissions", Permission.values().length * 2);
        for (int i = 0; i < raw.size(); i++) {
            String p = raw.get(i);
            // Exact match on the manifest spelling: upper-casing the input first would let
            // look-alikes (a dotless i or a long s in "publish") pass for a permission.
            Permission permission = null;
            for (Permission candidate : Permission.values()) {
                if (candidate.jsonName().equals(p)) {
                    permission = candidate;
                } else if (candidate.jsonName().equals(p.toLowerCase(Locale.ROOT))) {
                    throw new ManifestException("permissions[" + i + "]", "'" + p + "' must be lowercase");
                }
            }
            if (permission == null) {
                throw new ManifestException("permissions[" + i + "]", "unknown permission '" + p + "'; known: "
                        + Arrays.stream(Permission.values()).map(Permission::jsonName).collect(Collectors.joining(", ")));
            }
            out.add(permission);
        }
        return out;
    }
}
