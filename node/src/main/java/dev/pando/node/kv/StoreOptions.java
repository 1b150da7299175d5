package dev.pando.node.kv;

/**
 * Settings of a {@link StateStore}.
 *
 * @param nodeId recorded as the {@code origin} of writes accepted here
 * @param maxValueBytes largest serialized JSON value accepted by {@code set}
 * @param commitQueueCapacity writes that may wait for the commit thread before {@code set}
 *     fails with {@code UNAVAILABLE}
 * @param syncByDefault fsync the WAL before acknowledging every write, not only {@code sync} ones
 * @param retainCount newest changes the feed keeps; 0 = unlimited
 * @param retainAgeMillis age beyond which changes may be pruned from the feed; 0 = unlimited
 */
public record StoreOptions(
        String nodeId,
        int maxValueBytes,
        int commitQueueCapacity,
        boolean syncByDefault,
        long retainCount,
        long retainAgeMillis) {

    public static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;
    public static final int DEFAULT_COMMIT_QUEUE_CAPACITY = 65_536;

    public StoreOptions {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("maxValueBytes must be positive, got " + maxValueBytes);
        }
        if (commitQueueCapacity < 1) {
            throw new IllegalArgumentException("commitQueueCapacity must be positive, got " + commitQueueCapacity);
        }
        if (retainCount < 0 || retainAgeMillis < 0) {
            throw new IllegalArgumentException("retention limits must be >= 0 (0 = unlimited)");
        }
    }

    /** 64 KiB values, a 65,536-write commit queue, WAL without fsync, unlimited retention. */
    public static StoreOptions defaults(String nodeId) {
        return new StoreOptions(nodeId, DEFAULT_MAX_VALUE_BYTES, DEFAULT_COMMIT_QUEUE_CAPACITY, false, 0, 0);
    }

    public StoreOptions withMaxValueBytes(int bytes) {
        return new StoreOptions(nodeId, bytes, commitQueueCapacity, syncByDefault, retainCount, retainAgeMillis);
    }

    public StoreOptions withCommitQueueCapacity(int capacity) {
        return new StoreOptions(nodeId, maxValueBytes, capacity, syncByDefault, retainCount, retainAgeMillis);
    }

    public StoreOptions withSyncByDefault(boolean sync) {
        return new StoreOptions(nodeId, maxValueBytes, commitQueueCapacity, sync, retainCount, retainAgeMillis);
    }

    public StoreOptions withRetainCount(long count) {
        return new StoreOptions(nodeId, maxValueBytes, commitQueueCapacity, syncByDefault, count, retainAgeMillis);
    }

    public StoreOptions withRetainAgeMillis(long millis) {
        return new StoreOptions(nodeId, maxValueBytes, commitQueueCapacity, syncByDefault, retainCount, millis);
    }
}
