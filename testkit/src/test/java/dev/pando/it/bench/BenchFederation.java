package dev.pando.it.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.node.auth.NodeIdentity;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.testkit.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A federation of real nodes on loopback in this JVM for {@link FederationBenchmark}: a hub that
 * trusts leaves {@code a}, {@code b} and {@code c} (owning {@code /site-<name>/**}, registered on
 * the hub), each leaf on RocksDB in its own data dir under one temp dir, deleted on close. Leaves
 * are started on demand and can be closed and started again on the same data dir.
 */
final class BenchFederation implements AutoCloseable {
    static final List<String> LEAVES = List.of("a", "b", "c");

    private final Path root;
    private final int hubPort;
    private final NodeIdentity hubIdentity;
    private final TestNode hub;
    private final List<TestNode> started = new ArrayList<>();

    BenchFederation() throws IOException {
        root = Files.createTempDirectory("pando-fedbench-");
        hubIdentity = NodeIdentity.loadOrCreate(root.resolve("hub"));
        List<NodeIdentity> leaves = new ArrayList<>();
        for (String name : LEAVES) {
            leaves.add(NodeIdentity.loadOrCreate(root.resolve(name)));
        }
        hubPort = freePort();
        Path trust = TestNode.writeTrustedKeys(root.resolve("hub-trusts"),
                leaves.stream().map(NodeIdentity::keyPair).toArray(Ed25519KeyPair[]::new));
        hub = track(overrides(TestNode.builder().builtins("registry").dataDir(root.resolve("hub")).with(NodeConfig.PORT, hubPort)
                .with(NodeConfig.STORE, "rocksdb").set("federation.mode", "hub").set("federation.trusted-peers", trust.toString())).start());
        for (int i = 0; i < LEAVES.size(); i++) {
            ObjectNode args = JsonNodeFactory.instance.objectNode()
                    .put("publicKey", HexFormat.of().formatHex(leaves.get(i).keyPair().publicKey()))
                    .put("type", "node").put("name", "leaf-" + LEAVES.get(i));
            args.withArray("namespaces").add(namespace(LEAVES.get(i)));
            hub.call("registry.register", args);
        }
    }

    static String namespace(String leaf) {
        return "/site-" + leaf + "/**";
    }

    TestNode hub() {
        return hub;
    }

    /**
     * Starts leaf {@code name} (a, b or c) on its data dir, which survives {@link TestNode#close()}:
     * started again, the leaf resumes from its durable cursors. Interests are the default, /**.
     */
    TestNode leaf(String name) {
        Path trust = TestNode.writeTrustedKeys(root.resolve(name + "-trusts"), hubIdentity.keyPair());
        return track(overrides(TestNode.builder().dataDir(root.resolve(name)).with(NodeConfig.STORE, "rocksdb")
                .set("federation.mode", "leaf").set("federation.hub", "ws://127.0.0.1:" + hubPort)
                .set("federation.namespaces", namespace(name)).set("federation.trusted-peers", trust.toString())).start());
    }

    /**
     * Every {@code -Dset.<key>=<value>} system property sets config key {@code <key>} on every node
     * (e.g. {@code -Dset.federation.batch-size=100}), to see what a setting changes.
     */
    private static TestNode.Builder overrides(TestNode.Builder builder) {
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("set.")) {
                builder.set(name.substring(4), System.getProperty(name));
            }
        }
        return builder;
    }

    private TestNode track(TestNode node) {
        started.add(node);
        return node;
    }

    @Override
    public void close() {
        // Leaves first, so none spends the shutdown reconnecting to a hub that is gone.
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (RuntimeException e) {
                System.err.println("closing a bench node: " + e);
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
