package dev.pando.host;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestCaps;
import dev.pando.host.pf4j.NativePlugin;
import dev.pando.host.pf4j.NativePluginLoader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns a plugin file into a {@link LoadedPlugin}: check its signature against the node's
 * trust settings, read and validate its manifest, load its code. Nothing is started here.
 */
public class PluginLoader {
    private final ManifestCaps caps;
    private final NativePluginLoader natives = new NativePluginLoader();

    public PluginLoader(ManifestCaps caps) {
        this.caps = caps;
    }

    /** Loads {@code file}, or throws a {@link PandoException} saying why it cannot be. */
    public LoadedPlugin load(Path file) {
        String hash;
        try {
            hash = PluginFiles.contentHash(file);
        } catch (IOException e) {
            throw new PandoException(ErrorCode.BAD_REQUEST, "cannot read " + file.getFileName() + ": " + e.getMessage());
        }
        return switch (PluginFiles.kindOf(file)) {
            case NATIVE -> loadNative(file, hash);
            case WASM -> throw new PandoException(ErrorCode.BAD_REQUEST, "WASM plugins are not wired yet");
        };
    }

    private LoadedPlugin loadNative(Path file, String hash) {
        NativePlugin plugin = natives.load(file, caps);
        return new LoadedPlugin(file, PluginKind.NATIVE, hash, null, plugin.manifest(), plugin.plugin(), plugin);
    }
}
