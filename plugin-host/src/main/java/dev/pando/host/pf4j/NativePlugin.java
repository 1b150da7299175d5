package dev.pando.host.pf4j;

import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.PandoPlugin;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A loaded native plugin: its validated manifest and its {@link PandoPlugin} instance, in a
 * class loader of its own. The caller drives the plugin ({@code start}, calls, deliveries,
 * {@code stop}); {@link #close} then releases it without calling into it. Thread-safe.
 */
public final class NativePlugin implements AutoCloseable {
    private final Path jar;
    private final PluginManifest manifest;
    // Both cleared on close, so a closed NativePlugin that is still referenced (say in a list of
    // failed reloads) does not keep the plugin's classes alive.
    private volatile PandoPlugin plugin;
    private SingleJarPluginManager manager; // guarded by this

    NativePlugin(Path jar, PluginManifest manifest, PandoPlugin plugin, SingleJarPluginManager manager) {
        this.jar = Objects.requireNonNull(jar, "jar");
        this.manifest = Objects.requireNonNull(manifest, "manifest");
        this.plugin = Objects.requireNonNull(plugin, "plugin");
        this.manager = Objects.requireNonNull(manager, "manager");
    }

    /** The jar this plugin was loaded from. */
    public Path jar() {
        return jar;
    }

    /** The manifest, validated against the caps it was loaded with. */
    public PluginManifest manifest() {
        return manifest;
    }

    /** The plugin instance; throws {@link IllegalStateException} once closed. */
    public PandoPlugin plugin() {
        PandoPlugin current = plugin;
        if (current == null) {
            throw new IllegalStateException(this + " is closed");
        }
        return current;
    }

    /** True once {@link #close} was called. */
    public boolean isClosed() {
        return plugin == null;
    }

    /**
     * Unloads the plugin from PF4J and closes its class loader (and so its jar), so the
     * plugin's classes can be collected once the caller drops its own references to the
     * instance. Does not call {@link PandoPlugin#stop}: the caller does, after the last call.
     * Idempotent.
     */
    @Override
    public void close() {
        SingleJarPluginManager closing;
        synchronized (this) {
            closing = manager;
            manager = null;
            plugin = null;
        }
        if (closing == null) {
            return;
        }
        closing.unload();
        // The plugin API hands plugins Jackson, whose shared default TypeFactory caches the
        // types of every class mapped through a default ObjectMapper: plugin classes included.
        // Clearing it costs a few cache misses per reload and lets the old classes go.
        TypeFactory.defaultInstance().clearCache();
    }

    @Override
    public String toString() {
        return "native plugin " + manifest.id() + "@" + manifest.version() + " (" + jar.getFileName() + ")";
    }
}
