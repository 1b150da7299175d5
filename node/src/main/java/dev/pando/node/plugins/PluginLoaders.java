package dev.pando.node.plugins;

import dev.pando.api.manifest.ManifestCaps;
import dev.pando.builtin.Builtin;
import dev.pando.builtin.Builtins;
import dev.pando.host.PluginLoader;
import dev.pando.host.wasm.WasmOptions;
import dev.pando.node.config.NodeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Builds the plugin loader from the node's {@code plugins.*} settings. */
public final class PluginLoaders {
    private PluginLoaders() {}

    public static PluginLoader fromConfig(NodeConfig config) {
        return new PluginLoader(settings(config));
    }

    /** The builtins {@code plugins.builtins} enables, in its order; an unknown id is a config error. */
    public static List<Builtin> builtins(NodeConfig config) {
        List<Builtin> out = new ArrayList<>();
        for (String id : config.get(NodeConfig.BUILTINS).split(",")) {
            String name = id.strip();
            if (name.isEmpty()) {
                continue;
            }
            Builtin b = Builtins.named(name).orElseThrow(() -> new IllegalArgumentException("config key 'plugins.builtins': unknown builtin '"
                    + name + "'; known: " + Builtins.all().stream().map(Builtin::id).collect(Collectors.joining(", "))));
            if (out.contains(b)) {
                throw new IllegalArgumentException("config key 'plugins.builtins' lists '" + name + "' twice");
            }
            out.add(b);
        }
        return out;
    }

    static PluginLoader.Settings settings(NodeConfig config) {
        String keys = config.get(NodeConfig.TRUSTED_KEYS);
        String engine = config.get(NodeConfig.WASM_ENGINE);
        if (!engine.equals("compiler") && !engine.equals("interpreter")) {
            throw new IllegalArgumentException("config key 'plugins.wasm-engine' must be compiler or interpreter, got '" + engine + "'");
        }
        ManifestCaps caps = new ManifestCaps(config.get(NodeConfig.MAX_MEMORY_PAGES), config.get(NodeConfig.MAX_CALL_TIMEOUT_MS),
                config.get(NodeConfig.MAX_INSTANCES));
        WasmOptions wasm = WasmOptions.DEFAULT.withCompiled(engine.equals("compiler")).withMaxOutputBytes(config.get(NodeConfig.MAX_OUTPUT_BYTES))
                .withMaxJsonDepth(config.get(NodeConfig.MAX_JSON_DEPTH));
        return new PluginLoader.Settings(caps, keys.isBlank() ? null : Path.of(keys), config.get(NodeConfig.DEV_ALLOW_UNSIGNED),
                config.get(NodeConfig.REQUIRE_SIGNED_NATIVE), wasm);
    }
}
