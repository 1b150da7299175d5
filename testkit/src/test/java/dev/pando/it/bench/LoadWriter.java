package dev.pando.it.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.client.PandoWebSocket;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes {@code prefix<i>} for i = 0, 1, ... over one WebSocket with {@code kv.set}, each value
 * {@code {t: System.nanoTime() at send, i}}: either paced at a steady rate (calls sent on schedule
 * without waiting for answers) or as fast as a window of pipelined calls allows. Runs on its own
 * thread until {@link #stop()}, a deadline or {@code max} writes.
 */
final class LoadWriter {
    private final PandoWebSocket ws;
    private final String prefix;
    private final int max;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger acked = new AtomicInteger();
    private final AtomicInteger lastAcked = new AtomicInteger(-1);
    private final AtomicInteger errors = new AtomicInteger();
    private final AtomicLong firstError = new AtomicLong();
    private volatile boolean stopped;
    private volatile long startNanos;
    private volatile long endNanos;
    private Thread thread;

    LoadWriter(PandoWebSocket ws, String prefix, int max) {
        this.ws = ws;
        this.prefix = prefix;
        this.max = max;
    }

    /** Sends one write every {@code 1/rate} s, on schedule (a late send is not made up for by bunching more than the schedule asks). */
    LoadWriter steady(int rate, double seconds) {
        long interval = 1_000_000_000L / rate;
        return start(() -> {
            long deadline = startNanos + (long) (seconds * 1e9);
            for (int i = 0; i < max && !stopped; i++) {
                long due = startNanos + i * interval;
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now);
                }
                if (now >= deadline) {
                    break;
                }
                send(i);
            }
        });
    }

    /** Keeps {@code window} calls in flight for {@code seconds}. */
    LoadWriter saturating(int window, double seconds) {
        Semaphore slots = new Semaphore(window);
        return start(() -> {
            long deadline = startNanos + (long) (seconds * 1e9);
            for (int i = 0; i < max && !stopped && System.nanoTime() < deadline; i++) {
                slots.acquireUninterruptibly();
                send(i).whenComplete((r, e) -> slots.release());
            }
        });
    }

    private LoadWriter start(Runnable loop) {
        thread = new Thread(() -> {
            loop.run();
            endNanos = System.nanoTime();
        }, "bench-writer");
        startNanos = System.nanoTime();
        thread.start();
        return this;
    }

    private java.util.concurrent.CompletableFuture<?> send(int i) {
        ObjectNode args = JsonNodeFactory.instance.objectNode().put("key", prefix + i);
        args.putObject("value").put("t", System.nanoTime()).put("i", i);
        sent.incrementAndGet();
        return ws.call("kv.set", args).whenComplete((r, e) -> {
            if (e == null) {
                acked.incrementAndGet();
                lastAcked.accumulateAndGet(i, Math::max);
            } else if (errors.getAndIncrement() == 0) {
                firstError.set(System.nanoTime());
                System.err.println("write " + prefix + i + " failed: " + e);
            }
        });
    }

    void stop() {
        stopped = true;
    }

    /** Waits for the loop to end and for every answer (at most the client's request timeout). */
    LoadWriter join() throws InterruptedException {
        thread.join();
        long bound = System.nanoTime() + 60_000_000_000L;
        while (acked.get() + errors.get() < sent.get() && System.nanoTime() < bound) {
            Thread.sleep(5);
        }
        return this;
    }

    int sent() {
        return sent.get();
    }

    int acked() {
        return acked.get();
    }

    int errors() {
        return errors.get();
    }

    /** The highest index whose write was acknowledged so far, -1 if none. */
    int lastAcked() {
        return lastAcked.get();
    }

    long startNanos() {
        return startNanos;
    }

    long endNanos() {
        return endNanos;
    }

    String key(int i) {
        return prefix + i;
    }
}
