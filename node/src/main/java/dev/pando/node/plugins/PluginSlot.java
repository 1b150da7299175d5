package dev.pando.node.plugins;

import dev.pando.host.HostedPlugin;
import java.nio.file.Path;

/**
 * The plugin serving one id, with where it came from and how the last reload touching it went.
 * Immutable; a reload replaces it.
 *
 * @param hash       {@link dev.pando.host.PluginFiles#contentHash} of the file it was loaded from
 * @param configHash hash of its {@code <id>.config.json} then, or null if there was none
 * @param lastResult outcome of the most recent reload that looked at this plugin
 */
record PluginSlot(HostedPlugin plugin, Path file, String hash, String configHash, PluginListener listener, long loadedAt,
                  ReloadReport.Outcome lastResult, long lastResultAt) {

    String id() {
        return plugin.id();
    }

    PluginSlot withResult(ReloadReport.Outcome outcome, long at) {
        return new PluginSlot(plugin, file, hash, configHash, listener, loadedAt, outcome, at);
    }

    PluginSlot withListener(PluginListener newListener) {
        return new PluginSlot(plugin, file, hash, configHash, newListener, loadedAt, lastResult, lastResultAt);
    }
}
