package dev.pando.host.pf4j;

import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestCaps;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Builds a plugin's PF4J descriptor from the {@code pando-plugin.json} at the root of its jar,
 * so plugin authors write neither PF4J {@code MANIFEST.MF} entries nor a
 * {@code plugin.properties}. The manifest is validated here, once, against the node's caps.
 */
final class PandoDescriptorFinder implements org.pf4j.PluginDescriptorFinder {
    private final ManifestCaps caps;

    PandoDescriptorFinder(ManifestCaps caps) {
        this.caps = Objects.requireNonNull(caps, "caps");
    }

    @Override
    public boolean isApplicable(Path pluginPath) {
        return Files.isRegularFile(pluginPath);
    }

    /** Throws {@code BAD_REQUEST} when the manifest is missing or invalid. */
    @Override
    public PandoDescriptor find(Path pluginPath) {
        byte[] json = PluginJar.read(pluginPath, NativePluginLoader.MANIFEST_ENTRY, ManifestParser.MAX_MANIFEST_BYTES)
                .orElseThrow(() -> PluginJar.badRequest(pluginPath, "has no " + NativePluginLoader.MANIFEST_ENTRY + " at its root"));
        PluginManifest manifest;
        try {
            manifest = ManifestParser.parse(json, caps);
        } catch (PandoException e) {
            throw PluginJar.badRequest(pluginPath, "has an invalid " + NativePluginLoader.MANIFEST_ENTRY + ": " + e.getMessage());
        }
        return new PandoDescriptor(manifest);
    }
}
