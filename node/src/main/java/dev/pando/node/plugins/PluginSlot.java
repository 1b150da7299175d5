package dev.pando.node.plugins;

import dev.pando.host.HostedPlugin;
import dev.pando.host.LoadedPlugin;
import java.util.Optional;

/**
 * The plugin serving one id, with where it came from and how the last reload touching it went.
 * Immutable; a reload replaces it.
 *
 * @param source     the name of the candidate it was loaded from (file name, or {@code builtin:<id>})
 * @param hash       that candidate's content hash then
 * @param configHash hash of its {@code <id>.config.json} then; empty if there was none
 * @param listener   its listener; empty if its manifest listens to nothing
 * @param lastResult outcome of the most recent reload that looked at this plugin
 */
record PluginSlot(HostedPlugin plugin, String source, String hash, Optional<String> configHash, Optional<PluginListener> listener,
                  long loadedAt, ReloadOutcome lastResult, long lastResultAt) {

    String id() {
        return plugin.id();
    }

    String version() {
        return plugin.manifest().version();
    }

    boolean listenerOverflowed() {
        return listener.map(PluginListener::overflowed).orElse(false);
    }

    void closeListener() {
        listener.ifPresent(PluginListener::close);
    }

    PluginSlot withResult(ReloadOutcome outcome, long at) {
        return new PluginSlot(plugin, source, hash, configHash, listener, loadedAt, outcome, at);
    }

    PluginSlot withListener(Optional<PluginListener> newListener) {
        return new PluginSlot(plugin, source, hash, configHash, newListener, loadedAt, lastResult, lastResultAt);
    }

    PluginStatus status() {
        LoadedPlugin loaded = plugin.loaded();
        return new PluginStatus.Serving(source, loaded.manifest(), loaded.kind(), loaded.signer(), hash, loadedAt, plugin.stats(),
                listenerOverflowed(), listener.flatMap(PluginListener::stopped), lastResult, lastResultAt);
    }
}
