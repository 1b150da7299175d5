package dev.pando.node.plugins;

import dev.pando.host.HostedPlugin;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One reload's working state, filled by the {@link ReloadPlanner} and published by the
 * {@link PluginTable}: what was serving, what the sources offer, and what changes.
 */
final class ReloadPlan {
    /** A plugin this reload loaded and started, to serve once the table is swapped. */
    record Incoming(HostedPlugin plugin, String source, String hash, Optional<String> configHash) {}

    /** With an id, the reload touches that plugin only. */
    final Optional<String> onlyId;
    final long now;
    /** Serving when the plan was made, by id. */
    final Map<String, PluginSlot> current;
    /** The names of the candidates the sources offer. */
    final Set<String> offered;
    /** Sources failing with nothing of their own serving, by candidate name. */
    final Map<String, SourceFailure> failed;
    final List<ReloadOutcome> outcomes = new ArrayList<>();
    final Map<String, Incoming> incoming = new LinkedHashMap<>();
    /** Serving plugins whose source is gone (or whose file now declares another id). */
    final List<PluginSlot> removed = new ArrayList<>();
    /** Unchanged plugins whose listener was cut off for falling behind. */
    final List<PluginSlot> resubscribe = new ArrayList<>();

    ReloadPlan(Optional<String> onlyId, long now, Map<String, PluginSlot> current, Map<String, SourceFailure> failures,
               Set<String> offered) {
        this.onlyId = onlyId;
        this.now = now;
        this.current = current;
        this.offered = offered;
        this.failed = new TreeMap<>(failures);
        failed.keySet().removeIf(name -> !offered.contains(name));
        for (PluginSlot s : current.values()) {
            if (!offered.contains(s.source()) && matches(s.id())) {
                removed.add(s);
            }
        }
    }

    boolean matches(String id) {
        return onlyId.isEmpty() || onlyId.get().equals(id);
    }

    /** Whether the handler table must change: something loads or goes. */
    boolean changesTable() {
        return !incoming.isEmpty() || !removed.isEmpty();
    }

    /** Whether the reload found anything at all to report, load or unload. */
    boolean isEmpty() {
        return outcomes.isEmpty() && !changesTable();
    }

    /** The plugin serving from the candidate named {@code source}, if any. */
    Optional<PluginSlot> servingFrom(String source) {
        return current.values().stream().filter(s -> s.source().equals(source)).findFirst();
    }

    /** A source that failed with nothing of its own serving: listed as failed until it loads or goes. */
    void failed(String source, String hash, Optional<String> id, Optional<String> version, String why) {
        SourceFailure f = new SourceFailure(source, hash, id, version, why, now);
        failed.put(source, f);
        outcomes.add(f.outcome());
    }
}
