package dev.pando.node.kv;

import dev.pando.api.json.JsonRules;
import dev.pando.api.manifest.PluginManifest;

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
 * @param maxJsonDepth deepest nesting of arrays/objects a value may have ({@code limits.max-json-depth}),
 *     so that everything stored can be read back, fed and pushed
 */
public record StoreOptions(
        String nodeId,
        int maxValueBytes,
        int commitQueueCapacity,
        boolean syncByDefault,
        long retainCount,
        long retainAgeMillis,
        int maxJsonDepth) {

    public static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;
    public static final int DEFAULT_COMMIT_QUEUE_CAPACITY = 65_536;
    /**
     * Bytes a plugin's own record (a key under {@code /_plugins/}) may hold beyond
     * {@link #maxValueBytes}. Plugins keep records that wrap an admitted value with its change's
     * metadata (the journal's entries and base): key, writer and origin at most
     * {@link dev.pando.api.path.Keys#MAX_KEY_BYTES} and {@link WriteOptions#MAX_NAME_BYTES} each,
     * at most doubled by JSON escaping, plus a few numbers, stay well inside this, so such a
     * record always fits when its value did.
     */
    public static final int PLUGIN_RECORD_EXTRA_BYTES = 16 * 1024;
    /** Levels of nesting a plugin's own record may have beyond {@link #maxJsonDepth}, for the same reason. */
    public static final int PLUGIN_RECORD_EXTRA_DEPTH = 4;
    private static final String PLUGIN_RECORDS = PluginManifest.PLUGINS_ROOT + "/";

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
        JsonRules.requireDepthLimit(maxJsonDepth);
    }

    /** The largest serialized value {@code key} may hold: {@link #maxValueBytes}, more for a plugin's own record. */
    public int valueBytesLimit(String key) {
        return key.startsWith(PLUGIN_RECORDS) ? maxValueBytes + PLUGIN_RECORD_EXTRA_BYTES : maxValueBytes;
    }

    /** The deepest nesting {@code key}'s value may have: {@link #maxJsonDepth}, more for a plugin's own record. */
    public int depthLimit(String key) {
        return key.startsWith(PLUGIN_RECORDS) ? maxJsonDepth + PLUGIN_RECORD_EXTRA_DEPTH : maxJsonDepth;
    }

    /** As the canonical constructor with the default JSON depth limit. */
    public StoreOptions(String nodeId, int maxValueBytes, int commitQueueCapacity, boolean syncByDefault,
            long retainCount, long retainAgeMillis) {
        this(nodeId, maxValueBytes, commitQueueCapacity, syncByDefault, retainCount, retainAgeMillis,
                JsonRules.DEFAULT_MAX_DEPTH);
    }

    /** 64 KiB values, a 65,536-write commit queue, WAL without fsync, unlimited retention. */
    public static StoreOptions defaults(String nodeId) {
        return new StoreOptions(nodeId, DEFAULT_MAX_VALUE_BYTES, DEFAULT_COMMIT_QUEUE_CAPACITY, false, 0, 0,
                JsonRules.DEFAULT_MAX_DEPTH);
    }

    public StoreOptions withMaxValueBytes(int bytes) {
        return new StoreOptions(nodeId, bytes, commitQueueCapacity, syncByDefault, retainCount, retainAgeMillis, maxJsonDepth);
    }

    public StoreOptions withCommitQueueCapacity(int capacity) {
        return new StoreOptions(nodeId, maxValueBytes, capacity, syncByDefault, retainCount, retainAgeMillis, maxJsonDepth);
    }

    public StoreOptions withSyncByDefault(boolean sync) {
        return new StoreOptions(nodeId, maxValueBytes, commitQueueCapacity, sync, retainCount, retainAgeMillis, maxJsonDepth);
    }

    public StoreOptions withRetainCount(long count) {
        return new StoreOptions(nodeId, maxValueBytes, commitQueueCapacity, syncByDefault, count, retainAgeMillis, maxJsonDepth);
    }

    public StoreOptions withRetainAgeMillis(long millis) {
        return new StoreOptions(nodeId, maxValueBytes, commitQueueCapacity, syncByDefault, retainCount, millis, maxJsonDepth);
    }

    public StoreOptions withMaxJsonDepth(int depth) {
        return new StoreOptions(nodeId, maxValueBytes, commitQueueCapacity, syncByDefault, retainCount, retainAgeMillis, depth);
    }
}
