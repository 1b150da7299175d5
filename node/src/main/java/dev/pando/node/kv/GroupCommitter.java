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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
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
 * that is rejected or whose batch fails to persist consumes none. The change feed does have
 * gaps: an unpublished write ({@link WriteOptions#published()} false) takes a revision but
 * leaves no feed record and is not told to the listeners.
 *
 * <p>Whoever commits a batch answers its writers (completing their futures runs whatever they
 * chained on, such as scheduling the response on a connection's event loop) and hands the
 * changes to the listeners' thread, in batch order: a writer is answered without a second hop,
 * and before the event bus pushes its change. A write that finds the store idle, nothing queued
 * and no batch being committed, is committed on the writer's own thread: a lone request then
 * costs no thread hop at all, while under load writes queue and share batches as before. Lone
 * writes that need a read or an fsync (which an event loop must not wait on) always queue, and
 * so do replicated writes, which arrive in runs; atomic groups, which come from plugin threads,
 * queue only for an fsync. Commits are serial under one lock; revisions follow its order.
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
    /** Held while a batch is committed and answered, by the commit thread or by a writer committing inline. */
    private final ReentrantLock committing = new ReentrantLock();
    /** Entries offered to the queue and not yet committed or failed: a write commits inline only when there are none. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Newest revision whose writers are being answered: what readers may see. Written under {@link #committing}. */
    private volatile long lastRevision;
    /** Newest published revision whose writers are being answered: where the feed ends for its readers. */
    private volatile long lastChangeRevision;
    /** Wakes feed readers: an unpublished write, which they would not find, wakes nobody. */
    private final RevisionSignal changeSignal = new RevisionSignal(() -> lastChangeRevision);
    /** Newest revision in storage (under {@link #committing}). */
    private long persistedRevision;
    private long lastTimestamp; // under committing
    /** Taken from the queue but left for the next batch, which it would have made too large (the commit thread's own). */
    private Queued carried;

    GroupCommitter(Storage storage, StoreOptions options, LongSupplier clock) {
        this.storage = storage;
        this.options = options;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(options.commitQueueCapacity());
        this.lastRevision = storage.lastRevision();
        this.persistedRevision = lastRevision;
        this.lastChangeRevision = storage.lastChangeRevision();
        List<byte[]> newest = lastChangeRevision < storage.feedStart() ? List.of() : storage.changes(lastChangeRevision, 1);
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
     * The revision of the newest batch whose writers are being answered (0 if none): set just
     * before their futures complete, so a reader of the feed up to it never gets ahead of the
     * writers. Listeners may still be told about it a moment later.
     */
    long lastRevision() {
        return lastRevision;
    }

    /** As {@link #lastRevision()}, for the newest published revision: the last the feed's readers may see. */
    long lastChangeRevision() {
        return lastChangeRevision;
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
        byte[] change = writeOptions.published() ? RecordCodec.encodeChange(keyBytes, 0, 0, 0, originBytes, writerBytes, json) : null;
        return new PendingWrite(key, keyBytes, value, writeOptions, origin, entry, change);
    }

    /** Enqueues a validated write; the future fails with UNAVAILABLE if closed or full. */
    CompletableFuture<KvChange> submit(String key, JsonNode value, byte[] json, WriteOptions writeOptions) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        Single single = new Single(pending(key, value, json, writeOptions), new CompletableFuture<>());
        PendingWrite w = single.write();
        // Not a write that needs a read (a delete or a compare-and-set may touch the disk) or an
        // fsync: a lone write comes from an event loop, which must wait on neither. Nor a
        // replicated one: a replicator submits runs of them before awaiting any, and inline each
        // would be a storage write of its own instead of one shared batch.
        if (!w.needsCheck() && !w.options().sync() && w.options().origin() == null && committedInline(single)) {
            return single.future();
        }
        return enqueue(single, single.future());
    }

    /**
     * Commits {@code item} on the caller's thread if the store is idle: nothing waits in the
     * queue and no batch is being committed; false (the caller queues it) otherwise, with every
     * write fsynced by default, and from inside a commit (a writer's chained code writing again).
     */
    private boolean committedInline(Queued item) {
        if (options.syncByDefault() || waiting.get() != 0 || committing.isHeldByCurrentThread() || !committing.tryLock()) {
            return false;
        }
        try {
            if (closed || waiting.get() != 0) { // a write queued meanwhile must keep its place ahead of this one
                return false;
            }
            commitOrFail(List.of(item));
            return true;
        } finally {
            committing.unlock();
        }
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
        // Groups come from plugin threads, which may read: only an fsync sends one to the commit thread.
        if (!sync && committedInline(group)) {
            return group.future();
        }
        return enqueue(group, group.future());
    }

    private <T> CompletableFuture<T> enqueue(Queued item, CompletableFuture<T> future) {
        waiting.incrementAndGet(); // before the offer: a writer arriving next must not commit ahead of it
        if (!queue.offer(item)) {
            waiting.decrementAndGet();
            return CompletableFuture.failedFuture(new PandoException(ErrorCode.UNAVAILABLE,
                    "commit queue full (" + options.commitQueueCapacity() + " writes waiting)"));
        }
        // close() may have drained the queue and stopped the thread between the check and the
        // offer; if the write is still queued nobody will take it, so fail it here.
        if (closed && queue.remove(item)) {
            waiting.decrementAndGet();
            item.fail(closedError());
        }
        return future;
    }

    /** See {@link StateStore#awaitChangeAfter}. */
    boolean awaitChangeAfter(long afterRevision, long timeoutNanos) throws InterruptedException {
        return changeSignal.await(afterRevision, timeoutNanos);
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
        committing.lock(); // waits for an inline commit under way; later ones see `closed`
        committing.unlock();
        acks.shutdown(); // tells the listeners what was handed over, then stops
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
            committing.lock();
            try {
                fill(batch, first);
                batch.removeIf(w -> w == WAKE);
                if (!batch.isEmpty()) {
                    commitOrFail(batch);
                    waiting.addAndGet(-batch.size());
                }
            } finally {
                committing.unlock();
                batch = new ArrayList<>(MAX_BATCH); // the listeners' thread may still be reading the old one
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

    /** Commits {@code items} and answers them, or fails them all (under {@link #committing}). */
    private void commitOrFail(List<Queued> items) {
        try {
            commit(items);
        } catch (Throwable t) {
            log.error("commit of {} writes failed", items.stream().mapToInt(Queued::size).sum(), t);
            PandoException failure = internal(t);
            resyncPersistedRevision();
            items.forEach(w -> w.fail(failure));
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
                lastRevision = stored;
                lastChangeRevision = Math.max(lastChangeRevision, storage.lastChangeRevision());
                changeSignal.advanced();
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
        List<KvChange> changes = answer(batch);
        if (!changes.isEmpty() && !listeners.isEmpty()) {
            acks.execute(() -> notifyListeners(changes)); // after the answers: a writer's response precedes the push of its change
        }
    }

    /** Makes the batch visible and answers its writers; returns its published changes for the listeners. */
    private List<KvChange> answer(CommitBatch batch) {
        // Before the futures: a writer that was answered sees its revision.
        lastRevision = batch.lastRevision();
        if (batch.lastChangeRevision() > lastChangeRevision) {
            lastChangeRevision = batch.lastChangeRevision();
        }
        List<KvChange> changes = new ArrayList<>(batch.mutations.size());
        for (int i = 0; i < batch.items.size(); i++) {
            Queued q = batch.items.get(i);
            if (batch.rejected[i] != null) {
                q.fail(batch.rejected[i]);
            } else if (q instanceof AtomicGroup g) {
                if (g.published()) {
                    changes.addAll(g.committed());
                }
                g.future().complete(Collections.unmodifiableList(g.committed()));
            } else {
                Single single = (Single) q;
                if (single.write().options().published()) {
                    changes.add(batch.committed[i]);
                }
                single.future().complete(batch.committed[i]);
            }
        }
        changeSignal.advanced();
        return Collections.unmodifiableList(changes);
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
