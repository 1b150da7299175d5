package dev.pando.node.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One stretch of load (warm-up or measurement) shared by all connections: hands out request
 * permits up to a count and/or deadline, and counts connections that have drained.
 */
final class Phase {
    private final long limit;
    private final long deadlineNanos;
    private final boolean hasDeadline;
    private final AtomicLong issued = new AtomicLong();
    final boolean record;
    /** Answers received, for the stall watchdog. */
    final LongAdder answered = new LongAdder();
    final CountDownLatch drained;

    Phase(long limit, long durationNanos, boolean record, int connections) {
        this.limit = limit;
        this.hasDeadline = durationNanos > 0;
        this.deadlineNanos = System.nanoTime() + durationNanos;
        this.record = record;
        this.drained = new CountDownLatch(connections);
    }

    /** Whether another request may be sent. */
    boolean tryAcquire() {
        if (hasDeadline && System.nanoTime() - deadlineNanos >= 0) {
            return false;
        }
        return issued.getAndIncrement() < limit;
    }

    /** A connection has nothing in flight and will send no more in this phase. */
    void connectionDrained() {
        drained.countDown();
    }
}
