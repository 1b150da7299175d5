package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventuallyTest {
    @Test
    void returnsTheFirstValueThatIsNeitherNullNorFalse() {
        AtomicInteger calls = new AtomicInteger();
        String value = Eventually.eventually("the third call", Duration.ofSeconds(5), () -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                throw new IllegalStateException("not yet");
            }
            return n == 3 ? "done" : null;
        });
        assertThat(value).isEqualTo("done");
        assertThat(calls).hasValue(3);

        AtomicInteger flips = new AtomicInteger();
        assertThat(Eventually.eventually("true", Duration.ofSeconds(5), () -> flips.incrementAndGet() > 2)).isTrue();
        assertThat(flips).hasValue(3);
    }

    @Test
    void timesOutNamingWhatAndTheLastFailure() {
        long t0 = System.nanoTime();
        AssertionError e = catchThrowableOfType(AssertionError.class, () -> Eventually.eventually("the moon", Duration.ofMillis(100), () -> {
            throw new IllegalStateException("still waxing");
        }));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).isEqualTo("not within 100 ms: the moon (last: java.lang.IllegalStateException: still waxing)");
        assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);

        AssertionError never = catchThrowableOfType(AssertionError.class, () -> Eventually.eventually("false", Duration.ofMillis(50), () -> false));
        assertThat(never.getMessage()).isEqualTo("not within 50 ms: false");
    }
}
