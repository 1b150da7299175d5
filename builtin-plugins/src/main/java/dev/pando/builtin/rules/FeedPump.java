package dev.pando.builtin.rules;

import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Feeds committed changes to the engine from the node's change feed, through the plugin's
 * durable cursor, instead of from a listener queue: a listener that falls behind a write burst
 * is cut off and its changes are lost, while the feed only lags and catches up, so no trigger
 * is missed under load. Starts at the feed's head the first time (a new rules plugin does not
 * replay history); after a crash the last uncommitted batch is evaluated again (at least once).
 * Listener deliveries only {@link #wake} it, so triggers stay prompt on a quiet node.
 */
final class FeedPump implements Runnable {
    /** Changes per step; the cursor is committed after each. */
    static final int BATCH = 500;
    /** Poll interval when nothing woke the pump: the bound on trigger latency if wake-ups are lost. */
    static final long IDLE_POLL_MS = 50;
    static final long MAX_BACKOFF_MS = 5_000;
    static final long STOP_JOIN_MS = 5_000;

    private final ChangeFeed feed;
    private final Consumer<KvChange> engine;
    private final Logger log;
    private final Object monitor = new Object();
    private boolean running;
    private boolean woken;
    private Thread thread;

    FeedPump(ChangeFeed feed, Consumer<KvChange> engine, Logger log) {
        this.feed = feed;
        this.engine = engine;
        this.log = log;
    }

    void start() {
        if (feed.position() == 0) {
            feed.commit(feed.lastRevision());
        }
        synchronized (monitor) {
            running = true;
            thread = new Thread(this, "pando-rules-feed");
            thread.setDaemon(true);
            thread.start();
        }
    }

    void wake() {
        synchronized (monitor) {
            woken = true;
            monitor.notifyAll();
        }
    }

    /** One batch: evaluate each change, then commit. Returns how many changes it read. */
    int step() {
        List<KvChange> batch = feed.poll(BATCH);
        for (KvChange c : batch) {
            engine.accept(c);
        }
        if (!batch.isEmpty()) {
            feed.commit(batch.get(batch.size() - 1).revision());
        }
        return batch.size();
    }

    @Override
    public void run() {
        long backoff = 0;
        while (true) {
            synchronized (monitor) {
                if (!running) {
                    return;
                }
            }
            long sleep;
            try {
                sleep = step() > 0 ? 0 : IDLE_POLL_MS;
                backoff = 0;
            } catch (RuntimeException e) {
                backoff = Math.min(MAX_BACKOFF_MS, Math.max(100, backoff * 2));
                sleep = backoff;
                log.warn("rules: reading the change feed failed, retrying in {} ms: {}", sleep, e.toString());
            }
            if (sleep > 0) {
                synchronized (monitor) {
                    try {
                        if (running && !woken) {
                            monitor.wait(sleep);
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    woken = false;
                }
            }
        }
    }

    void stop() {
        Thread t;
        synchronized (monitor) {
            running = false;
            t = thread;
            thread = null;
            monitor.notifyAll();
        }
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(STOP_JOIN_MS);
            if (t.isAlive()) {
                t.interrupt();
                t.join(STOP_JOIN_MS);
            }
        } catch (InterruptedException e) {
            t.interrupt();
            Thread.currentThread().interrupt();
        }
    }
}
