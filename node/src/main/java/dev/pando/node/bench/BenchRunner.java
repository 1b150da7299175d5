package dev.pando.node.bench;

import dev.pando.client.Endpoints;
import dev.pando.client.PandoConnectionException;
import dev.pando.node.transport.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
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
    /** Epoll where it loads, like the node: the generator should not be the slower side. */
    private static final NettyTransport IO = NettyTransport.choose(true);
    private static final int MAX_MESSAGE = 1 << 20;
    private static final long CONNECT_TIMEOUT_MS = 15_000;

    private final BenchConfig config;
    private final URI base;

    private BenchRunner(BenchConfig config) {
        this.config = config;
        this.base = Endpoints.httpBase(config.url());
        if (!base.getScheme().equals("http")) {
            throw new IllegalArgumentException("bench speaks plain http:// / ws:// only (got " + config.url() + ")");
        }
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
        EventLoopGroup group = IO.group(threads, "pando-bench");
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
        int port = base.getPort() < 0 ? 80 : base.getPort();
        for (int i = 0; i < config.connections(); i++) {
            LoadConnection conn = config.transport() == Transport.ws ? new WsLoadConnection(config) : new HttpLoadConnection(config, base);
            Bootstrap bootstrap = new Bootstrap().group(group).channel(IO.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT_MS)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_MESSAGE));
                            if (config.transport() == Transport.ws) {
                                ch.pipeline().addLast(new WebSocketClientProtocolHandler(wsConfig()),
                                        new WebSocketFrameAggregator(MAX_MESSAGE));
                            }
                            ch.pipeline().addLast(conn);
                        }
                    });
            ChannelFuture f = bootstrap.connect(base.getHost().replaceAll("^\\[|]$", ""), port);
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    conn.ready.completeExceptionally(done.cause());
                }
            });
            connections.add(conn);
            channels.add(f.channel());
        }
        try {
            CompletableFuture.allOf(connections.stream().map(c -> c.ready).toArray(CompletableFuture[]::new))
                    .get(CONNECT_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw PandoConnectionException.unreachable(base, e.getCause());
        } catch (TimeoutException e) {
            throw new PandoConnectionException("cannot reach node at " + base + ": bench connections not ready after "
                    + (CONNECT_TIMEOUT_MS + 5_000) / 1000 + " s", e);
        }
    }

    private WebSocketClientProtocolConfig wsConfig() {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (config.token() != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + config.token());
        }
        return WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(Endpoints.webSocketUri(base, config.token()))
                .customHeaders(headers)
                .generateOriginHeader(false) // not a browser: Origin would mark it as a web page
                .maxFramePayloadLength(MAX_MESSAGE)
                .handshakeTimeoutMillis(CONNECT_TIMEOUT_MS)
                .build();
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
