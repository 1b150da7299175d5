package dev.pando.node.kv;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvChange;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What waits in the {@link GroupCommitter}'s queue: a lone write, or a group committed all-or-nothing. */
sealed interface Queued permits Queued.Single, Queued.AtomicGroup, Queued.Wake {

    /** Writes it adds to a storage batch. */
    int size();

    /** Answers every writer waiting on it with {@code failure}. */
    void fail(PandoException failure);

    /**
     * A validated write, its state record ({@code entry}, null for a delete) and change-feed
     * record ({@code change}, null for an unpublished write) already encoded with a blank header: the commit thread is the serial stage and should
     * only check, number ({@link RecordCodec#stamp}) and write.
     */
    record PendingWrite(String key, byte[] keyBytes, JsonNode value, WriteOptions options, String origin, byte[] entry, byte[] change) {

        boolean isDelete() {
            return entry == null;
        }

        /** Whether committing it needs the key's current revision: a delete, or a compare-and-set. */
        boolean needsCheck() {
            return entry == null || options.ifRevision() != null;
        }
    }

    /** One write, answered on its own. */
    record Single(PendingWrite write, CompletableFuture<KvChange> future) implements Queued {
        @Override
        public int size() {
            return 1;
        }

        @Override
        public void fail(PandoException failure) {
            future.completeExceptionally(failure);
        }
    }

    /**
     * Writes committed all-or-nothing with consecutive revisions, in one storage batch.
     * {@code committed} is filled by the commit thread once every check of the group holds, and
     * read when the batch is answered.
     */
    record AtomicGroup(List<PendingWrite> writes, boolean sync, List<KvChange> committed,
            CompletableFuture<List<KvChange>> future) implements Queued {
        @Override
        public int size() {
            return Math.max(1, writes.size());
        }

        /** Whether its changes go to the feed and the listeners: all of a group's writes share its options. */
        boolean published() {
            return writes.isEmpty() || writes.get(0).options().published();
        }

        @Override
        public void fail(PandoException failure) {
            future.completeExceptionally(failure);
        }
    }

    /** Put in the queue by {@link GroupCommitter#close()} to wake the commit thread; never committed. */
    record Wake() implements Queued {
        @Override
        public int size() {
            return 0;
        }

        @Override
        public void fail(PandoException failure) {
            // nobody waits on it
        }
    }
}
