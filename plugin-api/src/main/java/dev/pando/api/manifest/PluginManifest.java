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
 * @param listenOwn     whether the listener also hears the changes and events this plugin made
 *                      itself ({@code listens.includeOwn}); off by default, so a listener that
 *                      writes where it listens does not feed itself
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
        JsonNode config,
        boolean listenOwn) {

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

    /** A manifest whose listener does not hear its own writes. */
    public PluginManifest(String id, String version, int apiVersion, String description, List<OpDecl> ops,
                          List<String> listenChanges, List<String> listenEvents, List<String> kvRead, List<String> kvWrite,
                          Set<Permission> permissions, Limits limits, JsonNode config) {
        this(id, version, apiVersion, description, ops, listenChanges, listenEvents, kvRead, kvWrite, permissions, limits,
                config, false);
    }

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

    /**
     * True if {@code key} (already valid) lies within a read prefix or the plugin's own
     * {@link #defaultPrefix()}, which it keeps whatever it declares.
     */
    public boolean mayRead(String key) {
        return mayAccess(kvRead, key);
    }

    /**
     * True if {@code key} (already valid) lies within a write prefix or the plugin's own
     * {@link #defaultPrefix()}, which it keeps whatever it declares.
     */
    public boolean mayWrite(String key) {
        return mayAccess(kvWrite, key);
    }

    /** A loop, not a stream: listeners ask this for every change the node commits. */
    private boolean mayAccess(List<String> prefixes, String key) {
        String own = defaultPrefix();
        if (Keys.isUnder(key, own)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (covers(prefix, key, own)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True if {@code writer} (a change's writer or an event's publisher) is this plugin:
     * {@code plugin:<id>} or one of its actors, {@code plugin:<id>/<actor>}.
     */
    public boolean isOwnWriter(String writer) {
        String self = "plugin:" + id;
        return writer != null && (writer.equals(self) || writer.startsWith(self + "/"));
    }

    /**
     * {@link #ROOT} covers every key but the node's {@code /_sys} and other plugins' private
     * prefixes; any other prefix covers its subtree.
     */
    private static boolean covers(String prefix, String key, String own) {
        if (ROOT.equals(prefix)) {
            return !Keys.isUnder(key, SYS_ROOT) && (!Keys.isUnder(key, PLUGINS_ROOT) || Keys.isUnder(key, own));
        }
        return Keys.isUnder(key, prefix);
    }
}
