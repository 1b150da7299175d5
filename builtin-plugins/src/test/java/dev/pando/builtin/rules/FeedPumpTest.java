package dev.pando.builtin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.builtin.ForwardingFeed;
import dev.pando.host.HostServices;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.TestHost;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class FeedPumpTest {
    private final MemoryHostServices services = TestHost.services();
    private final List<String> seen = new CopyOnWriteArrayList<>();

    private void write(String key) {
        services.set(key, IntNode.valueOf(1), HostServices.NO_CAS, "test");
    }

    @Test
    void startsAtTheHeadThenHandsOnEveryChangeAndCommits() throws Exception {
        write("/before");
        ChangeFeed feed = services.feed("plugin:rules");
        FeedPump pump = new FeedPump(feed, c -> seen.add(c.key()), () -> true, LoggerFactory.getLogger("test"));
        pump.start();
        try {
            for (int i = 0; i < 1200; i++) {
                write("/after/" + i);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (seen.size() < 1200 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            pump.stop();
        }
        assertThat(seen).as("history before the first start is not replayed").doesNotContain("/before");
        assertThat(seen).hasSize(1200).startsWith("/after/0").endsWith("/after/1199");
        assertThat(feed.position()).isEqualTo(services.feed("x").lastRevision());
    }

    @Test
    void aBatchThatFailsIsReadAgain() {
        ChangeFeed feed = services.feed("plugin:rules");
        feed.commit(0);
        write("/a");
        List<KvChange> got = new CopyOnWriteArrayList<>();
        boolean[] fail = {true};
        FeedPump pump = new FeedPump(feed, c -> {
            if (fail[0]) {
                throw new IllegalStateException("engine down");
            }
            got.add(c);
        }, () -> true, LoggerFactory.getLogger("test"));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(pump::step)).hasMessage("engine down");
        assertThat(feed.position()).as("not committed").isZero();
        fail[0] = false;
        assertThat(pump.step()).isEqualTo(1);
        assertThat(got).extracting(KvChange::key).containsExactly("/a");
        assertThat(feed.position()).isEqualTo(1);
    }

    @Test
    void withoutChangeRulesItReadsNothingYetKeepsTheCursorAtTheHeadAndWakesForTheFirstRule() throws Exception {
        CountingFeed feed = new CountingFeed(services.feed("plugin:rules"));
        AtomicBoolean watching = new AtomicBoolean();
        FeedPump pump = new FeedPump(feed, c -> seen.add(c.key()), watching::get, LoggerFactory.getLogger("test"));
        pump.start();
        try {
            for (int i = 0; i < 50; i++) {
                write("/unwatched/" + i);
            }
            long head = feed.lastRevision();
            awaitTrue(() -> feed.position() == head); // after the first idle wait (1 s)
            assertThat(feed.reads).as("changes read while no rule fires on changes").hasValue(0);

            write("/unwatched/late"); // committed after that wait, before the rule
            pump.aroundFirstRule(() -> watching.set(true)); // the engine installs a change rule through the pump
            write("/watched/1");
            awaitTrue(() -> seen.contains("/watched/1"));
            assertThat(seen).as("changes before the rule existed are not evaluated").containsExactly("/watched/1");
        } finally {
            pump.stop();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** Counts the changes read through it. */
    private static final class CountingFeed extends ForwardingFeed {
        final AtomicInteger reads = new AtomicInteger();

        CountingFeed(ChangeFeed delegate) {
            super(delegate);
        }

        @Override
        public List<KvChange> poll(int limit) {
            List<KvChange> got = super.poll(limit);
            reads.addAndGet(got.size());
            return got;
        }

        @Override
        public List<KvChange> read(long afterRevision, int limit) {
            List<KvChange> got = super.read(afterRevision, limit);
            reads.addAndGet(got.size());
            return got;
        }
    }
}
