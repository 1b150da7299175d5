package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.PluginKv;
import dev.pando.builtin.KeyHash;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.PrimitiveIterator;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import java.util.stream.LongStream;

/**
 * The journal's layout in the node's KV, under {@value #ROOT}:
 * <ul>
 *   <li>{@code e/<seq, 19 digits>}: one entry per journaled change, written once with
 *       compare-and-set "must not exist", so a replayed append can never overwrite or duplicate;</li>
 *   <li>{@code head}: the last appended entry (seq, revision, mac). Only a hint: {@link #recover}
 *       probes forward past it, so a crash between an append and the head update loses nothing;</li>
 *   <li>{@code meta}: how far compaction has gone (baseSeq, baseRevision, baseMac);</li>
 *   <li>{@code b/<sha-256 of key>}: the base, the state as of baseRevision folded from compacted
 *       entries, so snapshots at or after baseRevision stay possible after compaction;</li>
 *   <li>{@code k/<sha-256 of key>/<seq>}: the key index, one row per entry holding its revision,
 *       so a key's history is read in proportion to its own length. Rows and entries are written
 *       in parallel, and the head moves only once both are: every entry up to the head has its
 *       row, and {@link #recover} writes the rows of entries it finds past the head. A row whose
 *       entry is missing (a crash between the two) is skipped by readers and rewritten,
 *       identical, when the catch-up writes that seq again. Compaction deletes a row before its
 *       entry.</li>
 * </ul>
 */
final class JournalStore {
    static final String ROOT = "/_plugins/journal";
    static final String ENTRIES = ROOT + "/e";
    static final String BASE = ROOT + "/b";
    static final String KEYS = ROOT + "/k";
    static final String HEAD = ROOT + "/head";
    static final String META = ROOT + "/meta";
    /** Page size of the store scans the journal does itself. */
    static final int SCAN_PAGE = 1000;
    /** Most distinct keys a snapshot may reconstruct; beyond it the caller must narrow the pattern. */
    static final int MAX_SNAPSHOT_KEYS = 100_000;
    /** Entries folded into the base between two meta updates during compaction. */
    static final int COMPACT_CHUNK = 500;

    /** The last appended entry; seq 0 when nothing was ever journaled. */
    record Head(long seq, long revision, String mac) {}

    /** Seqs of one key's entries, oldest first, from the key index; {@code more} if the index may hold more. */
    private record KeySeqs(List<Long> seqs, boolean more) {}

    /** Compaction progress: entries up to baseSeq are folded into the base (and deleted). */
    record Meta(long baseSeq, long baseRevision, String baseMac) {
        static final Meta EMPTY = new Meta(0, 0, null);
    }

    /** What one compaction did. */
    record Compaction(long compacted, long firstSeq, long lastSeq, long baseRevision, boolean more) {}

    private final PluginKv kv;
    /** Compaction rewrites the base and deletes entries; snapshots must not see it half done. */
    private final ReentrantReadWriteLock history = new ReentrantReadWriteLock();
    private volatile Head head = new Head(0, 0, null);
    private volatile Meta meta = Meta.EMPTY;

    JournalStore(PluginKv kv) {
        this.kv = kv;
    }

    static String entryKey(long seq) {
        return ENTRIES + "/" + seqText(seq);
    }

    static String indexPrefix(String key) {
        return KEYS + "/" + KeyHash.of(key);
    }

    static String indexKey(String key, long seq) {
        return indexPrefix(key) + "/" + seqText(seq);
    }

    private static String seqText(long seq) {
        return String.format("%019d", seq);
    }

    Head head() {
        return head;
    }

    Meta meta() {
        return meta;
    }

    /** The oldest seq still held; {@code lastSeq() + 1} when the journal holds no entry. */
    long firstSeq() {
        return meta.baseSeq() + 1;
    }

    long lastSeq() {
        return head.seq();
    }

    /**
     * Re-reads head and meta and probes forward for entries appended after the head was last
     * saved (a crash between the two). Idempotent; safe to call at any time.
     */
    synchronized void recover() {
        Meta m = kv.get(META).map(e -> readMeta(e.value())).orElse(Meta.EMPTY);
        Head h = kv.get(HEAD).map(e -> readHead(e.value())).orElse(new Head(m.baseSeq(), m.baseRevision(), m.baseMac()));
        if (h.seq() < m.baseSeq()) {
            h = new Head(m.baseSeq(), m.baseRevision(), m.baseMac());
        }
        Head saved = h;
        for (Optional<JournalEntry> next = entry(h.seq() + 1); next.isPresent(); next = entry(h.seq() + 1)) {
            JournalEntry e = next.get();
            writeIndexRow(e); // a crash may have come between the entry and its row
            h = new Head(e.seq(), e.revision(), e.mac());
        }
        meta = m;
        head = h;
        if (!h.equals(saved)) {
            saveHead();
        }
    }

    Optional<JournalEntry> entry(long seq) {
        if (seq < 1) {
            return Optional.empty();
        }
        String key = entryKey(seq);
        return kv.get(key).map(e -> JournalEntry.fromJson(e.value(), key));
    }

