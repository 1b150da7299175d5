package dev.pando.it;

import static dev.pando.it.Json.num;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.node.PandoNode;
import dev.pando.node.config.NodeConfig;
import dev.pando.testkit.TestNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeLifecycleIT {

    @Test
    void refusesOpenModeOnNonLoopbackBind(@TempDir Path dir) {
        NodeConfig config = NodeConfig.defaults().with(NodeConfig.DATA_DIR, dir).with(NodeConfig.PORT, 0)
                .with(NodeConfig.BIND, "0.0.0.0").with(NodeConfig.AUTH_MODE, "open");
        assertThatThrownBy(() -> PandoNode.start(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("open mode")
                .hasMessageContaining("auth.mode=authenticated");
    }

    @Test
    void beyondLoopbackTheNodeIsAuthenticatedByDefaultAndRefusesAnonymousRequests(@TempDir Path dir) throws Exception {
        try (TestNode node = TestNode.builder().dataDir(dir).with(NodeConfig.BIND, "0.0.0.0").start()) {
            var anonymous = dev.pando.client.PandoClient.connect(java.net.URI.create("http://127.0.0.1:" + node.port()), null);
            assertThatThrownBy(() -> anonymous.set("/a", num(1)))
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
            assertThatThrownBy(() -> anonymous.get("/a"))
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
            assertThat(anonymous.call("node.whoami", Json.obj()).get("mode").asText()).isEqualTo("authenticated");
            anonymous.close();
            var admin = dev.pando.client.PandoClient.connect(java.net.URI.create("http://127.0.0.1:" + node.port()), node.adminToken());
            assertThat(admin.set("/a", num(1)).get("revision").asLong()).isEqualTo(1);
            admin.close();
        }
    }

    @Test
    void gracefulCloseKeepsEveryAcknowledgedWrite(@TempDir Path dir) {
        long acknowledged;
        try (TestNode node = TestNode.builder().dataDir(dir).start()) {
            var ws = node.webSocket();
            var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.JsonNode>>();
            for (int i = 0; i < 500; i++) {
                futures.add(ws.call("kv.set", Json.obj().put("key", "/g/" + i).put("value", i)));
            }
            futures.forEach(java.util.concurrent.CompletableFuture::join);
            acknowledged = node.client().info().get("revision").asLong();
        }
        try (TestNode node = TestNode.builder().dataDir(dir).start()) {
            assertThat(node.client().info().get("revision").asLong()).isEqualTo(acknowledged);
            assertThat(node.client().scan("/g")).hasSize(500);
        }
    }
}
