package dev.pando.it;

import static dev.pando.it.Json.num;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoWebSocket;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.cap.CapabilityToken;
import dev.pando.testkit.TestNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authenticated callers are rate limited per principal, not per address: two tokens used from
 * the same address have a budget each; publishes have a budget of their own on top.
 */
class PerPrincipalLimitsIT {
    private static final Ed25519KeyPair ISSUER = Ed25519KeyPair.generate();

    private static String token(String scope) {
        return CapabilityToken.issue(ISSUER, List.of(Scope.parse(scope)), Instant.now().minusSeconds(5), Instant.now().plusSeconds(600),
                Optional.empty()).encode();
    }

    @Test
    void eachPrincipalHasItsOwnRequestAndPublishBudget(@TempDir Path dir) {
        try (TestNode node = TestNode.builder().set("auth.mode", "authenticated")
                .set("auth.trusted-issuers", TestNode.writeTrustedKeys(dir.resolve("issuers"), ISSUER).toString())
                .with(NodeConfig.RATE_PER_SECOND, 1L).with(NodeConfig.RATE_BURST, 3L)
                .with(NodeConfig.PUBLISH_RATE_PER_SECOND, 1L).with(NodeConfig.PUBLISH_BURST, 1L).start();
                PandoClient a = PandoClient.connect(node.url(), token("read:/a/**"));
                PandoClient b = PandoClient.connect(node.url(), token("read:/a/**"));
                PandoClient p = PandoClient.connect(node.url(), token("publish:/t/**"))) {
            for (int i = 0; i < 3; i++) {
                assertThat(a.find("/a/x")).isEmpty();
            }
            assertThatThrownBy(() -> a.find("/a/x")).isInstanceOfSatisfying(PandoException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                assertThat(e.getMessage()).contains("rate limit exceeded for cap:").contains("retry after");
            });
            assertThat(b.find("/a/x")).as("another principal from the same address has its own budget").isEmpty();

            long before = node.node().store().lastRevision();
            p.publish("/t/x", num(1));
            assertThatThrownBy(() -> p.publish("/t/x", num(2))).isInstanceOfSatisfying(PandoException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                assertThat(e.getMessage()).contains("publish rate limit exceeded");
            });
            assertThat(node.node().store().lastRevision()).isEqualTo(before);
        }
    }

    @Test
    void anAddressFloodingTheNodeWithUnknownTokensIsRefusedBeforeTheyAreChecked(@TempDir Path dir) {
        try (TestNode node = TestNode.builder().set("auth.mode", "authenticated")
                .set("auth.trusted-issuers", TestNode.writeTrustedKeys(dir.resolve("issuers"), ISSUER).toString())
                .with(NodeConfig.AUTH_VALIDATIONS_PER_SECOND, 1L).start()) {
            String valid = token("read:/a/**");
            try (PandoClient c = PandoClient.connect(node.url(), valid)) {
                assertThat(c.find("/a/x")).isEmpty(); // checked once (one of the burst of 2), then cached
            }
            Ed25519KeyPair stranger = Ed25519KeyPair.generate();
            String forged = CapabilityToken.issue(stranger, List.of(Scope.parse("read:/**")), Instant.now().minusSeconds(5),
                    Instant.now().plusSeconds(600), Optional.empty()).encode();
            try (PandoClient f = PandoClient.connect(node.url(), forged)) {
                assertThatThrownBy(() -> f.find("/a/x")).isInstanceOfSatisfying(PandoException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
                assertThatThrownBy(() -> f.find("/a/x")).isInstanceOfSatisfying(PandoException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.getMessage()).contains("token validation rate limit");
                });
            }
            try (PandoClient c = PandoClient.connect(node.url(), valid)) {
                assertThat(c.find("/a/x")).as("a cached token is not held up by the flood guard").isEmpty();
            }
        }
    }

    @Test
    void sessionsCheckingTheirTokensAgainAfterARevocationAreNotHeldUpByTheFloodGuard(@TempDir Path dir) {
        try (TestNode node = TestNode.builder().set("auth.mode", "authenticated")
                .set("auth.trusted-issuers", TestNode.writeTrustedKeys(dir.resolve("issuers"), ISSUER).toString())
                .with(NodeConfig.AUTH_VALIDATIONS_PER_SECOND, 1L).start()) {
            String token = token("read:/a/**");
            List<PandoWebSocket> sessions = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    sessions.add(PandoWebSocket.connect(node.url(), token)); // validated once, then cached
                }
                // Any revocation empties the cache; all six sessions, from one address, check their token again at once.
                node.call("admin.revoke", Json.obj().put("nonce", "00112233445566778899aabbccddeeff"));
                for (PandoWebSocket ws : sessions) {
                    assertThat(ws.callSync("node.whoami", Json.obj()).get("name").asText()).startsWith("cap:");
                    assertThat(ws.isOpen()).isTrue();
                }
            } finally {
                sessions.forEach(PandoWebSocket::close);
            }
        }
    }
}
