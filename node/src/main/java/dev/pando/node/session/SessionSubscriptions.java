package dev.pando.node.session;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.node.events.Subscription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The open subscriptions of one session, by id, under its limit. Thread-safe. */
final class SessionSubscriptions {
    private final int limit;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Map<String, Subscription> byId = new LinkedHashMap<>();
    /** Written under {@link #lock}; read without it on the push path. */
    private volatile boolean closed;

    SessionSubscriptions(int limit) {
        this.limit = limit;
    }

    /**
     * Adds the subscription {@code subscribe} creates, unless the session is closed
     * ({@code UNAVAILABLE}) or at its limit ({@code TOO_LARGE}); checked and added atomically.
     */
    Subscription add(String sessionId, Supplier<Subscription> subscribe) {
        synchronized (lock) {
            if (closed) {
                throw new PandoException(ErrorCode.UNAVAILABLE, "session " + sessionId + " is closed");
            }
            byId.values().removeIf(Subscription::isClosed);
            if (byId.size() >= limit) {
                throw new PandoException(ErrorCode.TOO_LARGE, "subscription limit " + limit + " reached");
            }
            Subscription s = subscribe.get();
            byId.put(s.id(), s);
            return s;
        }
    }

    /** Takes the subscription {@code id} out of the registry (the caller closes it). */
    Optional<Subscription> remove(String id) {
        synchronized (lock) {
            return Optional.ofNullable(byId.remove(id));
        }
    }

    /** Forgets subscriptions closed elsewhere (e.g. all of them, by the bus, for a slow consumer). */
    void pruneClosed() {
        synchronized (lock) {
            byId.values().removeIf(Subscription::isClosed);
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Marks the session closed and returns its subscriptions, for the caller to close. */
    List<Subscription> closeAll() {
        synchronized (lock) {
            closed = true;
            List<Subscription> all = new ArrayList<>(byId.values());
            byId.clear();
            return all;
        }
    }
}
