package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.OpArgs;
import dev.pando.api.plugin.OpCall;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.PrimitiveIterator;
import java.util.function.Predicate;

/**
 * The journal ops that read entries: {@code journal.query} (a range, oldest first),
 * {@code journal.latest} (newest first) and {@code journal.since} (a tail by seq). Each reads
 * at most {@link JournalPlugin#MAX_EXAMINED} entries per call and shows the caller only the
 * keys it may read.
 */
final class JournalReads {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final JournalStore store;

    JournalReads(JournalStore store) {
        this.store = store;
    }

    /** {@code journal.query}: entries by revision, time and pattern, oldest first, paged by seq. */
    JsonNode query(OpCall call) {
        OpArgs a = OpArgs.of(call, "fromRevision", "toRevision", "pattern", "fromTime", "toTime", "limit", "after");
        OptionalLong fromRevArg = a.optLong("fromRevision", 0, Long.MAX_VALUE);
        long fromRev = fromRevArg.orElse(0);
        long toRev = a.optLong("toRevision", 0, Long.MAX_VALUE).orElse(Long.MAX_VALUE);
        if (fromRev > toRev) {
            throw a.fail("fromRevision", "(" + fromRev + ") is after toRevision (" + toRev + ")");
        }
        long fromTime = a.optLong("fromTime", 0, Long.MAX_VALUE).orElse(0);
        long toTime = a.optLong("toTime", 0, Long.MAX_VALUE).orElse(Long.MAX_VALUE);
        if (fromTime > toTime) {
            throw a.fail("fromTime", "(" + fromTime + ") is after toTime (" + toTime + ")");
        }
        PathPattern pattern = a.optPattern("pattern").orElse(null); // absent: every key
        int limit = a.intOr("limit", 1, JournalPlugin.MAX_LIMIT, JournalPlugin.DEFAULT_LIMIT);
        OptionalLong after = token(a, "after");

        JournalStore.Meta meta = store.meta();
        long last = store.lastSeq();
        long seq = store.firstSeq();
        if (fromRevArg.isPresent()) {
            seq = Math.max(seq, store.seqAtOrAfterRevision(fromRev));
        }
        if (after.isPresent()) {
            seq = Math.max(seq, after.getAsLong() + 1);
        }
        Predicate<String> visible = visible(pattern, call.caller());
        Answer entries = new Answer(limit);
        String next = null;
        PrimitiveIterator.OfLong seqs = store.seqs(pattern, seq, last);
        long previous = seq - 1;
        for (long examined = 0; seqs.hasNext(); examined++) {
            if (examined == JournalPlugin.MAX_EXAMINED) {
                next = Long.toString(previous);
                break;
            }
            long s = seqs.nextLong();
            previous = s;
            Optional<JournalEntry> found = store.entry(s);
            if (found.isEmpty()) {
                continue; // compacted while we read
            }
            JournalEntry e = found.get();
            if (e.revision() > toRev) {
                break;
            }
            if (e.timestamp() < fromTime || e.timestamp() > toTime || !visible.test(e.key())) {
                continue;
            }
            entries.add(e.toJson());
            if (entries.full()) {
                next = seqs.hasNext() ? Long.toString(s) : null;
                break;
            }
        }
        ObjectNode out = page(entries.array(), next);
        out.put("firstSeq", store.firstSeq());
        out.put("lastSeq", last);
        // Whether compaction removed entries this range asked for.
        out.put("compacted", meta.baseSeq() > 0 && (fromRevArg.isEmpty() || fromRev <= meta.baseRevision()));
        return out;
    }

    /** {@code journal.latest}: the newest entries, newest first. */
    JsonNode latest(OpCall call) {
        Selection sel = Selection.of(OpArgs.of(call, "pattern", "limit"), call);
        long first = store.firstSeq();
        long last = store.lastSeq();
        Answer entries = new Answer(sel.limit());
        if (sel.pattern() != null && sel.pattern().isLiteral()) {
            for (Iterator<Long> seqs = newestOfKey(sel.pattern(), first, last, sel.limit()).iterator(); seqs.hasNext() && !entries.full(); ) {
                store.entry(seqs.next()).filter(e -> sel.visible().test(e.key())).ifPresent(e -> entries.add(e.toJson()));
            }
        } else {
            for (long seq = last, examined = 0; seq >= first && examined < JournalPlugin.MAX_EXAMINED && !entries.full(); seq--, examined++) {
                store.entry(seq).filter(e -> sel.visible().test(e.key())).ifPresent(e -> entries.add(e.toJson()));
            }
        }
        ObjectNode out = JSON.objectNode();
        out.set("entries", entries.array());
        out.put("firstSeq", store.firstSeq());
        out.put("lastSeq", last);
        return out;
    }

