package dev.pando.host.wasm;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts the current thread if a piece of work outlives its deadline. Calls are bounded by
 * the host's caller; this is for work the host starts itself (building the first instance in
 * {@code start}), where no one else would stop a {@code pando_init} that never returns.
 */
final class Watchdog {

    private Watchdog() {}

    private static final class Timer {
        static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pando-wasm-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code work}, interrupting this thread after {@code timeoutMs}. An interrupt the
     * watchdog delivered is cleared afterwards, so it cannot leak into the caller's later work.
     */
    static void run(long timeoutMs, Runnable work) {
        Thread thread = Thread.currentThread();
        Object lock = new Object();
        boolean[] state = new boolean[2]; // [0] work finished, [1] watchdog fired
        ScheduledFuture<?> alarm = Timer.INSTANCE.schedule(() -> {
            // Under the lock so the interrupt cannot land after the work finished and we cleared up.
            synchronized (lock) {
                if (!state[0]) {
                    state[1] = true;
                    thread.interrupt();
                }
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        try {
            work.run();
        } finally {
            alarm.cancel(false);
            synchronized (lock) {
                state[0] = true;
                if (state[1]) {
                    Thread.interrupted();
                }
            }
        }
    }
}
