package dev.pando.builtin.federation;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
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
 * Applies changes from a peer: only inside what the peer owns and never of a node's own
 * bookkeeping ({@link Internal}), never a change of this node's own, and never one already
 * applied. "Already applied" is read from the key itself: an entry from the same origin at the
 * same or a later origin revision, so a batch sent twice (a resume after a crash) changes
 * nothing the second time. The one exception is a {@link Sweep} retraction, a
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
            if (!allowed.test(c.key()) || Internal.is(c.key())) {
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
        if (fresh.isEmpty()) {
            return new Result(0, skipped, rejected);
        }
        try {
            int applied = replica.applyAll(fresh);
            return new Result(applied, skipped + fresh.size() - applied, rejected); // a delete of what is not here counts as skipped
        } catch (PandoException e) {
            if (!refusal(e)) {
                throw e; // the store is unavailable: the peer sends the batch again after a reconnect
            }
            return oneByOne(fresh, skipped, rejected, from);
        }
    }

    /**
     * Applies {@code fresh} change by change after this node refused the batch as a whole: one
     * change this node cannot take (a value over its {@code store.max-value-bytes}, a key a plugin
     * keeps private) is rejected and logged instead of stopping every change behind it, again
     * and again on every reconnect. Some of the batch may have committed before the refusal;
     * those are found held and skipped.
     */
    private Result oneByOne(List<KvChange> fresh, int skipped, int rejected, String from) {
        int applied = 0;
        for (KvChange c : fresh) {
            if (alreadyHeld(c)) {
                skipped++;
                continue;
            }
            try {
                if (replica.apply(c).isPresent()) {
                    applied++;
                } else {
                    skipped++;
                }
            } catch (PandoException e) {
                if (!refusal(e)) {
                    throw e;
                }
                rejected++;
                context.log().warn("federation: this node refused a change of '{}' from {}: {} ({}); not applied", c.key(), from,
                        e.getMessage(), e.code());
            }
        }
        return new Result(applied, skipped, rejected);
    }

    /** A refusal of the change itself, which sending it again cannot cure (not a store failure). */
    private static boolean refusal(PandoException e) {
        return e.code() == ErrorCode.TOO_LARGE || e.code() == ErrorCode.FORBIDDEN || e.code() == ErrorCode.BAD_REQUEST;
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
