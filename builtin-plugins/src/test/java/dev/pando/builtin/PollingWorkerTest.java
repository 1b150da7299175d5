package dev.pando.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.pando.api.plugin.ChangeFeed;
import dev.pando.api.plugin.KvChange;
import dev.pando.host.HostServices;
import dev.pando.host.testing.MemoryHostServices;
import dev.pando.host.testing.TestHost;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class PollingWorkerTest {
    private static final long LONG_IDLE_MS = 60_000;
    private final MemoryHostServices services = TestHost.services();
    private final ChangeFeed feed = services.feed("test");
    private final AtomicLong position = new AtomicLong();
    /** Changes each non-empty step took. */
    private final List<Integer> steps = new CopyOnWriteArrayList<>();

    private int step() {
        List<KvChange> read = feed.read(position.get(), 100);
        if (!read.isEmpty()) {
            position.set(read.get(read.size() - 1).revision());
            steps.add(read.size());
        }
        return read.size();
    }

    private void write(int i) {
        services.set("/k/" + i, IntNode.valueOf(i), HostServices.NO_CAS, "w");
    }

    private PollingWorker worker(BooleanSupplier follow) {
        return PollingWorker.following("test-worker", this::step, 100, feed, position::get, follow, LONG_IDLE_MS,
                LoggerFactory.getLogger("test"));
    }

    @Test
    void aLingeringWorkerWokenByACommitTakesWhatCameMeanwhileInOneStep() throws Exception {
        PollingWorker w = worker(() -> true).lingering(500);
        w.start();
        try {
            Thread.sleep(50); // idle, waiting on the feed
            for (int i = 0; i < 10; i++) {
                write(i); // the first wakes it; the rest land during its linger
            }
            awaitTrue(() -> position.get() == feed.lastRevision());
            assertThat(steps).containsExactly(10);
        } finally {
            w.stop();
        }
    }

    @Test
    void whileNotFollowingOnlyAWakeOrTheIdleTimeEndsTheWait() throws Exception {
        AtomicBoolean follow = new AtomicBoolean(false);
        PollingWorker w = worker(follow::get);
        w.start();
        try {
            Thread.sleep(50);
            write(1);
            Thread.sleep(300);
            assertThat(steps).as("a commit does not wake a worker that is not following").isEmpty();
            w.wake();
            awaitTrue(() -> steps.size() == 1);
            assertThat(steps).containsExactly(1);
        } finally {
            w.stop();
        }
    }

    @Test
    void aFollowingWorkerStopsPromptlyFromAnIdleWaitOnTheFeed() throws Exception {
        PollingWorker w = worker(() -> true);
        w.start();
        Thread.sleep(50); // in its wait on the feed, which lasts up to a minute
        long start = System.nanoTime();
        w.stop();
        assertThat(w.isRunning()).isFalse();
        // Without the slices, stop() waits out PollingWorker.STOP_JOIN_MS and then interrupts.
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms to stop").isLessThan(PollingWorker.STOP_JOIN_MS);
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
