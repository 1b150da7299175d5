package dev.pando.client;

/**
 * What a subscription receives: stored {@code changes}, ephemeral {@code events}, and whether
 * the node should first return a {@code snapshot} of the matching entries.
 */
public record SubscribeOptions(boolean changes, boolean events, boolean snapshot) {
    public SubscribeOptions {
        if (!changes && !events) {
            throw new IllegalArgumentException("a subscription must receive changes, events or both");
        }
    }

    /** Changes and events, no snapshot (the node's defaults). */
    public static SubscribeOptions defaults() {
        return new SubscribeOptions(true, true, false);
    }

    public static SubscribeOptions changesOnly() {
        return new SubscribeOptions(true, false, false);
    }

    public static SubscribeOptions eventsOnly() {
        return new SubscribeOptions(false, true, false);
    }

    public SubscribeOptions withSnapshot(boolean snapshot) {
        return new SubscribeOptions(changes, events, snapshot);
    }
}
