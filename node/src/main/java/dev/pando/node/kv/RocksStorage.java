package dev.pando.node.kv;

import static dev.pando.node.kv.RecordCodec.bytesToLong;
import static dev.pando.node.kv.RecordCodec.longBytes;
import static dev.pando.node.kv.RecordCodec.utf8;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Storage} on RocksDB with column families {@code state} (UTF-8 key → entry record),
 * {@code changes} (8-byte big-endian revision → change record) and {@code meta} (name →
 * small value, including the last revision). {@link RocksOpener} opens and settles it,
 * {@link RocksLifecycle} keeps the native handle safe to use and resumes writes after a
 * failure; this class reads and writes.
 */
public final class RocksStorage implements Storage {
    private static final Logger log = LoggerFactory.getLogger(RocksStorage.class);
    /** Meta record of the revisions a rollback skipped: "low high" (revisions low+1..high do not exist). */
    static final String GAP_META = "revision.gap";
    /** Meta record of {@link #feedStart()}, written with each prune; absent in stores no prune of this version touched. */
    static final String FEED_START_META = "feed.start";

    private final Path dir;
    private final RocksLifecycle lifecycle;
    private final RevisionMark mark;
    private final StoreRecovery recovery;
    private volatile long feedStart;

    RocksStorage(Path dir, RocksHandle rocks, RevisionMark mark, StoreRecovery recovery) {
        this.dir = dir;
        this.lifecycle = new RocksLifecycle(dir, rocks);
        this.mark = mark;
        this.recovery = recovery;
        this.feedStart = loadFeedStart();
    }

    /**
     * The stored start, or for a store no prune of this version touched, whose feed had no gaps:
     * its first record, or (an empty feed) the revision after the last.
     */
    private long loadFeedStart() {
        byte[] stored = getMeta(FEED_START_META);
        if (stored != null) {
            return bytesToLong(stored);
        }
        return lifecycle.call("read changes", rocks -> changeRevision(rocks, RocksIterator::seekToFirst))
                .orElse(lastRevision() + 1);
    }

