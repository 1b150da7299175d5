package dev.pando.host.testing;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Interrupts the thread that created it after a delay, the way the host's caller enforces
 * {@code limits.callTimeoutMs}. Closing cancels a pending interrupt; one already delivered stays
 * delivered, so check and clear the flag.
 */
public final class Interrupter implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-interrupter");
        t.setDaemon(true);
        return t;
    });

    private final ScheduledFuture<?> pending;

    private Interrupter(ScheduledFuture<?> pending) {
        this.pending = pending;
    }

    public static Interrupter after(long millis) {
        Thread caller = Thread.currentThread();
        return new Interrupter(TIMER.schedule(caller::interrupt, millis, TimeUnit.MILLISECONDS));
    }

    /** Runs {@code work} on this thread, interrupting the thread if it takes longer than {@code millis}. */
    public static <T> T interruptAfter(long millis, Supplier<T> work) {
        Interrupter interrupter = after(millis);
        try {
            return work.get();
        } finally {
            interrupter.close();
        }
    }

    @Override
    public void close() {
        pending.cancel(false);
    }
}
