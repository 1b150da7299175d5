package dev.pando.node.session;

import dev.pando.api.path.PathPattern;
import dev.pando.node.dispatch.Response;
import dev.pando.node.dispatch.Session;
import dev.pando.node.events.Subscription;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.ArrayList;
import java.util.List;

/**
 * One request of a {@link ClientSession} in flight. Its handler sees the session through it, so
 * the subscriptions it creates are held until its response is written; the request path answers
 * through it; and it learns when the response was written. One object per request on purpose.
 */
final class InFlightCall implements Session, RequestPath.Reply, ChannelFutureListener {
    private final ClientSession session;
    /** Guarded by this. */
    private List<PushQueue.Delivery> created;
    private boolean responded;
    /** Set once by {@link #send}, before the call is queued in the outbox (which publishes them). */
    private Response response;
    private Runnable written;

    InFlightCall(ClientSession session) {
        this.session = session;
    }

    /** The response went out: the request path's in-flight count drops. */
    @Override
    public void operationComplete(ChannelFuture future) {
        written.run();
    }

    /** Holds {@code d} until the response; false if the response was already written. */
    synchronized boolean hold(PushQueue.Delivery d) {
        if (responded) {
            return false;
        }
        if (created == null) {
            created = new ArrayList<>(2);
        }
        created.add(d);
        return true;
    }

    /** The response cannot be written (the event loop is gone). */
    void drop() {
        written.run();
    }

    /**
     * Writes the response (dropped if the client left) on the event loop; returns the
     * subscriptions the request created, to be released now that it is written.
     */
    List<PushQueue.Delivery> writeTo(Channel channel, WireCodec codec) {
        List<PushQueue.Delivery> out;
        synchronized (this) {
            responded = true;
            out = created == null ? List.of() : created;
            created = null;
        }
        if (channel.isActive()) {
            channel.write(codec.response(channel.alloc(), response)).addListener(this); // the Outbox flushes
        } else {
            written.run(); // the client left; nothing to write it to
        }
        return out;
    }

    @Override
    public String id() {
        return session.id();
    }

    @Override
    public void send(Response response, Runnable written) {
        this.response = response;
        this.written = written;
        session.outbox().answer(this);
    }

    @Override
    public String toString() {
        return session.toString();
    }

    @Override
    public Subscription subscribe(PathPattern pattern, boolean changes, boolean events) {
        Subscription s = session.register(pattern, changes, events);
        PushQueue.Delivery delivery = session.outbox().delivery(s);
        if (!hold(delivery)) {
            session.outbox().releaseSoon(delivery);
        }
        return s;
    }

    @Override
    public boolean unsubscribe(String subscriptionId) {
        return session.unsubscribe(subscriptionId);
    }
}
