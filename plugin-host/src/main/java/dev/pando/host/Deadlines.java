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
 * thread is woken only by a deadline earlier than the one it sleeps until; it sleeps until the
 * earliest live deadline, so while calls keep completing in time it wakes about once per timeout.
 * Tasks run on the timer's thread and must be quick.
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
    /** Counts schedules, so the thread can tell one it did not see in its scan. */
    private final AtomicLong scheduled = new AtomicLong();
    /** {@link System#nanoTime()} the thread sleeps until; in the past while it is awake. */
    private volatile long wakeAt = System.nanoTime();
    private volatile boolean closed;
    private final Thread thread;
    /** Times the thread went round its loop (woke, or looked again): for tests. */
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
        Timeout t = new Timeout(task, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs)));
        live.add(t);
        scheduled.incrementAndGet();
        // After the count: either the thread's next look at the count sees this one, or this
        // read sees where the thread went to sleep (both are volatile; see run()).
        if (t.deadline - wakeAt < 0) {
            LockSupport.unpark(thread);
        }
        return t;
    }

    private void run() {
        while (!closed) {
            rounds.incrementAndGet();
            long seen = scheduled.get();
            long now = System.nanoTime();
            wakeAt = now; // awake: new deadlines need not wake it, the count tells
            long earliest = now + IDLE_NANOS;
            for (Timeout t : live) {
                if (t.deadline - now <= 0) {
                    if (live.remove(t)) {
                        fire(t);
                    }
                } else if (t.deadline - earliest < 0) {
                    earliest = t.deadline;
                }
            }
            wakeAt = earliest;
            if (scheduled.get() != seen) {
                continue; // scheduled during the scan: look again before sleeping
            }
            LockSupport.parkNanos(this, earliest - System.nanoTime());
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
