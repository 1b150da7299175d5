package dev.pando.node.plugins;

import dev.pando.api.manifest.PluginManifest;
import dev.pando.builtin.Builtin;
import dev.pando.host.LoadedPlugin;
import dev.pando.host.PluginFiles;
import dev.pando.host.PluginLoader;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One plugin a {@link PluginSource} offers to a reload: a {@link PluginFile file} in the plugins
 * directory or a {@link BuiltinPlugin builtin}, with the content hash that tells a reload whether
 * it changed.
 */
sealed interface PluginCandidate permits PluginCandidate.PluginFile, PluginCandidate.BuiltinPlugin {

    /** How reports and the listing name it: the file's name, or {@code builtin:<id>}. Unique across sources. */
    String name();

    /** Content hash: equal hashes mean the same plugin, so a reload leaves it as it is. */
    String hash();

    /** Whether to load it before the reload lock is taken: worth it for a file (read, verified, compiled). */
    boolean loadsAhead();

    /** Loads it, not started. @throws RuntimeException ({@code PandoException} mostly) why it cannot be */
    LoadedPlugin load(PluginLoader loader);

    /** The manifest it claims, read without loading it: names a candidate that failed to load. */
    Optional<PluginManifest> claimedManifest(PluginLoader loader);

    /** A {@code .jar} or {@code .wasm} in the plugins directory. */
    record PluginFile(Path path, String hash) implements PluginCandidate {
        @Override
        public String name() {
            return path.getFileName().toString();
        }

        @Override
        public boolean loadsAhead() {
            return true;
        }

        @Override
        public LoadedPlugin load(PluginLoader loader) {
            return loader.load(path);
        }

        @Override
        public Optional<PluginManifest> claimedManifest(PluginLoader loader) {
            return loader.readManifest(path);
        }
    }

    /** A plugin compiled into the node; its hash is that of its manifest, fixed for the process. */
    record BuiltinPlugin(Builtin builtin, String hash) implements PluginCandidate {
        /** How builtins are named where a plugin file's name would be: {@code builtin:journal}. */
        static final String PREFIX = "builtin:";

        static BuiltinPlugin of(Builtin builtin) {
            return new BuiltinPlugin(builtin, PREFIX + PluginFiles.sha256Hex(builtin.manifestBytes()));
        }

        @Override
        public String name() {
            return PREFIX + builtin.id();
        }

        @Override
        public boolean loadsAhead() {
            return false;
        }

        @Override
        public LoadedPlugin load(PluginLoader loader) {
            return loader.loadBuiltin(name(), builtin.id(), builtin.manifestBytes(), builtin.factory());
        }

        @Override
        public Optional<PluginManifest> claimedManifest(PluginLoader loader) {
            // A builtin that fails is named by its id already; its manifest is what failed.
            return Optional.empty();
        }
    }
}
