package dev.pando.node.plugins;

import dev.pando.api.PandoException;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.host.HostedPlugin;
import dev.pando.host.LoadedPlugin;
import dev.pando.host.PluginLoader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what a reload does with each candidate the sources offer, and loads and starts, off to
 * the side, every one that is new or changed (by content hash and operator config). Nothing
 * serves from here: the {@link PluginTable} publishes the plan.
 */
final class ReloadPlanner {
    private final List<PluginSource> sources;
    private final PluginLoader loader;
    private final OperatorConfig config;
    private final PluginStarter starter;

    /** @param sources consulted in this order; with neither serving, the first candidate to claim an id takes it */
    ReloadPlanner(List<PluginSource> sources, PluginLoader loader, OperatorConfig config, PluginStarter starter) {
        this.sources = List.copyOf(sources);
        this.loader = loader;
        this.config = config;
        this.starter = starter;
    }

    /**
     * Loads, into {@code preloads} and outside the reload lock, every candidate this reload would
     * load as things stand, so that a slow compile holds up no other reload.
     */
    void preload(Preloads preloads, Optional<String> onlyId, Map<String, PluginSlot> serving) {
        for (PluginCandidate c : candidates()) {
            Optional<PluginSlot> owner = serving.values().stream().filter(s -> s.source().equals(c.name())).findFirst();
            boolean skip = owner.isPresent() && (unchanged(owner.get(), c) || onlyId.filter(id -> !id.equals(owner.get().id())).isPresent());
            if (c.loadsAhead() && !skip) {
                preloads.load(c.name(), c.hash(), () -> c.load(loader));
            }
        }
    }

    /** Plans the reload (under the reload lock): what stays, what goes, and the new plugins, already started. */
    ReloadPlan plan(Optional<String> onlyId, long now, Map<String, PluginSlot> serving, Map<String, SourceFailure> failures,
                    Preloads preloads) {
        List<PluginCandidate> candidates = candidates();
        Set<String> offered = new LinkedHashSet<>();
        candidates.forEach(c -> offered.add(c.name()));
        ReloadPlan plan = new ReloadPlan(onlyId, now, serving, failures, offered);
        candidates.forEach(c -> consider(plan, c, preloads));
        return plan;
    }

    private List<PluginCandidate> candidates() {
        List<PluginCandidate> all = new ArrayList<>();
        sources.forEach(s -> all.addAll(s.candidates()));
        return all;
    }

    /** A plugin is unchanged only if its source's content and its operator config both are. */
    private boolean unchanged(PluginSlot owner, PluginCandidate c) {
        return owner.hash().equals(c.hash()) && owner.configHash().equals(config.hash(owner.id()));
    }

    /** Decides what one candidate means for this reload, loading and starting it if it changed. */
    private void consider(ReloadPlan plan, PluginCandidate c, Preloads preloads) {
        String source = c.name();
        Optional<PluginSlot> owner = plan.servingFrom(source);
        if (owner.isPresent() && unchanged(owner.get(), c)) {
            PluginSlot o = owner.get();
            if (plan.matches(o.id())) {
                plan.outcomes.add(ReloadOutcome.unchanged(o.id(), source, o.version()));
                if (o.listenerOverflowed()) {
                    plan.resubscribe.add(o);
                }
            }
            return;
        }
        if (owner.isPresent() && !plan.matches(owner.get().id())) {
            return;
        }
        if (preloads.busy(source, c.hash())) {
            // Another reload is still compiling this very file; it reports the result.
            String why = "still loading in another reload";
            if (owner.isPresent()) {
                plan.outcomes.add(keptServing(owner.get().id(), source, owner.get(), why, Optional.empty()));
            } else if (plan.onlyId.isEmpty()) {
                plan.outcomes.add(new ReloadOutcome.Failed(Optional.empty(), Optional.of(source), Optional.empty(), Optional.empty(), why));
            }
            return;
        }
        LoadedPlugin loaded;
        try {
            loaded = preloads.take(source, c.hash()).orElseGet(() -> c.load(loader));
        } catch (RuntimeException e) {
            String why = reason(e);
            // Name the plugin the file claims to be, so the report is not "id: null" for a manifest that parsed.
            Optional<PluginManifest> claimed = c.claimedManifest(loader);
            Optional<String> claimedVersion = claimed.map(PluginManifest::version);
            if (owner.isPresent()) {
                plan.outcomes.add(keptServing(owner.get().id(), source, owner.get(), why, claimedVersion));
            } else if (claimed.isEmpty() || plan.matches(claimed.get().id())) {
                // Unreadable: it may be the very plugin asked for, so a targeted reload reports it too.
                plan.failed(source, c.hash(), claimed.map(PluginManifest::id), claimedVersion, why);
            }
            return;
        }
        start(plan, c, owner, loaded);
    }

    /** Starts what {@code c} loaded, unless its id is not this reload's or another candidate holds it. */
    private void start(ReloadPlan plan, PluginCandidate c, Optional<PluginSlot> owner, LoadedPlugin loaded) {
        String source = c.name();
        String id = loaded.id();
        // The source that served 'owner' now declares another id: the owner's id is no longer
        // offered, so it goes once the new plugin serves (or, reloading only the owner's id, at
        // once), like a plugin whose file was deleted.
        Optional<PluginSlot> renamed = owner.filter(o -> !o.id().equals(id));
        if (!plan.matches(id)) {
            PluginStarter.release(loaded);
            renamed.ifPresent(plan.removed::add);
            return;
        }
        PluginSlot existing = plan.current.get(id);
        Optional<String> clash = Optional.empty();
        if (plan.incoming.containsKey(id)) {
            clash = Optional.of("plugin id '" + id + "' is also in " + plan.incoming.get(id).source());
        } else if (existing != null && !existing.source().equals(source) && plan.offered.contains(existing.source())) {
            clash = Optional.of("plugin id '" + id + "' is already served by " + existing.source());
        }
        if (clash.isPresent()) {
            PluginStarter.release(loaded);
            plan.failed(source, c.hash(), Optional.of(id), Optional.of(loaded.manifest().version()), clash.get());
            return;
        }
        try {
            HostedPlugin hosted = starter.start(loaded);
            plan.incoming.put(id, new ReloadPlan.Incoming(hosted, source, c.hash(), config.hash(id)));
            plan.failed.remove(source);
            renamed.ifPresent(plan.removed::add);
        } catch (RuntimeException e) {
            String why = reason(e);
            Optional<PluginSlot> previous = owner.or(() -> Optional.ofNullable(existing));
            if (previous.isPresent()) {
                plan.outcomes.add(keptServing(id, source, previous.get(), why, Optional.of(loaded.manifest().version())));
            } else {
                plan.failed(source, c.hash(), Optional.of(id), Optional.of(loaded.manifest().version()), why);
            }
        }
    }

    /** A failed new version while {@code serving}'s version keeps serving. */
    private static ReloadOutcome keptServing(String id, String source, PluginSlot serving, String why, Optional<String> version) {
        return new ReloadOutcome.Failed(Optional.of(id), Optional.of(source), version, Optional.of(serving.version()),
                why + " (version " + serving.version() + " keeps serving)");
    }

    private static String reason(RuntimeException e) {
        return e instanceof PandoException ? e.getMessage() : e.toString();
    }
}
