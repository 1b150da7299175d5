package dev.pando.node.transport;

import dev.pando.node.auth.Authenticator;
import dev.pando.node.dispatch.Dispatcher;
import dev.pando.node.events.EventBus;
import dev.pando.node.metrics.Metrics;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of one {@link PandoServer} shares: the collaborators, the limits, and
 * the server-wide counters (in-flight requests for the shutdown drain, open sessions).
 */
final class ServerContext {
    static final String HTTP_REQUESTS = "pando_http_requests_total";
    static final String SLOW_CONSUMERS = "pando_slow_consumers_total";
    static final String READ_TIMEOUTS = "pando_request_read_timeouts_total";

    private static final long FORCE_CLOSE_MS = 1_000;

    final TransportSettings settings;
    final Dispatcher dispatcher;
    final Authenticator authenticator;
    final EventBus eventBus;
    final Metrics metrics;
    final ConnectionLimiter connections;
    final HostGuard hosts;
    private final WebSocketServerProtocolConfig webSocketConfig;

    /** Requests dispatched whose response has not yet been written (or dropped). */
    private final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger wsSessions = new AtomicInteger();
    /** Set when {@link PandoServer#close()} begins: new requests are refused with UNAVAILABLE. */
    private volatile boolean draining;

    ServerContext(TransportSettings settings, Dispatcher dispatcher, Authenticator authenticator,
            EventBus eventBus, Metrics metrics) {
        this.settings = settings;
        this.dispatcher = dispatcher;
        this.authenticator = authenticator;
        this.eventBus = eventBus;
        this.metrics = metrics;
        this.connections = new ConnectionLimiter(settings.maxConnections(), settings.maxConnectionsPerAddress(), metrics);
        this.hosts = HostGuard.of(settings.bind(), settings.allowedHosts(), authenticator.anonymousAllowed());
        this.webSocketConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(HttpOpsHandler.WS_PATH)
                .checkStartsWith(true) // the upgrade URL may carry ?token=
                .maxFramePayloadLength(settings.maxFrameBytes())
                // The session answers a violation itself: an error frame, then the close status.
                .closeOnProtocolViolation(false)
                .allowExtensions(false)
                // Bounds how long a close waits for its close frame to be written to a stuck peer.
                .forceCloseTimeoutMillis(FORCE_CLOSE_MS)
                .build();
    }

    WebSocketServerProtocolConfig webSocketConfig() {
        return webSocketConfig;
    }

    void requestStarted() {
        inFlight.incrementAndGet();
    }

    void requestDone() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }

    boolean draining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }

    void countHttp(String route, int status) {
        metrics.inc(HTTP_REQUESTS, "HTTP requests by route and status", "route", route, "status", Integer.toString(status));
    }
}
