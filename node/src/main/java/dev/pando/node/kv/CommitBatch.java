package dev.pando.node.kv;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvChange;
import dev.pando.node.kv.Queued.AtomicGroup;
import dev.pando.node.kv.Queued.PendingWrite;
import dev.pando.node.kv.Queued.Single;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One storage batch as the commit thread builds it: each queued write is checked against storage
 * plus the batch's earlier writes, and those that hold are numbered from the last persisted
 * revision and encoded as mutations. A write that fails its check takes no revision; an
 * {@link AtomicGroup} whose checks do not all hold adds nothing at all. Commit thread only.
 */
final class CommitBatch {
    final List<Queued> items;
    /** Per item: why it was refused, or null. */
    final PandoException[] rejected;
    /** Per {@link Single} that holds: its change (a group's are in its {@code committed}). */
    final KvChange[] committed;
    final List<Storage.Mutation> mutations;
    private final Storage storage;
    private final long timestamp;
    /** The keys some write of the batch checks (a delete or compare-and-set); null when none does. */
    private final Set<String> checked;
    /**
     * For the {@code checked} keys only: the revision after the earlier writes of this batch (0 =
     * absent). Other keys are never looked up, and keeping them cost the commit thread a map
     * insert per write.
     */
    private final Map<String, Long> pending = new HashMap<>();
    private long revision;
    /** The revision of the batch's last published write, 0 if it has none. */
    private long lastChangeRevision;
    private boolean sync;

    CommitBatch(Storage storage, List<Queued> items, long lastRevision, long timestamp, boolean sync) {
        this.storage = storage;
        this.items = items;
        this.timestamp = timestamp;
        this.revision = lastRevision;
        this.sync = sync;
        this.rejected = new PandoException[items.size()];
        this.committed = new KvChange[items.size()];
        this.mutations = new ArrayList<>(items.stream().mapToInt(Queued::size).sum());
        this.checked = checkedKeys(items);
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof AtomicGroup g) {
                rejected[i] = stageGroup(g);
            } else {
                stageSingle(i, ((Single) items.get(i)).write());
            }
        }
    }

    /** The revision of the batch's last write: the last persisted one if nothing holds. */
    long lastRevision() {
        return revision;
    }

    /** The revision of the batch's last published write; 0 if every write of it is unpublished or refused. */
    long lastChangeRevision() {
        return lastChangeRevision;
    }

    /** Whether the WAL must be fsynced: the store's default, or a write of the batch asked. */
    boolean sync() {
        return sync;
    }

    private static Set<String> checkedKeys(List<Queued> items) {
        Set<String> keys = null;
        for (Queued q : items) {
            List<PendingWrite> writes = q instanceof AtomicGroup g ? g.writes() : q instanceof Single s ? List.of(s.write()) : List.of();
            for (PendingWrite w : writes) {
                if (w.needsCheck()) {
                    keys = keys == null ? new HashSet<>() : keys;
                    keys.add(w.key());
                }
            }
        }
        return keys;
    }

    /** Whether a later check may look {@code key} up in {@link #pending}. */
    private boolean isChecked(String key) {
        return checked != null && checked.contains(key);
    }

    private void stageSingle(int i, PendingWrite w) {
        if (w.needsCheck()) {
            long current = currentRevision(w);
            Long expected = w.options().ifRevision();
            if (expected != null && expected != current) {
                rejected[i] = new PandoException(ErrorCode.CONFLICT, conflictMessage(w.key(), expected, current));
                return;
            }
            if (w.isDelete() && current == 0) {
                rejected[i] = new PandoException(ErrorCode.NOT_FOUND, "no such key '" + w.key() + "'");
                return;
            }
        }
        committed[i] = stage(w, ++revision);
        if (isChecked(w.key())) {
            pending.put(w.key(), w.isDelete() ? 0L : revision);
        }
        sync |= w.options().sync();
    }

    /**
     * Checks every write of {@code g} against storage, the batch's earlier writes and the group's
     * own, numbering them on; if all hold, keeps their mutations and fills {@code g.committed()},
     * else takes back what it added and returns why. A delete of a key absent by then is skipped:
     * it takes no revision and makes no change.
     */
    private PandoException stageGroup(AtomicGroup g) {
        List<PendingWrite> writes = g.writes();
        List<KvChange> changes = new ArrayList<>(writes.size());
        int mark = mutations.size();
        long changeMark = lastChangeRevision;
        // The group's writes enter pending as they are staged, so its later writes see them;
        // what they replaced is kept to put back if the group fails.
        List<String> undoKeys = new ArrayList<>();
        List<Long> undoRevisions = new ArrayList<>();
        long next = revision;
        for (int m = 0; m < writes.size(); m++) {
            PendingWrite w = writes.get(m);
            if (w.needsCheck()) {
                long current = currentRevision(w);
                Long expected = w.options().ifRevision();
                if (expected != null && expected != current) {
                    mutations.subList(mark, mutations.size()).clear();
                    lastChangeRevision = changeMark;
                    for (int u = undoKeys.size() - 1; u >= 0; u--) {
                        Long before = undoRevisions.get(u);
                        if (before == null) {
                            pending.remove(undoKeys.get(u));
                        } else {
                            pending.put(undoKeys.get(u), before);
                        }
                    }
                    return new PandoException(ErrorCode.CONFLICT, conflictMessage(w.key(), expected, current)
                            + " (write " + (m + 1) + " of " + writes.size() + " of an atomic batch: none of it was written)");
                }
                if (w.isDelete() && current == 0) {
                    continue;
                }
            }
            changes.add(stage(w, ++next));
            if (isChecked(w.key())) {
                undoKeys.add(w.key());
                undoRevisions.add(pending.put(w.key(), w.isDelete() ? 0L : next));
            }
        }
        revision = next;
        sync |= g.sync();
        g.committed().addAll(changes);
        return null;
    }

    /** Numbers {@code w} at {@code rev}, adds its mutation and returns its change. */
    private KvChange stage(PendingWrite w, long rev) {
        WriteOptions o = w.options();
        long originRevision = o.originRevision() > 0 ? o.originRevision() : rev;
        byte[] entry = w.isDelete() ? null : RecordCodec.stamp(w.entry(), rev, timestamp, originRevision);
        byte[] change = null;
        if (w.change() != null) {
            change = RecordCodec.stamp(w.change(), rev, timestamp, originRevision);
            lastChangeRevision = rev;
        }
        mutations.add(new Storage.Mutation(w.keyBytes(), entry, rev, change));
        return new KvChange(w.key(), w.value(), rev, timestamp, w.origin(), o.writer(), originRevision);
    }

    private long currentRevision(PendingWrite w) {
        Long inBatch = pending.get(w.key());
        if (inBatch != null) {
            return inBatch;
        }
        byte[] record = storage.get(w.keyBytes());
        return record == null ? 0 : RecordCodec.revisionOf(record);
    }

    private static String conflictMessage(String key, long expected, long current) {
        String actual = current == 0 ? "the key does not exist (actual revision 0)" : "actual revision is " + current;
        return "revision mismatch on '" + key + "': expected revision " + expected + (expected == 0 ? " (absent)" : "") + ", but " + actual;
    }
}
