package dev.pando.host;

import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.PandoPlugin;
import java.util.Objects;
import java.util.Optional;

/**
 * A plugin turned into runnable code, not yet started.
 *
 * @param source    how reports name where it came from: the plugin file's name, or
 *                  {@code builtin:<id>} for a plugin compiled into the node
 * @param signer    fingerprint of the signing key; empty when loaded unsigned (and for builtins)
 * @param resources released when the plugin is retired (PF4J classloader, WASM instances)
 */
public record LoadedPlugin(String source, PluginKind kind, Optional<String> signer,
                           PluginManifest manifest, PandoPlugin plugin, AutoCloseable resources) {

    public LoadedPlugin {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(plugin, "plugin");
        Objects.requireNonNull(resources, "resources");
    }

    public String id() {
        return manifest.id();
    }
}
