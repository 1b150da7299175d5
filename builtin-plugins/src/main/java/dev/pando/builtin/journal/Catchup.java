package dev.pando.builtin.journal;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.PluginKv;
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
 * Moves changes from the node's feed into the journal: read a batch after the cursor, append the
 * changes not yet journaled (their entries, index rows and the head, as one atomic write), then
 * commit the cursor. Every step is idempotent, so a crash anywhere in between is repaired by
 * running it again: changes at or below the head's revision are skipped, and an append holds
 * only if the head is where this instance last saw it and its first seq is free, so a batch
 * another writer got to first fails whole and the head is re-derived by probing forward. The
 * background thread follows the feed: woken by a commit, it lingers ({@link JournalConfig#lingerMs})
 * to take a batch, and backs off after failures.
 *
 * <p>Appends are pipelined one deep: while a batch is being written (on the appender thread,
 * which encodes it and waits for the node's commit), the next is read and its entries computed
 * from the head that batch will leave; the next is submitted only once the first has landed and
 * its cursor is committed, and is dropped if the first failed.
 */
final class Catchup {
    /**
     * Changes read from the feed per step. Each journaled change is two writes (entry and index
     * row) and the head one more, so a step's append fits in one {@link PluginKv#apply}.
     */
    static final int BATCH_SIZE = (PluginKv.MAX_APPLY_WRITES - 1) / 2;
    /** Longest wait when caught up; a commit to the feed ends it sooner. */
    static final long IDLE_POLL_MS = 1_000;

    /** An append being written: its entries and the last revision of the feed batch they came from. */
    private record Append(List<JournalEntry> entries, long lastRevision, Future<?> written) {
        JournalStore.Head head() {
            JournalEntry last = entries.get(entries.size() - 1);
            return new JournalStore.Head(last.seq(), last.revision(), last.mac().orElse(null));
        }
    }

    private final ChangeFeed feed;
    private final JournalStore store;
    private final HmacChain chain;
    private final Logger log;
    /** Runs after each background step (retention); may be null. */
    private final Runnable afterStep;
    /** Idle threads expire, so a Catchup that is never stopped (tests) holds none for long. */
    private final ThreadPoolExecutor appender;
    private final PollingWorker worker;
    private Append inFlight; // guarded by this

    /**
     * @param lingerMs how long after a commit woke it the journal waits before reading, so a
     *                 trickle of writes is appended in batches, not one append per client write
     */
    Catchup(ChangeFeed feed, JournalStore store, HmacChain chain, long lingerMs, Logger log, Runnable afterStep) {
        this.feed = feed;
        this.store = store;
        this.chain = chain;
        this.log = log;
        this.afterStep = afterStep;
        this.appender = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "pando-journal-append");
            t.setDaemon(true);
            return t;
        });
        appender.allowCoreThreadTimeOut(true);
        this.worker = PollingWorker.following("pando-journal-catchup", this::backgroundStep, BATCH_SIZE, feed,
                this::coveredRevision, () -> true, IDLE_POLL_MS, log).lingering(lingerMs);
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
     * One step: reads up to {@link #BATCH_SIZE} changes and submits the append of those not yet
     * journaled, after the previous step's append has landed; a batch short of full is waited for
     * at once. Returns how many changes it read from the feed (0 when caught up, with nothing left
     * in flight). Serialised: only one step runs at a time.
     */
    synchronized int step() {
        Append previous = inFlight;
        JournalStore.Head h = previous != null ? previous.head() : store.head();
        long covered = previous != null ? previous.lastRevision() : coveredRevision();
        List<KvChange> batch = feed.read(covered, BATCH_SIZE);
        List<JournalEntry> entries = entries(batch, h);
        // Built while the previous batch is still being written; dropped if that one failed.
        List<KvWrite> writes = entries.isEmpty() ? List.of() : store.appendWrites(entries);
        if (previous != null && !settle()) {
            return Math.max(1, batch.size()); // recovered: go again, from the real head
        }
        if (batch.isEmpty()) {
            return 0;
        }
        long last = batch.get(batch.size() - 1).revision();
        if (entries.isEmpty()) {
            feed.commit(last);
            return batch.size();
        }
        inFlight = new Append(entries, last, appender.submit(() -> store.append(entries, writes)));
        if (batch.size() < BATCH_SIZE) {
            settle(); // nothing more to read meanwhile: land it now, as an idle journal should
        }
        return batch.size();
    }

    /**
     * The entries for the changes of {@code batch} after head {@code h} that are not the
     * journal's own. Seqs and macs follow from the head and the feed's order alone: after a
     * crash, or in a second instance, the same changes get the same seqs again.
     */
    private List<JournalEntry> entries(List<KvChange> batch, JournalStore.Head h) {
        List<JournalEntry> entries = new ArrayList<>(batch.size());
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
        return entries;
    }

    /**
     * Waits for the append in flight and commits the cursor past its batch. False if it found
     * its seqs taken ({@code CONFLICT}): the journal then recovered its real head. Other
     * failures propagate; either way nothing is left in flight.
     */
    private boolean settle() {
        Append a = inFlight;
        inFlight = null;
        try {
            awaitWritten(a);
        } catch (PandoException conflict) {
            if (conflict.code() != ErrorCode.CONFLICT) {
                throw conflict;
            }
            // Another instance (the old one during a reload) wrote some of these seqs first:
            // adopt what is there and go again from the real head.
            log.info("journal seqs {}..{} were partly written already; recovering", a.entries().get(0).seq(), a.head().seq());
            long before = store.head().seq();
            store.recover();
            if (store.head().seq() == before) {
                // Nothing at the head's next seq, yet a later one is taken: a hole an earlier
                // version's parallel writes left in a crash. Fill it one entry at a time.
                store.fillHoles(a.entries());
            }
            return false;
        }
        feed.commit(a.lastRevision());
        return true;
    }

    private static void awaitWritten(Append a) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    a.written().get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the append runs on regardless: wait for its outcome
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Steps until the feed has nothing more, at most {@code maxSteps} times, and leaves nothing in
     * flight; for ops and tests.
     */
    void drain(int maxSteps) {
        for (int i = 0; i < maxSteps && step() > 0; i++) {
            // keep going
        }
        settleInFlight();
    }

    /** Waits for the append in flight, if any; a failure of it propagates. */
    private synchronized void settleInFlight() {
        if (inFlight != null) {
            settle();
        }
    }

    void start() {
        worker.start();
    }

    /** Wakes the thread early (a change is known to be waiting). */
    void wake() {
        worker.wake();
    }

    /** Stops the thread, then lets the append it left in flight land (a conflict or failure is left for recovery). */
    void stop() {
        worker.stop();
        try {
            settleInFlight();
        } catch (RuntimeException e) {
            log.info("the journal's last append did not land; the next start recovers: {}", e.getMessage());
        } finally {
            appender.shutdown();
        }
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
