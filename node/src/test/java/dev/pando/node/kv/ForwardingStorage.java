package dev.pando.node.kv;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A storage decorator for tests: counts examined keys and can be told to fail writes. */
final class ForwardingStorage implements Storage {
    private final Storage delegate;
    volatile boolean failApply;
    /** When set, the next apply signals {@code holdEntered} and waits for {@code holdRelease}. */
    private volatile CountDownLatch holdEntered;
    private volatile CountDownLatch holdRelease;
    final AtomicLong examined = new AtomicLong();
    final AtomicLong applies = new AtomicLong();
    /** Per applied batch: its size and whether it asked for a WAL sync. */
    final List<String> batches = new CopyOnWriteArrayList<>();
    /** Per applied batch: the name of the thread that applied it. */
    final List<String> appliedOn = new CopyOnWriteArrayList<>();

    /** When set, runs once at the start of the next {@link #changes} read (a prune racing a reader). */
    volatile Runnable beforeNextChanges;

    ForwardingStorage(Storage delegate) {
        this.delegate = delegate;
    }

    /** Makes the next {@link #apply} hold the commit thread until {@code release} opens. */
    void holdNextApply(CountDownLatch entered, CountDownLatch release) {
        holdRelease = release;
        holdEntered = entered;
    }

    @Override
    public void apply(List<Mutation> batch, boolean sync) {
        CountDownLatch entered = holdEntered;
        if (entered != null) {
            holdEntered = null;
            entered.countDown();
            try {
                holdRelease.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failApply) {
            throw new PandoException(ErrorCode.INTERNAL, "injected storage failure");
        }
        applies.incrementAndGet();
        batches.add(batch.size() + (sync ? "/sync" : ""));
        appliedOn.add(Thread.currentThread().getName());
        delegate.apply(batch, sync);
    }

    @Override
    public long lastRevision() {
        return delegate.lastRevision();
    }

    @Override
    public byte[] get(byte[] key) {
        examined.incrementAndGet();
        return delegate.get(key);
    }

    @Override
    public java.util.Optional<Lookup> getInMemory(byte[] key) {
        examined.incrementAndGet();
        return delegate.getInMemory(key);
    }

    @Override
    public StateIterator iterate(byte[] from, byte[] to) {
        StateIterator it = delegate.iterate(from, to);
        return new StateIterator() {
            @Override
            public boolean next() {
                boolean more = it.next();
                if (more) {
                    examined.incrementAndGet();
                }
                return more;
            }

            @Override
            public byte[] key() {
                return it.key();
            }

            @Override
            public byte[] value() {
                return it.value();
            }

            @Override
            public void close() {
                it.close();
            }
        };
    }

    @Override
    public List<byte[]> changes(long fromRevision, int limit) {
        Runnable before = beforeNextChanges;
        if (before != null) {
            beforeNextChanges = null;
            before.run();
        }
        return delegate.changes(fromRevision, limit);
    }

    @Override
    public long feedStart() {
        return delegate.feedStart();
    }

    @Override
    public long lastChangeRevision() {
        return delegate.lastChangeRevision();
    }

    @Override
    public void pruneChanges(long beforeRevision) {
        delegate.pruneChanges(beforeRevision);
    }

    @Override
    public byte[] getMeta(String name) {
        return delegate.getMeta(name);
    }

    @Override
    public void putMeta(String name, byte[] value) {
        delegate.putMeta(name, value);
    }

    @Override
    public Map<String, byte[]> listMeta(String prefix) {
        return delegate.listMeta(prefix);
    }

    @Override
    public long approximateSizeBytes() {
        return delegate.approximateSizeBytes();
    }

    @Override
    public long approximateKeyCount() {
        return delegate.approximateKeyCount();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
