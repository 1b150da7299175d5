package dev.pando.node.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoWebSocket;
import dev.pando.client.SubscribeOptions;
import dev.pando.node.PandoNode;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.Ed25519Keys;
import dev.pando.signing.KeyFormat;
import dev.pando.signing.cap.CapabilityToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** admin.memory over a real node in authenticated mode: what it reports, and that only node-wide admin may call it. */
class MemoryOpsTest {
    private static final Ed25519KeyPair ISSUER = Ed25519KeyPair.generate();

    @TempDir
    static Path dir;
    static PandoNode node;

    @BeforeAll
    static void start() throws Exception {
        Path issuers = Files.writeString(dir.resolve("issuers.pub"), Ed25519Keys.encodePublic(ISSUER.publicKey(), KeyFormat.OPENSSH, "test"));
        node = PandoNode.start(NodeConfig.defaults()
                .with(NodeConfig.DATA_DIR, dir.resolve("data"))
                .with(NodeConfig.PLUGINS_DIR, dir.resolve("plugins"))
                .with(NodeConfig.BUILTINS, "")
                .with(NodeConfig.STORE, "memory")
                .with(NodeConfig.AUTH_MODE, "authenticated")
                .with(NodeConfig.AUTH_TRUSTED_ISSUERS, issuers.toString())
                .with(NodeConfig.PORT, 0));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static ObjectNode args() {
        return JsonNodeFactory.instance.objectNode();
    }

    private static String token(String... scopes) {
        Instant now = Instant.now();
        return CapabilityToken.issue(ISSUER, List.of(scopes).stream().map(Scope::parse).toList(), now.minusSeconds(5),
                now.plusSeconds(3600), Optional.empty()).encode();
    }

    @Test
    void reportsHeapAfterCollectingAndCountsSessionsAndSubscriptions() {
        try (PandoClient admin = PandoClient.connect(node.url(), node.adminToken())) {
            JsonNode before = admin.call("admin.memory", args());
            assertThat(before.get("heapUsed").asLong()).isPositive();
            assertThat(before.get("heapCommitted").asLong()).isGreaterThanOrEqualTo(before.get("heapUsed").asLong());
            assertThat(before.get("gcRounds").asInt()).isBetween(1, MemoryOps.MAX_GC_ROUNDS);
            assertThat(before.get("stable").isBoolean()).isTrue();
            assertThat(before.get("sessions").asLong()).isZero();

            try (PandoWebSocket ws = PandoWebSocket.connect(node.url(), node.adminToken())) {
                ws.subscribe("/mem/**", SubscribeOptions.defaults(), push -> {});
                ws.subscribe("/other/**", SubscribeOptions.defaults(), push -> {});
                JsonNode open = admin.call("admin.memory", args().put("gc", false));
                assertThat(open.get("gcRounds").asInt()).as("gc:false reads without collecting").isZero();
                assertThat(open.get("sessions").asLong()).isEqualTo(1);
                assertThat(open.get("subscriptions").asLong()).isEqualTo(before.get("subscriptions").asLong() + 2);
                assertThat(open.get("connections").asLong()).isGreaterThanOrEqualTo(1);
            }
        }
    }

    @Test
    void onlyNodeWideAdminMayCallIt() {
        try (PandoClient reader = PandoClient.connect(node.url(), token("read:/**", "write:/**"))) {
            assertThatThrownBy(() -> reader.call("admin.memory", args())).isInstanceOfSatisfying(PandoException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                assertThat(e.getMessage()).contains("admin.memory");
            });
        }
        try (PandoClient namespaceAdmin = PandoClient.connect(node.url(), token("admin:/site-a/**"))) {
            assertThatThrownBy(() -> namespaceAdmin.call("admin.memory", args())).isInstanceOfSatisfying(PandoException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        }
        try (PandoClient nobody = PandoClient.connect(node.url(), null)) {
            assertThatThrownBy(() -> nobody.call("admin.memory", args())).isInstanceOfSatisfying(PandoException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
        }
    }

    @Test
    void unknownArgumentsAreRefused() {
        try (PandoClient admin = PandoClient.connect(node.url(), node.adminToken())) {
            assertThatThrownBy(() -> admin.call("admin.memory", args().put("gcc", true))).isInstanceOfSatisfying(PandoException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(e.getMessage()).contains("gcc");
            });
            assertThatThrownBy(() -> admin.call("admin.memory", args().put("gc", "yes"))).isInstanceOfSatisfying(PandoException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
    }
}
