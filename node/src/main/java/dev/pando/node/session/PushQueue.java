package dev.pando.node.session;

import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.node.events.Fanout;
import dev.pando.node.events.Subscription;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One session's bounded queue of pushes: offered by many threads (the store's ack thread,
 * publishers) without waiting, taken on the session's event loop only. A full queue refuses the
 * offer, which is how the event bus learns the session is a slow consumer.
 *
 * <p>A new subscription's pushes are held (parked in arrival order) until it is
 * {@link #release released}, so they can wait for the response that announces it.
 */
final class PushQueue {
    private final int capacity;
    /** Pushes in arrival order: many producers, consumed on the event loop only. */
    private final Queue<Push> arrivals = new ConcurrentLinkedQueue<>();
    /** Pushes accepted and not yet written or dropped (arrivals + parked + ready): the bound. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Pushes of subscriptions released since they were parked; taken before {@link #arrivals} (event loop only). */
    private final ArrayDeque<Push> ready = new ArrayDeque<>();
    private final Map<Subscription, Delivery> deliveries = new ConcurrentHashMap<>();

    PushQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Delivery state of one subscription. */
    static final class Delivery {
        final Subscription subscription;
        /** True until released. Cleared on the event loop only. */
        volatile boolean held = true;
        /** Pushes met while held, in order (event loop only). */
        final ArrayDeque<Push> parked = new ArrayDeque<>();

        Delivery(Subscription subscription) {
            this.subscription = subscription;
        }
    }

    int capacity() {
        return capacity;
    }

    /** The delivery state of {@code s}; the bus may deliver before the subscriber records it, so whoever comes first creates it (held). */
    Delivery delivery(Subscription s) {
        return deliveries.computeIfAbsent(s, Delivery::new);
    }

    /** Queues a change; false if the queue is full. Any thread, never waits. */
    boolean offerChange(Subscription s, Fanout<KvChange> change) {
        if (!reserve()) {
            return false;
        }
        arrivals.add(new Push.OfChange(delivery(s), change));
        return true;
    }

    /** Queues an event; false if the queue is full. Any thread, never waits. */
    boolean offerEvent(Subscription s, Fanout<TopicEvent> event) {
        if (!reserve()) {
            return false;
        }
        arrivals.add(new Push.OfEvent(delivery(s), event));
        return true;
    }

    private boolean reserve() {
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * The next push to write, or null when none is ready (event loop). Pushes of held
     * subscriptions are parked, those of closed ones dropped.
     */
    Push poll() {
        while (true) {
            Push p = ready.poll();
            if (p == null) {
                p = arrivals.poll();
                if (p == null) {
                    return null;
                }
                if (p.to().held && !p.to().subscription.isClosed()) {
                    p.to().parked.add(p); // stays counted in `queued` until written
                    continue;
                }
            }
            queued.decrementAndGet();
            if (!p.to().subscription.isClosed()) { // else unsubscribed or cut off meanwhile
                return p;
            }
        }
    }

    /** True if pushes may be waiting to be taken (event loop). */
    boolean hasPending() {
        return !ready.isEmpty() || !arrivals.isEmpty();
    }

    /** Lets a held subscription's pushes go, ahead of later arrivals (event loop). False if it was not held. */
    boolean release(Delivery d) {
        if (!d.held) {
            return false;
        }
        d.held = false;
        ready.addAll(d.parked);
        d.parked.clear();
        return true;
    }

    /** Drops queued pushes of closed subscriptions, freeing their room at once (event loop). */
    void purgeClosed() {
        int dropped = removeClosed(arrivals.iterator()) + removeClosed(ready.iterator());
        for (Iterator<Delivery> it = deliveries.values().iterator(); it.hasNext(); ) {
            Delivery d = it.next();
            if (d.subscription.isClosed()) {
                dropped += d.parked.size();
                d.parked.clear();
                it.remove();
            }
        }
        queued.addAndGet(-dropped);
    }

    private static int removeClosed(Iterator<Push> it) {
        int dropped = 0;
        while (it.hasNext()) {
            if (it.next().to().subscription.isClosed()) {
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    /** Forgets every queued push (event loop): the connection is gone. */
    void clear() {
        arrivals.clear();
        ready.clear();
    }

    /** Forgets the delivery states too, once the session has closed (event loop). */
    void close() {
        clear();
        deliveries.clear();
    }
}
