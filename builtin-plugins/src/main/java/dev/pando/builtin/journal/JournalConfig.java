package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.PandoException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The journal's plugin config, validated strictly at start so a typo fails the load instead of
 * silently disabling retention or the chain:
 * <pre>{@code {"retention": {"maxEntries": 100000, "maxAgeMs": 604800000, "intervalMs": 60000},
 *  "hmac": {"key": "hex:00112233..." }, "lingerMs": 100}}</pre>
 * Everything is optional; without {@code retention} everything is kept.
 *
 * @param maxEntries retention by count, or null
 * @param maxAgeMs   retention by age, or null
 * @param intervalMs how often retention runs in the background
 * @param hmacKey    the chain secret, or null when the journal is not chained
 * @param lingerMs   how long the journal waits after a commit wakes it before it reads a batch
 */
record JournalConfig(Long maxEntries, Long maxAgeMs, long intervalMs, byte[] hmacKey, long lingerMs) {
    /** Shortest accepted HMAC secret, in bytes (128 bits). */
    static final int MIN_HMAC_KEY_BYTES = 16;
    static final long DEFAULT_RETENTION_INTERVAL_MS = 60_000;
    static final long MIN_RETENTION_INTERVAL_MS = 1_000;
    private static final Pattern HEX = Pattern.compile("([0-9a-fA-F]{2})+");
    /**
     * The linger by default. A trickle of writes is appended in batches this far apart: each
     * append takes the store's commit lock and two threads for a moment, and the requests that
     * arrive in that moment wait. At 5 ms, one connection writing one key at a time saw p99 1.1–1.5
     * ms against 0.4–0.75 ms at 100 (docs/benchmarks.md, "Fourth round"); the price is a journal
     * that trails a quiet node by this much. A busy node is read in full batches, with no linger.
     */
    static final long DEFAULT_LINGER_MS = 100;
    /** Longest linger accepted: a quiet node's journal trailing by more than a second helps nothing. */
    static final long MAX_LINGER_MS = 1_000;

    boolean hasRetention() {
        return maxEntries != null || maxAgeMs != null;
    }

    static JournalConfig parse(JsonNode config) {
        if (config == null || config.isNull()) {
            return new JournalConfig(null, null, DEFAULT_RETENTION_INTERVAL_MS, null, DEFAULT_LINGER_MS);
        }
        if (!config.isObject()) {
            throw bad("config", "must be an object");
        }
        only(config, "config", "retention", "hmac", "lingerMs");
        long linger = DEFAULT_LINGER_MS;
        JsonNode l = config.get("lingerMs");
        if (l != null && !l.isNull()) {
            if (!l.isIntegralNumber() || l.asLong() < 0 || l.asLong() > MAX_LINGER_MS) {
                throw bad("config.lingerMs", "must be an integer from 0 to " + MAX_LINGER_MS + ", got " + l);
            }
            linger = l.asLong();
        }
        Long maxEntries = null;
        Long maxAgeMs = null;
        long interval = DEFAULT_RETENTION_INTERVAL_MS;
        JsonNode retention = config.get("retention");
        if (retention != null && !retention.isNull()) {
            if (!retention.isObject()) {
                throw bad("config.retention", "must be an object with maxEntries, maxAgeMs and/or intervalMs");
            }
            only(retention, "config.retention", "maxEntries", "maxAgeMs", "intervalMs");
            maxEntries = optLong(retention, "maxEntries", 0);
            maxAgeMs = optLong(retention, "maxAgeMs", 1);
            Long i = optLong(retention, "intervalMs", MIN_RETENTION_INTERVAL_MS);
            interval = i == null ? DEFAULT_RETENTION_INTERVAL_MS : i;
        }
        byte[] key = null;
        JsonNode hmac = config.get("hmac");
        if (hmac != null && !hmac.isNull()) {
            if (!hmac.isObject()) {
                throw bad("config.hmac", "must be an object with 'key'");
            }
            only(hmac, "config.hmac", "key");
            JsonNode k = hmac.get("key");
            if (k == null || !k.isTextual() || k.asText().isEmpty()) {
                throw bad("config.hmac.key", "is required: the secret as hex or base64 (prefix 'hex:' or 'base64:' to be explicit)");
            }
            key = decodeKey(k.asText());
        }
        return new JournalConfig(maxEntries, maxAgeMs, interval, key, linger);
    }

    /** {@code hex:...}, {@code base64:...}, or bare: hex when it reads as hex, else base64. */
    static byte[] decodeKey(String text) {
        byte[] key;
        try {
            if (text.startsWith("hex:")) {
                key = HexFormat.of().parseHex(text.substring(4));
            } else if (text.startsWith("base64:")) {
                key = Base64.getDecoder().decode(text.substring(7));
            } else if (HEX.matcher(text).matches()) {
                key = HexFormat.of().parseHex(text);
            } else {
                key = Base64.getDecoder().decode(text);
            }
        } catch (IllegalArgumentException e) {
            throw bad("config.hmac.key", "is neither hex nor base64: " + e.getMessage());
        }
        if (key.length < MIN_HMAC_KEY_BYTES) {
            throw bad("config.hmac.key", "is " + key.length + " bytes; at least " + MIN_HMAC_KEY_BYTES + " are required");
        }
        return key;
    }

    private static Long optLong(JsonNode obj, String name, long min) {
        JsonNode v = obj.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min) {
            throw bad("config.retention." + name, "must be an integer >= " + min + ", got " + v);
        }
        return v.asLong();
    }

    private static void only(JsonNode obj, String where, String... known) {
        Set<String> allowed = Set.of(known);
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw bad(where + "." + name, "unknown field; known: " + String.join(", ", known));
            }
        }
    }

    private static PandoException bad(String field, String problem) {
        return PandoException.badRequest("journal " + field + " " + problem);
    }
}
