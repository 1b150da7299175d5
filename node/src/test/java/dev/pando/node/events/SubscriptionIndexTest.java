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
