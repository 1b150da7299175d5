package dev.pando.it;

import static dev.pando.it.Json.num;
import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

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

    private TestNode leaf(String name, int port, Path trust, String namespaces) {
        return TestNode.builder().dataDir(dir.resolve(name)).with(NodeConfig.RATE_PER_SECOND, 0L).set("federation.mode", "leaf")
                .set("federation.hub", "ws://127.0.0.1:" + port).set("federation.namespaces", namespaces)
                .set("federation.trusted-peers", trust.toString()).set("federation.reconnect-initial-ms", "50")
                .set("federation.reconnect-max-ms", "400").start();
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
