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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans committed changes and published events out to pattern subscriptions. It never waits on
 * a subscriber: a subscriber whose queue is full is cut off (and told), so one slow reader can
 * neither slow the writers nor the other subscribers. Subscriptions are indexed by their
 * pattern's literal prefix, so a change costs the subscriptions that may match it; each change
 * or event goes to all of them as one {@link Fanout}, serialised once.
 */
public final class EventBus implements CommitListener {
    private static final Logger log = LoggerFactory.getLogger(EventBus.class);
    /** Subscriptions by what they take: a change is matched only against those that want changes. */
    private final SubscriptionIndex changeIndex = new SubscriptionIndex();
    private final SubscriptionIndex eventIndex = new SubscriptionIndex();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong overflows = new AtomicLong();
    private final Object cutOffLock = new Object();

    public Subscription subscribe(PathPattern pattern, boolean changes, boolean events, Subscriber subscriber) {
        Subscription s = new Subscription("s" + ids.incrementAndGet(), pattern, changes, events, subscriber, this);
        if (changes) {
            changeIndex.add(s);
        }
        if (events) {
            eventIndex.add(s);
        }
        count.incrementAndGet();
        return s;
    }

    /** Called once per subscription, by the one call that closed it. */
    void remove(Subscription s) {
        if (s.wantsChanges()) {
            changeIndex.remove(s);
        }
        if (s.wantsEvents()) {
            eventIndex.remove(s);
        }
        count.decrementAndGet();
    }

    public int subscriptionCount() {
        return count.get();
    }

    /** How many subscribers were cut off for falling behind since start. */
    public long overflowCount() {
        return overflows.get();
    }

    /** Delivers an event to matching subscriptions; returns how many accepted it. */
    public int publish(String topic, JsonNode payload, String publisher) {
        Keys.requireValid(topic);
        Fanout<TopicEvent> e = new Fanout<>(new TopicEvent(topic, payload, System.currentTimeMillis(), publisher));
        int delivered = 0;
        Set<Subscriber> overflowed = null;
        List<Subscription> matches = new ArrayList<>();
        eventIndex.collectMatches(topic, matches);
        for (Subscription s : matches) {
            if (!s.isClosed() && (overflowed == null || !overflowed.contains(s.subscriber()))) {
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
        if (changeIndex.isEmpty()) {
            return; // e.g. only plugins listening for events: nothing to match a change against
        }
        Set<Subscriber> overflowed = null;
        List<Subscription> matches = new ArrayList<>();
        for (KvChange change : changes) {
            matches.clear();
            changeIndex.collectMatches(change.key(), matches);
            if (matches.isEmpty()) {
                continue;
            }
            Fanout<KvChange> c = new Fanout<>(change);
            for (Subscription s : matches) {
                if (!s.isClosed() && (overflowed == null || !overflowed.contains(s.subscriber()))
                        && !offerChange(s, c)) {
                    overflowed = add(overflowed, s.subscriber());
                }
            }
        }
        cutOff(overflowed);
    }

    // A subscriber that throws is treated like one that refused: it is cut off, and the
    // exception never reaches the store's ack thread or the publisher, nor stops the fan-out to others.

    private static boolean offerChange(Subscription s, Fanout<KvChange> c) {
        try {
            return s.subscriber().offerChange(s, c);
        } catch (RuntimeException ex) {
            log.warn("subscriber of {} failed on change {}; cutting it off", s.id(), c.item().key(), ex);
            return false;
        }
    }

    private static boolean offerEvent(Subscription s, Fanout<TopicEvent> e) {
        try {
            return s.subscriber().offerEvent(s, e);
        } catch (RuntimeException ex) {
            log.warn("subscriber of {} failed on event {}; cutting it off", s.id(), e.item().topic(), ex);
            return false;
        }
    }

    private static Set<Subscriber> add(Set<Subscriber> set, Subscriber s) {
        Set<Subscriber> out = set == null ? new HashSet<>() : set;
        out.add(s);
        return out;
    }

    /** Every open subscription, once. */
    private Set<Subscription> all() {
        Set<Subscription> all = new HashSet<>(changeIndex.all());
        all.addAll(eventIndex.all());
        return all;
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
        Set<Subscriber> cut = new HashSet<>();
        synchronized (cutOffLock) {
            // One pass however many were cut off at once: a burst that overflows thousands of
            // sessions must not scan every subscription once per session.
            for (Subscription s : all()) {
                if (overflowed.contains(s.subscriber()) && s.closeIfOpen()) {
                    cut.add(s.subscriber());
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
