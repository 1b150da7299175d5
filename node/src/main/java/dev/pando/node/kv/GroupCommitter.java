package dev.pando.node.kv;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvChange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * queued (up to {@link #MAX_BATCH}), checks each write against the current state plus the
 * earlier writes of the same batch, numbers the survivors and hands them to storage as one
 * atomic batch with at most one WAL sync. Under load many writes share one storage write,
 * which is what makes pipelined writes cheap; an idle store commits a lone write at once.
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
    static final int MAX_BATCH = 1024;
    static final String THREAD_NAME = "pando-commit";
    static final String ACK_THREAD_NAME = "pando-ack";
    private static final long IDLE_POLL_MILLIS = 100;
    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    /**
     * A validated write waiting for the commit thread; {@code json} null means delete. Strings
     * arrive already UTF-8 encoded: the commit thread is the serial stage and should only number,
     * encode records and write.
     */
    record PendingWrite(String key, byte[] keyBytes, JsonNode value, byte[] json, WriteOptions options,
            String origin, byte[] originBytes, byte[] writerBytes, CompletableFuture<KvChange> future) {}

    /** Put in the queue by {@link #close()} to wake the commit thread; never committed. */
    private static final PendingWrite WAKE = new PendingWrite(null, null, null, null, null, null, null, null, null);

    private final Storage storage;
    private final StoreOptions options;
    private final LongSupplier clock;
    private final BlockingQueue<PendingWrite> queue;
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

    /** Enqueues a validated write; the future fails with UNAVAILABLE if closed or full. */
    CompletableFuture<KvChange> submit(String key, JsonNode value, byte[] json, WriteOptions writeOptions) {
        CompletableFuture<KvChange> future = new CompletableFuture<>();
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        String origin = writeOptions.origin() != null ? writeOptions.origin() : options.nodeId();
        PendingWrite write = new PendingWrite(key, RecordCodec.utf8(key), value, json, writeOptions,
                origin, RecordCodec.utf8(origin), RecordCodec.utf8(writeOptions.writer()), future);
        if (!queue.offer(write)) {
            return CompletableFuture.failedFuture(new PandoException(ErrorCode.UNAVAILABLE,
                    "commit queue full (" + options.commitQueueCapacity() + " writes waiting)"));
        }
        // close() may have drained the queue and stopped the thread between the check and the
        // offer; if the write is still queued nobody will take it, so fail it here.
        if (closed && queue.remove(write)) {
            future.completeExceptionally(closedError());
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
        List<PendingWrite> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            PendingWrite first;
            try {
                first = closed ? queue.poll() : queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose; closing uses WAKE
            }
            if (first == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, MAX_BATCH - 1);
            batch.removeIf(w -> w == WAKE);
            try {
                if (!batch.isEmpty()) {
                    commit(batch);
                }
            } catch (Throwable t) {
                log.error("commit of {} writes failed", batch.size(), t);
                PandoException failure = internal(t);
                resyncPersistedRevision();
                List<PendingWrite> failed = List.copyOf(batch);
                acks.execute(() -> failed.forEach(w -> w.future().completeExceptionally(failure)));
            } finally {
                batch = new ArrayList<>(MAX_BATCH); // the ack thread may still be reading the old one
            }
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

    private void commit(List<PendingWrite> batch) {
        long timestamp = Math.max(lastTimestamp, clock.getAsLong());
        long revision = persistedRevision;
        boolean sync = options.syncByDefault();
        // key -> revision after earlier writes in this batch (0 = absent); only needed, and only
        // kept, when some write of the batch is conditional or a delete.
        Map<String, Long> pending = needsChecks(batch) ? new HashMap<>() : null;
        PandoException[] rejected = new PandoException[batch.size()];
        KvChange[] committed = new KvChange[batch.size()];
        List<Storage.Mutation> mutations = new ArrayList<>(batch.size());

        for (int i = 0; i < batch.size(); i++) {
            PendingWrite w = batch.get(i);
            rejected[i] = check(w, pending);
            if (rejected[i] != null) {
                continue;
            }
            revision++;
            WriteOptions o = w.options();
            long originRevision = o.originRevision() > 0 ? o.originRevision() : revision;
            KvChange change = new KvChange(w.key(), w.value(), revision, timestamp, w.origin(), o.writer(), originRevision);
            byte[] entry = w.json() == null ? null
                    : RecordCodec.encodeEntry(revision, timestamp, originRevision, w.originBytes(), w.writerBytes(), w.json());
            byte[] record = RecordCodec.encodeChange(w.keyBytes(), revision, timestamp, originRevision, w.originBytes(), w.writerBytes(),
                    w.json());
            mutations.add(new Storage.Mutation(w.keyBytes(), entry, revision, record));
            committed[i] = change;
            if (pending != null) {
                pending.put(w.key(), w.json() == null ? 0L : revision);
            }
            sync |= o.sync();
        }

        // Rejections are answered only after the batch persisted: they may rest on earlier
        // writes of this batch, which must not be reported as facts if the batch fails.
        storage.apply(mutations, sync);
        persistedRevision = revision;
        lastTimestamp = timestamp;

        long batchLast = revision;
        acks.execute(() -> answer(batch, rejected, committed, batchLast));
    }

    private void answer(List<PendingWrite> batch, PandoException[] rejected, KvChange[] committed, long batchLast) {
        lastRevision = batchLast; // before the futures: a writer that was answered sees its revision
        List<KvChange> changes = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<KvChange> f = batch.get(i).future();
            if (rejected[i] != null) {
                f.completeExceptionally(rejected[i]);
            } else {
                changes.add(committed[i]);
                f.complete(committed[i]);
            }
        }
        revisionSignal.advanced();
        notifyListeners(Collections.unmodifiableList(changes));
    }

    private static boolean needsChecks(List<PendingWrite> batch) {
        for (PendingWrite w : batch) {
            if (w.json() == null || w.options().ifRevision() != null) {
                return true;
            }
        }
        return false;
    }

    /** Why {@code w} cannot be applied on top of storage plus {@code pending}, or null. */
    private PandoException check(PendingWrite w, Map<String, Long> pending) {
        boolean delete = w.json() == null;
        Long expected = w.options().ifRevision();
        if (!delete && expected == null) {
            return null; // last writer wins: no read needed
        }
        long current = currentRevision(w, pending);
        if (expected != null && expected != current) {
            String actual = current == 0 ? "the key does not exist (actual revision 0)" : "actual revision is " + current;
            return new PandoException(ErrorCode.CONFLICT, "revision mismatch on '" + w.key() + "': expected revision "
                    + expected + (expected == 0 ? " (absent)" : "") + ", but " + actual);
        }
        if (delete && current == 0) {
            return new PandoException(ErrorCode.NOT_FOUND, "no such key '" + w.key() + "'");
        }
        return null;
    }

    private long currentRevision(PendingWrite w, Map<String, Long> pending) {
        Long inBatch = pending.get(w.key());
        if (inBatch != null) {
            return inBatch;
        }
        byte[] record = storage.get(w.keyBytes());
        return record == null ? 0 : RecordCodec.revisionOf(record);
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
