package dev.pando.node.kv;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * {@link Storage} in memory, for tests and throwaway nodes. Nothing survives {@link #close()}.
 * Batches are applied under one lock; iteration is weakly consistent (a scan running across a
 * batch may see part of it), unlike RocksDB's snapshot iterators.
 */
public final class MemoryStorage implements Storage {
    private final ConcurrentSkipListMap<byte[], byte[]> state = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    private final ConcurrentSkipListMap<Long, byte[]> changes = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<String, byte[]> meta = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    private volatile long lastRevision;
    private volatile long feedStart = 1;
    private volatile long keyCount;
    private volatile long stateBytes;
    private volatile boolean closed;

    @Override
    public void apply(List<Mutation> batch, boolean sync) {
        synchronized (writeLock) {
            ensureOpen();
            long keys = keyCount;
            long bytes = stateBytes;
            for (Mutation m : batch) {
                byte[] old = m.entry() == null ? state.remove(m.key()) : state.put(m.key(), m.entry());
                if (old != null) {
                    keys--;
                    bytes -= m.key().length + old.length;
                }
                if (m.entry() != null) {
                    keys++;
                    bytes += m.key().length + m.entry().length;
                }
                if (m.change() != null) {
                    changes.put(m.revision(), m.change());
                }
            }
            keyCount = keys;
            stateBytes = bytes;
            if (!batch.isEmpty()) {
                lastRevision = batch.get(batch.size() - 1).revision();
            }
        }
    }

    @Override
    public long lastRevision() {
        ensureOpen();
        return lastRevision;
    }

    @Override
    public byte[] get(byte[] key) {
        ensureOpen();
        return state.get(key);
    }

    @Override
    public Optional<Lookup> getInMemory(byte[] key) {
        return Optional.of(new Lookup(Optional.ofNullable(get(key))));
    }

    @Override
    public StateIterator iterate(byte[] from, byte[] to) {
        ensureOpen();
        NavigableMap<byte[], byte[]> range = to == null ? state.tailMap(from, true) : state.subMap(from, true, to, false);
        Iterator<Map.Entry<byte[], byte[]>> it = range.entrySet().iterator();
        return new StateIterator() {
            private Map.Entry<byte[], byte[]> current;

            @Override
            public boolean next() {
                ensureOpen();
                current = it.hasNext() ? it.next() : null;
                return current != null;
            }

            @Override
            public byte[] key() {
                return current.getKey();
            }

            @Override
            public byte[] value() {
                return current.getValue();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public List<byte[]> changes(long fromRevision, int limit) {
        ensureOpen();
        List<byte[]> out = new ArrayList<>(Math.min(limit, 1024));
        long bytes = 0;
        for (byte[] c : changes.tailMap(fromRevision, true).values()) {
            if (out.size() == limit || bytes >= MAX_READ_BYTES) {
                break;
            }
            bytes += c.length;
            out.add(c);
        }
        return out;
    }

    @Override
    public long feedStart() {
        ensureOpen();
        return feedStart;
    }

    @Override
    public long lastChangeRevision() {
        ensureOpen();
        Map.Entry<Long, byte[]> last = changes.lastEntry();
        return last == null ? feedStart - 1 : last.getKey();
    }

    @Override
    public void pruneChanges(long beforeRevision) {
        ensureOpen();
        synchronized (writeLock) {
            Long newest = changes.lowerKey(beforeRevision);
            if (newest != null && newest >= feedStart) {
                feedStart = newest + 1; // before the delete, as RocksStorage does
                changes.headMap(newest, true).clear();
            }
        }
    }

    @Override
    public byte[] getMeta(String name) {
        ensureOpen();
        return meta.get(name);
    }

    @Override
    public void putMeta(String name, byte[] value) {
        ensureOpen();
        if (value == null) {
            meta.remove(name);
        } else {
            meta.put(name, value.clone());
        }
    }

    @Override
    public Map<String, byte[]> listMeta(String prefix) {
        ensureOpen();
        Map<String, byte[]> out = new TreeMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, v.clone());
            }
        });
        return out;
    }

    /** State bytes plus a rough per-change figure; the feed is not measured exactly. */
    @Override
    public long approximateSizeBytes() {
        ensureOpen();
        Map.Entry<Long, byte[]> first = changes.firstEntry();
        long feed = first == null ? 0 : lastRevision - first.getKey() + 1; // revisions are contiguous
        return stateBytes + feed * 64L;
    }

    @Override
    public long approximateKeyCount() {
        ensureOpen();
        return keyCount;
    }

    @Override
    public void close() {
        synchronized (writeLock) {
            closed = true;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new PandoException(ErrorCode.UNAVAILABLE, "store is closed");
        }
    }
}
