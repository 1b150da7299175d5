package dev.pando.node.bench;

import dev.pando.client.PandoConnectionException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Runs a fan-out bench: opens the subscribers (at {@link FanoutConfig#connectRate()}, each
 * subscribed before the next phase), then the writers, writes on schedule through the warm-up
 * and the measured phase, waits for every write's answer and every delivery owed (or until none
 * came for {@link FanoutConfig#drainAfter()}), and merges what each event loop saw.
 */
public final class FanoutRunner {
    /** Lead time between scheduling the writers and their first write, so they start together. */
    private static final long START_LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long POLL_MS = 20;
    private static final long COLLECT_WAIT_S = 10;

    private final FanoutConfig config;
    private final Consumer<String> progress;
    private final LongAdder received = new LongAdder();
    private final LongAdder answers = new LongAdder();
    private final Map<EventLoop, DeliveryStats> statsByLoop = new ConcurrentHashMap<>();

    private FanoutRunner(FanoutConfig config, Consumer<String> progress) {
        this.config = config;
        this.progress = progress;
    }

    /**
     * Runs {@code config} against a live node, reporting progress lines (connecting, writing,
     * draining) to {@code progress}.
     *
     * @throws PandoConnectionException if the sessions cannot be opened
     */
    public static FanoutResult run(FanoutConfig config, Consumer<String> progress) throws InterruptedException {
        return new FanoutRunner(config, progress).run();
    }

    private FanoutResult run() throws InterruptedException {
        Connector connector = new Connector(config.url(), config.token());
        EventLoopGroup subscriberLoops = Connector.IO.group(Math.min(config.loops(), config.subscribers()), "pando-bench-sub");
        // The writers keep their own loop, so a burst of pushes does not delay a write's send time.
        EventLoopGroup writerLoop = Connector.IO.group(1, "pando-bench-write");
        List<SubscriberConnection> subscribers = new ArrayList<>();
        List<FanoutWriter> writers = new ArrayList<>();
        try {
            SessionRamp.open(connector, subscriberLoops, config.subscribers(), config.connectRate(),
                    i -> new SubscriberConnection(config.pattern(), loop -> statsByLoop.computeIfAbsent(loop, l -> new DeliveryStats(received))),
                    subscribers, "subscribers", progress);
            double perWriter = config.rate() / config.writers();
            SessionRamp.open(connector, writerLoop, config.writers(), config.connectRate(),
                    i -> new FanoutWriter(config.prefix() + "/w" + i + "/", config.keyspace(), perWriter, answers),
                    writers, "writers", progress);
            progress.accept(String.format(Locale.ROOT, "writing %s changes/s for %s s (+%s s warm-up) to %d subscribers of %s",
                    trim(config.rate()), trim(config.duration().toMillis() / 1e3), trim(config.warmup().toMillis() / 1e3),
                    config.subscribers(), config.pattern()));

            long start = System.nanoTime() + START_LEAD_NANOS;
            long warmupEnd = start + config.warmup().toNanos();
            long end = warmupEnd + config.duration().toNanos();
            for (int i = 0; i < writers.size(); i++) {
                // Staggered by a share of one interval, so W writers together keep the total rate even.
                writers.get(i).start(start + (long) (i / config.rate() * 1e9), warmupEnd, end);
            }
            long lastReport = System.nanoTime();
            while (System.nanoTime() - end < 0) {
                Thread.sleep(POLL_MS);
                if (System.nanoTime() - lastReport >= PROGRESS_NANOS) {
                    lastReport = System.nanoTime();
                    progress.accept(String.format(Locale.ROOT, "%.0f s: %d answers, %d deliveries",
                            (lastReport - start) / 1e9, answers.sum(), received.sum()));
                }
            }
            awaitQuiet(() -> writers.stream().allMatch(w -> w.finished.isDone()) ? -1 : answers.sum(), "answers");
            for (FanoutWriter w : writers) {
                onLoop(w, w::abandon);
            }
            WriteStats writes = new WriteStats();
            for (FanoutWriter w : writers) {
                onLoop(w, () -> writes.add(w.stats));
            }
            long expected = (writes.acked + writes.ackedWarmup) * config.subscribers();
            awaitQuiet(() -> received.sum() >= expected ? -1 : received.sum(), "deliveries");
            DeliveryStats deliveries = new DeliveryStats(received);
            for (Map.Entry<EventLoop, DeliveryStats> e : statsByLoop.entrySet()) {
                collect(e.getKey(), () -> deliveries.add(e.getValue()));
            }
            long measured = deliveries.measuredDeliveries == 0 ? end - warmupEnd : deliveries.lastArrival - warmupEnd;
            return new FanoutResult(config, writes, deliveries, measured);
        } finally {
            subscribers.forEach(SessionHandler::close);
            writers.forEach(SessionHandler::close);
            subscriberLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            writerLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            subscriberLoops.terminationFuture().await(10, TimeUnit.SECONDS);
            writerLoop.terminationFuture().await(10, TimeUnit.SECONDS);
        }
    }

    /** Waits while {@code count} (-1 = done) keeps moving; gives up after {@link FanoutConfig#drainAfter()} without movement. */
    private void awaitQuiet(LongSupplier count, String what) throws InterruptedException {
        long last = count.getAsLong();
        long lastMove = System.nanoTime();
        long lastReport = lastMove;
        while (last >= 0) {
            Thread.sleep(POLL_MS);
            long now = System.nanoTime();
            long c = count.getAsLong();
            if (c != last) {
                last = c;
                lastMove = now;
            } else if (now - lastMove > config.drainAfter().toNanos()) {
                progress.accept("no more " + what + " for " + config.drainAfter().toMillis() / 1e3 + " s; giving up waiting");
                return;
            }
            if (now - lastReport >= PROGRESS_NANOS && c >= 0) {
                lastReport = now;
                progress.accept("waiting for " + what + ": " + c + " so far");
            }
        }
    }

    private static void onLoop(SessionHandler h, Runnable r) throws InterruptedException {
        if (h.ctx != null) {
            collect(h.ctx.executor(), r);
        }
    }

    /** Runs {@code r} on {@code loop} and waits, so what it read there is visible here afterwards. */
    private static void collect(EventExecutor loop, Runnable r) throws InterruptedException {
        try {
            loop.submit(r).get(COLLECT_WAIT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("bench event loop did not answer: " + e, e);
        }
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
