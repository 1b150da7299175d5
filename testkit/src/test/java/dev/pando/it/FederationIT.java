package dev.pando.it;

import static dev.pando.it.FederationFixture.copiesOf;
import static dev.pando.it.FederationFixture.freePort;
import static dev.pando.it.FederationFixture.identity;
import static dev.pando.it.FederationFixture.originRevision;
import static dev.pando.it.Json.num;
import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.Replica;
import dev.pando.client.PandoClient;
import dev.pando.node.auth.NodeIdentity;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.testkit.Eventually;
import dev.pando.testkit.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Federation between real nodes on loopback: a hub with two leaves, ownership enforced through the
 * registry, the handshake refusing strangers, forgeries and replays, and resumption after a leaf
 * or the hub restarts, with no loss and no duplicate.
 */
class FederationIT {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    /** The hub and leaves a (/site-a/**) and b (/site-b/**): keys made ahead, and the hub's port. */
    private NodeIdentity h;
    private NodeIdentity a;
    private NodeIdentity b;
    private int port;

    @BeforeEach
    void identities() {
        h = identity(dir, "hub");
        a = identity(dir, "a");
        b = identity(dir, "b");
        port = freePort();
    }

    /** The hub on {@link #port}, trusting a and b, its registry saying a owns /site-a/** and b /site-b/**. */
    private TestNode starHub() {
        TestNode hub = hub(port, a, b);
        register(hub, a, "leaf-a", "/site-a/**");
        register(hub, b, "leaf-b", "/site-b/**");
        return hub;
    }

    private TestNode hub(int port, NodeIdentity... leaves) {
        Path trust = TestNode.writeTrustedKeys(dir.resolve("hub-trusts"), java.util.Arrays.stream(leaves).map(NodeIdentity::keyPair)
                .toArray(Ed25519KeyPair[]::new));
        return TestNode.builder().builtins("registry").dataDir(dir.resolve("hub")).with(NodeConfig.PORT, port)
                .set("federation.mode", "hub").set("federation.trusted-peers", trust.toString()).start();
    }

    private TestNode leaf(String name, int hubPort, NodeIdentity hub, String namespaces) {
        return FederationFixture.leaf(dir, name, hubPort, TestNode.writeTrustedKeys(dir.resolve(name + "-trusts"), hub.keyPair()), namespaces);
    }

    private static void register(TestNode hub, NodeIdentity node, String name, String... namespaces) {
        FederationFixture.register(hub.adminClient(), node, name, namespaces);
    }

    private static JsonNode awaitValue(TestNode node, String key, int value) {
        return Eventually.eventually(key + " = " + value + " on " + node.node().nodeId(), BOUND,
                () -> node.adminClient().find(key).filter(e -> e.get("value").asInt() == value).orElse(null));
    }

    private static JsonNode uplink(TestNode leaf) {
        return leaf.call("federation.peers", obj()).get("peers").get(0);
    }

