package dev.pando.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallWatchdogTest {
    private final CallWatchdog watchdog = new CallWatchdog();

    @AfterEach
    void tearDown() {
        watchdog.close();
        assertThat(Thread.interrupted()).as("test thread left interrupted").isFalse();
    }

    /** Spins until {@code guard} has expired (bounded, so a broken watchdog fails rather than hangs). */
    private static void awaitExpiry(CallWatchdog.Guard guard) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!guard.expired()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("guard never expired");
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void expiredGuardInterruptsABlockedCall() {
        try (CallWatchdog.Guard guard = watchdog.start(50)) {
            assertThatThrownBy(() -> Thread.sleep(30_000)).isInstanceOf(InterruptedException.class);
            assertThat(guard.expired()).isTrue();
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void expiredGuardSetsTheFlagAndCloseClearsIt() {
        CallWatchdog.Guard guard = watchdog.start(20);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Thread.currentThread().isInterrupted()) {
            assertThat(System.nanoTime()).as("interrupt never arrived").isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(guard.expired()).isTrue();

        guard.close();

        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(guard.expired()).as("expiry is remembered after close").isTrue();
        guard.close();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void theGuardedThreadIsInterruptedNotTheOneThatClosesTheWatchdog() throws Exception {
        AtomicBoolean workerInterrupted = new AtomicBoolean();
        AtomicBoolean workerFlagAfterClose = new AtomicBoolean(true);
        Thread worker = new Thread(() -> {
            try (CallWatchdog.Guard guard = watchdog.start(50)) {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    workerInterrupted.set(guard.expired());
                }
            }
            workerFlagAfterClose.set(Thread.currentThread().isInterrupted());
        });
        worker.start();
        worker.join(10_000);

        assertThat(worker.isAlive()).isFalse();
        assertThat(workerInterrupted).isTrue();
        assertThat(workerFlagAfterClose).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void guardClosedInTimeNeverInterrupts() throws Exception {
        CallWatchdog.Guard guard = watchdog.start(100);
        guard.close();
        assertThat(guard.expired()).isFalse();
        // Well past the deadline: a late interrupt would make sleep throw.
        Thread.sleep(400);
        assertThat(guard.expired()).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    /** True once a watchdog timer thread is blocked on a monitor (the guard's, in the test below). */
    private static boolean timerBlocked() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("pando-plugin-watchdog") && t.getState() == Thread.State.BLOCKED);
    }

    /**
     * The exact race, made deterministic: the deadline passes and the watchdog's expiry is already
     * running (so cancelling the timer task no longer stops it) when close() is called. Holding the
     * guard's monitor parks the watchdog thread inside the expiry until close() has returned.
     * (White-box: relies on Guard synchronising on itself; if that changes, the test still checks
     * that no interrupt is pending or arrives after close.)
     */
    @Test
    void expiryAlreadyRunningWhenCloseIsCalledDoesNotInterruptLater() throws Exception {
        CallWatchdog.Guard guard = watchdog.start(20);
        boolean parked = false;
        synchronized (guard) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!parked && System.nanoTime() < deadline) {
                parked = timerBlocked();
                Thread.sleep(5);
            }
            guard.close();
        }
        // The watchdog thread now gets the monitor; it must see the call finished and stand down.
        Thread.sleep(200);
        assertThat(Thread.currentThread().isInterrupted()).as("interrupt arrived after close").isFalse();
        if (parked) {
            assertThat(guard.expired()).as("expiry that lost the race to close").isFalse();
        }
    }

    /**
     * Many guards with timeouts of 0-2 ms, closed at random moments around their deadline, so
     * the watchdog and close() race. Whatever the order, no interrupt may be pending once close()
     * returns, nor arrive afterwards (checked at the next iteration and by the final sleep).
     */
    private static int raceLoop(CallWatchdog watchdog, int iterations) throws InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int expired = 0;
        for (int i = 0; i < iterations; i++) {
            assertThat(Thread.currentThread().isInterrupted()).as("stray interrupt before iteration %d", i).isFalse();
            CallWatchdog.Guard guard = watchdog.start(i % 3);
            if (i % 7 == 0) {
                awaitExpiry(guard); // always exercise the expired path too
            } else {
                long until = System.nanoTime() + random.nextLong(0, 600_000);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            guard.close();
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt pending after close, iteration %d", i).isFalse();
            if (guard.expired()) {
                expired++;
            }
        }
        Thread.sleep(50); // throws InterruptedException if an interrupt lands after the last close
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        return expired;
    }

    @Test
    void noStrayInterruptAfterCloseOnOneThread() throws Exception {
        int expired = raceLoop(watchdog, 800);
        assertThat(expired).isPositive();
    }

    @Test
    void noStrayInterruptAfterCloseWithThreadsSharingTheWatchdog() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                runs.add(pool.submit(() -> raceLoop(watchdog, 300)));
            }
            for (Future<Integer> run : runs) {
                assertThat(run.get(60, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void zeroTimeoutExpiresImmediately() {
        AtomicReference<Boolean> expired = new AtomicReference<>();
        try (CallWatchdog.Guard guard = watchdog.start(0)) {
            awaitExpiry(guard);
            expired.set(guard.expired());
        }
        assertThat(expired.get()).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
}
