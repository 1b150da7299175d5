package dev.pando.host;

/**
 * Enforces per-call time limits by interrupting the calling thread, which is how Chicory stops
 * guest code (it polls the interrupt flag) and how well-behaved native code notices. The
 * interrupt can never leak into the worker's next task: the watchdog and the caller agree
 * under a lock on who finished first, and the caller clears a late interrupt.
 */
public final class CallWatchdog implements AutoCloseable {
    private final Deadlines timer = new Deadlines("pando-plugin-watchdog");

    private static final class Shared {
        static final CallWatchdog INSTANCE = new CallWatchdog();
    }

    /** A process-wide watchdog for code that has no host-owned one at hand (its thread is a daemon). */
    public static CallWatchdog shared() {
        return Shared.INSTANCE;
    }

    /** Starts timing the current thread; {@link Guard#close()} must be called when the call ends. */
    public Guard start(long timeoutMs) {
        Guard guard = new Guard(Thread.currentThread());
        guard.task = timer.schedule(guard::expire, timeoutMs);
        return guard;
    }

    /** Runs {@code task} on the watchdog's timer after {@code delayMs}; cancel it if it is no longer due. */
    Deadlines.Timeout schedule(Runnable task, long delayMs) {
        return timer.schedule(task, delayMs);
    }

    @Override
    public void close() {
        timer.close();
    }

    /** One timed call. */
    public static final class Guard implements AutoCloseable {
        private final Thread thread;
        private volatile Deadlines.Timeout task;
        private boolean finished;
        private boolean expired;

        private Guard(Thread thread) {
            this.thread = thread;
        }

        private synchronized void expire() {
            if (!finished) {
                expired = true;
                thread.interrupt();
            }
        }

        /** True if the time limit passed before the call ended. */
        public synchronized boolean expired() {
            return expired;
        }

        /** Ends timing; clears the interrupt the watchdog may have sent. */
        @Override
        public void close() {
            Deadlines.Timeout t = task;
            if (t != null) {
                t.cancel();
            }
            boolean wasExpired;
            synchronized (this) {
                finished = true;
                wasExpired = expired;
            }
            if (wasExpired) {
                Thread.interrupted();
            }
        }
    }
}
