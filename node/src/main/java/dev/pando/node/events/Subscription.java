package dev.pando.node.events;

import dev.pando.api.path.PathPattern;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A subscriber's interest in changes and/or events matching a pattern. Closing it stops
 * deliveries; one already handed to the subscriber may still arrive.
 */
public final class Subscription implements AutoCloseable {
    private final String id;
    private final PathPattern pattern;
    private final boolean changes;
    private final boolean events;
    private final Subscriber subscriber;
    private final EventBus bus;
    private final AtomicBoolean closed = new AtomicBoolean();

    Subscription(String id, PathPattern pattern, boolean changes, boolean events, Subscriber subscriber, EventBus bus) {
        this.id = id;
        this.pattern = pattern;
        this.changes = changes;
        this.events = events;
        this.subscriber = subscriber;
        this.bus = bus;
    }

    public String id() {
        return id;
    }

    public PathPattern pattern() {
        return pattern;
    }

    public boolean wantsChanges() {
        return changes;
    }

    public boolean wantsEvents() {
        return events;
    }

    public Subscriber subscriber() {
        return subscriber;
    }

    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        closeIfOpen();
    }

    /** Closes the subscription; true only for the one call that actually closed it. */
    boolean closeIfOpen() {
        if (closed.compareAndSet(false, true)) {
            bus.remove(this);
            return true;
        }
        return false;
    }
}
