package dev.pando.builtin.rules;

/**
 * Where the rules plugin runs delayed actions and interval triggers, off the host's listener
 * thread. A seam so tests can drive time by hand instead of sleeping.
 */
interface Scheduler extends AutoCloseable {

    /** Something scheduled; cancelling a task that already ran does nothing. */
    interface Task {
        void cancel();
    }

    /** Runs {@code task} once after {@code delayMs}. */
    Task once(Runnable task, long delayMs);

    /** Runs {@code task} every {@code periodMs}, the first time one period from now. */
    Task every(Runnable task, long periodMs);

    /** Cancels everything and releases the threads; later scheduling does nothing. */
    @Override
    void close();
}
