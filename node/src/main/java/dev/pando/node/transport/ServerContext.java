package dev.pando.node.transport;

import dev.pando.node.auth.AuthMode;
import dev.pando.node.auth.Authenticator;
import dev.pando.node.dispatch.Dispatcher;
import dev.pando.node.events.EventBus;
import dev.pando.node.metrics.Metrics;
import dev.pando.node.session.RequestPath;
import dev.pando.node.session.Sessions;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of one {@link PandoServer} shares: the collaborators, the limits, the
 * request path (with the in-flight count the shutdown drain waits on), the sessions' shared
 * state and wire codec, and the open-session count.
 */
final class ServerContext {
    static final String HTTP_REQUESTS = "pando_http_requests_total";
    static final String READ_TIMEOUTS = "pando_request_read_timeouts_total";

    private static final long FORCE_CLOSE_MS = 1_000;

    final TransportSettings settings;
    final Authenticator authenticator;
    final EventBus eventBus;
    final Metrics metrics;
    final ConnectionLimiter connections;
    final HostGuard hosts;
    final RequestPath requests;
    final Sessions sessions;
    final JsonFrameCodec frameCodec;
    private final WebSocketServerProtocolConfig webSocketConfig;

    final AtomicInteger wsSessions = new AtomicInteger();

    ServerContext(TransportSettings settings, Dispatcher dispatcher, Authenticator authenticator,
            EventBus eventBus, Metrics metrics) {
        this.settings = settings;
        this.authenticator = authenticator;
        this.eventBus = eventBus;
        this.metrics = metrics;
        this.connections = new ConnectionLimiter(settings.maxConnections(), settings.maxConnectionsPerAddress(), metrics);
        this.hosts = HostGuard.of(settings.bind(), settings.allowedHosts(), authenticator.mode() == AuthMode.OPEN);
        this.requests = new RequestPath(dispatcher);
        this.sessions = new Sessions(requests, eventBus, metrics, authenticator, settings.subscriptionsPerSession(), settings.subscriberQueue());
        this.frameCodec = new JsonFrameCodec(settings.maxJsonDepth());
        this.webSocketConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(HttpRoutes.WS_PATH)
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

    /** Set when {@link PandoServer#close()} begins: new requests are refused with UNAVAILABLE. */
    boolean draining() {
        return requests.draining();
    }

    void countHttp(String route, int status) {
        metrics.inc(HTTP_REQUESTS, "HTTP requests by route and status", "route", route, "status", Integer.toString(status));
    }
}