    /**
     * Writes entry {@code e} if its seq is free, without moving the head; a {@code CONFLICT} means
     * another writer (a second instance during a reload, or a run a crash cut short) got there
     * first and the caller must {@link #recover}.
     */
    void writeEntry(JournalEntry e) {
        kv.set(entryKey(e.seq()), e.toJson(), 0);
    }

    /** Writes (or rewrites, identical) the index row of entry {@code e}. */
    void writeIndexRow(JournalEntry e) {
        kv.set(indexKey(e.key(), e.seq()), LongNode.valueOf(e.revision()));
    }

    /**
     * The held seqs from {@code from} to {@code to} that may hold an entry matching {@code pattern},
     * in order: every seq, or for a literal pattern (one key) only that key's, from the index.
     */
    PrimitiveIterator.OfLong seqs(PathPattern pattern, long from, long to) {
        if (pattern == null || !pattern.isLiteral()) {
            return LongStream.rangeClosed(from, to).iterator();
        }
        String rows = indexPrefix(pattern.literalPrefix());
        return new PrimitiveIterator.OfLong() {
            private KeySeqs page = keySeqs(rows, from - 1);
            private int i;

            @Override
            public boolean hasNext() {
                if (i == page.seqs().size() && page.more()) {
                    page = keySeqs(rows, page.seqs().get(i - 1));
                    i = 0;
                }
                return i < page.seqs().size() && page.seqs().get(i) <= to;
            }

            @Override
            public long nextLong() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.seqs().get(i++);
            }
        };
    }

    /**
     * Up to {@link #SCAN_PAGE} seqs from one key's index rows ({@code rows}, its
     * {@link #indexPrefix}) after {@code afterSeq}, oldest first. Seqs may name entries compaction
     * has removed since: readers skip what {@link #entry} no longer finds.
     */
    private KeySeqs keySeqs(String rows, long afterSeq) {
        KvPage page = kv.scan(rows, KvPage.resumeAfter(rows + "/" + seqText(Math.max(afterSeq, 0))), SCAN_PAGE);
        List<Long> seqs = new ArrayList<>(page.entries().size());
        for (KvEntry row : page.entries()) {
            seqs.add(Long.parseLong(row.key().substring(row.key().lastIndexOf('/') + 1)));
        }
        return new KeySeqs(seqs, page.next() != null && !seqs.isEmpty());
    }

    /** Moves the in-memory head to {@code e}, once it and every entry before it are written. */
    void advanceTo(JournalEntry e) {
        head = new Head(e.seq(), e.revision(), e.mac());
    }

    void saveHead() {
        Head h = head;
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("seq", h.seq());
        o.put("revision", h.revision());
        o.set("mac", h.mac() == null ? NullNode.getInstance() : o.textNode(h.mac()));
        kv.set(HEAD, o);
    }

    /** The smallest held seq whose revision is at least {@code revision}; {@code lastSeq()+1} if none. */
    long seqAtOrAfterRevision(long revision) {
        long lo = firstSeq();
        long hi = lastSeq();
        long found = hi + 1;
        while (lo <= hi) {
            long mid = lo + (hi - lo) / 2;
            Optional<JournalEntry> e = entry(mid);
            if (e.isEmpty()) {
                lo = mid + 1; // compacted under us: everything before it is gone anyway
            } else if (e.get().revision() >= revision) {
                found = mid;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        return found;
    }

    /**
     * The state as of {@code revision}, restricted to keys {@code include} accepts, rebuilt from
     * the base and the entries after it. Throws {@code NOT_FOUND} when compaction has folded
     * away the history needed, {@code TOO_LARGE} beyond {@link #MAX_SNAPSHOT_KEYS} keys.
     */
    TreeMap<String, KvEntry> stateAt(long revision, Predicate<String> include) {
        history.readLock().lock();
        try {
            Meta m = meta;
            requireRetained(revision);
            TreeMap<String, KvEntry> state = new TreeMap<>();
            String after = null;
            do {
                KvPage page = kv.scan(BASE, after, SCAN_PAGE);
                for (KvEntry stored : page.entries()) {
                    KvEntry e = readBase(stored.value(), stored.key());
                    if (include.test(e.key())) {
                        state.put(e.key(), e);
                    }
                }
                bound(state);
                after = page.next();
            } while (after != null);
            after = null;
            do {
                KvPage page = kv.scan(ENTRIES, after, SCAN_PAGE);
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
                after = page.next();
            } while (after != null);
            return state;
        } finally {
            history.readLock().unlock();
        }
    }

    /** Throws {@code NOT_FOUND} if compaction has folded away the history the state at {@code revision} needs. */
    void requireRetained(long revision) {
        Meta m = meta;
        if (m.baseSeq() > 0 && revision < m.baseRevision()) {
            throw new PandoException(ErrorCode.NOT_FOUND, "revision " + revision + " is compacted: the journal holds the state from revision "
                    + m.baseRevision() + " on (entries from seq " + (m.baseSeq() + 1) + ")");
        }
    }

    private static void bound(TreeMap<String, KvEntry> state) {
        if (state.size() > MAX_SNAPSHOT_KEYS) {
            throw new PandoException(ErrorCode.TOO_LARGE, "the snapshot holds more than " + MAX_SNAPSHOT_KEYS
                    + " keys; narrow it with a pattern");
        }
    }

    /** The last held seq (at most {@code maxSeq}) of the run of oldest entries stamped before {@code cutoffMs}. */
    long lastSeqOlderThan(long cutoffMs, long maxSeq) {
        long last = firstSeq() - 1;
        for (long s = firstSeq(); s <= maxSeq; s++) {
            Optional<JournalEntry> e = entry(s);
            if (e.isEmpty() || e.get().timestamp() >= cutoffMs) {
                break;
            }
            last = s;
        }
        return last;
    }

    /**
     * Folds entries up to {@code throughSeq} (at most {@code max} of them) into the base, then
     * deletes them. Crash-safe: the meta is saved after each chunk is folded and before it is
     * deleted; refolding a chunk yields the same base, and leftovers below baseSeq are swept.
     */
    Compaction compactThrough(long throughSeq, long max) {
        history.writeLock().lock();
        try {
            Meta m = meta;
            long target = Math.min(Math.min(throughSeq, lastSeq()), m.baseSeq() + max);
            sweepBelow(m.baseSeq());
            long done = 0;
            for (long from = m.baseSeq() + 1; from <= target; from += COMPACT_CHUNK) {
                long to = Math.min(target, from + COMPACT_CHUNK - 1);
                List<JournalEntry> chunk = new ArrayList<>();
                for (long s = from; s <= to; s++) {
                    long seq = s;
                    chunk.add(entry(s).orElseThrow(() -> new PandoException(ErrorCode.INTERNAL,
                            "journal entry " + seq + " is missing; it should exist until compacted")));
                }
                for (JournalEntry e : chunk) {
                    String baseKey = baseKey(e.key());
                    if (e.isDelete()) {
                        kv.delete(baseKey);
                    } else {
                        kv.set(baseKey, e.toKvEntry().toJson());
                    }
                }
                JournalEntry last = chunk.get(chunk.size() - 1);
                meta = new Meta(to, last.revision(), last.mac());
                saveMeta();
                for (JournalEntry e : chunk) {
                    deleteEntry(e);
                }
                done += chunk.size();
            }
            long lastSeq = lastSeq();
            return new Compaction(done, firstSeq(), lastSeq, meta.baseRevision(), target < Math.min(throughSeq, lastSeq));
        } finally {
            history.writeLock().unlock();
        }
    }

    /** Deletes entries at or below {@code seq} that a crash left after their compaction. */
    private void sweepBelow(long seq) {
        while (true) {
            KvPage page = kv.scan(ENTRIES, null, SCAN_PAGE);
            boolean deleted = false;
            for (KvEntry stored : page.entries()) {
                if (seqOf(stored.key()) > seq) {
                    return;
                }
                deleteEntry(JournalEntry.fromJson(stored.value(), stored.key()));
                deleted = true;
            }
            if (!deleted || page.next() == null) {
                return;
            }
        }
    }

    /** The index row first, so a crash between the two leaves a row readers skip, never an entry without one. */
    private void deleteEntry(JournalEntry e) {
        kv.delete(indexKey(e.key(), e.seq()));
        kv.delete(entryKey(e.seq()));
    }

    private void saveMeta() {
        Meta m = meta;
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("baseSeq", m.baseSeq());
        o.put("baseRevision", m.baseRevision());
        o.set("baseMac", m.baseMac() == null ? NullNode.getInstance() : o.textNode(m.baseMac()));
        kv.set(META, o);
    }

    private static long seqOf(String entryKey) {
        return Long.parseLong(entryKey.substring(ENTRIES.length() + 1));
    }

    static String baseKey(String key) {
        return BASE + "/" + KeyHash.of(key);
    }

    private static KvEntry readBase(JsonNode o, String where) {
        try {
            return new KvEntry(o.get("key").asText(), o.get("value"), o.get("revision").asLong(),
                    o.get("timestamp").asLong(), o.get("origin").asText(), o.get("writer").asText());
        } catch (RuntimeException e) {
            throw new PandoException(ErrorCode.INTERNAL, "journal base entry at " + where + " is malformed: " + o);
        }
    }

    private static Head readHead(JsonNode o) {
        JsonNode mac = o.get("mac");
        return new Head(o.path("seq").asLong(), o.path("revision").asLong(), mac == null || mac.isNull() ? null : mac.asText());
    }

    private static Meta readMeta(JsonNode o) {
        JsonNode mac = o.get("baseMac");
        return new Meta(o.path("baseSeq").asLong(), o.path("baseRevision").asLong(), mac == null || mac.isNull() ? null : mac.asText());
    }
}
