package dev.pando.node.kv;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Wakes threads waiting for the store's acknowledged revision to pass a mark (a federation hub's
 * long poll, a leaf's push loop) when a batch is acknowledged, so they need not poll. Costs the
 * acknowledging thread one volatile read while nobody waits.
 */
final class RevisionSignal {
    private final Object lock = new Object();
    /** Raised before a waiter reads the revision, read after the acknowledger writes it: one of them sees the other. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongSupplier acknowledged;

    RevisionSignal(LongSupplier acknowledged) {
        this.acknowledged = acknowledged;
    }

    /** Called after the acknowledged revision moved. */
    void advanced() {
        if (waiting.get() > 0) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** True once the acknowledged revision is past {@code afterRevision}; false if {@code timeoutNanos} passed first. */
    boolean await(long afterRevision, long timeoutNanos) throws InterruptedException {
        if (acknowledged.getAsLong() > afterRevision) {
            return true;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        waiting.incrementAndGet();
        try {
            synchronized (lock) {
                while (acknowledged.getAsLong() <= afterRevision) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
                return true;
            }
        } finally {
            waiting.decrementAndGet();
        }
    }
}
