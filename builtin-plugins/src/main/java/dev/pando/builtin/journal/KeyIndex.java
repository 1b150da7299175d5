package dev.pando.builtin.journal;

import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.PluginKv;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;
import java.util.stream.LongStream;

/**
 * Reads the journal's key index ({@code k/<sha-256 of key>/<seq>}, see {@link JournalStore}),
 * so that a key's history is read in proportion to its own length rather than the journal's.
 */
final class KeyIndex {
    /** Seqs of one key's entries, oldest first, from the key index; {@code more} if the index may hold more. */
    private record KeySeqs(List<Long> seqs, boolean more) {}

    private final PluginKv kv;

    KeyIndex(PluginKv kv) {
        this.kv = kv;
    }

    /**
     * The held seqs from {@code from} to {@code to} that may hold an entry matching {@code pattern},
     * in order: every seq, or for a literal pattern (one key) only that key's, from the index.
     */
    PrimitiveIterator.OfLong seqs(PathPattern pattern, long from, long to) {
        if (pattern == null || !pattern.isLiteral()) {
            return LongStream.rangeClosed(from, to).iterator();
        }
        String rows = JournalStore.indexPrefix(pattern.literalPrefix());
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
     * Up to {@link JournalStore#SCAN_PAGE} seqs from one key's index rows ({@code rows}, its
     * {@link JournalStore#indexPrefix}) after {@code afterSeq}, oldest first. Seqs may name entries
     * compaction has removed since: readers skip what {@link JournalStore#entry} no longer finds.
     */
    private KeySeqs keySeqs(String rows, long afterSeq) {
        KvPage page = kv.scan(rows, KvPage.resumeAfter(rows + "/" + JournalStore.seqText(Math.max(afterSeq, 0))), JournalStore.SCAN_PAGE);
        List<Long> seqs = new ArrayList<>(page.entries().size());
        for (KvEntry row : page.entries()) {
            seqs.add(Long.parseLong(row.key().substring(row.key().lastIndexOf('/') + 1)));
        }
        return new KeySeqs(seqs, page.next().isPresent() && !seqs.isEmpty());
    }
}
