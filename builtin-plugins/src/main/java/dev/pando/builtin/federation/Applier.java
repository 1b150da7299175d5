package dev.pando.builtin.federation;

import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.PluginContext;
import dev.pando.api.plugin.Replica;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Applies changes from a peer: only inside what the peer owns, never a change of this node's own,
 * and never one already applied. "Already applied" is read from the key itself: an entry from the
 * same origin at the same or a later origin revision, so a batch sent twice (a resume after a
 * crash) changes nothing the second time. The one exception is a {@link Sweep} retraction, a
 * delete at exactly the origin revision of the value held: no origin makes both at one revision.
 */
final class Applier {
    private final PluginContext context;
    private final Replica replica;

    Applier(PluginContext context) {
        this.context = context;
        this.replica = context.replica();
    }

    /** Counts of one batch. */
    record Result(int applied, int skipped, int rejected) {}

    /** Applies what {@code allowed} accepts of {@code changes} from peer {@code from}, in order. */
    Result apply(List<KvChange> changes, Predicate<String> allowed, String from) {
        int skipped = 0;
        int rejected = 0;
        List<KvChange> fresh = new ArrayList<>(changes.size());
        Map<String, KvChange> newestInBatch = new HashMap<>();
        for (KvChange c : changes) {
            if (!allowed.test(c.key())) {
                rejected++;
                context.log().warn("federation: {} sent a change of '{}', which it may not; not applied", from, c.key());
                continue;
            }
            KvChange before = newestInBatch.get(c.key());
            boolean stale = before != null ? supersedes(before.origin(), before.originRevision(), before.isDelete(), c) : alreadyHeld(c);
            if (c.origin().equals(replica.nodeId()) || stale) {
                skipped++;
                continue;
            }
            newestInBatch.put(c.key(), c);
            fresh.add(c);
        }
        int applied = fresh.isEmpty() ? 0 : replica.applyAll(fresh);
        return new Result(applied, skipped + fresh.size() - applied, rejected); // a delete of what is not here counts as skipped
    }

    private boolean alreadyHeld(KvChange c) {
        Optional<KvEntry> current = context.kv().get(c.key());
        return current.isPresent() && supersedes(current.get().origin(), current.get().originRevision(), false, c);
    }

    /** Whether a version of the key from {@code origin} at {@code originRevision} makes {@code c} stale. */
    static boolean supersedes(String origin, long originRevision, boolean isDelete, KvChange c) {
        if (!origin.equals(c.origin())) {
            return false;
        }
        boolean retractsIt = originRevision == c.originRevision() && c.isDelete() && !isDelete;
        return originRevision >= c.originRevision() && !retractsIt;
    }
}
