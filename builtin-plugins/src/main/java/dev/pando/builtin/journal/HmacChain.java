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
    /**
     * One keyed {@link Mac} per thread (the catch-up's, and the verifier's call threads): looking
     * one up and keying it for every entry cost the catch-up more than the HMAC itself.
     */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::keyedMac);

    HmacChain(byte[] secret) {
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
        keyedMac(); // a bad key fails here, not on the first entry
    }

    private Mac keyedMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new PandoException(ErrorCode.INTERNAL, "cannot key " + ALGORITHM + ": " + e.getMessage(), e);
        }
    }

    /** The link for {@code entry} following {@code prevMac} (hex, or null before the first link). */
    String mac(String prevMac, JournalEntry entry) {
        byte[] prev;
        try {
            prev = prevMac == null ? null : HEX.parseHex(prevMac);
        } catch (IllegalArgumentException e) {
            throw new PandoException(ErrorCode.INTERNAL, "HMAC failed for journal entry " + entry.seq() + ": " + e.getMessage(), e);
        }
        // Both inputs are ready before the Mac is fed, so a failure never leaves it half fed for the next entry.
        byte[] body = entry.canonicalBytes();
        Mac mac = macs.get(); // doFinal leaves it reset, still keyed
        if (prev != null) {
            mac.update(prev);
        }
        mac.update(body);
        return HEX.formatHex(mac.doFinal());
    }
}
