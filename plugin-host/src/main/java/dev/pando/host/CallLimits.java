package dev.pando.host;

/**
 * How the host queues one plugin's calls, beyond what its manifest sets.
 *
 * @param queue calls that may wait for a free instance, per plugin; more are refused at once
 *              with {@code UNAVAILABLE}
 */
public record CallLimits(int queue) {
    /** Default of {@code plugins.call-queue}. */
    public static final int DEFAULT_QUEUE = 64;
    public static final CallLimits DEFAULT = new CallLimits(DEFAULT_QUEUE);

    public CallLimits {
        if (queue < 0) {
            throw new IllegalArgumentException("queue must not be negative, got " + queue);
        }
    }
}