    @Test
    void aWriteOnOneLeafReachesTheOtherAndWritesToAnotherNodesNamespaceAreRefusedNamingTheOwner() throws Exception {
        try (TestNode hub = starHub()) {
            try (TestNode leafA = leaf("a", port, h, "/site-a/**"); TestNode leafB = leaf("b", port, h, "/site-b/**")) {
                JsonNode written = leafA.adminClient().set("/site-a/lights/1", num(7));
                JsonNode onB = awaitValue(leafB, "/site-a/lights/1", 7);
                assertThat(onB.get("origin").asText()).isEqualTo(a.nodeId());
                assertThat(originRevision(onB)).isEqualTo(written.get("revision").asLong());
                assertThat(awaitValue(hub, "/site-a/lights/1", 7).get("origin").asText()).isEqualTo(a.nodeId());

                leafB.adminClient().set("/site-b/door", num(1));
                awaitValue(leafA, "/site-b/door", 1);

                Eventually.eventually("leaf b learns who owns /site-a", BOUND, () -> {
                    try {
                        leafB.adminClient().set("/site-a/lights/1", num(99));
                        return null;
                    } catch (PandoException e) {
                        return e.getMessage().contains("owned by node " + a.nodeId()) ? e : null;
                    }
                });
                assertThatThrownBy(() -> hub.adminClient().set("/site-a/lights/1", num(98))).isInstanceOfSatisfying(PandoException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(e.getMessage()).contains("owned by node " + a.nodeId());
                });
                assertThat(leafA.adminClient().get("/site-a/lights/1").get("value").asInt()).isEqualTo(7);
                JsonNode peers = hub.call("federation.peers", obj()).get("peers");
                assertThat(peers).hasSize(2).allSatisfy(p -> assertThat(p.has("lagMs")).as("lag in ms per leaf").isTrue());
                assertThat(uplink(leafA).get("lagMs").isIntegralNumber()).isTrue();
                assertThat(hub.node().metrics().render()).as("per-peer series")
                        .contains("pando_plugin_federation_peer_applied{peer=\"" + a.nodeId() + "\"}")
                        .contains("pando_plugin_federation_peer_lag_revisions{peer=\"" + b.nodeId() + "\"}");
                assertThat(uplink(leafA).get("state").asText()).isEqualTo("active");
            }
        }
    }

    @Test
    void leavesThatAreNotTrustedOrDeclareWhatTheyDoNotOwnAreRefused() throws Exception {
        NodeIdentity stranger = identity(dir, "stranger");
        try (TestNode hub = hub(port, a)) {
            register(hub, a, "leaf-a", "/site-a/**");
            try (TestNode greedy = leaf("a", port, h, "/site-a/**,/site-z/**"); TestNode s = leaf("stranger", port, h, "/site-s/**")) {
                Eventually.eventually("the greedy leaf is refused", BOUND,
                        () -> uplink(greedy).get("lastError").asText().contains("does not own") ? true : null);
                Eventually.eventually("the stranger is refused", BOUND,
                        () -> uplink(s).get("lastError").asText().contains("not a trusted peer") ? true : null);
                assertThat(hub.call("federation.peers", obj()).get("peers")).isEmpty();
            }
            // The operator admits the stranger with a capability token instead of listing its key.
            register(hub, stranger, "admitted", "/site-s/**");
            String token = dev.pando.signing.cap.CapabilityToken.issue(h.keyPair(), List.of(dev.pando.api.Scope.parse("admin:/federation/**")),
                    java.time.Instant.now().minusSeconds(5), java.time.Instant.now().plusSeconds(600), Optional.empty()).encode();
            Path trust = TestNode.writeTrustedKeys(dir.resolve("admitted-trusts"), h.keyPair());
            try (TestNode admitted = TestNode.builder().dataDir(dir.resolve("stranger")).set("federation.mode", "leaf")
                    .set("federation.hub", "ws://127.0.0.1:" + port).set("federation.namespaces", "/site-s/**")
                    .set("federation.trusted-peers", trust.toString()).set("federation.token", token).start()) {
                admitted.adminClient().set("/site-s/x", num(3));
                awaitValue(hub, "/site-s/x", 3);
            }
        }
    }

    @Test
    void forgedAndReplayedHandshakesAreRefused() throws Exception {

        try (TestNode hub = hub(port, a); PandoClient c = PandoClient.connect(hub.url(), null)) {
            register(hub, a, "leaf-a", "/site-a/**");
            String key = HexFormat.of().formatHex(a.keyPair().publicKey());
            JsonNode hello = c.call("federation.hello", obj().put("node", a.nodeId()).put("key", key).put("version", 1).put("nonce", "00"));
            String nonce = hello.get("nonce").asText();
            String message = "federation-join:" + nonce + ":" + hub.node().nodeId() + ":" + a.nodeId();
            ObjectNode forged = join(a.nodeId(), nonce, Ed25519KeyPair.generate(), message);
            assertThatThrownBy(() -> c.call("federation.join", forged)).isInstanceOfSatisfying(PandoException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
                assertThat(e.getMessage()).contains("does not verify");
            });
            JsonNode hello2 = c.call("federation.hello", obj().put("node", a.nodeId()).put("key", key).put("version", 1).put("nonce", "01"));
            String nonce2 = hello2.get("nonce").asText();
            ObjectNode honest = join(a.nodeId(), nonce2, a.keyPair(), "federation-join:" + nonce2 + ":" + hub.node().nodeId() + ":" + a.nodeId());
            assertThat(c.call("federation.join", honest).get("session").asText()).isNotEmpty();
            assertThatThrownBy(() -> c.call("federation.join", honest)).isInstanceOfSatisfying(PandoException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
                assertThat(e.getMessage()).contains("no handshake under way");
            });
            // A key that is not the one the node id derives from is refused before anything else.
            assertThatThrownBy(() -> c.call("federation.hello", obj().put("node", a.nodeId())
                    .put("key", HexFormat.of().formatHex(Ed25519KeyPair.generate().publicKey())).put("version", 1).put("nonce", "02")))
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
            assertThatThrownBy(() -> c.call("federation.push", obj().put("session", "guess").set("changes", Json.parse("[]"))))
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
            // Hellos in a node's name (its id and key are public) keep at most two handshakes for it: the oldest is dropped.
            String first = c.call("federation.hello", obj().put("node", a.nodeId()).put("key", key).put("version", 1).put("nonce", "03"))
                    .get("nonce").asText();
            c.call("federation.hello", obj().put("node", a.nodeId()).put("key", key).put("version", 1).put("nonce", "04"));
            String third = c.call("federation.hello", obj().put("node", a.nodeId()).put("key", key).put("version", 1).put("nonce", "05"))
                    .get("nonce").asText();
            assertThatThrownBy(() -> c.call("federation.join", join(a.nodeId(), first, a.keyPair(),
                    "federation-join:" + first + ":" + hub.node().nodeId() + ":" + a.nodeId())))
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.getMessage()).contains("no handshake under way"));
            assertThat(c.call("federation.join", join(a.nodeId(), third, a.keyPair(),
                    "federation-join:" + third + ":" + hub.node().nodeId() + ":" + a.nodeId())).get("session").asText()).isNotEmpty();
            assertThat(c.call("node.key", obj()).get("publicKey").asText()).isEqualTo(HexFormat.of().formatHex(
                    NodeIdentity.loadOrCreate(dir.resolve("hub")).keyPair().publicKey()));
        }
    }

    @Test
    void aPeerFloodingPatternsOrOversizedBatchesIsRefusedAtTheLimitsWhileTheHubKeepsServing() throws Exception {

        try (TestNode hub = TestNode.builder().builtins("registry").dataDir(dir.resolve("hub")).with(NodeConfig.PORT, port)
                .set("federation.mode", "hub").set("federation.max-patterns", "10").set("federation.batch-size", "5")
                .set("federation.trusted-peers", TestNode.writeTrustedKeys(dir.resolve("t"), a.keyPair()).toString()).start();
                PandoClient c = PandoClient.connect(hub.url(), null)) {
            register(hub, a, "leaf-a", "/site-a/**");
            String key = HexFormat.of().formatHex(a.keyPair().publicKey());
            String nonce = c.call("federation.hello", obj().put("node", a.nodeId()).put("key", key).put("version", 1).put("nonce", "00"))
                    .get("nonce").asText();
            ObjectNode flood = join(a.nodeId(), nonce, a.keyPair(), "federation-join:" + nonce + ":" + hub.node().nodeId() + ":" + a.nodeId());
            for (int i = 0; i < 11; i++) {
                flood.withArray("interests").add("/i" + i + "/**");
            }
            assertThatThrownBy(() -> c.call("federation.join", flood)).isInstanceOfSatisfying(PandoException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(e.getMessage()).contains("at most 10");
            });
            String nonce2 = c.call("federation.hello", obj().put("node", a.nodeId()).put("key", key).put("version", 1).put("nonce", "01"))
                    .get("nonce").asText();
            String session = c.call("federation.join", join(a.nodeId(), nonce2, a.keyPair(),
                    "federation-join:" + nonce2 + ":" + hub.node().nodeId() + ":" + a.nodeId())).get("session").asText();
            com.fasterxml.jackson.databind.node.ArrayNode big = Json.MAPPER.createArrayNode();
            for (int i = 1; i <= 6; i++) {
                big.addObject().put("key", "/site-a/" + i).put("value", i).put("revision", i).put("timestamp", 1).put("origin", a.nodeId())
                        .put("writer", "w").put("originRevision", i);
            }
            long before = hub.node().store().lastRevision();
            assertThatThrownBy(() -> c.call("federation.push", obj().put("session", session).put("upTo", 6).set("changes", big)))
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.getMessage()).contains("at most 5 changes"));
            // A change outside what the peer owns is rejected and counted; the rest of the batch applies.
            com.fasterxml.jackson.databind.node.ArrayNode mixed = Json.MAPPER.createArrayNode();
            mixed.addObject().put("key", "/site-b/x").put("value", 1).put("revision", 1).put("timestamp", 1).put("origin", a.nodeId())
                    .put("writer", "w").put("originRevision", 1);
            mixed.addObject().put("key", "/site-a/y").put("value", 2).put("revision", 2).put("timestamp", 1).put("origin", a.nodeId())
                    .put("writer", "w").put("originRevision", 2);
            JsonNode r = c.call("federation.push", obj().put("session", session).put("upTo", 2).set("changes", mixed));
            assertThat(r.get("rejected").asInt()).isEqualTo(1);
            assertThat(r.get("applied").asInt()).isEqualTo(1);
            assertThat(hub.adminClient().find("/site-b/x")).isEmpty();
            assertThat(hub.node().store().lastRevision()).isGreaterThan(before);
            assertThat(c.health().get("status").asText()).isEqualTo("ok");
        }
    }

    private static ObjectNode join(String node, String nonce, Ed25519KeyPair signer, String message) {
        byte[] proof = signer.sign((Replica.SIGNING_CONTEXT + message).getBytes(StandardCharsets.UTF_8));
        ObjectNode j = obj().put("node", node).put("nonce", nonce).put("proof", HexFormat.of().formatHex(proof));
        j.withArray("namespaces").add("/site-a/**");
        return j;
    }

    @Test
    void aRestartedLeafAndARestartedHubResumeFromTheirCursorsWithNoLossAndNoDuplicate() throws Exception {
        TestNode hub = starHub();
        TestNode leafB = leaf("b", port, h, "/site-b/**");
        try {
            try (TestNode leafA = leaf("a", port, h, "/site-a/**")) {
                leafA.adminClient().set("/site-a/k0", num(0));
                awaitValue(leafB, "/site-a/k0", 0);
            }
            // Leaf A is down: B keeps writing; A catches up when it comes back.
            for (int i = 1; i <= 50; i++) {
                leafB.adminClient().set("/site-b/k" + i, num(i));
            }
            try (TestNode leafA = leaf("a", port, h, "/site-a/**")) {
                awaitValue(leafA, "/site-b/k50", 50);
                awaitCopies(leafA, "/site-b/k", 50);
                assertThat(copiesOf(leafA, "/site-b/k")).as("each of B's changes applied once on A").isEqualTo(50);
                // The hub goes down while A writes; A pushes what it missed once the hub is back.
                hub.close();
                for (int i = 1; i <= 30; i++) {
                    leafA.adminClient().set("/site-a/k" + i, num(i));
                }
                hub = hub(port, a, b);
                awaitValue(hub, "/site-a/k30", 30);
                awaitValue(leafB, "/site-a/k30", 30);
                awaitCopies(hub, "/site-a/k", 31);
                awaitCopies(leafB, "/site-a/k", 31);
                assertThat(copiesOf(hub, "/site-a/k")).as("each of A's changes applied once on the hub").isEqualTo(31);
                assertThat(copiesOf(leafB, "/site-a/k")).as("and once on B").isEqualTo(31);
            }
        } finally {
            leafB.close();
            hub.close();
        }
    }

    @Test
    void aTwoLevelTreeOfHubsCarriesAWriteFromABottomLeafToALeafOfTheOtherBranch() throws Exception {
        NodeIdentity top = identity(dir, "top");
        NodeIdentity mid = identity(dir, "mid");
        NodeIdentity bottom = identity(dir, "bottom");
        NodeIdentity other = identity(dir, "other");
        int topPort = freePort();
        int midPort = freePort();
        Path topTrust = TestNode.writeTrustedKeys(dir.resolve("top-trusts"), mid.keyPair(), other.keyPair());
        Path midTrust = TestNode.writeTrustedKeys(dir.resolve("mid-trusts"), top.keyPair(), bottom.keyPair());
        try (TestNode t = TestNode.builder().builtins("registry").dataDir(dir.resolve("top")).with(NodeConfig.PORT, topPort)
                .set("federation.mode", "hub").set("federation.trusted-peers", topTrust.toString()).start();
                TestNode m = TestNode.builder().builtins("registry").dataDir(dir.resolve("mid")).with(NodeConfig.PORT, midPort)
                        .set("federation.mode", "hub").set("federation.hub", "ws://127.0.0.1:" + topPort)
                        .set("federation.namespaces", "/site-a/**").set("federation.trusted-peers", midTrust.toString())
                        .set("federation.reconnect-initial-ms", "50").start()) {
            register(t, mid, "mid", "/site-a/**");
            register(t, other, "other", "/site-c/**");
            register(m, bottom, "bottom", "/site-a/room1/**");
            try (TestNode b = leaf("bottom", midPort, mid, "/site-a/room1/**"); TestNode o = leaf("other", topPort, top, "/site-c/**")) {
                JsonNode written = b.adminClient().set("/site-a/room1/lamp", num(5));
                JsonNode there = awaitValue(o, "/site-a/room1/lamp", 5);
                assertThat(there.get("origin").asText()).as("the origin survives two hops").isEqualTo(bottom.nodeId());
                assertThat(originRevision(there)).isEqualTo(written.get("revision").asLong());
                o.adminClient().set("/site-c/x", num(6));
                awaitValue(b, "/site-c/x", 6);
                assertThat(copiesOf(b, "/site-a/room1/lamp")).as("never sent back to its origin").isEqualTo(1);
            }
        }
    }

    @Test
    void aLeafWhoseCursorTheHubNoLongerHoldsTakesASnapshotInstead() throws Exception {
        Path trust = TestNode.writeTrustedKeys(dir.resolve("hub-trusts"), a.keyPair(), b.keyPair());
        try (TestNode hub = TestNode.builder().builtins("registry").dataDir(dir.resolve("hub")).with(NodeConfig.PORT, port)
                .set("changes.retain-count", "20").set("federation.batch-size", "7") // snapshot pages of at most 7
                .set("federation.mode", "hub").set("federation.trusted-peers", trust.toString()).start()) {
            register(hub, a, "leaf-a", "/site-a/**");
            register(hub, b, "leaf-b", "/site-b/**");
            try (TestNode leafA = leaf("a", port, h, "/site-a/**")) {
                long seenByB;
                try (TestNode leafB = leaf("b", port, h, "/site-b/**")) {
                    leafA.adminClient().set("/site-a/first", num(1));
                    for (int i = 0; i < 100; i++) {
                        leafA.adminClient().set("/site-a/s" + i, num(-1));
                    }
                    leafA.adminClient().set("/site-a/zz-gone", num(1));
                    leafB.adminClient().set("/site-b/own", num(1));
                    awaitValue(leafB, "/site-a/first", 1);
                    awaitValue(leafB, "/site-a/zz-gone", 1);
                    awaitValue(leafB, "/site-a/s99", -1);
                    seenByB = hub.node().store().lastRevision();
                }
                // Deleted while B is away: the deletes are pruned with the rest, and only the snapshot can tell B.
                leafA.adminClient().delete("/site-a/first");
                leafA.adminClient().delete("/site-a/zz-gone");
                for (int i = 0; i < 100; i++) {
                    leafA.adminClient().set("/site-a/s" + i, num(i));
                }
                for (int i = 0; i < 100; i += 9) {
                    leafA.adminClient().delete("/site-a/s" + i); // across the snapshot's pages
                }
                awaitValue(hub, "/site-a/s98", 98);
                Eventually.eventually("the hub prunes what B has not pulled (retain-count 20)", BOUND, () -> {
                    hub.node().store().prune();
                    return hub.node().store().firstRetainedRevision() > seenByB + 1 ? true : null;
                });
                try (TestNode leafB = leaf("b", port, h, "/site-b/**")) {
                    for (int i = 1; i < 100; i++) {
                        if (i % 9 != 0) {
                            awaitValue(leafB, "/site-a/s" + i, i);
                        }
                    }
                    leafA.adminClient().set("/site-a/after", num(2));
                    awaitValue(leafB, "/site-a/after", 2);
                    assertThat(originRevision(leafB.adminClient().get("/site-a/s7"))).isPositive();
                    assertThat(uplink(leafB).get("snapshots").asLong()).as("it took a snapshot").isEqualTo(1);
                    assertThat(leafB.adminClient().find("/site-a/first")).as("deleted at its owner before the pruned point").isEmpty();
                    assertThat(leafB.adminClient().find("/site-a/zz-gone")).as("past the snapshot's last key").isEmpty();
                    for (int i = 0; i < 100; i += 9) {
                        assertThat(leafB.adminClient().find("/site-a/s" + i)).as("s" + i + " deleted").isEmpty();
                    }
                    assertThat(uplink(leafB).get("retracted").asLong()).as("first, zz-gone and 12 of the s keys").isEqualTo(14);
                    assertThat(leafB.adminClient().find("/site-b/own")).as("what B owns is not the hub's to retract").isPresent();
                }
            }
        }
    }

    @Test
    void aLeafWhoseOwnFeedNoLongerHoldsWhatTheHubLacksSendsItASnapshot() throws Exception {
        TestNode hub = starHub();
        // Snapshot pages of at most 7.
        try (TestNode leafA = FederationFixture.leafBuilder(dir, "a", port, TestNode.writeTrustedKeys(dir.resolve("a-trusts"), h.keyPair()),
                "/site-a/**").set("changes.retain-count", "20").set("federation.batch-size", "7").start()) {
            leafA.adminClient().set("/site-a/kept", num(1));
            leafA.adminClient().set("/site-a/gone", num(1));
            leafA.adminClient().set("/site-a/zz-gone", num(1));
            awaitValue(hub, "/site-a/zz-gone", 1);
            hub.close();
            // The hub is away while A deletes and writes on, and A's retention prunes all of it.
            leafA.adminClient().delete("/site-a/gone");
            long deleted = leafA.adminClient().delete("/site-a/zz-gone").get("revision").asLong();
            for (int i = 0; i < 100; i++) {
                leafA.adminClient().set("/site-a/n" + i, num(i));
            }
            Eventually.eventually("A prunes its own feed past its deletes (retain-count 20)", BOUND, () -> {
                leafA.node().store().prune();
                return leafA.node().store().firstRetainedRevision() > deleted + 1 ? true : null;
            });
            hub = hub(port, a, b);
            awaitValue(hub, "/site-a/n99", 99);
            TestNode restarted = hub;
            Eventually.eventually("the hub drops what A deleted", BOUND,
                    () -> restarted.adminClient().find("/site-a/gone").isEmpty() && restarted.adminClient().find("/site-a/zz-gone").isEmpty()
                            ? true : null);
            assertThat(hub.adminClient().get("/site-a/kept").get("value").asInt()).isEqualTo(1);
            assertThat(uplink(leafA).get("pushSnapshots").asLong()).as("A sent a snapshot").isEqualTo(1);
            assertThat(hub.call("federation.peers", obj()).get("peers").get(0).get("retracted").asLong()).isEqualTo(2);
            leafA.adminClient().set("/site-a/after", num(3));
            awaitValue(hub, "/site-a/after", 3);
        } finally {
            hub.close();
        }
    }

    @Test
    void nodesWithTheDefaultBuiltinsFederateAndKeepPluginPrivateStateToThemselves() throws Exception {
        Path trust = TestNode.writeTrustedKeys(dir.resolve("hub-trusts"), a.keyPair(), b.keyPair());
        try (TestNode hub = TestNode.builder().builtins("journal", "rules", "registry").dataDir(dir.resolve("hub"))
                .with(NodeConfig.PORT, port).set("federation.mode", "hub").set("federation.trusted-peers", trust.toString()).start()) {
            register(hub, a, "leaf-a", "/site-a/**");
            register(hub, b, "leaf-b", "/site-b/**");
            hub.adminClient().set("/shared/notice", num(4)); // the hub's own write, journaled there
            try (TestNode leafA = FederationFixture.leafBuilder(dir, "a", port, TestNode.writeTrustedKeys(dir.resolve("a-trusts"), h.keyPair()),
                    "/site-a/**").builtins("journal", "rules").start(); TestNode leafB = leaf("b", port, h, "/site-b/**")) {
                leafA.adminClient().set("/site-a/lights/1", num(7));
                awaitValue(leafB, "/site-a/lights/1", 7);
                awaitValue(leafA, "/shared/notice", 4);
                assertThat(uplink(leafA).get("rejected").asLong()).as("the hub's journal entries are not offered").isZero();
                assertThat(leafB.node().store().changesSince(0, 10_000)).as("nothing of another node's /_plugins reaches b")
                        .noneMatch(c -> c.key().startsWith("/_plugins/"));
                assertThat(hub.node().store().changesSince(0, 10_000)).as("nor of a's reaches the hub")
                        .noneMatch(c -> c.key().startsWith("/_plugins/") && !c.origin().equals(h.nodeId()));
            }
        }
    }

    /** A push wraps each value in a batch of changes: a value at every store limit must still cross, in both directions. */
    @Test
    void valuesAtTheStoreLimitsCrossFromLeafToHubToLeaf() throws Exception {
        try (TestNode hub = starHub()) {
            try (TestNode leafA = leaf("a", port, h, "/site-a/**"); TestNode leafB = leaf("b", port, h, "/site-b/**")) {
                JsonNode deepest = Json.parse("[".repeat(64) + "1" + "]".repeat(64)); // limits.max-json-depth
                JsonNode biggest = com.fasterxml.jackson.databind.node.TextNode.valueOf("x".repeat(65_536 - 2)); // store.max-value-bytes
                leafA.adminClient().set("/site-a/deep", deepest);
                leafA.adminClient().set("/site-a/big", biggest);
                leafA.adminClient().set("/site-a/after", num(1));
                awaitValue(leafB, "/site-a/after", 1);
                for (TestNode n : List.of(hub, leafB)) {
                    assertThat(n.adminClient().get("/site-a/deep").get("value")).isEqualTo(deepest);
                    assertThat(n.adminClient().get("/site-a/big").get("value")).isEqualTo(biggest);
                }
                assertThat(uplink(leafB).get("rejected").asLong()).isZero();
            }
        }
    }

    /**
     * A backlog of large values is more than one message may carry (the hub's limits.max-frame-bytes,
     * 1 MiB): the leaf sends it in several, both from its feed and, once retention pruned its feed,
     * as a snapshot whose sweep still retracts a key deleted in the middle of the page.
     */
    @Test
    void aBacklogOfLargeValuesReachesTheHubInSeveralMessages() throws Exception {
        backlogOfLargeValues(false);
    }

    @Test
    void aSnapshotOfLargeValuesReachesTheHubInSeveralMessages() throws Exception {
        backlogOfLargeValues(true);
    }

    private void backlogOfLargeValues(boolean pruned) throws Exception {
        TestNode hub = starHub();
        try (TestNode leafA = FederationFixture.leafBuilder(dir, "a", port, TestNode.writeTrustedKeys(dir.resolve("a-trusts"), h.keyPair()),
                "/site-a/**")
                .set("changes.retain-count", pruned ? "5" : "0").start()) {
            leafA.adminClient().set("/site-a/big-12x", num(1));
            awaitValue(hub, "/site-a/big-12x", 1);
            hub.close();
            long deleted = leafA.adminClient().delete("/site-a/big-12x").get("revision").asLong();
            JsonNode large = com.fasterxml.jackson.databind.node.TextNode.valueOf("v".repeat(60_000));
            for (int i = 0; i < 24; i++) { // about 1.4 MiB
                leafA.adminClient().set(String.format("/site-a/big-%02d", i), large);
            }
            leafA.adminClient().set("/site-a/big-zz", num(2));
            if (pruned) {
                Eventually.eventually("A prunes its feed past the delete", BOUND, () -> {
                    leafA.node().store().prune();
                    return leafA.node().store().firstRetainedRevision() > deleted + 1 ? true : null;
                });
            }
            hub = hub(port, a, b);
            awaitValue(hub, "/site-a/big-zz", 2);
            for (int i = 0; i < 24; i++) {
                assertThat(hub.adminClient().get(String.format("/site-a/big-%02d", i)).get("value")).as("big-%02d", i).isEqualTo(large);
            }
            TestNode restarted = hub;
            Eventually.eventually("the hub drops what A deleted", BOUND,
                    () -> restarted.adminClient().find("/site-a/big-12x").isEmpty() ? true : null);
            assertThat(uplink(leafA).get("pushSnapshots").asLong()).as("pruned: " + pruned).isEqualTo(pruned ? 1 : 0);
        } finally {
            hub.close();
        }
    }

    @Test
    void aChangeOneNodeCannotTakeIsRejectedThereWithoutStoppingTheChangesBehindIt() throws Exception {
        try (TestNode hub = starHub()) {
            try (TestNode leafA = leaf("a", port, h, "/site-a/**");
                    TestNode leafB = FederationFixture.leafBuilder(dir, "b", port, TestNode.writeTrustedKeys(dir.resolve("b-trusts"), h.keyPair()),
                            "/site-b/**").set("store.max-value-bytes", "1024").start()) {
                leafA.adminClient().set("/site-a/before", num(1));
                awaitValue(leafB, "/site-a/before", 1);
                leafA.adminClient().set("/site-a/big", obj().put("blob", "x".repeat(5_000)));
                leafA.adminClient().set("/site-a/after", num(2));
                awaitValue(leafB, "/site-a/after", 2);
                assertThat(leafB.adminClient().find("/site-a/big")).as("over b's store.max-value-bytes").isEmpty();
                assertThat(awaitValue(hub, "/site-a/after", 2)).isNotNull();
                assertThat(hub.adminClient().get("/site-a/big").get("value").get("blob").asText()).hasSize(5_000);
                assertThat(uplink(leafB).get("rejected").asLong()).isEqualTo(1);
                assertThat(uplink(leafB).get("state").asText()).isEqualTo("active");
            }
        }
    }

    @Test
    void revisionVectorsFindAChangeALeafLostAndFetchItAgain() throws Exception {
        try (TestNode hub = starHub()) {
            Path trust = TestNode.writeTrustedKeys(dir.resolve("b-trusts"), h.keyPair());
            try (TestNode leafA = leaf("a", port, h, "/site-a/**");
                    TestNode leafB = TestNode.builder().dataDir(dir.resolve("b")).set("federation.mode", "leaf")
                            .set("federation.hub", "ws://127.0.0.1:" + port).set("federation.namespaces", "/site-b/**")
                            .set("federation.trusted-peers", trust.toString()).set("federation.sync-interval-ms", "200").start()) {
                for (int i = 0; i < 5; i++) {
                    leafA.adminClient().set("/site-a/v" + i, num(i));
                }
                leafA.adminClient().set("/site-a/last", num(9));
                awaitValue(leafB, "/site-a/last", 9);
                // The replica loses the newest change of A (as a bad disk or a bug would); its cursor is past it.
                leafB.node().store().delete("/site-a/last", dev.pando.node.kv.WriteOptions.replicated("test", "nelsewhere", 1)).join();
                assertThat(leafB.adminClient().find("/site-a/last")).isEmpty();
                awaitValue(leafB, "/site-a/last", 9);
                assertThat(uplink(leafB).get("gapResyncs").asLong()).isPositive();
                assertThatThrownBy(() -> {
                    try (PandoClient c = PandoClient.connect(hub.url(), null)) {
                        ObjectNode v = obj().put("session", "whatever");
                        c.call("federation.digest", v.set("vector", obj()));
                    }
                }).isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
            }
        }
    }

    /**
     * Waits for {@code n} changes under {@code prefix} in the feed: a value is readable as soon as
     * its batch is stored, the feed shows it once the batch is acknowledged, a moment later.
     */
    private static void awaitCopies(TestNode node, String prefix, long n) {
        Eventually.eventually(n + " changes under " + prefix, BOUND, () -> copiesOf(node, prefix) >= n ? true : null);
    }
}
