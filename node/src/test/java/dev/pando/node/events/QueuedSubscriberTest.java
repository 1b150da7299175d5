package dev.pando.node.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvChange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class QueuedSubscriberTest {
    private final EventBus bus = new EventBus();

    private static List<KvChange> changes(String prefix, int from, int n) {
        List<KvChange> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(new KvChange(prefix + i, IntNode.valueOf(i), i, i, "n", "w"));
        }
        return out;
    }

    @Test
    void deliversMatchingChangesAndEventsInOrderOnItsOwnThread() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(4);
        try (QueuedSubscriber s = new QueuedSubscriber("t", 16, d -> {
            got.add(d.isChange() ? d.change().key() : "event:" + d.event().topic());
            threads.add(Thread.currentThread().getName());
            all.countDown();
        }, () -> {})) {
            bus.subscribe(PathPattern.compile("/a/*"), true, true, s);
            bus.committed(changes("/a/", 1, 2));
            bus.committed(changes("/b/", 3, 1));
            bus.publish("/a/x", IntNode.valueOf(1), "p");
            bus.committed(changes("/a/", 4, 1));
            assertThat(all.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(got).containsExactly("/a/1", "/a/2", "event:/a/x", "/a/4");
            assertThat(threads).containsOnly("pando-listener-t");
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS) // a writer blocked on the stuck consumer would hang here
    void aStuckConsumerIsCutOffWithoutBlockingTheWriter() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        AtomicInteger overflows = new AtomicInteger();
        QueuedSubscriber s = new QueuedSubscriber("slow", 4, d -> {
            try {
                stuck.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, overflows::incrementAndGet);
        bus.subscribe(PathPattern.compile("/**"), true, true, s);
        for (int i = 0; i < 1_000; i++) {
            bus.committed(changes("/k/", i, 1)); // returns although the consumer never proceeds
        }
        assertThat(overflows.get()).isEqualTo(1);
        assertThat(bus.subscriptionCount()).isZero();
        stuck.countDown();
        assertThat(s.close(5_000)).isTrue();
    }

    @Test
    void aThrowingConsumerKeepsReceiving() throws Exception {
        CountDownLatch three = new CountDownLatch(3);
        try (QueuedSubscriber s = new QueuedSubscriber("boom", 16, d -> {
            three.countDown();
            if (d.change().revision() == 2) {
                throw new IllegalStateException("bad change");
            }
        }, () -> {})) {
            bus.subscribe(PathPattern.compile("/**"), true, false, s);
            bus.committed(changes("/k/", 1, 3));
            assertThat(three.await(5, TimeUnit.SECONDS)).isTrue();
            TestWait.until(() -> s.delivered() == 3);
            assertThat(s.failures()).isEqualTo(1);
            assertThat(bus.subscriptionCount()).isEqualTo(1);
        }
    }

    @Test
    void closedSubscriberAcceptsAndDropsSoTheBusDoesNotCountAnOverflow() throws Exception {
        AtomicInteger overflows = new AtomicInteger();
        QueuedSubscriber s = new QueuedSubscriber("closed", 1, d -> {}, overflows::incrementAndGet);
        assertThat(s.close(5_000)).isTrue();
        bus.subscribe(PathPattern.compile("/**"), true, false, s);
        bus.committed(changes("/k/", 1, 10));
        assertThat(overflows.get()).isZero();
        assertThat(s.delivered()).isZero();
    }

    /** Bounded polling for the delivery counter, which trails the consumer call. */
    static final class TestWait {
        static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!condition.getAsBoolean()) {
                assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
                Thread.sleep(5);
            }
        }
    }
}
