package dev.pando.node.auth;

import dev.pando.signing.Ed25519KeyPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The node's Ed25519 identity, created at first start as {@code node.key} (hex seed) in the data
 * dir. The node id, recorded as the {@code origin} of every local write, is derived from the
 * public key so it is stable across restarts and unique across nodes.
 */
public record NodeIdentity(String nodeId, Ed25519KeyPair keyPair) {
    public static final String FILE = "node.key";

    /**
     * The id of the node whose data dir is {@code dataDir}, without creating anything: empty if
     * that node has not started yet. Lets a client check it reached this node, not another one.
     */
    public static Optional<String> readNodeId(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        return Files.exists(file) ? Optional.of(load(file).nodeId()) : Optional.empty();
    }

    private static NodeIdentity load(Path file) throws IOException {
        try {
            return of(Ed25519KeyPair.fromSeed(HexFormat.of().parseHex(SecretFiles.read(file))));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a valid node key (expected 64 hex characters): " + e.getMessage(), e);
        }
    }

    private static NodeIdentity of(Ed25519KeyPair pair) {
        return new NodeIdentity("n" + Ed25519KeyPair.fingerprint(pair.publicKey()), pair);
    }

    public static NodeIdentity loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            return load(file);
        }
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        SecretFiles.write(file, HexFormat.of().formatHex(pair.seed()));
        return of(pair);
    }
}
