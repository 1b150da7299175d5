package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.PluginKv;
import dev.pando.builtin.KeyHash;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * The journal's base ({@code b/<sha-256 of key>}, see {@link JournalStore}): compaction folds
 * old entries into it and deletes them, and the state at a revision is rebuilt from it and the
 * entries after it. A lock keeps a rebuild from seeing a compaction half done.
 */
final class JournalBase {
    /** Most distinct keys a snapshot may reconstruct; beyond it the caller must narrow the pattern. */
    static final int MAX_SNAPSHOT_KEYS = 100_000;
    /** Entries folded into the base between two meta updates during compaction; their deletes (two each) are one atomic write. */
    static final int COMPACT_CHUNK = 500;

    /** What one compaction did. */
    record Compaction(long compacted, long firstSeq, long lastSeq, long baseRevision, boolean more) {}

    private final PluginKv kv;
    private final JournalStore store;
    /** Compaction rewrites the base and deletes entries; snapshots must not see it half done. */
    private final ReentrantReadWriteLock history = new ReentrantReadWriteLock();

    JournalBase(PluginKv kv, JournalStore store) {
        this.kv = kv;
        this.store = store;
    }

    static String baseKey(String key) {
        return JournalStore.BASE + "/" + KeyHash.of(key);
    }

    /**
     * The state as of {@code revision}, restricted to keys {@code include} accepts, rebuilt from
     * the base and the entries after it. Throws {@code NOT_FOUND} when compaction has folded
     * away the history needed, {@code TOO_LARGE} beyond {@link #MAX_SNAPSHOT_KEYS} keys.
     */
    TreeMap<String, KvEntry> stateAt(long revision, Predicate<String> include) {
        history.readLock().lock();
        try {
            JournalStore.Meta m = store.meta();
            store.requireRetained(revision);
            TreeMap<String, KvEntry> state = new TreeMap<>();
            String after = null;
            do {
                KvPage page = kv.scan(JournalStore.BASE, after, JournalStore.SCAN_PAGE);
                for (KvEntry stored : page.entries()) {
                    KvEntry e = readBase(stored.value(), stored.key());
                    if (include.test(e.key())) {
                        state.put(e.key(), e);
                    }
                }
                bound(state);
                after = page.next().orElse(null);
            } while (after != null);
            after = null;
            do {
                KvPage page = kv.scan(JournalStore.ENTRIES, after, JournalStore.SCAN_PAGE);
                for (KvEntry stored : page.entries()) {
                    JournalEntry e = JournalEntry.fromJson(stored.value(), stored.key());
                    if (e.seq() <= m.baseSeq()) {
                        continue; // an orphan a crashed compaction left behind; already in the base
                    }
                    if (e.revision() > revision) {
                        return state;
                    }
                    if (!include.test(e.key())) {
                        continue;
                    }
                    if (e.isDelete()) {
                        state.remove(e.key());
                    } else {
                        state.put(e.key(), e.toKvEntry());
                    }
                }
                bound(state);
                after = page.next().orElse(null);
            } while (after != null);
            return state;
        } finally {
            history.readLock().unlock();
        }
    }

    private static void bound(TreeMap<String, KvEntry> state) {
        if (state.size() > MAX_SNAPSHOT_KEYS) {
            throw new PandoException(ErrorCode.TOO_LARGE, "the snapshot holds more than " + MAX_SNAPSHOT_KEYS
                    + " keys; narrow it with a pattern");
        }
    }

    /**
     * Folds entries up to {@code throughSeq} (at most {@code max} of them) into the base, then
     * deletes them. Crash-safe: the meta is saved after each chunk is folded and before it is
     * deleted; refolding a chunk yields the same base, and leftovers below baseSeq are swept.
     */
    Compaction compactThrough(long throughSeq, long max) {
        history.writeLock().lock();
        try {
            JournalStore.Meta m = store.meta();
            long target = Math.min(Math.min(throughSeq, store.lastSeq()), m.baseSeq() + max);
            sweepBelow(m.baseSeq());
            long done = 0;
            for (long from = m.baseSeq() + 1; from <= target; from += COMPACT_CHUNK) {
                long to = Math.min(target, from + COMPACT_CHUNK - 1);
                List<JournalEntry> chunk = new ArrayList<>();
                for (long s = from; s <= to; s++) {
                    long seq = s;
                    chunk.add(store.entry(s).orElseThrow(() -> new PandoException(ErrorCode.INTERNAL,
                            "journal entry " + seq + " is missing; it should exist until compacted")));
                }
                List<KvWrite> folds = new ArrayList<>(chunk.size());
                List<KvWrite> deletes = new ArrayList<>(2 * chunk.size());
                for (JournalEntry e : chunk) {
                    String baseKey = baseKey(e.key());
                    folds.add(e.isDelete() ? KvWrite.delete(baseKey) : KvWrite.set(baseKey, e.toKvEntry().toJson()));
                    deletes.add(KvWrite.delete(JournalStore.indexKey(e.key(), e.seq())));
                    deletes.add(KvWrite.delete(JournalStore.entryKey(e.seq())));
                }
                store.write(folds);
                JournalEntry last = chunk.get(chunk.size() - 1);
                store.saveMeta(new JournalStore.Meta(to, last.revision(), last.mac().orElse(null)));
                store.write(deletes);
                done += chunk.size();
            }
            long lastSeq = store.lastSeq();
            return new Compaction(done, store.firstSeq(), lastSeq, store.meta().baseRevision(), target < Math.min(throughSeq, lastSeq));
        } finally {
            history.writeLock().unlock();
        }
    }

    /** Deletes entries at or below {@code seq} that a crash left after their compaction. */
    private void sweepBelow(long seq) {
        while (true) {
            KvPage page = kv.scan(JournalStore.ENTRIES, null, JournalStore.SCAN_PAGE);
            boolean deleted = false;
            for (KvEntry stored : page.entries()) {
                if (seqOf(stored.key()) > seq) {
                    return;
                }
                deleteEntry(JournalEntry.fromJson(stored.value(), stored.key()));
                deleted = true;
            }
            if (!deleted || page.next().isEmpty()) {
                return;
            }
        }
    }

    /** The entry and its index row, in one atomic write. */
    private void deleteEntry(JournalEntry e) {
        store.write(List.of(KvWrite.delete(JournalStore.indexKey(e.key(), e.seq())), KvWrite.delete(JournalStore.entryKey(e.seq()))));
    }

    private static long seqOf(String entryKey) {
        return Long.parseLong(entryKey.substring(JournalStore.ENTRIES.length() + 1));
    }

    private static KvEntry readBase(JsonNode o, String where) {
        try {
            return new KvEntry(o.get("key").asText(), o.get("value"), o.get("revision").asLong(),
                    o.get("timestamp").asLong(), o.get("origin").asText(), o.get("writer").asText());
        } catch (RuntimeException e) {
            throw new PandoException(ErrorCode.INTERNAL, "journal base entry at " + where + " is malformed: " + o);
        }
    }
}
