package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.PluginKv;
import dev.pando.builtin.KeyHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PrimitiveIterator;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The journal's layout in the node's KV, under {@value #ROOT}:
 * <ul>
 *   <li>{@code e/<seq, 19 digits>}: one entry per journaled change, written once with
 *       compare-and-set "must not exist", so a replayed append can never overwrite or duplicate;</li>
 *   <li>{@code head}: the last appended entry (seq, revision, mac), written in the same atomic
 *       batch as the entries. {@link #recover} still probes forward past it, for journals an
 *       earlier version wrote, whose head moved after its entries;</li>
 *   <li>{@code meta}: how far compaction has gone (baseSeq, baseRevision, baseMac);</li>
 *   <li>{@code b/<sha-256 of key>}: the base, the state as of baseRevision folded from compacted
 *       entries, so snapshots at or after baseRevision stay possible after compaction;</li>
 *   <li>{@code k/<sha-256 of key>/<seq>}: the key index, one row per entry holding its revision,
 *       so a key's history is read in proportion to its own length. A row is written in the same
 *       atomic batch as its entry, so every entry has its row. {@link #recover} writes the rows of
 *       entries it finds past the head (an earlier version wrote them apart). A row whose entry
 *       is missing (compaction, or a crash of an earlier version) is skipped by readers and
 *       rewritten, identical, when the catch-up writes that seq again. Compaction deletes a row
 *       and its entry in one atomic write.</li>
 * </ul>
 * Every write here is unpublished ({@link #write}). Reading the key index is {@link KeyIndex}'s
 * job; compaction and rebuilding the state at a revision are {@link JournalBase}'s.
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

    /** The last appended entry; seq 0 when nothing was ever journaled. */
    record Head(long seq, long revision, String mac) {}

    /** Compaction progress: entries up to baseSeq are folded into the base (and deleted). */
    record Meta(long baseSeq, long baseRevision, String baseMac) {
        static final Meta EMPTY = new Meta(0, 0, null);
    }

    private final PluginKv kv;
    private final KeyIndex index;
    private final JournalBase base;
    private volatile Head head = new Head(0, 0, null);
    /** The node's revision of the stored head record (0: none): each append compares-and-sets it. */
    private volatile long headRevision;
    /** An entry lies past a hole after the head (see {@link #fillHoles}): appends check every seq then. */
    private volatile boolean entriesPastHole;
    private volatile Meta meta = Meta.EMPTY;

    JournalStore(PluginKv kv) {
        this.kv = kv;
        this.index = new KeyIndex(kv);
        this.base = new JournalBase(kv, this);
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

    /** {@code seq} as 19 digits, zero-padded, so keys sort by seq; by hand, as String.format is slow on the append path. */
    static String seqText(long seq) {
        String digits = Long.toString(seq);
        return "0".repeat(19 - digits.length()) + digits;
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
        Optional<KvEntry> stored = kv.get(HEAD);
        headRevision = stored.map(KvEntry::revision).orElse(0L);
        Head h = stored.map(e -> readHead(e.value())).orElse(new Head(m.baseSeq(), m.baseRevision(), m.baseMac()));
        if (h.seq() < m.baseSeq()) {
            h = new Head(m.baseSeq(), m.baseRevision(), m.baseMac());
        }
        Head saved = h;
        for (Optional<JournalEntry> next = entry(h.seq() + 1); next.isPresent(); next = entry(h.seq() + 1)) {
            JournalEntry e = next.get();
            writeIndexRow(e); // a crash may have come between the entry and its row
            h = new Head(e.seq(), e.revision(), e.mac().orElse(null));
        }
        meta = m;
        head = h;
        entriesPastHole = !kv.scan(ENTRIES, KvPage.resumeAfter(entryKey(h.seq() + 1)), 1).entries().isEmpty();
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
     * The writes that append {@code entries} (consecutive seqs after the head): each entry and its
     * index row. The first entry is written with "must not exist" (every entry is, while an
     * entry lies past a hole), and {@link #append} adds the head. Built apart from the append so
     * the catch-up can build a batch while the previous one is being written.
     */
    List<KvWrite> appendWrites(List<JournalEntry> entries) {
        boolean checkEvery = entriesPastHole;
        List<KvWrite> writes = new ArrayList<>(2 * entries.size() + 1);
        for (JournalEntry e : entries) {
            String key = entryKey(e.seq());
            writes.add(checkEvery || writes.isEmpty() ? KvWrite.set(key, e.toJson(), 0) : KvWrite.set(key, e.toJson()));
            writes.add(KvWrite.set(indexKey(e.key(), e.seq()), LongNode.valueOf(e.revision())));
        }
        return writes;
    }

    /**
     * Commits {@code writes} ({@link #appendWrites} of {@code entries}) and the new head as one
     * atomic write, then moves the head. The head is written compare-and-set on the revision this
     * store last saw it at, so of two appenders (the old and new instance during a reload, or one
     * whose head is stale) only one can move it; with the first seq's "must not exist", no
     * append overwrites another's entries. A {@code CONFLICT} means another writer got there
     * first, nothing of the batch was written, and the caller must {@link #recover}.
     */
    void append(List<JournalEntry> entries, List<KvWrite> writes) {
        JournalEntry last = entries.get(entries.size() - 1);
        List<KvWrite> all = new ArrayList<>(writes.size() + 1);
        all.addAll(writes);
        all.add(KvWrite.set(HEAD, headJson(new Head(last.seq(), last.revision(), last.mac().orElse(null))), headRevision));
        List<KvChange> committed = write(all);
        headRevision = committed.get(committed.size() - 1).revision();
        advanceTo(last);
    }

    /**
     * Writes, one at a time, those of {@code entries} whose seqs are free, with their rows, then
     * {@link #recover}s past them: the repair of a hole an earlier version left (it wrote a
     * batch's entries in parallel, so a crash could leave seq n+2 written and n+1 not), which an
     * atomic {@link #append} of the same batch can never fill. A seq found taken holds this very
     * entry: seqs follow from the head and the feed alone.
     */
    void fillHoles(List<JournalEntry> entries) {
        for (JournalEntry e : entries) {
            try {
                write(List.of(KvWrite.set(entryKey(e.seq()), e.toJson(), 0)));
            } catch (PandoException taken) {
                if (taken.code() != ErrorCode.CONFLICT) {
                    throw taken;
                }
            }
            writeIndexRow(e);
        }
        recover();
    }

    /** Writes (or rewrites, identical) the index row of entry {@code e}. */
    void writeIndexRow(JournalEntry e) {
        write(List.of(KvWrite.set(indexKey(e.key(), e.seq()), LongNode.valueOf(e.revision()))));
    }

    /**
     * Commits {@code writes} atomically and unpublished: the journal's keys are its own
     * bookkeeping, which no feed reader follows, and published they would cost the journal
     * itself (and every other follower) two more changes to read and skip per change journaled.
     */
    List<KvChange> write(List<KvWrite> writes) {
        return kv.applyUnpublished(writes);
    }

    /**
     * The held seqs from {@code from} to {@code to} that may hold an entry matching {@code pattern},
     * in order: every seq, or for a literal pattern (one key) only that key's, from the index.
     */
    PrimitiveIterator.OfLong seqs(PathPattern pattern, long from, long to) {
        return index.seqs(pattern, from, to);
    }

    /** Moves the in-memory head to {@code e}, once it and every entry before it are written. */
    private void advanceTo(JournalEntry e) {
        head = new Head(e.seq(), e.revision(), e.mac().orElse(null));
    }

    void saveHead() {
        headRevision = write(List.of(KvWrite.set(HEAD, headJson(head)))).get(0).revision();
    }

    private static ObjectNode headJson(Head h) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("seq", h.seq());
        o.put("revision", h.revision());
        o.set("mac", h.mac() == null ? NullNode.getInstance() : o.textNode(h.mac()));
        return o;
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

    /** The state as of {@code revision} under {@code include}; see {@link JournalBase#stateAt}. */
    TreeMap<String, KvEntry> stateAt(long revision, Predicate<String> include) {
        return base.stateAt(revision, include);
    }

    /** Throws {@code NOT_FOUND} if compaction has folded away the history the state at {@code revision} needs. */
    void requireRetained(long revision) {
        Meta m = meta;
        if (m.baseSeq() > 0 && revision < m.baseRevision()) {
            throw new PandoException(ErrorCode.NOT_FOUND, "revision " + revision + " is compacted: the journal holds the state from revision "
                    + m.baseRevision() + " on (entries from seq " + (m.baseSeq() + 1) + ")");
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

    /** Folds entries up to {@code throughSeq} into the base; see {@link JournalBase#compactThrough}. */
    JournalBase.Compaction compactThrough(long throughSeq, long max) {
        return base.compactThrough(throughSeq, max);
    }

    /** Records how far compaction has gone; the base must already hold what it folded. */
    void saveMeta(Meta m) {
        meta = m;
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("baseSeq", m.baseSeq());
        o.put("baseRevision", m.baseRevision());
        o.set("baseMac", m.baseMac() == null ? NullNode.getInstance() : o.textNode(m.baseMac()));
        write(List.of(KvWrite.set(META, o)));
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
