package dev.pando.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.plugin.PandoPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A plugin that ships inside the node: its id, its manifest (a class-path resource, validated
 * like any plugin's) and a factory. The node hosts it exactly like a native plugin from the
 * plugins directory, through the same public API.
 */
public record Builtin(String id, String manifestResource, Supplier<PandoPlugin> factory, Map<String, JsonNode> configOverrides) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Builtin {
        configOverrides = Map.copyOf(configOverrides);
    }

    public Builtin(String id, String manifestResource, Supplier<PandoPlugin> factory) {
        this(id, manifestResource, factory, Map.of());
    }

    /**
     * This builtin with {@code overrides} laid over its manifest's {@code config} field by field:
     * how the node hands a builtin settings from its own configuration ({@code federation.*}).
     */
    public Builtin withConfig(Map<String, JsonNode> overrides) {
        return new Builtin(id, manifestResource, factory, overrides);
    }

    /** The manifest JSON, with {@link #configOverrides} in its {@code config}. */
    public byte[] manifestBytes() {
        byte[] raw = rawManifest();
        if (configOverrides.isEmpty()) {
            return raw;
        }
        try {
            ObjectNode manifest = (ObjectNode) JSON.readTree(raw);
            ObjectNode config = manifest.with("config");
            configOverrides.forEach(config::set);
            return JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] rawManifest() {
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
