package dev.pando.node.kv;

import static dev.pando.node.kv.RecordCodec.longBytes;
import static dev.pando.node.kv.RecordCodec.utf8;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.rocksdb.RocksDBException;
import org.rocksdb.WALRecoveryMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of the {@link RocksHandle} under a {@link RocksStorage}: every call holds a shared
 * lock, while close and the reopen that resumes writes after a failure take it exclusively, so
 * no native handle is ever used after it is freed. {@link WriteResume} says when to retry.
 */
final class RocksLifecycle {
    private static final Logger log = LoggerFactory.getLogger(RocksLifecycle.class);
    private static final byte[] PROBE = utf8("store.write-probe");
    /** Free space below which a blocked store does not reopen (it could not write its WAL again). */
    static final long MIN_FREE_BYTES_TO_REOPEN = 1L << 20;

    private final Path dir;
    private final WriteResume resume;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private RocksHandle rocks; // guarded by lock; null after a reopen that failed
    private boolean closed; // guarded by lock

    RocksLifecycle(Path dir, RocksHandle rocks) {
        this.dir = dir;
        this.rocks = rocks;
        this.resume = new WriteResume(dir.toString(), System::currentTimeMillis);
    }

    /** A storage call that may fail with a RocksDB error. */
    @FunctionalInterface
    interface RocksCall<T> {
        T call(RocksHandle rocks) throws RocksDBException;
    }

    /**
     * Runs {@code call} under the shared lock (so close cannot free the db meanwhile),
     * reporting a RocksDB failure as INTERNAL naming {@code what}.
     */
    <T> T call(String what, RocksCall<T> call) {
        Lock held = enter();
        try {
            return call.call(rocks);
        } catch (RocksDBException e) {
            throw failure(what, e);
        } finally {
            held.unlock();
        }
    }

    /**
     * Takes the shared lock for work that outlives one call (an iterator), failing if the
     * storage is closed or has no db; the caller unlocks, and may use {@link #rocks()} until then.
     */
    Lock enter() {
        Lock held = lock.readLock();
        held.lock();
        if (closed) {
            held.unlock();
            throw new PandoException(ErrorCode.UNAVAILABLE, "store is closed");
        }
        if (rocks == null) {
            held.unlock();
            throw resume.unavailable();
        }
        return held;
    }

    /** The current handle; only while holding the lock from {@link #enter()}. */
    RocksHandle rocks() {
        return rocks;
    }

    static PandoException failure(String what, RocksDBException e) {
        return new PandoException(ErrorCode.INTERNAL, "storage " + what + " failed: " + e.getMessage(), e);
    }

    /** Before a write: while writes are blocked, fails fast, or tries to resume when a retry is due. */
    void beforeWrite() {
        if (resume.blocked()) {
            if (!resume.retryDue()) {
                throw resume.unavailable();
            }
            tryResume();
        }
    }

    /** Records a failed write (blocking writes on an I/O error) and returns what to tell the writers. */
    PandoException writeFailed(RocksDBException e) {
        return resume.failed(e);
    }

    /**
     * Waits for running calls and open iterators, flushes memtables (so the next open need not
     * replay the WAL), runs {@code lastStep} on the handle, then frees it. Idempotent.
     */
    void close(Consumer<RocksHandle> lastStep) {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (rocks == null) { // a reopen after a write failure did not succeed
                return;
            }
            try {
                rocks.flush();
            } catch (RocksDBException e) {
                log.warn("flush on close of {} failed (the WAL still holds the data): {}", dir, e.getMessage());
            }
            lastStep.accept(rocks);
            try {
                rocks.release();
            } catch (RocksDBException e) {
                log.warn("closing RocksDB at {} failed: {}", dir, e.getMessage());
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Frees the db as a kill -9 would leave it (no flush), the WAL holding the latest writes. */
    void closeAsIfCrashed() {
        lock.writeLock().lock();
        try {
            closed = true;
            if (rocks != null) {
                rocks.releaseQuietly();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Resumes writes after a failure: RocksDB may have recovered by itself (a probe write
     * succeeds); otherwise, if there is space again, reopen the db, which replays the WAL up to
     * the failed write (its torn record is dropped; it was never acknowledged).
     */
    private void tryResume() {
        lock.writeLock().lock();
        try {
            if (closed) {
                throw new PandoException(ErrorCode.UNAVAILABLE, "store is closed");
            }
            if (rocks != null) {
                try {
                    rocks.db.put(rocks.meta, rocks.syncWrite, PROBE, longBytes(rocks.lastRevision));
                    resume.resumed();
                    log.info("writes to the store at {} resumed", dir);
                    return;
                } catch (RocksDBException e) {
                    if (usableBytes() < MIN_FREE_BYTES_TO_REOPEN) {
                        resume.retryFailed();
                        throw resume.unavailable();
                    }
                }
                rocks.releaseQuietly();
                rocks = null;
            }
            try {
                rocks = RocksHandle.open(dir, WALRecoveryMode.TolerateCorruptedTailRecords, false);
            } catch (RocksDBException | RuntimeException e) {
                resume.retryFailed(); // every call answers UNAVAILABLE until a later attempt opens it
                log.warn("reopening the store at {} after a write failure failed: {}", dir, e.getMessage());
                throw resume.unavailable();
            }
            resume.resumed();
            log.info("writes to the store at {} resumed after reopening it (last revision {})", dir, rocks.lastRevision);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private long usableBytes() {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE; // cannot tell: try
        }
    }
}
