package dev.pando.node.plugins;

import dev.pando.node.dispatch.HandlerRegistry;
import dev.pando.node.dispatch.HandlerTable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops and releases plugins a reload replaced or removed, on a thread of its own, once the calls
 * already admitted to the handler generation they served have drained (at most
 * {@code plugins.drain-ms}). It runs after the reload returns because the reload request itself
 * is a call on the old generation.
 */
final class Retirement implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Retirement.class);

    private final HandlerRegistry registry;
    private final long drainMs;
    private final ExecutorService retirer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pando-plugin-retire");
        t.setDaemon(true);
        return t;
    });
    /** Completes when everything handed over so far is retired; chained, so retirements run in order. */
    private CompletableFuture<Void> retiring = CompletableFuture.completedFuture(null);

    Retirement(HandlerRegistry registry, long drainMs) {
        this.registry = registry;
        this.drainMs = drainMs;
    }

    /** Drains {@code retired} in the background, then closes the plugins in {@code old}. */
    synchronized void retire(HandlerTable retired, List<PluginSlot> old) {
        retiring = retiring.thenRunAsync(() -> {
            long t0 = System.nanoTime();
            drain(retired);
            old.forEach(s -> s.plugin().close());
            log.debug("retired generation {} ({} plugins) after {} ms", retired.generation(), old.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }, retirer);
    }

    /** What is being retired now: completes once all of it is. */
    synchronized CompletableFuture<Void> pending() {
        return retiring;
    }

    /** Waits for {@code pending}; false on timeout. A retirement that failed counts as done: it was logged. */
    static boolean await(CompletableFuture<Void> pending, long timeout, TimeUnit unit) throws InterruptedException {
        try {
            pending.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            log.warn("retiring old plugins failed: {}", e.getCause().toString());
            return true;
        }
    }

    /** Waits, bounded by {@code plugins.drain-ms}, for the calls running on {@code retired} to finish. */
    void drain(HandlerTable retired) {
        try {
            if (!registry.drain(retired, drainMs, TimeUnit.MILLISECONDS)) {
                log.warn("calls on handler generation {} still running after {} ms; closing its plugins anyway", retired.generation(), drainMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for every retirement handed over, then stops the thread. */
    @Override
    public void close() {
        pending().join();
        retirer.shutdown();
    }
}
