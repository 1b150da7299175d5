package dev.pando.node.dispatch;

import dev.pando.api.path.PathPattern;
import dev.pando.node.events.Subscription;

/**
 * A long-lived client connection that receives pushes (a WebSocket); HTTP calls have none.
 * Implemented by {@link dev.pando.node.session.ClientSession} (each request sees its own view of
 * it); the {@code pubsub.*} ops reach subscriptions through it.
 */
public interface Session {
    /** Stable id, for logs and metrics. */
    String id();

    /**
     * Creates a subscription delivering to this session. Its pushes are queued but not written
     * until the response to the request that created it has been written, so a client always
     * learns the subscription id before the first push. Throws {@code TOO_LARGE} when the
     * session already holds its limit of subscriptions.
     */
    Subscription subscribe(PathPattern pattern, boolean changes, boolean events);

    /** Closes the session's subscription {@code subscriptionId}; false if it has none by that id. */
    boolean unsubscribe(String subscriptionId);
}
