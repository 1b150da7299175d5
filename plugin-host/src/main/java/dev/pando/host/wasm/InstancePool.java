package dev.pando.host.wasm;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Up to {@code capacity} instances, each lent to one thread at a time. An instance that is
 * dropped (discarded, or idle when the pool closes) gives its memory back to the node's budget. Instances are built on
 * demand, so a discarded one is replaced by the next borrow rather than eagerly. Idle instances
 * are reused most-recently-returned first, which keeps the working set warm.
 */
final class InstancePool {
    private final int capacity;
    private final Supplier<GuestInstance> factory;
    /** One permit per instance that may exist; a borrower holds one until it returns or discards. */
    private final Semaphore permits;
    private final Deque<GuestInstance> idle = new ConcurrentLinkedDeque<>();
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong discarded = new AtomicLong();
    private volatile boolean closed;

    InstancePool(int capacity, Supplier<GuestInstance> factory) {
        this.capacity = capacity;
        this.factory = factory;
        this.permits = new Semaphore(capacity, true);
    }

    /**
     * An instance for the caller's exclusive use, built if none is idle. Waits up to
     * {@code waitMs} for one to free; the caller bounds concurrency, so a long wait means calls
     * are stuck and {@code TIMEOUT} is the honest answer.
     */
    GuestInstance borrow(long waitMs) throws InterruptedException {
        if (!permits.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
            throw new PandoException(ErrorCode.TIMEOUT, "all " + capacity + " instances stayed busy for " + waitMs + " ms");
        }
        try {
            if (closed) {
                throw new PandoException(ErrorCode.UNAVAILABLE, "the plugin is stopped");
            }
            GuestInstance instance = idle.pollFirst();
            if (instance == null) {
                instance = factory.get();
                created.incrementAndGet();
            }
            return instance;
        } catch (RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }

    /** Returns a healthy instance for reuse. */
    void giveBack(GuestInstance instance) {
        if (closed) {
            instance.release();
        } else {
            idle.addFirst(instance);
            if (closed) {
                releaseIdle(); // close() ran between the check and the add
            }
        }
        permits.release();
    }

    /** Drops an instance whose state can no longer be trusted; the next borrow builds a new one. */
    void discard(GuestInstance instance) {
        discarded.incrementAndGet();
        instance.release();
        permits.release();
    }

    /** Drops every idle instance; ones still lent out are dropped when they come back. */
    void close() {
        closed = true;
        releaseIdle();
    }

    private void releaseIdle() {
        for (GuestInstance i = idle.pollFirst(); i != null; i = idle.pollFirst()) {
            i.release();
        }
    }

    WasmStats stats(long memoryBytes) {
        return new WasmStats(created.get(), discarded.get(), idle.size(), memoryBytes);
    }
}
