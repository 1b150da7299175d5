package dev.pando.node.kv;

import dev.pando.api.plugin.KvChange;
import java.util.List;

/**
 * Told about each committed batch, in revision order, on the store's listener thread
 * ({@code pando-ack}) after the batch is durable and its writers answered. Must not block: hand
 * off to a queue.
 */
@FunctionalInterface
public interface CommitListener {
    void committed(List<KvChange> changes);
}
