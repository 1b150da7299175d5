package dev.pando.builtin.rules;

import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.builtin.PollingWorker;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Feeds committed changes to the engine from the node's change feed, through the plugin's
 * durable cursor, instead of from a listener queue: a listener that falls behind a write burst
 * is cut off and its changes are lost, while the feed only lags and catches up, so no trigger
 * is missed under load. Starts at the feed's head the first time (a new rules plugin does not
 * replay history); after a crash the last uncommitted batch is evaluated again (at least once).
 * It waits on the feed itself, woken by the next commit, so triggers stay prompt on a quiet node
 * without a listener thread relaying every change.
 *
 * <p>While no rule fires on changes it reads nothing: it moves the cursor to the feed's head
 * once per idle wait (retention is not held back), and again just before such a rule is
 * installed, then wakes ({@link #aroundFirstRule}). A node without change rules then pays
 * nothing per write for them.
 */
final class FeedPump {
    /** Changes per step; the cursor is committed after each. */
    static final int BATCH = 500;
    /** Longest idle wait before the pump looks again (a commit ends it sooner). */
    static final long IDLE_POLL_MS = 1_000;

    private final ChangeFeed feed;
    private final Consumer<KvChange> engine;
    private final BooleanSupplier watching;
    private final PollingWorker worker;

    /** @param watching true while some rule fires on changes (read at every step) */
    FeedPump(ChangeFeed feed, Consumer<KvChange> engine, BooleanSupplier watching, Logger log) {
        this.feed = feed;
        this.engine = engine;
        this.watching = watching;
        this.worker = PollingWorker.following("pando-rules-feed", this::step, BATCH, feed, feed::position, watching,
                IDLE_POLL_MS, log);
    }

    void start() {
        if (feed.position() == 0) {
            feed.commit(feed.lastRevision());
        }
        worker.start();
    }

    /**
     * Runs {@code install}, the installation of the first rule that fires on changes: moves the
     * cursor to the head before (the changes so far predate the rule) and wakes the pump after, so
     * it reads from there at once rather than after its idle wait.
     */
    void aroundFirstRule(Runnable install) {
        skipTo(feed.lastRevision());
        install.run();
        worker.wake();
    }

    /** One batch: evaluate each change, then commit. Returns how many changes it read. */
    int step() {
        // The head is read before the rules are: a change rule installed after this check sees
        // only changes committed after it was installed, and those are all past `head`.
        long head = feed.lastRevision();
        if (!watching.getAsBoolean()) {
            skipTo(head);
            return 0;
        }
        List<KvChange> batch = feed.poll(BATCH);
        for (KvChange c : batch) {
            engine.accept(c);
        }
        if (!batch.isEmpty()) {
            feed.commit(batch.get(batch.size() - 1).revision());
        }
        return batch.size();
    }

    /** Moves the cursor to {@code revision} unless it is there already: nothing before it is evaluated. */
    private void skipTo(long revision) {
        if (revision > feed.position()) {
            feed.commit(revision);
        }
    }

    void stop() {
        worker.stop();
    }
}
