package dev.pando.node.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(123 * SECOND);

    private RateLimiter limiter(long rate, long burst) {
        return new RateLimiter(rate, burst, now::get);
    }

    private static boolean tryAcquire(RateLimiter l, String key) {
        try {
            l.acquire(key);
            return true;
        } catch (PandoException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(e.retryAfterMillis()).isPositive();
            return false;
        }
    }

    private static long retryAfter(RateLimiter l, String key) {
        PandoException e = catchThrowableOfType(PandoException.class, () -> l.acquire(key));
        assertThat(e).as("expected RATE_LIMITED").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        return e.retryAfterMillis();
    }

    @Test
    void rateZeroDisablesLimiting() {
        RateLimiter l = limiter(0, 0);
        assertThat(l.enabled()).isFalse();
        for (int i = 0; i < 100_000; i++) {
            l.acquire("c");
        }
        RateLimiter alsoOff = limiter(0, 50);
        assertThat(alsoOff.enabled()).isFalse();
        assertThat(new RateLimiter(5, 5).enabled()).isTrue();
    }

    @Test
    void burstIsAvailableAtOnceThenTheRateApplies() {
        RateLimiter l = limiter(10, 5);
        for (int i = 0; i < 5; i++) {
            l.acquire("c");
        }
        PandoException e = catchThrowableOfType(PandoException.class, () -> l.acquire("c"));
        assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(e.retryAfterMillis()).isEqualTo(100);
        assertThat(e.getMessage()).contains("retry after 100 ms");
        // rejected calls take no token
        assertThat(retryAfter(l, "c")).isEqualTo(100);
    }

    @Test
    void tokensRefillAtTheRateUpToTheBurst() {
        RateLimiter l = limiter(10, 5);
        for (int i = 0; i < 5; i++) {
            l.acquire("c");
        }
        now.addAndGet(30 * MS);
        assertThat(retryAfter(l, "c")).isEqualTo(70);
        now.addAndGet(70 * MS);
        l.acquire("c"); // exactly one token after 100 ms
        assertThat(retryAfter(l, "c")).isEqualTo(100);

        now.addAndGet(250 * MS); // 2.5 tokens
        l.acquire("c");
        l.acquire("c");
        assertThat(retryAfter(l, "c")).isEqualTo(50);

        now.addAndGet(3600 * SECOND); // a long idle period refills only up to the burst
        int admitted = 0;
        while (tryAcquire(l, "c")) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(5);
    }

    @Test
    void retryAfterRoundsUpToWholeMilliseconds() {
        RateLimiter l = limiter(3, 1); // one token every 333.33 ms
        l.acquire("c");
        assertThat(retryAfter(l, "c")).isEqualTo(334);
        now.addAndGet(333 * MS);
        assertThat(retryAfter(l, "c")).isEqualTo(1);
        now.addAndGet(MS);
        l.acquire("c");

        RateLimiter fast = limiter(1_000_000, 1); // a token per microsecond: retry-after is at least 1 ms
        fast.acquire("c");
        assertThat(retryAfter(fast, "c")).isEqualTo(1);
    }

    @Test
    void burstBelowOneIsRaisedToOne() {
        RateLimiter l = limiter(10, 0);
        assertThat(l.enabled()).isTrue();
        l.acquire("c");
        assertThat(retryAfter(l, "c")).isEqualTo(100);
    }

    @Test
    void eachClientKeyHasItsOwnBucket() {
        RateLimiter l = limiter(1, 2);
        l.acquire("addr:10.0.0.1");
        l.acquire("addr:10.0.0.1");
        assertThatThrownBy(() -> l.acquire("addr:10.0.0.1")).isInstanceOf(PandoException.class)
                .hasMessageContaining("addr:10.0.0.1");
        l.acquire("addr:10.0.0.2");
        l.acquire("addr:10.0.0.2");
        l.acquire("alice");
        assertThatThrownBy(() -> l.acquire("addr:10.0.0.2")).isInstanceOf(PandoException.class);
        l.acquire("alice");
        assertThatThrownBy(() -> l.acquire("alice")).isInstanceOf(PandoException.class);
    }

    @Test
    void aTokenThatIsAlmostButNotQuiteThereAdmitsNobody() {
        // Rate 3/s: the next token is due 333,333,333.3 ns after the last one. One nanosecond
        // earlier the bucket holds 0.999999999 tokens; that must not admit anyone, let alone
        // everyone who asks at that instant.
        RateLimiter l = limiter(3, 1);
        long t0 = now.get();
        l.acquire("c");
        now.set(t0 + 333_333_333L);
        int admitted = 0;
        for (int i = 0; i < 10; i++) {
            admitted += tryAcquire(l, "c") ? 1 : 0;
        }
        assertThat(admitted).isZero();
        now.set(t0 + 333_333_334L);
        assertThat(tryAcquire(l, "c")).isTrue();
        assertThat(tryAcquire(l, "c")).isFalse();
    }

    @Test
    void aCallerThatReadTheClockEarlierDoesNotDrainTheBucket() {
        // Two concurrent calls: the one that read the clock first may take the bucket's lock
        // second. Its older timestamp must not count as negative elapsed time.
        RateLimiter l = limiter(1, 2);
        long t = now.get();
        l.acquire("c"); // 2 -> 1 token at t
        now.set(t - MS);
        l.acquire("c"); // 1 -> 0, not 0.999 -> rejected
        now.set(t + SECOND);
        l.acquire("c"); // one token accrued since t
        assertThat(retryAfter(l, "c")).isEqualTo(1000);
    }

    @Test
    void neverAdmitsMoreThanBurstPlusRateTimesElapsed() {
        Random rnd = new Random(1234);
        for (int round = 0; round < 100; round++) {
            long rate = 1 + rnd.nextInt(1000);
            long burst = 1 + rnd.nextInt(50);
            RateLimiter l = limiter(rate, burst);
            long start = now.get();
            long admitted = 0;
            for (int i = 0; i < 1000; i++) {
                // mostly tiny steps (many calls at the same instant), sometimes larger ones
                int step = rnd.nextInt(10);
                now.addAndGet(step < 6 ? 0 : step < 9 ? rnd.nextInt(1000) : rnd.nextInt((int) (SECOND / rate) + 1));
                admitted += tryAcquire(l, "c") ? 1 : 0;
            }
            double elapsedSeconds = (now.get() - start) / 1e9;
            assertThat((double) admitted).as("rate %d burst %d over %.6f s", rate, burst, elapsedSeconds)
                    .isLessThanOrEqualTo(burst + rate * elapsedSeconds + 1e-6);
        }
    }

    @Test
    void forgettingIdleBucketsNeverHandsOutMoreThanTheRefillWouldHave() {
        // rate 1/s with a burst of 100: after 61 s idle the bucket holds 61 tokens, not 100,
        // even if housekeeping forgets it meanwhile.
        RateLimiter l = limiter(1, 100);
        for (int i = 0; i < 100; i++) {
            l.acquire("heavy");
        }
        now.addAndGet(61 * SECOND);
        for (int i = 0; i < 5000; i++) {
            l.acquire("other-" + i); // enough calls to trigger idle-bucket eviction
        }
        int admitted = 0;
        while (tryAcquire(l, "heavy")) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(61);
    }

    @Test
    void idleBucketsAreForgotten() throws Exception {
        RateLimiter l = limiter(1000, 1000);
        for (int i = 0; i < 5000; i++) {
            l.acquire("client-" + i);
        }
        now.addAndGet(3600 * SECOND);
        for (int i = 0; i < 5000; i++) {
            l.acquire("late");
            now.addAndGet(MS);
        }
        var f = RateLimiter.class.getDeclaredField("buckets");
        f.setAccessible(true);
        assertThat(((java.util.Map<?, ?>) f.get(l)).size()).isLessThan(100);
    }
}
