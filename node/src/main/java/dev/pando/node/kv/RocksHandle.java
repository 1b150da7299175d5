package dev.pando.node.kv;

import static dev.pando.node.kv.RecordCodec.bytesToLong;
import static dev.pando.node.kv.RecordCodec.utf8;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksObject;
import org.rocksdb.WALRecoveryMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open RocksDB with its column families {@code state}, {@code changes} and {@code meta}
 * and the native options they use. A store that reopens after a write failure replaces the
 * whole handle, so no native object of the failed db is used again.
 */
final class RocksHandle {
    static {
        RocksDB.loadLibrary();
    }

    private static final Logger log = LoggerFactory.getLogger(RocksHandle.class);
    static final byte[] LAST_REVISION = utf8("revision.last");
    private static final long BLOCK_CACHE_BYTES = 64L << 20;
    private static final long MAX_TOTAL_WAL_BYTES = 256L << 20;
    /**
     * Share of a state memtable given to a bloom filter of its whole keys: a compare-and-set or
     * delete of a key the memtables do not hold (an append's "must not exist") skips their
     * skip-list searches, which were most of the commit thread's time on such batches.
     */
    private static final double MEMTABLE_BLOOM_RATIO = 0.1;
    /**
     * Memtable size per column family (RocksDB's default is 64 MiB). Inserting into a smaller
     * skip list costs the commit thread, the store's one serial stage, about a quarter less per
     * write (the journal's drain: 7.5 against 10 µs of commit-thread CPU per entry, docs/benchmarks.md);
     * the price is more, smaller flushes in the background.
     */
    private static final long WRITE_BUFFER_BYTES = 16L << 20;

    final RocksDB db;
    final ColumnFamilyHandle state;
    final ColumnFamilyHandle changes;
    final ColumnFamilyHandle meta;
    final org.rocksdb.WriteOptions walWrite;
    final org.rocksdb.WriteOptions syncWrite;
    /** Reads that consult only memtables and the block cache: they fail with Incomplete instead of reading disk. */
    final org.rocksdb.ReadOptions memoryOnly;
    private final List<ColumnFamilyHandle> families;
    /** Native option objects, closed after the db in reverse creation order. */
    private final Deque<AutoCloseable> resources;
    /** The revision of the last applied mutation; read from {@code meta} at open. */
    volatile long lastRevision;

    private RocksHandle(RocksDB db, List<ColumnFamilyHandle> families, Deque<AutoCloseable> resources,
            org.rocksdb.WriteOptions walWrite, org.rocksdb.WriteOptions syncWrite, org.rocksdb.ReadOptions memoryOnly,
            long lastRevision) {
        this.db = db;
        this.families = families;
        this.state = families.get(1);
        this.changes = families.get(2);
        this.meta = families.get(3);
        this.resources = resources;
        this.walWrite = walWrite;
        this.syncWrite = syncWrite;
        this.memoryOnly = memoryOnly;
        this.lastRevision = lastRevision;
    }

    /** Opens the db in {@code dir}, replaying its WAL in {@code walMode}; on failure frees everything it made. */
    static RocksHandle open(Path dir, WALRecoveryMode walMode, boolean create) throws RocksDBException {
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        LRUCache cache = track(resources, new LRUCache(BLOCK_CACHE_BYTES));
        BloomFilter bloom = track(resources, new BloomFilter(10));
        // Point gets for CAS and kv.get hit the state family; the feed and meta are read in order.
        ColumnFamilyOptions stateOptions = track(resources, new ColumnFamilyOptions()
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(bloom))
                .setMemtableWholeKeyFiltering(true)
                .setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO)
                .setWriteBufferSize(WRITE_BUFFER_BYTES));
        ColumnFamilyOptions plainOptions = track(resources, new ColumnFamilyOptions()
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache))
                .setWriteBufferSize(WRITE_BUFFER_BYTES));
        DBOptions dbOptions = track(resources, new DBOptions()
                .setCreateIfMissing(create)
                .setCreateMissingColumnFamilies(true)
                // A torn or corrupt WAL fails the open, so a rollback is never silent (see RocksOpener).
                .setWalRecoveryMode(walMode)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(5)
                // Tiny meta writes would otherwise pin old WAL files until that family flushes.
                .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES));
        org.rocksdb.WriteOptions walWrite = track(resources, new org.rocksdb.WriteOptions().setSync(false));
        org.rocksdb.WriteOptions syncWrite = track(resources, new org.rocksdb.WriteOptions().setSync(true));
        org.rocksdb.ReadOptions memoryOnly = track(resources, new org.rocksdb.ReadOptions().setReadTier(org.rocksdb.ReadTier.BLOCK_CACHE_TIER));

        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plainOptions),
                new ColumnFamilyDescriptor(utf8("state"), stateOptions),
                new ColumnFamilyDescriptor(utf8("changes"), plainOptions),
                new ColumnFamilyDescriptor(utf8("meta"), plainOptions));
        List<ColumnFamilyHandle> families = new ArrayList<>();
        RocksDB opened = null;
        try {
            opened = RocksDB.open(dbOptions, dir.toString(), descriptors, families);
            byte[] last = opened.get(families.get(3), LAST_REVISION);
            return new RocksHandle(opened, families, resources, walWrite, syncWrite, memoryOnly, last == null ? 0 : bytesToLong(last));
        } catch (RocksDBException | RuntimeException e) {
            families.forEach(RocksObject::close);
            closeQuietly(opened);
            releaseAll(resources);
            throw e;
        }
    }

    org.rocksdb.WriteOptions writeOptions(boolean sync) {
        return sync ? syncWrite : walWrite;
    }

    /** Rough bytes of every family, on disk and in memtables. */
    long approximateSizeBytes() throws RocksDBException {
        long total = 0;
        for (ColumnFamilyHandle cf : families) {
            total += db.getLongProperty(cf, "rocksdb.total-sst-files-size");
            total += db.getLongProperty(cf, "rocksdb.cur-size-all-mem-tables");
        }
        return total;
    }

    /** Flushes every memtable, so the next open need not replay the WAL. */
    void flush() throws RocksDBException {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, families);
        }
    }

    /**
     * Frees the column-family handles, the db and the options, in that order; the options are
     * freed even when closing the db fails, which is then rethrown.
     */
    void release() throws RocksDBException {
        families.forEach(RocksObject::close);
        try {
            db.closeE();
        } finally {
            releaseAll(resources);
        }
    }

    /** As {@link #release()}, as a crash would leave the db: no flush, and a failure only logged. */
    void releaseQuietly() {
        try {
            release();
        } catch (RocksDBException | RuntimeException e) {
            log.debug("close of {} failed", db, e);
        }
    }

    private static <T extends AutoCloseable> T track(Deque<AutoCloseable> resources, T resource) {
        resources.push(resource);
        return resource;
    }

    private static void releaseAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            closeQuietly(resources.pop());
        }
    }

    static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("close of {} failed", c, e);
            }
        }
    }
}
