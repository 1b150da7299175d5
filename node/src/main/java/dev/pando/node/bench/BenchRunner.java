package dev.pando.node.bench;

import dev.pando.client.PandoConnectionException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a bench: opens every connection (outside the timing), runs the warm-up, then the measured
 * phase, and merges what each connection saw. Always ends: by request count, by duration, or
 * when no answer arrives for {@link BenchConfig#stallAfter()} (then connections are dropped and
 * their in-flight requests count as {@code CONNECTION_LOST}).
 */
public final class BenchRunner {
    private final BenchConfig config;
    private final Connector connector;
    private final URI base;

    private BenchRunner(BenchConfig config) {
        this.config = config;
        this.connector = new Connector(config.url(), config.token());
        this.base = connector.base();
    }

    /**
     * Runs {@code config} against a live node.
     *
     * @throws PandoConnectionException if the connections cannot be opened
     */
    public static BenchResult run(BenchConfig config) throws InterruptedException {
        return new BenchRunner(config).run();
    }

    private BenchResult run() throws InterruptedException {
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), config.connections()));
        EventLoopGroup group = Connector.IO.group(threads, "pando-bench");
        List<LoadConnection> connections = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        try {
            connect(group, connections, channels);
            if (config.warmup() > 0) {
                runPhase(connections, new Phase(config.warmup(), 0, false, connections.size()));
            }
            long limit = config.requests() > 0 ? config.requests() : Long.MAX_VALUE;
            long durationNanos = config.duration() == null ? 0 : config.duration().toNanos();
            long start = System.nanoTime();
            Phase measured = new Phase(limit, durationNanos, true, connections.size());
            PhaseOutcome outcome = runPhase(connections, measured);
            return new BenchResult(config, outcome.stats(), outcome.end() - start, outcome.stalled());
        } finally {
            channels.forEach(Channel::close);
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private record PhaseOutcome(PhaseStats stats, long end, boolean stalled) {}

    private void connect(EventLoopGroup group, List<LoadConnection> connections, List<Channel> channels) throws InterruptedException {
        for (int i = 0; i < config.connections(); i++) {
            LoadConnection conn = config.transport() == Transport.ws ? new WsLoadConnection(config) : new HttpLoadConnection(config, base);
            ChannelFuture f = connector.open(group, config.transport() == Transport.ws, conn);
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    conn.ready.completeExceptionally(done.cause());
                }
            });
            connections.add(conn);
            channels.add(f.channel());
        }
        long wait = Connector.CONNECT_TIMEOUT_MS + 5_000;
        try {
            CompletableFuture.allOf(connections.stream().map(c -> c.ready).toArray(CompletableFuture[]::new))
                    .get(wait, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw PandoConnectionException.unreachable(base, e.getCause());
        } catch (TimeoutException e) {
            throw new PandoConnectionException("cannot reach node at " + base + ": bench connections not ready after "
                    + wait / 1000 + " s", e);
        }
    }

    private PhaseOutcome runPhase(List<LoadConnection> connections, Phase phase) throws InterruptedException {
        List<PhaseStats> perConnection = new ArrayList<>();
        for (LoadConnection c : connections) {
            PhaseStats s = new PhaseStats();
            perConnection.add(s);
            c.begin(phase, s);
        }
        long stallNanos = config.stallAfter().toNanos();
        long lastAnswered = -1;
        long lastProgress = System.nanoTime();
        boolean stalled = false;
        while (!phase.drained.await(20, TimeUnit.MILLISECONDS)) {
            long answered = phase.answered.sum();
            long now = System.nanoTime();
            if (answered != lastAnswered) {
                lastAnswered = answered;
                lastProgress = now;
            } else if (now - lastProgress > stallNanos) {
                stalled = true;
                connections.forEach(LoadConnection::abort);
                phase.drained.await(5, TimeUnit.SECONDS);
                break;
            }
        }
        long end = System.nanoTime();
        PhaseStats total = new PhaseStats();
        perConnection.forEach(total::add);
        return new PhaseOutcome(total, end, stalled);
    }
}
