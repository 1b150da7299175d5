package dev.pando.node.transport;

import dev.pando.api.json.JsonRules;
import dev.pando.node.config.NodeConfig;

/**
 * The transport's share of the node configuration: where to listen and the limits it enforces.
 * Timeouts of 0 disable that guard; {@code maxConnections} 0 means unlimited.
 *
 * @param bind                    address to listen on
 * @param port                    TCP port; 0 picks a free one (see {@link PandoServer#port()})
 * @param maxBodyBytes            largest HTTP request body; larger ones get 413 {@code TOO_LARGE}
 * @param maxFrameBytes           largest WebSocket message; larger ones close the session with 1009
 * @param maxConnections          open connections accepted at once; more are closed at once
 * @param subscriptionsPerSession subscriptions one WebSocket session may hold
 * @param subscriberQueue         pushed frames queued per session before it is cut off as a slow consumer
 * @param requestReadTimeoutMs    a request whose first byte arrived must be complete within this
 * @param idleTimeoutMs           connections without traffic for this long are closed
 * @param shutdownDrainMs         on close, how long in-flight requests may take to finish
 * @param ioThreads               event-loop threads; 0 = Netty's default (2 × cores)
 * @param maxJsonDepth            deepest nesting of a value in request JSON ({@code limits.max-json-depth})
 */
public record TransportSettings(
        String bind,
        int port,
        int maxBodyBytes,
        int maxFrameBytes,
        int maxConnections,
        int subscriptionsPerSession,
        int subscriberQueue,
        long requestReadTimeoutMs,
        long idleTimeoutMs,
        long shutdownDrainMs,
        int ioThreads,
        int maxJsonDepth) {

    public TransportSettings {
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("bind address must not be empty");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (maxBodyBytes < 0 || maxFrameBytes <= 0 || maxConnections < 0 || subscriptionsPerSession < 0
                || subscriberQueue < 0 || requestReadTimeoutMs < 0 || idleTimeoutMs < 0 || shutdownDrainMs < 0 || ioThreads < 0) {
            throw new IllegalArgumentException("transport limits must not be negative (max frame bytes must be positive)");
        }
        JsonRules.requireDepthLimit(maxJsonDepth);
    }

    /** As the canonical constructor with the default JSON depth limit. */
    public TransportSettings(String bind, int port, int maxBodyBytes, int maxFrameBytes, int maxConnections,
            int subscriptionsPerSession, int subscriberQueue, long requestReadTimeoutMs, long idleTimeoutMs,
            long shutdownDrainMs, int ioThreads) {
        this(bind, port, maxBodyBytes, maxFrameBytes, maxConnections, subscriptionsPerSession, subscriberQueue,
                requestReadTimeoutMs, idleTimeoutMs, shutdownDrainMs, ioThreads, JsonRules.DEFAULT_MAX_DEPTH);
    }

    /** Reads the transport keys ({@code bind}, {@code port}, {@code limits.*}, {@code shutdown.drain-ms}, {@code transport.*}). */
    public static TransportSettings from(NodeConfig config) {
        return new TransportSettings(
                config.get(NodeConfig.BIND),
                config.get(NodeConfig.PORT),
                config.get(NodeConfig.MAX_BODY_BYTES),
                config.get(NodeConfig.MAX_FRAME_BYTES),
                config.get(NodeConfig.MAX_CONNECTIONS),
                config.get(NodeConfig.SUBSCRIPTIONS_PER_SESSION),
                config.get(NodeConfig.SUBSCRIBER_QUEUE),
                config.get(NodeConfig.REQUEST_READ_TIMEOUT_MS),
                config.get(NodeConfig.IDLE_TIMEOUT_MS),
                config.get(NodeConfig.SHUTDOWN_DRAIN_MS),
                config.get(NodeConfig.IO_THREADS),
                config.get(NodeConfig.MAX_JSON_DEPTH));
    }
}
