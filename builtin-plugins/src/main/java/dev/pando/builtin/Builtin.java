package dev.pando.builtin;

import dev.pando.api.plugin.PandoPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * A plugin that ships inside the node: its id, its manifest (a class-path resource, validated
 * like any plugin's) and a factory. The node hosts it exactly like a native plugin from the
 * plugins directory, through the same public API.
 */
public record Builtin(String id, String manifestResource, Supplier<PandoPlugin> factory) {

    /** The manifest JSON. */
    public byte[] manifestBytes() {
        try (InputStream in = Builtin.class.getClassLoader().getResourceAsStream(manifestResource)) {
            if (in == null) {
                throw new IllegalStateException("builtin '" + id + "' has no manifest at " + manifestResource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
