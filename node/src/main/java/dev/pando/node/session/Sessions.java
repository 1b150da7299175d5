package dev.pando.node.session;

import dev.pando.node.auth.Principal;
import dev.pando.node.events.EventBus;
import dev.pando.node.metrics.Metrics;
import io.netty.channel.Channel;
import java.util.Objects;

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

    /**
     * @param subscriptionLimit subscriptions one session may hold at once
     * @param queueLimit        pushes queued per session before it is cut off as a slow consumer
     */
    public Sessions(RequestPath requests, EventBus eventBus, Metrics metrics, int subscriptionLimit, int queueLimit) {
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
    public ClientSession open(String id, Principal principal, Channel channel, WireCodec codec) {
        return new ClientSession(this, id, principal, channel, codec);
    }
}
