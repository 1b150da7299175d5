package dev.pando.node.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import dev.pando.node.kv.CommitListener;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans committed changes and published events out to pattern subscriptions. It never waits on
 * a subscriber: a subscriber whose queue is full is cut off (and told), so one slow reader can
 * neither slow the writers nor the other subscribers.
 */
public final class EventBus implements CommitListener {
    private static final Logger log = LoggerFactory.getLogger(EventBus.class);
    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong overflows = new AtomicLong();
    private final Object cutOffLock = new Object();

    public Subscription subscribe(PathPattern pattern, boolean changes, boolean events, Subscriber subscriber) {
        Subscription s = new Subscription("s" + ids.incrementAndGet(), pattern, changes, events, subscriber, this);
        subscriptions.add(s);
        return s;
    }

    void remove(Subscription s) {
        subscriptions.remove(s);
    }

    public int subscriptionCount() {
        return subscriptions.size();
    }

    /** How many subscribers were cut off for falling behind since start. */
    public long overflowCount() {
        return overflows.get();
    }

    /** Delivers an event to matching subscriptions; returns how many accepted it. */
    public int publish(String topic, JsonNode payload, String publisher) {
        Keys.requireValid(topic);
        TopicEvent e = new TopicEvent(topic, payload, System.currentTimeMillis(), publisher);
        int delivered = 0;
        Set<Subscriber> overflowed = null;
        for (Subscription s : subscriptions) {
            if (s.wantsEvents() && !s.isClosed() && s.pattern().matches(topic)
                    && (overflowed == null || !overflowed.contains(s.subscriber()))) {
                if (offerEvent(s, e)) {
                    delivered++;
                } else {
                    overflowed = add(overflowed, s.subscriber());
                }
            }
        }
        cutOff(overflowed);
        return delivered;
    }

    @Override
    public void committed(List<KvChange> changes) {
        if (subscriptions.isEmpty()) {
            return;
        }
        Set<Subscriber> overflowed = null;
        for (KvChange c : changes) {
            for (Subscription s : subscriptions) {
                if (s.wantsChanges() && !s.isClosed() && s.pattern().matches(c.key())
                        && (overflowed == null || !overflowed.contains(s.subscriber()))
                        && !offerChange(s, c)) {
                    overflowed = add(overflowed, s.subscriber());
                }
            }
        }
        cutOff(overflowed);
    }

    // A subscriber that throws is treated like one that refused: it is cut off, and the
    // exception never reaches the store's ack thread or the publisher, nor stops the fan-out to others.

    private static boolean offerChange(Subscription s, KvChange c) {
        try {
            return s.subscriber().offerChange(s, c);
        } catch (RuntimeException ex) {
            log.warn("subscriber of {} failed on change {}; cutting it off", s.id(), c.key(), ex);
            return false;
        }
    }

    private static boolean offerEvent(Subscription s, TopicEvent e) {
        try {
            return s.subscriber().offerEvent(s, e);
        } catch (RuntimeException ex) {
            log.warn("subscriber of {} failed on event {}; cutting it off", s.id(), e.topic(), ex);
            return false;
        }
    }

    private static Set<Subscriber> add(Set<Subscriber> set, Subscriber s) {
        Set<Subscriber> out = set == null ? new HashSet<>() : set;
        out.add(s);
        return out;
    }

    /**
     * Closes every subscription of each overflowed subscriber and tells it, once. A publisher and
     * the store's ack thread may find the same subscriber full at the same time: the lock makes one of
     * them close all its subscriptions, and only the one that closed something calls
     * {@link Subscriber#overflowed}.
     */
    private void cutOff(Set<Subscriber> overflowed) {
        if (overflowed == null) {
            return;
        }
        List<Subscriber> cut = new ArrayList<>();
        synchronized (cutOffLock) {
            for (Subscriber sub : overflowed) {
                boolean closedAny = false;
                for (Subscription s : subscriptions) {
                    if (s.subscriber().equals(sub) && s.closeIfOpen()) {
                        closedAny = true;
                    }
                }
                if (closedAny) {
                    cut.add(sub);
                }
            }
        }
        cut.forEach(sub -> {
            overflows.incrementAndGet();
            try {
                sub.overflowed();
            } catch (RuntimeException ex) {
                log.warn("subscriber failed while being told it overflowed", ex);
            }
        });
    }
}
