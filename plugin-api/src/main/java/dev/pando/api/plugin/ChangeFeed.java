package dev.pando.api.plugin;

import java.util.List;

/**
 * The node's change feed read through a durable cursor of the plugin's own: every committed
 * write except unpublished ones ({@link PluginKv#applyUnpublished}), in revision order.
 * {@link #poll} returns what follows {@link #position()}; once the plugin has durably handled
 * those changes it calls {@link #commit}. After a crash or restart it resumes at the committed
 * position, so it never misses a change; it may see again changes it handled but had not
 * committed, and must skip those (by revision) itself.
 *
 * <p>The cursor comes into being the first time {@link #position}, {@link #poll} or
 * {@link #commit} is called; from then on the node keeps every change after its position. A
 * plugin that only {@link #read}s at positions of its own (federation's peers) holds nothing back,
 * and reading after {@link #firstRevision()} {@code - 1} tells it what retention pruned. Needs the
 * {@code feed} permission. Failures are {@link dev.pando.api.PandoException}s, as everywhere in
 * this API.
 */
public interface ChangeFeed {
    /** Most changes one {@link #poll} returns. */
    int MAX_POLL = 10_000;

    /** The last revision committed through this cursor; 0 before the first commit. */
    long position();

    /** Up to {@code limit} (1..{@link #MAX_POLL}) changes after {@link #position()}, oldest first; empty when caught up. */
    List<KvChange> poll(int limit);

    /**
     * Up to {@code limit} changes after {@code afterRevision}, oldest first, without moving the
     * cursor: for reading ahead of {@link #position()} within one batch.
     */
    List<KvChange> read(long afterRevision, int limit);

    /** Durably records that every change up to {@code revision} is handled; positions only move forward. */
    void commit(long revision);

    /**
     * The revision of the feed's newest change. The node's own revision may be higher:
     * unpublished writes ({@link PluginKv#applyUnpublished}) take revisions the feed skips.
     */
    long lastRevision();

    /**
     * Waits until the feed holds a change after {@code afterRevision} (returns at once if it does)
     * or {@code timeoutMillis} passes: true if it does. Woken by the commit itself, so a
     * plugin that follows the feed needs no polling loop. An interrupt ends the wait early with
     * false and the thread's interrupt flag set.
     */
    boolean awaitAfter(long afterRevision, long timeoutMillis);

    /**
     * The oldest revision the feed still answers for: reading after anything older than
     * {@code firstRevision() - 1} skips what retention pruned.
     */
    long firstRevision();
}
