package dev.pando.it;

import static dev.pando.it.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.client.PandoClient;
import dev.pando.node.auth.NodeIdentity;
import dev.pando.testkit.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the federation tests share: node keys made ahead, free ports, registry entries, leaf settings. */
final class FederationFixture {
    private FederationFixture() {}

    /** The identity of the node whose data dir is {@code dir/name}, made ahead so peers can trust it before it starts. */
    static NodeIdentity identity(Path dir, String name) {
        try {
            return NodeIdentity.loadOrCreate(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Registers {@code node} on a hub as a registry entity of type node owning {@code namespaces}. */
    static void register(PandoClient hub, NodeIdentity node, String name, String... namespaces) {
        ObjectNode args = obj().put("publicKey", HexFormat.of().formatHex(node.keyPair().publicKey())).put("type", "node").put("name", name);
        for (String n : namespaces) {
            args.withArray("namespaces").add(n);
        }
        hub.call("registry.register", args);
    }

    /** The settings of a leaf of the hub on {@code hubPort}, reconnecting quickly. */
    static Map<String, String> leafSettings(int hubPort, Path trust, String namespaces) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("federation.mode", "leaf");
        s.put("federation.hub", "ws://127.0.0.1:" + hubPort);
        s.put("federation.namespaces", namespaces);
        s.put("federation.trusted-peers", trust.toString());
        s.put("federation.reconnect-initial-ms", "50");
        s.put("federation.reconnect-max-ms", "500");
        return s;
    }

    /** A leaf started in-process on {@code dir/name}. */
    static TestNode leaf(Path dir, String name, int hubPort, Path trust, String namespaces) {
        return leafBuilder(dir, name, hubPort, trust, namespaces).start();
    }

    /** {@link #leaf}'s builder, for a leaf with settings of its own besides. */
    static TestNode.Builder leafBuilder(Path dir, String name, int hubPort, Path trust, String namespaces) {
        TestNode.Builder b = TestNode.builder().dataDir(dir.resolve(name));
        leafSettings(hubPort, trust, namespaces).forEach(b::set);
        return b;
    }

    /** How many changes of keys under {@code prefix} the node's feed holds: one per applied change. */
    static long copiesOf(TestNode node, String prefix) {
        return node.node().store().changesSince(0, 10_000).stream().filter(c -> c.key().startsWith(prefix)).count();
    }

    /** An entry's origin revision: absent on the wire when it equals the entry's revision. */
    static long originRevision(JsonNode entry) {
        return entry.path("originRevision").asLong(entry.get("revision").asLong());
    }
}