    /** The revision of the feed record {@code seek} puts an iterator on, if there is one. */
    private static OptionalLong changeRevision(RocksHandle rocks, Consumer<RocksIterator> seek) throws RocksDBException {
        try (RocksIterator it = rocks.db.newIterator(rocks.changes)) {
            seek.accept(it);
            if (it.isValid()) {
                return OptionalLong.of(bytesToLong(it.key()));
            }
            it.status();
            return OptionalLong.empty();
        }
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

    @Override
    public StoreRecovery recovery() {
        return recovery;
    }

    @Override
    public void apply(List<Mutation> batch, boolean sync) {
        if (batch.isEmpty()) {
            return;
        }
        lifecycle.beforeWrite();
        lifecycle.call("write", rocks -> {
            try (WriteBatch wb = new WriteBatch()) {
                for (Mutation m : batch) {
                    if (m.entry() == null) {
                        wb.delete(rocks.state, m.key());
                    } else {
                        wb.put(rocks.state, m.key(), m.entry());
                    }
                    if (m.change() != null) {
                        wb.put(rocks.changes, longBytes(m.revision()), m.change());
                    }
                }
                long last = batch.get(batch.size() - 1).revision();
                reserve(last);
                wb.put(rocks.meta, RocksHandle.LAST_REVISION, longBytes(last));
                try {
                    rocks.db.write(rocks.writeOptions(sync), wb);
                } catch (RocksDBException e) {
                    PandoException failure = lifecycle.writeFailed(e);
                    log.error("write of revisions {}..{} failed: {}", batch.get(0).revision(), last, failure.getMessage());
                    throw failure;
                }
                rocks.lastRevision = last;
            }
            return null;
        });
    }

    @Override
    public long lastRevision() {
        return lifecycle.call("read revision", rocks -> rocks.lastRevision);
    }

    @Override
    public byte[] get(byte[] key) {
        return lifecycle.call("get", rocks -> rocks.db.get(rocks.state, key));
    }

    @Override
    public Optional<Lookup> getInMemory(byte[] key) {
        Lock held = lifecycle.enter();
        try {
            RocksHandle rocks = lifecycle.rocks();
            return Optional.of(new Lookup(Optional.ofNullable(rocks.db.get(rocks.state, rocks.memoryOnly, key))));
        } catch (RocksDBException e) {
            if (e.getStatus() != null && e.getStatus().getCode() == Status.Code.Incomplete) {
                return Optional.empty(); // the block it needs is on disk only
            }
            throw RocksLifecycle.failure("get", e);
        } finally {
            held.unlock();
        }
    }

    @Override
    public StateIterator iterate(byte[] from, byte[] to) {
        Lock lock = lifecycle.enter();
        ReadOptions options = null;
        Slice upper = null;
        try {
            options = new ReadOptions();
            if (to != null) {
                upper = new Slice(to);
                options.setIterateUpperBound(upper);
            }
            RocksHandle rocks = lifecycle.rocks();
            RocksIterator it = rocks.db.newIterator(rocks.state, options);
            it.seek(from);
            return new RocksStateIterator(it, options, upper, lock, e -> RocksLifecycle.failure("scan", e));
        } catch (RuntimeException e) {
            RocksHandle.closeQuietly(upper);
            RocksHandle.closeQuietly(options);
            lock.unlock();
            throw e;
        }
    }

    @Override
    public List<byte[]> changes(long fromRevision, int limit) {
        return lifecycle.call("read changes", rocks -> {
            try (RocksIterator it = rocks.db.newIterator(rocks.changes)) {
                List<byte[]> out = new ArrayList<>(Math.min(limit, 1024));
                long bytes = 0;
                for (it.seek(longBytes(fromRevision)); it.isValid() && out.size() < limit && bytes < MAX_READ_BYTES; it.next()) {
                    byte[] record = it.value();
                    bytes += record.length;
                    out.add(record);
                }
                it.status();
                return out;
            }
        });
    }

    @Override
    public long feedStart() {
        return feedStart;
    }

    @Override
    public long lastChangeRevision() {
        return lifecycle.call("read changes", rocks -> changeRevision(rocks, RocksIterator::seekToLast)).orElse(feedStart - 1);
    }

    @Override
    public void pruneChanges(long beforeRevision) {
        lifecycle.call("prune changes", rocks -> {
            OptionalLong below = changeRevision(rocks, it -> it.seekForPrev(longBytes(beforeRevision - 1)));
            if (below.isEmpty() || below.getAsLong() < feedStart) {
                return null; // no record below it that is still held: nothing to prune
            }
            long newest = below.getAsLong();
            long start = feedStart;
            feedStart = newest + 1; // before the delete: a read it cuts short sees the new start (StateStore.changesSince)
            // One range tombstone, whatever the number of changes: cheap for the commit path.
            try (WriteBatch wb = new WriteBatch()) {
                wb.deleteRange(rocks.changes, longBytes(0), longBytes(newest + 1));
                wb.put(rocks.meta, utf8(FEED_START_META), longBytes(newest + 1));
                rocks.db.write(rocks.walWrite, wb);
            } catch (RocksDBException | RuntimeException e) {
                feedStart = start; // nothing was deleted
                throw e;
            }
            return null;
        });
    }

    @Override
    public byte[] getMeta(String name) {
        return lifecycle.call("read meta", rocks -> rocks.db.get(rocks.meta, utf8(name)));
    }

    @Override
    public void putMeta(String name, byte[] value) {
        lifecycle.call("write meta", rocks -> {
            if (value == null) {
                rocks.db.delete(rocks.meta, rocks.walWrite, utf8(name));
            } else {
                rocks.db.put(rocks.meta, rocks.walWrite, utf8(name), value);
            }
            return null;
        });
    }

    @Override
    public Map<String, byte[]> listMeta(String prefix) {
        byte[] p = utf8(prefix);
        return lifecycle.call("read meta", rocks -> {
            try (RocksIterator it = rocks.db.newIterator(rocks.meta)) {
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
        return lifecycle.call("read size", RocksHandle::approximateSizeBytes);
    }

    @Override
    public long approximateKeyCount() {
        return lifecycle.call("read key count", rocks -> rocks.db.getLongProperty(rocks.state, "rocksdb.estimate-num-keys"));
    }

    /**
     * Waits for running calls and open iterators, flushes memtables (so the next open need not
     * replay the WAL), records the clean close, then frees column-family handles, the db and
     * the options, in that order.
     */
    @Override
    public void close() {
        lifecycle.close(rocks -> {
            try {
                mark.closedCleanly(rocks.lastRevision);
            } catch (IOException | RuntimeException e) {
                log.warn("cannot record the clean close of {}: {}", dir, e.getMessage());
            }
        });
    }

    /** Tests: release the db as a kill -9 would leave it (no flush), the WAL holding the latest writes. */
    void closeAsIfCrashed() {
        lifecycle.closeAsIfCrashed();
    }

    private void reserve(long revision) {
        try {
            mark.reserve(revision);
        } catch (IOException e) {
            throw new PandoException(ErrorCode.UNAVAILABLE, "cannot record the revision mark of " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
