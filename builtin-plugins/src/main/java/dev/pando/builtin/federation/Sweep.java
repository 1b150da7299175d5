package dev.pando.builtin.federation;

import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.PluginContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Removes what a full snapshot shows gone. A snapshot lists, in key order, every entry a peer
 * holds among the keys it speaks for ({@code covered}); a covered key held here that the snapshot
 * passes over was deleted there while this node was behind the feed's pruned point, where the
 * delete itself no longer is. Each page speaks for the keys after the previous page's last key
 * through its own last key (the last page: through the end), so pages are checked one at a time,
 * in memory bounded by a page.
 *
 * <p>A key is removed by a <em>retraction</em>: a delete carrying the held entry's own origin and
 * origin revision. {@link Applier} takes a delete at exactly the origin revision it holds as one
 * (no change of an origin is both a value and a delete at one revision), so a retraction travels
 * on down a tree of hubs, while a retraction replayed, or arriving after a newer write, changes
 * nothing.
 */
final class Sweep {
    /** Keys examined per local scan page. */
    private static final int SCAN_PAGE = 500;

    private final PluginContext context;
    private final Predicate<KvEntry> covered;
    private Optional<String> after;

    /**
     * @param covered the entries here the snapshot speaks for
     * @param after the last key of the page before the next one checked; empty before the first
     */
    Sweep(PluginContext context, Predicate<KvEntry> covered, Optional<String> after) {
        this.context = context;
        this.covered = covered;
        this.after = after;
    }

    /**
     * Retracts the covered entries held here after the previous page's last key, through the last
     * key of {@code page} (through the end when {@code last}), that {@code page} does not hold.
     *
     * @return how many were retracted
     */
    int page(List<KvChange> page, boolean last) {
        if (page.isEmpty() && !last) {
            return 0; // speaks for no keys: the next page's range starts where the last one ended
        }
        Set<String> offered = new HashSet<>();
        String highest = null;
        byte[] highestBytes = null;
        for (KvChange c : page) {
            offered.add(c.key());
            byte[] key = utf8(c.key());
            if (highestBytes == null || Arrays.compareUnsigned(key, highestBytes) > 0) {
                highest = c.key();
                highestBytes = key;
            }
        }
        byte[] through = last ? null : highestBytes; // null: through the end
        int n = 0;
        String token = after.map(KvPage::resumeAfter).orElse(null);
        boolean done = false;
        while (!done) {
            KvPage held = context.kv().scan("/", token, SCAN_PAGE);
            List<KvChange> gone = new ArrayList<>();
            for (KvEntry e : held.entries()) {
                if (through != null && Arrays.compareUnsigned(utf8(e.key()), through) > 0) {
                    done = true;
                    break;
                }
                if (!offered.contains(e.key()) && covered.test(e)) {
                    gone.add(retraction(e));
                }
            }
            if (!gone.isEmpty()) {
                n += context.replica().applyAll(gone);
            }
            token = held.next().orElse(null);
            done |= token == null;
        }
        if (!last) {
            after = Optional.of(highest);
        }
        if (n > 0) {
            context.log().info("federation: removed {} entries a snapshot no longer holds", n);
        }
        return n;
    }

    static KvChange retraction(KvEntry e) {
        return new KvChange(e.key(), NullNode.getInstance(), e.revision(), e.timestamp(), e.origin(), e.writer(), e.originRevision());
    }

    /** A key as the store orders it: unsigned UTF-8 bytes (String's order differs past U+FFFF). */
    private static byte[] utf8(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
