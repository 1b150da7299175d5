package dev.pando.node.session;

import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.Request;
import dev.pando.node.dispatch.Response;
import dev.pando.node.dispatch.Session;
import dev.pando.node.events.Fanout;
import dev.pando.node.events.Subscriber;
import dev.pando.node.events.Subscription;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's long-lived session, whatever its wire format: who it is, its subscriptions, the
 * pushes queued for them, and the requests it has in flight. The {@link WireCodec} turns
 * messages into requests and answers into messages; the session never looks inside one. What it
 * writes, and in which order, is its {@link Outbox}'s business.
 *
 * <p>Requests run concurrently through the {@link RequestPath}; responses go out as they
 * complete, matched by id. Requests are only dispatched while the channel is writable and fewer
 * than {@link #MAX_IN_FLIGHT} are unanswered; otherwise messages already read wait and reading
 * pauses, so a client that never reads responses cannot make the node buffer without bound.
 *
 * <p>Pushes arrive on the store's ack thread or a publisher's thread and go into one bounded
 * {@link PushQueue}, drained only while the channel is writable. A full queue makes the offer
 * fail, the bus cuts the session off, and the client gets a {@code SLOW_CONSUMER} session error;
 * the session stays open.
 *
 * <p>A subscription's pushes are held until the response of the request that created it has
 * been written, so the client always learns the subscription id first. Handlers see the session
 * through a per-request view ({@link InFlightCall}), which is how it knows which request a
 * subscription belongs to.
 *
 * <p>Threads: {@link #received}, {@link #writabilityChanged} and {@link #closed} are called on the
 * channel's event loop; the {@link Session} and {@link Subscriber} methods on any thread.
 */
public final class ClientSession implements Session, Subscriber {
    /** Requests one session may have dispatched and unanswered; later messages wait (and reading pauses). */
    public static final int MAX_IN_FLIGHT = 256;
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final Sessions shared;
    private final String id;
    /** Who the session is now: refreshed from {@link #token} before every request. */
    private volatile Principal principal;
    /** The token the session opened with; a tokenless (anonymous) session is never re-checked. */
    private final Optional<String> token;
    private final String remoteAddress;
    private final Channel channel;
    private final WireCodec codec;
    private final SessionSubscriptions subscriptions;
    private final Outbox outbox;
    /** Messages read but not yet handled because the session was at capacity (event loop only). */
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    /** This session's dispatched requests whose response is not written yet (event loop only). */
    private int inFlight;
    private boolean resuming;

    ClientSession(Sessions shared, String id, Principal principal, Optional<String> token, String remoteAddress,
                  Channel channel, WireCodec codec) {
        this.shared = shared;
        this.id = id;
        this.principal = principal;
        this.token = token;
        this.remoteAddress = remoteAddress;
        this.subscriptions = new SessionSubscriptions(shared.subscriptionLimit);
        this.channel = channel;
        this.codec = codec;
        this.outbox = new Outbox(this, codec, shared.queueLimit);
    }

    @Override
    public String id() {
        return id;
    }

    public Principal principal() {
        return principal;
    }

    Channel channel() {
        return channel;
    }

    Outbox outbox() {
        return outbox;
    }

    @Override
    public String toString() {
        return "session " + id + " (" + principal.name() + "@" + channel.remoteAddress() + ")";
    }

    // ---- inbound (event loop) ----

    /** A message read from the channel: handled now, or parked while the session is at capacity. Takes ownership of it. */
    public void received(Object message) {
        if (!backlog.isEmpty() || !canDispatch()) {
            // One read can bring thousands of small requests; parked here, they cost their
            // message bytes, not their (maybe much larger) responses.
            backlog.add(message);
            channel.config().setAutoRead(false);
            return;
        }
        handle(message);
    }

    private void handle(Object message) {
        try {
            WireCodec.Decoded decoded = codec.decode(message);
            if (decoded instanceof WireCodec.Call c) {
                call(c.request());
            } else if (decoded instanceof WireCodec.Refused r) {
                outbox.writeRefusal(r.failure());
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private void call(Request request) {
        try {
            refreshPrincipal();
        } catch (PandoException e) {
            outbox.writeRefusal(Response.error(request.id(), e.code(), e.getMessage()));
            endIfUnauthorized(e);
            return;
        }
        InFlightCall call = new InFlightCall(this);
        inFlight++;
        shared.requests.run(request, new CallContext(principal, request.id(), call), call);
    }

    /** The outbox wrote (or dropped) a response: room for one more request (event loop). */
    void responseWritten() {
        inFlight--;
        resume();
    }

    /** Requests may be dispatched: responses can be written and the session is under its in-flight cap. */
    private boolean canDispatch() {
        return channel.isWritable() && inFlight < MAX_IN_FLIGHT;
    }

    /** Handles parked messages while possible, then reads again if nothing is left waiting (event loop). */
    private void resume() {
        if (resuming) {
            return; // an inline op answered from inside the loop below; the loop carries on
        }
        resuming = true;
        try {
            while (!backlog.isEmpty() && canDispatch() && channel.isActive()) {
                handle(backlog.poll());
            }
        } finally {
            resuming = false;
        }
        channel.config().setAutoRead(backlog.isEmpty() && canDispatch());
    }

    /** The channel's writability changed (event loop). */
    public void writabilityChanged() {
        // Stop reading (and dispatching) while responses cannot be written: a client that never
        // reads must not make the node queue up answers for it.
        if (channel.isWritable()) {
            resume();
            outbox.writable();
        } else {
            channel.config().setAutoRead(false);
        }
    }

    /**
     * Checks the session's token again (any thread, after an invalidation): the session takes on
     * the rights it stands for now, or is {@linkplain #cutOff cut off} if it stands for nobody.
     */
    void recheck() {
        try {
            refreshPrincipal();
        } catch (PandoException e) {
            endIfUnauthorized(e);
        }
    }

    private void refreshPrincipal() {
        if (token.isPresent()) {
            principal = shared.authenticator.recheck(token, remoteAddress);
        }
    }

    private void endIfUnauthorized(PandoException e) {
        if (e.code() == ErrorCode.UNAUTHORIZED) {
            cutOff(e.getMessage());
        } else {
            log.warn("{}: its token could not be checked again: {}", this, e.getMessage());
        }
    }

    /**
     * Ends a session whose token no longer holds (any thread): its subscriptions close at once,
     * so nothing more is pushed, then the client gets an {@code UNAUTHORIZED} session error and
     * the channel closes with a policy-violation frame.
     */
    private void cutOff(String why) {
        subscriptions.closeAll().forEach(Subscription::close);
        EventLoops.runOn(channel.eventLoop(), () -> {
            outbox.close();
            if (channel.isActive()) {
                log.info("{} cut off: {}", this, why);
                channel.write(codec.sessionError(channel.alloc(), ErrorCode.UNAUTHORIZED, "session closed: " + why));
                channel.writeAndFlush(codec.goodbye(why)).addListener(ChannelFutureListener.CLOSE);
            }
        }, EventLoops.NOTHING);
    }

    /** The channel closed (event loop): closes the subscriptions, drops queued pushes and parked messages. */
    public void closed() {
        shared.closed(this);
        subscriptions.closeAll().forEach(Subscription::close);
        outbox.close();
        Object parked;
        while ((parked = backlog.poll()) != null) {
            ReferenceCountUtil.release(parked);
        }
    }

    // ---- subscriptions (Session) ----

    /** Subscribes outside any request: the pushes are not held for a response. */
    @Override
    public Subscription subscribe(PathPattern pattern, boolean changes, boolean events) {
        Subscription s = register(pattern, changes, events);
        outbox.releaseSoon(outbox.delivery(s));
        return s;
    }

    /** Adds a subscription on the bus, delivering to this session (held until released). */
    Subscription register(PathPattern pattern, boolean changes, boolean events) {
        return subscriptions.add(id, () -> shared.eventBus.subscribe(pattern, changes, events, this));
    }

    @Override
    public boolean unsubscribe(String subscriptionId) {
        Optional<Subscription> s = subscriptions.remove(subscriptionId);
        s.ifPresent(sub -> {
            sub.close();
            outbox.purgeClosedSoon();
        });
        return s.isPresent();
    }

    // ---- pushes (Subscriber; any thread: enqueue or refuse, never wait) ----

    @Override
    public boolean offerChange(Subscription subscription, Fanout<KvChange> change) {
        return skip(subscription, Access.READ, change.item().key()) || outbox.offerChange(subscription, change);
    }

    @Override
    public boolean offerEvent(Subscription subscription, Fanout<TopicEvent> event) {
        return skip(subscription, Access.SUBSCRIBE, event.item().topic()) || outbox.offerEvent(subscription, event);
    }

    /** True for a push that is not for this client: dropped without counting as an overflow. */
    private boolean skip(Subscription subscription, Access needed, String key) {
        if (subscriptions.isClosed() || subscription.isClosed()) {
            return true; // going away anyway
        }
        return !principal.allows(needed, key); // a pattern may reach keys or topics its subscriber may not see
    }

    @Override
    public void overflowed() {
        shared.metrics.inc(Sessions.SLOW_CONSUMERS, Sessions.SLOW_CONSUMERS_HELP);
        subscriptions.pruneClosed(); // the bus closed them all
        log.info("{} fell behind on pushes; its subscriptions were dropped", this);
        outbox.overflowed();
    }
}
