package dev.pando.host.kv;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;

/**
 * How many writes one plugin may make: per call (an op call, a listener delivery or its
 * {@code start}, counted on the calling thread) and per second (all its threads together). A
 * write over either budget fails with a typed error and changes nothing; the writes before it
 * stay committed. Shared by every view of the plugin's context ({@code actingAs} included).
 */
public final class WriteBudget {
    /** @param perCall writes one call may make; @param perSecond writes per second, across all threads */
    public record Limits(int perCall, int perSecond) {
        /** No budget: for builtins, whose write volume their own design bounds. */
        public static final Limits UNLIMITED = new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE);

        public Limits {
            if (perCall < 1 || perSecond < 1) {
                throw new IllegalArgumentException("write budgets must be positive, got " + perCall + " per call and " + perSecond + " per second");
            }
        }
    }

    /** One call's count; closing it ends the call. */
    public interface CallScope extends AutoCloseable {
        @Override
        void close();
    }

    private static final long SECOND_NANOS = 1_000_000_000L;

    private final String pluginId;
    private final Limits limits;
    private final ThreadLocal<int[]> currentCall = new ThreadLocal<>();
    private long windowStart = System.nanoTime();
    private int inWindow;

    public WriteBudget(String pluginId, Limits limits) {
        this.pluginId = pluginId;
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** Starts counting a call on the current thread (nested calls count on their own). */
    public CallScope openCall() {
        int[] previous = currentCall.get();
        currentCall.set(new int[1]);
        return () -> {
            if (previous == null) {
                currentCall.remove();
            } else {
                currentCall.set(previous);
            }
        };
    }

    /** Charges one write; throws {@code TOO_LARGE} (per call) or {@code RATE_LIMITED} (per second) over budget. */
    public void charge() {
        charge(1);
    }

    /**
     * Charges {@code writes} writes at once, all or none: an atomic batch counts each of its
     * writes, and one over either budget refuses the whole batch, charging nothing.
     */
    public void charge(int writes) {
        int[] call = currentCall.get();
        if (call != null && writes > limits.perCall() - call[0]) {
            throw new PandoException(ErrorCode.TOO_LARGE, writes == 1
                    ? "plugin '" + pluginId + "' made more than " + limits.perCall()
                            + " writes in one call (plugins.max-writes-per-call); the earlier ones are committed"
                    : "a batch of " + writes + " writes would take plugin '" + pluginId + "' past " + limits.perCall()
                            + " writes in one call (plugins.max-writes-per-call); none of it was written");
        }
        chargeSecond(writes);
        if (call != null) {
            call[0] += writes;
        }
    }

    private synchronized void chargeSecond(int writes) {
        long now = System.nanoTime();
        if (now - windowStart >= SECOND_NANOS) {
            windowStart = now;
            inWindow = 0;
        }
        if (writes > limits.perSecond() - inWindow) {
            throw new PandoException(ErrorCode.RATE_LIMITED, (writes == 1 ? "plugin '" + pluginId + "' made more than "
                    : "a batch of " + writes + " writes would take plugin '" + pluginId + "' past ") + limits.perSecond()
                    + " writes in a second (plugins.max-writes-per-second)");
        }
        inWindow += writes;
    }
}
