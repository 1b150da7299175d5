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
     * A validated write; {@code json} null means delete. Strings arrive already UTF-8 encoded: the
     * commit thread is the serial stage and should only number, encode records and write.
     */
    record PendingWrite(String key, byte[] keyBytes, JsonNode value, byte[] json, WriteOptions options,
            String origin, byte[] originBytes, byte[] writerBytes) {

        boolean isDelete() {
            return json == null;
        }

        /** Whether committing it needs the key's current revision: a delete, or a compare-and-set. */
        boolean needsCheck() {
            return json == null || options.ifRevision() != null;
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
     * read by the ack thread after the hand-off.
     */
    record AtomicGroup(List<PendingWrite> writes, boolean sync, List<KvChange> committed,
            CompletableFuture<List<KvChange>> future) implements Queued {
        @Override
        public int size() {
            return Math.max(1, writes.size());
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
