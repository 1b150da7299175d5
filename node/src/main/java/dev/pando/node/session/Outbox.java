package dev.pando.node.session;

import dev.pando.api.ErrorCode;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.node.dispatch.Response;
import dev.pando.node.events.Fanout;
import dev.pando.node.events.Subscription;
import io.netty.channel.Channel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one {@link ClientSession} writes: responses as their calls are answered, and
 * pushes from its {@link PushQueue} while the channel is writable, all on the channel's event
 * loop. Responses and pushes arrive on other threads and each reach the loop in their own way,
 * so one rule orders them: a response answered before a push was offered is written before that
 * push. The store completes a write before it hands the change to the event bus, hence a writer
 * always sees its response before the push of its own change.
 */
final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    /** Queue entries handled per drain task before the event loop is yielded to other channels. */
    private static final int DRAIN_BATCH = 512;

    private final ClientSession session;
    private final Channel channel;
    private final WireCodec codec;
    private final PushQueue pushes;

    /** Calls answered and not yet written, in the order they were answered: any thread adds, the event loop takes. */
    private final Queue<InFlightCall> answered = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean answersScheduled = new AtomicBoolean();
    private final Runnable answersTask = () -> {
        answersScheduled.set(false);
        writeAnswers();
    };
    private boolean writingAnswers;

    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain; // one per outbox, not one per push
    private final AtomicBoolean overflowPending = new AtomicBoolean();

    Outbox(ClientSession session, WireCodec codec, int queueLimit) {
        this.session = session;
        this.channel = session.channel();
        this.codec = codec;
        this.pushes = new PushQueue(queueLimit);
    }

    // ---- responses ----

    /** {@code call} was answered, on whatever thread completed it. */
    void answer(InFlightCall call) {
        answered.add(call);
        if (channel.eventLoop().inEventLoop()) {
            writeAnswers();
        } else if (answersScheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(answersTask);
            } catch (RejectedExecutionException e) { // shutting down: nothing will be written
                InFlightCall dropped;
                while ((dropped = answered.poll()) != null) {
                    dropped.drop();
                }
            }
        }
    }

    /** Writes the answered calls' responses (event loop). */
    private void writeAnswers() {
        if (writingAnswers) {
            return; // answered from inside the loop below (an inline op); the loop takes it
        }
        writingAnswers = true;
        try {
            // One flush for every answer that arrived together: a pipelining client's responses
            // leave in one syscall instead of one each.
            InFlightCall call;
            while ((call = answered.poll()) != null) {
                respond(call);
            }
        } finally {
            writingAnswers = false;
            channel.flush();
        }
    }

    /** Writes one response, then lets the subscriptions its request created push. */
    private void respond(InFlightCall call) {
        // Anything written after this is queued behind the response in the channel.
        for (PushQueue.Delivery d : call.writeTo(channel, codec)) {
            release(d);
        }
        session.responseWritten();
    }

    /** Writes a response that ends no dispatched request (a refused message; event loop). */
    void writeRefusal(Response.Failure refusal) {
        if (channel.isActive()) {
            channel.writeAndFlush(codec.response(channel.alloc(), refusal));
        }
    }

    // ---- pushes ----

    PushQueue.Delivery delivery(Subscription s) {
        return pushes.delivery(s);
    }

    /** Queues a change; false if the queue is full. Any thread, never waits. */
    boolean offerChange(Subscription s, Fanout<KvChange> change) {
        return scheduled(pushes.offerChange(s, change));
    }

    /** Queues an event; false if the queue is full. Any thread, never waits. */
    boolean offerEvent(Subscription s, Fanout<TopicEvent> event) {
        return scheduled(pushes.offerEvent(s, event));
    }

    private boolean scheduled(boolean accepted) {
        if (accepted) {
            scheduleDrain();
        }
        return accepted;
    }

    /** The bus cut the session off: the client gets one {@code SLOW_CONSUMER} session error. Any thread. */
    void overflowed() {
        overflowPending.set(true);
        scheduleDrain();
    }

    /** Lets a held subscription's pushes go out, from any thread. */
    void releaseSoon(PushQueue.Delivery delivery) {
        EventLoops.runOn(channel.eventLoop(), () -> release(delivery), EventLoops.NOTHING);
    }

    /** Drops queued pushes of closed subscriptions, from any thread. */
    void purgeClosedSoon() {
        EventLoops.runOn(channel.eventLoop(), pushes::purgeClosed, EventLoops.NOTHING);
    }

    /** The channel is writable again (event loop). */
    void writable() {
        drain();
    }

    /** The channel closed (event loop). */
    void close() {
        pushes.close();
    }

    private void release(PushQueue.Delivery delivery) {
        if (pushes.release(delivery) && pushes.hasPending()) {
            scheduleDrain();
        }
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drainTask);
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
            if (!answered.isEmpty()) {
                writeAnswers(); // answered before p was offered, so written before it
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
            log.error("{}: cannot serialise a push for {}; skipping it", session, p.to().subscription.id(), e);
            return false;
        }
        channel.write(message, channel.voidPromise()); // nobody waits on a push: no promise, no listener
        return true;
    }
}
