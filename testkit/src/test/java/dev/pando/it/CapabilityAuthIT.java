package dev.pando.it;

import static dev.pando.it.Json.num;
import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.client.PandoClient;
import dev.pando.client.PandoConnectionException;
import dev.pando.client.PandoWebSocket;
import dev.pando.client.SubscribeOptions;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.cap.CapabilityToken;
import dev.pando.testkit.Eventually;
import dev.pando.testkit.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capability tokens against a real node in authenticated mode, over real sockets: every link of a
 * chain checked, scopes enforced on every path, revocation reaching open sessions. Every refusal
 * is {@code UNAUTHORIZED} or {@code FORBIDDEN} with a reason and leaves the revision unchanged.
 */
class CapabilityAuthIT {
    private static final Ed25519KeyPair ROOT = Ed25519KeyPair.generate();
    private static final Ed25519KeyPair MIDDLE = Ed25519KeyPair.generate();
    private static final Ed25519KeyPair LEAF = Ed25519KeyPair.generate();
    private static final Instant NOW = Instant.now();
    private static final Instant LATER = NOW.plus(Duration.ofHours(1));

    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        Path issuers = TestNode.writeTrustedKeys(dir.resolve("issuers"), ROOT);
        node = TestNode.builder().builtins("rules").set("auth.mode", "authenticated").set("auth.trusted-issuers", issuers.toString())
                .with(NodeConfig.AUTH_MAX_DELEGATION_DEPTH, 3).start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static CapabilityToken root(String... scopes) {
        return CapabilityToken.issue(ROOT, scopes(scopes), NOW.minusSeconds(5), LATER, Optional.empty());
    }

    private static List<Scope> scopes(String... scopes) {
        return List.of(scopes).stream().map(Scope::parse).toList();
    }

    /** root write:/lights/** → middle write:/lights/room1/** → leaf write:/lights/room1/lamp. */
    private static CapabilityToken threeLinks() {
        CapabilityToken r = root("write:/lights/**");
        CapabilityToken m = CapabilityToken.delegate(r, MIDDLE, scopes("write:/lights/room1/**"), NOW.minusSeconds(5), LATER);
        return CapabilityToken.delegate(m, LEAF, scopes("write:/lights/room1/lamp"), NOW.minusSeconds(5), LATER);
    }

    private static PandoClient as(String token) {
        return PandoClient.connect(node.url(), token);
    }

    private static void refused(ErrorCode code, String why, Supplier<?> call) {
        Refusals.refused(node, code, why, call);
    }

    @Test
    void aThreeLinkChainWritesWhereItsLeafMayAndNowhereElse() {
        try (PandoClient c = as(threeLinks().encode())) {
            assertThat(c.set("/lights/room1/lamp", num(1)).get("revision").asLong()).isPositive();
            refused(ErrorCode.FORBIDDEN, "may not write '/lights/room1/fan'", () -> c.set("/lights/room1/fan", num(1)));
            refused(ErrorCode.FORBIDDEN, "requires publish access", () -> c.publish("/lights/room1/lamp", num(1)));
            JsonNode me = c.call("node.whoami", obj());
            assertThat(me.get("name").asText()).startsWith("cap:");
            assertThat(me.get("scopes").toString()).contains("write:/lights/room1/lamp");
        }
    }

    @Test
    void aForgedSignatureOnAnyLinkOfAThreeLinkChainIsRefused() {
        CapabilityToken leaf = threeLinks();
        for (int link = 0; link < 3; link++) {
            String forged = forge(leaf, link);
            try (PandoClient c = as(forged)) {
                refused(ErrorCode.UNAUTHORIZED, "bad signature", () -> c.set("/lights/room1/lamp", num(2)));
            }
        }
    }

    @Test
    void expiredTokensAndExpiredParentsAreRefused() {
        CapabilityToken expired = CapabilityToken.issue(ROOT, scopes("write:/lights/**"), NOW.minusSeconds(60), NOW.minusSeconds(1), Optional.empty());
        try (PandoClient c = as(expired.encode())) {
            refused(ErrorCode.UNAUTHORIZED, "expired", () -> c.set("/lights/a", num(1)));
        }
        CapabilityToken child = CapabilityToken.delegate(expired, LEAF, scopes("write:/lights/a"), NOW.minusSeconds(60), NOW.minusSeconds(2));
        try (PandoClient c = as(child.encode())) {
            refused(ErrorCode.UNAUTHORIZED, "expired", () -> c.set("/lights/a", num(1)));
        }
    }

