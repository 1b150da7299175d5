package dev.pando.builtin;

import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import java.util.List;

/** A {@link ChangeFeed} that passes every call on; tests override what they observe or break. */
public class ForwardingFeed implements ChangeFeed {
    private final ChangeFeed d;

    public ForwardingFeed(ChangeFeed d) {
        this.d = d;
    }

    @Override
    public long position() {
        return d.position();
    }

    @Override
    public List<KvChange> poll(int limit) {
        return d.poll(limit);
    }

    @Override
    public List<KvChange> read(long afterRevision, int limit) {
        return d.read(afterRevision, limit);
    }

    @Override
    public void commit(long revision) {
        d.commit(revision);
    }

    @Override
    public long lastRevision() {
        return d.lastRevision();
    }

    @Override
    public long firstRevision() {
        return d.firstRevision();
    }

    @Override
    public boolean awaitAfter(long afterRevision, long timeoutMillis) {
        return d.awaitAfter(afterRevision, timeoutMillis);
    }
}
