package dev.pando.node.plugins;

import dev.pando.host.PluginLoader;
import dev.pando.node.config.NodeConfig;

/** Builds the plugin loader from the node's {@code plugins.*} settings. */
public final class PluginLoaders {
    private PluginLoaders() {}

    public static PluginLoader fromConfig(NodeConfig config) {
        return new PluginLoader();
    }
}
