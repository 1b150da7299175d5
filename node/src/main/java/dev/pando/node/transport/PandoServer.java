package dev.pando.node.transport;

import dev.pando.node.auth.Authenticator;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.dispatch.Dispatcher;
import dev.pando.node.events.EventBus;
import dev.pando.node.metrics.Metrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's network front: HTTP and WebSocket on one port (Netty, NIO).
 *
 * <p>Every connection is counted against {@code limits.max-connections} and, per remote address,
 * {@code limits.max-connections-per-address}; it must deliver its first request completely
 * within {@code limits.request-read-timeout-ms} of being accepted, and each later one within
 * that time of its first byte; it is closed after {@code limits.idle-timeout-ms} without
 * traffic; requests must name the node in {@code Host} ({@link HostGuard}); bodies are limited to
 * {@code limits.max-body-bytes} and WebSocket messages to {@code limits.max-frame-bytes}.
 * Requests go to the {@link Dispatcher}; the event loops never run handler code or wait.
 *
 * <p>Usage: construct, {@link #start()}, and {@link #close()} to stop gracefully.
 */
public final class PandoServer implements AutoCloseable {
    /** Most writes held back before a flush is forced even while more are coming. */
    static final int FLUSH_CONSOLIDATION_LIMIT = 256;
    /** Pipeline names of the handlers a WebSocket upgrade swaps (see {@link WebSocketSession#adapt}). */
    static final String FLUSH_HANDLER = "flush";
    static final String IDLE_HANDLER = "idle";

    private static final Logger log = LoggerFactory.getLogger(PandoServer.class);

    /** Write buffer bounds: above the high mark a channel is unwritable (reads pause, pushes wait). */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 256 * 1024);
    private static final long CLOSE_CHANNELS_WAIT_MS = 2_000;
    private static final long EVENT_LOOP_QUIET_MS = 0;
    private static final long EVENT_LOOP_WAIT_MS = 5_000;

    private final TransportSettings settings;
    private final ServerContext server;
    private final ChannelGroup channels = new DefaultChannelGroup("pando-connections", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private volatile InetSocketAddress address;
    private boolean closed;

    /**
     * @param settings      where to listen and the limits to enforce
     * @param dispatcher    runs the requests
     * @param authenticator maps bearer tokens to principals
     * @param eventBus      source of the WebSocket sessions' pushes
     * @param metrics       where connection, session and HTTP metrics go ({@code GET /metrics} renders it)
     */
    public PandoServer(TransportSettings settings, Dispatcher dispatcher, Authenticator authenticator,
            EventBus eventBus, Metrics metrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.server = new ServerContext(settings, Objects.requireNonNull(dispatcher, "dispatcher"),
                Objects.requireNonNull(authenticator, "authenticator"), Objects.requireNonNull(eventBus, "eventBus"),
                Objects.requireNonNull(metrics, "metrics"));
    }

    /** Same, with the settings read from {@code config} ({@link TransportSettings#from}). */
    public PandoServer(NodeConfig config, Dispatcher dispatcher, Authenticator authenticator,
            EventBus eventBus, Metrics metrics) {
        this(TransportSettings.from(config), dispatcher, authenticator, eventBus, metrics);
    }

    /**
     * Binds and returns once the port is listening.
     *
     * @throws IllegalStateException if already started or closed, or if the address cannot be bound
     */
    public synchronized void start() {
        if (serverChannel != null || closed) {
            throw new IllegalStateException("server already started" + (closed ? " and closed" : ""));
        }
        registerMetrics();
        NettyTransport io = NettyTransport.choose(settings.nativeTransport());
        boss = io.group(1, "pando-accept");
        workers = io.group(settings.ioThreads(), "pando-io");
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(io.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initConnection(ch);
                    }
                });
        ChannelFuture bound = bootstrap.bind(settings.bind(), settings.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutdownEventLoops();
            Throwable cause = bound.cause();
            if (!(cause instanceof BindException) && String.valueOf(cause.getMessage()).contains("Address already in use")) {
                // Epoll reports EADDRINUSE as its own IOException; callers look for a BindException, as NIO throws.
                cause = new BindException("Address already in use");
                cause.initCause(bound.cause());
            }
            throw new IllegalStateException("cannot listen on " + settings.bind() + ":" + settings.port()
                    + ": " + cause.getMessage(), cause);
        }
        serverChannel = bound.channel();
        address = (InetSocketAddress) serverChannel.localAddress();
        log.info("listening on http://{}:{} ({} transport)", address.getHostString(), address.getPort(), io.wireName());
    }

    /** The port actually bound (useful when configured with port 0). */
    public int port() {
        return address().getPort();
    }

    /** The address actually bound. */
    public InetSocketAddress address() {
        InetSocketAddress a = address;
        if (a == null) {
            throw new IllegalStateException("server not started");
        }
        return a;
    }

    /** Connections currently open (admitted ones; refused ones are not counted). */
    public int openConnections() {
        return server.connections.open();
    }

    /** Requests dispatched whose response has not been written yet. */
    public int inFlightRequests() {
        return server.requests.inFlight();
    }

    /**
     * Stops gracefully: closes the listening socket, refuses new requests on open connections
     * ({@code UNAVAILABLE}), waits up to {@code shutdown.drain-ms} for in-flight requests to be
     * answered, then closes every connection (WebSocket sessions with 1001) and stops the event
     * loops. Idempotent; must not be called from an event-loop thread.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel == null) {
            shutdownEventLoops();
            return;
        }
        server.requests.startDraining();
        serverChannel.close().awaitUninterruptibly();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.shutdownDrainMs());
        while (server.requests.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (server.requests.inFlight() > 0) {
            log.warn("{} request(s) still running after the {} ms drain; closing their connections",
                    server.requests.inFlight(), settings.shutdownDrainMs());
        }
        for (Channel ch : channels) {
            WebSocketSession session = ch.pipeline().get(WebSocketSession.class);
            if (session != null) {
                session.goingAway();
            } else {
                ch.close();
            }
        }
        if (!channels.newCloseFuture().awaitUninterruptibly(CLOSE_CHANNELS_WAIT_MS)) {
            channels.close().awaitUninterruptibly(CLOSE_CHANNELS_WAIT_MS); // WebSocket peers that did not take the close frame
        }
        shutdownEventLoops();
        log.info("stopped listening on {}", address);
    }

    private void initConnection(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        Optional<ConnectionLimiter.Refusal> refusal = server.connections.tryAdmit(ch);
        if (refusal.isPresent()) {
            p.addLast("reject", ConnectionLimiter.rejecter(refusal.get()));
            return;
        }
        channels.add(ch);
        // HTTP responses to pipelined requests complete on the store's threads in bursts;
        // consolidating their flushes (also outside reads) turns one write syscall per response
        // into one per burst. A WebSocket's outbox flushes per burst itself (WebSocketSession.adapt).
        p.addLast(FLUSH_HANDLER, new FlushConsolidationHandler(FLUSH_CONSOLIDATION_LIMIT, true));
        long idle = settings.idleTimeoutMs();
        if (idle > 0) {
            // Idleness is the client's silence: reads only. A handler that also watched writes
            // would hook a listener on every write, a cost per push on a WebSocket.
            p.addLast(IDLE_HANDLER, new IdleStateHandler(idle, 0, 0, TimeUnit.MILLISECONDS));
        }
        RequestDeadlineHandler deadline = new RequestDeadlineHandler(settings.requestReadTimeoutMs(),
                () -> server.metrics.inc(ServerContext.READ_TIMEOUTS,
                        "Connections closed because a request did not arrive completely in time"));
        p.addLast("deadline-start", deadline.firstByteWatcher());
        p.addLast("http", new HttpServerCodec());
        p.addLast("deadline", deadline);
        p.addLast("aggregator", new BodyAggregator(server));
        p.addLast("router", new HttpOpsHandler(server, deadline));
    }

    private void registerMetrics() {
        Metrics m = server.metrics;
        m.gauge("pando_connections", "Open client connections", server.connections::open);
        m.gauge("pando_ws_sessions", "Open WebSocket sessions", server.wsSessions::get);
        m.gauge("pando_subscriptions", "Live subscriptions", server.eventBus::subscriptionCount);
        // Counters appear at 0 from the start rather than at their first increment.
        m.add(ConnectionLimiter.REJECTED, ConnectionLimiter.REJECTED_HELP, 0);
        m.add(ConnectionLimiter.REJECTED_PER_ADDRESS, ConnectionLimiter.REJECTED_PER_ADDRESS_HELP, 0);
        server.sessions.registerMetrics();
        m.add(ServerContext.READ_TIMEOUTS, "Connections closed because a request did not arrive completely in time", 0);
    }

    private void shutdownEventLoops() {
        if (boss != null) {
            boss.shutdownGracefully(EVENT_LOOP_QUIET_MS, EVENT_LOOP_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(EVENT_LOOP_QUIET_MS, EVENT_LOOP_WAIT_MS, TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(EVENT_LOOP_WAIT_MS);
        }
        if (boss != null) {
            boss.terminationFuture().awaitUninterruptibly(EVENT_LOOP_WAIT_MS);
        }
    }
}
