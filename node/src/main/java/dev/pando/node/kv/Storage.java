package dev.pando.node.kv;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine seam under {@link StateStore}: an ordered byte store with three spaces (state,
 * change feed, meta). It knows nothing about JSON, revisions rules or validation; the store
 * encodes records and decides what to write. State keys are compared as unsigned bytes (UTF-8
 * order). Implementations are thread-safe; after {@link #close()} every call fails with
 * {@code UNAVAILABLE}, and engine failures surface as {@code PandoException(INTERNAL)}.
 */
public interface Storage extends AutoCloseable {

    /**
     * One committed write: the state record for {@code key} ({@code entry} null = delete it)
     * and the change-feed record stored under {@code revision} ({@code change} null = an
     * unpublished write, which the feed never holds: its revision is a gap there).
     */
    record Mutation(byte[] key, byte[] entry, long revision, byte[] change) {}

    /**
     * Writes the whole batch atomically: every state put/delete, every feed record, and the
     * last revision (that of the final mutation). Returns once the batch is in the WAL; with
     * {@code sync} the WAL is also fsynced.
     */
    void apply(List<Mutation> batch, boolean sync);

    /** The revision of the last applied mutation, 0 for a new store. */
    long lastRevision();

    /** The state record stored for {@code key}, or null. */
    byte[] get(byte[] key);

    /**
     * {@link #get} answered from memory only (memtables, block cache), for callers that must not
     * wait on disk, such as an event loop: empty if the answer would need a disk read.
     */
    Optional<Lookup> getInMemory(byte[] key);

    /** What a memory-only read found: the state record for the key, or none (absent). */
    record Lookup(Optional<byte[]> record) {}

    /**
     * State records with {@code from <= key < to} in key order; {@code to} null = no upper
     * bound. The caller must close the iterator, on the thread that opened it.
     */
    StateIterator iterate(byte[] from, byte[] to);

    /**
     * Bytes of records one {@link #changes} read, or one scan page, holds at most: a read stops
     * once its records reach this (it always holds at least one), so a reader asking for
     * thousands of large values gets a short page instead of making the node hold them all.
     */
    int MAX_READ_BYTES = 4 << 20;

    /**
     * Feed records with revision >= {@code fromRevision}, oldest first, at most {@code limit}
     * and no more once they reach {@link #MAX_READ_BYTES}.
     */
    List<byte[]> changes(long fromRevision, int limit);

    /**
     * The lowest revision the feed still answers for: one past the newest record pruned (1 when
     * none was), so a reader after {@code feedStart() - 1} or later missed nothing. The feed has
     * gaps (unpublished writes), so its first record does not tell this.
     */
    long feedStart();

    /** The revision of the newest feed record, or {@code feedStart() - 1} if the feed holds none. */
    long lastChangeRevision();

    /** Deletes every feed record with revision < {@code beforeRevision}, and moves {@link #feedStart} past the newest of them. */
    void pruneChanges(long beforeRevision);

    /** A small named value (cursor positions), or null. */
    byte[] getMeta(String name);

    /** Stores a small named value; {@code value} null deletes it. */
    void putMeta(String name, byte[] value);

    /** All meta values whose name starts with {@code prefix}. */
    Map<String, byte[]> listMeta(String prefix);

    /** Rough bytes used on disk and in memory. */
    long approximateSizeBytes();

    /** Rough number of state keys. */
    long approximateKeyCount();

    /** How this start found the store; engines without a WAL always start clean. */
    default StoreRecovery recovery() {
        return StoreRecovery.clean(lastRevision());
    }

    /** Flushes and releases the engine. Idempotent. */
    @Override
    void close();

    /** A forward cursor over state records; {@link #next()} must return true before reading. */
    interface StateIterator extends AutoCloseable {
        boolean next();

        byte[] key();

        byte[] value();

        @Override
        void close();
    }
}
