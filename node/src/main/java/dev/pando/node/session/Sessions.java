package dev.pando.node.session;

import dev.pando.node.auth.Authenticator;
import dev.pando.node.auth.Principal;
import dev.pando.node.events.EventBus;
import dev.pando.node.metrics.Metrics;
import io.netty.channel.Channel;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every session of one server shares: the request path, the event bus its subscriptions
 * live on, metrics, and the per-session limits ({@code limits.subscriptions-per-session},
 * {@code limits.subscriber-queue}). Transports open their sessions here.
 */
public final class Sessions {
    /** Counter of sessions cut off for falling behind on pushes. */
    public static final String SLOW_CONSUMERS = "pando_slow_consumers_total";
    static final String SLOW_CONSUMERS_HELP = "WebSocket sessions cut off for falling behind on pushes";

    final RequestPath requests;
    final EventBus eventBus;
    final Metrics metrics;
    final int subscriptionLimit;
    final int queueLimit;
    final Authenticator authenticator;
    private final Set<ClientSession> open = ConcurrentHashMap.newKeySet();

    /**
     * @param subscriptionLimit subscriptions one session may hold at once
     * @param queueLimit        pushes queued per session before it is cut off as a slow consumer
     */
    public Sessions(RequestPath requests, EventBus eventBus, Metrics metrics, Authenticator authenticator, int subscriptionLimit,
                    int queueLimit) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        // A revocation or suspension reaches sessions already open before the op that made it answers.
        authenticator.onInvalidation(() -> open.forEach(ClientSession::recheck));
        this.requests = Objects.requireNonNull(requests, "requests");
        this.eventBus = Objects.requireNonNull(eventBus, "eventBus");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.subscriptionLimit = subscriptionLimit;
        this.queueLimit = queueLimit;
    }

    /** Registers the session counters, so they show from the start rather than from their first increment. */
    public void registerMetrics() {
        metrics.add(SLOW_CONSUMERS, SLOW_CONSUMERS_HELP, 0);
    }

    /**
     * A session for {@code principal} on {@code channel}, speaking {@code codec}. The transport
     * feeds it what the channel reads and tells it when the channel's writability changes and
     * when it closes (all on the channel's event loop).
     */
    public ClientSession open(String id, Principal principal, Optional<String> token, String remoteAddress, Channel channel,
                              WireCodec codec) {
        ClientSession s = new ClientSession(this, id, principal, token, remoteAddress, channel, codec);
        open.add(s);
        return s;
    }

    void closed(ClientSession session) {
        open.remove(session);
    }
}
