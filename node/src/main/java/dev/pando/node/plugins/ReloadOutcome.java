package dev.pando.node.plugins;

import java.util.Optional;

/**
 * What one reload did to one plugin file or id: a plugin {@link Applied loaded, replaced, left
 * unchanged or unloaded}, or a file that {@link Failed failed}. The accessors give the report's
 * uniform view; each variant holds only what it has.
 */
public sealed interface ReloadOutcome permits ReloadOutcome.Applied, ReloadOutcome.Failed {

    /** {@link PluginState#REPORTED one of the states a report counts}. */
    PluginState action();

    /** The plugin id; empty only for a file that failed before its manifest could be read, or a refused table. */
    Optional<String> id();

    /** The file's name (or {@code builtin:<id>}); empty when the outcome concerns no one file. */
    Optional<String> file();

    /** The version loaded, kept or (failing) claimed; empty for an unload or an unreadable manifest. */
    Optional<String> version();

    /** The version serving before: the one replaced or unloaded, or the one that keeps serving past a failure. */
    Optional<String> previousVersion();

    /** Why it failed ({@link PluginState#FAILED} only). */
    Optional<String> error();

    static ReloadOutcome loaded(String id, String file, String version) {
        return new Applied(PluginState.LOADED, id, file, Optional.of(version), Optional.empty());
    }

    static ReloadOutcome replaced(String id, String file, String version, String previousVersion) {
        return new Applied(PluginState.REPLACED, id, file, Optional.of(version), Optional.of(previousVersion));
    }

    static ReloadOutcome unchanged(String id, String file, String version) {
        return new Applied(PluginState.UNCHANGED, id, file, Optional.of(version), Optional.empty());
    }

    static ReloadOutcome unloaded(String id, String file, String previousVersion) {
        return new Applied(PluginState.UNLOADED, id, file, Optional.empty(), Optional.of(previousVersion));
    }

    /**
     * A plugin the reload loaded, replaced, kept or unloaded.
     *
     * @param pluginId the plugin's id
     * @param fileName its file's name, or {@code builtin:<id>}
     */
    record Applied(PluginState action, String pluginId, String fileName, Optional<String> version,
                   Optional<String> previousVersion) implements ReloadOutcome {
        public Applied {
            if (action == PluginState.FAILED || action == PluginState.SERVING) {
                throw new IllegalArgumentException("not an applied reload action: " + action);
            }
        }

        @Override
        public Optional<String> id() {
            return Optional.of(pluginId);
        }

        @Override
        public Optional<String> file() {
            return Optional.of(fileName);
        }

        @Override
        public Optional<String> error() {
            return Optional.empty();
        }
    }

    /**
     * A file, or an id asked for, that the reload could not serve.
     *
     * @param version         the version the failed file claims, if its manifest could be read
     * @param previousVersion the version that keeps serving in its place, if one does
     * @param reason          why, as the report says it
     */
    record Failed(Optional<String> id, Optional<String> file, Optional<String> version, Optional<String> previousVersion,
                  String reason) implements ReloadOutcome {
        @Override
        public PluginState action() {
            return PluginState.FAILED;
        }

        @Override
        public Optional<String> error() {
            return Optional.of(reason);
        }
    }
}
