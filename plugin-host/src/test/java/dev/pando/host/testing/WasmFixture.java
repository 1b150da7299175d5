package dev.pando.host.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.wasm.WasmOptions;
import dev.pando.host.wasm.WasmPlugin;

/**
 * A started {@link WasmPlugin} over its own {@link MemoryHostServices}, through the real
 * {@link dev.pando.host.HostContext} and scoped KV view.
 */
public record WasmFixture(WasmPlugin plugin, MemoryHostServices services) implements AutoCloseable {

    /** Loads and starts the bundled module {@code name} with its bundled manifest. */
    public static WasmFixture start(String name, WasmOptions options) {
        return start(TestHost.manifest(Wat.manifestJson(name)), Wat.module(name), options);
    }

    public static WasmFixture start(PluginManifest manifest, byte[] wasm, WasmOptions options) {
        MemoryHostServices services = TestHost.services();
        WasmPlugin plugin = WasmPlugin.load(manifest, wasm, options);
        plugin.start(TestHost.context(manifest, services));
        return new WasmFixture(plugin, services);
    }

    /** Calls {@code <pluginId>.<verb>} with {@code argsJson} as an admin. */
    public JsonNode call(String verb, String argsJson) {
        return plugin.call(TestHost.call(plugin.manifest().id() + "." + verb, argsJson));
    }

    @Override
    public void close() {
        plugin.close();
    }
}
