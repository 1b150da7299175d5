package dev.pando.host;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A timer for deadlines that are almost always cancelled before they pass: every plugin call and
 * listener delivery sets one and cancels it a few microseconds later. A scheduled executor wakes
 * its thread for each new task that heads its queue, which with one call at a time is every
 * task: a futex wake and two context switches per call. Here scheduling is a set insert, and the
 * thread is woken only by a deadline earlier than the one it sleeps until, which it keeps even
 * once that deadline is cancelled; so while calls keep completing in time it wakes about once per
 * timeout. Tasks run on the timer's thread and must be quick.
 */
final class Deadlines implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Deadlines.class);
    /** Longest sleep with nothing to wait for; a new deadline wakes the thread sooner. */
    private static final long IDLE_NANOS = TimeUnit.HOURS.toNanos(1);

    /** One scheduled task; {@link #cancel()} keeps it from running if it has not run yet. */
    final class Timeout {
        private final Runnable task;
        private final long deadline;

        private Timeout(Runnable task, long deadline) {
            this.task = task;
            this.deadline = deadline;
        }

        /** True if this call took it off the timer: it will not run (nor was it running). */
        boolean cancel() {
            return live.remove(this);
        }
    }

    private final Set<Timeout> live = ConcurrentHashMap.newKeySet();
    /** Deadlines are nanoseconds since this: never negative, so plain comparisons order them. */
    private final long origin = System.nanoTime();
    /** The earliest deadline scheduled since the thread's last round began (cancelled or not). */
    private final AtomicLong earliestNew = new AtomicLong(Long.MAX_VALUE);
    /** When the thread sleeps until; 0 while it is awake (so no new deadline wakes it then). */
    private volatile long wakeAt;
    private volatile boolean closed;
    private final Thread thread;
    /** Times the thread went round its loop: for tests. */
    final AtomicLong rounds = new AtomicLong();

    Deadlines(String threadName) {
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs {@code task} on the timer's thread once {@code delayMs} have passed, unless cancelled
     * first; after {@link #close()} refuses with {@link RejectedExecutionException}, as a shut
     * down executor does, so no caller goes on believing a deadline guards it.
     */
    Timeout schedule(Runnable task, long delayMs) {
        if (closed) {
            throw new RejectedExecutionException("the deadline timer is closed");
        }
        Timeout t = new Timeout(task, now() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs)));
        live.add(t);
        earliestNew.accumulateAndGet(t.deadline, Math::min);
        // After that: either the thread's next read of earliestNew sees this deadline, or this
        // read sees where the thread went to sleep (both are volatile; see run()).
        if (t.deadline < wakeAt) {
            LockSupport.unpark(thread);
        }
        return t;
    }

    private long now() {
        return System.nanoTime() - origin;
    }

    private void run() {
        while (!closed) {
            rounds.incrementAndGet();
            wakeAt = 0;
            long now = now();
            long earliest = now + IDLE_NANOS;
            // Deadlines scheduled since the last round (the scan below sees them, as they were
            // added before it starts) keep counting after a cancel: sleeping until one that was
            // cancelled costs one wake, waking for each later one would cost one per call.
            long scheduled = earliestNew.getAndSet(Long.MAX_VALUE);
            if (scheduled > now) {
                earliest = Math.min(earliest, scheduled);
            }
            for (Timeout t : live) {
                if (t.deadline <= now) {
                    if (live.remove(t)) {
                        fire(t);
                    }
                } else if (t.deadline < earliest) {
                    earliest = t.deadline;
                }
            }
            wakeAt = earliest;
            // One scheduled during the scan, which it may have missed, counts too; one scheduled
            // after this read sees wakeAt and wakes the thread if it is earlier.
            long during = earliestNew.get();
            LockSupport.parkNanos(this, Math.min(earliest, during) - now());
        }
    }

    private static void fire(Timeout t) {
        try {
            t.task.run();
        } catch (RuntimeException e) {
            log.error("a deadline task failed", e);
        }
    }

    /** Stops the thread; deadlines not yet passed never run. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
