package dev.pando.it;

import static dev.pando.it.Json.num;
import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvEntry;
import dev.pando.client.PandoClient;
import dev.pando.node.auth.NodeIdentity;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.kv.ScanQuery;
import dev.pando.testkit.Eventually;
import dev.pando.testkit.TestNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network cuts between leaves and their hub (a TCP proxy resetting every connection) during
 * continuous writes on both leaves, then healing: every node converges to identical values,
 * origins and origin revisions for the shared namespaces, checked key by key.
 */
class FederationPartitionIT {
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void afterCutsAndHealingEveryNodeHoldsTheSameValuesAndOriginRevisionsKeyByKey() throws Exception {
        NodeIdentity h = NodeIdentity.loadOrCreate(dir.resolve("hub"));
        NodeIdentity a = NodeIdentity.loadOrCreate(dir.resolve("a"));
        NodeIdentity b = NodeIdentity.loadOrCreate(dir.resolve("b"));
        int hubPort;
        try (ServerSocket s = new ServerSocket(0)) {
            hubPort = s.getLocalPort();
        }
        Path hubTrust = TestNode.writeTrustedKeys(dir.resolve("hub-trusts"), a.keyPair(), b.keyPair());
        Path leafTrust = TestNode.writeTrustedKeys(dir.resolve("leaf-trusts"), h.keyPair());
        try (TestNode hub = TestNode.builder().builtins("registry").dataDir(dir.resolve("hub")).with(NodeConfig.PORT, hubPort)
                .with(NodeConfig.RATE_PER_SECOND, 0L).set("federation.mode", "hub").set("federation.trusted-peers", hubTrust.toString()).start();
                FaultyProxy toHubA = new FaultyProxy(hubPort);
                FaultyProxy toHubB = new FaultyProxy(hubPort)) {
            for (NodeIdentity leaf : new NodeIdentity[] {a, b}) {
                String ns = leaf == a ? "/site-a/**" : "/site-b/**";
                hub.call("registry.register", obj().put("publicKey", HexFormat.of().formatHex(leaf.keyPair().publicKey())).put("type", "node")
                        .put("name", leaf.nodeId()).set("namespaces", Json.parse("[\"" + ns + "\"]")));
            }
            try (TestNode leafA = leaf("a", toHubA.port(), leafTrust, "/site-a/**"); TestNode leafB = leaf("b", toHubB.port(), leafTrust, "/site-b/**")) {
                AtomicBoolean stop = new AtomicBoolean();
                Thread wa = writer(leafA, "/site-a/k", stop);
                Thread wb = writer(leafB, "/site-b/k", stop);
                Thread.sleep(500);
                toHubA.cut();
                Thread.sleep(1_500);
                toHubA.heal();
                Thread.sleep(500);
                toHubA.cut();
                toHubB.cut();
                Thread.sleep(2_000);
                toHubB.heal();
                Thread.sleep(300);
                toHubA.heal();
                Thread.sleep(500);
                stop.set(true);
                wa.join(10_000);
                wb.join(10_000);
                Eventually.eventually("all three nodes hold the same shared state", CONVERGE, () -> {
                    Map<String, String> onHub = shared(hub);
                    return !onHub.isEmpty() && onHub.equals(shared(leafA)) && onHub.equals(shared(leafB)) ? true : null;
                });
                Map<String, String> state = shared(hub);
                assertThat(state.keySet()).anyMatch(k -> k.startsWith("/site-a/")).anyMatch(k -> k.startsWith("/site-b/"));
            }
        }
    }

