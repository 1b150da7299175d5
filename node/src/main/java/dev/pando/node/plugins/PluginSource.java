package dev.pando.node.plugins;

import java.util.List;

/**
 * Where plugins come from, apart from how a reload plans and publishes them: the
 * {@link PluginDirectory plugins directory}, and the {@link BuiltinSource builtins} compiled into
 * the node.
 */
sealed interface PluginSource permits PluginDirectory, BuiltinSource {

    /** What this source offers now, in the order a reload considers them. */
    List<PluginCandidate> candidates();
}
