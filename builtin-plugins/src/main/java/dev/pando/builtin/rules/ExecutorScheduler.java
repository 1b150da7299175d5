package dev.pando.builtin.rules;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real {@link Scheduler}: one daemon thread per plugin instance, so a forgotten stop can
 * never keep the JVM alive, and everything is cancelled on {@link #close()}.
 */
final class ExecutorScheduler implements Scheduler {
    private static final Logger log = LoggerFactory.getLogger(ExecutorScheduler.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ScheduledThreadPoolExecutor executor;

    ExecutorScheduler() {
        String name = "pando-rules-scheduler-" + INSTANCES.incrementAndGet();
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        // Cancelled delays and intervals would otherwise sit in the queue until their time.
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    @Override
    public Task once(Runnable task, long delayMs) {
        return submit(() -> executor.schedule(guarded(task), delayMs, TimeUnit.MILLISECONDS));
    }

    @Override
    public Task every(Runnable task, long periodMs) {
        // fixed delay, not fixed rate: a slow tick must not be followed by a burst of catch-up ticks.
        return submit(() -> executor.scheduleWithFixedDelay(guarded(task), periodMs, periodMs, TimeUnit.MILLISECONDS));
    }

    private Task submit(java.util.function.Supplier<ScheduledFuture<?>> scheduling) {
        try {
            ScheduledFuture<?> f = scheduling.get();
            return () -> f.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return () -> {};
        }
    }

    /** A periodic task that throws is never run again by the executor; so nothing may escape. */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
                    throw (VirtualMachineError) t;
                }
                log.warn("rules: scheduled task failed: {}", t.toString());
            }
        };
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
