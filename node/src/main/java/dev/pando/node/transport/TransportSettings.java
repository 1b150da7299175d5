package dev.pando.node.transport;

import dev.pando.api.json.JsonRules;
import dev.pando.node.config.NodeConfig;
import java.util.Arrays;
import java.util.List;

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
 * @param requestReadTimeoutMs    a request must be complete within this, counted from accept for the
 *                                first one and from its first byte for later ones
 * @param idleTimeoutMs           connections without traffic for this long are closed
 * @param shutdownDrainMs         on close, how long in-flight requests may take to finish
 * @param ioThreads               event-loop threads; 0 = Netty's default (2 × cores)
 * @param maxConnectionsPerAddress open connections accepted at once from one remote IP address; 0 = unlimited
 * @param allowedHosts            Host header names accepted besides the loopback names and the bind
 *                                address ({@code *} accepts any); see {@link HostGuard}
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
        int maxConnectionsPerAddress,
        List<String> allowedHosts,
        int maxJsonDepth,
        boolean nativeTransport) {

    public TransportSettings {
        allowedHosts = List.copyOf(allowedHosts);
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("bind address must not be empty");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (maxBodyBytes < 0 || maxFrameBytes <= 0 || maxConnections < 0 || subscriptionsPerSession < 0
                || subscriberQueue < 0 || requestReadTimeoutMs < 0 || idleTimeoutMs < 0 || shutdownDrainMs < 0 || ioThreads < 0
                || maxConnectionsPerAddress < 0) {
            throw new IllegalArgumentException("transport limits must not be negative (max frame bytes must be positive)");
        }
        JsonRules.requireDepthLimit(maxJsonDepth);
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
                config.get(NodeConfig.MAX_CONNECTIONS_PER_ADDRESS),
                splitList(config.get(NodeConfig.ALLOWED_HOSTS)),
                config.get(NodeConfig.MAX_JSON_DEPTH),
                config.get(NodeConfig.NATIVE_TRANSPORT));
    }

    private static List<String> splitList(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
