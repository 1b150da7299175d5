package dev.pando.node.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.host.HostServices;
import dev.pando.node.events.EventBus;
import dev.pando.node.kv.Change;
import dev.pando.node.kv.Entry;
import dev.pando.node.kv.ScanPage;
import dev.pando.node.kv.ScanQuery;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.WriteOptions;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The node's state store and event bus, lent to the plugin host. Plugin calls run on worker
 * threads, so writes block here until durable; an interrupt (the call's time limit) ends the
 * wait with {@code TIMEOUT}, though a write already queued still commits.
 */
public final class NodeHostServices implements HostServices {
    private final StateStore store;
    private final EventBus events;

    public NodeHostServices(StateStore store, EventBus events) {
        this.store = store;
        this.events = events;
    }

    @Override
    public Optional<KvEntry> get(String key) {
        return store.get(key).map(NodeHostServices::entry);
    }

    @Override
    public KvEntry set(String key, JsonNode value, long ifRevision, String writer) {
        WriteOptions opts = WriteOptions.by(writer);
        if (ifRevision != NO_CAS) {
            opts = opts.ifRevision(ifRevision);
        }
        return entry(await(store.set(key, value, opts)).toEntry());
    }

    @Override
    public boolean delete(String key, String writer) {
        try {
            await(store.delete(key, WriteOptions.by(writer)));
            return true;
        } catch (PandoException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public KvPage scan(String prefixOrPattern, String after, int limit) {
        ScanPage page = store.scan(new ScanQuery(PathPattern.prefixOrPattern(prefixOrPattern), limit, after));
        return new KvPage(page.entries().stream().map(NodeHostServices::entry).toList(), page.cursor());
    }

    @Override
    public void publish(String topic, JsonNode payload, String publisher) {
        events.publish(topic, payload, publisher);
    }

    static KvEntry entry(Entry e) {
        return new KvEntry(e.key(), e.value(), e.revision(), e.timestamp(), e.origin(), e.writer());
    }

    private static Change await(CompletableFuture<Change> write) {
        try {
            return write.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PandoException(ErrorCode.TIMEOUT, "interrupted while waiting for a write to commit");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PandoException p) {
                throw p;
            }
            throw new PandoException(ErrorCode.INTERNAL, "write failed: " + e.getCause(), e.getCause());
        }
    }
}
