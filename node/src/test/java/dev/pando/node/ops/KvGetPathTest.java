package dev.pando.node.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StoreOptions;
import dev.pando.node.kv.WriteOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kv.get answers from memory on the calling thread, and goes to a worker only for what is on disk. */
class KvGetPathTest {
    @TempDir
    Path dir;

    private final AtomicInteger workerRuns = new AtomicInteger();
    private final Executor workers = task -> {
        workerRuns.incrementAndGet();
        task.run();
    };
    private final CallContext reader = new CallContext(
            new Principal("reader", List.of(Scope.parse("read:/**")), "reader"), TextNode.valueOf("r"), null);

    @Test
    void aColdKeyIsReadOnAWorkerAndAWarmOneInline() throws Exception {
        StateStore first = StateStore.rocks(dir, StoreOptions.defaults("n"));
        first.set("/cold", IntNode.valueOf(1), WriteOptions.by("w")).join();
        first.close(); // to a table file; the next open starts with an empty block cache

        try (StateStore store = StateStore.rocks(dir, StoreOptions.defaults("n"))) {
            OpSpec get = new KvOps(store, workers).specs().stream().filter(s -> s.op().equals("kv.get")).findFirst().orElseThrow();
            assertThat(get.execution()).isEqualTo(OpSpec.Execution.INLINE);

            assertThat(get(get, "/cold").path("value").asInt()).isEqualTo(1);
            assertThat(workerRuns).as("the block was on disk only").hasValue(1);

            assertThat(get(get, "/cold").path("revision").asLong()).isEqualTo(1);
            store.set("/warm", IntNode.valueOf(2), WriteOptions.by("w")).join();
            assertThat(get(get, "/warm").path("value").asInt()).isEqualTo(2);
            assertThat(workerRuns).as("cached block and memtable: no worker").hasValue(1);

            assertThatThrownBy(() -> get(get, "/absent"))
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        }
    }

    private JsonNode get(OpSpec get, String key) throws Exception {
        return get.handler().handle(reader, JsonNodeFactory.instance.objectNode().put("key", key)).toCompletableFuture().join();
    }
}
