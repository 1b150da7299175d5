package dev.pando.builtin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A fixed-length, segment-safe name for any key: builtins that keep something per user key
 * store it below their own prefix under this name, since a key (up to the node's 1 KiB) would
 * not fit there verbatim.
 */
public final class KeyHash {
    private KeyHash() {}

    /** The SHA-256 of {@code key}'s UTF-8, as 64 lowercase hex digits. */
    public static String of(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
