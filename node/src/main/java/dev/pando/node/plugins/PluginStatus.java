package dev.pando.node.plugins;

import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.PluginKind;
import dev.pando.host.PluginStats;
import java.util.Optional;

/**
 * One row of {@code admin.plugins}: a {@link Serving} plugin, or a file that {@link Failed} with
 * nothing serving in its place.
 */
public sealed interface PluginStatus permits PluginStatus.Serving, PluginStatus.Failed {

    /** The plugin id; empty for a failed file whose manifest could not be read. */
    Optional<String> id();

    /** The plugin file's name, or {@code builtin:<id>}. */
    String file();

    /** {@link PluginState#SERVING} or {@link PluginState#FAILED}. */
    PluginState state();

    /**
     * A plugin serving calls.
     *
     * @param signer             fingerprint of the key that signed it; empty if unsigned
     * @param hash               content hash of what it was loaded from
     * @param stats              call counts for its id, across every version since the node started
     * @param listenerOverflowed its listener fell a whole queue behind and was cut off until the next reload
     * @param listenerStopped    why its listener was stopped for good, if it was
     * @param lastReload         how the most recent reload that looked at it went
     */
    record Serving(String file, PluginManifest manifest, PluginKind kind, Optional<String> signer, String hash, long loadedAt,
                   PluginStats stats, boolean listenerOverflowed, Optional<String> listenerStopped, ReloadOutcome lastReload,
                   long lastReloadAt) implements PluginStatus {

        @Override
        public Optional<String> id() {
            return Optional.of(manifest.id());
        }

        @Override
        public PluginState state() {
            return PluginState.SERVING;
        }
    }

    /**
     * A file that failed to load, with no earlier version serving.
     *
     * @param id      the id its manifest claims, if it could be read
     * @param version likewise, the version it claims
     * @param at      when the reload that failed it ran
     */
    record Failed(Optional<String> id, String file, Optional<String> version, String error, long at) implements PluginStatus {

        @Override
        public PluginState state() {
            return PluginState.FAILED;
        }
    }
}
