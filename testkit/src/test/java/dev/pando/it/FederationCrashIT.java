package dev.pando.it;

import static dev.pando.it.FederationFixture.freePort;
import static dev.pando.it.FederationFixture.identity;
import static dev.pando.it.FederationFixture.originRevision;
import static dev.pando.it.Json.num;
import static dev.pando.it.Json.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.plugin.KvChange;
import dev.pando.client.PandoClient;
import dev.pando.node.auth.NodeIdentity;
import dev.pando.node.config.NodeConfig;
import dev.pando.testkit.ChildNode;
import dev.pando.testkit.Eventually;
import dev.pando.testkit.TestNode;
import dev.pando.testkit.TestScale;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Federation across SIGKILL: a leaf, then the hub, run as child JVMs killed mid-stream while a
 * writer keeps writing; after each restart every acknowledged write reaches the other leaf with
 * its origin revision, and no change is applied twice. Cycle counts scale with
 * {@code -Dpando.test.scale} ({@link TestScale}).
 */
class FederationCrashIT {
    private static final int CYCLES = TestScale.scaled(3);
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** key → the revision its write was acknowledged at, on the leaf that owns it. */
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();

    /** A leaf's settings, with no builtins of its own and no rate limit (the writer is fast). */
    private static Map<String, String> leafSettings(int hubPort, Path trust, String namespaces) {
        Map<String, String> s = new LinkedHashMap<>(FederationFixture.leafSettings(hubPort, trust, namespaces));
        s.put("plugins.builtins", "");
        s.put("limits.rate-per-second", "0");
        return s;
    }

    private static void register(PandoClient hub, NodeIdentity node, String namespace) {
        FederationFixture.register(hub, node, node.nodeId(), namespace);
    }

    @Test
    void aKilledLeafResumesFromItsCursorWithNoLossAndNoDuplicate() throws Exception {
        NodeIdentity h = identity(dir, "hub");
        NodeIdentity a = identity(dir, "a");
        NodeIdentity b = identity(dir, "b");
        int hubPort = freePort();
        Path hubTrust = TestNode.writeTrustedKeys(dir.resolve("hub-trusts"), a.keyPair(), b.keyPair());
        Path leafTrust = TestNode.writeTrustedKeys(dir.resolve("leaf-trusts"), h.keyPair());
        try (TestNode hub = TestNode.builder().builtins("registry").dataDir(dir.resolve("hub")).with(NodeConfig.PORT, hubPort)
                .with(NodeConfig.RATE_PER_SECOND, 0L).set("federation.mode", "hub").set("federation.trusted-peers", hubTrust.toString()).start();
                ChildNode leafA = new ChildNode(dir.resolve("a"), leafSettings(hubPort, leafTrust, "/site-a/**"));
                TestNode leafB = FederationFixture.leaf(dir, "b", hubPort, leafTrust, "/site-b/**")) {
            register(hub.adminClient(), a, "/site-a/**");
            register(hub.adminClient(), b, "/site-b/**");
            Random random = new Random(7);
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                leafA.start();
                AtomicBoolean stop = new AtomicBoolean();
                Thread writer = new Thread(() -> write(leafA.adminClient(), "/site-a/c", stop), "fed-writer");
                writer.start();
                Thread.sleep(300 + random.nextInt(700));
                leafA.kill(); // mid-write, mid-push: wherever it happens to be
                stop.set(true);
                writer.join(30_000);
            }
            leafA.start();
            assertConverged(leafB, a.nodeId(), "/site-a/c");
        }
    }

    @Test
    void aKilledHubResumesFromItsCursorsWithNoLossAndNoDuplicate() throws Exception {
        NodeIdentity a = identity(dir, "a");
        NodeIdentity b = identity(dir, "b");
        Path hubData = dir.resolve("hub");
        NodeIdentity h = NodeIdentity.loadOrCreate(hubData);
        Path hubTrust = TestNode.writeTrustedKeys(dir.resolve("hub-trusts"), a.keyPair(), b.keyPair());
        Path leafTrust = TestNode.writeTrustedKeys(dir.resolve("leaf-trusts"), h.keyPair());
        Map<String, String> hubSettings = new LinkedHashMap<>();
        hubSettings.put("plugins.builtins", "registry");
        hubSettings.put("limits.rate-per-second", "0");
        hubSettings.put("federation.mode", "hub");
        hubSettings.put("federation.trusted-peers", hubTrust.toString());
        try (ChildNode hub = new ChildNode(hubData, hubSettings)) {
            hub.start();
            int hubPort = hub.url().getPort();
            try (PandoClient admin = hub.adminClient()) {
                register(admin, a, "/site-a/**");
                register(admin, b, "/site-b/**");
            }
            try (TestNode leafA = leaf("a", hubPort, leafTrust, "/site-a/**"); TestNode leafB = leaf("b", hubPort, leafTrust, "/site-b/**")) {
                AtomicBoolean stop = new AtomicBoolean();
                Thread writer = new Thread(() -> write(leafA.adminClient(), "/site-a/h", stop), "fed-writer");
                writer.start();
                Random random = new Random(11);
                for (int cycle = 0; cycle < CYCLES; cycle++) {
                    Thread.sleep(300 + random.nextInt(700));
                    hub.kill();
                    Thread.sleep(200);
                    hub.start();
                }
                stop.set(true);
                writer.join(30_000);
                assertConverged(leafB, a.nodeId(), "/site-a/h");
            }
        }
    }

    private TestNode leaf(String name, int hubPort, Path trust, String namespaces) {
        return FederationFixture.leaf(dir, name, hubPort, trust, namespaces);
    }

    /** Writes distinct keys until {@code stop} or the node dies; records each acknowledged write. */
    private void write(PandoClient client, String prefix, AtomicBoolean stop) {
        try (client) {
            for (long n = 0; !stop.get(); n++) {
                String key = prefix + System.nanoTime() + "-" + n;
                JsonNode r = client.set(key, num(n));
                acknowledged.put(key, r.get("revision").asLong());
            }
        } catch (RuntimeException e) {
            // the node was killed: what was acknowledged is recorded
        }
    }

    private void assertConverged(TestNode other, String origin, String prefix) {
        assertThat(acknowledged).as("the writer got writes acknowledged").isNotEmpty();
        Eventually.eventually("every acknowledged write reaches the other leaf", CONVERGE, () -> {
            for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
                JsonNode got = other.adminClient().find(e.getKey()).orElse(null);
                if (got == null) {
                    return null;
                }
                assertThat(got.get("origin").asText()).isEqualTo(origin);
                assertThat(originRevision(got)).as(e.getKey()).isEqualTo(e.getValue());
            }
            return true;
        });
        List<KvChange> feed = other.node().store().changesSince(0, 10_000);
        Map<String, Long> copies = feed.stream().filter(c -> c.key().startsWith(prefix))
                .collect(Collectors.groupingBy(c -> c.key() + "@" + c.originRevision(), Collectors.counting()));
        assertThat(copies.values()).as("no change applied twice").allMatch(n -> n == 1);
    }
}
