package dev.pando.api.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.path.Keys;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A validated plugin manifest (see {@link ManifestParser} for the JSON form). Prefixes are
 * normalised (no trailing slash) and defaulted: with no {@code kv} section a plugin reads and
 * writes only {@link #defaultPrefix()}. Every write prefix is also readable.
 *
 * @param listenChanges patterns of committed changes delivered to {@code onChange}
 * @param listenEvents  patterns of published topics delivered to {@code onEvent}
 * @param config        the manifest's {@code config} object (empty when absent)
 */
public record PluginManifest(
        String id,
        String version,
        int apiVersion,
        String description,
        List<OpDecl> ops,
        List<String> listenChanges,
        List<String> listenEvents,
        List<String> kvRead,
        List<String> kvWrite,
        Set<Permission> permissions,
        Limits limits,
        JsonNode config) {

    /** The only ABI/API version this host speaks. */
    public static final int API_VERSION = 1;
    /** Root under which each plugin has a private default prefix. */
    public static final String PLUGINS_ROOT = "/_plugins";
    /** The node's own keys: never a plugin's. */
    public static final String SYS_ROOT = "/_sys";
    /**
     * The prefix {@code /}: every key outside {@link #SYS_ROOT} and other plugins' private
     * prefixes, for plugins whose reach is decided per request (rules act only where their
     * author may).
     */
    public static final String ROOT = "/";

    public PluginManifest {
        ops = List.copyOf(ops);
        listenChanges = List.copyOf(listenChanges);
        listenEvents = List.copyOf(listenEvents);
        kvRead = List.copyOf(kvRead);
        kvWrite = List.copyOf(kvWrite);
        permissions = Set.copyOf(permissions);
        config = config == null ? JsonNodeFactory.instance.objectNode() : config;
    }

    /** {@code /_plugins/<id>}: the prefix a plugin gets when it declares none. */
    public static String defaultPrefix(String id) {
        return PLUGINS_ROOT + "/" + id;
    }

    public String defaultPrefix() {
        return defaultPrefix(id);
    }

    /** A copy of the manifest's {@code config}: callers cannot change what the host holds. */
    @Override
    public JsonNode config() {
        return config.deepCopy();
    }

    public boolean has(Permission permission) {
        return permissions.contains(permission);
    }

    public Optional<OpDecl> op(String name) {
        return ops.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    /** True if {@code key} (already valid) lies within a read prefix. */
    public boolean mayRead(String key) {
        return kvRead.stream().anyMatch(p -> covers(p, key));
    }

    /** True if {@code key} (already valid) lies within a write prefix. */
    public boolean mayWrite(String key) {
        return kvWrite.stream().anyMatch(p -> covers(p, key));
    }

    /**
     * {@link #ROOT} covers every key but the node's {@code /_sys} and other plugins' private
     * prefixes; any other prefix covers its subtree.
     */
    private boolean covers(String prefix, String key) {
        if (ROOT.equals(prefix)) {
            return !Keys.isUnder(key, SYS_ROOT) && (!Keys.isUnder(key, PLUGINS_ROOT) || Keys.isUnder(key, defaultPrefix()));
        }
        return Keys.isUnder(key, prefix);
    }
}
