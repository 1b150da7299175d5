package dev.pando.node.kv;

import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one {@link KvPage}. Only the key range that can hold matches is visited: for a
 * pattern whose literal prefix is {@code P}, that is the key {@code P} itself and then
 * {@code [P/, P0)} ('0' follows '/' in byte order). Keys such as {@code P!x} or {@code P.x}
 * sort between {@code P} and {@code P/} and are skipped without being read; {@code Pb} sorts
 * after {@code P0}.
 *
 * <p>A page examines at most {@link #examineBudget(int)} keys, so a sparse pattern such as
 * {@code /**}{@code /x} returns short (even empty) pages with a cursor instead of walking the
 * whole keyspace in one call; it also ends once its records reach {@link Storage#MAX_READ_BYTES}.
 * The cursor positions after the last examined key, which the
 * caller may not be allowed to see, so it is sealed ({@link ScanTokens}); the next page starts
 * right after it. Entries the query's {@code visible} test rejects are skipped inside the scan,
 * so they neither fill a page nor shape it.
 */
final class KeyScanner {
    /** Keys a page may examine per entry it may return. */
    static final int EXAMINED_PER_ENTRY = 10;
    /** Floor of the per-page examine budget, so small pages still make progress. */
    static final int MIN_EXAMINED_PER_PAGE = 1_000;
    /** Ceiling of the per-page examine budget. */
    static final int MAX_EXAMINED_PER_PAGE = 100_000;

    private KeyScanner() {}

    static int examineBudget(int limit) {
        long budget = Math.max(MIN_EXAMINED_PER_PAGE, (long) EXAMINED_PER_ENTRY * limit);
        return (int) Math.min(MAX_EXAMINED_PER_PAGE, budget);
    }

    static KvPage page(Storage storage, ScanQuery q) {
        PathPattern pattern = q.pattern();
        String prefix = pattern.literalPrefix();
        byte[] after = q.cursor().map(c -> ScanTokens.open(c, q)).orElse(null); // null: from the first key
        int limit = q.limit();
        int budget = examineBudget(limit);
        List<KvEntry> out = new ArrayList<>(Math.min(limit, 1024));
        long bytes = 0;
        int examined = 0;
        byte[] last = null;

        byte[] from;
        byte[] to;
        if ("/".equals(prefix)) {
            from = RecordCodec.utf8("/");
            to = null;
        } else {
            byte[] p = RecordCodec.utf8(prefix);
            if (after == null || Arrays.compareUnsigned(after, p) < 0) {
                examined++;
                last = p;
                if (pattern.matches(prefix) && q.visible().test(prefix)) {
                    byte[] record = storage.get(p);
                    if (record != null) {
                        out.add(RecordCodec.decodeEntry(prefix, record));
                    }
                }
            }
            if (pattern.isLiteral()) {
                return KvPage.last(out);
            }
            from = append(p, (byte) '/');
            to = append(p, (byte) ('/' + 1));
        }
        if (after != null) {
            byte[] next = append(after, (byte) 0); // the smallest key greater than after
            if (Arrays.compareUnsigned(next, from) > 0) {
                from = next;
            }
        }
        if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
            return KvPage.last(out);
        }
        try (Storage.StateIterator it = storage.iterate(from, to)) {
            while (it.next()) {
                if (out.size() == limit || examined >= budget || bytes >= Storage.MAX_READ_BYTES) {
                    return KvPage.more(out, ScanTokens.seal(last, q));
                }
                byte[] k = it.key();
                examined++;
                last = k;
                String key = new String(k, StandardCharsets.UTF_8);
                if (pattern.matches(key) && q.visible().test(key)) {
                    byte[] record = it.value();
                    bytes += record.length;
                    out.add(RecordCodec.decodeEntry(key, record));
                }
            }
        }
        return KvPage.last(out);
    }

    private static byte[] append(byte[] b, byte last) {
        byte[] out = Arrays.copyOf(b, b.length + 1);
        out[b.length] = last;
        return out;
    }
}
