package dev.pando.builtin.journal;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import java.util.List;
import org.slf4j.Logger;

/**
 * Moves changes from the node's feed into the journal: read a batch after the cursor, append
 * each change not yet journaled, save the head, then commit the cursor. Every step is
 * idempotent, so a crash anywhere in between is repaired by running it again: changes at or
 * below the head's revision are skipped, entries are written with "must not exist", and the
 * head is re-derived by probing forward. The background thread polls (the manifest cannot
 * listen to {@code /**}: listen patterns must lie within readable prefixes, and no plugin may
 * read {@code /}), with a short idle sleep and a backoff after failures.
 */
final class Catchup implements Runnable {
    /** Changes read from the feed per step. */
    static final int BATCH_SIZE = 500;
    /** Sleep when caught up; the bound on how stale the journal is on an idle node. */
    static final long IDLE_POLL_MS = 50;
    /** First and longest sleep after a failed step. */
    static final long MIN_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;
    /** How long {@link #stop} waits for the thread before interrupting it. */
    static final long STOP_JOIN_MS = 5_000;

    private final ChangeFeed feed;
    private final JournalStore store;
    private final HmacChain chain;
    private final Logger log;
    /** Runs after each background step (retention); may be null. */
    private final Runnable afterStep;
    private final Object monitor = new Object();
    private volatile boolean running;
    private boolean woken;
    private Thread thread;

    Catchup(ChangeFeed feed, JournalStore store, HmacChain chain, Logger log, Runnable afterStep) {
        this.feed = feed;
        this.store = store;
        this.chain = chain;
        this.log = log;
        this.afterStep = afterStep;
    }

    /** True for the journal's own writes, which it must not journal or it would feed itself. */
    static boolean isOwn(KvChange c) {
        return Keys.isUnder(c.key(), JournalStore.ROOT)
                || "plugin:journal".equals(c.writer())
                || (c.writer() != null && c.writer().startsWith("plugin:journal/"));
    }

    /** The highest revision the journal has fully handled (journaled or deliberately skipped). */
    long coveredRevision() {
        return Math.max(feed.position(), store.head().revision());
    }

    /**
     * One step: journals up to {@link #BATCH_SIZE} changes. Returns how many changes it read
     * from the feed (0 when caught up). Serialised: only one step runs at a time.
     */
    synchronized int step() {
        List<KvChange> batch = feed.read(coveredRevision(), BATCH_SIZE);
        if (batch.isEmpty()) {
            return 0;
        }
        int appended = 0;
        long handled = 0;
        for (KvChange c : batch) {
            JournalStore.Head h = store.head();
            if (c.revision() > h.revision() && !isOwn(c)) {
                JournalEntry e = new JournalEntry(h.seq() + 1, c.revision(), c.key(), c.value(), c.timestamp(), c.origin(), c.writer(), null);
                if (chain != null) {
                    e = e.withMac(chain.mac(h.mac(), e));
                }
                try {
                    store.append(e);
                } catch (PandoException conflict) {
                    if (conflict.code() != ErrorCode.CONFLICT) {
                        throw conflict;
                    }
                    // Another instance (the old one during a reload) appended this seq first:
                    // adopt what is there and go again from the real head.
                    log.info("journal seq {} was appended concurrently; recovering", e.seq());
                    store.recover();
                    return batch.size();
                }
                appended++;
            }
            handled = c.revision();
        }
        if (appended > 0) {
            store.saveHead();
        }
        feed.commit(handled);
        return batch.size();
    }

    /** Steps until the feed has nothing more, at most {@code maxSteps} times; for ops and tests. */
    void drain(int maxSteps) {
        for (int i = 0; i < maxSteps && step() > 0; i++) {
            // keep going
        }
    }

    void start() {
        synchronized (monitor) {
            running = true;
            thread = new Thread(this, "pando-journal-catchup");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Wakes the thread early (a change is known to be waiting). */
    void wake() {
        synchronized (monitor) {
            woken = true;
            monitor.notifyAll();
        }
    }

    /** Stops the thread and waits for it; interrupts it only if it does not finish in time. */
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
        if (t.isAlive()) {
            log.warn("journal catch-up thread did not stop within {} ms", 2 * STOP_JOIN_MS);
        }
    }

    boolean isRunning() {
        Thread t;
        synchronized (monitor) {
            t = thread;
        }
        return t != null && t.isAlive();
    }

    @Override
    public void run() {
        long backoff = 0;
        while (running) {
            try {
                int read = step();
                if (afterStep != null) {
                    afterStep.run();
                }
                backoff = 0;
                if (read < BATCH_SIZE) {
                    pause(IDLE_POLL_MS);
                }
            } catch (Throwable t) {
                if (!running) {
                    break;
                }
                if (t instanceof VirtualMachineError v && !(t instanceof StackOverflowError)) {
                    throw v;
                }
                backoff = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, backoff * 2));
                log.warn("journal catch-up failed, retrying in {} ms: {}", backoff, t.toString());
                pause(backoff);
            }
        }
    }

    private void pause(long ms) {
        synchronized (monitor) {
            if (running && !woken) {
                try {
                    monitor.wait(ms);
                } catch (InterruptedException e) {
                    running = false;
                    Thread.currentThread().interrupt();
                }
            }
            woken = false;
        }
    }
}
