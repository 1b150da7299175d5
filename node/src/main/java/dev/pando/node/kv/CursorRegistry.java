package dev.pando.node.kv;

import static dev.pando.node.kv.RecordCodec.bytesToLong;
import static dev.pando.node.kv.RecordCodec.longBytes;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The positions of named change-feed consumers, kept in memory for retention and persisted in
 * storage meta as {@code cursor.<name>} on every change so they survive restarts.
 */
final class CursorRegistry {
    static final int MAX_NAME_LENGTH = 200;
    private static final String META_PREFIX = "cursor.";

    private final Storage storage;
    private final ConcurrentHashMap<String, Long> positions = new ConcurrentHashMap<>();

    CursorRegistry(Storage storage) {
        this.storage = storage;
        storage.listMeta(META_PREFIX).forEach((k, v) -> positions.put(k.substring(META_PREFIX.length()), bytesToLong(v)));
    }

    /** Registers {@code name} at position 0 (the start of history) unless it exists. */
    void register(String name) {
        requireValidName(name);
        positions.computeIfAbsent(name, n -> {
            storage.putMeta(META_PREFIX + n, longBytes(0));
            return 0L;
        });
    }

    long position(String name) {
        Long p = positions.get(name);
        if (p == null) {
            throw new PandoException(ErrorCode.NOT_FOUND, "no change cursor named '" + name + "' (dropped?)");
        }
        return p;
    }

    void commit(String name, long revision, long lastRevision) {
        if (revision < 0 || revision > lastRevision) {
            throw new PandoException(ErrorCode.BAD_REQUEST,
                    "cannot commit cursor '" + name + "' at revision " + revision + "; last revision is " + lastRevision);
        }
        // Persisting inside compute keeps the stored order equal to the in-memory order.
        Long updated = positions.computeIfPresent(name, (n, current) -> {
            if (revision <= current) {
                return current;
            }
            storage.putMeta(META_PREFIX + n, longBytes(revision));
            return revision;
        });
        if (updated == null) {
            position(name); // throws NOT_FOUND
        }
    }

    boolean drop(String name) {
        boolean[] removed = new boolean[1];
        positions.computeIfPresent(name, (n, p) -> {
            storage.putMeta(META_PREFIX + n, null);
            removed[0] = true;
            return null;
        });
        return removed[0];
    }

    /** The lowest committed position, or {@code Long.MAX_VALUE} if there are no cursors. */
    long minPosition() {
        return positions.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
    }

    Map<String, Long> snapshot() {
        return new TreeMap<>(positions);
    }

    private static void requireValidName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new PandoException(ErrorCode.BAD_REQUEST,
                    "cursor name must be 1.." + MAX_NAME_LENGTH + " characters without control characters");
        }
    }
}
