package dev.pando.node.kv;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.KvPage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The scan cursors the store hands out. A page may stop on a key the caller may not read (the
 * examine budget runs out among {@code /_sys} keys, say), so a cursor is sealed with AES-GCM
 * under a key that never leaves the process: it tells the caller nothing about that key, and a
 * tampered or foreign cursor is refused. The query's pattern is bound in as associated data, so
 * a cursor resumes only the query that made it.
 *
 * <p>{@link KvPage#resumeAfter} tokens, which a plugin makes from a key it already knows, are
 * still accepted as plain seek positions: they reveal nothing the caller did not supply. Sealed
 * cursors start with {@link #SEALED}, which no base64url token contains. The key is made afresh
 * each start, so a cursor does not outlive the node process that issued it.
 */
final class ScanTokens {
    /** Marks a sealed cursor; outside the base64url alphabet of plain tokens. */
    static final char SEALED = '~';
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final SecretKey KEY = newKey();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private ScanTokens() {}

    private static SecretKey newKey() {
        try {
            KeyGenerator gen = KeyGenerator.getInstance("AES");
            gen.init(256, RANDOM);
            return gen.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required for scan cursors", e);
        }
    }

    /** The cursor that resumes {@code query} just past {@code key}. */
    static String seal(byte[] key, ScanQuery query) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = cipher(Cipher.ENCRYPT_MODE, nonce, query);
            byte[] sealed = c.doFinal(key);
            return SEALED + B64.encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing a scan cursor failed", e);
        }
    }

    /** The key {@code cursor} positions after; {@code BAD_REQUEST} if it is not a cursor for {@code query}. */
    static byte[] open(String cursor, ScanQuery query) {
        if (cursor.isEmpty() || cursor.charAt(0) != SEALED) {
            return plain(cursor);
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(cursor.substring(1));
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (raw.length <= NONCE_BYTES) {
            throw invalid();
        }
        byte[] key;
        try {
            Cipher c = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(raw, NONCE_BYTES), query);
            key = c.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw invalid();
        }
        return key;
    }

    private static byte[] plain(String token) {
        String key;
        try {
            key = KvPage.positionOf(token);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (!Keys.isValid(key)) {
            throw invalid();
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static Cipher cipher(int mode, byte[] nonce, ScanQuery query) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, KEY, new GCMParameterSpec(TAG_BITS, nonce));
        c.updateAAD(query.pattern().toString().getBytes(StandardCharsets.UTF_8));
        return c;
    }

    private static PandoException invalid() {
        return new PandoException(ErrorCode.BAD_REQUEST,
                "invalid scan cursor (cursors are valid for the query that made them, until the node restarts)");
    }
}
