package dev.pando.node.plugins;

import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.PluginKind;
import dev.pando.host.PluginStats;
import java.util.Optional;

/**
 * One row of {@code admin.plugins}: a serving plugin, or a file that failed with nothing
 * serving in its place ({@code manifest} and the fields after it are then null).
 */
public record PluginStatus(String id, String file, State state, String error, PluginManifest manifest, PluginKind kind,
                           String signer, String hash, long loadedAt, PluginStats stats, boolean listenerOverflowed,
                           ReloadReport.Outcome lastReload, long lastReloadAt, Optional<String> listenerStopped) {

    /** LOADED: serving. FAILED: nothing serving for this file. */
    public enum State { LOADED, FAILED }

    static PluginStatus of(PluginSlot s) {
        var loaded = s.plugin().loaded();
        return new PluginStatus(s.id(), s.file().getFileName().toString(), State.LOADED, null, loaded.manifest(), loaded.kind(),
                loaded.signer(), s.hash(), s.loadedAt(), s.plugin().stats(),
                s.listener() != null && s.listener().overflowed(), s.lastResult(), s.lastResultAt(),
                s.listener() == null ? Optional.empty() : s.listener().stopped());
    }

    static PluginStatus of(FileFailure f) {
        String file = f.file().getFileName().toString();
        // The reload that failed it, which also carries the version the file claims.
        ReloadReport.Outcome failed = new ReloadReport.Outcome(f.id(), file, ReloadReport.Action.FAILED, f.version(), null, f.error());
        return new PluginStatus(f.id(), file, State.FAILED, f.error(), null, null,
                null, f.hash(), 0, null, false, failed, f.at(), Optional.empty());
    }
}
