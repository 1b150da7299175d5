package dev.pando.host;

import java.nio.file.Path;

/** Turns a plugin file into a {@link LoadedPlugin}: verify, read the manifest, load the code. */
public class PluginLoader {
    public LoadedPlugin load(Path file) {
        throw new UnsupportedOperationException("wired after the signing/wasm/native merges");
    }
}
