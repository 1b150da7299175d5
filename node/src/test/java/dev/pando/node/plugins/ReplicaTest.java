package dev.pando.node.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.host.HostContext;
import dev.pando.node.events.EventBus;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code PluginContext.replica()} over the node's store: a change from another node is kept as it was made there. */
class ReplicaTest {
    private final StateStore store = StateStore.memory(StoreOptions.defaults("nhere"));
    private final NodeHostServices host = new NodeHostServices(store, new EventBus());

    @AfterEach
    void close() {
        store.close();
    }

    private HostContext context(String permissions) {
        String manifest = "{\"id\":\"fed\",\"version\":\"1.0.0\",\"apiVersion\":1,\"kv\":{\"write\":[\"/site-a\"]},\"permissions\":" + permissions + "}";
        return new HostContext(ManifestParser.parse(manifest.getBytes(StandardCharsets.UTF_8)), host, null, Clock.systemUTC());
    }

    private static KvChange remote(String key, int value, long originRevision) {
        return new KvChange(key, IntNode.valueOf(value), 999, 1, "nthere", "ent:e1", originRevision);
    }

    @Test
    void aReplicatedChangeKeepsItsOriginOriginRevisionAndWriter() {
        KvChange applied = context("[\"replicate\"]").replica().apply(remote("/site-a/x", 1, 42)).orElseThrow();
        assertThat(applied.origin()).isEqualTo("nthere");
        assertThat(applied.originRevision()).isEqualTo(42);
        assertThat(applied.writer()).isEqualTo("ent:e1");
        assertThat(applied.revision()).as("its revision is this node's").isEqualTo(store.lastRevision());
        KvEntry stored = store.get("/site-a/x").orElseThrow();
        assertThat(stored.originRevision()).isEqualTo(42);
        assertThat(store.changesSince(0, 10).get(0).origin()).isEqualTo("nthere");

        KvChange delete = new KvChange("/site-a/x", null, 999, 2, "nthere", "ent:e1", 43);
        assertThat(context("[\"replicate\"]").replica().apply(delete).orElseThrow().isDelete()).isTrue();
        assertThat(store.get("/site-a/x")).isEmpty();
        assertThat(context("[\"replicate\"]").replica().apply(delete)).as("deleting what is not here").isEmpty();
    }

    @Test
    void refusalsChangeNothing() {
        long before = store.lastRevision();
        assertThatThrownBy(() -> context("[]").replica()).isInstanceOfSatisfying(PandoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThatThrownBy(() -> context("[\"replicate\"]").replica().apply(remote("/site-b/x", 1, 5)))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThatThrownBy(() -> context("[\"replicate\"]").replica().apply(new KvChange("/site-a/x", IntNode.valueOf(1), 9, 1, "nhere", "w", 9)))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.getMessage()).contains("names this one as its origin"));
        assertThatThrownBy(() -> context("[\"replicate\"]").replica().apply(remote("/site-a/x", 1, 0)))
                .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThat(store.lastRevision()).isEqualTo(before);
    }

    @Test
    void localWritesToKeysOwnedElsewhereAreRefusedNamingTheOwnerUntilThePluginStops() {
        HostContext fed = context("[\"replicate\"]");
        java.util.function.Function<String, java.util.Optional<String>> owner =
                key -> key.startsWith("/site-a/") ? java.util.Optional.of("nthere") : java.util.Optional.empty();
        fed.replica().refuseWritesOwnedElsewhere(owner);
        long before = store.lastRevision();
        assertThatThrownBy(() -> store.set("/site-a/x", IntNode.valueOf(1), dev.pando.node.kv.WriteOptions.by("anonymous")).join())
                .hasCauseInstanceOf(PandoException.class).hasMessageContaining("owned by node nthere");
        assertThat(store.lastRevision()).isEqualTo(before);
        store.set("/site-b/x", IntNode.valueOf(1), dev.pando.node.kv.WriteOptions.by("anonymous")).join();
        assertThat(fed.replica().apply(remote("/site-a/x", 2, 7))).as("the owner's changes still arrive").isPresent();

        fed.withdrawRegistrations();
        store.set("/site-a/x", IntNode.valueOf(3), dev.pando.node.kv.WriteOptions.by("anonymous")).join();
    }
}