    /**
     * The newest {@code limit} seqs of one key, newest first. The index is read oldest first, so
     * it is read in windows back from the end, each twice as wide as the one before: a busy key
     * is answered from the first window, a rare one in a few index seeks, the whole history never.
     */
    private List<Long> newestOfKey(PathPattern key, long first, long last, int limit) {
        List<Long> newest = new ArrayList<>(limit);
        long width = JournalPlugin.MAX_EXAMINED;
        for (long hi = last; hi >= first && newest.size() < limit; width = Math.min(width * 2, Long.MAX_VALUE / 4)) {
            long lo = Math.max(first, hi - width + 1);
            ArrayDeque<Long> window = new ArrayDeque<>();
            for (PrimitiveIterator.OfLong seqs = store.seqs(key, lo, hi); seqs.hasNext(); ) {
                window.addLast(seqs.nextLong());
                if (window.size() > limit - newest.size()) {
                    window.removeFirst();
                }
            }
            while (!window.isEmpty()) {
                newest.add(window.removeLast());
            }
            hi = lo - 1;
        }
        return newest;
    }

    /** {@code journal.since}: the entries after a seq, for a tail that never misses one. */
    JsonNode since(OpCall call) {
        OpArgs a = OpArgs.of(call, "seq", "pattern", "limit");
        long after = a.longValue("seq", 0, Long.MAX_VALUE - 1);
        Selection sel = Selection.of(a, call);
        long first = store.firstSeq();
        long last = store.lastSeq();
        Answer entries = new Answer(sel.limit());
        long position = Math.max(after, first - 1);
        PrimitiveIterator.OfLong seqs = store.seqs(sel.pattern(), Math.max(after + 1, first), last);
        for (long examined = 0; seqs.hasNext() && examined < JournalPlugin.MAX_EXAMINED && !entries.full(); examined++) {
            long seq = seqs.nextLong();
            Optional<JournalEntry> e = store.entry(seq);
            if (e.isPresent() && sel.visible().test(e.get().key())) {
                entries.add(e.get().toJson());
            }
            position = seq;
        }
        if (!seqs.hasNext()) {
            position = Math.max(position, last); // nothing else up to last can match
        }
        ObjectNode out = JSON.objectNode();
        out.set("entries", entries.array());
        // Always the seq to pass next time, so a filtered tail never re-reads what it skipped.
        out.put("next", Math.max(position, after));
        out.put("caughtUp", position >= last);
        out.put("firstSeq", first);
        out.put("lastSeq", last);
        if (after + 1 < first) {
            ObjectNode gap = out.putObject("gap");
            gap.put("fromSeq", after + 1);
            gap.put("toSeq", first - 1);
        }
        return out;
    }

    /** The caller only sees keys it may read, whatever the op's scope let it call. */
    static Predicate<String> visible(PathPattern pattern, Caller caller) {
        return key -> (pattern == null || pattern.matches(key)) && caller.may(Access.READ, key);
    }

    /**
     * The entries of one answer: full at its {@code limit}, or once their JSON reaches
     * {@link JournalPlugin#MAX_ANSWER_CHARS} (it always holds the first), so a page of large
     * values is cut short instead of making the node hold a thousand of them at once.
     */
    static final class Answer {
        private final ArrayNode array = JSON.arrayNode();
        private final int limit;
        private long chars;

        Answer(int limit) {
            this.limit = limit;
        }

        void add(ObjectNode entry) {
            chars += entry.toString().length();
            array.add(entry);
        }

        boolean full() {
            return array.size() >= limit || chars >= JournalPlugin.MAX_ANSWER_CHARS;
        }

        ArrayNode array() {
            return array;
        }
    }

    /** An answer page: {@code entries} and the {@code next} token, null on the last page. */
    static ObjectNode page(ArrayNode entries, String next) {
        ObjectNode out = JSON.objectNode();
        out.set("entries", entries);
        out.set("next", next == null ? NullNode.getInstance() : JSON.textNode(next));
        return out;
    }

    /** A seq continuation token this journal returned as {@code next}. */
    private static OptionalLong token(OpArgs a, String field) {
        Optional<String> text = a.optString(field);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        if (!text.get().matches("[0-9]{1,18}")) {
            throw a.fail(field, "'" + text.get() + "' is not a continuation token returned by " + a.op());
        }
        return OptionalLong.of(Long.parseLong(text.get()));
    }

    /**
     * The entries a read selects: its {@code pattern} (null: every key), page {@code limit} and
     * what the caller may see.
     */
    private record Selection(PathPattern pattern, int limit, Predicate<String> visible) {
        static Selection of(OpArgs a, OpCall call) {
            PathPattern pattern = a.optPattern("pattern").orElse(null);
            return new Selection(pattern, a.intOr("limit", 1, JournalPlugin.MAX_LIMIT, JournalPlugin.DEFAULT_LIMIT),
                    JournalReads.visible(pattern, call.caller()));
        }
    }
}
