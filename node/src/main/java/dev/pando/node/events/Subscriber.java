package dev.pando.node.events;

import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;

/**
 * Receives what its subscriptions match. Calls come from the store's ack thread or a publisher's
 * thread, so both methods must be quick and must not block: a subscriber keeps its own bounded
 * queue and returns false when it is full. The bus then cancels every subscription of that
 * subscriber and calls {@link #overflowed} once.
 */
public interface Subscriber {
    /** A committed change {@code subscription} matches; the same {@link Fanout} goes to every matching subscriber. */
    boolean offerChange(Subscription subscription, Fanout<KvChange> change);

    /** A published event {@code subscription} matches. */
    boolean offerEvent(Subscription subscription, Fanout<TopicEvent> event);

    /** The subscriber fell behind and has been unsubscribed from everything. */
    void overflowed();
}
