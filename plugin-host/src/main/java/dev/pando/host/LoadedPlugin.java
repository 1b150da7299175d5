package dev.pando.host;

import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.PandoPlugin;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A plugin file turned into runnable code, not yet started.
 *
 * @param signer    fingerprint of the signing key, or null when loaded unsigned
 * @param resources released when the plugin is retired (PF4J classloader, WASM instances)
 */
public record LoadedPlugin(Path file, PluginKind kind, String signer,
                           PluginManifest manifest, PandoPlugin plugin, AutoCloseable resources) {

    public LoadedPlugin {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(plugin, "plugin");
        Objects.requireNonNull(resources, "resources");
    }

    public String id() {
        return manifest.id();
    }
}
