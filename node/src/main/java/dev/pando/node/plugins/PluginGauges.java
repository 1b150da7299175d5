package dev.pando.node.plugins;

import dev.pando.host.HostedPlugin;
import dev.pando.host.PluginStats;
import dev.pando.host.wasm.WasmPlugin;
import dev.pando.node.metrics.Metrics;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Per-plugin series, read at scrape time: the call counts from the id's totals, which run on
 * across replacements and unloads (so they never reset while the node runs), and the queue and
 * memory of whichever version serves the id then.
 */
final class PluginGauges {
    private final Metrics metrics;
    private final Function<String, PluginStats> totals;
    private final Function<String, Optional<HostedPlugin>> serving;

    PluginGauges(Metrics metrics, Function<String, PluginStats> totals, Function<String, Optional<HostedPlugin>> serving) {
        this.metrics = metrics;
        this.totals = totals;
        this.serving = serving;
    }

    /** Registers the series of {@code id} (again, when it is replaced: the same series). */
    void register(String id) {
        gauge("pando_plugin_calls", "Calls to the plugin's ops", id, PluginStats::calls);
        gauge("pando_plugin_errors", "Plugin calls that ended in an error", id, PluginStats::errors);
        gauge("pando_plugin_timeouts", "Plugin calls cut off at the call time limit", id, PluginStats::timeouts);
        gauge("pando_plugin_failures", "Plugin calls that trapped or threw", id, PluginStats::failures);
        gauge("pando_plugin_deliveries", "Changes and events delivered to the plugin's listener", id, PluginStats::deliveries);
        gauge("pando_plugin_busy", "Plugin calls refused UNAVAILABLE without running: instances and queue full, or limit passed while queued",
                id, PluginStats::busy);
        metrics.gauge("pando_plugin_waiting", "Calls waiting for a free plugin instance",
                () -> serving.apply(id).map(p -> (long) p.waitingCalls()).orElse(0L), "plugin", id);
        metrics.gauge("pando_plugin_memory_bytes", "Linear memory held by the plugin's WASM instances", () -> serving.apply(id)
                .map(p -> p.loaded().plugin() instanceof WasmPlugin w ? w.stats().memoryBytes() : 0L).orElse(0L), "plugin", id);
    }

    private void gauge(String name, String help, String id, ToLongFunction<PluginStats> read) {
        PluginStats stats = totals.apply(id);
        metrics.gauge(name, help, () -> read.applyAsLong(stats), "plugin", id);
    }
}
