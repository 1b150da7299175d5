package dev.pando.node.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.manifest.ManifestCaps;
import dev.pando.builtin.Builtin;
import dev.pando.builtin.Builtins;
import dev.pando.host.PluginLoader;
import dev.pando.host.wasm.GuestMemoryBudget;
import dev.pando.host.wasm.ModuleLimits;
import dev.pando.host.wasm.WasmOptions;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.metrics.Metrics;
import dev.pando.signing.KeyFormatException;
import dev.pando.signing.TrustedKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the plugin loader from the node's {@code plugins.*} settings. */
public final class PluginLoaders {
    private static final Logger log = LoggerFactory.getLogger(PluginLoaders.class);
    private PluginLoaders() {}

    public static PluginLoader fromConfig(NodeConfig config) {
        PluginLoader.Settings settings = settings(config);
        warnIfNothingTrusted(settings.trustedKeys());
        return new PluginLoader(settings);
    }

    /**
     * Without trusted keys no signed WASM plugin loads, and each refusal alone would not say why;
     * one warning at startup does. The keys are re-read on every reload, so this is only a hint.
     */
    private static void warnIfNothingTrusted(Optional<Path> configured) {
        String key = PluginLoader.TRUSTED_KEYS_KEY;
        if (configured.isEmpty()) {
            log.warn("{} is not set: no trusted keys, so no signed WASM plugin will load. Point {} at a file or folder of "
                    + "the signers' public keys (*.pub)", key, key);
            return;
        }
        Path keys = configured.get();
        try {
            if (TrustedKeys.load(keys).isEmpty()) {
                log.warn("{} = {} holds no keys: no trusted keys, so no signed WASM plugin will load", key, keys);
            }
        } catch (IOException | KeyFormatException | IllegalArgumentException e) {
            log.warn("{} = {} cannot be read ({}): no signed WASM plugin will load until it can", key, keys, e.getMessage());
        }
    }

    /** Node-wide series of the loader's guest memory budget. */
    public static void registerGauges(PluginLoader loader, Metrics metrics) {
        GuestMemoryBudget budget = loader.settings().wasm().memoryBudget();
        metrics.gauge("pando_guest_memory_bytes", "Linear memory held by all WASM instances on the node", budget::usedBytes);
        metrics.gauge("pando_guest_memory_budget_bytes", "The node's guest memory budget (" + GuestMemoryBudget.KEY + ")",
                budget::limitBytes);
        metrics.gauge("pando_guest_memory_refusals", "memory.grow calls and new instances refused for lack of guest memory budget",
                budget::refusals);
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
            if (b.equals(Builtins.FEDERATION)) {
                throw new IllegalArgumentException("config key 'plugins.builtins': federation is enabled with federation.mode (hub or leaf), not listed");
            }
            out.add(b);
        }
        String mode = config.get(NodeConfig.FEDERATION_MODE);
        if (!mode.equals("off")) {
            out.add(Builtins.FEDERATION.withConfig(federationConfig(config, mode)));
        }
        return out;
    }

    /** The {@code federation.*} keys as the federation builtin's config. */
    private static Map<String, JsonNode> federationConfig(NodeConfig config, String mode) {
        if (!mode.equals("hub") && !mode.equals("leaf")) {
            throw new IllegalArgumentException("config key 'federation.mode' must be off, hub or leaf, got '" + mode + "'");
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        Map<String, JsonNode> c = new LinkedHashMap<>();
        c.put("mode", f.textNode(mode));
        c.put("hub", f.textNode(config.get(NodeConfig.FEDERATION_HUB)));
        c.put("namespaces", f.textNode(config.get(NodeConfig.FEDERATION_NAMESPACES)));
        c.put("interests", f.textNode(config.get(NodeConfig.FEDERATION_INTERESTS)));
        c.put("trusted_peers", f.textNode(config.get(NodeConfig.FEDERATION_TRUSTED_PEERS)));
        c.put("token", f.textNode(config.get(NodeConfig.FEDERATION_TOKEN)));
        c.put("batch_size", f.numberNode(config.get(NodeConfig.FEDERATION_BATCH_SIZE)));
        c.put("max_patterns", f.numberNode(config.get(NodeConfig.FEDERATION_MAX_PATTERNS)));
        c.put("max_peers", f.numberNode(config.get(NodeConfig.FEDERATION_MAX_PEERS)));
        c.put("pull_wait_ms", f.numberNode(config.get(NodeConfig.FEDERATION_PULL_WAIT_MS)));
        c.put("peer_timeout_ms", f.numberNode(config.get(NodeConfig.FEDERATION_PEER_TIMEOUT_MS)));
        c.put("sync_interval_ms", f.numberNode(config.get(NodeConfig.FEDERATION_SYNC_INTERVAL_MS)));
        c.put("max_vector_entries", f.numberNode(config.get(NodeConfig.FEDERATION_MAX_VECTOR_ENTRIES)));
        c.put("reconnect_initial_ms", f.numberNode(config.get(NodeConfig.FEDERATION_RECONNECT_INITIAL_MS)));
        c.put("reconnect_max_ms", f.numberNode(config.get(NodeConfig.FEDERATION_RECONNECT_MAX_MS)));
        c.put("reconnect_max_attempts", f.numberNode(config.get(NodeConfig.FEDERATION_RECONNECT_MAX_ATTEMPTS)));
        return c;
    }

    static PluginLoader.Settings settings(NodeConfig config) {
        String keys = config.get(NodeConfig.TRUSTED_KEYS);
        String engine = config.get(NodeConfig.WASM_ENGINE);
        if (!engine.equals("compiler") && !engine.equals("interpreter")) {
            throw new IllegalArgumentException("config key 'plugins.wasm-engine' must be compiler or interpreter, got '" + engine + "'");
        }
        ManifestCaps caps = new ManifestCaps(config.get(NodeConfig.MAX_MEMORY_PAGES), config.get(NodeConfig.MAX_CALL_TIMEOUT_MS),
                config.get(NodeConfig.MAX_INSTANCES));
        ModuleLimits limits = new ModuleLimits(config.get(NodeConfig.MAX_MODULE_BYTES), config.get(NodeConfig.MAX_FUNCTIONS),
                config.get(NodeConfig.MAX_BR_TABLE_TARGETS), config.get(NodeConfig.MAX_COMPILE_MS));
        // One budget per loader, and the node builds one loader: the budget is node-wide.
        WasmOptions wasm = WasmOptions.DEFAULT.withCompiled(engine.equals("compiler")).withMaxOutputBytes(config.get(NodeConfig.MAX_OUTPUT_BYTES))
                .withMaxJsonDepth(config.get(NodeConfig.MAX_JSON_DEPTH))
                .withModuleLimits(limits).withMemoryBudget(GuestMemoryBudget.ofMegabytes(config.get(NodeConfig.MAX_TOTAL_MEMORY_MB)));
        return new PluginLoader.Settings(caps, keys.isBlank() ? Optional.empty() : Optional.of(Path.of(keys)), config.get(NodeConfig.DEV_ALLOW_UNSIGNED),
                config.get(NodeConfig.REQUIRE_SIGNED_NATIVE), wasm);
    }
}
