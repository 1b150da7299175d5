package dev.pando.node.auth;

import dev.pando.signing.Ed25519KeyPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The node's Ed25519 identity, created at first start as {@code node.key} (hex seed) in the data
 * dir. The node id, recorded as the {@code origin} of every local write, is derived from the
 * public key so it is stable across restarts and unique across nodes.
 */
public record NodeIdentity(String nodeId, Ed25519KeyPair keyPair) {
    public static final String FILE = "node.key";

    public static NodeIdentity loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        Ed25519KeyPair pair;
        if (Files.exists(file)) {
            String hex = SecretFiles.read(file);
            try {
                pair = Ed25519KeyPair.fromSeed(HexFormat.of().parseHex(hex));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " is not a valid node key (expected 64 hex characters): " + e.getMessage(), e);
            }
        } else {
            pair = Ed25519KeyPair.generate();
            SecretFiles.write(file, HexFormat.of().formatHex(pair.seed()));
        }
        return new NodeIdentity("n" + Ed25519KeyPair.fingerprint(pair.publicKey()), pair);
    }
}
