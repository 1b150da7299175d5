package dev.pando.node.plugins;

import dev.pando.api.manifest.ManifestCaps;
import dev.pando.host.PluginLoader;
import dev.pando.node.config.NodeConfig;

/** Builds the plugin loader from the node's {@code plugins.*} settings. */
public final class PluginLoaders {
    private PluginLoaders() {}

    public static PluginLoader fromConfig(NodeConfig config) {
        return new PluginLoader(caps(config));
    }

    static ManifestCaps caps(NodeConfig config) {
        return new ManifestCaps(config.get(NodeConfig.MAX_MEMORY_PAGES), config.get(NodeConfig.MAX_CALL_TIMEOUT_MS),
                config.get(NodeConfig.MAX_INSTANCES));
    }
}
