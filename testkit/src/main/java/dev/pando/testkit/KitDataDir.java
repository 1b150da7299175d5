package dev.pando.testkit;

import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.Ed25519Keys;
import dev.pando.signing.KeyFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the kit keeps in a node's data dir, under {@value TestNode.Builder#KIT_DIR}: the
 * signing key (kept, so a later node on the same dir signs with the same key) and the
 * trusted-keys file that makes the node trust it.
 */
final class KitDataDir {
    private KitDataDir() {}

    /** {@code chosen}, else the key an earlier node left in {@code dataDir}, else a new one; written to the dir in each case. */
    static Ed25519KeyPair signingKey(Path dataDir, Ed25519KeyPair chosen) throws IOException {
        Path keyFile = dataDir.resolve(TestNode.Builder.KIT_DIR).resolve("signing.key");
        Ed25519KeyPair key = chosen;
        if (key == null && Files.exists(keyFile)) {
            key = Ed25519Keys.readPrivate(keyFile);
        }
        if (key == null) {
            key = Ed25519KeyPair.generate();
        }
        Ed25519Keys.writePrivate(keyFile, key, KeyFormat.HEX, null);
        return key;
    }

    /** Writes the trusted-keys file that trusts {@code key} and returns it. */
    static Path trust(Path dataDir, Ed25519KeyPair key) {
        return PluginFiles.writeTrustedKeys(dataDir.resolve(TestNode.Builder.KIT_DIR).resolve("trusted-keys"), key);
    }

    /** Deletes a data dir the kit made, with everything in it. */
    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
