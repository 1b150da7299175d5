package dev.pando.node.kv;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvChange;
import dev.pando.node.kv.Queued.AtomicGroup;
import dev.pando.node.kv.Queued.PendingWrite;
import dev.pando.node.kv.Queued.Single;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of a {@link StateStore}. Writers enqueue; one thread takes whatever is
 * queued (up to {@link #MAX_BATCH} writes), checks each write against the current state plus the
 * earlier writes of the same batch, numbers the survivors and hands them to storage as one
 * atomic batch with at most one WAL sync. Under load many writes share one storage write,
 * which is what makes pipelined writes cheap; an idle store commits a lone write at once.
 *
 * <p>An {@link AtomicGroup} is one queue entry, taken whole into one storage batch: its checks
 * either all hold, and its writes get consecutive revisions, or none of it is written.
 *
 * <p>Revisions are assigned only here, so they are strictly increasing without gaps; a write
 * that is rejected or whose batch fails to persist consumes none.
 *
 * <p>Answering a persisted batch (completing the writers' futures, which runs whatever they
 * chained on, and telling the listeners) happens on a second thread, in batch order, so the
 * commit thread can start the next storage write meanwhile: it is the one serial stage of the
 * write path.
 */
final class GroupCommitter {
    /** Most writes in one storage batch, and so in one atomic group: a group is never split across batches. */
    static final int MAX_BATCH = 1024;
    static final String THREAD_NAME = "pando-commit";
    static final String ACK_THREAD_NAME = "pando-ack";
    private static final long IDLE_POLL_MILLIS = 100;
    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    private static final Queued WAKE = new Queued.Wake();

    private final Storage storage;
    private final StoreOptions options;
    private final LongSupplier clock;
    private final BlockingQueue<Queued> queue;
    private final CopyOnWriteArrayList<CommitListener> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private final ExecutorService acks;
    private volatile boolean closed;
    /** Newest revision whose acknowledgement has begun: what readers may see. Ack thread writes it. */
    private volatile long lastRevision;
    private final RevisionSignal revisionSignal = new RevisionSignal(() -> lastRevision);
    /** Newest revision in storage (commit thread only); runs ahead of {@link #lastRevision} by the batches in the ack queue. */
    private long persistedRevision;
    private long lastTimestamp; // commit thread only
    /** Taken from the queue but left for the next batch, which it would have made too large (commit thread only). */
    private Queued carried;

    GroupCommitter(Storage storage, StoreOptions options, LongSupplier clock) {
        this.storage = storage;
        this.options = options;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(options.commitQueueCapacity());
        this.lastRevision = storage.lastRevision();
        this.persistedRevision = lastRevision;
        List<byte[]> newest = lastRevision == 0 ? List.of() : storage.changes(lastRevision, 1);
        this.lastTimestamp = newest.isEmpty() ? 0 : RecordCodec.timestampOf(newest.get(0));
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
        this.acks = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, ACK_THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        thread.start();
    }

    /**
     * The revision of the newest write whose acknowledgement has begun (0 if none). Batches
     * already persisted but still queued for acknowledgement are not counted, so a reader of
     * the feed up to this revision never gets ahead of the writers and listeners.
     */
    long lastRevision() {
        return lastRevision;
    }

    /** A validated write, encoded for the commit thread; {@code json} null means delete. */
    PendingWrite pending(String key, JsonNode value, byte[] json, WriteOptions writeOptions) {
        String origin = writeOptions.origin() != null ? writeOptions.origin() : options.nodeId();
        return pending(key, value, json, writeOptions, origin, RecordCodec.utf8(origin), RecordCodec.utf8(writeOptions.writer()));
    }

    /** As above, with the origin and writer already encoded (an atomic batch encodes them once for all its writes). */
    PendingWrite pending(String key, JsonNode value, byte[] json, WriteOptions writeOptions, String origin, byte[] originBytes, byte[] writerBytes) {
        byte[] keyBytes = RecordCodec.utf8(key);
        byte[] entry = json == null ? null : RecordCodec.encodeEntry(0, 0, 0, originBytes, writerBytes, json);
        byte[] change = RecordCodec.encodeChange(keyBytes, 0, 0, 0, originBytes, writerBytes, json);
        return new PendingWrite(key, keyBytes, value, writeOptions, origin, entry, change);
    }

    /** Enqueues a validated write; the future fails with UNAVAILABLE if closed or full. */
    CompletableFuture<KvChange> submit(String key, JsonNode value, byte[] json, WriteOptions writeOptions) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        Single single = new Single(pending(key, value, json, writeOptions), new CompletableFuture<>());
        return enqueue(single, single.future());
    }

    /**
     * Enqueues validated writes as one {@link AtomicGroup} (at most {@link #MAX_BATCH}); the
     * future fails with UNAVAILABLE if closed or full, and with the first failed check otherwise.
     */
    CompletableFuture<List<KvChange>> submitAtomic(List<PendingWrite> writes, boolean sync) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        AtomicGroup group = new AtomicGroup(List.copyOf(writes), sync, new ArrayList<>(writes.size()), new CompletableFuture<>());
        return enqueue(group, group.future());
    }

    private <T> CompletableFuture<T> enqueue(Queued item, CompletableFuture<T> future) {
        if (!queue.offer(item)) {
            return CompletableFuture.failedFuture(new PandoException(ErrorCode.UNAVAILABLE,
                    "commit queue full (" + options.commitQueueCapacity() + " writes waiting)"));
        }
        // close() may have drained the queue and stopped the thread between the check and the
        // offer; if the write is still queued nobody will take it, so fail it here.
        if (closed && queue.remove(item)) {
            item.fail(closedError());
        }
        return future;
    }

    /** See {@link StateStore#awaitRevisionAfter}. */
    boolean awaitRevisionAfter(long afterRevision, long timeoutNanos) throws InterruptedException {
        return revisionSignal.await(afterRevision, timeoutNanos);
    }

    StateStore.Registration addListener(CommitListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Stops accepting writes, commits everything already queued, and waits for the thread. */
    void close() {
        if (Thread.currentThread() == thread || Thread.currentThread().getName().equals(ACK_THREAD_NAME)) {
            throw new IllegalStateException("the store cannot be closed from a commit listener");
        }
        closed = true;
        queue.offer(WAKE);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true; // finish closing; the queued writes deserve an answer
            }
        }
        acks.shutdown(); // runs the answers already handed over, then stops
        while (true) {
            try {
                if (acks.awaitTermination(1, TimeUnit.DAYS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Queued> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            Queued first = carried;
            carried = null;
            try {
                if (first == null) {
                    first = closed ? queue.poll() : queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose; closing uses WAKE
            }
            if (first == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            fill(batch, first);
            batch.removeIf(w -> w == WAKE);
            try {
                if (!batch.isEmpty()) {
                    commit(batch);
                }
            } catch (Throwable t) {
                log.error("commit of {} writes failed", batch.stream().mapToInt(Queued::size).sum(), t);
                PandoException failure = internal(t);
                resyncPersistedRevision();
                List<Queued> failed = List.copyOf(batch);
                acks.execute(() -> failed.forEach(w -> w.fail(failure)));
            } finally {
                batch = new ArrayList<>(MAX_BATCH); // the ack thread may still be reading the old one
            }
        }
    }

    /**
     * Takes {@code first} and what is queued behind it into {@code batch}, up to
     * {@link #MAX_BATCH} writes; a group that would pass the limit is carried over whole to the
     * next batch, unless the batch holds nothing else yet.
     */
    private void fill(List<Queued> batch, Queued first) {
        batch.add(first);
        int writes = first.size();
        while (writes < MAX_BATCH) {
            Queued next = queue.poll();
            if (next == null) {
                return;
            }
            if (writes + next.size() > MAX_BATCH) {
                carried = next;
                return;
            }
            batch.add(next);
            writes += next.size();
        }
    }

    /**
     * After a failed batch the storage may have been reopened; if it holds more revisions than
     * counted here (the batch landed after all), number on from there, never reusing one.
     */
    private void resyncPersistedRevision() {
        try {
            long stored = storage.lastRevision();
            if (stored > persistedRevision) {
                log.warn("storage holds revisions up to {} after a failed batch (counted {}); continuing after it", stored, persistedRevision);
                persistedRevision = stored;
                acks.execute(() -> {
                    lastRevision = stored;
                    revisionSignal.advanced();
                });
            }
        } catch (RuntimeException e) {
            log.debug("cannot read the storage's last revision after a failure", e);
        }
    }

    private void commit(List<Queued> items) {
        long timestamp = Math.max(lastTimestamp, clock.getAsLong());
        CommitBatch batch = new CommitBatch(storage, items, persistedRevision, timestamp, options.syncByDefault());
        // Rejections are answered only after the batch persisted: they may rest on earlier
        // writes of this batch, which must not be reported as facts if the batch fails.
        storage.apply(batch.mutations, batch.sync());
        persistedRevision = batch.lastRevision();
        lastTimestamp = timestamp;
        acks.execute(() -> answer(batch));
    }

    private void answer(CommitBatch batch) {
        lastRevision = batch.lastRevision(); // before the futures: a writer that was answered sees its revision
        List<KvChange> changes = new ArrayList<>(batch.mutations.size());
        for (int i = 0; i < batch.items.size(); i++) {
            Queued q = batch.items.get(i);
            if (batch.rejected[i] != null) {
                q.fail(batch.rejected[i]);
            } else if (q instanceof AtomicGroup g) {
                changes.addAll(g.committed());
                g.future().complete(Collections.unmodifiableList(g.committed()));
            } else {
                changes.add(batch.committed[i]);
                ((Single) q).future().complete(batch.committed[i]);
            }
        }
        revisionSignal.advanced();
        notifyListeners(Collections.unmodifiableList(changes));
    }

    private void notifyListeners(List<KvChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        for (CommitListener l : listeners) {
            try {
                l.committed(changes);
            } catch (Throwable t) {
                log.error("commit listener {} failed on revisions {}..{}", l, changes.get(0).revision(),
                        changes.get(changes.size() - 1).revision(), t);
            }
        }
    }

    private static PandoException internal(Throwable t) {
        if (t instanceof PandoException p) { // e.g. UNAVAILABLE for a full disk: keep the storage's word
            return p;
        }
        return new PandoException(ErrorCode.INTERNAL, "commit failed: " + t.getMessage(), t);
    }

    private static PandoException closedError() {
        return new PandoException(ErrorCode.UNAVAILABLE, "store is closed");
    }
}
