package dev.pando.node.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.TopicEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SubscriptionIndexTest {
    private static final String[] SEGMENTS = {"a", "b", "c", "*", "**"};
    private final EventBus bus = new EventBus();

    @Test
    void findsExactlyWhatMatchingEveryPatternWouldFind() {
        Random random = new Random(16);
        SubscriptionIndex index = new SubscriptionIndex();
        List<Subscription> all = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            Subscription s = subscription(randomPattern(random));
            index.add(s);
            all.add(s);
        }
        for (int i = 0; i < 100; i++) { // removals leave the others findable
            Subscription gone = all.remove(random.nextInt(all.size()));
            gone.close();
            index.remove(gone);
        }
        for (int i = 0; i < 2_000; i++) {
            String key = randomKey(random);
            List<Subscription> found = new ArrayList<>();
            index.collectMatches(key, found);
            List<Subscription> expected = all.stream().filter(s -> s.pattern().matches(key)).toList();
            assertThat(found).as(key).containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(index.all()).containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void aChangeUnderOnePrefixIsNotTriedAgainstSubscriptionsOfAnother() {
        SubscriptionIndex index = new SubscriptionIndex();
        for (int i = 0; i < 1_000; i++) {
            index.add(subscription(PathPattern.compile("/site-" + i + "/**")));
        }
        index.add(subscription(PathPattern.compile("/site-7/*/x")));
        index.add(subscription(PathPattern.compile("/site-7/k/y")));
        index.add(subscription(PathPattern.compile("/*/k/x")));
        List<Subscription> found = new ArrayList<>();
        int tried = index.collectMatches("/site-7/k/x", found);
        assertThat(found).extracting(s -> s.pattern().toString())
                .containsExactlyInAnyOrder("/site-7/**", "/site-7/*/x", "/*/k/x");
        assertThat(tried).as("those filed under / and /site-7, not the other 999 sites' nor /site-7/k/y").isEqualTo(3);
    }

    @Test
    void thousandsJoiningAndLeavingOneBucketCostLinearCopiesAndStayFindable() {
        SubscriptionIndex index = new SubscriptionIndex();
        Random random = new Random(7);
        int n = 20_000;
        List<Subscription> open = new ArrayList<>();
        for (int i = 0; i < n; i++) { // one pattern, one bucket: 10,000 sessions on one feed
            Subscription s = subscription(PathPattern.compile("/feed/**"));
            index.add(s);
            open.add(s);
        }
        for (int i = 0; i < n - 1; i++) { // leaving in any order, one by one
            Subscription gone = open.remove(random.nextInt(open.size()));
            gone.close();
            index.remove(gone);
            if (i % 997 == 0) {
                List<Subscription> found = new ArrayList<>();
                index.collectMatches("/feed/x", found);
                assertThat(found).containsExactlyInAnyOrderElementsOf(open);
            }
        }
        // A copy-on-write array copies the whole bucket on every add and remove: ~n^2 = 4e8 slots.
        assertThat(index.copiedSlots()).as("slots copied for %d adds and %d removes", n, n - 1).isLessThan(6L * n);
        List<Subscription> found = new ArrayList<>();
        assertThat(index.collectMatches("/feed/x", found)).as("slots tried once the bucket is compacted").isLessThanOrEqualTo(2);
        assertThat(found).containsExactlyElementsOf(open);
        assertThat(index.all()).containsExactlyElementsOf(open);
    }

    @Test
    void aClosedSubscriptionIsNeverMatchedEvenBeforeItsRemovalArrives() {
        SubscriptionIndex index = new SubscriptionIndex();
        Subscription a = subscription(PathPattern.compile("/a/**"));
        Subscription b = subscription(PathPattern.compile("/a/*"));
        index.add(a);
        index.add(b);
        a.close(); // closed; its removal from this index has not happened yet
        List<Subscription> found = new ArrayList<>();
        index.collectMatches("/a/x", found);
        assertThat(found).containsExactly(b);
        assertThat(index.all()).containsExactly(b);
        index.remove(a);
        b.close();
        index.remove(b);
        assertThat(index.all()).isEmpty();
        assertThat(index.collectMatches("/a/x", found)).isZero();
    }

    private Subscription subscription(PathPattern pattern) {
        return new Subscription("t", pattern, true, true, new NoSubscriber(), bus);
    }

    private static PathPattern randomPattern(Random r) {
        StringBuilder sb = new StringBuilder();
        int depth = 1 + r.nextInt(4);
        for (int i = 0; i < depth; i++) {
            String seg = SEGMENTS[r.nextInt(SEGMENTS.length)];
            if (seg.equals("**") && i < depth - 1) {
                seg = "*";
            }
            sb.append('/').append(seg);
        }
        return PathPattern.compile(sb.toString());
    }

    private static String randomKey(Random r) {
        StringBuilder sb = new StringBuilder();
        int depth = 1 + r.nextInt(5);
        for (int i = 0; i < depth; i++) {
            sb.append('/').append(SEGMENTS[r.nextInt(3)]);
        }
        return sb.toString();
    }

    private static final class NoSubscriber implements Subscriber {
        @Override
        public boolean offerChange(Subscription subscription, Fanout<dev.pando.api.plugin.KvChange> change) {
            return true;
        }

        @Override
        public boolean offerEvent(Subscription subscription, Fanout<TopicEvent> event) {
            return true;
        }

        @Override
        public void overflowed() {}
    }
}
