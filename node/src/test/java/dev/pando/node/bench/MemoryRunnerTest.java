package dev.pando.node.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pando.client.PandoClient;
import dev.pando.node.PandoNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory report against a real in-process node. Node and bench share this JVM's heap here, so
 * the figure covers both ends of each session; only counts are asserted.
 */
class MemoryRunnerTest {
    @TempDir
    static Path dir;
    static PandoNode node;
    static PandoClient admin;

    @BeforeAll
    static void start() throws Exception {
        node = BenchNodes.start(dir);
        admin = PandoClient.connect(node.url(), node.adminToken());
    }

    @AfterAll
    static void stop() {
        admin.close();
        node.close();
    }

    private static MemoryResult run(MemoryConfig config) throws InterruptedException {
        return MemoryRunner.run(config, gc -> admin.call("admin.memory", JsonNodeFactory.instance.objectNode().put("gc", gc)), line -> {});
    }

    @Test
    void heapPerSessionIsTakenOverTheSessionsTheNodeCounted() throws Exception {
        MemoryResult r = run(new MemoryConfig(node.url(), null, 150, false, 2, 1000));
        assertThat(r.sessionsCounted()).isEqualTo(150);
        assertThat(r.open().sessions()).isEqualTo(r.before().sessions() + 150);
        assertThat(r.closed().sessions()).isEqualTo(r.before().sessions());
        assertThat(r.open().subscriptions()).as("idle: no subscriptions").isEqualTo(r.before().subscriptions());
        assertThat(r.bytesPerSession()).isEqualTo(Math.round((r.open().heapUsed() - r.before().heapUsed()) / 150.0));
        assertThat(r.toText()).contains("memory sessions=150 subscribe=false").containsPattern("heap per session: -?\\d+ bytes");
        assertThat(r.toJson().get("sessionsCounted").asLong()).isEqualTo(150);
        assertThat(r.toJson().at("/open/sessions").asLong()).isEqualTo(r.open().sessions());
    }

    @Test
    void withSubscribeEachSessionHoldsOneSubscription() throws Exception {
        MemoryResult r = run(new MemoryConfig(node.url(), null, 40, true, 1, 1000));
        assertThat(r.sessionsCounted()).isEqualTo(40);
        assertThat(r.open().subscriptions()).isEqualTo(r.before().subscriptions() + 40);
        assertThat(r.closed().subscriptions()).isEqualTo(r.before().subscriptions());
    }
}