    @Test
    void delegationCannotEscalate() {
        CapabilityToken parent = root("write:/lights/room1/**");
        List<CapabilityToken> escalations = List.of(
                CapabilityToken.delegate(parent, LEAF, scopes("write:/lights/**"), NOW.minusSeconds(5), LATER),
                CapabilityToken.delegate(root("read:/lights/**"), LEAF, scopes("write:/lights/a"), NOW.minusSeconds(5), LATER),
                CapabilityToken.delegate(parent, LEAF, scopes("write:/lights/room1/a"), NOW.minusSeconds(5), LATER.plusSeconds(60)),
                CapabilityToken.delegate(root("write:/lights/*"), LEAF, scopes("write:/lights/**"), NOW.minusSeconds(5), LATER));
        for (CapabilityToken t : escalations) {
            try (PandoClient c = as(t.encode())) {
                refused(ErrorCode.UNAUTHORIZED, "capability token", () -> c.set("/lights/room1/a", num(1)));
            }
        }
    }

    @Test
    void chainsDeeperThanTheConfiguredDepthAreRefused() {
        CapabilityToken t = root("write:/lights/**");
        for (int i = 0; i < 4; i++) {
            t = CapabilityToken.delegate(t, LEAF, scopes("write:/lights/**"), NOW.minusSeconds(5), LATER);
        }
        String tooDeep = t.encode();
        try (PandoClient c = as(tooDeep)) {
            refused(ErrorCode.UNAUTHORIZED, "at most 3", () -> c.set("/lights/a", num(1)));
        }
    }

    @Test
    void untrustedRootsAndOtherAudiencesAreRefused() {
        CapabilityToken stranger = CapabilityToken.issue(Ed25519KeyPair.generate(), scopes("admin:/**"), NOW.minusSeconds(5), LATER, Optional.empty());
        try (PandoClient c = as(stranger.encode())) {
            refused(ErrorCode.UNAUTHORIZED, "does not trust", () -> c.set("/a", num(1)));
        }
        CapabilityToken elsewhere = CapabilityToken.issue(ROOT, scopes("write:/**"), NOW.minusSeconds(5), LATER, Optional.of("nsomeoneelse"));
        try (PandoClient c = as(elsewhere.encode())) {
            refused(ErrorCode.UNAUTHORIZED, "is for node 'nsomeoneelse'", () -> c.set("/a", num(1)));
        }
        CapabilityToken here = CapabilityToken.issue(ROOT, scopes("write:/aud/**"), NOW.minusSeconds(5), LATER, Optional.of(node.node().nodeId()));
        try (PandoClient c = as(here.encode())) {
            assertThat(c.set("/aud/a", num(1)).get("revision").asLong()).isPositive();
        }
    }

    @Test
    void withoutATokenNothingButTokenlessOpsIsServed() {
        try (PandoClient c = as(null)) {
            refused(ErrorCode.UNAUTHORIZED, "send a token", () -> c.set("/a", num(1)));
            refused(ErrorCode.UNAUTHORIZED, "send a token", () -> c.get("/a"));
            assertThat(c.health().get("status").asText()).isEqualTo("ok");
        }
        assertThatThrownBy(() -> PandoWebSocket.connect(node.url(), null)).as("no tokenless WebSocket sessions")
                .isInstanceOf(PandoException.class);
        try (PandoClient c = as("cap_garbage")) {
            refused(ErrorCode.UNAUTHORIZED, "capability token", () -> c.get("/a"));
        }
        try (PandoClient c = as("xyz_whatever")) {
            refused(ErrorCode.UNAUTHORIZED, "unknown or invalid token", () -> c.get("/a"));
        }
    }

