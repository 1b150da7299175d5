package dev.pando.node.plugins;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.builtin.Builtin;
import dev.pando.host.CallLimits;
import dev.pando.host.HostServices;
import dev.pando.host.HostedPlugin;
import dev.pando.host.PluginLoader;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.events.EventBus;
import dev.pando.node.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keeps what the plugin sources offer (the builtins, then the plugins directory) and the handler
 * table in step. A reload loads and starts every new or changed plugin (by content hash) off to
 * the side, then publishes one new handler table with a single swap; calls already running finish
 * on the old generation, which is drained (bounded) in the background before the plugins only it
 * referenced are stopped and released. A plugin whose new version fails keeps its old version
 * serving and is reported with the reason.
 *
 * <p>The parts: {@link PluginSource}s say where plugins come from, the {@link ReloadPlanner}
 * decides and starts, the {@link PluginTable} publishes and lists, {@link Retirement} stops what
 * was replaced. Files are read, verified and compiled before the reload lock is taken
 * ({@link Preloads}), so a slow compile holds up no other reload; only starting and publishing
 * are serialized.
 */
public final class PluginManager implements AutoCloseable {
    private final Path dir;
    private final ReloadPlanner planner;
    private final PluginStarter starter;
    private final PluginTable table;
    private final Retirement retirement;
    /** Stamps each reload: when its plugins loaded, when a result was recorded. */
    private final Clock clock;
    private final Object reloadLock = new Object();
    /** Candidates some reload is loading outside the lock right now, with the content hash it is loading. */
    private final Map<String, String> loading = new ConcurrentHashMap<>();
    /** Set under the reload lock; read without it only to skip loading ahead for a closed manager. */
    private volatile boolean closed;

    public PluginManager(Path dir, PluginLoader loader, HostServices host, HandlerRegistry registry, EventBus events,
                         int listenerQueue, long drainMs, Clock clock, Metrics metrics) {
        this(dir, List.of(), loader, host, registry, events, listenerQueue, drainMs, clock, metrics);
    }

    /**
     * @param builtins plugins compiled into the node, served beside the directory's, each named
     *                 {@code builtin:<id>} where a file name would be
     */
    public PluginManager(Path dir, List<Builtin> builtins, PluginLoader loader, HostServices host, HandlerRegistry registry,
                         EventBus events, int listenerQueue, long drainMs, Clock clock, Metrics metrics) {
        this(dir, builtins, loader, host, registry, events, listenerQueue, drainMs, clock, metrics, CallLimits.DEFAULT);
    }

    /** @param callLimits how each plugin's calls queue ({@code plugins.call-queue}) */
    public PluginManager(Path dir, List<Builtin> builtins, PluginLoader loader, HostServices host, HandlerRegistry registry,
                         EventBus events, int listenerQueue, long drainMs, Clock clock, Metrics metrics, CallLimits callLimits) {
        this.dir = dir;
        this.clock = clock;
        OperatorConfig config = new OperatorConfig(dir);
        this.starter = new PluginStarter(host, config, clock, callLimits);
        // Builtins first: with neither serving yet, a directory plugin cannot take a builtin's id.
        this.planner = new ReloadPlanner(List.of(BuiltinSource.of(builtins), new PluginDirectory(dir)), loader, config, starter);
        this.retirement = new Retirement(registry, drainMs);
        this.table = new PluginTable(registry, events, listenerQueue, retirement, metrics, starter::stats);
    }

    /** The plugins directory. */
    public Path directory() {
        return dir;
    }

    /** Rescans every source: loads new plugins, replaces changed ones, unloads removed ones. */
    public ReloadReport reload() {
        return reload(Optional.empty());
    }

    /**
     * Like {@link #reload()}, but only the plugin with this id is loaded, replaced or unloaded;
     * every other plugin is left as it is.
     */
    public ReloadReport reload(String onlyId) {
        return reload(Optional.of(Objects.requireNonNull(onlyId, "onlyId")));
    }

    private ReloadReport reload(Optional<String> onlyId) {
        long t0 = System.nanoTime();
        // Reading, verifying and compiling happen before the lock, so a slow compile holds up
        // no other reload; under the lock the plan is made again from what is serving by then.
        try (Preloads preloads = new Preloads(loading)) {
            if (!closed) {
                planner.preload(preloads, onlyId, table.serving());
            }
            synchronized (reloadLock) {
                if (closed) {
                    throw new PandoException(ErrorCode.UNAVAILABLE, "the node is shutting down");
                }
                ReloadPlan plan = planner.plan(onlyId, clock.millis(), table.serving(), table.failures(), preloads);
                if (onlyId.isPresent() && plan.isEmpty()) {
                    // Asked for one plugin and found nothing of it: say so rather than report nothing and succeed.
                    plan.outcomes.add(new ReloadOutcome.Failed(onlyId, Optional.empty(), Optional.empty(), Optional.empty(),
                            "no plugin with id '" + onlyId.get() + "' is serving or in " + dir));
                }
                return table.apply(plan, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
        }
    }

    /**
     * Waits until plugins replaced or removed by earlier reloads have drained and been closed.
     * Returns false on timeout.
     */
    public boolean awaitRetired(long timeout, TimeUnit unit) throws InterruptedException {
        CompletableFuture<Void> pending;
        synchronized (reloadLock) {
            pending = retirement.pending();
        }
        return Retirement.await(pending, timeout, unit);
    }

    /** Every serving plugin (by id), then every failed source with nothing serving in its place. */
    public List<PluginStatus> status() {
        return table.status();
    }

    /** The serving plugin with this id, if any. */
    public Optional<HostedPlugin> plugin(String id) {
        return table.plugin(id);
    }

    /**
     * Unloads every plugin: their ops leave the table, in-flight calls drain (bounded), then
     * each is stopped and released. Later reloads are refused {@code UNAVAILABLE}.
     */
    @Override
    public void close() {
        synchronized (reloadLock) {
            if (closed) {
                return;
            }
            closed = true;
            retirement.pending().join();
            table.unloadAll();
            retirement.close();
            starter.close();
        }
    }
}
