package dev.pando.node.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.TopicEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EventBusTest {
    private final EventBus bus = new EventBus();
    private final AtomicLong revision = new AtomicLong();

    /** Records what it receives; refuses (queue full) once it holds {@code capacity} items. */
    static final class Recorder implements Subscriber {
        final int capacity;
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger offers = new AtomicInteger();
        final AtomicInteger offersAfterRefusal = new AtomicInteger();
        final AtomicInteger overflowed = new AtomicInteger();
        volatile boolean refused;

        Recorder(int capacity) {
            this.capacity = capacity;
        }

        Recorder() {
            this(Integer.MAX_VALUE);
        }

        private boolean offer(String item) {
            offers.incrementAndGet();
            if (refused) {
                offersAfterRefusal.incrementAndGet();
            }
            synchronized (received) {
                if (received.size() >= capacity) {
                    refused = true;
                    return false;
                }
                received.add(item);
                return true;
            }
        }

        @Override
        public boolean offerChange(Subscription s, Fanout<KvChange> f) {
            KvChange c = f.item();
            return offer(s.id() + " change " + c.key() + "@" + c.revision());
        }

        @Override
        public boolean offerEvent(Subscription s, Fanout<TopicEvent> f) {
            TopicEvent e = f.item();
            return offer(s.id() + " event " + e.topic() + "=" + e.payload());
        }

        @Override
        public void overflowed() {
            overflowed.incrementAndGet();
        }

        List<String> items() {
            synchronized (received) {
                return List.copyOf(received);
            }
        }
    }

    private KvChange change(String key) {
        return new KvChange(key, IntNode.valueOf(1), revision.incrementAndGet(), 1000, "node-1", "tester");
    }

    private static PathPattern p(String pattern) {
        return PathPattern.compile(pattern);
    }

    @Test
    void changesGoOnlyToMatchingChangeSubscriptionsInOrder() {
        Recorder lights = new Recorder();
        Recorder all = new Recorder();
        Recorder eventsOnly = new Recorder();
        Subscription sl = bus.subscribe(p("/site/lights/*"), true, false, lights);
        Subscription sa = bus.subscribe(p("/**"), true, true, all);
        bus.subscribe(p("/**"), false, true, eventsOnly);

        bus.committed(List.of(change("/site/lights/1"), change("/site/doors/1"), change("/site/lights/2")));
        bus.committed(List.of(new KvChange("/site/lights/1", null, revision.incrementAndGet(), 1001, "node-1", "tester")));
        bus.committed(List.of());

        assertThat(lights.items()).containsExactly(
                sl.id() + " change /site/lights/1@1", sl.id() + " change /site/lights/2@3", sl.id() + " change /site/lights/1@4");
        assertThat(all.items()).containsExactly(
                sa.id() + " change /site/lights/1@1", sa.id() + " change /site/doors/1@2",
                sa.id() + " change /site/lights/2@3", sa.id() + " change /site/lights/1@4");
        assertThat(eventsOnly.items()).isEmpty();
        assertThat(eventsOnly.offers.get()).isZero();
    }

    @Test
    void eventsGoOnlyToMatchingEventSubscriptions() {
        Recorder alerts = new Recorder();
        Recorder changesOnly = new Recorder();
        Recorder deep = new Recorder();
        Subscription sa = bus.subscribe(p("/alerts/*"), false, true, alerts);
        bus.subscribe(p("/**"), true, false, changesOnly);
        Subscription sd = bus.subscribe(p("/alerts/**/fire"), true, true, deep);

        JsonNode payload = JsonNodeFactory.instance.objectNode().put("level", 3);
        assertThat(bus.publish("/alerts/kitchen", payload, "alice")).isEqualTo(1);
        assertThat(bus.publish("/alerts/fire", payload, "alice")).isEqualTo(2);
        assertThat(bus.publish("/alerts/a/b/fire", payload, "alice")).isEqualTo(1);
        assertThat(bus.publish("/other", payload, "alice")).isZero();

        assertThat(alerts.items()).containsExactly(
                sa.id() + " event /alerts/kitchen={\"level\":3}", sa.id() + " event /alerts/fire={\"level\":3}");
        assertThat(deep.items()).containsExactly(
                sd.id() + " event /alerts/fire={\"level\":3}", sd.id() + " event /alerts/a/b/fire={\"level\":3}");
        assertThat(changesOnly.offers.get()).isZero();
    }

    @Test
    void eventsCarryTopicPayloadPublisherAndTime() {
        List<TopicEvent> got = new ArrayList<>();
        bus.subscribe(p("/t"), false, true, new Subscriber() {
            @Override
            public boolean offerChange(Subscription s, Fanout<KvChange> c) {
                return true;
            }

            @Override
            public boolean offerEvent(Subscription s, Fanout<TopicEvent> e) {
                return got.add(e.item());
            }

            @Override
            public void overflowed() {}
        });
        long before = System.currentTimeMillis();
        bus.publish("/t", IntNode.valueOf(5), "bob");
        assertThat(got).hasSize(1);
        TopicEvent e = got.get(0);
        assertThat(e.topic()).isEqualTo("/t");
        assertThat(e.payload()).isEqualTo(IntNode.valueOf(5));
        assertThat(e.publisher()).isEqualTo("bob");
        assertThat(e.timestamp()).isBetween(before, System.currentTimeMillis());
    }

    @Test
    void invalidTopicIsBadRequest() {
        Recorder r = new Recorder();
        bus.subscribe(p("/**"), true, true, r);
        for (String topic : new String[] {"", "nope", "/", "/a/", "/a/*", "/a/**", "/a/../b", "/a\nb"}) {
            assertThatThrownBy(() -> bus.publish(topic, IntNode.valueOf(1), "x")).as(topic)
                    .isInstanceOf(PandoException.class)
                    .satisfies(e -> assertThat(((PandoException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
        assertThat(r.offers.get()).isZero();
    }

    @Test
    void aClosedSubscriptionReceivesNothing() {
        Recorder r = new Recorder();
        Subscription s1 = bus.subscribe(p("/a/**"), true, true, r);
        Subscription s2 = bus.subscribe(p("/a/x"), true, true, r);
        assertThat(bus.subscriptionCount()).isEqualTo(2);
        s1.close();
        s1.close(); // idempotent
        assertThat(s1.isClosed()).isTrue();
        assertThat(bus.subscriptionCount()).isEqualTo(1);

        bus.committed(List.of(change("/a/x"), change("/a/y")));
        bus.publish("/a/y", IntNode.valueOf(1), "p");
        assertThat(r.items()).containsExactly(s2.id() + " change /a/x@1");

        s2.close();
        assertThat(bus.subscriptionCount()).isZero();
        bus.committed(List.of(change("/a/x")));
        assertThat(bus.publish("/a/x", IntNode.valueOf(1), "p")).isZero();
        assertThat(r.items()).hasSize(1);
        assertThat(r.overflowed.get()).isZero();
    }

    @Test
    void subscriptionIdsAreUnique() {
        Recorder r = new Recorder();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(bus.subscribe(p("/a"), true, false, r).id());
        }
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void aSubscriberThatFallsBehindOnChangesIsCutOffFromAllItsSubscriptions() {
        Recorder slow = new Recorder(2);
        Recorder fast = new Recorder();
        Subscription s1 = bus.subscribe(p("/a/**"), true, true, slow);
        Subscription s2 = bus.subscribe(p("/b/**"), true, true, slow);
        Subscription s3 = bus.subscribe(p("/zzz"), false, true, slow); // matches nothing published here
        Subscription f = bus.subscribe(p("/**"), true, true, fast);

        bus.committed(List.of(change("/a/1"), change("/b/1"), change("/a/2"), change("/b/2"), change("/a/3")));

        assertThat(slow.items()).containsExactly(s1.id() + " change /a/1@1", s2.id() + " change /b/1@2");
        assertThat(slow.overflowed.get()).isEqualTo(1);
        assertThat(slow.offersAfterRefusal.get()).as("no offers once it refused").isZero();
        assertThat(s1.isClosed()).isTrue();
        assertThat(s2.isClosed()).isTrue();
        assertThat(s3.isClosed()).as("every subscription of the subscriber, matching or not").isTrue();
        assertThat(f.isClosed()).isFalse();
        assertThat(bus.subscriptionCount()).isEqualTo(1);
        assertThat(bus.overflowCount()).isEqualTo(1);
        assertThat(fast.items()).hasSize(5);

        // Later traffic: the slow one hears nothing more, the fast one keeps receiving.
        bus.committed(List.of(change("/a/4")));
        bus.publish("/b/x", IntNode.valueOf(1), "p");
        assertThat(slow.offers.get()).isEqualTo(3);
        assertThat(slow.overflowed.get()).isEqualTo(1);
        assertThat(fast.items()).hasSize(7).last().asString().contains("event /b/x");
    }

    @Test
    void aSubscriberThatFallsBehindOnEventsIsCutOffOnceAndOfferedNothingMore() {
        Recorder slow = new Recorder(1);
        Recorder fast = new Recorder();
        Subscription s1 = bus.subscribe(p("/t/*"), false, true, slow);
        Subscription s2 = bus.subscribe(p("/t/**"), false, true, slow);
        bus.subscribe(p("/t/**"), false, true, fast);
        Subscription s3 = bus.subscribe(p("/t/*"), false, true, slow);

        assertThat(bus.publish("/t/1", IntNode.valueOf(1), "p")).as("s1 and fast accept, s2 refuses").isEqualTo(2);

        assertThat(slow.items()).containsExactly(s1.id() + " event /t/1=1");
        assertThat(slow.offersAfterRefusal.get()).as("s3 must not be offered after s2 was refused").isZero();
        assertThat(slow.overflowed.get()).isEqualTo(1);
        assertThat(List.of(s1, s2, s3)).allMatch(Subscription::isClosed);
        assertThat(bus.publish("/t/2", IntNode.valueOf(2), "p")).isEqualTo(1);
        assertThat(fast.items()).hasSize(2);
        assertThat(slow.overflowed.get()).isEqualTo(1);
        assertThat(bus.overflowCount()).isEqualTo(1);
    }

    @Test
    void aSubscriberThatThrowsIsCutOffAndDoesNotStopTheOthers() {
        AtomicInteger overflowed = new AtomicInteger();
        Subscriber broken = new Subscriber() {
            @Override
            public boolean offerChange(Subscription s, Fanout<KvChange> c) {
                throw new IllegalStateException("bug in subscriber");
            }

            @Override
            public boolean offerEvent(Subscription s, Fanout<TopicEvent> e) {
                throw new IllegalStateException("bug in subscriber");
            }

            @Override
            public void overflowed() {
                overflowed.incrementAndGet();
                throw new IllegalStateException("and another bug");
            }
        };
        Recorder before = new Recorder();
        Recorder after = new Recorder();
        bus.subscribe(p("/**"), true, true, before);
        Subscription b = bus.subscribe(p("/**"), true, true, broken);
        bus.subscribe(p("/**"), true, true, after);

        bus.committed(List.of(change("/k/1"), change("/k/2"))); // must not throw into the commit thread
        assertThat(before.items()).hasSize(2);
        assertThat(after.items()).hasSize(2);
        assertThat(b.isClosed()).isTrue();
        assertThat(overflowed.get()).isEqualTo(1);
        assertThat(bus.publish("/k/3", IntNode.valueOf(3), "p")).isEqualTo(2);
    }

    @Test
    @Timeout(30)
    void overflowedIsCalledOnceEvenWhenPublishersAndTheCommitThreadRace() throws Exception {
        for (int round = 0; round < 100; round++) {
            EventBus b = new EventBus();
            Recorder refusing = new Recorder(0);
            Recorder fine = new Recorder();
            List<Subscription> subs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                subs.add(b.subscribe(p("/x/**"), true, true, refusing));
            }
            b.subscribe(p("/x/**"), true, true, fine);
            int threads = 4;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < 5; i++) {
                            if (id % 2 == 0) {
                                b.publish("/x/" + id, IntNode.valueOf(i), "p");
                            } else {
                                b.committed(List.of(new KvChange("/x/" + id, IntNode.valueOf(i), i + 1, 0, "n", "w")));
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                ts.add(th);
                th.start();
            }
            go.countDown();
            for (Thread th : ts) {
                th.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertThat(errors).isEmpty();
            assertThat(refusing.overflowed.get()).as("round %d", round).isEqualTo(1);
            assertThat(b.overflowCount()).isEqualTo(1);
            assertThat(subs).allMatch(Subscription::isClosed);
            assertThat(fine.items()).hasSize(threads * 5);
        }
    }
}
