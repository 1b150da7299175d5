package dev.pando.node.kv;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.json.JsonRules;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.KvWrite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's durable state space: path keys to JSON values, a change feed numbered by
 * node-wide revisions, and named feed cursors. Thread-safe.
 *
 * <p>Writes are validated on the caller's thread, then committed in groups by one thread
 * ({@code pando-commit}), or on the caller's thread when the store is idle and the write is a
 * plain set without fsync; a write's future completes once its batch is in the RocksDB WAL
 * (fsynced first if the write, or {@link StoreOptions#syncByDefault()}, asks). Write methods
 * never throw: every failure completes the future exceptionally with a {@link PandoException}.
 * Futures complete in revision order on the thread that committed the batch (dependent stages
 * attached without {@code *Async} run there and must be quick); commit listeners run afterwards
 * on one thread ({@code pando-ack}), in revision order.
 *
 * <p>Values are JSON; the store keeps its own copy, and every read returns a fresh tree.
 * JSON {@code null} is not a storable value: in the change feed null means "deleted".
 */
public final class StateStore implements AutoCloseable {
    /** Most writes one {@link #apply} commits together. */
    public static final int MAX_ATOMIC_WRITES = GroupCommitter.MAX_BATCH;
    /** Most changes one {@link #changesSince} call returns. */
    public static final int MAX_FEED_LIMIT = 10_000;
    static final long PRUNE_INTERVAL_MILLIS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(StateStore.class);

    /** Undoes a registration; closing twice is harmless. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private final Storage storage;
    private final StoreOptions options;
    private final LongSupplier clock;
    private final GroupCommitter committer;
    private final CursorRegistry cursors;
    private final ScheduledExecutorService pruner;
    private final Object pruneLock = new Object();
    /** Read once: every feed read checks it. */
    private final Optional<LostRevisions> lost;
    /** Who owns a key when another node does (federation); local writes there are refused. */
    private static final Function<String, Optional<String>> OWNED_HERE = key -> Optional.empty();
    private final AtomicReference<Function<String, Optional<String>>> ownerElsewhere = new AtomicReference<>(OWNED_HERE);
    private boolean closed; // guarded by this

    private StateStore(Storage storage, StoreOptions options, LongSupplier clock) {
        this.storage = storage;
        this.options = options;
        this.clock = clock;
        this.cursors = new CursorRegistry(storage);
        this.committer = new GroupCommitter(storage, options, clock);
        this.lost = LostRevisions.of(storage);
        this.pruner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pando-prune");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens a store on {@code storage}, which it then owns and closes. */
    public static StateStore open(Storage storage, StoreOptions options) {
        return open(storage, options, System::currentTimeMillis);
    }

    /** As {@link #open(Storage, StoreOptions)} with a test clock for timestamps and retention. */
    static StateStore open(Storage storage, StoreOptions options, LongSupplier clock) {
        StateStore store;
        try {
            store = new StateStore(storage, options, clock);
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
        store.committer.start();
        store.pruner.scheduleWithFixedDelay(store::pruneQuietly, PRUNE_INTERVAL_MILLIS, PRUNE_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
        return store;
    }

    /** A RocksDB-backed store in {@code dir}, created if missing. */
    public static StateStore rocks(Path dir, StoreOptions options) {
        return open(RocksStorage.open(dir), options);
    }

    /** An in-memory store; its content is gone once closed. */
    public static StateStore memory(StoreOptions options) {
        return open(new MemoryStorage(), options);
    }

    /** How the store came up at this start, including any rollback of acknowledged writes. */
    public StoreRecovery recovery() {
        return storage.recovery();
    }

    public StoreOptions options() {
        return options;
    }

    /** The entry at {@code key}, if any. */
    public Optional<KvEntry> get(String key) {
        Keys.requireValid(key);
        byte[] record = storage.get(RecordCodec.utf8(key));
        return record == null ? Optional.empty() : Optional.of(RecordCodec.decodeEntry(key, record));
    }

    /**
     * {@link #get} if it can be answered without a disk read (from RocksDB's memtables and block
     * cache): for an event loop, which must not wait on disk. Empty if it cannot; then call
     * {@link #get} on a thread that may block. Its inner value is the entry, or empty if there is none.
     */
    public Optional<Optional<KvEntry>> getInMemory(String key) {
        Keys.requireValid(key);
        return storage.getInMemory(RecordCodec.utf8(key))
                .map(l -> l.record().map(record -> RecordCodec.decodeEntry(key, record)));
    }

    /**
     * Sets {@code key} to {@code value}. Fails with BAD_REQUEST (invalid key, null value, value
     * nested deeper than {@link StoreOptions#maxJsonDepth()} or holding a non-finite number),
     * TOO_LARGE (serialized value over {@link StoreOptions#maxValueBytes()}), CONFLICT
     * ({@link WriteOptions#ifRevision()} does not hold), UNAVAILABLE (closed or queue full),
     * INTERNAL (storage failure). A failed write changes nothing and consumes no revision.
     */
    public CompletableFuture<KvChange> set(String key, JsonNode value, WriteOptions opts) {
        try {
            Keys.requireValid(key);
            requireOptions(opts);
            requireOwnedHere(key, opts);
            byte[] json = encodeValue(key, value);
            return committer.submit(key, value.deepCopy(), json, opts);
        } catch (PandoException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The value's stored JSON, once it is known to be storable. */
    private byte[] encodeValue(String key, JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            throw PandoException.badRequest("value of '" + key + "' must not be null (use delete to remove a key)");
        }
        JsonRules.requireWithin(value, options.depthLimit(key), "value of '" + key + "'");
        byte[] json = RecordCodec.toJson(value);
        int limit = options.valueBytesLimit(key);
        if (json.length > limit) {
            throw new PandoException(ErrorCode.TOO_LARGE, "value of '" + key + "' is " + json.length
                    + " bytes, the limit is " + limit + " bytes");
        }
        return json;
    }

    /**
     * Commits {@code writes} all-or-nothing, in order, with consecutive revisions, in one storage
     * write together with their change-feed records; commit listeners get them in one call. Each
     * {@link KvWrite.Set}'s {@code ifRevision} is checked against storage plus the earlier writes
     * of the list; a {@link KvWrite.Delete} of a key absent by then is skipped (no revision, no
     * change), unlike {@link #delete}, which fails. The whole list is one entry of the commit queue.
     * {@code opts} gives the writer and {@code sync}; it may not carry an {@code ifRevision}
     * (conditions are per write) nor an origin (only local writes are grouped).
     *
     * <p>Fails like {@link #set} for any of its writes (the ownership guard included), with
     * TOO_LARGE beyond {@value #MAX_ATOMIC_WRITES} writes, and with the first CONFLICT; then
     * nothing of it is written and no revision consumed. Completes with the changes committed, in
     * the order of {@code writes}.
     */
    public CompletableFuture<List<KvChange>> apply(List<KvWrite> writes, WriteOptions opts) {
        try {
            requireOptions(opts);
            if (opts.ifRevision() != null || opts.origin() != null) {
                throw PandoException.badRequest("an atomic batch takes its conditions per write and is always local: "
                        + "its options may carry neither ifRevision nor origin");
            }
            if (writes == null) {
                throw PandoException.badRequest("an atomic batch needs a list of writes, got null");
            }
            if (writes.size() > MAX_ATOMIC_WRITES) {
                throw new PandoException(ErrorCode.TOO_LARGE, "an atomic batch holds at most " + MAX_ATOMIC_WRITES
                        + " writes, got " + writes.size());
            }
            String origin = options.nodeId();
            byte[] originBytes = RecordCodec.utf8(origin);
            byte[] writerBytes = RecordCodec.utf8(opts.writer());
            List<Queued.PendingWrite> pending = new ArrayList<>(writes.size());
            for (KvWrite w : writes) {
                if (w == null) {
                    throw PandoException.badRequest("write " + pending.size() + " of an atomic batch is null");
                }
                Keys.requireValid(w.key());
                requireOwnedHere(w.key(), opts);
                if (w instanceof KvWrite.Set set) {
                    WriteOptions o = set.ifRevision().isPresent() ? opts.ifRevision(set.ifRevision().getAsLong()) : opts;
                    byte[] json = encodeValue(w.key(), set.value());
                    pending.add(committer.pending(w.key(), set.value().deepCopy(), json, o, origin, originBytes, writerBytes));
                } else {
                    pending.add(committer.pending(w.key(), null, null, opts, origin, originBytes, writerBytes));
                }
            }
            return pending.isEmpty() ? CompletableFuture.completedFuture(List.of()) : committer.submitAtomic(pending, opts.sync());
        } catch (PandoException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Deletes {@code key}, recording a change with a null value. Fails like {@link #set}, and
     * with NOT_FOUND if the key does not exist.
     */
    public CompletableFuture<KvChange> delete(String key, WriteOptions opts) {
        try {
            Keys.requireValid(key);
            requireOptions(opts);
            requireOwnedHere(key, opts);
            return committer.submit(key, null, null, opts);
        } catch (PandoException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** One page of entries matching the query's pattern, in UTF-8 key order. */
    public KvPage scan(ScanQuery query) {
        return KeyScanner.page(storage, query);
    }

    /** Revision of the newest acknowledged write, published or not; 0 for an empty store. */
    public long lastRevision() {
        return committer.lastRevision();
    }

    /**
     * Revision of the newest acknowledged published write: where the change feed ends for its
     * readers. Below {@link #lastRevision()} when unpublished writes came after it.
     */
    public long lastChangeRevision() {
        return committer.lastChangeRevision();
    }

    /**
     * Blocks until a published revision after {@code afterRevision} is acknowledged (at once if
     * one is), or until {@code timeout} passes; true if one was. Woken by the acknowledgement
     * itself, so a feed reader sees a commit as soon as the writer does; unpublished writes wake
     * nobody.
     */
    public boolean awaitChangeAfter(long afterRevision, Duration timeout) throws InterruptedException {
        return committer.awaitChangeAfter(afterRevision, timeout.toNanos());
    }

    /**
     * The oldest revision the change feed still answers for ({@code lastRevision() + 1} once
     * retention pruned everything): reading after an older one skips what was pruned.
     */
    public long firstRetainedRevision() {
        return storage.feedStart();
    }

    /**
     * Changes with revision greater than {@code afterRevision}, oldest first, at most
     * {@code limit} (1..{@value #MAX_FEED_LIMIT}). Revisions of unpublished writes are gaps: no
     * change has them. Fails with NOT_FOUND if retention already removed some of them, or if
     * {@code afterRevision} lies inside the revisions a rollback lost: the caller must
     * resynchronise from a snapshot of the state.
     */
    public List<KvChange> changesSince(long afterRevision, int limit) {
        if (afterRevision < 0) {
            throw PandoException.badRequest("afterRevision must be >= 0, got " + afterRevision);
        }
        if (limit < 1 || limit > MAX_FEED_LIMIT) {
            throw PandoException.badRequest("limit must be between 1 and " + MAX_FEED_LIMIT + ", got " + limit);
        }
        // Read the acknowledged revision first: the feed may already hold a batch that is
        // still being acknowledged, and readers should not see it before its listeners do.
        long last = lastChangeRevision();
        requireNotPruned(afterRevision);
        requireOutsideRollbackGap(afterRevision);
        if (afterRevision >= last) {
            return List.of();
        }
        List<KvChange> out = new ArrayList<>(Math.min(limit, 1024));
        for (byte[] record : storage.changes(afterRevision + 1, limit)) {
            KvChange c = RecordCodec.decodeChange(record);
            if (c.revision() > last) {
                break;
            }
            out.add(c);
        }
        // Again: a prune that ran during the read may have taken records from under it. Storage
        // moves its start before it deletes, so a read it cut short fails here.
        requireNotPruned(afterRevision);
        return out;
    }

    private void requireNotPruned(long afterRevision) {
        long start = storage.feedStart();
        if (afterRevision + 1 < start) {
            throw new PandoException(ErrorCode.NOT_FOUND, "change feed was compacted up to revision " + (start - 1)
                    + "; changes after " + afterRevision + " are gone, resync from a snapshot");
        }
    }

    /**
     * Refuses a reader positioned inside the revisions a rollback lost ({@link StoreRecovery}):
     * it saw writes that no longer exist. One stopped at the last surviving revision reads on.
     */
    private void requireOutsideRollbackGap(long afterRevision) {
        if (lost.isPresent() && afterRevision > lost.get().low() && afterRevision <= lost.get().high()) {
            throw new PandoException(ErrorCode.NOT_FOUND, "revisions " + (lost.get().low() + 1) + ".." + lost.get().high()
                    + " were lost in a store rollback; a reader after " + afterRevision + " saw some of them, resync from a snapshot");
        }
    }

    /** Revisions {@code low + 1 .. high}, which a rollback lost. */
    private record LostRevisions(long low, long high) {
        /** What the store recorded at the last rollback; only opening a store writes it. */
        static Optional<LostRevisions> of(Storage storage) {
            byte[] gap = storage.getMeta(RocksStorage.GAP_META);
            if (gap == null) {
                return Optional.empty();
            }
            String[] lowHigh = new String(gap, java.nio.charset.StandardCharsets.UTF_8).split(" ");
            return Optional.of(new LostRevisions(Long.parseLong(lowHigh[0]), Long.parseLong(lowHigh[1])));
        }
    }

    /**
     * The durable cursor named {@code consumerName}, created at position 0 (before the first
     * revision) if it does not exist. From then on retention keeps every change after its
     * position until it commits past them or is {@linkplain #dropCursor dropped}.
     */
    public ChangeCursor cursor(String consumerName) {
        cursors.register(consumerName);
        return new ChangeCursor(this, consumerName);
    }

    /** Removes a cursor, releasing the changes it held; false if there was none. */
    public boolean dropCursor(String consumerName) {
        return cursors.drop(consumerName);
    }

    /** Every cursor and its committed position, by name. */
    public Map<String, Long> cursorPositions() {
        return cursors.snapshot();
    }

    CursorRegistry cursors() {
        return cursors;
    }

    /**
     * Removes feed changes beyond {@link StoreOptions#retainCount()} (keeping the newest) and
     * older than {@link StoreOptions#retainAgeMillis()}, but never one after the position of a
     * cursor. Runs every 10 s on its own daemon thread; one range delete,
     * so it never holds up commits.
     */
    public void prune() {
        if (options.retainCount() == 0 && options.retainAgeMillis() == 0) {
            return;
        }
        synchronized (pruneLock) {
            long last = lastRevision();
            long first = storage.feedStart();
            if (first > last) {
                return;
            }
            long keepFrom = first;
            if (options.retainCount() > 0) {
                keepFrom = Math.max(keepFrom, last - options.retainCount() + 1);
            }
            if (options.retainAgeMillis() > 0) {
                keepFrom = Math.max(keepFrom, firstNotOlderThan(clock.getAsLong() - options.retainAgeMillis(), first, last));
            }
            long minCursor = cursors.minPosition();
            if (minCursor != Long.MAX_VALUE) {
                keepFrom = Math.min(keepFrom, minCursor + 1);
            }
            keepFrom = Math.min(keepFrom, last + 1);
            if (keepFrom > first) {
                storage.pruneChanges(keepFrom);
                log.debug("pruned change feed revisions {}..{}", first, keepFrom - 1);
            }
        }
    }

    /**
     * The first revision in {@code [lo, hi]} whose timestamp is at least {@code cutoff}, or
     * {@code hi + 1}. Timestamps never decrease with revision, so a binary search over the
     * contiguous feed needs only ~log2(n) point reads.
     */
    private long firstNotOlderThan(long cutoff, long lo, long hi) {
        long result = hi + 1;
        while (lo <= hi) {
            long mid = lo + (hi - lo) / 2;
            List<byte[]> at = storage.changes(mid, 1);
            if (!at.isEmpty() && RecordCodec.timestampOf(at.get(0)) >= cutoff) {
                result = mid;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        return result;
    }

    private void pruneQuietly() {
        try {
            prune();
        } catch (RuntimeException e) {
            log.warn("change feed pruning failed; will retry", e);
        }
    }

    /**
     * Calls {@code listener} with every committed batch, in revision order, on the commit
     * thread. It must not block; exceptions are logged and otherwise ignored.
     */
    public Registration addCommitListener(CommitListener listener) {
        return committer.addListener(listener);
    }

    /** Rough bytes held by the store (SST files plus memtables for RocksDB). */
    public long approximateSizeBytes() {
        return storage.approximateSizeBytes();
    }

    /** Rough number of keys in the state. */
    public long approximateKeyCount() {
        return storage.approximateKeyCount();
    }

    /**
     * Stops accepting writes (they fail with UNAVAILABLE), commits every write already queued,
     * stops pruning, then flushes and closes storage. Idempotent; must not be called from a
     * commit listener.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        committer.close();
        closed = true;
        pruner.shutdownNow();
        try {
            if (!pruner.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("change feed pruner did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        storage.close();
    }

    /** Tests: stops the threads, then drops storage as a kill -9 would (RocksDB: no flush). */
    synchronized void closeAsIfCrashedForTest() {
        committer.close();
        closed = true;
        pruner.shutdownNow();
        if (storage instanceof RocksStorage rocks) {
            rocks.closeAsIfCrashed();
        } else {
            storage.close();
        }
    }

    private static void requireOptions(WriteOptions opts) {
        if (opts == null) {
            throw PandoException.badRequest("write options are required (at least the writer)");
        }
        requireShortName("writer", opts.writer());
        if (opts.origin() != null) {
            requireShortName("origin", opts.origin());
        }
    }

    /** Writer and origin are stored with every record and copied into plugins' records: bounded, so those always fit. */
    private static void requireShortName(String what, String name) {
        if (name.length() > WriteOptions.MAX_NAME_BYTES / 3 && RecordCodec.utf8(name).length > WriteOptions.MAX_NAME_BYTES) {
            throw PandoException.badRequest("the " + what + " of a write is longer than " + WriteOptions.MAX_NAME_BYTES + " bytes");
        }
    }

    /** A local write to a key another node owns is refused with the owner's name; replicated writes are how the owner's arrive. */
    private void requireOwnedHere(String key, WriteOptions opts) {
        if (opts.origin() != null) {
            return;
        }
        Optional<String> owner = ownerElsewhere.get().apply(key);
        if (owner.isPresent()) {
            throw new PandoException(ErrorCode.FORBIDDEN, "'" + key + "' is owned by node " + owner.get()
                    + "; write it there (this node holds a replica)");
        }
    }

    /**
     * Makes local writes to keys owned by another node fail with {@code FORBIDDEN} naming the
     * owner: {@code owner} answers the owning node's id for such a key, empty for keys this node
     * may write. Replaces any earlier function; federation installs it.
     */
    public void refuseWritesOwnedElsewhere(Function<String, Optional<String>> owner) {
        ownerElsewhere.set(Objects.requireNonNull(owner, "owner"));
    }

    /** Removes {@code owner} if it is still the function in place (a replacement stays). */
    public void withdrawOwnershipGuard(Function<String, Optional<String>> owner) {
        ownerElsewhere.compareAndSet(owner, OWNED_HERE);
    }

    /** A node-internal record kept beside the state (never a key clients see): empty if absent. */
    public Optional<byte[]> meta(String name) {
        return Optional.ofNullable(storage.getMeta(name));
    }

    /** Stores a node-internal record durably. */
    public void putMeta(String name, byte[] value) {
        storage.putMeta(name, value);
    }

    /** Every node-internal record whose name starts with {@code prefix}. */
    public Map<String, byte[]> metaUnder(String prefix) {
        return storage.listMeta(prefix);
    }

    /** The id of the node this store belongs to: the origin of its local writes. */
    public String nodeId() {
        return options.nodeId();
    }
}
