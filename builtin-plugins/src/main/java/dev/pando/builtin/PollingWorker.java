package dev.pando.builtin;

import dev.pando.api.plugin.ChangeFeed;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * One daemon thread that runs a step again and again: at once while the step reports a full
 * batch, after an idle wait when it reports less (up to {@code idleMs}, cut short by a
 * {@link #wake}, or by the feed's next commit for a worker made {@link #following} a feed), and
 * with a doubling backoff after a failure. What the journal and the rules use to consume the
 * change feed.
 */
public final class PollingWorker implements Runnable {
    /** Waits for work after a step that found less than a full batch. */
    @FunctionalInterface
    private interface IdleWait {
        void pause(PollingWorker worker, long ms) throws InterruptedException;
    }

    /** First and longest sleep after a failed step. */
    public static final long MIN_BACKOFF_MS = 100;
    public static final long MAX_BACKOFF_MS = 5_000;
    /** Longest a following worker waits on the feed before it looks whether it was stopped. */
    static final long STOP_CHECK_MS = 100;
    /** How long {@link #stop} waits for the thread before interrupting it (and then again). */
    public static final long STOP_JOIN_MS = 5_000;

    private final String name;
    private final IntSupplier step;
    private final int fullBatch;
    private final long idleMs;
    private final IdleWait idle;
    private final Logger log;
    private final Object monitor = new Object();
    private volatile boolean running;
    private volatile long lingerMs;
    private boolean woken;
    private Thread thread;

    /**
     * @param step      one step; returns how many items it handled
     * @param fullBatch a step that handled this many goes again at once
     */
    public PollingWorker(String name, IntSupplier step, int fullBatch, long idleMs, Logger log) {
        this.name = name;
        this.step = step;
        this.fullBatch = fullBatch;
        this.idleMs = idleMs;
        this.idle = PollingWorker::waitForWake;
        this.log = log;
    }

    private PollingWorker(String name, IntSupplier step, int fullBatch, long idleMs, IdleWait idle, Logger log) {
        this.name = name;
        this.step = step;
        this.fullBatch = fullBatch;
        this.idleMs = idleMs;
        this.idle = idle;
        this.log = log;
    }

    /**
     * A worker whose idle wait, while {@code follow} holds, ends when {@code feed} commits past
     * {@code position} (at most {@code idleMs}): woken by the store itself, with no listener
     * thread in between. While it does not, only {@link #wake} or the time ends the wait.
     */
    public static PollingWorker following(String name, IntSupplier step, int fullBatch, ChangeFeed feed, LongSupplier position,
                                          BooleanSupplier follow, long idleMs, Logger log) {
        return new PollingWorker(name, step, fullBatch, idleMs, (worker, ms) -> {
            if (!follow.getAsBoolean()) {
                worker.waitForWake(ms);
                return;
            }
            // In slices: a wait on the feed hears no stop(), so each slice looks whether to go on.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            boolean committed = false;
            long left = ms;
            while (!committed && left > 0 && worker.running) {
                committed = feed.awaitAfter(position.getAsLong(), Math.min(left, STOP_CHECK_MS));
                left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            }
            if (committed && worker.lingerMs > 0) {
                Thread.sleep(worker.lingerMs);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }, log);
    }

    /**
     * For a {@link #following} worker: after a commit ends its idle wait, it waits {@code ms}
     * more before stepping, so a trickle of writes is taken in batches rather than one step each.
     * Call before {@link #start}.
     */
    public PollingWorker lingering(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("linger must not be negative, got " + ms);
        }
        this.lingerMs = ms;
        return this;
    }

    public void start() {
        synchronized (monitor) {
            running = true;
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Runs the next step now rather than after the idle sleep (work is known to be waiting). */
    public void wake() {
        synchronized (monitor) {
            woken = true;
            monitor.notifyAll();
        }
    }

    /** Stops the thread and waits for it; interrupts it only if it does not finish in time. */
    public void stop() {
        Thread t;
        synchronized (monitor) {
            running = false;
            t = thread;
            thread = null;
            monitor.notifyAll();
        }
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(STOP_JOIN_MS);
            if (t.isAlive()) {
                t.interrupt();
                t.join(STOP_JOIN_MS);
            }
        } catch (InterruptedException e) {
            t.interrupt();
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.warn("{} did not stop within {} ms", name, 2 * STOP_JOIN_MS);
        }
    }

    public boolean isRunning() {
        Thread t;
        synchronized (monitor) {
            t = thread;
        }
        return t != null && t.isAlive();
    }

    @Override
    public void run() {
        long backoff = 0;
        while (running) {
            try {
                int handled = step.getAsInt();
                backoff = 0;
                if (handled < fullBatch) {
                    pause(idle, idleMs);
                }
            } catch (Throwable t) {
                if (!running) {
                    break;
                }
                if (t instanceof VirtualMachineError v && !(t instanceof StackOverflowError)) {
                    throw v;
                }
                backoff = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, backoff * 2));
                log.warn("{} failed, retrying in {} ms: {}", name, backoff, t.toString());
                pause(PollingWorker::waitForWake, backoff); // a failure waits out its backoff, commits or not
            }
        }
    }

    private void pause(IdleWait how, long ms) {
        if (!running) {
            return;
        }
        try {
            how.pause(this, ms);
        } catch (InterruptedException e) {
            running = false;
            Thread.currentThread().interrupt();
        }
    }

    private void waitForWake(long ms) throws InterruptedException {
        synchronized (monitor) {
            if (running && !woken) {
                monitor.wait(ms);
            }
            woken = false;
        }
    }
}
