package dev.pando.node.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.client.PandoConnectionException;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * Runs a memory report: reads the node's heap ({@code admin.memory}, after a full collection),
 * opens the sessions, waits until the node counts them, reads the heap again, closes them and
 * reads it a third time. Heap per session is the difference over the sessions the node gained.
 */
public final class MemoryRunner {
    /** How long the node may take to count sessions the bench has opened or closed. */
    static final long SETTLE_WAIT_MS = 30_000;
    private static final long POLL_MS = 50;

    /** Calls {@code admin.memory} with {@code {"gc": gc}} and returns its result. */
    @FunctionalInterface
    public interface MemoryProbe {
        JsonNode read(boolean gc);
    }

    private MemoryRunner() {}

    /**
     * Runs {@code config}, reading the node through {@code probe} (an admin client) and reporting
     * progress lines to {@code progress}.
     *
     * @throws PandoConnectionException if the sessions cannot be opened
     */
    public static MemoryResult run(MemoryConfig config, MemoryProbe probe, Consumer<String> progress) throws InterruptedException {
        HeapReading before = HeapReading.of(probe.read(true));
        progress.accept("before: " + MemoryResult.describe(before));
        Connector connector = new Connector(config.url(), config.token());
        EventLoopGroup loops = Connector.IO.group(Math.min(config.loops(), config.sessions()), "pando-bench-idle");
        List<SessionHandler> sessions = new ArrayList<>();
        LongAdder pushes = new LongAdder();
        DeliveryStats ignored = new DeliveryStats(pushes);
        try {
            SessionRamp.open(connector, loops, config.sessions(), config.connectRate(),
                    i -> config.subscribe() ? new SubscriberConnection("/bench/memory/" + i + "/**", loop -> ignored) : new IdleSession(),
                    sessions, "sessions", progress);
            awaitSessions(probe, n -> n >= before.sessions() + config.sessions(), "the node to count " + config.sessions() + " more sessions");
            HeapReading open = HeapReading.of(probe.read(true));
            progress.accept("with the sessions: " + MemoryResult.describe(open));
            sessions.forEach(SessionHandler::close);
            awaitSessions(probe, n -> n <= before.sessions(), "the node to drop the sessions");
            HeapReading closed = HeapReading.of(probe.read(true));
            progress.accept("after closing them: " + MemoryResult.describe(closed));
            return new MemoryResult(config, before, open, closed);
        } finally {
            sessions.forEach(SessionHandler::close);
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /** Polls the node's session count (no collection) until {@code ok}, bounded by {@link #SETTLE_WAIT_MS}. */
    private static void awaitSessions(MemoryProbe probe, LongPredicate ok, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_WAIT_MS);
        long sessions = HeapReading.of(probe.read(false)).sessions();
        while (!ok.test(sessions)) {
            if (System.nanoTime() - deadline > 0) {
                throw new PandoConnectionException("waited " + SETTLE_WAIT_MS / 1000 + " s for " + what + "; it counts " + sessions);
            }
            Thread.sleep(POLL_MS);
            sessions = HeapReading.of(probe.read(false)).sessions();
        }
    }
}
