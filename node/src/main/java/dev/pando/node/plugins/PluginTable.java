package dev.pando.node.plugins;

import dev.pando.api.manifest.OpDecl;
import dev.pando.host.HostedPlugin;
import dev.pando.host.PluginStats;
import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.HandlerTable;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.events.EventBus;
import dev.pando.node.metrics.Metrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What serves: the plugin of each id and the sources failing with nothing in their place. A
 * reload's plan is published here, into the handler table with a single swap, and the plugins
 * only the old table used are handed to {@link Retirement}. Read without a lock by listings and
 * calls; written by one reload at a time (the manager's reload lock).
 */
final class PluginTable {
    private static final Logger log = LoggerFactory.getLogger(PluginTable.class);

    private final HandlerRegistry registry;
    private final EventBus events;
    private final int listenerQueue;
    private final Retirement retirement;
    private final PluginGauges gauges;
    /** Replaced whole, never changed in place. */
    private volatile Map<String, PluginSlot> slots = Map.of();
    private volatile Map<String, SourceFailure> failures = Map.of();

    /** @param totals each id's call counts, for its gauges */
    PluginTable(HandlerRegistry registry, EventBus events, int listenerQueue, Retirement retirement, Metrics metrics,
                Function<String, PluginStats> totals) {
        this.registry = registry;
        this.events = events;
        this.listenerQueue = listenerQueue;
        this.retirement = retirement;
        this.gauges = new PluginGauges(metrics, totals, this::plugin);
    }

    /** The serving plugins, by id. */
    Map<String, PluginSlot> serving() {
        return slots;
    }

    /** The failing sources, by candidate name. */
    Map<String, SourceFailure> failures() {
        return failures;
    }

    /** The serving plugin with this id, if any. */
    Optional<HostedPlugin> plugin(String id) {
        return Optional.ofNullable(slots.get(id)).map(PluginSlot::plugin);
    }

    /** Every serving plugin (by id), then every failed source with nothing serving in its place (by name). */
    List<PluginStatus> status() {
        List<PluginStatus> out = new ArrayList<>();
        slots.values().stream().sorted(Comparator.comparing(PluginSlot::id)).map(PluginSlot::status).forEach(out::add);
        failures.values().stream().sorted(Comparator.comparing(SourceFailure::source)).map(SourceFailure::status).forEach(out::add);
        return out;
    }

    /** Makes {@code plan} what serves; a plan that changes no op keeps the live generation. */
    ReloadReport apply(ReloadPlan plan, long loadMillis) {
        if (!plan.changesTable()) {
            // Nothing to publish: keep the live generation rather than retiring an identical table.
            settle(plan.current, Set.of(), plan);
            failures = Map.copyOf(plan.failed);
            return new ReloadReport(registry.current().generation(), plan.outcomes, loadMillis, 0);
        }
        return publish(plan, loadMillis);
    }

    /** Swaps in one table with the plan's changes, then retires what only the old one used. */
    private ReloadReport publish(ReloadPlan plan, long loadMillis) {
        long s0 = System.nanoTime();
        HandlerTable retired;
        try {
            retired = registry.swap(b -> {
                plan.removed.forEach(s -> b.removeOwner(s.id()));
                for (ReloadPlan.Incoming c : plan.incoming.values()) {
                    b.removeOwner(c.plugin().id());
                    b.addAll(specs(c.plugin()));
                }
                return b;
            });
        } catch (IllegalArgumentException e) {
            // An op clash (only possible with core ops) leaves the live table exactly as it was.
            plan.incoming.values().forEach(c -> c.plugin().close());
            plan.outcomes.add(new ReloadOutcome.Failed(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    "new handler table refused: " + e.getMessage()));
            failures = Map.copyOf(plan.failed);
            return new ReloadReport(registry.current().generation(), plan.outcomes, loadMillis, 0);
        }
        long swapMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - s0);

        Map<String, PluginSlot> next = new TreeMap<>(plan.current);
        List<PluginSlot> retiring = new ArrayList<>(plan.removed);
        for (PluginSlot s : plan.removed) {
            next.remove(s.id());
            plan.outcomes.add(ReloadOutcome.unloaded(s.id(), s.source(), s.version()));
            s.closeListener();
        }
        for (ReloadPlan.Incoming c : plan.incoming.values()) {
            String id = c.plugin().id();
            String version = c.plugin().manifest().version();
            PluginSlot old = next.get(id);
            ReloadOutcome o = old == null ? ReloadOutcome.loaded(id, c.source(), version)
                    : ReloadOutcome.replaced(id, c.source(), version, old.version());
            if (old != null) {
                retiring.add(old);
                old.closeListener();
            }
            Optional<PluginListener> listener = PluginListener.start(c.plugin(), events, listenerQueue);
            gauges.register(id);
            next.put(id, new PluginSlot(c.plugin(), c.source(), c.hash(), c.configHash(), listener, plan.now, o, plan.now));
            plan.outcomes.add(o);
        }
        settle(next, plan.incoming.keySet(), plan);
        failures = Map.copyOf(plan.failed);
        if (!retiring.isEmpty()) {
            retirement.retire(retired, retiring);
        }
        ReloadReport report = new ReloadReport(registry.current().generation(), plan.outcomes, loadMillis, swapMicros);
        logReport(report);
        return report;
    }

    /**
     * Publishes the slots after a reload: listeners cut off for falling behind are subscribed
     * again, and each serving plugin records how this reload went for it. A failed new version
     * is shown on the version that keeps serving until a reload finds that version's file back
     * in place (unchanged) with nothing else failing for the id.
     */
    private void settle(Map<String, PluginSlot> serving, Set<String> justLoaded, ReloadPlan plan) {
        Map<String, PluginSlot> next = new TreeMap<>(serving);
        for (PluginSlot s : plan.resubscribe) {
            s.closeListener();
            next.put(s.id(), s.withListener(PluginListener.start(s.plugin(), events, listenerQueue)));
            log.info("plugin {}: listener resubscribed after falling behind", s.id());
        }
        Set<String> failedIds = new HashSet<>();
        plan.outcomes.stream().filter(o -> o.action() == PluginState.FAILED).forEach(o -> o.id().ifPresent(failedIds::add));
        for (ReloadOutcome o : plan.outcomes) {
            Optional<PluginSlot> slot = o.id().filter(id -> !justLoaded.contains(id)).map(next::get);
            if (slot.isEmpty()) {
                continue;
            }
            PluginSlot s = slot.get();
            boolean failedBefore = s.lastResult().action() == PluginState.FAILED;
            if (o.action() == PluginState.FAILED || (o.action() == PluginState.UNCHANGED && failedBefore && !failedIds.contains(s.id()))) {
                next.put(s.id(), s.withResult(o, plan.now));
            }
        }
        slots = Map.copyOf(next);
    }

    /**
     * Unloads every plugin: their ops leave the table, in-flight calls drain (bounded), then
     * each is stopped and released.
     */
    void unloadAll() {
        Map<String, PluginSlot> all = slots;
        if (!all.isEmpty()) {
            HandlerTable retired = registry.swap(b -> {
                all.keySet().forEach(b::removeOwner);
                return b;
            });
            all.values().forEach(PluginSlot::closeListener);
            retirement.drain(retired);
            all.values().forEach(s -> s.plugin().close());
        }
        slots = Map.of();
    }

    /**
     * A plugin's ops are INLINE: the handler only admits the call to the plugin's own queue and
     * threads (never blocking), so plugin code never occupies the node's worker pool and core
     * ops never wait behind it.
     */
    private static List<OpSpec> specs(HostedPlugin plugin) {
        List<OpSpec> specs = new ArrayList<>();
        for (OpDecl op : plugin.manifest().ops()) {
            String name = op.name();
            specs.add(OpSpec.inline(name, op.scope(), plugin.id(),
                    (ctx, args) -> plugin.submit(name, args, new NodeCaller(ctx.principal()))));
        }
        return specs;
    }

    private static void logReport(ReloadReport r) {
        for (ReloadOutcome o : r.outcomes()) {
            switch (o.action()) {
                case FAILED -> log.error("plugin {} ({}) failed to load: {}", o.id().orElse("?"), o.file().orElse(null), o.error().orElse(""));
                case UNCHANGED -> { }
                default -> log.info("plugin {} {} {}{}", o.id().orElse("?"), o.action().reportName(), o.version().orElse(""),
                        o.previousVersion().map(v -> " (was " + v + ")").orElse(""));
            }
        }
    }
}