    @Test
    void aStalledLinkIsDroppedAfterThePeerTimeoutAndResumesFromItsCursorsWithNothingLostOrRepeated() throws Exception {
        NodeIdentity h = NodeIdentity.loadOrCreate(dir.resolve("hub"));
        NodeIdentity a = NodeIdentity.loadOrCreate(dir.resolve("a"));
        NodeIdentity b = NodeIdentity.loadOrCreate(dir.resolve("b"));
        int hubPort = FederationFixture.freePort();
        Path hubTrust = TestNode.writeTrustedKeys(dir.resolve("hub-trusts"), a.keyPair(), b.keyPair());
        Path leafTrust = TestNode.writeTrustedKeys(dir.resolve("leaf-trusts"), h.keyPair());
        try (TestNode hub = TestNode.builder().builtins("registry").dataDir(dir.resolve("hub")).with(NodeConfig.PORT, hubPort)
                .with(NodeConfig.RATE_PER_SECOND, 0L).set("federation.mode", "hub").set("federation.trusted-peers", hubTrust.toString()).start();
                FaultyProxy toHubA = new FaultyProxy(hubPort)) {
            FederationFixture.register(hub.adminClient(), a, "leaf-a", "/site-a/**");
            FederationFixture.register(hub.adminClient(), b, "leaf-b", "/site-b/**");
            try (TestNode leafA = leafSettings("a", toHubA.port(), leafTrust, "/site-a/**").set("federation.peer-timeout-ms", "1000").start();
                    TestNode leafB = leaf("b", hubPort, leafTrust, "/site-b/**")) {
                leafA.adminClient().set("/site-a/before", num(1));
                awaitKey(leafB, "/site-a/before");
                toHubA.stall();
                // A's link carries nothing now, its pull and push stuck in it: the hub still serves B.
                leafA.adminClient().set("/site-a/during", num(2));
                for (int i = 0; i < 300; i++) {
                    leafB.adminClient().set("/site-b/s" + i, num(i));
                }
                awaitKey(hub, "/site-b/s299");
                JsonNode dropped = Eventually.eventually("A drops the stalled session, saying why", CONVERGE, () -> {
                    JsonNode up = leafA.call("federation.peers", obj()).get("peers").get(0);
                    return up.get("reconnects").asLong() > 0 && up.get("lastError").asText().contains("within") ? up : null;
                });
                assertThat(dropped.get("lastError").asText()).contains("no answer");
                toHubA.heal();
                awaitKey(leafA, "/site-b/s299");
                awaitKey(leafB, "/site-a/during");
                Eventually.eventually("A's uplink active again", CONVERGE,
                        () -> leafA.call("federation.peers", obj()).get("peers").get(0).get("state").asText().equals("active") ? true : null);
                assertThat(FederationFixture.copiesOf(leafA, "/site-b/s")).as("each of B's changes applied once on A").isEqualTo(300);
                assertThat(FederationFixture.copiesOf(hub, "/site-a/during")).as("A's change applied once on the hub").isEqualTo(1);
            }
        }
    }

    private static void awaitKey(TestNode node, String key) {
        Eventually.eventually(key + " on " + node.node().nodeId(), CONVERGE, () -> node.node().store().get(key).orElse(null));
    }

    private TestNode leaf(String name, int port, Path trust, String namespaces) {
        return leafSettings(name, port, trust, namespaces).start();
    }

    private TestNode.Builder leafSettings(String name, int port, Path trust, String namespaces) {
        return FederationFixture.leafBuilder(dir, name, port, trust, namespaces).with(NodeConfig.RATE_PER_SECOND, 0L)
                .set("federation.reconnect-max-ms", "400");
    }

    /** Overwrites 40 keys round-robin with increasing values until {@code stop}. */
    private static Thread writer(TestNode node, String prefix, AtomicBoolean stop) {
        Thread t = new Thread(() -> {
            try (PandoClient c = node.adminClient()) {
                for (int n = 0; !stop.get(); n++) {
                    c.set(prefix + (n % 40), num(n));
                    Thread.sleep(2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "partition-writer");
        t.start();
        return t;
    }

    /** key → value, origin and origin revision of everything under /site-a and /site-b. */
    private static Map<String, String> shared(TestNode node) {
        Map<String, String> out = new TreeMap<>();
        for (String ns : new String[] {"/site-a/**", "/site-b/**"}) {
            for (KvEntry e : node.node().store().scan(new ScanQuery(PathPattern.compile(ns), ScanQuery.MAX_LIMIT, Optional.empty())).entries()) {
                out.put(e.key(), e.value() + "|" + e.origin() + "|" + e.originRevision());
            }
        }
        return out;
    }

}
