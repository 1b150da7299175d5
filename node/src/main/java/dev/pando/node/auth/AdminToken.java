package dev.pando.node.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The admin bearer token, created at first start as {@code admin.token} (owner-only) in the data
 * dir. {@link #created()} tells the caller to print it, which happens exactly once: a start that
 * fails after creating it {@link #discard() discards} it, so the next start makes and shows one.
 */
public record AdminToken(String value, Path file, boolean created) {
    public static final String FILE = "admin.token";
    public static final String PREFIX = "adm_";

    public static AdminToken loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            String token = SecretFiles.read(file);
            if (!token.startsWith(PREFIX) || token.length() < PREFIX.length() + 32) {
                throw new IOException(file + " does not hold an admin token; delete it to have a new one made");
            }
            return new AdminToken(token, file, false);
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = PREFIX + HexFormat.of().formatHex(random);
        SecretFiles.write(file, token);
        return new AdminToken(token, file, true);
    }

    /** Deletes the file if this start {@link #created()} it (the token was never shown); otherwise does nothing. */
    public void discard() {
        if (!created) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Best effort: the start is failing anyway, and the next start reuses the file.
        }
    }
}
