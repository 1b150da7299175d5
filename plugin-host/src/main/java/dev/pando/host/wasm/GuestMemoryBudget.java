package dev.pando.host.wasm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The guest linear memory a whole node may hold, in bytes, across every instance of every WASM
 * plugin (idle pooled instances included). An instance draws its initial memory from it when it
 * is built and every {@code memory.grow} after that; a grow that does not fit returns -1 to the
 * guest, as WebAssembly specifies for any refused grow, and an instance whose initial memory does
 * not fit is not built (the call fails with {@code UNAVAILABLE}). Memory goes back to the budget
 * when its instance is dropped.
 */
public final class GuestMemoryBudget {
    /** The config key that sets the budget, in MiB. */
    public static final String KEY = "plugins.max-total-memory-mb";
    public static final int DEFAULT_MB = 1024;

    private final long limitBytes;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();

    public GuestMemoryBudget(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("the guest memory budget must be positive, got " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    public static GuestMemoryBudget ofMegabytes(int mb) {
        return new GuestMemoryBudget((long) mb * 1024 * 1024);
    }

    /** A budget that never refuses, but still counts. */
    public static GuestMemoryBudget unlimited() {
        return new GuestMemoryBudget(Long.MAX_VALUE);
    }

    /** Takes {@code bytes} from the budget if they fit; false (and nothing taken) if not. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = used.get();
            if (bytes > limitBytes - now) {
                refusals.incrementAndGet();
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                peak.accumulateAndGet(now + bytes, Math::max);
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** Guest memory held right now. */
    public long usedBytes() {
        return used.get();
    }

    /** The most ever held at once. */
    public long peakBytes() {
        return peak.get();
    }

    /** Grows and instances refused for lack of budget. */
    public long refusals() {
        return refusals.get();
    }
}