    @Test
    void namespaceAdminIsNotNodeAdminAndPluginOpsNeedTheirDeclaredScope() {
        try (PandoClient c = as(root("admin:/lights/**").encode())) {
            refused(ErrorCode.FORBIDDEN, "requires node-wide admin", () -> c.call("admin.reload", obj()));
            refused(ErrorCode.FORBIDDEN, "requires node-wide admin", () -> c.call("admin.revoke", obj().put("nonce", "00112233445566778899aabbccddeeff")));
        }
        try (PandoClient c = as(root("read:/**").encode())) {
            // rules.put is declared with scope "write": a reader may not call it at all.
            refused(ErrorCode.FORBIDDEN, "op 'rules.put' requires write access", () -> c.call("rules.put", obj()));
        }
    }

    @Test
    void pushesCarryOnlyWhatTheSubscriberMayReadOrSubscribeTo() throws Exception {
        String reader = root("read:/feed/public/**", "subscribe:/feed/public/**").encode();
        BlockingQueue<JsonNode> pushes = new LinkedBlockingQueue<>();
        try (PandoWebSocket ws = PandoWebSocket.connect(node.url(), reader)) {
            ws.subscribe("/feed/**", SubscribeOptions.defaults(), pushes::add);
            PandoClient admin = node.adminClient();
            admin.set("/feed/secret/1", num(1));
            admin.publish("/feed/secret/t", num(2));
            admin.set("/feed/public/1", num(3));
            admin.publish("/feed/public/t", num(4));
            // A change and an event are not ordered against each other (docs/protocol.md).
            assertThat(Pushes.subjects(pushes, 2)).containsExactlyInAnyOrder("/feed/public/1", "/feed/public/t");
            assertThat(pushes.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
        // read without subscribe sees changes but no events; subscribe without read sees events only.
        pushes.clear();
        try (PandoWebSocket ws = PandoWebSocket.connect(node.url(), root("read:/feed/**").encode())) {
            ws.subscribe("/feed/**", SubscribeOptions.defaults(), pushes::add);
            node.adminClient().publish("/feed/public/t", num(5));
            node.adminClient().set("/feed/public/2", num(6));
            JsonNode p = pushes.poll(5, TimeUnit.SECONDS);
            assertThat(p.get("change").get("key").asText()).isEqualTo("/feed/public/2");
            assertThat(pushes.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void publishNeedsPublishAndSubscribeNeedsAnActionThatCanDeliver() {
        try (PandoClient c = as(root("write:/t/**").encode())) {
            refused(ErrorCode.FORBIDDEN, "requires publish access", () -> c.publish("/t/x", num(1)));
        }
        try (PandoClient c = as(root("publish:/t/**").encode())) {
            assertThat(c.publish("/t/x", num(1))).isGreaterThanOrEqualTo(0);
            refused(ErrorCode.FORBIDDEN, "may not publish '/u/x'", () -> c.publish("/u/x", num(1)));
        }
        try (PandoWebSocket ws = PandoWebSocket.connect(node.url(), root("publish:/t/**").encode())) {
            assertThatThrownBy(() -> ws.subscribe("/t/**", SubscribeOptions.defaults(), p -> { }))
                    .isInstanceOfSatisfying(PandoException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                        assertThat(e.getMessage()).contains("requires read or subscribe access");
                    });
        }
    }

    @Test
    void revokingANonceCutsOffOpenSessionsAtOnceAndSurvivesARestart() throws Exception {
        CapabilityToken parent = root("write:/rv/**", "subscribe:/rv/**");
        CapabilityToken token = CapabilityToken.delegate(parent, LEAF, scopes("write:/rv/**", "subscribe:/rv/**"), NOW.minusSeconds(5), LATER);
        BlockingQueue<JsonNode> pushes = new LinkedBlockingQueue<>();
        CompletableFuture<PandoConnectionException> closed = new CompletableFuture<>();
        PandoWebSocket ws = PandoWebSocket.connect(node.url(), token.encode(), new PandoWebSocket.Listener() {
            @Override
            public void onClosed(PandoConnectionException error) {
                closed.complete(error);
            }
        });
        try (ws; PandoClient c = as(token.encode())) {
            ws.subscribe("/rv/**", SubscribeOptions.defaults(), pushes::add);
            c.set("/rv/a", num(1));
            assertThat(pushes.poll(5, TimeUnit.SECONDS)).as("delivered before the revocation").isNotNull();

            // Revoking the parent's nonce ends every token below it.
            JsonNode r = node.call("admin.revoke", obj().put("nonce", parent.nonce()));
            assertThat(r.get("revoked").asBoolean()).isTrue();
            JsonNode error = pushes.poll(5, TimeUnit.SECONDS);
            assertThat(error).as("a session error frame").isNotNull();
            assertThat(error.toString()).contains("UNAUTHORIZED").contains("was revoked");
            assertThat(closed.get(5, TimeUnit.SECONDS)).as("closed by the node").isNotNull();

            node.adminClient().set("/rv/b", num(2));
            assertThat(pushes.poll(300, TimeUnit.MILLISECONDS)).as("nothing after the revocation").isNull();
            refused(ErrorCode.UNAUTHORIZED, "was revoked", () -> c.set("/rv/c", num(3)));
        }
        node.restart();
        try (PandoClient c = as(token.encode())) {
            refused(ErrorCode.UNAUTHORIZED, "was revoked", () -> c.set("/rv/c", num(3)));
        }
    }

    @Test
    void aRuleByACapabilityHolderActsAcrossARestartAndStopsWhenTheTokenIsRevokedOrExpires() throws Exception {
        CapabilityToken lasting = root("write:/rl/**");
        putMirrorRule(lasting, "mirror-lasting", "/rl/a");
        awaitMirrored("/rl/a", 1);
        node.restart(); // the node kept the holder's token, so the rule still acts for them
        awaitMirrored("/rl/a", 2);
        node.call("admin.revoke", obj().put("token", lasting.encode()));
        assertStopped("mirror-lasting", "/rl/a", 3);

        CapabilityToken brief = CapabilityToken.issue(ROOT, scopes("write:/rb/**"), NOW.minusSeconds(5), Instant.now().plusSeconds(2),
                Optional.empty());
        putMirrorRule(brief, "mirror-brief", "/rb/a");
        awaitMirrored("/rb/a", 1);
        Thread.sleep(Math.max(0, brief.expiresAt() * 1000 - System.currentTimeMillis()) + 200);
        assertStopped("mirror-brief", "/rb/a", 2);
    }

    private static void putMirrorRule(CapabilityToken author, String id, String key) {
        try (PandoClient c = as(author.encode())) {
            c.call("rules.put", Json.parse("{\"rule\": {\"id\": \"" + id + "\", \"trigger\": {\"type\": \"on_change\", \"pattern\": \""
                    + key + "\"}, \"actions\": [{\"type\": \"set_from_trigger\", \"key\": \"" + key + "-out\"}]}}"));
        }
    }

    private static void awaitMirrored(String key, int value) {
        node.adminClient().set(key, num(value));
        Eventually.eventually("the rule mirrors " + value, Duration.ofSeconds(10),
                () -> node.adminClient().find(key + "-out").filter(v -> v.get("value").asInt() == value).orElse(null));
    }

    private static void assertStopped(String rule, String key, int value) {
        long forbiddenBefore = node.call("rules.get", obj().put("id", rule)).path("stats").path("forbidden").asLong();
        node.adminClient().set(key, num(value));
        Eventually.eventually("the rule notices its author lost the right", Duration.ofSeconds(10),
                () -> node.call("rules.get", obj().put("id", rule)).path("stats").path("forbidden").asLong() > forbiddenBefore ? true : null);
        assertThat(node.adminClient().get(key + "-out").get("value").asInt()).as("not mirrored").isEqualTo(value - 1);
    }

    /**
     * {@code leaf} with link {@code link}'s signature replaced by a stranger's, and every link
     * below it re-signed honestly by its own key under the forged chain.
     */
    private static String forge(CapabilityToken leaf, int link) {
        List<CapabilityToken> links = leaf.links();
        List<Ed25519KeyPair> keys = List.of(LEAF, MIDDLE, ROOT);
        Optional<CapabilityToken> above = Optional.empty();
        for (int i = links.size() - 1; i >= 0; i--) {
            above = Optional.of(links.get(i).signedBy(i == link ? Ed25519KeyPair.generate() : keys.get(i), above));
        }
        return above.orElseThrow().encode();
    }
}
