package dev.pando.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One plugin's calls. A call is admitted only if one of {@code instances + queue} permits is free
 * (otherwise it is refused at once), runs on one of the plugin's own {@code instances} threads
 * (made on demand), and is answered by its deadline: one still queued then is refused without
 * ever running, and one whose code ignores the watchdog's interrupt is answered {@code TIMEOUT}
 * {@link HostedPlugin#CALL_SLACK_MS} later, while its thread and permit stay taken until the code
 * returns. So a plugin can tie up only its own threads, and its callers never wait on it past
 * the limit. The caller's thread never blocks here.
 */
final class CallQueue {
    /** Runs a call's code with the milliseconds left before its deadline. */
    interface Body {
        JsonNode run(long budgetMs);
    }

    /** How long a plugin thread with nothing to do is kept. */
    private static final long IDLE_THREAD_MS = 30_000;

    private final String pluginId;
    private final int instances;
    private final int queue;
    private final Semaphore admission;
    private final ThreadPoolExecutor threads;
    private final CallWatchdog timer;
    private final LongAdder busy;

    CallQueue(String pluginId, int instances, int queue, CallWatchdog timer, LongAdder busy) {
        this.pluginId = pluginId;
        this.instances = instances;
        this.queue = queue;
        this.timer = timer;
        this.busy = busy;
        this.admission = new Semaphore(instances + queue);
        AtomicInteger n = new AtomicInteger();
        // Unbounded queue: the admission permits bound it, and refusing there keeps the count exact.
        this.threads = new ThreadPoolExecutor(instances, instances, IDLE_THREAD_MS, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "pando-plugin-" + pluginId + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        threads.allowCoreThreadTimeOut(true);
    }

    /** Admits {@code op} with {@code timeoutMs} to its deadline; never blocks. */
    CompletableFuture<JsonNode> submit(String op, long timeoutMs, Body body) {
        if (!admission.tryAcquire()) {
            busy.increment();
            return CompletableFuture.failedFuture(new PandoException(ErrorCode.UNAVAILABLE, "plugin '" + pluginId + "' is busy: all "
                    + instances + " instances in use and " + queue + " calls waiting; try again later"));
        }
        Call call = new Call(op, timeoutMs, body);
        try {
            call.expiry = timer.schedule(call::expire, timeoutMs);
            call.abandon = timer.schedule(call::abandon, timeoutMs + HostedPlugin.CALL_SLACK_MS);
            threads.execute(call);
        } catch (RejectedExecutionException e) {
            call.drop(unloaded());
        }
        return call.result;
    }

    /** Calls admitted and not yet running. */
    int waiting() {
        return threads.getQueue().size();
    }

    /**
     * Refuses every queued call at once and lets the threads end when their running calls
     * return; later calls are refused.
     */
    void close() {
        threads.shutdown();
        List<Runnable> queued = new ArrayList<>();
        threads.getQueue().drainTo(queued);
        for (Runnable r : queued) {
            ((Call) r).drop(unloaded());
        }
    }

    private PandoException unloaded() {
        return new PandoException(ErrorCode.UNAVAILABLE, "plugin '" + pluginId + "' is unloaded");
    }

    private final class Call implements Runnable {
        private static final int QUEUED = 0;
        private static final int RUNNING = 1;
        private static final int DONE = 2;

        final String op;
        final long timeoutMs;
        final long deadline;
        final Body body;
        final CompletableFuture<JsonNode> result = new CompletableFuture<>();
        final AtomicInteger state = new AtomicInteger(QUEUED);
        volatile Deadlines.Timeout expiry;
        volatile Deadlines.Timeout abandon;

        Call(String op, long timeoutMs, Body body) {
            this.op = op;
            this.timeoutMs = timeoutMs;
            this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            this.body = body;
        }

        @Override
        public void run() {
            if (!state.compareAndSet(QUEUED, RUNNING)) {
                return; // expired or dropped while queued: answered and its permit returned then
            }
            try {
                long budgetMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (budgetMs <= 0) {
                    busy.increment();
                    result.completeExceptionally(expired());
                } else {
                    result.complete(body.run(budgetMs));
                }
            } catch (Throwable t) {
                // VM errors included: they reach the caller as this call's failure.
                result.completeExceptionally(t);
            } finally {
                state.set(DONE);
                cancel();
                admission.release();
            }
        }

        /** At the deadline: a call still queued is answered now and never runs. */
        void expire() {
            if (drop(expired())) {
                busy.increment();
            }
        }

        /** At the deadline plus slack: the code ignored its interrupt; answer without it. */
        void abandon() {
            result.completeExceptionally(new PandoException(ErrorCode.TIMEOUT, "plugin '" + pluginId + "' did not answer " + op
                    + " within " + timeoutMs + " ms (its code is still running and keeps its instance)"));
        }

        /** Answers a call that has not started with {@code why}; it will not run. False if it had started. */
        boolean drop(PandoException why) {
            if (!state.compareAndSet(QUEUED, DONE)) {
                return false;
            }
            threads.remove(this);
            cancel();
            admission.release();
            result.completeExceptionally(why);
            return true;
        }

        private PandoException expired() {
            return new PandoException(ErrorCode.UNAVAILABLE, "plugin '" + pluginId + "' is busy: all " + instances
                    + " instances stayed in use for " + timeoutMs + " ms");
        }

        private void cancel() {
            Deadlines.Timeout e = expiry;
            if (e != null) {
                e.cancel();
            }
            Deadlines.Timeout a = abandon;
            if (a != null) {
                a.cancel();
            }
        }
    }
}
