package dev.pando.builtin.federation;

import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import java.util.List;

/** How far behind a peer is in time, from the commit timestamps in the feed. */
final class Ages {
    private Ages() {}

    /** Milliseconds since the first change after {@code revision} was committed here; 0 if there is none. */
    static long oldestAfter(ChangeFeed feed, long revision, long now) {
        if (revision >= feed.lastRevision()) {
            return 0;
        }
        List<KvChange> next = feed.read(Math.max(revision, feed.firstRevision() - 1), 1);
        return next.isEmpty() ? 0 : Math.max(0, now - next.get(0).timestamp());
    }
}
