package dev.pando.node.kv;

import static dev.pando.node.kv.RecordCodec.bytesToLong;
import static dev.pando.node.kv.RecordCodec.longBytes;
import static dev.pando.node.kv.RecordCodec.utf8;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.RocksObject;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Storage} on RocksDB with column families {@code state} (UTF-8 key → entry record),
 * {@code changes} (8-byte big-endian revision → change record) and {@code meta} (name →
 * small value, including the last revision). Every call holds a shared lifecycle lock and
 * {@link #close()} takes it exclusively, so no native handle is ever used after it is freed.
 */
public final class RocksStorage implements Storage {
    static {
        RocksDB.loadLibrary();
    }

    private static final Logger log = LoggerFactory.getLogger(RocksStorage.class);
    private static final byte[] LAST_REVISION = utf8("revision.last");
    private static final long BLOCK_CACHE_BYTES = 64L << 20;
    private static final long MAX_TOTAL_WAL_BYTES = 256L << 20;
    /** Meta record of the revisions a rollback skipped: "low high" (revisions low+1..high do not exist). */
    static final String GAP_META = "revision.gap";
    private static final byte[] PROBE = utf8("store.write-probe");
    /** Free space below which a blocked store does not reopen (it could not write its WAL again). */
    static final long MIN_FREE_BYTES_TO_REOPEN = 1L << 20;

    private final Path dir;
    /** Native option objects, closed after the db in reverse creation order. */
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    // The db and everything native are replaced when a write failure is resumed by reopening,
    // always under the lifecycle write lock; readers hold the read lock.
    private org.rocksdb.WriteOptions walWrite;
    private org.rocksdb.WriteOptions syncWrite;
    private RocksDB db;
    private List<ColumnFamilyHandle> handles;
    private ColumnFamilyHandle stateCf;
    private ColumnFamilyHandle changesCf;
    private ColumnFamilyHandle metaCf;
    private final WriteResume resume;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile long lastRevision;
    private boolean closed; // guarded by lifecycle
    private RevisionMark mark;
    private StoreRecovery recovery;

    RocksStorage(Path dir, WALRecoveryMode walMode, boolean create) throws RocksDBException {
        this.dir = dir;
        this.resume = new WriteResume(dir.toString(), System::currentTimeMillis);
        openDb(walMode, create);
    }

    private void openDb(WALRecoveryMode walMode, boolean create) throws RocksDBException {
        LRUCache cache = track(new LRUCache(BLOCK_CACHE_BYTES));
        BloomFilter bloom = track(new BloomFilter(10));
        // Point gets for CAS and kv.get hit the state family; the feed and meta are read in order.
        ColumnFamilyOptions stateOptions = track(new ColumnFamilyOptions()
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(bloom)));
        ColumnFamilyOptions plainOptions = track(new ColumnFamilyOptions()
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache)));
        DBOptions dbOptions = track(new DBOptions()
                .setCreateIfMissing(create)
                .setCreateMissingColumnFamilies(true)
                // A torn or corrupt WAL fails the open, so a rollback is never silent (see open()).
                .setWalRecoveryMode(walMode)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(5)
                // Tiny meta writes would otherwise pin old WAL files until that family flushes.
                .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES));
        walWrite = track(new org.rocksdb.WriteOptions().setSync(false));
        syncWrite = track(new org.rocksdb.WriteOptions().setSync(true));

        List<ColumnFamilyDescriptor> families = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plainOptions),
                new ColumnFamilyDescriptor(utf8("state"), stateOptions),
                new ColumnFamilyDescriptor(utf8("changes"), plainOptions),
                new ColumnFamilyDescriptor(utf8("meta"), plainOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB opened = null;
        try {
            opened = RocksDB.open(dbOptions, dir.toString(), families, handles);
            byte[] last = opened.get(handles.get(3), LAST_REVISION);
            lastRevision = last == null ? 0 : bytesToLong(last);
        } catch (RocksDBException | RuntimeException e) {
            handles.forEach(RocksObject::close);
            closeQuietly(opened);
            while (!resources.isEmpty()) {
                closeQuietly(resources.pop());
            }
            throw e;
        }
        db = opened;
        this.handles = handles;
        stateCf = handles.get(1);
        changesCf = handles.get(2);
        metaCf = handles.get(3);
    }

    /** As {@link #open(Path, RocksOptions)} with the defaults (a corrupt WAL is refused). */
    public static RocksStorage open(Path dir) {
        return open(dir, RocksOptions.defaults());
    }

    /**
     * Opens the store in {@code dir}, creating it only if the directory never held one. A WAL
     * that lost its tail opens with a reported rollback; one corrupt before its tail is refused
     * unless {@link RocksOptions#recoverCorruptWal()}. Fails with {@link StoreRefusedException}
     * or {@code UNAVAILABLE}.
     */
    public static RocksStorage open(Path dir, RocksOptions options) {
        return RocksOpener.open(dir, options);
    }

    /**
     * Decides, once RocksDB is open, whether this start rolled back, and if so moves the last
     * revision above every revision that may have been issued; then marks the store running.
     */
    void settle(StoreRecovery.Kind found) throws IOException {
        mark = RevisionMark.load(dir);
        long recovered = lastRevision;
        StoreRecovery.Kind kind = found == StoreRecovery.Kind.CLEAN && mark.cleanAtOpen() > recovered
                ? StoreRecovery.Kind.BEHIND_REVISION_MARK : found;
        if (kind == StoreRecovery.Kind.TORN_WAL_TAIL && mark.cleanAtOpen() == recovered) {
            // Closed cleanly at exactly this revision: the torn record was a write that failed
            // (e.g. on a full disk) and was never acknowledged. Nothing was lost.
            log.warn("the WAL of {} ended in a torn record after a clean close at revision {}; nothing acknowledged was lost", dir, recovered);
            kind = StoreRecovery.Kind.CLEAN;
        }
        long resumed = recovered;
        recovery = new StoreRecovery(kind, recovered, resumed);
        if (recovery.rolledBack()) {
            resumed = Math.max(recovered, Math.max(mark.reserved(), mark.cleanAtOpen()));
            recovery = new StoreRecovery(kind, recovered, resumed);
            locked("record rollback", () -> {
                try (WriteBatch wb = new WriteBatch()) {
                    wb.put(metaCf, LAST_REVISION, longBytes(recovery.resumedRevision()));
                    wb.put(metaCf, utf8(GAP_META), utf8(recovery.recoveredRevision() + " " + recovery.resumedRevision()));
                    db.write(syncWrite, wb);
                }
                return null;
            });
            lastRevision = resumed;
            log.error("STORE ROLLBACK at {}: {}; the data ends at revision {}, writes acknowledged after it may be lost."
                    + " New revisions continue after {} (revisions {}..{} do not exist); feed readers past {} must resync.",
                    dir, kind, recovered, resumed, recovered + 1, resumed, recovered);
        } else if (kind == StoreRecovery.Kind.NEW) {
            log.info("created a new store at {}", dir);
        }
        mark.opened(resumed);
        StoreDir.markInitialised(dir);
    }

    @Override
    public StoreRecovery recovery() {
        return recovery;
    }

    @Override
    public void apply(List<Mutation> batch, boolean sync) {
        if (batch.isEmpty()) {
            return;
        }
        if (resume.blocked()) {
            if (!resume.retryDue()) {
                throw resume.unavailable();
            }
            tryResume();
        }
        locked("write", () -> {
            try (WriteBatch wb = new WriteBatch()) {
                for (Mutation m : batch) {
                    if (m.entry() == null) {
                        wb.delete(stateCf, m.key());
                    } else {
                        wb.put(stateCf, m.key(), m.entry());
                    }
                    wb.put(changesCf, longBytes(m.revision()), m.change());
                }
                long last = batch.get(batch.size() - 1).revision();
                reserve(last);
                wb.put(metaCf, LAST_REVISION, longBytes(last));
                try {
                    db.write(sync ? syncWrite : walWrite, wb);
                } catch (RocksDBException e) {
                    PandoException failure = resume.failed(e);
                    log.error("write of revisions {}..{} failed: {}", batch.get(0).revision(), last, failure.getMessage());
                    throw failure;
                }
                lastRevision = last;
            }
            return null;
        });
    }

    @Override
    public long lastRevision() {
        Lock lock = open();
        lock.unlock();
        return lastRevision;
    }

    @Override
    public byte[] get(byte[] key) {
        return locked("get", () -> db.get(stateCf, key));
    }

    @Override
    public StateIterator iterate(byte[] from, byte[] to) {
        Lock lock = open();
        ReadOptions options = null;
        Slice upper = null;
        try {
            options = new ReadOptions();
            if (to != null) {
                upper = new Slice(to);
                options.setIterateUpperBound(upper);
            }
            RocksIterator it = db.newIterator(stateCf, options);
            it.seek(from);
            return new RocksStateIterator(it, options, upper, lock, e -> failure("scan", e));
        } catch (RuntimeException e) {
            closeQuietly(upper);
            closeQuietly(options);
            lock.unlock();
            throw e;
        }
    }

    @Override
    public List<byte[]> changes(long fromRevision, int limit) {
        return locked("read changes", () -> {
            try (RocksIterator it = db.newIterator(changesCf)) {
                List<byte[]> out = new ArrayList<>(Math.min(limit, 1024));
                for (it.seek(longBytes(fromRevision)); it.isValid() && out.size() < limit; it.next()) {
                    out.add(it.value());
                }
                it.status();
                return out;
            }
        });
    }

    @Override
    public long firstChangeRevision() {
        return locked("read changes", () -> {
            try (RocksIterator it = db.newIterator(changesCf)) {
                it.seekToFirst();
                if (it.isValid()) {
                    return bytesToLong(it.key());
                }
                it.status();
                return 0L;
            }
        });
    }

    @Override
    public void pruneChanges(long beforeRevision) {
        if (beforeRevision <= 1) {
            return;
        }
        locked("prune changes", () -> {
            // One range tombstone, whatever the number of changes: cheap for the commit path.
            db.deleteRange(changesCf, walWrite, longBytes(0), longBytes(beforeRevision));
            return null;
        });
    }

    @Override
    public byte[] getMeta(String name) {
        return locked("read meta", () -> db.get(metaCf, utf8(name)));
    }

    @Override
    public void putMeta(String name, byte[] value) {
        locked("write meta", () -> {
            if (value == null) {
                db.delete(metaCf, walWrite, utf8(name));
            } else {
                db.put(metaCf, walWrite, utf8(name), value);
            }
            return null;
        });
    }

    @Override
    public Map<String, byte[]> listMeta(String prefix) {
        byte[] p = utf8(prefix);
        return locked("read meta", () -> {
            try (RocksIterator it = db.newIterator(metaCf)) {
                Map<String, byte[]> out = new TreeMap<>();
                for (it.seek(p); it.isValid() && startsWith(it.key(), p); it.next()) {
                    out.put(new String(it.key(), StandardCharsets.UTF_8), it.value());
                }
                it.status();
                return out;
            }
        });
    }

    @Override
    public long approximateSizeBytes() {
        return locked("read size", () -> {
            long total = 0;
            for (ColumnFamilyHandle cf : handles) {
                total += db.getLongProperty(cf, "rocksdb.total-sst-files-size");
                total += db.getLongProperty(cf, "rocksdb.cur-size-all-mem-tables");
            }
            return total;
        });
    }

    @Override
    public long approximateKeyCount() {
        return locked("read key count", () -> db.getLongProperty(stateCf, "rocksdb.estimate-num-keys"));
    }

    /**
     * Waits for running calls and open iterators, flushes memtables (so the next open need not
     * replay the WAL), then frees column-family handles, the db and the options, in that order.
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (db == null) { // a reopen after a write failure did not succeed
                return;
            }
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                db.flush(flush, handles);
            } catch (RocksDBException e) {
                log.warn("flush on close of {} failed (the WAL still holds the data): {}", dir, e.getMessage());
            }
            try {
                mark.closedCleanly(lastRevision);
            } catch (IOException | RuntimeException e) {
                log.warn("cannot record the clean close of {}: {}", dir, e.getMessage());
            }
            handles.forEach(RocksObject::close);
            try {
                db.closeE();
            } catch (RocksDBException e) {
                log.warn("closing RocksDB at {} failed: {}", dir, e.getMessage());
            }
            while (!resources.isEmpty()) {
                closeQuietly(resources.pop());
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Tests: release the db as a kill -9 would leave it (no flush), the WAL holding the latest writes. */
    void closeAsIfCrashed() {
        lifecycle.writeLock().lock();
        try {
            closed = true;
            handles.forEach(RocksObject::close);
            closeQuietly(db);
            while (!resources.isEmpty()) {
                closeQuietly(resources.pop());
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /**
     * Resumes writes after a failure: RocksDB may have recovered by itself (a probe write
     * succeeds); otherwise, if there is space again, reopen the db, which replays the WAL up to
     * the failed write (its torn record is dropped; it was never acknowledged).
     */
    private void tryResume() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                throw new PandoException(ErrorCode.UNAVAILABLE, "store is closed");
            }
            if (db != null) {
                try {
                    db.put(metaCf, syncWrite, PROBE, longBytes(lastRevision));
                    resume.resumed();
                    log.info("writes to the store at {} resumed", dir);
                    return;
                } catch (RocksDBException e) {
                    if (usableBytes() < MIN_FREE_BYTES_TO_REOPEN) {
                        resume.retryFailed();
                        throw resume.unavailable();
                    }
                }
                releaseNatives();
            }
            try {
                openDb(WALRecoveryMode.TolerateCorruptedTailRecords, false);
            } catch (RocksDBException | RuntimeException e) {
                db = null; // every call answers UNAVAILABLE until a later attempt opens it
                resume.retryFailed();
                log.warn("reopening the store at {} after a write failure failed: {}", dir, e.getMessage());
                throw resume.unavailable();
            }
            resume.resumed();
            log.info("writes to the store at {} resumed after reopening it (last revision {})", dir, lastRevision);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private long usableBytes() {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE; // cannot tell: try
        }
    }

    private void releaseNatives() {
        handles.forEach(RocksObject::close);
        try {
            db.closeE();
        } catch (RocksDBException e) {
            log.debug("closing the failed db at {}: {}", dir, e.getMessage());
        }
        db = null;
        while (!resources.isEmpty()) {
            closeQuietly(resources.pop());
        }
    }

    private void reserve(long revision) {
        try {
            mark.reserve(revision);
        } catch (IOException e) {
            throw new PandoException(ErrorCode.UNAVAILABLE, "cannot record the revision mark of " + dir + ": " + e.getMessage(), e);
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Takes the shared lifecycle lock, failing if the storage is closed. Caller unlocks. */
    private Lock open() {
        Lock lock = lifecycle.readLock();
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new PandoException(ErrorCode.UNAVAILABLE, "store is closed");
        }
        if (db == null) {
            lock.unlock();
            throw resume.unavailable();
        }
        return lock;
    }

    /** A storage call that may fail with a RocksDB error. */
    @FunctionalInterface
    private interface RocksCall<T> {
        T call() throws RocksDBException;
    }

    /**
     * Runs {@code call} under the shared lifecycle lock (so close cannot free the db meanwhile),
     * reporting a RocksDB failure as INTERNAL naming {@code what}.
     */
    private <T> T locked(String what, RocksCall<T> call) {
        Lock lock = open();
        try {
            return call.call();
        } catch (RocksDBException e) {
            throw failure(what, e);
        } finally {
            lock.unlock();
        }
    }

    private PandoException failure(String what, RocksDBException e) {
        return new PandoException(ErrorCode.INTERNAL, "storage " + what + " failed: " + e.getMessage(), e);
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("close of {} failed", c, e);
            }
        }
    }
}
