package dev.pando.node.plugins;

import dev.pando.host.HostedPlugin;
import java.nio.file.Path;

/**
 * The plugin serving one id, with where it came from and how the last reload touching it went.
 * Immutable; a reload replaces it.
 *
 * @param lastResult outcome of the most recent reload that looked at this plugin
 */
record PluginSlot(HostedPlugin plugin, Path file, String hash, PluginListener listener, long loadedAt,
                  ReloadReport.Outcome lastResult, long lastResultAt) {

    String id() {
        return plugin.id();
    }

    PluginSlot withResult(ReloadReport.Outcome outcome, long at) {
        return new PluginSlot(plugin, file, hash, listener, loadedAt, outcome, at);
    }

    PluginSlot withListener(PluginListener newListener) {
        return new PluginSlot(plugin, file, hash, newListener, loadedAt, lastResult, lastResultAt);
    }
}
