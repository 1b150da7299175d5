package dev.pando.builtin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExecutorSchedulerTest {

    @Test
    void runsOnceAndPeriodicallyOnADaemonThreadAndSurvivesAThrowingTask() throws Exception {
        ExecutorScheduler s = new ExecutorScheduler();
        try {
            CountDownLatch once = new CountDownLatch(1);
            boolean[] daemon = new boolean[1];
            s.once(() -> {
                daemon[0] = Thread.currentThread().isDaemon();
                once.countDown();
            }, 1);
            assertThat(once.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(daemon[0]).isTrue();

            CountDownLatch ticks = new CountDownLatch(3);
            AtomicInteger calls = new AtomicInteger();
            s.every(() -> {
                ticks.countDown();
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("first tick fails");
                }
            }, 5);
            // A periodic task that threw once would never run again without the guard.
            assertThat(ticks.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            s.close();
        }
    }

    @Test
    void closeCancelsPendingTasksStopsItsThreadAndIgnoresNewTasks() throws Exception {
        ExecutorScheduler s = new ExecutorScheduler();
        String[] name = new String[1];
        CountDownLatch started = new CountDownLatch(1);
        s.once(() -> {
            name[0] = Thread.currentThread().getName();
            started.countDown();
        }, 1);
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        AtomicInteger ran = new AtomicInteger();
        s.once(ran::incrementAndGet, 200);
        s.close();
        s.once(ran::incrementAndGet, 1).cancel();
        Thread.sleep(300);
        assertThat(ran.get()).isZero();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name[0])) {
                t.join(2000); // termination is reported a moment before the worker returns
                assertThat(t.isAlive()).as("scheduler thread still alive after close").isFalse();
            }
        }
    }
}
