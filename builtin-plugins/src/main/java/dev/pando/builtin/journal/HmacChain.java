package dev.pando.builtin.journal;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tamper-evidence chain: {@code mac(n) = HMAC-SHA256(key, mac(n-1) || canonical(entry n))},
 * with an empty {@code mac(n-1)} for the first chained entry. Changing, removing or reordering
 * any entry breaks every later link, and nobody without the key can forge a new chain.
 */
final class HmacChain {
    private static final String ALGORITHM = "HmacSHA256";
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;

    HmacChain(byte[] secret) {
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
    }

    /** The link for {@code entry} following {@code prevMac} (hex, or null before the first link). */
    String mac(String prevMac, JournalEntry entry) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            if (prevMac != null) {
                mac.update(HEX.parseHex(prevMac));
            }
            mac.update(entry.canonicalBytes());
            return HEX.formatHex(mac.doFinal());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new PandoException(ErrorCode.INTERNAL, "HMAC failed for journal entry " + entry.seq() + ": " + e.getMessage(), e);
        }
    }
}
