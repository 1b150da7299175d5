package dev.pando.host.pf4j;

import dev.pando.api.manifest.PluginManifest;
import org.pf4j.DefaultPluginDescriptor;
import org.pf4j.Plugin;

/** The PF4J descriptor of a native plugin, carrying the validated manifest it was built from. */
final class PandoDescriptor extends DefaultPluginDescriptor {
    private final PluginManifest manifest;

    PandoDescriptor(PluginManifest manifest) {
        // No plugin class of the author's: PF4J instantiates the base org.pf4j.Plugin, whose
        // lifecycle does nothing. The plugin's behaviour lives in its PandoPlugin extension,
        // which the host starts and stops itself. "*": no constraint on the host's version.
        super(manifest.id(), manifest.description(), Plugin.class.getName(), manifest.version(), "*", null, null);
        this.manifest = manifest;
    }

    PluginManifest manifest() {
        return manifest;
    }
}
