package dev.pando.node.session;

import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.path.PathPattern;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.Request;
import dev.pando.node.dispatch.Response;
import dev.pando.node.dispatch.Session;
import dev.pando.node.events.Event;
import dev.pando.node.events.Subscriber;
import dev.pando.node.events.Subscription;
import dev.pando.node.kv.Change;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's long-lived session, whatever its wire format: who it is, its subscriptions, the
 * bounded queue of pushes for them, and the requests it has in flight. The {@link WireCodec}
 * turns messages into requests and answers into messages; this class never looks inside one.
 *
 * <p>Requests run concurrently through the {@link RequestPath}; responses go out as they
 * complete, matched by id. Requests are only dispatched while the channel is writable and fewer
 * than {@link #MAX_IN_FLIGHT} are unanswered; otherwise messages already read wait and reading
 * pauses, so a client that never reads responses cannot make the node buffer without bound.
 *
 * <p>Pushes arrive on the store's ack thread or a publisher's thread and go into one bounded
 * {@link PushQueue}; the event loop drains it only while the channel is writable. A full queue
 * makes the offer fail, the bus cuts the session off, and the client gets a
 * {@code SLOW_CONSUMER} session error; the session stays open.
 *
 * <p>A subscription's pushes are held until the response of the request that created it has
 * been written, so the client always learns the subscription id first. Handlers see this session
 * through a per-request {@link Session} view, which is how it knows which request a
 * {@link #subscribe} belongs to. For the same reason a writer's response is written before the
 * push of its own change: the store completes the write (queuing the response task on this
 * event loop) before it hands the change to the bus (which queues the drain after it).
 *
 * <p>Threads: {@link #received}, {@link #writabilityChanged} and {@link #closed} are called on the
 * channel's event loop; the {@link Subscriber} methods on any thread.
 */
public final class ClientSession implements Session, Subscriber {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    /** Queue entries handled per drain task before the event loop is yielded to other channels. */
    private static final int DRAIN_BATCH = 512;
    /** Requests one session may have dispatched and unanswered; later messages wait (and reading pauses). */
    public static final int MAX_IN_FLIGHT = 256;

    private final Sessions shared;
    private final String id;
    private final Principal principal;
    private final Channel channel;
    private final WireCodec codec;
    private final SessionSubscriptions subscriptions;
    private final PushQueue pushes;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean overflowPending = new AtomicBoolean();
    /** Messages read but not yet handled because the session was at capacity (event loop only). */
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    /** This session's dispatched, unanswered requests (event loop only). */
    private int inFlight;
    private boolean resuming;

    ClientSession(Sessions shared, String id, Principal principal, Channel channel, WireCodec codec) {
        this.shared = shared;
        this.id = id;
        this.principal = principal;
        this.channel = channel;
        this.codec = codec;
        this.subscriptions = new SessionSubscriptions(shared.subscriptionLimit);
        this.pushes = new PushQueue(shared.queueLimit);
    }

    @Override
    public String id() {
        return id;
    }

    public Principal principal() {
        return principal;
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
                write(r.failure());
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private void call(Request request) {
        InFlight call = new InFlight();
        inFlight++;
        shared.requests.run(request, new CallContext(principal, request.id(), call), channel.eventLoop(), call);
    }

    /** Writes a response (event loop), then lets the subscriptions its request created push. */
    private void respond(InFlight call, Response response, Runnable written) {
        inFlight--;
        List<PushQueue.Delivery> created = call.responded();
        if (channel.isActive()) {
            channel.writeAndFlush(codec.response(channel.alloc(), response)).addListener(f -> written.run());
        } else {
            written.run(); // the client left; nothing to write it to
        }
        // Anything written from here on is queued behind the response in the channel.
        for (PushQueue.Delivery d : created) {
            release(d);
        }
        resume();
    }

    /** Writes an answer that is not a dispatched request's (a refused message). */
    private void write(Response response) {
        if (channel.isActive()) {
            channel.writeAndFlush(codec.response(channel.alloc(), response));
        }
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
            drain();
        } else {
            channel.config().setAutoRead(false);
        }
    }

    /** The channel closed (event loop): closes the subscriptions, drops queued pushes and parked messages. */
    public void closed() {
        subscriptions.closeAll().forEach(Subscription::close);
        pushes.close();
        Object parked;
        while ((parked = backlog.poll()) != null) {
            ReferenceCountUtil.release(parked);
        }
    }

    // ---- subscriptions (Session) ----

    @Override
    public Subscription subscribe(PathPattern pattern, boolean changes, boolean events) {
        Subscription s = register(pattern, changes, events);
        releaseSoon(pushes.delivery(s));
        return s;
    }

    private Subscription register(PathPattern pattern, boolean changes, boolean events) {
        return subscriptions.add(id, () -> shared.eventBus.subscribe(pattern, changes, events, this));
    }

    private void releaseSoon(PushQueue.Delivery delivery) {
        EventLoops.runOn(channel.eventLoop(), () -> release(delivery), EventLoops.NOTHING);
    }

    @Override
    public boolean unsubscribe(String subscriptionId) {
        Optional<Subscription> s = subscriptions.remove(subscriptionId);
        s.ifPresent(sub -> {
            sub.close();
            EventLoops.runOn(channel.eventLoop(), pushes::purgeClosed, EventLoops.NOTHING);
        });
        return s.isPresent();
    }

    // ---- pushes (Subscriber; any thread: enqueue or refuse, never wait) ----

    @Override
    public boolean offerChange(Subscription subscription, Change change) {
        if (skip(subscription, change.key())) {
            return true;
        }
        return queued(pushes.offer(subscription, change));
    }

    @Override
    public boolean offerEvent(Subscription subscription, Event event) {
        if (skip(subscription, event.topic())) {
            return true;
        }
        return queued(pushes.offer(subscription, event));
    }

    /** True for a push that is not for this client: dropped without counting as an overflow. */
    private boolean skip(Subscription subscription, String key) {
        if (subscriptions.isClosed() || subscription.isClosed()) {
            return true; // going away anyway
        }
        return !principal.allows(Access.READ, key); // a pattern may reach keys its subscriber may not read
    }

    private boolean queued(boolean accepted) {
        if (accepted) {
            scheduleDrain();
        }
        return accepted;
    }

    @Override
    public void overflowed() {
        shared.metrics.inc(Sessions.SLOW_CONSUMERS, Sessions.SLOW_CONSUMERS_HELP);
        subscriptions.pruneClosed(); // the bus closed them all
        log.info("{} fell behind on pushes; its subscriptions were dropped", this);
        overflowPending.set(true);
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(this::drain);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false); // shutting down: nothing will be written anyway
            }
        }
    }

    /** Writes queued pushes while the channel is writable (event loop). */
    private void drain() {
        drainScheduled.set(false);
        if (!channel.isActive()) {
            pushes.clear();
            return;
        }
        boolean wrote = false;
        if (overflowPending.getAndSet(false)) {
            pushes.purgeClosed(); // frees the queue now, even if the client is not reading
            // Written even when unwritable: it is one small message, and the client must learn why pushes stopped.
            channel.write(codec.sessionError(channel.alloc(), ErrorCode.SLOW_CONSUMER, "session fell behind ("
                    + pushes.capacity() + " pushes queued); all its subscriptions were dropped"));
            wrote = true;
        }
        int budget = DRAIN_BATCH;
        while (budget-- > 0 && channel.isWritable()) {
            Push p = pushes.poll();
            if (p == null) {
                break;
            }
            wrote |= write(p);
        }
        if (wrote) {
            channel.flush();
        }
        if (channel.isWritable() && pushes.hasPending()) {
            scheduleDrain(); // budget spent: continue in a later task, after other channels had their turn
        }
    }

    /** Writes one push; false if it could not be encoded (it is skipped, the session goes on). */
    private boolean write(Push p) {
        Object message;
        try {
            message = p.encode(codec, channel.alloc());
        } catch (RuntimeException e) {
            log.error("{}: cannot serialise a push for {}; skipping it", this, p.to().subscription.id(), e);
            return false;
        }
        channel.write(message);
        return true;
    }

    /** Lets a held subscription's pushes go out (event loop). */
    private void release(PushQueue.Delivery delivery) {
        if (pushes.release(delivery) && pushes.hasPending()) {
            scheduleDrain();
        }
    }

    // ---- per-request state ----

    /**
     * One request in flight, as its handler sees the session: subscriptions it creates are held
     * until its response is written. Also where that response arrives.
     */
    private final class InFlight implements Session, RequestPath.Reply {
        private List<PushQueue.Delivery> created;
        private boolean responded;

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

        synchronized List<PushQueue.Delivery> responded() {
            responded = true;
            List<PushQueue.Delivery> out = created == null ? List.of() : created;
            created = null;
            return out;
        }

        @Override
        public void send(Response response, Runnable written) {
            respond(this, response, written);
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Subscription subscribe(PathPattern pattern, boolean changes, boolean events) {
            Subscription s = register(pattern, changes, events);
            PushQueue.Delivery delivery = pushes.delivery(s);
            if (!hold(delivery)) {
                releaseSoon(delivery);
            }
            return s;
        }

        @Override
        public boolean unsubscribe(String subscriptionId) {
            return ClientSession.this.unsubscribe(subscriptionId);
        }

        @Override
        public String toString() {
            return ClientSession.this.toString();
        }
    }
}
