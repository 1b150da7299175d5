package dev.pando.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
    private final Deadlines deadlines = new Deadlines("test-deadlines");

    @AfterEach
    void close() {
        deadlines.close();
    }

    @Test
    void aTaskRunsOnceItsDelayPassedAndACancelledOneNever() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        AtomicInteger cancelledRuns = new AtomicInteger();
        long start = System.nanoTime();
        deadlines.schedule(ran::countDown, 50);
        Deadlines.Timeout cancelled = deadlines.schedule(cancelledRuns::incrementAndGet, 20);
        assertThat(cancelled.cancel()).isTrue();
        assertThat(cancelled.cancel()).as("only once").isFalse();

        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        Thread.sleep(50);
        assertThat(cancelledRuns).hasValue(0);
    }

    @Test
    void anEarlierDeadlineWakesATimerSleepingUntilALaterOne() throws Exception {
        deadlines.schedule(() -> { }, 60_000); // the thread now sleeps for a minute
        Thread.sleep(20);
        CountDownLatch ran = new CountDownLatch(1);
        deadlines.schedule(ran::countDown, 10);
        // Well inside the minute: only a wake for the earlier deadline can have run it.
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void deadlinesCancelledInTimeDoNotWakeTheTimerEachTime() throws Exception {
        deadlines.schedule(() -> { }, 60_000);
        Thread.sleep(20);
        long before = deadlines.rounds.get();
        for (int i = 0; i < 10_000; i++) {
            assertThat(deadlines.schedule(() -> { }, 30_000).cancel()).isTrue();
        }
        // A scheduled executor wakes its thread for each task that heads its queue: 10,000 times here.
        assertThat(deadlines.rounds.get() - before).isLessThan(100);
    }

    @Test
    void aClosedTimerRefusesNewDeadlines() {
        Deadlines closed = new Deadlines("test-closed");
        closed.close();
        assertThatThrownBy(() -> closed.schedule(() -> { }, 10)).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void underConcurrentUseEveryDeadlineNotCancelledFiresExactlyOnceAndNoCancelledOne() throws Exception {
        int threads = 4;
        int each = 2_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(threads * each);
        boolean[] cancelled = new boolean[threads * each];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        int id = base + i;
                        Deadlines.Timeout timeout = deadlines.schedule(() -> runs.incrementAndGet(id), i % 7);
                        if (i % 3 != 0) {
                            cancelled[id] = timeout.cancel(); // false: it had fired already
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            Thread.sleep(100); // every deadline (at most 6 ms) has passed
            for (int id = 0; id < threads * each; id++) {
                assertThat(runs.get(id)).as("task %d (cancelled: %s)", id, cancelled[id]).isEqualTo(cancelled[id] ? 0 : 1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
