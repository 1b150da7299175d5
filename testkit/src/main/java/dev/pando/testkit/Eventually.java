package dev.pando.testkit;

import java.time.Duration;
import java.util.function.Supplier;

/** Bounded polling for things that happen asynchronously (a listener's write, a reload by the watcher). */
public final class Eventually {
    /** How long {@link #eventually} sleeps between probes. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(20);

    private Eventually() {}

    /**
     * Calls {@code probe} until it returns something other than null or {@link Boolean#FALSE}
     * (a probe that throws a {@link RuntimeException} or an {@link AssertionError} counts as
     * "not yet"), and returns that value. After {@code bound} it throws an {@link AssertionError}
     * naming {@code what}, with the probe's last exception as the cause.
     *
     * <pre>{@code
     * JsonNode seen = eventually("the listener records /sensors/t1", Duration.ofSeconds(10),
     *         () -> client.find("/_plugins/nat/seen/t1").orElse(null));
     * }</pre>
     */
    public static <T> T eventually(String what, Duration bound, Supplier<T> probe) {
        long deadline = System.nanoTime() + bound.toNanos();
        Throwable last = null;
        while (true) {
            try {
                T value = probe.get();
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
            } catch (RuntimeException | AssertionError e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + bound.toMillis() + " ms: " + what + (last == null ? "" : " (last: " + last + ")"), last);
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
