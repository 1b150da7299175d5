package dev.pando.node.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.host.CallLimits;
import dev.pando.host.CallWatchdog;
import dev.pando.host.HostContext;
import dev.pando.host.HostServices;
import dev.pando.host.HostedPlugin;
import dev.pando.host.LoadedPlugin;
import dev.pando.host.PluginKind;
import dev.pando.host.PluginStats;
import dev.pando.host.kv.WriteBudget;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts loaded plugins on the node's host: each gets its operator config, its write budget and
 * the call counts of its id, and every one shares the call watchdog.
 */
final class PluginStarter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginStarter.class);

    private final HostServices host;
    private final OperatorConfig config;
    private final Clock clock;
    private final CallLimits callLimits;
    private final CallWatchdog watchdog = new CallWatchdog();
    /** Per-id call counts, shared by every version of an id so they survive replacement. */
    private final Map<String, PluginStats> totals = new ConcurrentHashMap<>();

    PluginStarter(HostServices host, OperatorConfig config, Clock clock, CallLimits callLimits) {
        this.host = host;
        this.config = config;
        this.clock = clock;
        this.callLimits = callLimits;
    }

    /**
     * Starts {@code loaded}; if it cannot start, its resources are released.
     *
     * @throws RuntimeException why not (its operator config is not a JSON object, or {@code start} failed)
     */
    HostedPlugin start(LoadedPlugin loaded) {
        JsonNode operatorConfig;
        try {
            operatorConfig = config.read(loaded.id()).orElseGet(JsonNodeFactory.instance::objectNode);
        } catch (RuntimeException e) {
            release(loaded);
            throw e;
        }
        // Builtins have no write budget: the journal's volume follows the node's own writes
        // and the rules bound theirs (cascade depth, intervals, action counts).
        WriteBudget.Limits writes = loaded.kind() == PluginKind.BUILTIN ? WriteBudget.Limits.UNLIMITED : host.writeLimits();
        HostContext context = new HostContext(loaded.manifest(), host, operatorConfig, clock, writes);
        return HostedPlugin.start(loaded, context, watchdog, callLimits, stats(loaded.id()));
    }

    /** The call counts of an id, from its first load on. */
    PluginStats stats(String id) {
        return totals.computeIfAbsent(id, k -> new PluginStats());
    }

    /** Releases a plugin that was loaded but will not be started. */
    static void release(LoadedPlugin loaded) {
        try {
            loaded.resources().close();
        } catch (Exception e) {
            log.warn("releasing {} failed: {}", loaded.source(), e.toString());
        }
    }

    @Override
    public void close() {
        watchdog.close();
    }
}
