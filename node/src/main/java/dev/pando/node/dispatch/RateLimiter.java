package dev.pando.node.dispatch;

import dev.pando.api.PandoException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets per client key: {@code ratePerSecond} sustained, {@code burst} at once. A rate of
 * 0 disables limiting. Idle buckets are forgotten so the map does not grow with every client
 * ever seen.
 */
public final class RateLimiter {
    private static final long IDLE_EVICT_NANOS = 60_000_000_000L;
    private static final int EVICT_CHECK_EVERY = 4096;

    private final double ratePerNano;
    private final double burst;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final String what;
    private int sinceEvict;

    public RateLimiter(long ratePerSecond, long burst) {
        this("rate limit", ratePerSecond, burst);
    }

    /** @param what names the limit in refusals ({@code publish rate limit}) */
    public RateLimiter(String what, long ratePerSecond, long burst) {
        this(what, ratePerSecond, burst, System::nanoTime);
    }

    RateLimiter(long ratePerSecond, long burst, LongSupplier nanoClock) {
        this("rate limit", ratePerSecond, burst, nanoClock);
    }

    private RateLimiter(String what, long ratePerSecond, long burst, LongSupplier nanoClock) {
        this.what = what;
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = Math.max(burst, ratePerSecond == 0 ? 0 : 1);
        this.clock = nanoClock;
    }

    public boolean enabled() {
        return ratePerNano > 0;
    }

    /** Takes one token for {@code clientKey} or throws {@code RATE_LIMITED} with retry-after. */
    public void acquire(String clientKey) {
        if (!enabled()) {
            return;
        }
        long now = clock.getAsLong();
        Bucket b = buckets.computeIfAbsent(clientKey, k -> new Bucket(burst, now));
        boolean admitted;
        double waitNanos = 0;
        synchronized (b) {
            // A caller that read the clock before another took the lock sees now < last: that is
            // no time elapsed, not negative time (which would take tokens away).
            if (now > b.last) {
                b.tokens = Math.min(burst, b.tokens + (now - b.last) * ratePerNano);
                b.last = now;
            }
            admitted = b.tokens >= 1;
            if (admitted) {
                b.tokens -= 1;
            } else {
                waitNanos = (1 - b.tokens) / ratePerNano;
            }
        }
        if (++sinceEvict >= EVICT_CHECK_EVERY) { // racy counter on purpose: eviction is housekeeping
            sinceEvict = 0;
            buckets.values().removeIf(x -> isFullAndIdle(x, now));
        }
        if (!admitted) {
            long ms = Math.max(1, ((long) waitNanos + 999_999) / 1_000_000);
            throw PandoException.rateLimited(what + " exceeded for " + clientKey + "; retry after " + ms + " ms", ms);
        }
    }

    /**
     * A bucket may be forgotten only once it has been idle a while and would be full by now:
     * forgetting it then is the same as keeping it, since a new one starts full. (With a burst
     * larger than a minute's refill, an idle-only rule would hand out a fresh burst early.)
     */
    private boolean isFullAndIdle(Bucket x, long now) {
        synchronized (x) {
            return now - x.last > IDLE_EVICT_NANOS && x.tokens + (now - x.last) * ratePerNano >= burst;
        }
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }
    }
}
