package dev.pando.node.kv;

import dev.pando.api.plugin.KvChange;
import java.util.List;

/**
 * A named, durable position in the change feed for one consumer (journal, federation, …).
 * {@link #poll(int)} returns the changes after {@link #position()}; once the consumer has
 * durably handled them it calls {@link #commit(long)}. After a crash it resumes at the
 * committed position, so it sees no gap; it may see again changes it handled but had not
 * committed, which it must treat idempotently (skip revisions it already applied).
 *
 * <p>While a cursor exists, retention keeps every change after its position: a consumer that
 * stops for good holds the feed forever, so remove it with {@link StateStore#dropCursor}.
 * Handles are cheap views on the store's registry; all handles of one name share a position.
 */
public final class ChangeCursor {
    private final StateStore store;
    private final String name;

    ChangeCursor(StateStore store, String name) {
        this.store = store;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The last revision this consumer committed (0 = nothing yet); NOT_FOUND once dropped. */
    public long position() {
        return store.cursors().position(name);
    }

    /**
     * Records that every change up to {@code revision} is handled, durably. Positions only move
     * forward: committing a revision at or below the current position does nothing. Committing
     * past {@link StateStore#lastRevision()} is {@code BAD_REQUEST}.
     */
    public void commit(long revision) {
        store.cursors().commit(name, revision, store.lastRevision());
    }

    /**
     * Up to {@code limit} changes after {@link #position()}, oldest first; does not move the
     * position. Fails with {@code NOT_FOUND} if retention already dropped some of them.
     */
    public List<KvChange> poll(int limit) {
        return store.changesSince(position(), limit);
    }

    @Override
    public String toString() {
        return "ChangeCursor[" + name + "]";
    }
}
