package dev.pando.node.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.PluginKv;
import dev.pando.host.HostContext;
import dev.pando.node.events.EventBus;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code PluginKv.apply} through the host's scoped view and the node's store: all of a batch or none of it. */
class PluginAtomicApplyTest {
    private final StateStore store = StateStore.memory(StoreOptions.defaults("n"));
    private final PluginKv kv = new HostContext(ManifestParser.parse(
            "{\"id\":\"p\",\"version\":\"1.0.0\",\"apiVersion\":1,\"kv\":{\"read\":[\"/in\"],\"write\":[\"/out\"]}}".getBytes(StandardCharsets.UTF_8)),
            new NodeHostServices(store, new EventBus()), null, Clock.systemUTC()).kv();

    @AfterEach
    void close() {
        store.close();
    }

    private static void refused(Runnable call, ErrorCode code, String fragment) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(PandoException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(fragment);
        });
    }

    @Test
    void aBatchCommitsWholeWithConsecutiveRevisionsAsThePlugin() throws InterruptedException {
        kv.set("/out/a", IntNode.valueOf(0));
        List<List<KvChange>> heard = new CopyOnWriteArrayList<>();
        store.addCommitListener(heard::add);
        List<KvChange> changes = kv.apply(List.of(KvWrite.set("/out/a", IntNode.valueOf(1), 1), KvWrite.set("/out/b", IntNode.valueOf(2)),
                KvWrite.delete("/out/missing"), KvWrite.delete("/out/a")));

        assertThat(changes).extracting(KvChange::revision).containsExactly(2L, 3L, 4L);
        assertThat(changes).extracting(KvChange::writer).containsOnly("plugin:p");
        assertThat(store.get("/out/a")).isEmpty();
        assertThat(store.get("/out/b").orElseThrow().value()).isEqualTo(IntNode.valueOf(2));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (heard.stream().noneMatch(b -> b.contains(changes.get(2))) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(heard).as("the listeners hear the batch in one call").contains(changes);
    }

    /** A batch the plugin view lets through is never one the store refuses for its size. */
    @Test
    void thePluginLimitFitsTheStoresOne() {
        assertThat(PluginKv.MAX_APPLY_WRITES).isLessThanOrEqualTo(StateStore.MAX_ATOMIC_WRITES);
    }

    @Test
    void aBatchRefusedAnywhereWritesNothing() {
        kv.set("/out/a", IntNode.valueOf(0));
        refused(() -> kv.apply(List.of(KvWrite.set("/out/b", IntNode.valueOf(1)), KvWrite.set("/in/x", IntNode.valueOf(1)))),
                ErrorCode.FORBIDDEN, "may not write '/in/x'");
        refused(() -> kv.apply(List.of(KvWrite.set("/out/b", IntNode.valueOf(1)), KvWrite.set("/out/a", IntNode.valueOf(1), 7))),
                ErrorCode.CONFLICT, "write 2 of 2");
        assertThat(store.get("/out/b")).isEmpty();
        assertThat(store.get("/out/a").orElseThrow().value()).isEqualTo(IntNode.valueOf(0));
        assertThat(store.lastRevision()).isEqualTo(1);
    }
}
