package dev.pando.node.plugins;

import dev.pando.builtin.Builtin;
import java.util.List;

/** The builtins {@code plugins.builtins} enables: fixed for the process, since a builtin changes only with the node. */
record BuiltinSource(List<PluginCandidate> candidates) implements PluginSource {

    BuiltinSource {
        candidates = List.copyOf(candidates);
    }

    static BuiltinSource of(List<Builtin> builtins) {
        return new BuiltinSource(builtins.stream().<PluginCandidate>map(PluginCandidate.BuiltinPlugin::of).toList());
    }
}
