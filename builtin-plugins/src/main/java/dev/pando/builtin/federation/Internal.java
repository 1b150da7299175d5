package dev.pando.builtin.federation;

import dev.pando.api.manifest.PluginManifest;

/**
 * Keys that are one node's own bookkeeping and never travel between nodes: federation's cursors
 * and peer records, the registry's entities and tokens (each hub keeps its own registry), and
 * every plugin's private prefix {@code /_plugins/<id>} (the journal's entries among them), which
 * no other plugin may read or write.
 */
final class Internal {
    private Internal() {}

    static boolean is(String key) {
        return under(key, "/federation") || under(key, "/registry") || under(key, PluginManifest.PLUGINS_ROOT);
    }

    private static boolean under(String key, String prefix) {
        return key.equals(prefix) || key.startsWith(prefix + "/");
    }
}
