package dev.pando.builtin.journal;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.builtin.PollingWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Moves changes from the node's feed into the journal: read a batch after the cursor, append
 * each change not yet journaled, save the head, then commit the cursor. Every step is
 * idempotent, so a crash anywhere in between is repaired by running it again: changes at or
 * below the head's revision are skipped, entries are written with "must not exist", and the
 * head is re-derived by probing forward. The background thread polls, with a short idle sleep
 * and a backoff after failures.
 */
final class Catchup {
    /** Changes read from the feed per step. */
    static final int BATCH_SIZE = 500;
    /** Sleep when caught up; the bound on how stale the journal is on an idle node. */
    static final long IDLE_POLL_MS = 50;
    /**
     * Writes (entries and index rows) in flight at once: each is a durable write, and the node
     * commits concurrent writes together, so parallel writes multiply the append rate.
     */
    static final int WRITERS = 16;

    private final ChangeFeed feed;
    private final JournalStore store;
    private final HmacChain chain;
    private final Logger log;
    /** Runs after each background step (retention); may be null. */
    private final Runnable afterStep;
    /** Idle threads expire, so a Catchup that is never stopped (tests) holds none for long. */
    private final ThreadPoolExecutor writers;
    private final PollingWorker worker;

    Catchup(ChangeFeed feed, JournalStore store, HmacChain chain, Logger log, Runnable afterStep) {
        this.feed = feed;
        this.store = store;
        this.chain = chain;
        this.log = log;
        this.afterStep = afterStep;
        this.writers = new ThreadPoolExecutor(WRITERS, WRITERS, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "pando-journal-writer");
            t.setDaemon(true);
            return t;
        });
        writers.allowCoreThreadTimeOut(true);
        this.worker = new PollingWorker("pando-journal-catchup", this::backgroundStep, BATCH_SIZE, IDLE_POLL_MS, log);
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
        // Seqs and macs follow from the head and the feed's order alone, so a batch's entries can
        // be computed first and written in parallel: after a crash that left holes, the same
        // changes get the same seqs again, and a seq found written (CONFLICT) holds this very entry.
        List<JournalEntry> entries = new ArrayList<>();
        JournalStore.Head h = store.head();
        long seq = h.seq();
        String mac = h.mac();
        for (KvChange c : batch) {
            if (c.revision() > h.revision() && !isOwn(c)) {
                JournalEntry e = new JournalEntry(++seq, c, Optional.empty());
                if (chain != null) {
                    e = e.withMac(chain.mac(mac, e));
                    mac = e.mac().orElse(null);
                }
                entries.add(e);
            }
        }
        if (!entries.isEmpty()) {
            PandoException conflict = writeAll(entries);
            if (conflict != null) {
                // Another instance (the old one during a reload) or a run cut short by a crash
                // wrote some of these seqs: adopt what is there and go again from the real head.
                log.info("journal seqs {}..{} were partly written already; recovering", entries.get(0).seq(), seq);
                store.recover();
                return batch.size();
            }
            store.advanceTo(entries.get(entries.size() - 1));
            store.saveHead();
        }
        feed.commit(batch.get(batch.size() - 1).revision());
        return batch.size();
    }

    /**
     * Writes every entry and its index row, {@link #WRITERS} writes at a time; the first CONFLICT,
     * or null. Other failures propagate.
     */
    private PandoException writeAll(List<JournalEntry> entries) {
        List<Future<?>> pending = new ArrayList<>(2 * entries.size());
        for (JournalEntry e : entries) {
            pending.add(writers.submit(() -> store.writeEntry(e)));
            pending.add(writers.submit(() -> store.writeIndexRow(e)));
        }
        PandoException conflict = null;
        RuntimeException failure = null;
        // Every write is waited for, failed or not, so none is still running when the caller recovers.
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (ExecutionException ex) {
                if (ex.getCause() instanceof PandoException p && p.code() == ErrorCode.CONFLICT) {
                    conflict = conflict == null ? p : conflict;
                } else if (failure == null) {
                    failure = ex.getCause() instanceof RuntimeException r ? r : new IllegalStateException(ex.getCause());
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                failure = failure == null ? new PandoException(ErrorCode.UNAVAILABLE, "interrupted while journaling") : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return conflict;
    }

    /** Steps until the feed has nothing more, at most {@code maxSteps} times; for ops and tests. */
    void drain(int maxSteps) {
        for (int i = 0; i < maxSteps && step() > 0; i++) {
            // keep going
        }
    }

    void start() {
        worker.start();
    }

    /** Wakes the thread early (a change is known to be waiting). */
    void wake() {
        worker.wake();
    }

    /** Stops the thread, then the entry writers (a step it was finishing still had them to use). */
    void stop() {
        worker.stop();
        writers.shutdown();
    }

    boolean isRunning() {
        return worker.isRunning();
    }

    /** The background step: catch up, then apply retention. */
    private int backgroundStep() {
        int read = step();
        if (afterStep != null) {
            afterStep.run();
        }
        return read;
    }
}
